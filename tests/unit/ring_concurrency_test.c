/*
 * Ring conformance, property group "concurrency": a frontend thread and a
 * backend thread move millions of requests and responses through one ring,
 * each sleeping when it has nothing to do and woken only by notifications
 * sent through an emulated event channel (a pending bit, a mutex and a
 * condition variable). Checked: every message arrives once and in order,
 * neither end ever sees a broken peer, and no wake-up is lost.
 *
 * A lost wake-up shows up as a sleeper whose wait times out while the ring
 * holds work for it, and stays that way for a second timeout (a late
 * notification is not a lost one). The test then counts it and carries on
 * rather than hanging.
 *
 * The same file is built a second time under ThreadSanitizer (make
 * test-rings-tsan, RING_STRESS_TSAN defined), where it also proves the ring
 * code free of data races with the orderings it documents.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring_adapter.h"

#define STRESS_REQUESTS 2000000u
#ifdef RING_STRESS_TSAN
#define STRESS_BYTES (8u << 20) /* TSan makes the byte copies slow */
#else
#define STRESS_BYTES (32u << 20)
#endif
#define WAIT_MS 2000

/* An event channel between two threads: notify sets pending, wait clears it. */
struct evtchn_sim {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool pending;
    unsigned long notifications;
};

static void evt_init(struct evtchn_sim *e)
{
    pthread_mutex_init(&e->lock, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&e->cond, &a);
    pthread_condattr_destroy(&a);
    e->pending = false;
    e->notifications = 0;
}

static void evt_destroy(struct evtchn_sim *e)
{
    pthread_cond_destroy(&e->cond);
    pthread_mutex_destroy(&e->lock);
}

