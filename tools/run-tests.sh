#!/usr/bin/env bash
# Runs each test group (a make target named on the command line) in turn,
# keeps going after a failure, and ends with one summary line over the groups.
set -u
make_cmd=${MAKE:-make}
passed=0; failed=0; failed_names=()
for t in "$@"; do
    echo "=== $t"
    if "$make_cmd" --no-print-directory "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failed_names+=("$t")
        echo "=== $t FAILED"
    fi
done
[ "$failed" -eq 0 ] || echo "failed groups: ${failed_names[*]}"
echo "groups: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
