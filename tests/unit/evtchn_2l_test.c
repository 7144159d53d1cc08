/*
 * 2-level delivery: set_pending and unmask over every combination of the
 * four bits involved (pending, mask, selector, upcall_pending), each as a
 * hand-written table, for ports at word edges, on top of random background
 * bits that must survive untouched; re-delivery scenarios; and a
 * two-thread run against a guest-like consumer proving no event is ever
 * stranded pending without an upcall.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/evtchn.h"

#define N EVTCHN_2L_NEWLY_PENDING
#define K EVTCHN_2L_KICK

struct bits {
    unsigned p, m, s, u;   /* pending, mask, selector, upcall_pending */
};

struct row {
    struct bits in, out;
    unsigned flags;
};

/* set_pending: stop at the first level already signalled. */
static const struct row set_pending_rows[16] = {
    {{0, 0, 0, 0}, {1, 0, 1, 1}, N | K},
    {{0, 0, 0, 1}, {1, 0, 1, 1}, N},
    {{0, 0, 1, 0}, {1, 0, 1, 0}, N},      /* selector already set: no upcall step */
    {{0, 0, 1, 1}, {1, 0, 1, 1}, N},
    {{0, 1, 0, 0}, {1, 1, 0, 0}, N},      /* masked: pending only */
    {{0, 1, 0, 1}, {1, 1, 0, 1}, N},
    {{0, 1, 1, 0}, {1, 1, 1, 0}, N},
    {{0, 1, 1, 1}, {1, 1, 1, 1}, N},
    {{1, 0, 0, 0}, {1, 0, 0, 0}, 0},      /* already pending: nothing at all */
    {{1, 0, 0, 1}, {1, 0, 0, 1}, 0},
    {{1, 0, 1, 0}, {1, 0, 1, 0}, 0},
    {{1, 0, 1, 1}, {1, 0, 1, 1}, 0},
    {{1, 1, 0, 0}, {1, 1, 0, 0}, 0},
    {{1, 1, 0, 1}, {1, 1, 0, 1}, 0},
    {{1, 1, 1, 0}, {1, 1, 1, 0}, 0},
    {{1, 1, 1, 1}, {1, 1, 1, 1}, 0},
};

/* unmask: only a 1 -> 0 mask transition of a pending port delivers. */
static const struct row unmask_rows[16] = {
    {{0, 0, 0, 0}, {0, 0, 0, 0}, 0},
    {{0, 0, 0, 1}, {0, 0, 0, 1}, 0},
    {{0, 0, 1, 0}, {0, 0, 1, 0}, 0},
    {{0, 0, 1, 1}, {0, 0, 1, 1}, 0},
    {{0, 1, 0, 0}, {0, 0, 0, 0}, 0},
    {{0, 1, 0, 1}, {0, 0, 0, 1}, 0},
    {{0, 1, 1, 0}, {0, 0, 1, 0}, 0},
    {{0, 1, 1, 1}, {0, 0, 1, 1}, 0},
    {{1, 0, 0, 0}, {1, 0, 0, 0}, 0},      /* was not masked: nothing to redo */
    {{1, 0, 0, 1}, {1, 0, 0, 1}, 0},
    {{1, 0, 1, 0}, {1, 0, 1, 0}, 0},
    {{1, 0, 1, 1}, {1, 0, 1, 1}, 0},
    {{1, 1, 0, 0}, {1, 0, 1, 1}, K},
    {{1, 1, 0, 1}, {1, 0, 1, 1}, 0},
    {{1, 1, 1, 0}, {1, 0, 1, 0}, 0},
    {{1, 1, 1, 1}, {1, 0, 1, 1}, 0},
};

static const evtchn_port_t ports[] = {1, 63, 64, 127, 2000, 4032, 4095};

static uint64_t rnd_state;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static void set_bit64(uint64_t *w, unsigned b, unsigned v)
{
    *w = (*w & ~(1ull << b)) | ((uint64_t)v << b);
}

/* Random background, then the four bits of `b` for `port` on vCPU 1. */
static void arrange(struct shared_info *si, evtchn_port_t port, const struct bits *b,
                    unsigned upcall_mask)
{
    for (size_t i = 0; i < sizeof(*si); i++)
        ((uint8_t *)si)[i] = (uint8_t)rnd();
    struct vcpu_info *vi = &si->vcpu_info[1];
    set_bit64(&si->evtchn_pending[port / 64], port % 64, b->p);
    set_bit64(&si->evtchn_mask[port / 64], port % 64, b->m);
    set_bit64(&vi->evtchn_pending_sel, port / 64, b->s);
    vi->evtchn_upcall_pending = (uint8_t)b->u;
    vi->evtchn_upcall_mask = (uint8_t)upcall_mask;
}

