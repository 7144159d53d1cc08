/*
 * ustar: a read-only view of a POSIX ustar archive held in memory (dom0's
 * ramdisk, built by tools/mkramdisk.py).
 *
 * The archive is hostile input. Every header is checked before anything in
 * it is believed: the checksum, the "ustar" magic, octal fields made of
 * octal digits only, the member's data lying inside the archive, and a
 * path that is relative after normalisation (leading "/" and "./" dropped),
 * has no "..", "." or empty component, and fits USTAR_PATH_MAX. A bad
 * header fails the whole walk with -USTAR_EINVAL: nothing after it is
 * trusted. The archive ends at a zero block or exactly at the end of the
 * buffer. Loops are bounded by the buffer size (each member takes at least
 * one 512-byte block).
 *
 * Only regular files ('0' or NUL type) and directories ('5') are reported;
 * other members (links, devices, pax headers) are skipped after their
 * header passed the checks. Entries point into the caller's buffer, which
 * must stay unchanged while they are used.
 *
 * Portable core code: built into the guest kernel and into the host tests.
 */
#ifndef PVG_GUEST_USTAR_H
#define PVG_GUEST_USTAR_H

#include "core/env.h"

#define USTAR_BLOCK     512
#define USTAR_PATH_MAX  256         /* prefix "/" name, NUL included */
#define USTAR_ENOENT    2
#define USTAR_EINVAL    22

enum ustar_type { USTAR_FILE, USTAR_DIR };

struct ustar_entry {
    char path[USTAR_PATH_MAX];      /* normalised, no leading or trailing "/" */
    enum ustar_type type;
    const uint8_t *data;            /* inside the archive */
    uint64_t size;                  /* 0 for directories */
};

struct ustar_iter {
    const uint8_t *base;
    uint64_t size;
    uint64_t off;                   /* next header */
    bool done;
};

void ustar_iter_init(struct ustar_iter *it, const void *data, uint64_t size);
/* 1 and *e filled, 0 at the end of the archive, or -USTAR_EINVAL. */
int ustar_next(struct ustar_iter *it, struct ustar_entry *e);

/* Walk the whole archive: 0 if every header is sound, else -USTAR_EINVAL. */
int ustar_check(const void *data, uint64_t size);

/*
 * The regular file at `path` ("/boot/x" and "boot/x" name the same member;
 * a later member of the same path replaces an earlier one, as tar does).
 * 0, -USTAR_ENOENT, or -USTAR_EINVAL for a bad archive or path.
 */
int ustar_find(const void *data, uint64_t size, const char *path, struct ustar_entry *e);

/*
 * True if e is a regular file directly inside directory `dir` (normalised
 * form, e.g. "etc/xen/auto") whose name ends with `suffix`.
 */
bool ustar_in_dir(const struct ustar_entry *e, const char *dir, const char *suffix);

/* Normalise a path as member names are: 0 or -USTAR_EINVAL. */
int ustar_normalise(const char *in, size_t in_len, char out[USTAR_PATH_MAX]);

#endif /* PVG_GUEST_USTAR_H */
