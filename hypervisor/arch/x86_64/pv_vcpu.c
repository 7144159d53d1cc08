/*
 * Per-CPU setup for running PV guests, loading a vCPU's machine state, and
 * loading a guest-supplied context into a new vCPU (VCPUOP_initialise).
 *
 * syscall: STAR[47:32] = the hypervisor's code selector (syscall lands in
 * ring 0 with SS = +8), STAR[63:48] = the guests' 32-bit code selector
 * (sysretq returns with CS = +16 = 0xe033 and SS = +8 = 0xe02b); SFMASK
 * clears IF, TF, DF, AC and NT on entry. CR4.OSFXSR/OSXMMEXCPT let guests
 * use SSE; TSS.rsp0 is the end of this CPU's guest frame.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/regs.h>
#include <asm/x86.h>
#include <xenia/guest_access.h>
#include <xenia/mm.h>
#include <xenia/pv.h>
#include <xenia/time.h>

extern uint8_t syscall_entry[], syscall32_entry[];
void desc_set_rsp0(uint64_t rsp0);
_Static_assert(sizeof(struct cpu_info) == CPU_INFO_SIZE, "asm/regs.h CPU_INFO_SIZE");
_Static_assert(sizeof(struct cpu_regs) == REGS_SIZE, "asm/regs.h REGS_SIZE");

void pv_cpu_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);                 /* SCE */
    wrmsr(MSR_STAR, ((uint64_t)SEL_GUEST_CS32 << 48) | ((uint64_t)SEL_HV_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);
    wrmsr(MSR_SFMASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_AC |
                          X86_EFLAGS_NT);
    write_cr4(read_cr4() | (1u << 9) | (1u << 10));      /* OSFXSR | OSXMMEXCPT */
    __asm__ volatile("mov %%cr0, %%rax; and $~4, %%rax; or $2, %%rax; mov %%rax, %%cr0"
                     ::: "rax");                          /* EM off, MP on */
    desc_set_rsp0((uint64_t)(&get_cpu_info()->guest_regs + 1));
    gdt_area_init();
    /* SMEP: the hypervisor never executes guest pages, even by accident. */
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        if (r[1] & (1u << 7))
            write_cr4(read_cr4() | (1u << 20));
    }
}

/*
 * Guest data selectors (ds, es, fs, gs) stay in the CPU while a vCPU runs
 * (the hypervisor never loads them) and are saved and reloaded around a
 * switch. A selector that no longer loads (the guest changed its GDT) faults
 * in ring 0: the fixup loads the null selector instead and records it, and
 * the guest gets its failsafe callback, as on Xen.
 */
#define LOAD_SEG(seg, val, bit, failed)                                        \
    do {                                                                       \
        uint32_t __sel = (val);                                                \
        __asm__ volatile("1: movw %w[v], %%" seg "\n"                          \
                         "2:\n"                                                \
                         ".pushsection .fixup, \"ax\"\n"                       \
                         "3: orl %[b], %[f]\n"                                  \
                         "   xorl %k[v], %k[v]\n"                               \
                         "   movw %w[v], %%" seg "\n"                           \
                         "   jmp 2b\n"                                         \
                         ".popsection\n"                                       \
                         ".pushsection .ex_table, \"a\"\n"                     \
                         "   .quad 1b, 3b\n"                                   \
                         ".popsection"                                         \
                         : [f] "+r"(failed), [v] "+r"(__sel)                    \
                         : [b] "i"(bit));                                      \
    } while (0)

static void pv_save_segments(struct vcpu *v)
{
    __asm__ volatile("movw %%ds, %0; movw %%es, %1; movw %%fs, %2; movw %%gs, %3"
                     : "=m"(v->sel[0]), "=m"(v->sel[1]), "=m"(v->sel[2]), "=m"(v->sel[3]));
}

/* Reload the saved selectors; returns a mask (bit 0 ds .. bit 3 gs) of those
   that failed and were loaded as null. */
static unsigned load_segments(const struct vcpu *v)
{
    unsigned failed = 0;
    LOAD_SEG("ds", v->sel[0], 1, failed);
    LOAD_SEG("es", v->sel[1], 2, failed);
    LOAD_SEG("fs", v->sel[2], 4, failed);
    LOAD_SEG("gs", v->sel[3], 8, failed);
    return failed;
}

/*
 * The failsafe frame, from the lowest address: rcx, r11, ds, es, fs, gs,
 * rip, cs (saved mask in bits 32-39), rflags, rsp, ss.
 */
