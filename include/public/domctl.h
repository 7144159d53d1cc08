/*
 * Xenia's toolstack interface: hypercall 36 (domctl), dom0 only.
 *
 * This is Xenia's own interface, NOT Xen's (Xen keeps its domctl unstable
 * and so is not a compatibility target). It is versioned: every call carries
 * XENIA_DOMCTL_VERSION and a mismatch fails with -EACCES, so a toolstack
 * built against another revision stops with a clear error instead of
 * misreading fields. Unprivileged callers get -EPERM for every command.
 *
 * Building a PV domU from dom0 (the same layout as the dom0 builder, see
 * pv-abi.md "Entry to a new PV domain"):
 *   1. CREATE            -> a new domain id, paused, no memory, one vCPU
 *   2. SET_MAX_MEM       the page limit
 *   3. POPULATE          allocate pages; their machine frames come back in
 *                        the caller's array (index = pseudo-physical frame)
 *   4. dom0 maps those frames with mmu_update(foreigndom = domid), writes
 *      the kernel, p2m, start_info, page tables; pins the L4 with
 *      mmuext_op(MMUEXT_PIN_L4_TABLE, foreigndom = domid)
 *   5. HYPERCALL_PAGE    fill the stubs in one of the domain's frames
 *   6. SET_VCPU_CONTEXT  entry registers and the kernel L4
 *   7. UNPAUSE           the domain runs
 * DESTROY releases everything (preemptible: the call may return after a
 * while with the work continuing transparently).
 */
#ifndef XENIA_PUBLIC_DOMCTL_H
#define XENIA_PUBLIC_DOMCTL_H

#include "xen.h"

#define XENIA_DOMCTL_VERSION 0x58610002u    /* "Xa", revision 2 */

#define XENIA_DOMCTL_CREATE            1
#define XENIA_DOMCTL_DESTROY           2
#define XENIA_DOMCTL_PAUSE             3
#define XENIA_DOMCTL_UNPAUSE           4
#define XENIA_DOMCTL_GET_INFO          5    /* first domain with id >= domain */
#define XENIA_DOMCTL_SET_MAX_MEM       6
#define XENIA_DOMCTL_POPULATE          7
#define XENIA_DOMCTL_HYPERCALL_PAGE    8
#define XENIA_DOMCTL_SET_VCPU_CONTEXT  9
#define XENIA_DOMCTL_SCHED_SET         10
#define XENIA_DOMCTL_SCHED_GET         11
#define XENIA_DOMCTL_READ_CONSOLE      12   /* the hypervisor console ring (xl dmesg) */
#define XENIA_DOMCTL_PHYSINFO          13   /* host facts (xl info) */

/* GET_INFO flags, as `xl list` shows them (r b p s c d). */
#define XENIA_DOMINF_RUNNING   (1u << 0)    /* a vCPU is on a CPU right now */
#define XENIA_DOMINF_BLOCKED   (1u << 1)
#define XENIA_DOMINF_PAUSED    (1u << 2)
#define XENIA_DOMINF_SHUTDOWN  (1u << 3)    /* shutdown_reason is valid */
#define XENIA_DOMINF_CRASHED   (1u << 4)
#define XENIA_DOMINF_DYING     (1u << 5)

struct xenia_domctl_create {
    uint32_t max_vcpus;         /* IN: 1..8 (vCPU 0 starts; the guest ups the others) */
    uint32_t flags;             /* IN: 0 */
};
XENIA_ABI_SIZE(struct xenia_domctl_create, 8);

