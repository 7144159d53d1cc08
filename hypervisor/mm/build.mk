# PV MMU core: page types, reference counts, PTE rules (pure code, built
# unchanged into the hypervisor and into the host unit tests).
PGT_SRCS := hypervisor/mm/pgt_pte.c hypervisor/mm/pgt_frame.c \
            hypervisor/mm/pgt_walk.c hypervisor/mm/pgt_ops.c

HV_CORE_SRCS += $(PGT_SRCS)

UNIT_SUITES += pgt_pte pgt_type pgt_rules pgt_model
UNIT_SRCS   += tests/unit/pgt_pte_test.c tests/unit/pgt_type_test.c \
               tests/unit/pgt_rules_test.c tests/unit/pgt_model_test.c \
               tests/unit/pgt_world.c $(PGT_SRCS)
