# pvtest: a minimal PV test kernel for the hypervisor's own boot scenarios.
PVTEST_ELF := $(B)/tests/pvtest.elf
PVTEST_SRCS := tests/boot/pvtest/head.S tests/boot/pvtest/main.c tests/boot/pvtest/lib.c \
               tests/boot/pvtest/cases.c tests/boot/pvtest/mm.c hypervisor/core/fmt.c
PVTEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -nostdinc -isystem $(HV_GCC_INC) -Iinclude \
                 -ffreestanding -fno-builtin -mcmodel=kernel -fno-pie -mno-red-zone \
                 -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
                 -fcf-protection=none -DXENIA_PVTEST
PVTEST_OBJS := $(patsubst %,$(B)/pvtest/%.o,$(basename $(PVTEST_SRCS)))

$(B)/pvtest/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (pvtest)"
	@$(HV_CC) $(PVTEST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/pvtest/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $< (pvtest)"
	@$(HV_CC) -nostdinc -MMD -MP -c $< -o $@

$(PVTEST_ELF): $(PVTEST_OBJS) tests/boot/pvtest/pvtest.lds
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
	    -T tests/boot/pvtest/pvtest.lds -o $@ $(PVTEST_OBJS)

ALL_TARGETS += $(PVTEST_ELF)
