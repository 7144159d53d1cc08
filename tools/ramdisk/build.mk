# dom0's ramdisk: a ustar archive (tools/mkramdisk.py) with the domU kernel
# under /boot and the domain configs of tools/ramdisk/etc/xen, the ones in
# etc/xen/auto started by dom0 at boot.
#
#   build/pv-guest/ramdisk.tar   /boot/domU.elf, /etc/xen/hello.cfg,
#                                /etc/xen/auto/{hello1,hello2}.cfg

RAMDISK := $(B)/pv-guest/ramdisk.tar
RAMDISK_CONFIGS := $(sort $(wildcard tools/ramdisk/etc/xen/*.cfg tools/ramdisk/etc/xen/auto/*.cfg))

$(RAMDISK): tools/mkramdisk.py tools/ramdisk/build.mk $$(PVG_DOMU) $(RAMDISK_CONFIGS)
	@mkdir -p $(dir $@)
	@echo "  TAR     $@"
	@python3 tools/mkramdisk.py $@ boot/domU.elf=$(PVG_DOMU) \
	    $(foreach f,$(RAMDISK_CONFIGS),$(patsubst tools/ramdisk/%,%,$(f))=$(f))

.PHONY: ramdisk
ramdisk: $(RAMDISK)

ALL_TARGETS += $(RAMDISK)

# The scheduler scenario's ramdisk: two CPU-bound domUs, cpu_weight 256 and 512.
RAMDISK_SCHED := $(B)/pv-guest/ramdisk-sched.tar
RAMDISK_SCHED_CONFIGS := $(sort $(wildcard tools/ramdisk-sched/etc/xen/auto/*.cfg))

$(RAMDISK_SCHED): tools/mkramdisk.py tools/ramdisk/build.mk $$(PVG_DOMU) $(RAMDISK_SCHED_CONFIGS)
	@mkdir -p $(dir $@)
	@echo "  TAR     $@"
	@python3 tools/mkramdisk.py $@ boot/domU.elf=$(PVG_DOMU) \
	    $(foreach f,$(RAMDISK_SCHED_CONFIGS),$(patsubst tools/ramdisk-sched/%,%,$(f))=$(f))

ALL_TARGETS += $(RAMDISK_SCHED)

# The cap scenario's ramdisk: a CPU-bound domU capped at 25%, one uncapped.
RAMDISK_CAP := $(B)/pv-guest/ramdisk-cap.tar
RAMDISK_CAP_CONFIGS := $(sort $(wildcard tools/ramdisk-cap/etc/xen/auto/*.cfg))

$(RAMDISK_CAP): tools/mkramdisk.py tools/ramdisk/build.mk $$(PVG_DOMU) $(RAMDISK_CAP_CONFIGS)
	@mkdir -p $(dir $@)
	@echo "  TAR     $@"
	@python3 tools/mkramdisk.py $@ boot/domU.elf=$(PVG_DOMU) \
	    $(foreach f,$(RAMDISK_CAP_CONFIGS),$(patsubst tools/ramdisk-cap/%,%,$(f))=$(f))

ALL_TARGETS += $(RAMDISK_CAP)