static void expect(struct shared_info *si, const struct shared_info *before, evtchn_port_t port,
                   const struct bits *b, unsigned upcall_mask)
{
    struct shared_info *want = malloc(sizeof(*want));
    ck_assert_ptr_nonnull(want);
    memcpy(want, before, sizeof(*want));
    struct vcpu_info *vi = &want->vcpu_info[1];
    set_bit64(&want->evtchn_pending[port / 64], port % 64, b->p);
    set_bit64(&want->evtchn_mask[port / 64], port % 64, b->m);
    set_bit64(&vi->evtchn_pending_sel, port / 64, b->s);
    vi->evtchn_upcall_pending = (uint8_t)b->u;
    ck_assert_uint_eq(vi->evtchn_upcall_mask, upcall_mask);
    ck_assert_msg(memcmp(want, si, sizeof(*si)) == 0, "port %u: other bits changed", port);
    free(want);
}

static void run_rows(const struct row *rows, bool unmask)
{
    struct shared_info *si = malloc(sizeof(*si)), *before = malloc(sizeof(*before));
    ck_assert_ptr_nonnull(si);
    ck_assert_ptr_nonnull(before);
    rnd_state = 0x9E3779B97F4A7C15ull;
    for (unsigned pi = 0; pi < ARRAY_SIZE(ports); pi++) {
        for (unsigned r = 0; r < 16; r++) {
            for (unsigned um = 0; um < 2; um++) {   /* upcall_mask never matters here */
                evtchn_port_t port = ports[pi];
                arrange(si, port, &rows[r].in, um);
                memcpy(before, si, sizeof(*si));
                struct vcpu_info *vi = &si->vcpu_info[1];
                unsigned f = unmask ? evtchn_2l_unmask(si, vi, port)
                                    : evtchn_2l_set_pending(si, vi, port);
                ck_assert_msg(f == rows[r].flags, "port %u row %u: flags %u", port, r, f);
                expect(si, before, port, &rows[r].out, um);
            }
        }
    }
    free(si);
    free(before);
}

START_TEST(set_pending_all_bit_combinations)
{
    /* The table is the 16 combinations, in order. */
    for (unsigned r = 0; r < 16; r++) {
        const struct bits *b = &set_pending_rows[r].in;
        ck_assert_uint_eq(b->p * 8 + b->m * 4 + b->s * 2 + b->u, r);
        b = &unmask_rows[r].in;
        ck_assert_uint_eq(b->p * 8 + b->m * 4 + b->s * 2 + b->u, r);
    }
    run_rows(set_pending_rows, false);
}
END_TEST

START_TEST(unmask_all_bit_combinations)
{
    run_rows(unmask_rows, true);
}
END_TEST

START_TEST(masked_event_delivered_on_unmask)
{
    static struct shared_info si;
    struct vcpu_info *vi = &si.vcpu_info[0];
    memset(&si, 0, sizeof(si));
    si.evtchn_mask[1] = 1ull << 5;          /* port 69 masked */

    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 69), N);
    ck_assert_uint_eq(vi->evtchn_pending_sel, 0);
    ck_assert_uint_eq(vi->evtchn_upcall_pending, 0);
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 69), 0);   /* coalesced */
    ck_assert(evtchn_2l_is_masked(&si, 69));
    ck_assert(evtchn_2l_is_pending(&si, 69));

    ck_assert_uint_eq(evtchn_2l_unmask(&si, vi, 69), K);
    ck_assert_uint_eq(vi->evtchn_pending_sel, 1ull << 1);
    ck_assert_uint_eq(vi->evtchn_upcall_pending, 1);
    ck_assert(!evtchn_2l_is_masked(&si, 69));

    /* The guest acknowledges; a second unmask redelivers nothing. */
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
    ck_assert_uint_eq(evtchn_2l_unmask(&si, vi, 69), 0);
    ck_assert_uint_eq(vi->evtchn_upcall_pending, 0);
    /* Cleared by the guest, then sent again: a fresh upcall. */
    evtchn_2l_clear_pending(&si, 69);
    ck_assert(!evtchn_2l_is_pending(&si, 69));
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 69), N | K);
}
END_TEST

START_TEST(one_upcall_for_many_ports)
{
    static struct shared_info si;
    struct vcpu_info *vi = &si.vcpu_info[3];
    memset(&si, 0, sizeof(si));

    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 10), N | K);
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 11), N);      /* same word */
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 4000), N);    /* word 62: sel only */
    ck_assert_uint_eq(vi->evtchn_pending_sel, (1ull << 0) | (1ull << 62));
    ck_assert_uint_eq(si.evtchn_pending[0], (1ull << 10) | (1ull << 11));
    ck_assert_uint_eq(si.evtchn_pending[62], 1ull << 32);
    /* Other vCPUs saw nothing. */
    for (unsigned v = 0; v < XEN_LEGACY_MAX_VCPUS; v++) {
        if (v == 3)
            continue;
        ck_assert_uint_eq(si.vcpu_info[v].evtchn_pending_sel, 0);
        ck_assert_uint_eq(si.vcpu_info[v].evtchn_upcall_pending, 0);
    }
}
END_TEST

