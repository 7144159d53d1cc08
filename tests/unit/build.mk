# Host unit tests: one check runner over every suite that a fragment adds.
# A fragment adds a suite with
#   UNIT_SUITES += foo            (tests/... defines Suite *foo_suite(void))
#   UNIT_SRCS   += tests/unit/foo_test.c path/to/foo.c
# Core sources are compiled unchanged, hosted, under ASan and UBSan.

UNIT_BIN := $(B)/tests/unit/unit-tests
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

$(B)/tests/unit/unit-suites.h: $(MAKEFILE_LIST) FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(foreach s,$(sort $(UNIT_SUITES)),'UNIT_SUITE($(s))') > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(B)/host/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) $(CHECK_CFLAGS) -I$(B)/tests/unit -MMD -MP -c $< -o $@

$(B)/host/tests/unit/main.o: $(B)/tests/unit/unit-suites.h

$(UNIT_BIN): $$(patsubst %.c,$(B)/host/%.o,tests/unit/main.c $$(sort $$(UNIT_SRCS)))
	@echo "  HOSTLD  $@"
	@$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(CHECK_LIBS)

.PHONY: test-unit
test-unit: $(UNIT_BIN)
	$(UNIT_BIN)

ALL_TARGETS += $(UNIT_BIN)
TEST_TARGETS += test-unit

UNIT_SUITES += fmt
UNIT_SRCS += tests/unit/fmt_test.c hypervisor/core/fmt.c

.PHONY: FORCE
FORCE:
