# Host benchmark of the ring library (`make bench`): throughput between two
# threads as a ratio to memcpy, and notifications per request by queue depth.
# Built -O2 without sanitizers; the ring sources are compiled unchanged.

RING_BENCH_DIR := $(B)/bench/rings
RING_BENCH_BIN := $(RING_BENCH_DIR)/ring-bench
RING_BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -pthread -DXENIA_HOSTED -Iinclude -I$(RING_ADAPTER_DIR)

$(RING_BENCH_DIR)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  BENCHCC $<"
	@$(HOST_CC) $(RING_BENCH_CFLAGS) -MMD -MP -c $< -o $@

$(RING_BENCH_BIN): $(patsubst %.c,$(RING_BENCH_DIR)/%.o,tests/bench/ring_bench.c $(RING_IMPL_SRCS))
	@echo "  BENCHLD $@"
	@$(HOST_CC) -pthread -o $@ $^

.PHONY: bench-rings
bench-rings: $(RING_BENCH_BIN)
	@$(RING_BENCH_BIN)

BENCH_TARGETS += bench-rings
