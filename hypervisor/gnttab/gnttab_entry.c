/*
 * The granter's shared grant entries: the only code that reads or writes
 * them. They are guest memory, rewritten by the granter whenever it likes,
 * so:
 *   - the {flags, domid} half is read as one 32-bit word, once per attempt,
 *     and GTF_reading / GTF_writing are set with a compare-exchange of that
 *     word against the value just checked: if the granter changed anything
 *     in between (revoked, regranted to someone else, made it read-only),
 *     the exchange fails and the new value is checked from scratch;
 *   - attempts are bounded (GNTTAB_ENTRY_ATTEMPTS): a granter can rewrite
 *     the word faster than we can, and must not make us spin;
 *   - the frame is read once, after the exchange (a full barrier) made the
 *     entry ours: the granter wrote it before its flags, and may not change
 *     it while GTF_reading is set (if it does, it only fools itself: the
 *     glue checks that the frame we return belongs to the granter);
 *   - the bits are cleared with an atomic AND of exactly those bits, so a
 *     concurrent granter write to the other bits is never lost.
 */
#include "gnttab_priv.h"

#define GNTTAB_WORD_FLAGS(w) ((uint16_t)((w) & 0xFFFFu))
#define GNTTAB_WORD_DOMID(w) ((domid_t)((w) >> 16))

static uint32_t *gnttab_entry_word(struct grant_entry_v1 *e)
{
    return (uint32_t *)(void *)&e->flags;
}

int gnttab_entry_acquire(struct grant_entry_v1 *e, domid_t grantee, bool first,
                         bool write)
{
    uint32_t *word = gnttab_entry_word(e);
    uint32_t set = GTF_reading | (write ? GTF_writing : 0);
    uint32_t seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);

    for (unsigned attempt = 1;; attempt++) {
        uint16_t flags = GNTTAB_WORD_FLAGS(seen);

        if (first && ((flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access ||
                      GNTTAB_WORD_DOMID(seen) != grantee))
            return GNTST_permission_denied;
        if (write && (flags & GTF_readonly))
            return GNTST_permission_denied;

        uint32_t old = gnttab_arch_cmpxchg(word, seen, seen | set);
        if (old == seen)
            return GNTST_okay;
        if (attempt == GNTTAB_ENTRY_ATTEMPTS)
            return GNTST_general_error;
        seen = old;
    }
}

void gnttab_entry_clear(struct grant_entry_v1 *e, uint16_t bits)
{
    ASSERT((bits & ~(GTF_reading | GTF_writing)) == 0);
    __atomic_fetch_and(gnttab_entry_word(e), ~(uint32_t)bits, __ATOMIC_SEQ_CST);
}

uint32_t gnttab_entry_frame(const struct grant_entry_v1 *e)
{
    return __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
}

void gnttab_entry_offer(struct grant_entry_v1 *e, domid_t grantee, uint32_t frame,
                        uint16_t flags)
{
    __atomic_store_n(&e->domid, grantee, __ATOMIC_RELAXED);
    __atomic_store_n(&e->frame, frame, __ATOMIC_RELAXED);
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}
