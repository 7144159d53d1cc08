# Grant tables v1 core: shared-entry protocol, active entries and pins,
# maptrack handles, map/unmap/copy checks (pure code, built unchanged into
# the hypervisor and into the host unit tests). gnttab_atomic.c is the
# hypervisor's arch hook; the tests link their own (tests/unit/gnttab_world.c).
GNTTAB_SRCS := hypervisor/gnttab/gnttab_entry.c hypervisor/gnttab/gnttab_table.c \
               hypervisor/gnttab/gnttab_maptrack.c hypervisor/gnttab/gnttab_map.c \
               hypervisor/gnttab/gnttab_copy.c

HV_CORE_SRCS += $(GNTTAB_SRCS) hypervisor/gnttab/gnttab_atomic.c

UNIT_SUITES += gnttab_table gnttab_flags gnttab_hostile gnttab_model
UNIT_SRCS   += tests/unit/gnttab_table_test.c tests/unit/gnttab_flags_test.c \
               tests/unit/gnttab_hostile_test.c tests/unit/gnttab_model_test.c \
               tests/unit/gnttab_world.c $(GNTTAB_SRCS)

# The flags suite runs a granter thread against the core.
$(B)/host/tests/unit/gnttab_%.o: HOST_CFLAGS += -pthread
