# Whole-system boot scenarios under QEMU (TCG), checked from the serial log.
.PHONY: test-boot
test-boot: $(HV_ELF) $(HV_ELF32) $$(PVTEST_ELF) $$(PVG_DOM0) $$(GUEST_TEST_ELFS) $$(BOOT_MODULE) $$(RAMDISK) $$(RAMDISK_SCHED) $$(RAMDISK_CAP) | $(DEPS_STAMP)
	python3 tests/boot/run.py $(B)

TEST_TARGETS += test-boot

.PHONY: test-image
test-image: $(HV_ELF) $(HV_ELF32) | $(DEPS_STAMP)
	bash tests/boot/check-image.sh $(HV_ELF) $(HV_ELF32)

TEST_TARGETS += test-image