static void pv_failsafe(struct vcpu *v, struct cpu_regs *regs)
{
    if (!v->failsafe_cb) {
        domain_crash(v->domain, "guest segment selectors cannot be loaded and no failsafe callback");
        return;
    }
    struct vcpu_info *vi = v->vcpu_info;
    uint8_t mask = vi->evtchn_upcall_mask;
    bool was_kernel = v->kernel_mode;
    if (!was_kernel)
        pv_toggle_mode(v);
    uint64_t sp = (was_kernel ? regs->rsp : v->kernel_sp) & ~15ull;
    uint64_t cs = was_kernel ? regs->cs & ~3ull : regs->cs;     /* RPL 0: kernel context */
    uint64_t frame[11] = {
        regs->rcx, regs->r11, v->sel[0], v->sel[1], v->sel[2], v->sel[3], regs->rip,
        (cs & 0xffff) | ((uint64_t)mask << 32),
        (regs->rflags & ~(uint64_t)X86_EFLAGS_IF) | (mask ? 0 : X86_EFLAGS_IF), regs->rsp, regs->ss,
    };
    sp -= sizeof(frame);
    if (copy_to_guest(sp, frame, sizeof(frame))) {
        domain_crash(v->domain, "cannot write the failsafe frame");
        return;
    }
    if (v->failsafe_cb_flags & CALLBACKF_mask_events)
        vi->evtchn_upcall_mask = 1;
    regs->rsp = sp;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rip = v->failsafe_cb;
    regs->rflags &= ~(uint64_t)(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF);
}

/*
 * Make v's machine state current, in dependency order: its page tables, its
 * GDT (selectors may name guest descriptors), the data selectors, then the
 * FS/GS bases (a selector load would reset them), the FPU state (TS as the
 * guest last set it) and its time info. A selector that fails to load gives
 * the guest its failsafe callback on `regs`.
 */
void pv_load_vcpu(struct vcpu *v, struct cpu_regs *regs)
{
    bool k = v->kernel_mode;
    write_cr3((k ? v->kernel_l4_mfn : v->user_l4_mfn) << PAGE_SHIFT);
    gdt_load_vcpu(v);
    unsigned failed = load_segments(v);
    wrmsr(MSR_FS_BASE, v->fs_base);
    wrmsr(MSR_GS_BASE, k ? v->gs_base_kernel : v->gs_base_user);
    wrmsr(MSR_KERNEL_GS_BASE, k ? v->gs_base_user : v->gs_base_kernel);
    __asm__ volatile("clts; fxrstor (%0)" ::"r"(v->fpu) : "memory");
    if (v->guest_ts)
        __asm__ volatile("mov %%cr0, %%rax; or $8, %%rax; mov %%rax, %%cr0" ::: "rax");
    time_update_vcpu(v);
    if (failed)
        pv_failsafe(v, regs);
}

/* Save what pv_load_vcpu() restores (registers are saved by the caller). */
void pv_save_vcpu(struct vcpu *v)
{
    pv_save_segments(v);
    __asm__ volatile("clts; fxsave (%0)" ::"r"(v->fpu) : "memory");   /* TS would #NM here */
}

/*
 * VCPUOP_initialise: load a whole vcpu_guest_context into a vCPU that never
 * had one. Every field is guest input. Checked first, with no side effect:
 *   flags        only VGCF_i387_valid, in_kernel, failsafe/syscall_disables_
 *                events and online (ignored: the vCPU stays down until
 *                VCPUOP_up); in_kernel is required (the vCPU starts in its
 *                kernel);
 *   user_regs    rip canonical outside the hypervisor, rsp - 1 too; cs the
 *                flat 64-bit kernel code selector and ss the flat stack
 *                selector (RPL 0 or 3); ds/es/fs/gs null or an RPL-3 GDT
 *                selector (one that does not load gives the failsafe
 *                callback, as at any switch);
 *   fpu_ctxt     with i387_valid, an MXCSR this CPU accepts (fxrstor would
 *                fault in the hypervisor otherwise); without, a clean state;
 *   trap_ctxt    indexed by vector, address 0 = no handler, others as
 *                set_trap_table checks them;
 *   ldt_ents     0 (no LDTs); gdt_ents <= 7168 with the frames as set_gdt
 *                takes them (PGT_SEG_DESC, descriptors checked);
 *   kernel_ss/sp as stack_switch (sp 0: none yet);
 *   ctrlreg[3]   a validated L4 of the domain still referenced (pinned or a
 *                cr3): the vCPU takes its own reference, as NEW_BASEPTR;
 *                ctrlreg[1] the same or 0 (user L4); ctrlreg[0] bit 3 is
 *                the guest's TS; other control registers are ignored;
 *   debugreg     all 0 (debug registers are not offered);
 *   callbacks    as set_callbacks; vm_assist is per domain (vCPU 0's) and
 *                ignored here; fs_base, gs_base_kernel/user 0 or canonical
 *                outside the hypervisor (they go into MSRs).
 * Then the references are taken (all or none) and the state installed.
 * -EINVAL for any bad field, or an error of the frame checks (-EPERM: a
 * frame of another domain).
 */
