# Images and the QEMU runner targets.
#   make run         GRUB ISO (the real boot path) in QEMU, serial on the terminal
#   make run-direct  qemu -kernel with the Multiboot1 image: the fast loop
#   make debug       like run-direct, stopped for gdb on :1234
# XEN_CMDLINE overrides the hypervisor command line; ACCEL=kvm is opt-in.

XEN_CMDLINE ?= console=com1 com1=115200,8n1 loglvl=info
ISO := $(B)/xenia.iso
BOOT_MODULE := $(B)/boot/hello.mod

$(BOOT_MODULE):
	@mkdir -p $(dir $@)
	@printf 'Xenia demo module: loaded by GRUB as module2, listed at boot.\n' > $@

# The demo ISO: dom0 (the pv-guest kernel) as module 0, its ramdisk (a
# ustar archive with the domU kernel and the domain configs, autostarting
# two domUs) as module 1.
DOM0_CMDLINE ?= console=hvc0
$(ISO): $(HV_ELF) $$(PVG_DOM0) $$(RAMDISK) tools/mkiso.sh tools/build.mk | $(DEPS_STAMP)
	@echo "  ISO     $@"
	@bash tools/mkiso.sh $@ $(HV_ELF) "$(XEN_CMDLINE)" $(PVG_DOM0) "$(DOM0_CMDLINE)" \
	    $(RAMDISK) "ramdisk"

ALL_TARGETS += $(ISO)

.PHONY: run run-direct debug
run: $(DEPS_STAMP) $(ISO)
	@echo "Booting $(ISO) in QEMU (TCG). Quit with Ctrl-A then X."
	@bash tools/qemu-run.sh iso $(ISO)

run-direct: $(DEPS_STAMP) $(HV_ELF32) $$(PVG_DOM0) $$(RAMDISK)
	@echo "Booting $(HV_ELF32) with qemu -kernel. Quit with Ctrl-A then X."
	@bash tools/qemu-run.sh kernel $(HV_ELF32) "$(XEN_CMDLINE)" \
	    "$(PVG_DOM0) $(DOM0_CMDLINE),$(RAMDISK) ramdisk"

debug: $(DEPS_STAMP) $(HV_ELF32) $$(PVG_DOM0) $$(RAMDISK)
	@echo "QEMU waits for gdb. In another terminal type:"
	@echo "    gdb $(HV_ELF) -ex 'target remote :1234'"
	@GDB=1 bash tools/qemu-run.sh kernel $(HV_ELF32) "$(XEN_CMDLINE)" \
	    "$(PVG_DOM0) $(DOM0_CMDLINE),$(RAMDISK) ramdisk"
