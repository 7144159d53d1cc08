/*
 * Host benchmark of the slot rings: a frontend thread and a backend thread
 * exchange requests and responses through one 4 KiB ring page, each
 * sleeping when idle and woken by an emulated event channel (a futex; one
 * system call per notification, as a real notification is one hypercall).
 *
 * Reports, all measured in this run:
 *  - memcpy bandwidth on a cache-resident buffer (the reference);
 *  - requests/s and payload bytes/s (request + response bytes) through the
 *    ring at full queue depth, and the ratio of the latter to memcpy;
 *  - notifications per request in each direction at several queue depths
 *    (the front keeps at most `depth` requests outstanding), showing what
 *    the req_event / rsp_event hold-off saves.
 *
 * Timings are wall-clock and vary with the machine and its load; the
 * notification counts depend only on scheduling.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring_adapter.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- emulated event channel ---- */

struct evt {
    uint32_t pending;
    unsigned long sent; /* written by the notifying thread only */
};

static void evt_notify(struct evt *e)
{
    e->sent++;
    __atomic_store_n(&e->pending, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &e->pending, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void evt_wait(struct evt *e)
{
    while (!__atomic_exchange_n(&e->pending, 0, __ATOMIC_ACQ_REL))
        syscall(SYS_futex, &e->pending, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

/* ---- one run: `total` requests at queue depth `depth` ---- */

struct run {
    const struct ra_proto *p;
    uint8_t *page;
    ra_front f;
    ra_back b;
    struct evt to_back, to_front;
    uint32_t total, depth;
    int failed;
};

static void *back_main(void *arg)
{
    struct run *r = arg;
    uint8_t m[128];
    uint32_t seen = 0;

    while (seen < r->total) {
        int t;
        while ((t = ra_back_take(&r->b, m, r->p->req_size)) == 1) {
            seen++;
            ra_back_put(&r->b, m, r->p->rsp_size);
        }
        if (ra_back_push(&r->b))
            evt_notify(&r->to_front);
        if (t < 0) {
            r->failed = 1;
            break;
        }
        if (seen < r->total && ra_back_final_check(&r->b) == 0)
            evt_wait(&r->to_back);
    }
    return NULL;
}

static void *front_main(void *arg)
{
    struct run *r = arg;
    uint8_t m[128];
    uint32_t sent = 0, got = 0;

    memset(m, 0x42, sizeof(m));
    while (got < r->total) {
        bool queued = false;
        while (sent < r->total && sent - got < r->depth && ra_front_free(&r->f) > 0) {
            memcpy(m, &sent, sizeof(sent));
            ra_front_put(&r->f, m, r->p->req_size);
            sent++;
            queued = true;
        }
        if (queued && ra_front_push(&r->f))
            evt_notify(&r->to_back);
        int t;
        while ((t = ra_front_take(&r->f, m, r->p->rsp_size)) == 1)
            got++;
        if (t < 0) {
            r->failed = 1;
            break;
        }
        if (got == r->total || (sent < r->total && sent - got < r->depth))
            continue;
        if (ra_front_final_check(&r->f) == 0)
            evt_wait(&r->to_front);
    }
    return NULL;
}

struct result {
    double seconds;
    double notify_fb, notify_bf; /* per request */
};

static struct result run_once(unsigned proto, uint32_t total, uint32_t depth)
{
    struct run r;
    struct result res;
    pthread_t tf, tb;

    memset(&r, 0, sizeof(r));
    r.p = ra_proto(proto);
    r.total = total;
    r.depth = depth;
    r.page = aligned_alloc(RING_PAGE_SIZE, RING_PAGE_SIZE);
    if (!r.page)
        abort();
    memset(r.page, 0, RING_PAGE_SIZE);
    ra_shared_init(r.page, 0);
    ra_front_attach(&r.f, r.page, RING_PAGE_SIZE, r.p->slot_size, 0);
    ra_back_attach(&r.b, r.page, RING_PAGE_SIZE, r.p->slot_size, 0);
    double t0 = now();
    pthread_create(&tb, NULL, back_main, &r);
    pthread_create(&tf, NULL, front_main, &r);
    pthread_join(tf, NULL);
    /* A front that failed leaves the back asleep: wake it to let it see. */
    if (r.failed)
        evt_notify(&r.to_back);
    pthread_join(tb, NULL);
    res.seconds = now() - t0;
    if (r.failed) {
        fprintf(stderr, "ring bench: peer reported broken\n");
        exit(1);
    }
    res.notify_fb = (double)r.to_back.sent / total;
    res.notify_bf = (double)r.to_front.sent / total;
    free(r.page);
    return res;
}

/* memcpy bandwidth on a buffer that fits in the cache, in bytes/s. */
static double memcpy_bandwidth(void)
{
    enum { BUF = 256 * 1024 };
    uint8_t *a = malloc(BUF), *b = malloc(BUF);
    if (!a || !b)
        abort();
    memset(a, 1, BUF);
    memset(b, 2, BUF);
    double best = 0;
    for (int trial = 0; trial < 5; trial++) {
        unsigned long rounds = 0;
        double t0 = now(), t;
        do {
            for (int k = 0; k < 64; k++, rounds++) {
                memcpy(rounds & 1 ? a : b, rounds & 1 ? b : a, BUF);
                __asm__ __volatile__("" ::: "memory");
            }
            t = now() - t0;
        } while (t < 0.1);
        double bw = (double)rounds * BUF / t;
        best = bw > best ? bw : best;
    }
    free(a);
    free(b);
    return best;
}

int main(void)
{
    static const struct { unsigned proto; uint32_t total; } tput[] = {
        { RA_BLKIF, 4000000 }, { RA_NETIF_TX, 8000000 }, { RA_NETIF_RX, 8000000 },
    };
    static const uint32_t depths[] = { 1, 4, 16, 32, 256 };

    printf("ring bench: 2 threads on one 4 KiB ring page, futex event channel\n");
    double mbw = memcpy_bandwidth();
    printf("  memcpy bandwidth (256 KiB, cache-resident): %.2f GB/s\n", mbw / 1e9);
    printf("  throughput at full queue depth:\n");
    for (size_t i = 0; i < sizeof(tput) / sizeof(tput[0]); i++) {
        const struct ra_proto *p = ra_proto(tput[i].proto);
        uint32_t slots = ra_slots_for(RING_PAGE_SIZE, p->slot_size);
        struct result r = run_once(tput[i].proto, tput[i].total, slots);
        double rps = tput[i].total / r.seconds;
        double bps = rps * (double)(p->req_size + p->rsp_size);
        printf("    %-9s %3zu+%-3zu B: %6.2f M req/s  %7.1f MB/s  = %.4f x memcpy"
               "  (notify/req %.3f fb, %.3f bf)\n",
               p->name, p->req_size, p->rsp_size, rps / 1e6, bps / 1e6, bps / mbw, r.notify_fb,
               r.notify_bf);
    }
    printf("  notifications per request by queue depth (blkif 32 slots, netif_tx 256):\n");
    for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
        for (unsigned proto = RA_BLKIF; proto <= RA_NETIF_TX; proto++) {
            const struct ra_proto *p = ra_proto(proto);
            uint32_t depth = depths[d];
            if (depth > ra_slots_for(RING_PAGE_SIZE, p->slot_size))
                continue;
            struct result r = run_once(proto, depth <= 4 ? 200000 : 1000000, depth);
            double rps = (depth <= 4 ? 200000 : 1000000) / r.seconds;
            printf("    depth %3u %-9s front->back %.3f  back->front %.3f  (%.2f M req/s)\n", depth,
                   p->name, r.notify_fb, r.notify_bf, rps / 1e6);
        }
    }
    return 0;
}