#define VGCF_ACCEPTED (VGCF_i387_valid | VGCF_in_kernel | VGCF_failsafe_disables_events | \
                       VGCF_syscall_disables_events | VGCF_online)
#define MXCSR_MASK_DEFAULT 0xffbfu          /* CPUs that report none (SDM 10.5.1.2) */

static bool data_sel_ok(uint16_t sel)
{
    return (sel & ~3u) == 0 || ((sel & 3) == 3 && !(sel & 4));     /* null, or GDT RPL 3 */
}

static bool base_ok(uint64_t base)
{
    return base == 0 || guest_range_ok(base, 1);
}

/* A validated L4 of d that something still references. */
static bool l4_ok(const struct domain *d, uint64_t mfn)
{
    const struct pgt_frame *f = mfn < mm_max_pfn ? &frame_table[mfn] : NULL;
    return f && f->owner == d->id && f->type == PGT_L4 && f->state == PGT_VALID &&
           f->type_count > 0;
}

static void put_refs(struct vcpu *v, const uint64_t *frames, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (frames[i])
            pgt_put_type(&pgt_env_hv, &v->pgt_cont, frames[i], v->domain->id);
}

/* A type reference on every non-zero frame of frames[0, n): all or none. */
static int get_refs(struct vcpu *v, const uint64_t *frames, unsigned n, enum pgt_type type)
{
    for (unsigned i = 0; i < n; i++) {
        if (!frames[i])
            continue;
        int rc = frames[i] < mm_max_pfn ? pgt_get_type(&pgt_env_hv, &v->pgt_cont, frames[i], type,
                                                       v->domain->id)
                                        : -EINVAL;
        /* A VALID L4 or a descriptor page takes no walk; -ERESTART would be
           a frame another vCPU's walk holds busy, which cannot move while
           we wait here: refused, never waited for. */
        if (rc == -ERESTART) {
            (void)pgt_cont_abort(&pgt_env_hv, &v->pgt_cont);
            rc = -EINVAL;
        }
        if (rc) {
            put_refs(v, frames, i);
            return rc;
        }
    }
    return 0;
}

