# The hypervisor: freestanding, ring 0, no SSE, linked at its slot in the
# upper half (xenia/layout.h). Code is generated position-independent
# (-fpie, RIP-relative) because the image lives outside the +-2 GiB windows of
# the small and kernel code models; the link itself is static and non-PIE, so
# there is no GOT, no PLT and nothing to relocate at run time.

HV_CC := gcc
HV_LD := ld
HV_OBJCOPY := objcopy
HV_GCC_INC := $(shell $(HV_CC) -print-file-name=include)
HV_INCLUDES := -nostdinc -isystem $(HV_GCC_INC) -Iinclude -Ihypervisor/include \
               -Ihypervisor/arch/x86_64/include
HV_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(HV_INCLUDES) -ffreestanding -fno-builtin-printf \
             -mno-red-zone -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 \
             -fpie -fvisibility=hidden -fno-stack-protector -fno-asynchronous-unwind-tables \
             -fno-omit-frame-pointer -fno-strict-aliasing -fcf-protection=none \
             -DXENIA_HYPERVISOR
HV_ASFLAGS := $(HV_INCLUDES) -D__ASSEMBLY__ -g

HV_SRCS := $(filter-out %.lds.S,$(wildcard hypervisor/arch/x86_64/*.S hypervisor/arch/x86_64/*.c \
           hypervisor/common/*.c)) \
           hypervisor/core/fmt.c
# Core sources that other fragments add (parsers, page types, ...).
HV_CORE_SRCS :=
HV_OBJS = $(patsubst %,$(B)/hv/%.o,$(basename $(HV_SRCS) $(sort $(HV_CORE_SRCS))))

HV_ELF := $(B)/xenia
HV_ELF32 := $(B)/xenia32
HV_LDS := $(B)/hv/xenia.lds

$(B)/hv/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(B)/hv/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(HV_CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

$(HV_LDS): hypervisor/arch/x86_64/xenia.lds.S hypervisor/include/xenia/layout.h
	@mkdir -p $(dir $@)
	$(HV_CC) -E -P -x c $(HV_INCLUDES) -D__ASSEMBLY__ -D__LINKER__ $< -o $@

$(HV_ELF): $$(HV_OBJS) $(HV_LDS)
	@echo "  LD      $@"
	@$(HV_LD) -nostdlib -static --no-dynamic-linker -z max-page-size=4096 -z noexecstack \
	    --build-id=none -T $(HV_LDS) -o $@ $(filter %.o,$^)

# qemu -kernel takes Multiboot1 from a 32-bit ELF only: wrap the loadable
# bytes (from the first physical load address) in an i386 ELF whose single
# segment has the same physical layout, including bss. The Multiboot1 header
# inside carries the same addresses.
$(HV_ELF32): $(HV_ELF) tools/mkelf32.sh
	bash tools/mkelf32.sh $< $@

ALL_TARGETS += $(HV_ELF) $(HV_ELF32)
