# Ring library (rings/) and its protocol-conformance suite.
#
# Users of the library (frontends, backends) compile rings/*.c with their own
# flags and add $(RINGS_INCLUDE) to find "rings/ring.h" & co.
#
# The conformance suite (tests/unit/ring_*_test.c) reaches the implementation
# only through ring_adapter.h, found in $(RING_ADAPTER_DIR); to run it against
# another implementation set RING_ADAPTER_DIR and RING_IMPL_SRCS (see
# rings/README.md).

RINGS_INCLUDE := -I.
RINGS_SRCS := rings/ring.c rings/ring_byte.c rings/ring_blkif.c
RING_ADAPTER_DIR ?= rings
RING_IMPL_SRCS ?= $(RINGS_SRCS)

# One suite per property group.
RING_SUITES := ring_layout ring_index ring_notify ring_concurrency ring_hostile ring_byte
UNIT_SUITES += $(RING_SUITES)
UNIT_SRCS += $(patsubst %,tests/unit/%_test.c,$(RING_SUITES)) $(RING_IMPL_SRCS)

$(B)/host/tests/unit/ring_%.o: HOST_CFLAGS += -I$(RING_ADAPTER_DIR) -pthread

# ---- The concurrency suite again, under ThreadSanitizer (not ASan) ----
# Same test file and ring sources, tests/unit/main.c as the runner with a
# suite list naming only ring_concurrency. Deferred (=) flags: CHECK_* are
# defined by tests/unit/build.mk, included after this file.
RING_TSAN_DIR := $(B)/tsan
RING_TSAN_BIN := $(RING_TSAN_DIR)/ring-tsan-tests
RING_TSAN_SRCS := tests/unit/main.c tests/unit/ring_concurrency_test.c $(RING_IMPL_SRCS)
RING_TSAN_CFLAGS = -std=gnu11 -O1 -g $(WARN) -fsanitize=thread -fno-omit-frame-pointer \
                   -pthread -DXENIA_HOSTED -DRING_STRESS_TSAN -Iinclude -I$(RING_ADAPTER_DIR) \
                   -I$(RING_TSAN_DIR) $(CHECK_CFLAGS)

$(RING_TSAN_DIR)/unit-suites.h: rings/build.mk
	@mkdir -p $(dir $@)
	@printf 'UNIT_SUITE(ring_concurrency)\n' > $@

$(RING_TSAN_DIR)/%.o: %.c $(RING_TSAN_DIR)/unit-suites.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  TSANCC  $<"
	@$(HOST_CC) $(RING_TSAN_CFLAGS) -MMD -MP -c $< -o $@

$(RING_TSAN_BIN): $(patsubst %.c,$(RING_TSAN_DIR)/%.o,$(RING_TSAN_SRCS))
	@echo "  TSANLD  $@"
	@$(HOST_CC) -fsanitize=thread -pthread -o $@ $^ $(CHECK_LIBS)

# halt_on_error: a reported race fails the test that caused it. setarch -R
# (no ASLR) keeps TSan's fixed shadow layout valid on kernels with large
# mmap randomisation; the output ends with check's summary line.
.PHONY: test-rings-tsan
test-rings-tsan: $(RING_TSAN_BIN)
	@echo "  TSAN    $(RING_TSAN_BIN) ring_concurrency"
	@TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" setarch $$(uname -m) -R \
	    $(RING_TSAN_BIN) ring_concurrency

TEST_TARGETS += test-rings-tsan

# ---- The library must build freestanding, as the kernels build it ----
RING_FREESTANDING_CFLAGS := -std=gnu11 -O2 $(WARN) -ffreestanding -fno-builtin -nostdinc \
    -isystem $(shell $(HOST_CC) -print-file-name=include) -mno-red-zone -mgeneral-regs-only \
    -fno-stack-protector -Iinclude
RING_FREESTANDING_OBJS := $(patsubst %.c,$(B)/freestanding/%.o,$(RINGS_SRCS))

$(B)/freestanding/rings/%.o: rings/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(RING_FREESTANDING_CFLAGS) -MMD -MP -c $< -o $@

ALL_TARGETS += $(RING_FREESTANDING_OBJS)