static int context_check(const struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *r = &c->user_regs;

    if ((c->flags & ~(uint64_t)VGCF_ACCEPTED) || !(c->flags & VGCF_in_kernel))
        return -EINVAL;
    if (!guest_range_ok(r->rip, 1) || !guest_range_ok(r->rsp - 1, 1))
        return -EINVAL;
    if ((r->cs | 3) != FLAT_KERNEL_CS64 || (r->ss | 3) != FLAT_KERNEL_SS)
        return -EINVAL;
    if (!data_sel_ok(r->ds) || !data_sel_ok(r->es) || !data_sel_ok(r->fs) || !data_sel_ok(r->gs))
        return -EINVAL;
    if (c->flags & VGCF_i387_valid) {
        uint32_t mxcsr, mask;
        memcpy(&mxcsr, c->fpu_ctxt + 24, 4);
        memcpy(&mask, v->fpu + 28, 4);      /* the CPU's MXCSR_MASK, from our own fxsave */
        if (mxcsr & ~(mask ? mask : MXCSR_MASK_DEFAULT))
            return -EINVAL;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++)
        if (!pv_code_addr_ok(c->trap_ctxt[i].address))
            return -EINVAL;
    if (c->ldt_ents || c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if ((c->kernel_ss & 3) != 3 && (c->kernel_ss & 3) != 0)
        return -EINVAL;
    if (c->kernel_sp && !guest_range_ok(c->kernel_sp - 1, 1))
        return -EINVAL;
    if (!l4_ok(v->domain, xen_cr3_to_pfn(c->ctrlreg[3])) ||
        (c->ctrlreg[1] && !l4_ok(v->domain, xen_cr3_to_pfn(c->ctrlreg[1]))))
        return -EINVAL;
    for (unsigned i = 0; i < ARRAY_SIZE(c->debugreg); i++)
        if (c->debugreg[i])
            return -EINVAL;
    if (!pv_code_addr_ok(c->event_callback_eip) || !pv_code_addr_ok(c->failsafe_callback_eip) ||
        !pv_code_addr_ok(c->syscall_callback_eip))
        return -EINVAL;
    if (!base_ok(c->fs_base) || !base_ok(c->gs_base_kernel) || !base_ok(c->gs_base_user))
        return -EINVAL;
    return 0;
}

int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c)
{
    int rc = context_check(v, c);
    if (rc)
        return rc;
    if (!pgt_cont_idle(&v->pgt_cont))
        return -EBUSY;                      /* never for a vCPU that has not run */

    /* References: the two L4s, then the GDT frames; all or none. */
    uint64_t l4s[2] = { xen_cr3_to_pfn(c->ctrlreg[3]), xen_cr3_to_pfn(c->ctrlreg[1]) };
    unsigned nr_gdt = (unsigned)((c->gdt_ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
    rc = get_refs(v, l4s, 2, PGT_L4);
    if (rc)
        return rc;
    for (unsigned i = 0; i < nr_gdt; i++)
        if (!c->gdt_frames[i])
            rc = -EINVAL;                   /* frame 0 is never a guest's */
    if (!rc)
        rc = get_refs(v, c->gdt_frames, nr_gdt, PGT_SEG_DESC);
    if (rc) {
        put_refs(v, l4s, 2);
        return rc;
    }

    /* Install: nothing below can fail. */
    const struct cpu_user_regs *r = &c->user_regs;
    struct cpu_regs *g = &v->regs;
    memset(g, 0, sizeof(*g));
    g->r15 = r->r15, g->r14 = r->r14, g->r13 = r->r13, g->r12 = r->r12;
    g->rbp = r->rbp, g->rbx = r->rbx, g->r11 = r->r11, g->r10 = r->r10;
    g->r9 = r->r9, g->r8 = r->r8, g->rax = r->rax, g->rcx = r->rcx;
    g->rdx = r->rdx, g->rsi = r->rsi, g->rdi = r->rdi;
    g->rip = r->rip;
    g->rsp = r->rsp;
    g->cs = FLAT_KERNEL_CS;
    g->ss = FLAT_KERNEL_SS;
    g->rflags = (r->rflags & ~(uint64_t)(X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_VM |
                                         X86_EFLAGS_RF)) | X86_EFLAGS_IF | 2;
    v->sel[0] = r->ds, v->sel[1] = r->es, v->sel[2] = r->fs, v->sel[3] = r->gs;
    if (c->flags & VGCF_i387_valid)
        memcpy(v->fpu, c->fpu_ctxt, sizeof(v->fpu));
    v->guest_ts = c->ctrlreg[0] & 8;        /* CR0.TS */
    for (unsigned i = 0; i < ARRAY_SIZE(v->traps); i++)
        v->traps[i] = (struct pv_trap){ c->trap_ctxt[i].address,
                                        (uint16_t)(c->trap_ctxt[i].cs | 3),
                                        c->trap_ctxt[i].flags };
    memcpy(v->gdt_frames, c->gdt_frames, nr_gdt * sizeof(v->gdt_frames[0]));
    v->gdt_nr_frames = nr_gdt;
    v->kernel_ss = c->kernel_ss | 3;
    v->kernel_sp = c->kernel_sp;
    v->kernel_mode = true;
    v->kernel_l4_mfn = l4s[0];
    v->user_l4_mfn = l4s[1];
    v->event_cb = c->event_callback_eip;
    v->event_cb_flags = 0;
    v->failsafe_cb = c->failsafe_callback_eip;
    v->failsafe_cb_flags = c->flags & VGCF_failsafe_disables_events ? CALLBACKF_mask_events : 0;
    v->syscall_cb = c->syscall_callback_eip;
    v->syscall_cb_flags = c->flags & VGCF_syscall_disables_events ? CALLBACKF_mask_events : 0;
    v->nmi_cb = 0;
    v->fs_base = c->fs_base;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    v->timer_deadline = 0;
    v->initialised = true;
    return 0;
}
