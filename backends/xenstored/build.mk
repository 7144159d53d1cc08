# xenstored core (backends/xenstored/): the store, watches, transactions,
# quotas and the wire protocol, linked into dom0 by its glue; plus the
# client helpers xs_msg.c that a guest's xenbus driver uses.
#
# Users compile $(XSD_SRCS) (or just xs_msg.c) with their own flags and add
# $(XSD_INCLUDE) to find "xenstored.h" / "xs_msg.h".

XSD_INCLUDE := -Ibackends/xenstored
XSD_SRCS := backends/xenstored/xsd.c backends/xenstored/xs_conn.c \
            backends/xenstored/xs_dispatch.c backends/xenstored/xs_domain.c \
            backends/xenstored/xs_msg.c backends/xenstored/xs_node.c \
            backends/xenstored/xs_path.c backends/xenstored/xs_perms.c \
            backends/xenstored/xs_store.c backends/xenstored/xs_txn.c \
            backends/xenstored/xs_watch.c

# ---- Host unit tests (check, ASan+UBSan) ----
XSD_SUITES := xsd_tree xsd_wire xsd_watch xsd_txn xsd_hostile
UNIT_SUITES += $(XSD_SUITES)
UNIT_SRCS += $(patsubst %,tests/unit/%_test.c,$(XSD_SUITES)) tests/unit/xsd_helpers.c $(XSD_SRCS)
$(B)/host/tests/unit/xsd_%.o: HOST_CFLAGS += $(XSD_INCLUDE)

# ---- The core must build freestanding, as dom0 and guests build it ----
XSD_FREESTANDING_CFLAGS := -std=gnu11 -O2 $(WARN) -ffreestanding -fno-builtin -nostdinc \
    -isystem $(shell $(HOST_CC) -print-file-name=include) -mno-red-zone -mgeneral-regs-only \
    -fno-stack-protector -Iinclude $(XSD_INCLUDE)
XSD_FREESTANDING_OBJS := $(patsubst %.c,$(B)/freestanding/%.o,$(XSD_SRCS))

$(B)/freestanding/backends/xenstored/%.o: backends/xenstored/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FSCC    $<"
	@$(HOST_CC) $(XSD_FREESTANDING_CFLAGS) -MMD -MP -c $< -o $@

ALL_TARGETS += $(XSD_FREESTANDING_OBJS)

# ---- libFuzzer harness on xsd_conn_input (clang, -fsanitize=fuzzer) ----
#   make fuzz-xsd-conn [FUZZ_SECONDS=n]     (also part of `make fuzz`)
#   make test-xsd-fuzz-smoke                a few seconds, part of `make test`
# FUZZ_SECONDS is set by tests/fuzz/build.mk (read after this file).
XSD_FUZZ_DIR := $(B)/fuzz/xenstored
XSD_FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
XSD_FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
                   $(XSD_FUZZ_SAN) -DXENIA_HOSTED -Iinclude $(XSD_INCLUDE)
XSD_FUZZ_SMOKE_SECONDS := 5

$(XSD_FUZZ_DIR)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@clang $(XSD_FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(XSD_FUZZ_DIR)/xsd-conn-fuzz: $(patsubst %.c,$(XSD_FUZZ_DIR)/%.o,tests/fuzz/xsd_conn_fuzz.c $(XSD_SRCS))
	@echo "  FUZZLD  $@"
	@clang -fsanitize=fuzzer $(XSD_FUZZ_SAN) -o $@ $^

.PHONY: fuzz-xsd-conn test-xsd-fuzz-smoke
# The corpus starts from the seed sessions of tests/fuzz/xsd_seeds.py.
fuzz-xsd-conn: $(XSD_FUZZ_DIR)/xsd-conn-fuzz
	@python3 tests/fuzz/xsd_seeds.py $(XSD_FUZZ_DIR)/corpus
	@bash tests/fuzz/run-fuzzer.sh xsd-conn $< $(FUZZ_SECONDS) $(XSD_FUZZ_DIR)/corpus

test-xsd-fuzz-smoke: $(XSD_FUZZ_DIR)/xsd-conn-fuzz
	@python3 tests/fuzz/xsd_seeds.py $(XSD_FUZZ_DIR)/corpus
	@bash tests/fuzz/run-fuzzer.sh xsd-conn-smoke $< $(XSD_FUZZ_SMOKE_SECONDS) $(XSD_FUZZ_DIR)/corpus

FUZZ_TARGETS += fuzz-xsd-conn
TEST_TARGETS += test-xsd-fuzz-smoke
