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

# Scenario ramdisks: the domU kernel plus one directory's configs.
#   $(1) variable stem, $(2) output name, $(3) config tree (tools/<dir>),
#   $(4) optional other kernels: boot/<name>.elf from build/tests/guest/
define ramdisk_variant
$(1) := $(B)/pv-guest/$(2).tar
$(1)_CONFIGS := $$(sort $$(wildcard $(3)/etc/xen/auto/*.cfg))
$(1)_KERNELS := $(4)

$$($(1)): tools/mkramdisk.py tools/ramdisk/build.mk $$$$(PVG_DOMU) $$($(1)_CONFIGS) \
          $$(patsubst %,$(B)/tests/guest/%.elf,$(4))
	@mkdir -p $$(dir $$@)
	@echo "  TAR     $$@"
	@python3 tools/mkramdisk.py $$@ boot/domU.elf=$$(PVG_DOMU) \
	    $$(foreach k,$(4),boot/$$(k).elf=$(B)/tests/guest/$$(k).elf) \
	    $$(foreach f,$$($(1)_CONFIGS),$$(patsubst $(3)/%,%,$$(f))=$$(f))

ALL_TARGETS += $$($(1))
endef

# two CPU-bound domUs, cpu_weight 256 and 512
$(eval $(call ramdisk_variant,RAMDISK_SCHED,ramdisk-sched,tools/ramdisk-sched))
# a CPU-bound domU capped at 25%, one uncapped
$(eval $(call ramdisk_variant,RAMDISK_CAP,ramdisk-cap,tools/ramdisk-cap))
# two domUs that meet through xenstore and ping-pong over an event channel
# and a granted page
$(eval $(call ramdisk_variant,RAMDISK_PINGPONG,ramdisk-pingpong,tools/ramdisk-pingpong))
# a hostile domU against a victim domU, a notification storm, a canary
$(eval $(call ramdisk_variant,RAMDISK_HOSTILE,ramdisk-hostile,tools/ramdisk-hostile))
# a domU flooding xenstored while another powers off (tests/guest/test_xs_flood.c)
$(eval $(call ramdisk_variant,RAMDISK_XS_FLOOD,ramdisk-xs-flood,tools/ramdisk-xs-flood,xs_flood))
# a domU that reboots twice: on_reboot = "restart" (xl's default)
$(eval $(call ramdisk_variant,RAMDISK_RESTART,ramdisk-restart,tools/ramdisk-restart))