static void evt_notify(struct evtchn_sim *e)
{
    pthread_mutex_lock(&e->lock);
    e->pending = true;
    e->notifications++;
    pthread_cond_signal(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

/* Sleep until notified; false if nothing came within WAIT_MS. */
static bool evt_wait(struct evtchn_sim *e)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += WAIT_MS / 1000;
    t.tv_nsec += (long)(WAIT_MS % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->lock);
    int rc = 0;
    while (!e->pending && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&e->cond, &e->lock, &t);
    bool got = e->pending;
    e->pending = false;
    pthread_mutex_unlock(&e->lock);
    return got;
}

struct stress {
    const struct ra_proto *p;
    uint8_t *page;
    ra_front f;
    ra_back b;
    struct evtchn_sim to_back, to_front;
    uint32_t total;
    /* results, each written by one thread and read after join */
    uint32_t back_seen, front_seen;
    bool back_misordered, front_misordered;
    int back_error, front_error;
    unsigned long back_lost, front_lost;
};

/* Sleep on e; count a lost wake-up if work stays pending with no notification. */
static void sleep_for_work(struct evtchn_sim *e, int (*work)(struct stress *), struct stress *s,
                           unsigned long *lost)
{
    if (evt_wait(e) || work(s) <= 0)
        return;
    if (evt_wait(e) || work(s) <= 0)
        return;
    (*lost)++;
}

static int back_work(struct stress *s) { return ra_back_unconsumed(&s->b); }
static int front_work(struct stress *s) { return ra_front_unconsumed(&s->f); }

static void *back_thread(void *arg)
{
    struct stress *s = arg;
    uint8_t m[128];
    uint32_t seq;

    while (s->back_seen < s->total) {
        int r;
        while ((r = ra_back_take(&s->b, m, s->p->req_size)) == 1) {
            memcpy(&seq, m, sizeof(seq));
            s->back_misordered |= seq != s->back_seen;
            s->back_seen++;
            if (ra_back_put(&s->b, m, s->p->rsp_size) != 0)
                s->back_error = 1;
        }
        if (r < 0 || s->back_error) {
            s->back_error = 1;
            break;
        }
        if (ra_back_push(&s->b))
            evt_notify(&s->to_front);
        if (s->back_seen == s->total)
            break;
        r = ra_back_final_check(&s->b);
        if (r < 0) {
            s->back_error = 1;
            break;
        }
        if (r == 0)
            sleep_for_work(&s->to_back, back_work, s, &s->back_lost);
    }
    return NULL;
}

static void *front_thread(void *arg)
{
    struct stress *s = arg;
    uint8_t m[128];
    uint32_t sent = 0, seq;

    memset(m, 0x3c, sizeof(m));
    while (s->front_seen < s->total) {
        bool queued = false;
        while (sent < s->total && ra_front_free(&s->f) > 0) {
            memcpy(m, &sent, sizeof(sent));
            if (ra_front_put(&s->f, m, s->p->req_size) != 0)
                s->front_error = 1;
            sent++;
            queued = true;
        }
        if (queued && ra_front_push(&s->f))
            evt_notify(&s->to_back);
        int r;
        while ((r = ra_front_take(&s->f, m, s->p->rsp_size)) == 1) {
            memcpy(&seq, m, sizeof(seq));
            s->front_misordered |= seq != s->front_seen;
            s->front_seen++;
        }
        if (r < 0 || s->front_error) {
            s->front_error = 1;
            break;
        }
        if (s->front_seen == s->total)
            break;
        if (sent < s->total && ra_front_free(&s->f) > 0)
            continue;
        r = ra_front_final_check(&s->f);
        if (r < 0) {
            s->front_error = 1;
            break;
        }
        if (r == 0)
            sleep_for_work(&s->to_front, front_work, s, &s->front_lost);
    }
    return NULL;
}

START_TEST(test_two_threads_deliver_every_request_in_order_without_lost_wakeups)
{
    static const unsigned protos[] = { RA_BLKIF, RA_NETIF_TX };
    struct stress *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    s->p = ra_proto(protos[_i]);
    s->total = STRESS_REQUESTS;
    s->page = calloc(1, RING_PAGE_SIZE);
    ck_assert_ptr_nonnull(s->page);
    ra_shared_init(s->page, UINT32_MAX - 1000); /* wrap early in the run */
    ra_front_attach(&s->f, s->page, RING_PAGE_SIZE, s->p->slot_size, UINT32_MAX - 1000);
    ra_back_attach(&s->b, s->page, RING_PAGE_SIZE, s->p->slot_size, UINT32_MAX - 1000);
    evt_init(&s->to_back);
    evt_init(&s->to_front);

    pthread_t tb, tf;
    ck_assert_int_eq(pthread_create(&tb, NULL, back_thread, s), 0);
    ck_assert_int_eq(pthread_create(&tf, NULL, front_thread, s), 0);
    pthread_join(tf, NULL);
    pthread_join(tb, NULL);

    ck_assert_int_eq(s->back_error, 0);
    ck_assert_int_eq(s->front_error, 0);
    ck_assert_uint_eq(s->back_seen, s->total);
    ck_assert_uint_eq(s->front_seen, s->total);
    ck_assert(!s->back_misordered);
    ck_assert(!s->front_misordered);
    ck_assert_msg(s->back_lost == 0 && s->front_lost == 0, "lost wake-ups: back %lu, front %lu",
                  s->back_lost, s->front_lost);
    ck_assert(!ra_front_broken(&s->f) && !ra_back_broken(&s->b));
    /* Hold-off works: far fewer notifications than messages. */
    ck_assert_uint_lt(s->to_back.notifications, s->total);
    evt_destroy(&s->to_back);
    evt_destroy(&s->to_front);
    free(s->page);
    free(s);
}
END_TEST

/* ---- byte stream: console out ring, guest thread -> console daemon thread ---- */

struct bytes_stress {
    struct xencons_interface *page;
    ra_byte_pair front, back;
    struct evtchn_sim to_back, to_front;
    uint32_t total;
    uint32_t received;
    bool corrupt, broken;
};

static uint8_t stream_byte(uint32_t i) { return (uint8_t)(i * 7u + (i >> 11)); }

static void *bytes_writer(void *arg)
{
    struct bytes_stress *s = arg;
    uint8_t chunk[300];
    uint32_t sent = 0, len = 1;

    while (sent < s->total) {
        len = len * 37 % 299 + 1;
        uint32_t n = MIN(len, s->total - sent);
        for (uint32_t k = 0; k < n; k++)
            chunk[k] = stream_byte(sent + k);
        int w = ra_bytes_write(&s->front.tx, chunk, n);
        if (w < 0) {
            s->broken = true;
            break;
        }
        sent += (uint32_t)w;
        if (w > 0)
            evt_notify(&s->to_back);
        else
            evt_wait(&s->to_front); /* full: sleep until the reader frees space */
    }
    return NULL;
}

static void *bytes_reader(void *arg)
{
    struct bytes_stress *s = arg;
    uint8_t buf[512];
    uint32_t want = 1;

    while (s->received < s->total) {
        want = want * 53 % 511 + 1;
        int r = ra_bytes_read(&s->back.rx, buf, want);
        if (r < 0) {
            s->broken = true;
            break;
        }
        for (int k = 0; k < r; k++)
            s->corrupt |= buf[k] != stream_byte(s->received + (uint32_t)k);
        s->received += (uint32_t)r;
        if (r > 0)
            evt_notify(&s->to_front);
        else
            evt_wait(&s->to_back);
    }
    return NULL;
}

START_TEST(test_two_threads_stream_console_bytes_intact)
{
    struct bytes_stress *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    s->page = calloc(1, RING_PAGE_SIZE);
    ck_assert_ptr_nonnull(s->page);
    s->page->out_prod = s->page->out_cons = UINT32_MAX - 4000; /* wrap early */
    s->total = STRESS_BYTES;
    ck_assert_int_eq(ra_console_attach(&s->front, s->page, true), 0);
    ck_assert_int_eq(ra_console_attach(&s->back, s->page, false), 0);
    evt_init(&s->to_back);
    evt_init(&s->to_front);

    pthread_t tw, tr;
    ck_assert_int_eq(pthread_create(&tr, NULL, bytes_reader, s), 0);
    ck_assert_int_eq(pthread_create(&tw, NULL, bytes_writer, s), 0);
    pthread_join(tw, NULL);
    pthread_join(tr, NULL);

    ck_assert(!s->broken);
    ck_assert(!s->corrupt);
    ck_assert_uint_eq(s->received, s->total);
    evt_destroy(&s->to_back);
    evt_destroy(&s->to_front);
    free(s->page);
    free(s);
}
END_TEST

Suite *ring_concurrency_suite(void);
Suite *ring_concurrency_suite(void)
{
    Suite *s = suite_create("ring_concurrency");
    TCase *tc = tcase_create("two_threads");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_two_threads_deliver_every_request_in_order_without_lost_wakeups, 0, 2);
    tcase_add_test(tc, test_two_threads_stream_console_bytes_intact);
    suite_add_tcase(s, tc);
    return s;
}
