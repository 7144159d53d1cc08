/*
 * A small world of domains for the event channel tests: up to EW_MAX
 * tables found by domid through a struct evtchn_env, one shared_info per
 * domain (the port_freed hook clears a freed port's pending bit there, as
 * the glue does), and a from-scratch check of every invariant listed in
 * core/evtchn.h.
 */
#ifndef XENIA_TESTS_EVTCHN_WORLD_H
#define XENIA_TESTS_EVTCHN_WORLD_H

#include "core/evtchn.h"

#define EW_MAX 8

struct ew {
    struct evtchn_table *tab[EW_MAX];     /* NULL: slot unused */
    struct shared_info si[EW_MAX];        /* slot i's domain's shared_info */
    struct evtchn_env env;
    unsigned lookups;                     /* env.lookup calls */
    unsigned freed;                       /* env.port_freed calls */
    struct evtchn_table *last_freed_table;
    evtchn_port_t last_freed_port;
};

struct ew *ew_new(void);
void ew_free(struct ew *w);
/* A new table for `domid` (its memory first filled with garbage). */
struct evtchn_table *ew_add(struct ew *w, uint16_t domid, unsigned nr_vcpus);
/* Forget a table (after evtchn_destroy returned 0) and free it. */
void ew_remove(struct ew *w, uint16_t domid);
struct evtchn_table *ew_get(const struct ew *w, uint16_t domid);
struct shared_info *ew_si(struct ew *w, uint16_t domid);
/* NULL if every invariant holds, else a description of the first broken. */
const char *ew_check(const struct ew *w);
/* For check tests: fail with the description. */
#define EW_ASSERT_OK(w)                                                   \
    do {                                                                  \
        const char *ew_err_ = ew_check(w);                                \
        ck_assert_msg(ew_err_ == NULL, "invariant broken: %s", ew_err_);  \
    } while (0)

/* Bitwise copies of every table, to prove an operation changed nothing. */
struct ew_snap {
    struct evtchn_table tab[EW_MAX];
};
void ew_snap_take(const struct ew *w, struct ew_snap *s);
bool ew_snap_same(const struct ew *w, const struct ew_snap *s);

#endif
