/*
 * xlcfg: the subset of xl.cfg(5) that dom0 understands, parsed from a
 * config file's bytes (not NUL-terminated; the file is hostile input).
 *
 * Syntax: one `key = value` per line, optionally ended by ';'; `#` starts a
 * comment outside strings; blank lines are ignored. A value is a string in
 * double or single quotes (escapes \\ \" \' \n \t; no raw newline), a
 * decimal integer, or a list `[ value, ... ]` on one line (accepted and
 * ignored: no key of the subset takes one). Keys are [A-Za-z0-9_]+.
 *
 * Keys of the subset, each at most once:
 *   name = "..."      required; 1..63 of [A-Za-z0-9_.-]
 *   kernel = "/..."   required; an absolute path
 *   ramdisk = "/..."  optional
 *   memory = N        MiB, 1..XLCFG_MAX_MEMORY_MIB (default 32)
 *   vcpus = N         1..XLCFG_MAX_VCPUS (default 1)
 *   extra = "..."     the kernel command line (alias: cmdline)
 *   on_poweroff / on_reboot / on_crash / on_watchdog = "destroy" |
 *       "restart" | "preserve" | "rename-restart" | "coredump-destroy" |
 *       "coredump-restart" | "soft-reset"
 * Other keys are accepted if well-formed and counted in `ignored`.
 *
 * On error the result is -XLCFG_EINVAL, *cfg is left zeroed, and err has
 * the 1-based line and a static message; callers print
 * "<file>:<line>: <message>".
 *
 * Portable core code: built into the guest kernel and into the host tests.
 */
#ifndef PVG_GUEST_XLCFG_H
#define PVG_GUEST_XLCFG_H

#include "core/env.h"

#define XLCFG_EINVAL 22
#define XLCFG_NAME_MAX 64
#define XLCFG_PATH_MAX 256
#define XLCFG_EXTRA_MAX 1024            /* MAX_GUEST_CMDLINE */
#define XLCFG_MAX_MEMORY_MIB (1u << 20)
#define XLCFG_MAX_VCPUS 32
#define XLCFG_DEFAULT_MEMORY_MIB 32

enum xlcfg_action {
    XLCFG_DESTROY,
    XLCFG_RESTART,
    XLCFG_PRESERVE,
    XLCFG_RENAME_RESTART,
    XLCFG_COREDUMP_DESTROY,
    XLCFG_COREDUMP_RESTART,
    XLCFG_SOFT_RESET,
};

struct xlcfg {
    char name[XLCFG_NAME_MAX];
    char kernel[XLCFG_PATH_MAX];
    char ramdisk[XLCFG_PATH_MAX];       /* "" if none */
    char extra[XLCFG_EXTRA_MAX];
    uint32_t memory_mib;
    uint32_t vcpus;
    uint32_t weight;                    /* cpu_weight, 1..65535, default 256 */
    uint32_t cap;                       /* cap, percent of one CPU, 0 = none */
    enum xlcfg_action on_poweroff, on_reboot, on_crash, on_watchdog;
    unsigned ignored;                   /* well-formed keys outside the subset */
};

struct xlcfg_error {
    unsigned line;                      /* 1-based; 0: the file as a whole */
    const char *msg;
};

int xlcfg_parse(const char *text, size_t len, struct xlcfg *cfg, struct xlcfg_error *err);

/* "destroy", "restart", ... */
const char *xlcfg_action_name(enum xlcfg_action a);

#endif /* PVG_GUEST_XLCFG_H */
