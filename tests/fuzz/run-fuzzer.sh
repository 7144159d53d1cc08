#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time and prints one summary line.
#
#   run-fuzzer.sh NAME BINARY SECONDS CORPUS_DIR          a harness: pass = no crash
#   run-fuzzer.sh --expect-crash NAME BINARY SECONDS DIR  the planted-bug self-test:
#                                                         pass = a crash within SECONDS
# The full libFuzzer log is kept next to the corpus (NAME.log).
set -u
expect_crash=0
if [ "${1:-}" = "--expect-crash" ]; then expect_crash=1; shift; fi
name=$1 bin=$2 seconds=$3 corpus=$4
mkdir -p "$corpus"
log="$corpus/../$name.log"
start=$(date +%s)
"$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$corpus/../$name-" \
    "$corpus" >"$log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
found=0
grep -qE 'ERROR: (AddressSanitizer|libFuzzer)|SUMMARY: UndefinedBehaviorSanitizer|deadly signal' "$log" && found=1
if [ "$expect_crash" -eq 1 ]; then
    if [ "$rc" -ne 0 ] && [ "$found" -eq 1 ]; then
        what=$(grep -m1 -oE 'AddressSanitizer: [a-z-]+' "$log")
        echo "fuzz $name: planted double fetch found after ${elapsed}s ($what): PASS"
        exit 0
    fi
    echo "fuzz $name: planted double fetch NOT found in ${seconds}s: FAIL"
    tail -20 "$log"
    exit 1
fi
if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
    echo "fuzz $name: ${execs:-?} executions in ${elapsed}s, no crash, corpus $(ls "$corpus" | wc -l) inputs"
    exit 0
fi
echo "fuzz $name: CRASH (exit $rc), log $log"
grep -A30 -m1 -E 'ERROR:|deadly signal|runtime error' "$log"
exit 1
