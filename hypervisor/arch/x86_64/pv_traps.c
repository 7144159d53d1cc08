/*
 * Exceptions, callbacks and iret for PV guests.
 *
 * A guest kernel and its user processes both run in ring 3; the vCPU's
 * kernel_mode flag says which, and selects the L4 (kernel or user) and the
 * GS base. An exception or a user-mode syscall is delivered by a bounce
 * frame written on the guest kernel stack (the current stack in kernel mode,
 * kernel_sp from stack_switch when coming from user mode), 16-byte aligned,
 * from its lowest address: rcx, r11, [error code], rip, cs (bits 32-39: the
 * saved upcall mask; RPL 0 when the interrupted context was the kernel),
 * rflags (IF = !saved mask), rsp, ss. The guest returns with iret (#23).
 *
 * Every address a guest registers is checked to be canonical and outside
 * the hypervisor's range; a fault with no usable handler crashes only the
 * offending domain.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/mm.h>
#include <xenia/pv.h>

bool pv_code_addr_ok(uint64_t va)
{
    return va == 0 || guest_range_ok(va, 1);
}

void pv_toggle_mode(struct vcpu *v)
{
    v->kernel_mode = !v->kernel_mode;
    /* GS_BASE holds the active mode's base, KERNEL_GS_BASE the other. */
    __asm__ volatile("swapgs" ::: "memory");
    write_cr3((v->kernel_mode ? v->kernel_l4_mfn : v->user_l4_mfn) << PAGE_SHIFT);
}

int pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler, bool has_error,
              uint64_t error, bool mask_events)
{
    struct vcpu_info *vi = v->vcpu_info;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t cs = regs->cs;
    uint64_t sp;

    if (!v->kernel_mode) {
        if (!v->kernel_sp) {
            domain_crash(v->domain, "bounce from user mode with no kernel stack (stack_switch)");
            return -EFAULT;
        }
        pv_toggle_mode(v);
        sp = v->kernel_sp;
    } else {
        sp = regs->rsp;
        cs &= ~3ull;                        /* tell the guest: kernel context */
    }
    sp &= ~15ull;

    uint64_t frame[8];
    unsigned n = 0;
    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (has_error)
        frame[n++] = error;
    frame[n++] = regs->rip;
    frame[n++] = (cs & 0xffff) | ((uint64_t)saved_mask << 32);
    frame[n++] = (regs->rflags & ~(uint64_t)(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    sp -= n * 8;
    if (copy_to_guest(sp, frame, n * 8)) {
        domain_crash(v->domain, "cannot write a bounce frame on the guest kernel stack");
        return -EFAULT;
    }
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    regs->rsp = sp;
    regs->ss = FLAT_KERNEL_SS;
    regs->cs = FLAT_KERNEL_CS;
    regs->rip = handler;
    regs->rflags &= ~(uint64_t)(X86_EFLAGS_TF | X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT |
                                X86_EFLAGS_AC);
    return 0;
}

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP",
    "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

void pv_inject_exception(struct vcpu *v, struct cpu_regs *regs, unsigned vector,
                         bool has_error, uint64_t error)
{
    const struct pv_trap *t = &v->traps[vector & 0xff];

    if (!t->address) {
        pr_err("d%uv%u: unhandled %s (vector %u, error %#lx) at %04lx:%016lx in %s mode, "
               "no guest handler\n", v->domain->id, v->id,
               vector < 32 ? vector_names[vector] : "interrupt", vector, error, regs->cs,
               regs->rip, v->kernel_mode ? "kernel" : "user");
        regs_dump(regs);
        domain_crash(v->domain, "fault with no handler");
        return;
    }
    pv_bounce(v, regs, t->address, has_error, error, t->flags & 4);
}

/* `int N` from a guest: QEMU's TCG misreports the #GP error code, so the
   vector comes from the instruction bytes (cd NN) at the faulting rip. */
static bool pv_software_interrupt(struct vcpu *v, struct cpu_regs *regs)
{
    uint8_t insn[2];
    if (copy_from_guest(insn, regs->rip, 2) || insn[0] != 0xcd)
        return false;
    const struct pv_trap *t = &v->traps[insn[1]];
    unsigned need = v->kernel_mode ? 1 : 3;     /* DPL the gate must allow */
    if (!t->address || (t->flags & 3) < need)
        return false;
    regs->rip += 2;                             /* a trap: resume after int N */
    pv_bounce(v, regs, t->address, false, 0, t->flags & 4);
    return true;
}

void pv_guest_exception(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    unsigned vec = (unsigned)regs->vector;
    bool has_error = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;

    switch (vec) {
    case VEC_PF:
        v->vcpu_info->arch.cr2 = read_cr2();
        break;
    case VEC_GP:
        if (pv_emulate_privileged(v, regs) || pv_software_interrupt(v, regs))
            return;
        break;
    case VEC_UD:
        if (pv_emulate_privileged(v, regs))
            return;
        break;
    case 7:                                     /* #NM: the guest's lazy FPU switch */
        if (v->guest_ts) {
            v->guest_ts = false;
            __asm__ volatile("clts");
        }
        break;
    default:
        break;
    }
    pv_inject_exception(v, regs, vec, has_error, regs->error_code);
}

/* syscall from the guest: a hypercall in kernel mode, a bounce to the
   guest's syscall callback in user mode (#UD if it registered none). */
void hypercall_dispatch(struct cpu_regs *regs);
void pv_syscall(struct cpu_regs *regs);
void pv_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current;

    if (v->kernel_mode) {
        hypercall_dispatch(regs);
        return;
    }
    if (!v->syscall_cb) {
        pv_inject_exception(v, regs, VEC_UD, false, 0);
        return;
    }
    if (pv_bounce(v, regs, v->syscall_cb, false, 0, v->syscall_cb_flags & CALLBACKF_mask_events))
        return;
    regs->rflags &= ~(uint64_t)X86_EFLAGS_DF;
}

void pv_syscall32(struct cpu_regs *regs);
void pv_syscall32(struct cpu_regs *regs)
{
    /* 32-bit user code is not supported: report the instruction as invalid
       to the guest kernel, as a CPU without the feature would. */
    regs->rip -= 2;
    pv_inject_exception(current, regs, VEC_UD, false, 0);
}

long do_set_trap_table(uint64_t traps)
{
    struct vcpu *v = current;

    if (!traps) {
        memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    /* Copy the table in once (no double fetch), validate the copy, then
       install from it: a bad table changes nothing. At most one entry per
       vector plus the terminator. */
    struct trap_info table[257];                 /* 4 KiB of the 32 KiB stack */
    unsigned n;
    for (n = 0;; n++) {
        if (n == ARRAY_SIZE(table))
            return -EINVAL;
        if (copy_from_guest(&table[n], traps + n * sizeof(table[n]), sizeof(table[n])))
            return -EFAULT;
        if (!table[n].address)
            break;
        if (!pv_code_addr_ok(table[n].address))
            return -EINVAL;
    }
    for (unsigned i = 0; i < n; i++)
        v->traps[table[i].vector] =
            (struct pv_trap){ table[i].address, (uint16_t)(table[i].cs | 3), table[i].flags };
    return 0;
}

static int register_callback(struct vcpu *v, unsigned type, uint64_t addr, unsigned flags)
{
    if (!pv_code_addr_ok(addr))
        return -EINVAL;
    switch (type) {
    case CALLBACKTYPE_event:
        v->event_cb = addr;
        v->event_cb_flags = (uint8_t)flags;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_cb = addr;
        v->failsafe_cb_flags = (uint8_t)flags;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_cb = addr;
        v->syscall_cb_flags = (uint8_t)flags;
        return 0;
    case CALLBACKTYPE_nmi:
        v->nmi_cb = addr;
        return 0;
    default:
        return -ENOSYS;                         /* syscall32, sysenter: 32-bit only */
    }
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    struct vcpu *v = current;
    if (!pv_code_addr_ok(event) || !pv_code_addr_ok(failsafe) ||
        !pv_code_addr_ok(syscall))
        return -EINVAL;
    register_callback(v, CALLBACKTYPE_event, event, 0);
    register_callback(v, CALLBACKTYPE_failsafe, failsafe, 0);
    register_callback(v, CALLBACKTYPE_syscall, syscall, CALLBACKF_mask_events);
    return 0;
}

long do_callback_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current;

    if (cmd == CALLBACKOP_register) {
        struct callback_register cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -EFAULT;
        if (cb.flags & ~CALLBACKF_mask_events)
            return -EINVAL;
        return register_callback(v, cb.type, cb.address, cb.flags);
    }
    if (cmd == CALLBACKOP_unregister) {
        struct callback_unregister cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -EFAULT;
        if (cb.type == CALLBACKTYPE_nmi)
            return register_callback(v, cb.type, 0, 0);
        return -EINVAL;                         /* as Xen: only the NMI callback */
    }
    return -ENOSYS;
}

long do_stack_switch(uint64_t ss, uint64_t sp)
{
    struct vcpu *v = current;
    if ((ss & 3) != 3 && (ss & 3) != 0)
        return -EINVAL;
    if (!guest_range_ok(sp - 1, 1))
        return -EINVAL;
    v->kernel_ss = ss | 3;
    v->kernel_sp = sp;
    return 0;
}

long do_set_segment_base(uint64_t which, uint64_t base)
{
    struct vcpu *v = current;

    if (which != SEGBASE_GS_USER_SEL && !guest_range_ok(base, 1) && base != 0)
        return -EINVAL;
    switch (which) {
    case SEGBASE_FS:
        wrmsr(MSR_FS_BASE, base);
        v->fs_base = base;
        return 0;
    case SEGBASE_GS_USER:
        /* In kernel mode the user base waits in KERNEL_GS_BASE. */
        wrmsr(v->kernel_mode ? MSR_KERNEL_GS_BASE : MSR_GS_BASE, base);
        v->gs_base_user = base;
        return 0;
    case SEGBASE_GS_KERNEL:
        wrmsr(v->kernel_mode ? MSR_GS_BASE : MSR_KERNEL_GS_BASE, base);
        v->gs_base_kernel = base;
        return 0;
    case SEGBASE_GS_USER_SEL:
        /* Only the null selector: guest descriptor tables are not loaded yet. */
        if ((base & 0xfffc) != 0)
            return -EINVAL;
        return 0;
    default:
        return -EINVAL;
    }
}

long do_fpu_taskswitch(uint64_t set)
{
    struct vcpu *v = current;
    v->guest_ts = set != 0;
    if (set)
        __asm__ volatile("mov %%cr0, %%rax; or $8, %%rax; mov %%rax, %%cr0" ::: "rax");
    else
        __asm__ volatile("clts");
    return 0;
}

long do_iret(void)
{
    struct cpu_regs *regs = guest_regs();
    struct vcpu *v = current;
    struct iret_context ic;

    if (copy_from_guest(&ic, regs->rsp, sizeof(ic))) {
        domain_crash(v->domain, "cannot read the iret frame from the guest stack");
        return 0;
    }
    if ((ic.cs & 3) == 3 && !v->user_l4_mfn) {
        domain_crash(v->domain, "iret to user mode with no user page tables");
        return 0;
    }
    /* A bad rip (non-canonical, hypervisor range) is caught on the way out:
       the exit path turns it into a #GP for the guest kernel. */
    if ((ic.cs & 3) == 3)
        pv_toggle_mode(v);
    regs->rip = ic.rip;
    regs->cs = (ic.cs & 0xffff) | 3;         /* bits 32-39 carried the saved mask */
    regs->rflags = (ic.rflags & ~(uint64_t)(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF;
    regs->rsp = ic.rsp;
    regs->ss = (ic.ss & 0xffff) | 3;
    if (ic.flags & VGCF_in_syscall) {
        /* Back from a syscall: rcx and r11 as `sysret` leaves them. */
        regs->rcx = regs->rip;
        regs->r11 = regs->rflags;
    } else {
        regs->r11 = ic.r11;
        regs->rcx = ic.rcx;
    }
    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    return (long)ic.rax;
}
