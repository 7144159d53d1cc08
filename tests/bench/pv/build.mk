# `make bench`: PV path lengths (instructions per operation under -icount).
.PHONY: bench-pv
bench-pv: $(HV_ELF32) $$(PVTEST_ELF) $$(PVG_DOM0) $$(RAMDISK) $$(RAMDISK_PINGPONG) | $(DEPS_STAMP)
	@python3 tests/bench/pv_bench.py $(B)

BENCH_TARGETS += bench-pv
