/*
 * Forced into rings/ring.c (clang -include) for the fuzz builds only: fills
 * the ring library's instrumentation hooks with ASan manual poisoning.
 *
 *  - a slot becomes unaddressable the moment the consumer has copied it out,
 *    so any later read of it (a double fetch) is reported right there;
 *  - it becomes addressable again when either side writes it anew (the back
 *    writing its response into the slot, the front a new request).
 *
 * The harness follows the same rule for the writes of its hostile peer.
 */
#ifndef XENIA_TESTS_FUZZ_RING_FUZZ_HOOKS_H
#define XENIA_TESTS_FUZZ_RING_FUZZ_HOOKS_H

#include <sanitizer/asan_interface.h>

#define RING_HOOK_SLOT_CONSUMED(slot, size) ASAN_POISON_MEMORY_REGION((slot), (size))
#define RING_HOOK_SLOT_REWRITE(slot, size) ASAN_UNPOISON_MEMORY_REGION((slot), (size))

#endif /* XENIA_TESTS_FUZZ_RING_FUZZ_HOOKS_H */
