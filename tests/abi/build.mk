# The guest ABI (include/public) and the ELF64 PV kernel loader core.
#  - suite `abi`: sizes, offsets and constants of include/public, checked
#    at run time against the table in tests/abi/abi_test.c;
#  - suite `elf`: hypervisor/core/elf.c on built and corrupted images;
#  - abi-headers: every public header compiles on its own, hosted and
#    freestanding, and the ELF core compiles freestanding (part of `make`).

UNIT_SUITES  += abi elf
UNIT_SRCS    += tests/abi/abi_test.c tests/unit/elf_test.c hypervisor/core/elf.c
HV_CORE_SRCS += hypervisor/core/elf.c

ABI_HEADERS := $(sort $(wildcard include/public/*.h))
ABI_FREESTANDING := -std=gnu11 -O2 $(WARN) -ffreestanding -mno-red-zone \
                    -mgeneral-regs-only -fno-pic -Iinclude
ABI_STAMP := $(B)/tests/abi/headers.ok

$(ABI_STAMP): $(ABI_HEADERS) include/core/elf.h include/core/env.h hypervisor/core/elf.c
	@mkdir -p $(dir $@)
	@set -e; for h in $(ABI_HEADERS); do \
	    printf '#include "%s"\n' "$${h#include/}" > $(B)/tests/abi/one.c; \
	    $(HOST_CC) -std=gnu11 $(WARN) -Iinclude -c $(B)/tests/abi/one.c -o /dev/null; \
	    $(HOST_CC) $(ABI_FREESTANDING) -c $(B)/tests/abi/one.c -o /dev/null; \
	done
	@$(HOST_CC) $(ABI_FREESTANDING) -c hypervisor/core/elf.c -o $(B)/tests/abi/elf-freestanding.o
	@touch $@

.PHONY: abi-headers
abi-headers: $(ABI_STAMP)

ALL_TARGETS += $(ABI_STAMP)
