# pv-guest: the paravirtualized guest kernel (dom0 and, later, domUs) and the
# newlib C library it links.
#
#   build/newlib/install/         newlib for the guest's code model, built once
#                                 from Debian's newlib-source (stamp file)
#   build/pv-guest/dom0.elf       the dom0 kernel (+ pv-guest/dom0/, the ELF core)
#   build/pv-guest/domU.elf       the domU kernel (+ pv-guest/domU/), which dom0
#                                 starts from its ramdisk (tools/ramdisk/build.mk)
#   build/pv-guest/{page,direct}/ kernel objects: hypercalls through the
#                                 hypercall page (default) or inline `syscall`
#                                 (-DPVG_HYPERCALL_DIRECT, used by a test)
# tests/guest/build.mk builds the test kernels from the same objects.

PVG_B := $(B)/pv-guest
NEWLIB_B := $(B)/newlib
NEWLIB_STAMP := $(NEWLIB_B)/.stamp
NEWLIB_INC := $(NEWLIB_B)/install/x86_64-elf/include
NEWLIB_LIB := $(NEWLIB_B)/install/x86_64-elf/lib
NEWLIB_TARBALL := $(firstword $(wildcard /usr/src/newlib/newlib-*.tar.*))

$(NEWLIB_STAMP): pv-guest/newlib/build-newlib.sh $(NEWLIB_TARBALL) | $(DEPS_STAMP)
	@bash pv-guest/newlib/build-newlib.sh $(NEWLIB_B)
	@touch $@

.PHONY: newlib
newlib: $(NEWLIB_STAMP)

PVG_CC := gcc
PVG_LD := ld
PVG_INCLUDES := -nostdinc -isystem $(NEWLIB_INC) \
                -isystem $(shell $(PVG_CC) -print-file-name=include) \
                -isystem $(shell $(PVG_CC) -print-file-name=include-fixed) \
                -Iinclude -Ipv-guest/include -Ipv-guest/arch/x86_64/include -I$(PVG_B)/include -I.
# core/env.h first in every file: newlib's <sys/cdefs.h> defines a few of the
# same macros differently, and only a redefinition inside a system header is
# silent.
PVG_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(PVG_INCLUDES) -include core/env.h \
              -ffreestanding -mcmodel=kernel -fno-pie -mno-red-zone -fno-stack-protector \
              -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-strict-aliasing \
              -fcf-protection=none -DXENIA_GUEST
PVG_ASFLAGS := $(PVG_INCLUDES) -D__ASSEMBLY__ -g
PVG_LDFLAGS := -nostdlib -static --no-dynamic-linker -z max-page-size=4096 -z noexecstack \
               --build-id=none
PVG_LIBS := $(NEWLIB_LIB)/libc.a $(NEWLIB_LIB)/libm.a $(shell $(PVG_CC) -print-libgcc-file-name)

PVG_OFFSETS := $(PVG_B)/include/asm-offsets.h
PVG_LDS := $(PVG_B)/guest.lds

