/*
 * ustar archive reader. The rules (what a sound header is, which members
 * are reported) are in guest/ustar.h. Invariant of the iterator: `off` is a
 * multiple of USTAR_BLOCK and never beyond `size`; once a walk ended (end
 * marker or error) it stays ended.
 */
#include "guest/ustar.h"

/* Header field offsets and sizes (POSIX.1-1988 ustar). */
#define H_NAME      0
#define H_NAME_LEN  100
#define H_SIZE      124
#define H_SIZE_LEN  12
#define H_CHKSUM    148
#define H_CHKSUM_LEN 8
#define H_TYPE      156
#define H_MAGIC     257
#define H_PREFIX    345
#define H_PREFIX_LEN 155

void ustar_iter_init(struct ustar_iter *it, const void *data, uint64_t size)
{
    it->base = data;
    it->size = size;
    it->off = 0;
    it->done = false;
}

/*
 * An octal field: optional leading spaces, at least one octal digit, then
 * only NULs and spaces. Base-256 (GNU) values are refused.
 */
static int parse_octal(const uint8_t *f, size_t len, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    unsigned digits = 0;

    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
        if (v > (UINT64_MAX >> 3))
            return -USTAR_EINVAL;
        v = (v << 3) | (uint64_t)(f[i] - '0');
    }
    if (digits == 0)
        return -USTAR_EINVAL;
    for (; i < len; i++)
        if (f[i] != '\0' && f[i] != ' ')
            return -USTAR_EINVAL;
    *out = v;
    return 0;
}

