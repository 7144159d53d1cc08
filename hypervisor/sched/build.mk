# Credit scheduler policy: pure core code, built unchanged into the
# hypervisor and, hosted under ASan and UBSan, into the check unit tests
# (suite sched_credit drives it with a simulated clock).
HV_CORE_SRCS += hypervisor/sched/sched_credit.c

UNIT_SUITES += sched_credit
UNIT_SRCS   += tests/unit/sched_credit_test.c hypervisor/sched/sched_credit.c