START_TEST(registered_vcpu_info_outside_shared_info)
{
    static struct shared_info si;
    static struct vcpu_info mine;
    memset(&si, 0, sizeof(si));
    memset(&mine, 0, sizeof(mine));
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, &mine, 130), N | K);
    ck_assert_uint_eq(mine.evtchn_pending_sel, 1ull << 2);
    ck_assert_uint_eq(mine.evtchn_upcall_pending, 1);
    ck_assert_uint_eq(si.vcpu_info[0].evtchn_pending_sel, 0);
}
END_TEST

START_TEST(odd_upcall_byte_values)
{
    /* Bit 0 is the flag: a guest writing 2 gets one more kick, no harm. */
    static struct shared_info si;
    struct vcpu_info *vi = &si.vcpu_info[0];
    memset(&si, 0, sizeof(si));
    vi->evtchn_upcall_pending = 2;
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 5), N | K);
    ck_assert_uint_eq(vi->evtchn_upcall_pending, 3);
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0xff;
    ck_assert_uint_eq(evtchn_2l_set_pending(&si, vi, 6), N);
}
END_TEST

/* ---- Concurrent guest ---- */

#define EVENTS 200000u

struct race {
    struct shared_info si;
    unsigned stop;
    unsigned long received;      /* pending bits the guest cleared 1 -> 0 */
    unsigned long upcalls;
};

/* What a Linux-like guest does in its upcall handler, polled. */
static void *guest(void *arg)
{
    struct race *r = arg;
    struct vcpu_info *vi = &r->si.vcpu_info[0];
    for (;;) {
        unsigned stop = __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
        if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST)) {
            if (stop)
                return NULL;
            continue;
        }
        r->upcalls++;
        __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
        uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned wd = (unsigned)__builtin_ctzll(sel);
            sel &= sel - 1;
            uint64_t bits = __atomic_load_n(&r->si.evtchn_pending[wd], __ATOMIC_SEQ_CST) &
                            ~__atomic_load_n(&r->si.evtchn_mask[wd], __ATOMIC_SEQ_CST);
            while (bits) {
                uint64_t b = bits & -bits;
                bits &= bits - 1;
                if (__atomic_fetch_and(&r->si.evtchn_pending[wd], ~b, __ATOMIC_SEQ_CST) & b)
                    r->received++;
            }
        }
    }
}

START_TEST(no_event_stranded_under_a_racing_guest)
{
    struct race *r = calloc(1, sizeof(*r));
    ck_assert_ptr_nonnull(r);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, guest, r), 0);

    unsigned long newly = 0, kicks = 0;
    rnd_state = 12345;
    for (unsigned i = 0; i < EVENTS; i++) {
        /* A few hot ports in few words, so that races are frequent. */
        evtchn_port_t port = (evtchn_port_t)(1 + rnd() % 200);
        unsigned f = evtchn_2l_set_pending(&r->si, &r->si.vcpu_info[0], port);
        newly += (f & N) != 0;
        kicks += (f & K) != 0;
        /* Now and then let the guest take an upcall, so that both sides
         * really run at the same time however the threads are scheduled. */
        if (i % 1024 == 1023)
            while (__atomic_load_n(&r->si.vcpu_info[0].evtchn_upcall_pending, __ATOMIC_SEQ_CST))
                ;
    }
    __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
    ck_assert_int_eq(pthread_join(th, NULL), 0);

    /* Every 0 -> 1 transition we made was consumed: nothing left behind. */
    for (unsigned wd = 0; wd < XEN_EVTCHN_2L_WORDS; wd++)
        ck_assert_uint_eq(r->si.evtchn_pending[wd], 0);
    ck_assert_uint_eq(r->received, newly);
    ck_assert_uint_ge(kicks, EVENTS / 1024);
    ck_assert_uint_le(kicks, newly);
    ck_assert_uint_ge(r->upcalls, EVENTS / 1024);
    free(r);
}
END_TEST

Suite *evtchn_2l_suite(void);
Suite *evtchn_2l_suite(void)
{
    Suite *s = suite_create("evtchn_2l");
    TCase *tc = tcase_create("2l");
    tcase_add_test(tc, set_pending_all_bit_combinations);
    tcase_add_test(tc, unmask_all_bit_combinations);
    tcase_add_test(tc, masked_event_delivered_on_unmask);
    tcase_add_test(tc, one_upcall_for_many_ports);
    tcase_add_test(tc, registered_vcpu_info_outside_shared_info);
    tcase_add_test(tc, odd_upcall_byte_values);
    tcase_add_test(tc, no_event_stranded_under_a_racing_guest);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
