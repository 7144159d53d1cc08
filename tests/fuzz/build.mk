# libFuzzer harnesses for the ring consumers (clang, -fsanitize=fuzzer,address).
# Built only by `make fuzz` (and the short smoke run in `make test`).
#
#   make fuzz                   each harness for FUZZ_SECONDS (default 60) plus
#                               the planted double-fetch self-test
#   make fuzz FUZZ_SECONDS=10   shorter
#
# The ring library is compiled again with tests/fuzz/ring_fuzz_hooks.h forced
# in, which poisons each consumed slot (see that file).

FUZZ_CC := clang
FUZZ_SECONDS ?= 60
FUZZ_SELFTEST_SECONDS := 60
FUZZ_SMOKE_SECONDS := 4
RING_FUZZ_DIR := $(B)/fuzz/rings
RING_FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
RING_FUZZ_CFLAGS = -std=gnu11 -O1 -g $(WARN) -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
                   $(RING_FUZZ_SAN) -DXENIA_HOSTED -Iinclude -I$(RING_ADAPTER_DIR)

# The implementation under test, with the poisoning hooks.
$(RING_FUZZ_DIR)/impl/%.o: %.c tests/fuzz/ring_fuzz_hooks.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(RING_FUZZ_CFLAGS) -include tests/fuzz/ring_fuzz_hooks.h -MMD -MP -c $< -o $@

$(RING_FUZZ_DIR)/%.o: tests/fuzz/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(RING_FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# The same consumer with the planted double fetch.
$(RING_FUZZ_DIR)/ring_slots_fuzz_planted.o: tests/fuzz/ring_slots_fuzz.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $< (planted double fetch)"
	@$(FUZZ_CC) $(RING_FUZZ_CFLAGS) -DRING_FUZZ_PLANT_DOUBLE_FETCH -MMD -MP -c $< -o $@

RING_FUZZ_IMPL := $(patsubst %.c,$(RING_FUZZ_DIR)/impl/%.o,$(RING_IMPL_SRCS))
.SECONDARY: $(RING_FUZZ_DIR)/ring_slots_fuzz.o $(RING_FUZZ_DIR)/ring_bytes_fuzz.o

$(RING_FUZZ_DIR)/ring-%-fuzz: $(RING_FUZZ_DIR)/ring_%_fuzz.o $(RING_FUZZ_IMPL)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(RING_FUZZ_SAN) -o $@ $^

$(RING_FUZZ_DIR)/ring-slots-fuzz-planted: $(RING_FUZZ_DIR)/ring_slots_fuzz_planted.o $(RING_FUZZ_IMPL)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(RING_FUZZ_SAN) -o $@ $^

RING_FUZZ_RUN := bash tests/fuzz/run-fuzzer.sh

.PHONY: fuzz-ring-slots fuzz-ring-bytes fuzz-ring-selftest test-rings-fuzz-smoke
fuzz-ring-slots: $(RING_FUZZ_DIR)/ring-slots-fuzz
	@$(RING_FUZZ_RUN) ring-slots $< $(FUZZ_SECONDS) $(RING_FUZZ_DIR)/corpus-slots

fuzz-ring-bytes: $(RING_FUZZ_DIR)/ring-bytes-fuzz
	@$(RING_FUZZ_RUN) ring-bytes $< $(FUZZ_SECONDS) $(RING_FUZZ_DIR)/corpus-bytes

# Passes only if libFuzzer reports the planted double fetch. Fresh corpus each
# time, so the find is never just a replay.
fuzz-ring-selftest: $(RING_FUZZ_DIR)/ring-slots-fuzz-planted
	@rm -rf $(RING_FUZZ_DIR)/corpus-planted
	@$(RING_FUZZ_RUN) --expect-crash ring-planted $< $(FUZZ_SELFTEST_SECONDS) \
	    $(RING_FUZZ_DIR)/corpus-planted

FUZZ_TARGETS += fuzz-ring-slots fuzz-ring-bytes fuzz-ring-selftest

# A few seconds of each, and the self-test, as part of `make test`.
test-rings-fuzz-smoke: $(RING_FUZZ_DIR)/ring-slots-fuzz $(RING_FUZZ_DIR)/ring-bytes-fuzz \
                       $(RING_FUZZ_DIR)/ring-slots-fuzz-planted
	@$(RING_FUZZ_RUN) ring-slots-smoke $(RING_FUZZ_DIR)/ring-slots-fuzz $(FUZZ_SMOKE_SECONDS) \
	    $(RING_FUZZ_DIR)/corpus-slots
	@$(RING_FUZZ_RUN) ring-bytes-smoke $(RING_FUZZ_DIR)/ring-bytes-fuzz $(FUZZ_SMOKE_SECONDS) \
	    $(RING_FUZZ_DIR)/corpus-bytes
	@rm -rf $(RING_FUZZ_DIR)/corpus-planted
	@$(RING_FUZZ_RUN) --expect-crash ring-planted-smoke $(RING_FUZZ_DIR)/ring-slots-fuzz-planted \
	    $(FUZZ_SELFTEST_SECONDS) $(RING_FUZZ_DIR)/corpus-planted

TEST_TARGETS += test-rings-fuzz-smoke
