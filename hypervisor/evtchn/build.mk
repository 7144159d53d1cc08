# Event channels: port table state machine and 2-level delivery (pure core
# code, built unchanged into the hypervisor and into the host unit tests).
EVTCHN_SRCS := hypervisor/evtchn/evtchn_table.c hypervisor/evtchn/evtchn_bind.c \
               hypervisor/evtchn/evtchn_2l.c

HV_CORE_SRCS += $(EVTCHN_SRCS)

UNIT_SUITES += evtchn_state evtchn_hostile evtchn_2l evtchn_model evtchn_destroy
UNIT_SRCS   += tests/unit/evtchn_state_test.c tests/unit/evtchn_hostile_test.c \
               tests/unit/evtchn_2l_test.c tests/unit/evtchn_model_test.c \
               tests/unit/evtchn_destroy_test.c tests/unit/evtchn_world.c \
               tests/unit/evtchn_ref.c $(EVTCHN_SRCS)