static bool is_zero_block(const uint8_t *b)
{
    for (unsigned i = 0; i < USTAR_BLOCK; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static bool checksum_ok(const uint8_t *h)
{
    uint64_t want, sum = 0;

    if (parse_octal(h + H_CHKSUM, H_CHKSUM_LEN, &want) < 0)
        return false;
    for (unsigned i = 0; i < USTAR_BLOCK; i++)
        sum += (i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN) ? (uint8_t)' ' : h[i];
    return sum == want;
}

static bool magic_ok(const uint8_t *h)
{
    /* POSIX "ustar\0" "00", or GNU "ustar " " \0". */
    return memcmp(h + H_MAGIC, "ustar\0" "00", 8) == 0 ||
           memcmp(h + H_MAGIC, "ustar  \0", 8) == 0;
}

int ustar_normalise(const char *in, size_t in_len, char out[USTAR_PATH_MAX])
{
    size_t i = 0, n = 0;

    /* Leading "/" and "./" are dropped, any number of them. */
    for (;;) {
        if (i < in_len && in[i] == '/')
            i++;
        else if (i + 1 < in_len && in[i] == '.' && in[i + 1] == '/')
            i += 2;
        else
            break;
    }
    if (i + 1 == in_len && in[i] == '.')
        i++;                                    /* "." or "./." alone */
    while (in_len > i && in[in_len - 1] == '/')
        in_len--;                               /* directories end in "/" */
    while (i < in_len) {
        size_t start = i;
        while (i < in_len && in[i] != '/') {
            if (in[i] == '\0')
                return -USTAR_EINVAL;
            i++;
        }
        size_t clen = i - start;
        if (clen == 0 || (clen == 1 && in[start] == '.') ||
            (clen == 2 && in[start] == '.' && in[start + 1] == '.'))
            return -USTAR_EINVAL;
        if (n + (n != 0) + clen >= USTAR_PATH_MAX)
            return -USTAR_EINVAL;
        if (n != 0)
            out[n++] = '/';
        memcpy(out + n, in + start, clen);
        n += clen;
        if (i < in_len)
            i++;                                /* the '/' */
    }
    out[n] = '\0';
    return 0;
}

/* The member path from prefix and name, normalised. */
static int header_path(const uint8_t *h, char out[USTAR_PATH_MAX])
{
    char raw[H_PREFIX_LEN + 1 + H_NAME_LEN];
    size_t plen = strnlen((const char *)h + H_PREFIX, H_PREFIX_LEN);
    size_t nlen = strnlen((const char *)h + H_NAME, H_NAME_LEN);
    size_t n = 0;

    if (nlen == 0)
        return -USTAR_EINVAL;
    if (plen != 0) {
        memcpy(raw, h + H_PREFIX, plen);
        n = plen;
        raw[n++] = '/';
    }
    memcpy(raw + n, h + H_NAME, nlen);
    n += nlen;
    return ustar_normalise(raw, n, out);
}

static int fail(struct ustar_iter *it)
{
    it->done = true;
    return -USTAR_EINVAL;
}

int ustar_next(struct ustar_iter *it, struct ustar_entry *e)
{
    while (!it->done) {
        uint64_t left = it->size - it->off, size, blocks;

        if (left == 0) {
            it->done = true;
            return 0;                           /* no end marker: tolerated */
        }
        if (left < USTAR_BLOCK)
            return fail(it);                    /* a torn header */
        const uint8_t *h = it->base + it->off;
        if (is_zero_block(h)) {
            it->done = true;
            return 0;
        }
        if (!checksum_ok(h) || !magic_ok(h) || parse_octal(h + H_SIZE, H_SIZE_LEN, &size) < 0)
            return fail(it);
        blocks = size / USTAR_BLOCK + (size % USTAR_BLOCK != 0);
        if (blocks > (left - USTAR_BLOCK) / USTAR_BLOCK)
            return fail(it);                    /* data beyond the archive */
        if (header_path(h, e->path) < 0)
            return fail(it);
        it->off += USTAR_BLOCK + blocks * USTAR_BLOCK;

        uint8_t type = h[H_TYPE];
        if (type == '0' || type == '\0') {
            if (e->path[0] == '\0')
                return fail(it);
            e->type = USTAR_FILE;
            e->data = h + USTAR_BLOCK;
            e->size = size;
            return 1;
        }
        if (type == '5' && e->path[0] != '\0') {
            e->type = USTAR_DIR;
            e->data = h + USTAR_BLOCK;
            e->size = 0;
            return 1;
        }
        /* links, devices, FIFOs, pax and GNU headers: skipped */
    }
    return 0;
}

int ustar_check(const void *data, uint64_t size)
{
    struct ustar_iter it;
    struct ustar_entry e;
    int rc;

    ustar_iter_init(&it, data, size);
    while ((rc = ustar_next(&it, &e)) > 0)
        ;
    return rc;
}

int ustar_find(const void *data, uint64_t size, const char *path, struct ustar_entry *e)
{
    char want[USTAR_PATH_MAX];
    struct ustar_iter it;
    struct ustar_entry cur;
    bool found = false;
    int rc;

    if (ustar_normalise(path, strnlen(path, USTAR_PATH_MAX), want) < 0 || want[0] == '\0')
        return -USTAR_EINVAL;
    ustar_iter_init(&it, data, size);
    while ((rc = ustar_next(&it, &cur)) > 0) {
        if (cur.type == USTAR_FILE && strcmp(cur.path, want) == 0) {
            *e = cur;
            found = true;
        }
    }
    if (rc < 0)
        return rc;
    return found ? 0 : -USTAR_ENOENT;
}

bool ustar_in_dir(const struct ustar_entry *e, const char *dir, const char *suffix)
{
    size_t dlen = strlen(dir), plen = strlen(e->path), slen = strlen(suffix);

    if (e->type != USTAR_FILE || plen <= dlen + 1 || strncmp(e->path, dir, dlen) != 0 ||
        e->path[dlen] != '/')
        return false;
    const char *name = e->path + dlen + 1;
    size_t nlen = plen - dlen - 1;
    for (size_t i = 0; i < nlen; i++)
        if (name[i] == '/')
            return false;
    return nlen > slen && memcmp(name + nlen - slen, suffix, slen) == 0;
}
