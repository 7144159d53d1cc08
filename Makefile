# Xenia: one non-recursive Makefile. Every directory that builds something
# contributes a fragment named build.mk; all output goes under build/.
#
#   make            build the hypervisor images and the GRUB ISO
#   make run        install missing packages (as root), build, boot the ISO
#   make test       install, build, run every test
#   make bench      deterministic instruction counts (QEMU -icount)
#   make fuzz       run each fuzz harness for a bounded time

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
# Fragments append to source lists after a rule names them: prerequisites
# written as $$(VAR) are expanded once every fragment has been read.
.SECONDEXPANSION:
SHELL := /bin/bash

B := build

# Dependency step: checks the Debian packages once (stamp file), installs the
# missing ones when root, otherwise prints the apt-get command and fails.
DEPS_STAMP := $(B)/.deps-ok
$(DEPS_STAMP): tools/deps.sh $(wildcard */deps.txt)
	@mkdir -p $(B)
	@bash tools/deps.sh
	@touch $@
.PHONY: deps
deps: $(DEPS_STAMP)

# Strict warnings shared by every C file of the project.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wvla \
        -Wformat=2 -Wimplicit-fallthrough -Wno-unused-parameter

# Host builds (unit tests, tools): hosted C11 under ASan and UBSan.
HOST_CC := gcc
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) $(HOST_SAN) -DXENIA_HOSTED -Iinclude
HOST_LDFLAGS := $(HOST_SAN)

# Fragments (each appends to ALL_TARGETS, TEST_TARGETS, BENCH_TARGETS, ...).
ALL_TARGETS :=
TEST_TARGETS :=
BENCH_TARGETS :=
FUZZ_TARGETS :=
UNIT_SUITES :=
UNIT_SRCS :=

include $(sort $(wildcard */build.mk */*/build.mk */*/*/build.mk))

.PHONY: all test bench fuzz clean
all: $(DEPS_STAMP) $(ALL_TARGETS)

test: $(DEPS_STAMP) all
	@bash tools/run-tests.sh $(TEST_TARGETS)

bench: $(DEPS_STAMP) $(BENCH_TARGETS)

fuzz: $(DEPS_STAMP) $(FUZZ_TARGETS)

clean:
	rm -rf $(B)

# Automatic header dependencies for every object.
-include $(shell find $(B) -name '*.d' 2>/dev/null)
