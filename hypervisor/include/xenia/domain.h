/*
 * Domains and vCPUs.
 *
 * A domain owns frames (pgt owner = its id), a shared_info page, and its
 * vCPUs. Lifecycle: RUNNING -> SHUTDOWN (a reason recorded, vCPUs stopped)
 * -> DEAD once torn down. A crashed domain is SHUTDOWN with reason crash.
 *
 * vCPUs: a domain has max_vcpus of them (1..MAX_VCPUS_PER_DOMAIN), all made
 * at creation, vcpus[0 .. max_vcpus - 1] non-NULL and the rest NULL; vCPU
 * `id` uses shared_info->vcpu_info[id]. vCPU 0 gets its context from the
 * domain builder (dom0_build, or the toolstack's SET_VCPU_CONTEXT) and
 * counts as initialised from the start; the others start DOWN with no
 * context until the guest loads one (VCPUOP_initialise, once per vCPU) and
 * brings them up (VCPUOP_up). Everything the PV machine keeps per vCPU is
 * in struct vcpu: registers, mode, page-table bases, trap table,
 * callbacks, kernel stack, segment bases, FPU, timer, GDT, runstate.
 * Run state: RUNNABLE, BLOCKED (sched_op block, woken by an event or its
 * timer) or DOWN (offline: never up, or VCPUOP_down). Only the current
 * vCPU's registers live in the frame at the top of the CPU stack; a vCPU not
 * running keeps them in `regs`.
 */
#ifndef XENIA_DOMAIN_H
#define XENIA_DOMAIN_H

#include <asm/traps.h>
#include <public/xen.h>
#include <public/callback.h>
#include <public/vcpu.h>
#include "core/pgt.h"
#include "core/sched_credit.h"

#define MAX_VCPUS_PER_DOMAIN 8   /* each one's vcpu_info is in shared_info */
#define MAX_DOMAINS 64
_Static_assert(MAX_VCPUS_PER_DOMAIN <= XEN_LEGACY_MAX_VCPUS, "vcpu_info[] of shared_info");

enum vcpu_state { VCPU_RUNNABLE, VCPU_BLOCKED, VCPU_DOWN };
enum domain_state { DOMAIN_RUNNING, DOMAIN_SHUTDOWN, DOMAIN_DYING };

struct pv_trap {
    uint64_t address;          /* 0: no handler */
    uint16_t cs;
    uint8_t flags;             /* bits 0-1 DPL, bit 2 mask events */
};

struct vcpu {
    struct domain *domain;
    unsigned id;
    enum vcpu_state state;
    struct cpu_regs regs;      /* saved registers while not running */
    bool kernel_mode;          /* guest kernel (true) or guest user mode */
    uint64_t kernel_l4_mfn;    /* cr3 for kernel mode (pinned by the guest) */
    uint64_t user_l4_mfn;      /* cr3 for user mode, 0 if none */
    uint64_t kernel_ss, kernel_sp;  /* stack_switch: where user->kernel bounces land */
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint16_t sel[4];           /* ds, es, fs, gs while not running */
    uint64_t event_cb, failsafe_cb, syscall_cb, nmi_cb;
    uint8_t event_cb_flags, failsafe_cb_flags, syscall_cb_flags;
    struct pv_trap traps[256];
    struct vcpu_info *vcpu_info;    /* inside the domain's shared_info */
    uint64_t timer_deadline;   /* system time (ns) of set_timer_op, 0 = none */
    bool guest_ts;             /* fpu_taskswitch(1): next FPU use raises #NM */
    bool yield;                /* SCHEDOP_yield: run another vCPU first */
    uint8_t fpu[512] __attribute__((aligned(16)));   /* fxsave area */
    struct pgt_cont pgt_cont;  /* preemptible page-table operations */
    uint64_t gdt_frames[14];   /* set_gdt: guest GDT frames (PGT_SEG_DESC refs) */
    unsigned gdt_nr_frames;
    uint64_t cpu_time_ns;      /* time spent running */
    bool initialised;          /* has a context: vCPU 0 always, others after VCPUOP_initialise */
    struct vcpu_runstate_info runstate;   /* VCPUOP_get_runstate_info (sched.c keeps it) */
    struct sched_credit_vcpu sched;
};

struct evtchn_table;
struct domain_grants;

struct domain {
    uint16_t id;
    enum domain_state state;
    unsigned shutdown_reason;  /* SHUTDOWN_* when state != RUNNING */
    bool privileged;           /* dom0 */
    bool io_privileged;        /* physdev set_iopl allowed */
    unsigned iopl;
    uint64_t nr_pages, max_pages;
    struct shared_info *shared_info;   /* hypervisor mapping */
    uint64_t shared_info_mfn;
    unsigned vm_assist;
    unsigned max_vcpus;        /* vcpus[0 .. max_vcpus - 1] exist */
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN];
    bool console_at_line_start;
    uint64_t created_tsc;      /* TSC at creation, and at its first console */
    uint64_t first_output_tsc; /* output (0: none yet): make bench's cost */
    char console_prefix[12];
    bool paused;               /* by the toolstack: created paused */
    bool context_set;          /* SET_VCPU_CONTEXT done (a domU may run) */
    bool started;              /* first UNPAUSE done: vCPU 0 was brought up */
    struct sched_credit_dom sched;   /* weight, cap, accounting */
    /* Teardown (DESTROY), preemptible: phase and cursor survive between calls. */
    unsigned teardown_phase;
    uint64_t teardown_cursor;
    uint64_t pages_held;       /* frames still referenced elsewhere at the last pass */
    struct evtchn_table *evtchn;
    struct domain_grants *grants;
};

extern struct domain *domains[MAX_DOMAINS];
extern struct domain *dom0;

/* A domain with max_vcpus vCPUs (1..MAX_VCPUS_PER_DOMAIN), all DOWN; NULL if
   the id is taken or out of range, max_vcpus is out of range, or no memory. */
struct domain *domain_create_vcpus(uint16_t id, bool privileged, unsigned max_vcpus);
/* The dom0 builder's entry: domain 0 gets dom0_max_vcpus vCPUs (boot option,
   default 1), any other domain one. */
struct domain *domain_create(uint16_t id, bool privileged);
/* Crash the domain of the current vCPU (never returns to it) or another. */
void domain_crash(struct domain *d, const char *why);
void domain_shutdown(struct domain *d, unsigned reason);
struct domain *domain_lookup(uint16_t id);     /* DOMID_SELF resolved by callers */
/* Release everything the domain owns; 0 when gone, -ERESTART to be called
   again (bounded work per call), -EBUSY while other domains still map its
   pages (it stays dying until they unmap). */
int domain_destroy(struct domain *d);
/* One frame for the domain (owned, zeroed, M2P set to pfn). */
int domain_add_page(struct domain *d, uint64_t pfn, uint64_t *mfn);
void hypercall_page_fill(uint8_t *page);

/* Scheduling (common/sched.c): every vCPU state change goes through these. */
void sched_init(void);
void sched_domain_init(struct domain *d);   /* once, before its vCPUs' sched_vcpu_init */
void sched_vcpu_init(struct vcpu *v);
void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state);
void sched_vcpu_update(struct vcpu *v);     /* after a domain state or pause change */
void sched_vcpu_remove(struct vcpu *v);
int sched_set_params(struct domain *d, uint32_t weight, uint32_t cap);

#endif
