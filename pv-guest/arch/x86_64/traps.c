/*
 * The virtual IDT (set_trap_table), the callbacks, and what happens when a
 * trap is not handled.
 *
 * Every exception vector a PV guest can receive gets a handler; all of
 * them mask events on entry (TRAP_INFO_MASK_EVENTS) so a handler runs to
 * completion. int3 and into have DPL 3 so the `int3`/`into` instructions
 * reach us from kernel and user mode alike; the others have DPL 0, so a
 * software `int N` aimed at them becomes a #GP, as on hardware.
 *
 * Unhandled traps: from user mode they end the user program (user.c);
 * from kernel mode they print a register dump and crash the domain with
 * SCHEDOP_shutdown(SHUTDOWN_crash).
 */
#include "arch/traps.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/user.h"

void trap_divide_error(void);
void trap_debug(void);
void trap_int3(void);
void trap_overflow(void);
void trap_bounds(void);
void trap_invalid_op(void);
void trap_device_not_available(void);
void trap_coproc_seg_overrun(void);
void trap_invalid_tss(void);
void trap_segment_not_present(void);
void trap_stack_segment(void);
void trap_general_protection(void);
void trap_page_fault(void);
void trap_spurious_interrupt(void);
void trap_coproc_error(void);
void trap_alignment_check(void);
void trap_machine_check(void);
void trap_simd_error(void);
void hypervisor_callback(void);
void failsafe_callback(void);
void syscall_callback(void);

static const struct {
    uint8_t vector, dpl;
    void (*entry)(void);
    const char *name;
} vectors[] = {
    { 0, 0, trap_divide_error, "divide error" },
    { 1, 0, trap_debug, "debug" },
    { 3, 3, trap_int3, "int3" },
    { 4, 3, trap_overflow, "overflow" },
    { 5, 0, trap_bounds, "bounds" },
    { 6, 0, trap_invalid_op, "invalid opcode" },
    { 7, 0, trap_device_not_available, "device not available" },
    { 9, 0, trap_coproc_seg_overrun, "coprocessor segment overrun" },
    { 10, 0, trap_invalid_tss, "invalid TSS" },
    { 11, 0, trap_segment_not_present, "segment not present" },
    { 12, 0, trap_stack_segment, "stack segment" },
    { 13, 0, trap_general_protection, "general protection" },
    { 14, 0, trap_page_fault, "page fault" },
    { 15, 0, trap_spurious_interrupt, "spurious interrupt" },
    { 16, 0, trap_coproc_error, "x87 error" },
    { 17, 0, trap_alignment_check, "alignment check" },
    { 18, 0, trap_machine_check, "machine check" },
    { 19, 0, trap_simd_error, "SIMD error" },
};

static struct trap_info trap_table[ARRAY_SIZE(vectors) + 1];
static trap_hook_fn hooks[TRAP_NR];

const char *trap_name(uint64_t vector)
{
    if (vector == TRAP_VEC_EVENT)
        return "event";
    if (vector == TRAP_VEC_SYSCALL)
        return "syscall";
    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
        if (vectors[i].vector == vector)
            return vectors[i].name;
    return "unknown";
}

static void register_callback(uint16_t type, void (*fn)(void), uint16_t flags)
{
    struct callback_register cb = {
        .type = type,
        .flags = flags,
        .address = (uint64_t)(uintptr_t)fn,
    };
    long rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if (rc < 0) {
        printk("traps: callback_op(register %u) failed: %ld\n", type, rc);
        guest_crash("cannot register callbacks");
    }
}

void traps_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
        trap_table[i] = (struct trap_info){
            .vector = vectors[i].vector,
            .flags = (uint8_t)(vectors[i].dpl | TRAP_INFO_MASK_EVENTS),
            .cs = FLAT_KERNEL_CS,
            .address = (uint64_t)(uintptr_t)vectors[i].entry,
        };
    }
    /* trap_table[ARRAY_SIZE(vectors)] stays zero: the terminator. */
    long rc = HYPERVISOR_set_trap_table(trap_table);
    if (rc < 0) {
        printk("traps: set_trap_table failed: %ld\n", rc);
        guest_crash("cannot install the trap table");
    }
    register_callback(CALLBACKTYPE_event, hypervisor_callback, 0);
    register_callback(CALLBACKTYPE_failsafe, failsafe_callback, CALLBACKF_mask_events);
    register_callback(CALLBACKTYPE_syscall, syscall_callback, CALLBACKF_mask_events);
}

void traps_fill_context(struct vcpu_guest_context *c)
{
    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
        c->trap_ctxt[trap_table[i].vector] = trap_table[i];
    c->event_callback_eip = (uint64_t)(uintptr_t)hypervisor_callback;
    c->failsafe_callback_eip = (uint64_t)(uintptr_t)failsafe_callback;
    c->syscall_callback_eip = (uint64_t)(uintptr_t)syscall_callback;
    c->flags |= VGCF_failsafe_disables_events | VGCF_syscall_disables_events;
}

trap_hook_fn trap_set_hook(unsigned vector, trap_hook_fn fn)
{
    if (vector >= TRAP_NR)
        return NULL;
    trap_hook_fn old = hooks[vector];
    hooks[vector] = fn;
    return old;
}

void trap_dump(const struct trap_frame *f, uint64_t cr2)
{
    printk("trap: %s (vector %lu) error %#lx from %s mode\n", trap_name(f->vector),
           (unsigned long)f->vector, (unsigned long)f->error_code,
           trap_from_user(f) ? "user" : "kernel");
    printk("  rip %016lx  cs %04lx  rflags %016lx  cr2 %016lx\n",
           (unsigned long)f->rip, (unsigned long)(f->cs & 0xffff),
           (unsigned long)f->rflags, (unsigned long)cr2);
    printk("  rsp %016lx  ss %04lx  saved upcall mask %lu\n", (unsigned long)f->rsp,
           (unsigned long)(f->ss & 0xffff), (unsigned long)((f->cs >> 32) & 0xff));
    printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", (unsigned long)f->rax,
           (unsigned long)f->rbx, (unsigned long)f->rcx, (unsigned long)f->rdx);
    printk("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", (unsigned long)f->rsi,
           (unsigned long)f->rdi, (unsigned long)f->rbp, (unsigned long)f->r8);
    printk("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", (unsigned long)f->r9,
           (unsigned long)f->r10, (unsigned long)f->r11, (unsigned long)f->r12);
    printk("  r13 %016lx  r14 %016lx  r15 %016lx\n", (unsigned long)f->r13,
           (unsigned long)f->r14, (unsigned long)f->r15);
}

void trap_dispatch(struct trap_frame *f)
{
    uint64_t cr2 = 0;

    /* Read cr2 before anything can fault again and overwrite it. */
    if (f->vector == TRAP_PF && shared_info != NULL)
        cr2 = this_vcpu_info()->arch.cr2;
    if (f->vector < TRAP_NR && hooks[f->vector] != NULL && hooks[f->vector](f, cr2))
        return;
    if (trap_from_user(f) && user_fault(f, cr2))
        return;
    trap_dump(f, cr2);
    guest_crash("unhandled trap in kernel mode");
}

void failsafe_dispatch(const uint64_t *frame)
{
    printk("trap: failsafe callback: rip %016lx cs %04lx ds %04lx es %04lx fs %04lx gs %04lx\n",
           (unsigned long)frame[6], (unsigned long)(frame[7] & 0xffff),
           (unsigned long)frame[2], (unsigned long)frame[3], (unsigned long)frame[4],
           (unsigned long)frame[5]);
    guest_crash("failsafe callback");
}
