/*
 * Exceptions are bounced to the guest's trap table and the iret hypercall
 * resumes the interrupted code with every register intact:
 *  - int3 (DPL 3 gate): handler runs, rip already past the instruction;
 *  - ud2: handler skips the 2-byte instruction;
 *  - divide by zero (#DE): handler skips the 3-byte div;
 *  - a privileged instruction in the ring-3 kernel that the hypervisor
 *    does not emulate (invlpg; PV kernels use MMUEXT_INVLPG_LOCAL): #GP
 *    with error code 0, handler skips it;
 *  - `int $0x80` with no gate installed / `int $14` at a DPL-0 gate: #GP.
 * The handlers also check the frame: kernel-mode cs (RPL 0 as the
 * hypervisor presents it), the saved upcall mask (events were enabled),
 * and that events are masked inside the handler (TRAP_INFO_MASK_EVENTS).
 */
#include "test.h"
#include "arch/traps.h"
#include "guest/kernel.h"

const char test_title[] = "traps: int3, ud2, #DE, #GP bounce to handlers and resume";

static unsigned hits[TRAP_NR];
static uint64_t last_rip, last_error, last_cs;
static bool masked_inside;

static bool record(struct trap_frame *f, unsigned skip)
{
    hits[f->vector]++;
    last_rip = f->rip;
    last_error = f->error_code;
    last_cs = f->cs;
    masked_inside = vcpu_info0()->evtchn_upcall_mask != 0;
    f->rip += skip;
    return true;
}

static bool on_int3(struct trap_frame *f, uint64_t cr2)
{
    (void)cr2;
    return record(f, 0);
}

static bool on_ud(struct trap_frame *f, uint64_t cr2)
{
    (void)cr2;
    return record(f, 2);
}

static bool on_de(struct trap_frame *f, uint64_t cr2)
{
    (void)cr2;
    return record(f, 3);     /* div %rcx: 48 f7 f1 */
}

static bool on_gp(struct trap_frame *f, uint64_t cr2)
{
    const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;
    (void)cr2;
    /* invlpg (%rax) is 0f 01 38, int $n is cd nn. */
    return record(f, ip[0] == 0x0f ? 3 : 2);
}

static void check_frame(const char *what)
{
    test_check((last_cs & 0xffff) == 0xe030, "%s: cs %#lx, want kernel cs 0xe030", what,
               (unsigned long)(last_cs & 0xffff));
    test_check(((last_cs >> 32) & 0xff) == 0, "%s: saved upcall mask %lu, want 0", what,
               (unsigned long)((last_cs >> 32) & 0xff));
    test_check(masked_inside, "%s: events were not masked inside the handler", what);
    test_check(vcpu_info0()->evtchn_upcall_mask == 0, "%s: events still masked after iret",
               what);
}

enum test_result test_main(void)
{
    uint64_t r12 = 0x1212121212121212ULL, r15 = 0x1515151515151515ULL;
    uint64_t rax = 0xaaaa5555aaaa5555ULL, rcx = 0xcccc3333cccc3333ULL;

    trap_set_hook(TRAP_BP, on_int3);
    trap_set_hook(TRAP_UD, on_ud);
    trap_set_hook(TRAP_DE, on_de);
    trap_set_hook(TRAP_GP, on_gp);

    /* Registers survive the bounce and the iret. */
    __asm__ volatile("int3" : "+a"(rax), "+c"(rcx), "+r"(r12), "+r"(r15) : : "memory");
    test_check(hits[TRAP_BP] == 1, "int3 handler ran %u times", hits[TRAP_BP]);
    test_check(rax == 0xaaaa5555aaaa5555ULL && rcx == 0xcccc3333cccc3333ULL &&
                   r12 == 0x1212121212121212ULL && r15 == 0x1515151515151515ULL,
               "registers changed across int3");
    check_frame("int3");

    __asm__ volatile("ud2" : "+a"(rax), "+c"(rcx) : : "memory");
    test_check(hits[TRAP_UD] == 1, "ud2 handler ran %u times", hits[TRAP_UD]);
    test_check(rax == 0xaaaa5555aaaa5555ULL && rcx == 0xcccc3333cccc3333ULL,
               "registers changed across ud2");
    check_frame("ud2");

    uint64_t lo = 1, hi = 0, zero = 0;
    __asm__ volatile(".byte 0x48, 0xf7, 0xf1" /* div %rcx */
                     : "+a"(lo), "+d"(hi) : "c"(zero) : "memory");
    test_check(hits[TRAP_DE] == 1, "#DE handler ran %u times", hits[TRAP_DE]);
    check_frame("#DE");

    __asm__ volatile("invlpg (%0)" : : "a"(0x1000UL) : "memory");
    test_check(hits[TRAP_GP] == 1, "#GP handler ran %u times for invlpg", hits[TRAP_GP]);
    test_check(last_error == 0, "#GP error code %#lx for invlpg", (unsigned long)last_error);
    check_frame("#GP");

    /* int $14 names a DPL-0 gate of ours: the CPU rules give #GP. */
    __asm__ volatile("int $14" ::: "memory");
    test_check(hits[TRAP_GP] == 2, "int $14 did not become #GP (%u)", hits[TRAP_GP]);
    test_check(hits[TRAP_PF] == 0, "int $14 reached the page-fault handler");

    /* Many round trips. */
    for (int i = 0; i < 1000; i++)
        __asm__ volatile("int3" ::: "memory");
    test_check(hits[TRAP_BP] == 1001, "int3 loop: %u hits", hits[TRAP_BP]);
    test_note("%u traps handled", hits[TRAP_BP] + hits[TRAP_UD] + hits[TRAP_DE] + hits[TRAP_GP]);
    return TEST_SUCCESS;
}
