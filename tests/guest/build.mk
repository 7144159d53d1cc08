# In-guest test kernels: one kernel per tests/guest/test_<name>.c, built from
# the pv-guest kernel objects plus harness.c into build/tests/guest/<name>.elf.
# Tests listed in GUEST_TESTS_DIRECT use the kernel built with
# -DPVG_HYPERCALL_DIRECT (every hypercall an inline `syscall`).
# The boot harness (tests/boot) boots them; nothing here runs them.

GUEST_TESTS := $(patsubst tests/guest/test_%.c,%,$(wildcard tests/guest/test_*.c))
GUEST_TESTS_DIRECT := hypercall_direct
GUEST_TEST_B := $(B)/tests/guest
GUEST_TEST_ELFS := $(patsubst %,$(GUEST_TEST_B)/%.elf,$(GUEST_TESTS))

pvg_test_variant = $(if $(filter $(1),$(GUEST_TESTS_DIRECT)),direct,page)

$(GUEST_TEST_B)/%.elf: $$(PVG_KERNEL_OBJS_$$(call pvg_test_variant,$$*)) \
                       $(PVG_B)/$$(call pvg_test_variant,$$*)/tests/guest/harness.o \
                       $(PVG_B)/$$(call pvg_test_variant,$$*)/tests/guest/test_$$*.o \
                       $(PVG_LDS) $(NEWLIB_STAMP)
	$(call pvg_link,$@,$(filter %.o,$^))

# Keep the objects: make would otherwise delete them as intermediate files.
.SECONDARY: $(foreach v,page direct,$(patsubst %,$(PVG_B)/$(v)/tests/guest/%.o,harness \
            $(patsubst %,test_%,$(GUEST_TESTS))))

.PHONY: guest-tests
guest-tests: $(GUEST_TEST_ELFS)

ALL_TARGETS += $(GUEST_TEST_ELFS)
