/*
 * xl.cfg subset parser (syntax and keys in guest/xlcfg.h).
 *
 * One pass over the bytes with a cursor that never passes `len`; each line
 * is decoded completely (key, value, end of line) before it changes *cfg,
 * and any error zeroes *cfg, so a caller never sees half a config.
 */
#include "guest/xlcfg.h"

enum vkind { V_STRING, V_INT, V_LIST };

struct value {
    enum vkind kind;
    char str[XLCFG_EXTRA_MAX];
    size_t str_len;
    uint64_t num;
};

struct cursor {
    const char *p;
    size_t len, pos;
    unsigned line;
    const char *msg;
};

static bool at_end(const struct cursor *c)
{
    return c->pos >= c->len;
}

static char peek(const struct cursor *c)
{
    return at_end(c) ? '\n' : c->p[c->pos];
}

static void skip_blanks(struct cursor *c)
{
    while (!at_end(c) && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t' || c->p[c->pos] == '\r'))
        c->pos++;
}

static bool is_key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static int error(struct cursor *c, const char *msg)
{
    c->msg = msg;
    return -XLCFG_EINVAL;
}

static int parse_string(struct cursor *c, struct value *v)
{
    char quote = c->p[c->pos++];

    v->kind = V_STRING;
    v->str_len = 0;
    for (;;) {
        if (at_end(c) || c->p[c->pos] == '\n')
            return error(c, "unterminated string");
        char ch = c->p[c->pos++];
        if (ch == quote)
            break;
        if (ch == '\0')
            return error(c, "NUL byte in a string");
        if (ch == '\\') {
            if (at_end(c))
                return error(c, "unterminated string");
            char esc = c->p[c->pos++];
            switch (esc) {
            case '\\': case '"': case '\'': ch = esc; break;
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            default: return error(c, "unknown escape in a string");
            }
        }
        if (v->str_len + 1 >= sizeof(v->str))
            return error(c, "string too long");
        v->str[v->str_len++] = ch;
    }
    v->str[v->str_len] = '\0';
    return 0;
}

static int parse_int(struct cursor *c, struct value *v)
{
    v->kind = V_INT;
    v->num = 0;
    while (!at_end(c) && c->p[c->pos] >= '0' && c->p[c->pos] <= '9') {
        uint64_t d = (uint64_t)(c->p[c->pos++] - '0');
        if (v->num > (UINT64_MAX - d) / 10)
            return error(c, "number too large");
        v->num = v->num * 10 + d;
    }
    if (is_key_char(peek(c)))
        return error(c, "not a number");
    return 0;
}

static int parse_scalar(struct cursor *c, struct value *v)
{
    char ch = peek(c);
    if (ch == '"' || ch == '\'')
        return parse_string(c, v);
    if (ch >= '0' && ch <= '9')
        return parse_int(c, v);
    return error(c, "expected a string, a number or a list");
}

/* [ scalar, scalar, ... ] on one line, an optional trailing comma. */
static int parse_list(struct cursor *c, struct value *v)
{
    c->pos++;                                   /* '[' */
    for (;;) {
        skip_blanks(c);
        if (peek(c) == ']')
            break;
        int rc = parse_scalar(c, v);
        if (rc < 0)
            return rc;
        skip_blanks(c);
        if (peek(c) == ',')
            c->pos++;
        else if (peek(c) != ']')
            return error(c, "expected ',' or ']' in a list");
    }
    c->pos++;                                   /* ']' */
    v->kind = V_LIST;
    return 0;
}

static const char *const action_names[] = {
    [XLCFG_DESTROY] = "destroy",
    [XLCFG_RESTART] = "restart",
    [XLCFG_PRESERVE] = "preserve",
    [XLCFG_RENAME_RESTART] = "rename-restart",
    [XLCFG_COREDUMP_DESTROY] = "coredump-destroy",
    [XLCFG_COREDUMP_RESTART] = "coredump-restart",
    [XLCFG_SOFT_RESET] = "soft-reset",
};

const char *xlcfg_action_name(enum xlcfg_action a)
{
    return (unsigned)a < ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

static bool key_is(const char *key, size_t klen, const char *want)
{
    return strlen(want) == klen && memcmp(key, want, klen) == 0;
}

static int copy_string(struct cursor *c, const struct value *v, char *dst, size_t size)
{
    if (v->kind != V_STRING)
        return error(c, "expected a string");
    if (v->str_len >= size)
        return error(c, "string too long");
    memcpy(dst, v->str, v->str_len + 1);
    return 0;
}

/* Bits of `seen`, to refuse a key given twice. */
enum { K_NAME, K_KERNEL, K_RAMDISK, K_MEMORY, K_VCPUS, K_EXTRA, K_ON_POWEROFF, K_ON_REBOOT,
       K_ON_CRASH, K_ON_WATCHDOG, K_WEIGHT, K_CAP };

static int apply(struct cursor *c, const char *key, size_t klen, const struct value *v,
                 struct xlcfg *cfg, unsigned *seen)
{
    static const struct { const char *key; unsigned id; } keys[] = {
        { "name", K_NAME }, { "kernel", K_KERNEL }, { "ramdisk", K_RAMDISK },
        { "memory", K_MEMORY }, { "vcpus", K_VCPUS }, { "extra", K_EXTRA },
        { "cmdline", K_EXTRA }, { "on_poweroff", K_ON_POWEROFF }, { "on_reboot", K_ON_REBOOT },
        { "on_crash", K_ON_CRASH }, { "on_watchdog", K_ON_WATCHDOG },
        { "cpu_weight", K_WEIGHT }, { "cap", K_CAP },
    };
    unsigned id = ~0u;

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (key_is(key, klen, keys[i].key))
            id = keys[i].id;
    if (id == ~0u) {
        cfg->ignored++;
        return 0;
    }
    if (*seen & (1u << id))
        return error(c, "key given twice");
    *seen |= 1u << id;

    switch (id) {
    case K_NAME: {
        int rc = copy_string(c, v, cfg->name, sizeof(cfg->name));
        if (rc < 0)
            return rc;
        if (cfg->name[0] == '\0')
            return error(c, "name is empty");
        for (const char *p = cfg->name; *p; p++)
            if (!is_key_char(*p) && *p != '-' && *p != '.')
                return error(c, "name has a character outside [A-Za-z0-9_.-]");
        return 0;
    }
    case K_KERNEL:
    case K_RAMDISK: {
        char *dst = id == K_KERNEL ? cfg->kernel : cfg->ramdisk;
        int rc = copy_string(c, v, dst, XLCFG_PATH_MAX);
        if (rc == 0 && dst[0] != '/')
            return error(c, "path is not absolute");
        return rc;
    }
    case K_EXTRA:
        return copy_string(c, v, cfg->extra, sizeof(cfg->extra));
    case K_MEMORY:
    case K_VCPUS: {
        uint64_t max = id == K_MEMORY ? XLCFG_MAX_MEMORY_MIB : XLCFG_MAX_VCPUS;
        if (v->kind != V_INT)
            return error(c, "expected a number");
        if (v->num == 0 || v->num > max)
            return error(c, id == K_MEMORY ? "memory out of range" : "vcpus out of range");
        *(id == K_MEMORY ? &cfg->memory_mib : &cfg->vcpus) = (uint32_t)v->num;
        return 0;
    }
    case K_WEIGHT:
    case K_CAP:
        if (v->kind != V_INT)
            return error(c, "expected a number");
        if (id == K_WEIGHT ? (v->num < 1 || v->num > 65535) : v->num > 100)
            return error(c, id == K_WEIGHT ? "cpu_weight out of range (1-65535)"
                                           : "cap out of range (0-100)");
        *(id == K_WEIGHT ? &cfg->weight : &cfg->cap) = (uint32_t)v->num;
        return 0;
    default: {
        enum xlcfg_action *dst = id == K_ON_POWEROFF ? &cfg->on_poweroff
                               : id == K_ON_REBOOT   ? &cfg->on_reboot
                               : id == K_ON_CRASH    ? &cfg->on_crash
                                                     : &cfg->on_watchdog;
        if (v->kind != V_STRING)
            return error(c, "expected a string");
        for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
            if (strcmp(v->str, action_names[i]) == 0) {
                *dst = (enum xlcfg_action)i;
                return 0;
            }
        return error(c, "unknown action");
    }
    }
}

/* One line from c->pos up to and including its '\n'. */
static int parse_line(struct cursor *c, struct value *v, struct xlcfg *cfg, unsigned *seen)
{
    skip_blanks(c);
    char ch = peek(c);
    if (ch != '\n' && ch != '#') {
        size_t kstart = c->pos;
        while (!at_end(c) && is_key_char(c->p[c->pos]))
            c->pos++;
        size_t klen = c->pos - kstart;
        if (klen == 0)
            return error(c, ch == '\0' ? "NUL byte" : "expected a key");
        skip_blanks(c);
        if (peek(c) != '=')
            return error(c, "expected '=' after the key");
        c->pos++;
        skip_blanks(c);
        int rc = peek(c) == '[' ? parse_list(c, v) : parse_scalar(c, v);
        if (rc < 0)
            return rc;
        skip_blanks(c);
        if (peek(c) == ';') {
            c->pos++;
            skip_blanks(c);
        }
        if (peek(c) != '\n' && peek(c) != '#')
            return error(c, "junk after the value");
        rc = apply(c, c->p + kstart, klen, v, cfg, seen);
        if (rc < 0)
            return rc;
    }
    while (!at_end(c) && c->p[c->pos] != '\n') {
        if (c->p[c->pos] == '\0')
            return error(c, "NUL byte");
        c->pos++;
    }
    if (!at_end(c))
        c->pos++;
    return 0;
}

int xlcfg_parse(const char *text, size_t len, struct xlcfg *cfg, struct xlcfg_error *err)
{
    struct value v;
    struct cursor c = { .p = text, .len = len, .line = 0 };
    unsigned seen = 0;
    int rc = 0;

    memset(cfg, 0, sizeof(*cfg));
    cfg->memory_mib = XLCFG_DEFAULT_MEMORY_MIB;
    cfg->vcpus = 1;
    cfg->weight = 256;
    cfg->on_poweroff = XLCFG_DESTROY;
    cfg->on_reboot = XLCFG_RESTART;
    cfg->on_crash = XLCFG_DESTROY;
    cfg->on_watchdog = XLCFG_DESTROY;
    while (!at_end(&c) && rc == 0) {
        c.line++;
        rc = parse_line(&c, &v, cfg, &seen);
    }
    if (rc == 0 && !(seen & (1u << K_NAME))) {
        c.line = 0;
        rc = error(&c, "no name");
    } else if (rc == 0 && !(seen & (1u << K_KERNEL))) {
        c.line = 0;
        rc = error(&c, "no kernel");
    }
    if (rc < 0) {
        memset(cfg, 0, sizeof(*cfg));
        err->line = c.line;
        err->msg = c.msg;
        return rc;
    }
    err->line = 0;
    err->msg = NULL;
    return 0;
}