# The common kernel: everything but the image's kernel_main().
PVG_KERNEL_SRCS := $(wildcard pv-guest/arch/x86_64/*.S pv-guest/arch/x86_64/*.c \
                   pv-guest/kernel/*.c pv-guest/core/*.c) hypervisor/core/fmt.c \
                   rings/ring.c rings/ring_byte.c
PVG_KERNEL_SRCS := $(filter-out %.lds.S %/asm-offsets.c,$(PVG_KERNEL_SRCS))
pvg_objs = $(patsubst %,$(PVG_B)/$(1)/%.o,$(basename $(2)))
PVG_KERNEL_OBJS_page := $(call pvg_objs,page,$(PVG_KERNEL_SRCS))
PVG_KERNEL_OBJS_direct := $(call pvg_objs,direct,$(PVG_KERNEL_SRCS))

$(PVG_OFFSETS): pv-guest/arch/x86_64/asm-offsets.c | $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(PVG_CC) $(PVG_CFLAGS) -S -MMD -MP -MT $@ -MF $(PVG_B)/asm-offsets.d $< -o $(PVG_B)/asm-offsets.s
	@{ echo "/* Generated from pv-guest/arch/x86_64/asm-offsets.c: do not edit. */"; \
	   sed -n 's/.*->\([A-Za-z_0-9]*\) \(-\{0,1\}[0-9][0-9]*\).*/#define \1 \2/p' \
	       $(PVG_B)/asm-offsets.s; } > $@.tmp
	@mv $@.tmp $@

$(PVG_LDS): pv-guest/arch/x86_64/guest.lds.S $(PVG_OFFSETS)
	@$(PVG_CC) -E -P -x c -I$(PVG_B)/include $< -o $@

define pvg_variant
$(PVG_B)/$(1)/%.o: %.c | $(NEWLIB_STAMP) $(PVG_OFFSETS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< [$(1)]"
	@$(PVG_CC) $(PVG_CFLAGS) $(2) -MMD -MP -c $$< -o $$@

$(PVG_B)/$(1)/%.o: %.S | $(NEWLIB_STAMP) $(PVG_OFFSETS)
	@mkdir -p $$(dir $$@)
	@echo "  AS      $$< [$(1)]"
	@$(PVG_CC) $(PVG_ASFLAGS) $(2) -MMD -MP -c $$< -o $$@
endef
$(eval $(call pvg_variant,page,))
$(eval $(call pvg_variant,direct,-DPVG_HYPERCALL_DIRECT))

# dom0 also links xenstored's core (backends/xenstored, not its tests).
XSD_CORE_SRCS = $(filter-out %_fuzz.c,$(wildcard backends/xenstored/*.c))
PVG_DOM0_OBJS := $(call pvg_objs,page,$(wildcard pv-guest/dom0/*.c) hypervisor/core/elf.c \
                 hypervisor/core/dombuild.c $(XSD_CORE_SRCS))
PVG_DOMU_OBJS := $(call pvg_objs,page,$(wildcard pv-guest/domU/*.c))

# Objects reached only through $$-expanded prerequisites count as intermediate.
.SECONDARY: $(PVG_KERNEL_OBJS_page) $(PVG_KERNEL_OBJS_direct) $(PVG_DOM0_OBJS) $(PVG_DOMU_OBJS)

# $(call pvg_link,output,objects): link a kernel image.
define pvg_link
	@mkdir -p $(dir $(1))
	@echo "  LD      $(1)"
	@$(PVG_LD) $(PVG_LDFLAGS) -T $(PVG_LDS) -o $(1) $(2) --start-group $(PVG_LIBS) --end-group
endef

PVG_DOM0 := $(PVG_B)/dom0.elf
$(PVG_DOM0): $(PVG_KERNEL_OBJS_page) $(PVG_DOM0_OBJS) $(PVG_LDS) $(NEWLIB_STAMP)
	$(call pvg_link,$@,$(filter %.o,$^))

PVG_DOMU := $(PVG_B)/domU.elf
$(PVG_DOMU): $(PVG_KERNEL_OBJS_page) $(PVG_DOMU_OBJS) $(PVG_LDS) $(NEWLIB_STAMP)
	$(call pvg_link,$@,$(filter %.o,$^))

.PHONY: pv-guest
pv-guest: $(PVG_DOM0) $(PVG_DOMU)

ALL_TARGETS += $(PVG_DOM0) $(PVG_DOMU)

# Portable core of the guest, tested on the host.
UNIT_SUITES += pvg_pfn_alloc pvg_pvclock
UNIT_SRCS += tests/unit/pvg_pfn_alloc_test.c pv-guest/core/pfn_alloc.c
UNIT_SRCS += tests/unit/pvg_pvclock_test.c pv-guest/core/pvclock.c
UNIT_SUITES += pvg_ustar
UNIT_SRCS += tests/unit/pvg_ustar_test.c pv-guest/core/ustar.c
UNIT_SUITES += pvg_xlcfg
UNIT_SRCS += tests/unit/pvg_xlcfg_test.c pv-guest/core/xlcfg.c
$(B)/host/tests/unit/pvg_%.o $(B)/host/pv-guest/%.o: HOST_CFLAGS += -Ipv-guest/include
