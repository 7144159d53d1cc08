/*
 * Per-CPU setup for running PV guests, and loading a vCPU's machine state.
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
