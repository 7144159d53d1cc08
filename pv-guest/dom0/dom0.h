/*
 * dom0's toolstack pieces, shared by the files of pv-guest/dom0/:
 *   domctl.c    thin wrappers over hypercall 36 (public/domctl.h)
 *   builder.c   builds a PV domU from a kernel image and an xl config
 *   domains.c   the domains dom0 started: autostart from the ramdisk,
 *               VIRQ_DOM_EXC, reaping the ones that shut down
 * All of it runs in dom0's threads (never in event handlers).
 */
#ifndef PVG_DOM0_DOM0_H
#define PVG_DOM0_DOM0_H

#include <stddef.h>
#include <stdint.h>

#include "guest/xlcfg.h"
#include "public/domctl.h"

/* ---- domctl.c: each returns 0 or the hypercall's -errno ---- */
int domctl_create(uint32_t max_vcpus, domid_t *domid);
int domctl_destroy(domid_t domid);
int domctl_pause(domid_t domid);
int domctl_unpause(domid_t domid);
int domctl_sched_set(domid_t domid, uint32_t weight, uint32_t cap);
/* First domain with id >= domid (info->domain says which). */
int domctl_get_info(domid_t domid, struct xenia_domctl_info *info);
int domctl_set_max_mem(domid_t domid, uint64_t max_pages);
/* Add nr pages; mfns[i] receives the frame of the i-th page added. */
int domctl_populate(domid_t domid, uint64_t nr, uint64_t *mfns);
int domctl_hypercall_page(domid_t domid, uint64_t mfn);
int domctl_set_vcpu_context(domid_t domid, const struct xenia_domctl_vcpu_context *ctx);
int domctl_physinfo(struct xenia_domctl_physinfo *info);
const char *domctl_shutdown_reason(uint32_t reason);

/* ---- builder.c ---- */
struct domu_image {
    const void *kernel;
    size_t kernel_len;
    const void *ramdisk;        /* NULL if none */
    size_t ramdisk_len;
};

/* What the builder made: the domain and its xenstore/console pages and
   ports (the domU's ends, unbound with remote dom0). */
struct domu_built {
    domid_t domid;
    uint64_t store_mfn, console_mfn;
    uint32_t store_port, console_port;
};

/*
 * Build the domain described by cfg and start it: 0 and *out, or -errno
 * with every trace of the half-built domain destroyed. Prints why it
 * failed ("dom0: <name>: ...").
 */
int domu_build(const struct xlcfg *cfg, const struct domu_image *img, struct domu_built *out);

/* ---- xenstore.c: xenstored (backends/xenstored) over the domUs' store pages ---- */
struct xenstore_counts {
    size_t nodes, watches, transactions, connections;
};
/* Create the store and the daemon thread ("dom0: xenstored up"). */
int xenstore_start(void);
bool xenstore_running(void);
/* Connect a new domain's store page and port; write its /local/domain nodes. */
int xenstore_domain_add(domid_t domid, const char *name, uint64_t store_mfn, uint32_t store_port);
/* Disconnect it (before destroying it: its page is mapped until then) and
   remove its nodes; fires @releaseDomain. */
void xenstore_domain_remove(domid_t domid);
/* A toolstack write (owner dom0); 0 or -errno. */
int xenstore_write(const char *path, const char *value);
void xenstore_counts(struct xenstore_counts *n);

/* ---- domains.c ---- */
/* Bind VIRQ_DOM_EXC (or note that shutdowns will be polled). */
void domains_init(void);
/* Start every /etc/xen/auto/ *.cfg of the ramdisk; returns how many run. */
unsigned domains_autostart(const void *ramdisk, size_t len);
/* Started domains not yet reaped. */
unsigned domains_running(void);
/* Let the running domains compete for `seconds`, print each one's CPU time,
   weight and share, then destroy them. Returns how many were measured. */
unsigned domains_measure(uint64_t seconds);
/* Creation cost of n concurrent copies of /etc/xen/bench.cfg (make bench). */
unsigned domains_bench_create(const void *ramdisk, size_t len, unsigned n);
/* n create/boot/destroy cycles of it; prints the counts before and after. */
unsigned domains_cycles(const void *ramdisk, size_t len, unsigned n);
/* Reap until none is left (deadline: system time, UINT64_MAX for none);
   returns the number still running. */
unsigned domains_wait_all(uint64_t deadline_ns);
/* Serve forever: reap domains as they shut down. */
__attribute__((noreturn)) void domains_serve(void);

#endif /* PVG_DOM0_DOM0_H */
