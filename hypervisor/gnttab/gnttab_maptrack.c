/*
 * A mapping domain's maptrack: grant handles. A handle is an index into the
 * caller's array of struct gnttab_mapping; an entry is live iff it is below
 * `used` and its `table` is set.
 *
 * Allocation is O(1) and needs no initialised array: entries [used, nr)
 * were never handed out and are taken first (used++); after that, freed
 * entries come back from a FIFO list (free_head .. free_tail, linked by
 * `next`), so a freed handle is reused as late as possible and a stale
 * handle is far more likely to find a free entry (GNTST_bad_handle) than
 * somebody else's mapping. nr_live counts live entries: used - nr_live
 * entries are on the free list.
 *
 * Teardown (gnttab_maptrack_release) closes the maptrack, so `used` stops
 * growing, and walks [cursor, used) with a budget: a domain that dies with
 * any number of mappings is released in bounded steps [XSA-380].
 */
#include "gnttab_priv.h"

void gnttab_maptrack_init(struct gnttab_maptrack *mt, domid_t owner,
                          struct gnttab_mapping *map, uint32_t nr)
{
    BUG_ON(nr > GNTTAB_MAPTRACK_MAX || (nr != 0 && map == NULL));
    memset(mt, 0, sizeof(*mt));
    mt->map = map;
    mt->nr = nr;
    mt->free_head = mt->free_tail = GNTTAB_MT_NONE;
    mt->owner = owner;
}

uint32_t gnttab_maptrack_live(const struct gnttab_maptrack *mt)
{
    return mt->nr_live;
}

bool gnttab_maptrack_room(const struct gnttab_maptrack *mt)
{
    return mt->used < mt->nr || mt->free_head != GNTTAB_MT_NONE;
}

grant_handle_t gnttab_maptrack_alloc(struct gnttab_maptrack *mt)
{
    grant_handle_t h;

    if (mt->used < mt->nr) {
        h = mt->used++;
    } else {
        BUG_ON(mt->free_head == GNTTAB_MT_NONE);
        h = mt->free_head;
        mt->free_head = mt->map[h].next;
        if (mt->free_head == GNTTAB_MT_NONE)
            mt->free_tail = GNTTAB_MT_NONE;
    }
    memset(&mt->map[h], 0, sizeof(mt->map[h]));
    mt->map[h].next = GNTTAB_MT_NONE;
    mt->nr_live++;
    return h;
}

void gnttab_maptrack_free(struct gnttab_maptrack *mt, grant_handle_t handle)
{
    struct gnttab_mapping *m = &mt->map[handle];

    BUG_ON(gnttab_maptrack_get(mt, handle) == NULL || mt->nr_live == 0);
    m->table = NULL;
    m->flags = 0;
    m->next = GNTTAB_MT_NONE;
    if (mt->free_tail == GNTTAB_MT_NONE)
        mt->free_head = handle;
    else
        mt->map[mt->free_tail].next = handle;
    mt->free_tail = handle;
    mt->nr_live--;
}

const struct gnttab_mapping *gnttab_maptrack_get(const struct gnttab_maptrack *mt,
                                                 grant_handle_t handle)
{
    if (handle >= mt->used || mt->map[handle].table == NULL)
        return NULL;
    return &mt->map[handle];
}

int gnttab_maptrack_release(struct gnttab_maptrack *mt, uint32_t *cursor,
                            uint32_t budget, gnttab_put_fn put, void *ctx)
{
    BUG_ON(budget == 0);
    mt->closed = true;
    while (*cursor < mt->used) {
        if (budget == 0)
            return -XEN_ERESTART;
        budget--;

        grant_handle_t h = (*cursor)++;
        if (gnttab_maptrack_get(mt, h) == NULL)
            continue;

        struct gnttab_mapping copy = mt->map[h];
        gnttab_unmap_commit(mt, h);
        if (put != NULL)
            put(ctx, &copy);
    }
    return 0;
}
