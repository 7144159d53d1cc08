# Portable core logic of the hypervisor: compiled freestanding into the
# hypervisor (the lead adds HV_CORE_SRCS to the hypervisor build) and hosted,
# under ASan and UBSan, into the check unit tests.
HV_CORE_SRCS += hypervisor/core/multiboot.c hypervisor/core/cmdline.c hypervisor/core/frame_alloc.c
# The initial image of a PV domain: also built into dom0 (pv-guest/build.mk).
HV_CORE_SRCS += hypervisor/core/dombuild.c

UNIT_SUITES += multiboot cmdline frame_alloc dombuild
UNIT_SRCS   += tests/unit/multiboot_test.c hypervisor/core/multiboot.c
UNIT_SRCS   += tests/unit/cmdline_test.c hypervisor/core/cmdline.c
UNIT_SRCS   += tests/unit/frame_alloc_test.c hypervisor/core/frame_alloc.c
UNIT_SRCS   += tests/unit/dombuild_test.c hypervisor/core/dombuild.c