struct xenia_domctl_info {
    domid_t  domain;            /* OUT: the domain described */
    uint16_t pad0;
    uint32_t flags;             /* OUT: XENIA_DOMINF_* */
    uint32_t shutdown_reason;   /* OUT: SHUTDOWN_* when flags has SHUTDOWN */
    uint32_t nr_vcpus;
    uint64_t nr_pages;
    uint64_t max_pages;
    uint64_t cpu_time_ns;
    uint64_t shared_info_mfn;   /* OUT: machine frame of its shared_info */
    /* OUT: the hypervisor's TSC when CREATE made the domain and when the
       domain first wrote to the console (0: not yet). Under QEMU -icount the
       difference is the instructions retired in between (`make bench`). */
    uint64_t created_tsc;
    uint64_t first_output_tsc;
};
XENIA_ABI_SIZE(struct xenia_domctl_info, 64);
XENIA_ABI_OFFSET(struct xenia_domctl_info, flags, 4);
XENIA_ABI_OFFSET(struct xenia_domctl_info, nr_pages, 16);
XENIA_ABI_OFFSET(struct xenia_domctl_info, shared_info_mfn, 40);

struct xenia_domctl_max_mem {
    uint64_t max_pages;
};
XENIA_ABI_SIZE(struct xenia_domctl_max_mem, 8);

struct xenia_domctl_populate {
    uint64_t nr_pages;          /* IN: pages to add (total stays <= max_pages) */
    uint64_t mfns;              /* IN: guest address of uint64_t[nr_pages], filled OUT */
    uint64_t done;              /* OUT: pages added so far (resumable) */
};
XENIA_ABI_SIZE(struct xenia_domctl_populate, 24);

struct xenia_domctl_hypercall_page {
    uint64_t mfn;               /* IN: a frame owned by the domain */
};
XENIA_ABI_SIZE(struct xenia_domctl_hypercall_page, 8);

/* The initial state of a vCPU (pv-abi.md: initial registers). */
struct xenia_domctl_vcpu_context {
    uint32_t vcpu;              /* IN */
    uint32_t pad0;
    uint64_t rip, rsp, rsi;     /* IN: entry, boot stack top, start_info */
    uint64_t kernel_l4_mfn;     /* IN: a pinned L4 of the domain */
};
XENIA_ABI_SIZE(struct xenia_domctl_vcpu_context, 40);
XENIA_ABI_OFFSET(struct xenia_domctl_vcpu_context, kernel_l4_mfn, 32);

struct xenia_domctl_sched {
    uint32_t weight;            /* 1..65535, default 256 */
    uint32_t cap;               /* percent of one CPU, 0 = none */
};
XENIA_ABI_SIZE(struct xenia_domctl_sched, 8);

struct xenia_domctl_console {
    uint64_t buffer;            /* IN: guest address */
    uint32_t size;              /* IN: buffer size; OUT: bytes written */
    uint32_t pad0;
    uint64_t index;             /* IN/OUT: position in the ring, 0 = oldest kept */
};
XENIA_ABI_SIZE(struct xenia_domctl_console, 24);

struct xenia_domctl_physinfo {
    uint32_t nr_cpus;
    uint32_t cpu_khz;
    uint64_t total_pages;
    uint64_t free_pages;
    uint32_t version_major, version_minor;
    char     version[32];       /* NUL-terminated, e.g. "Xenia 0.1" */
};
XENIA_ABI_SIZE(struct xenia_domctl_physinfo, 64);

struct xenia_domctl {
    uint32_t cmd;               /* XENIA_DOMCTL_* */
    uint32_t version;           /* XENIA_DOMCTL_VERSION */
    domid_t  domain;            /* target (CREATE: OUT) */
    uint16_t pad0[3];
    union {
        struct xenia_domctl_create create;
        struct xenia_domctl_info info;
        struct xenia_domctl_max_mem max_mem;
        struct xenia_domctl_populate populate;
        struct xenia_domctl_hypercall_page hypercall_page;
        struct xenia_domctl_vcpu_context vcpu_context;
        struct xenia_domctl_sched sched;
        struct xenia_domctl_console console;
        struct xenia_domctl_physinfo physinfo;
        uint8_t pad[64];
    } u;
};
XENIA_ABI_SIZE(struct xenia_domctl, 80);
XENIA_ABI_OFFSET(struct xenia_domctl, domain, 8);
XENIA_ABI_OFFSET(struct xenia_domctl, u, 16);

#endif /* XENIA_PUBLIC_DOMCTL_H */
