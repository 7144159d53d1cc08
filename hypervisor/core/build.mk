# Portable core logic of the hypervisor: compiled freestanding into the
# hypervisor (the lead adds HV_CORE_SRCS to the hypervisor build) and hosted,
# under ASan and UBSan, into the check unit tests.
HV_CORE_SRCS += hypervisor/core/multiboot.c hypervisor/core/cmdline.c hypervisor/core/frame_alloc.c

UNIT_SUITES += multiboot cmdline frame_alloc
UNIT_SRCS   += tests/unit/multiboot_test.c hypervisor/core/multiboot.c
UNIT_SRCS   += tests/unit/cmdline_test.c hypervisor/core/cmdline.c
UNIT_SRCS   += tests/unit/frame_alloc_test.c hypervisor/core/frame_alloc.c
