/*
 * The hypercall table and multicall.
 *
 * Multicall runs its entries one after another; each result is written back
 * before the next entry starts. An entry that changes privilege (iret)
 * ends the batch [XSA-213]; so does an entry that needs a continuation:
 * the multicall itself is then restarted from that entry.
 */
#include <asm/current.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/event.h>
#include <xenia/grant.h>
#include <xenia/guest_access.h>
#include <xenia/hypercall.h>
#include <xenia/hypercalls.h>
#include <xenia/pv.h>

static long do_iret_entry(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return do_iret();
}

/* Handlers declare only the arguments they use: under the x86_64 SysV ABI a
   callee ignores the extra argument registers, so the cast is sound here. */
#define HC(name) [__HYPERVISOR_##name] = (hypercall_fn)(void (*)(void))do_##name
static const hypercall_fn hypercall_table[64] = {
    HC(set_trap_table),
    HC(mmu_update),
    HC(set_gdt),
    HC(stack_switch),
    HC(set_callbacks),
    HC(fpu_taskswitch),
    HC(memory_op),
    HC(multicall),
    HC(update_va_mapping),
    HC(set_timer_op),
    HC(xen_version),
    HC(console_io),
    HC(update_descriptor),
    HC(grant_table_op),
    HC(vm_assist),
    [__HYPERVISOR_iret] = do_iret_entry,
    HC(vcpu_op),
    HC(set_segment_base),
    HC(mmuext_op),
    HC(sched_op),
    HC(callback_op),
    HC(event_channel_op),
    HC(physdev_op),
    HC(domctl),
};
#undef HC

uint64_t hypercall_count;
static bool continued;          /* set by hypercall_continuation() */
static bool in_multicall;
static uint64_t mc_args[5];     /* a multicall entry's arguments to restart with */

/*
 * Outside a multicall, the guest re-executes its `syscall` with new
 * arguments. Inside one, the entry's new arguments are kept here; the
 * multicall writes them back into the guest's entry and restarts itself
 * from that entry (as Xen does), so no work is ever redone or lost.
 */
long hypercall_continuation(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
    struct cpu_regs *regs = guest_regs();
    continued = true;
    if (in_multicall) {
        mc_args[0] = a1, mc_args[1] = a2, mc_args[2] = a3, mc_args[3] = a4, mc_args[4] = a5;
        return 0;
    }
    regs->rax = nr;
    regs->rdi = a1;
    regs->rsi = a2;
    regs->rdx = a3;
    regs->r10 = a4;
    regs->r8 = a5;
    regs->rip -= 2;             /* the 2-byte `syscall` runs again */
    return 0;
}

static long call(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr])
        return -ENOSYS;
    return hypercall_table[nr](a1, a2, a3, a4, a5);
}

void hypercall_dispatch(struct cpu_regs *regs)
{
    hypercall_count++;
    continued = false;
    long ret = call(regs->rax, regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8);
    if (!continued)
        regs->rax = (uint64_t)ret;
}

long do_multicall(uint64_t list, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a3, (void)a4, (void)a5;
    struct vcpu *v = current;
    struct multicall_entry mc;

    if (in_multicall)
        return -EINVAL;                     /* no nesting */
    for (uint64_t i = 0; i < count; i++) {
        uint64_t va = list + i * sizeof(mc);
        if (count > (1ull << 20) || copy_from_guest(&mc, va, sizeof(mc)))
            return -EFAULT;
        if (i && (i % 64) == 0)             /* long batches are preemptible too */
            return hypercall_continuation(__HYPERVISOR_multicall, va, count - i, 0, 0, 0);
        if (mc.op == __HYPERVISOR_multicall) {
            mc.result = (uint64_t)-EINVAL;
        } else {
            in_multicall = true;
            continued = false;
            mc.result = (uint64_t)call(mc.op, mc.args[0], mc.args[1], mc.args[2], mc.args[3],
                                       mc.args[4]);
            in_multicall = false;
        }
        if (v->domain->state != DOMAIN_RUNNING)
            return 0;                       /* the entry shut the domain down */
        if (continued) {
            continued = false;
            if (copy_to_guest(va + offsetof(struct multicall_entry, args), mc_args,
                              sizeof(mc_args)))
                return -EFAULT;
            return hypercall_continuation(__HYPERVISOR_multicall, va, count - i, 0, 0, 0);
        }
        /* A change of privilege (iret, to user mode or not) ends the batch:
           nothing after it may run with the new context [XSA-213]. */
        if (mc.op == __HYPERVISOR_iret || !v->kernel_mode)
            return (long)mc.result;
        if (copy_to_guest(va + offsetof(struct multicall_entry, result), &mc.result,
                          sizeof(mc.result)))
            return -EFAULT;
    }
    return 0;
}
