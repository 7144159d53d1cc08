/*
 * The test cases. Functional cases check that each PV path does what a
 * guest relies on; hostile cases (hostile_*) check the exact error a
 * misbehaving guest gets and that nothing changed. Every case ends with a
 * verdict; the boot harness also checks that the hypervisor never panics.
 */
#include "pvtest.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/grant_table.h>

volatile struct trap_record last_trap;
uint64_t (*trap_hook)(struct trap_frame *f);

void pvtest_event(void);

void pvtest_trap(struct trap_frame *f);
void pvtest_trap(struct trap_frame *f)
{
    if (f->vector == 0x200) {               /* the event callback (head.S) */
        pvtest_event();
        return;
    }
    last_trap.count++;
    last_trap.vector = f->vector;
    last_trap.error_code = f->error_code;
    last_trap.rip = f->rip;
    last_trap.cs = f->cs;
    last_trap.rflags = f->rflags;
    last_trap.cr2 = shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
    if (!trap_hook) {
        printf("unexpected trap %lu at %#lx (error %#lx)\n", f->vector, f->rip, f->error_code);
        pvtest_finish(RESULT_FAILURE);
    }
    f->rip += trap_hook(f);
}

extern char trap_0[], trap_1[], trap_3[], trap_6[], trap_7[], trap_13[], trap_14[], trap_128[];

void install_traps(void)
{
    struct trap_info t[] = {
        { 0, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_0 },
        { 1, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_1 },
        { 3, 3, FLAT_KERNEL_CS, 0, (uint64_t)trap_3 },     /* DPL 3: int3 from anywhere */
        { 6, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_6 },
        { 7, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_7 },
        { 13, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_13 },
        { 14, 0, FLAT_KERNEL_CS, 0, (uint64_t)trap_14 },
        { 128, 3, FLAT_KERNEL_CS, 0, (uint64_t)trap_128 },
        { 0, 0, 0, 0, 0 },
    };
    long rc = HYPERCALL2(__HYPERVISOR_set_trap_table, t, 0);
    if (rc) {
        printf("set_trap_table: %ld\n", rc);
        pvtest_finish(RESULT_ERROR);
    }
}

/* ---- functional ---- */

static enum result case_hello(void)
{
    long v = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0);
    printf("hello from pvtest: hypervisor version %ld.%ld\n", v >> 16, v & 0xffff);
    EXPECT_EQ("start_info magic ok", str_starts((const char *)pvtest_si->magic, "xen-3.0-x86_64"), 1);
    EXPECT_EQ("SIF_INITDOMAIN|SIF_PRIVILEGED", pvtest_si->flags & 3, 3);
    return VERDICT();
}

static enum result case_version(void)
{
    char caps[1024] = { 0 };
    struct xen_platform_parameters pp = { 0 };
    struct xen_feature_info fi = { 0, 0xdeadbeef };
    EXPECT_EQ("capabilities rc", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_capabilities, caps), 0);
    EXPECT_EQ("capabilities = xen-3.0-x86_64", str_starts(caps, "xen-3.0-x86_64") && caps[14] == 0, 1);
    EXPECT_EQ("pagesize", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_pagesize, 0), 4096);
    EXPECT_EQ("platform_parameters rc", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_platform_parameters, &pp), 0);
    EXPECT_EQ("virt_start", pp.virt_start == 0xFFFF800000000000ull, 1);
    EXPECT_EQ("get_features rc", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_get_features, &fi), 0);
    EXPECT_EQ("get_features submap 0 written", fi.submap != 0xdeadbeef, 1);
    long v_page = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0);
    long v_direct = HYPERCALL_DIRECT3(__HYPERVISOR_xen_version, XENVER_version, 0, 0);
    EXPECT_EQ("direct syscall hypercall = page hypercall", v_direct, v_page);
    EXPECT_EQ("unknown hypercall 60", HYPERCALL2(60, 0, 0), -38);
    EXPECT_EQ("unknown hypercall 1000 (direct syscall)", HYPERCALL_DIRECT3(1000, 0, 0, 0), -38);
    EXPECT_EQ("unknown xen_version command", HYPERCALL2(__HYPERVISOR_xen_version, 999, 0), -38);
    uint32_t r[4];
    __asm__ volatile("ud2; .ascii \"xen\"; cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0x40000000), "c"(0));
    EXPECT_EQ("cpuid 0x40000000 ebx 'XenV'", r[1], 0x566e6558);
    EXPECT_EQ("cpuid 0x40000000 ecx 'MMXe'", r[2], 0x65584d4d);
    EXPECT_EQ("cpuid 0x40000000 edx 'nVMM'", r[3], 0x4d4d566e);
    EXPECT_EQ("cpuid max hypervisor leaf >= 0x40000002", r[0] >= 0x40000002, 1);
    return VERDICT();
}

static uint64_t skip_hook(struct trap_frame *f)
{
    switch (f->vector) {
    case 6: return 2;                   /* ud2 */
    case 0: return 3;                   /* div %rcx (48 f7 f1) */
    default: return 0;                  /* int3, int $0x80: rip is already past */
    }
}

static enum result case_traps(void)
{
    install_traps();
    trap_hook = skip_hook;

    uint64_t before = last_trap.count;
    __asm__ volatile("int3; 1: lea 1b(%%rip), %%rax" ::: "rax", "memory");
    EXPECT_EQ("int3 delivered", last_trap.count - before, 1);
    EXPECT_EQ("int3 vector", last_trap.vector, 3);
    EXPECT_EQ("bounce cs has RPL 0 (kernel context)", last_trap.cs & 0xffff, FLAT_KERNEL_CS & ~3);
    EXPECT_EQ("saved upcall mask (bits 32-39) = 1 at boot", (last_trap.cs >> 32) & 0xff, 1);
    EXPECT_EQ("rflags.IF = !mask", (last_trap.rflags >> 9) & 1, 0);

    __asm__ volatile("ud2" ::: "memory");
    EXPECT_EQ("ud2 -> #UD", last_trap.vector, 6);
    __asm__ volatile("int $0x80" ::: "memory");
    EXPECT_EQ("int $0x80 -> vector 128", last_trap.vector, 128);
    __asm__ volatile("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; .byte 0x48, 0xf7, 0xf1"
                     ::: "rax", "rcx", "rdx", "memory");
    EXPECT_EQ("div by zero -> #DE", last_trap.vector, 0);
    EXPECT_EQ("traps taken", last_trap.count - before, 4);
    return VERDICT();
}

static uint64_t pf_va, pf_mfn;

static uint64_t pf_hook(struct trap_frame *f)
{
    if (f->vector != 14)
        return 0;
    /* Resolve the fault by mapping the page back. */
    update_va(pf_va, (pf_mfn << 12) | PTE_FLAGS, UVMF_INVLPG);
    return 0;
}

static enum result case_pagefault(void)
{
    map_shared_info();
    install_traps();
    trap_hook = pf_hook;
    pf_va = spare_page(3);
    pf_mfn = va_to_mfn(pf_va);
    *(volatile uint64_t *)pf_va = 0x5eed5eed;
    EXPECT_EQ("unmap", update_va(pf_va, 0, UVMF_INVLPG), 0);
    uint64_t n = last_trap.count;
    uint64_t v = *(volatile uint64_t *)pf_va;       /* faults, handler remaps, retried */
    EXPECT_EQ("page fault taken once", last_trap.count - n, 1);
    EXPECT_EQ("vector", last_trap.vector, 14);
    EXPECT_EQ("cr2 in vcpu_info = faulting address", last_trap.cr2 == pf_va, 1);
    EXPECT_EQ("error code: not present, read, user", last_trap.error_code, 4);
    EXPECT_EQ("contents after the fault", v, 0x5eed5eed);
    return VERDICT();
}

static enum result case_mmu_update(void)
{
    uint64_t a = spare_page(4), b = spare_page(5), done = 0;
    uint64_t ma = va_to_mfn(a), mb = va_to_mfn(b);
    *(volatile uint64_t *)b = 0xb0b0b0b0;
    *(volatile uint64_t *)a = 0xa0a0a0a0;
    EXPECT_EQ("map a -> frame of b", mmu_update1(pte_maddr(a, 1), (mb << 12) | PTE_FLAGS, &done), 0);
    EXPECT_EQ("done", done, 1);
    EXPECT_EQ("invlpg", mmuext1(MMUEXT_INVLPG_LOCAL, a, 0), 0);
    EXPECT_EQ("a now reads b's contents", *(volatile uint64_t *)a, 0xb0b0b0b0);
    EXPECT_EQ("map a back", mmu_update1(pte_maddr(a, 1), (ma << 12) | PTE_FLAGS, &done), 0);
    EXPECT_EQ("flush", mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    EXPECT_EQ("a reads its own contents", *(volatile uint64_t *)a, 0xa0a0a0a0);

    volatile const uint64_t *m2p = (const uint64_t *)0xFFFF800000000000ull;
    uint64_t old = m2p[mb];
    EXPECT_EQ("MACHPHYS_UPDATE", mmu_update1((mb << 12) | MMU_MACHPHYS_UPDATE, 12345, 0), 0);
    EXPECT_EQ("M2P entry seen by the guest", m2p[mb], 12345);
    EXPECT_EQ("restore M2P", mmu_update1((mb << 12) | MMU_MACHPHYS_UPDATE, old, 0), 0);

    static struct mmu_update batch[100];
    for (unsigned i = 0; i < 100; i++) {
        uint64_t va = spare_page(10 + i);
        batch[i].ptr = pte_maddr(va, 1);
        batch[i].val = (va_to_mfn(va) << 12) | PTE_FLAGS;   /* rewrite as is */
    }
    EXPECT_EQ("batch of 100", HYPERCALL4(__HYPERVISOR_mmu_update, batch, 100, &done, DOMID_SELF), 0);
    EXPECT_EQ("batch done", done, 100);
    return VERDICT();
}

static uint64_t read_system_time(void)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t ver;
    uint64_t ns;
    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        uint64_t delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        if (t->tsc_shift >= 0)
            delta <<= t->tsc_shift;
        else
            delta >>= -t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != t->version);
    return ns;
}

static enum result case_time(void)
{
    map_shared_info();
    uint64_t t1 = read_system_time();
    for (volatile unsigned i = 0; i < 1000000; i++)
        ;
    uint64_t t2 = read_system_time();
    printf("system time %lu ns -> %lu ns\n", t1, t2);
    EXPECT_EQ("system time advances", t2 > t1, 1);
    EXPECT_EQ("vcpu_time_info version even", shared_info->vcpu_info[0].time.version % 2, 0);
    EXPECT_EQ("tsc_to_system_mul set", shared_info->vcpu_info[0].time.tsc_to_system_mul != 0, 1);
    printf("wall clock %u s\n", shared_info->wc_sec);
    EXPECT_EQ("wall clock after 2020", shared_info->wc_sec > 1577836800u, 1);
    /* block with a timer a few ms ahead: must come back, after the deadline */
    uint64_t deadline = read_system_time() + 20000000;
    EXPECT_EQ("set_timer_op", HYPERCALL2(__HYPERVISOR_set_timer_op, deadline, 0), 0);
    EXPECT_EQ("block", HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_block, 0), 0);
    EXPECT_EQ("woken after the deadline", read_system_time() >= deadline, 1);
    return VERDICT();
}

/* ---- user mode ---- */

#define USER_CODE_VA 0x400000ull
#define USER_STACK_VA 0x402000ull
extern char user_code[], syscall_entry[];
static uint8_t kernel_stack[16384] __attribute__((aligned(16)));
static unsigned user_syscalls;
static void bench_user_done(uint64_t total) __attribute__((noreturn));

long pvtest_syscall(uint64_t nr, uint64_t *frame, uint64_t arg);
long pvtest_syscall(uint64_t nr, uint64_t *frame, uint64_t arg)
{
    user_syscalls++;
    if (nr == 1) {
        printf("user says: %s (cs %#lx)\n", (const char *)arg, frame[1] & 0xffff);
        EXPECT_EQ("syscall frame cs is the user's (RPL 3)", frame[1] & 3, 3);
        return 0;
    }
    if (nr == 3 || nr == 4)
        return 0;                                   /* hostile_user_top, bench */
    if (nr == 5)
        bench_user_done(arg);
    if (nr == 2) {
        EXPECT_EQ("exit code", arg, 42);
        EXPECT_EQ("user stack write seen", *(volatile uint64_t *)(USER_STACK_VA + 4096 - 8), 0x1234);
        EXPECT_EQ("syscalls", user_syscalls, 2);
        pvtest_finish(VERDICT());
    }
    return -38;
}

static void enter_user(uint64_t rip, uint64_t rsp)
{
    __asm__ volatile("pushq %[ss]; pushq %[rsp]; pushq $0x202; pushq %[cs]; pushq %[rip];"
                     "pushq $0; jmp hypercall_page + 23 * 32"
                     :: [ss] "i"(FLAT_USER_SS), [rsp] "r"(rsp), [cs] "i"(FLAT_USER_CS),
                        [rip] "r"(rip) : "memory");
}

/*
 * User page tables: a fresh L4/L3/L2/L1 chain (spare pages `first`..+3)
 * mapping code_mfn read-only at code_va and one stack page right below
 * stack_top, pinned and installed as the user L4; the kernel L4 shares the
 * user L3 so the kernel sees user memory too.
 */
static void setup_user(unsigned first, uint64_t code_va, uint64_t code_mfn, uint64_t stack_top)
{
    uint64_t t4 = spare_page(first), t3 = spare_page(first + 1), t2 = spare_page(first + 2);
    uint64_t t1 = spare_page(first + 3), ustack = spare_page(first + 4), done;
    for (uint64_t va = t4; va <= ustack; va += 4096)
        for (unsigned i = 0; i < 512; i++)
            ((uint64_t *)va)[i] = 0;
    /* code and stack share one L1 in these tests */
    ((uint64_t *)t1)[(code_va >> 12) & 511] = (code_mfn << 12) | PTE_P | PTE_US;
    ((uint64_t *)t1)[((stack_top - 4096) >> 12) & 511] = (va_to_mfn(ustack) << 12) | PTE_FLAGS;
    ((uint64_t *)t2)[(code_va >> 21) & 511] = (va_to_mfn(t1) << 12) | PTE_FLAGS;
    ((uint64_t *)t3)[(code_va >> 30) & 511] = (va_to_mfn(t2) << 12) | PTE_FLAGS;
    ((uint64_t *)t4)[(code_va >> 39) & 511] = (va_to_mfn(t3) << 12) | PTE_FLAGS;
    /* Table frames must be read-only in our own mappings before use. */
    for (uint64_t va = t4; va <= t1; va += 4096)
        EXPECT_EQ("make table read-only", update_va(va, (va_to_mfn(va) << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    EXPECT_EQ("pin user L4", mmuext1(MMUEXT_PIN_L4_TABLE, va_to_mfn(t4), 0), 0);
    EXPECT_EQ("new_user_baseptr", mmuext1(MMUEXT_NEW_USER_BASEPTR, va_to_mfn(t4), 0), 0);
    EXPECT_EQ("kernel L4 maps the user L3", mmu_update1(pte_maddr(code_va, 4), (va_to_mfn(t3) << 12) | PTE_FLAGS, &done), 0);
    EXPECT_EQ("stack_switch", HYPERCALL2(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS, kernel_stack + sizeof(kernel_stack)), 0);
    struct callback_register cb = { CALLBACKTYPE_syscall, CALLBACKF_mask_events, 0, (uint64_t)syscall_entry };
    EXPECT_EQ("register syscall callback", HYPERCALL2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb), 0);
}

static enum result case_usermode(void)
{
    setup_user(20, USER_CODE_VA, va_to_mfn((uint64_t)user_code), USER_STACK_VA + 4096);
    if (pvtest_failures)
        return RESULT_FAILURE;
    printf("entering user mode at %#llx\n", USER_CODE_VA);
    enter_user(USER_CODE_VA, USER_STACK_VA + 4096);
    return RESULT_ERROR;                            /* the exit syscall finishes */
}

/* ---- hostile: MMU ---- */

static enum result case_hostile_mmu(void)
{
    uint64_t a = spare_page(4), done = 0;
    uint64_t l4 = va_to_mfn(pvtest_si->pt_base);
    uint64_t l3 = pte_read(a, 4) >> 12 & 0xffffffffffull;
    uint64_t l2 = pte_read(a, 3) >> 12 & 0xffffffffffull;
    uint64_t l1 = pte_read(a, 2) >> 12 & 0xffffffffffull;
    uint64_t orig = pte_read(a, 1);

    EXPECT_EQ("writable map of the pinned L4", update_va(a, (l4 << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("writable map of an L3 in use", update_va(a, (l3 << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("writable map of an L2 in use", update_va(a, (l2 << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("writable map of an L1 in use", update_va(a, (l1 << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("read-only map of the L1 is fine", update_va(a, (l1 << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    EXPECT_EQ("then toggling only its RW bit", update_va(a, (l1 << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("restore", update_va(a, orig, UVMF_INVLPG), 0);
    uint64_t l1_va = mfn_to_va(l1);
    EXPECT_EQ("RW toggle of the boot RO mapping of an L1", update_va(l1_va, pte_read(l1_va, 1) | PTE_RW, 0), -22);

    uint64_t slot = (l4 << 12) + 8 * 400;
    EXPECT_EQ("writable self-referencing L4", mmu_update1(slot, (l4 << 12) | PTE_FLAGS, &done), -22);
    EXPECT_EQ("read-only self-reference allowed", mmu_update1(slot, (l4 << 12) | PTE_P | PTE_US, &done), 0);
    EXPECT_EQ("and removed", mmu_update1(slot, 0, &done), 0);

    EXPECT_EQ("map an unowned frame (BIOS area)", update_va(a, (0x9full << 12) | PTE_FLAGS, 0), -1);
    EXPECT_EQ("map a frame past the end of RAM", update_va(a, (0xfffffffull << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("reserved bit 51 in an L1 entry", update_va(a, orig | (1ull << 51), 0), -22);

    uint64_t free2m = 0xffffffff80000000ull + 100 * (2ull << 20);   /* an unused slot of our L2 */
    EXPECT_EQ("L2 entry with PSE", mmu_update1(pte_maddr(free2m, 2), (va_to_mfn(a) << 12) | PTE_FLAGS | PTE_PSE, &done), -22);
    EXPECT_EQ("write hypervisor L4 slot 256", mmu_update1((l4 << 12) + 8 * 256, 0, &done), -22);
    EXPECT_EQ("write hypervisor L4 slot 271", mmu_update1((l4 << 12) + 8 * 271, (l3 << 12) | PTE_FLAGS, &done), -22);
    EXPECT_EQ("misaligned PTE address", mmu_update1(pte_maddr(a, 1) + 4, orig, &done), -22);

    EXPECT_EQ("pin a writable-mapped page as L1", mmuext1(MMUEXT_PIN_L1_TABLE, va_to_mfn(a), 0), -22);
    EXPECT_EQ("pin the L4 twice", mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), -22);
    EXPECT_EQ("unpin an unpinned page", mmuext1(MMUEXT_UNPIN_TABLE, va_to_mfn(a), 0), -22);
    EXPECT_EQ("pin a frame we do not own", mmuext1(MMUEXT_PIN_L1_TABLE, 0x9f, 0), -1);
    EXPECT_EQ("unknown mmuext command", mmuext1(99, 0, 0), -38);
    EXPECT_EQ("new_baseptr to a non-L4", mmuext1(MMUEXT_NEW_BASEPTR, va_to_mfn(a), 0), -22);
    EXPECT_EQ("mapping still intact", pte_read(a, 1) == orig, 1);
    return VERDICT();
}

static enum result case_hostile_batch(void)
{
    /* Two good requests at the end of a mapped page, then unmapped memory. */
    uint64_t page = spare_page(30), hole = spare_page(31), done = 0;
    EXPECT_EQ("unmap the next page", update_va(hole, 0, UVMF_INVLPG), 0);
    struct mmu_update *u = (struct mmu_update *)(hole - 2 * sizeof(*u));
    uint64_t a = spare_page(32), b = spare_page(33);
    u[0].ptr = pte_maddr(a, 1);
    u[0].val = pte_read(a, 1);
    u[1].ptr = pte_maddr(b, 1);
    u[1].val = pte_read(b, 1);
    EXPECT_EQ("huge count over unmapped memory", HYPERCALL4(__HYPERVISOR_mmu_update, u, 0x7fffffff, &done, DOMID_SELF), -14);
    EXPECT_EQ("exactly the readable requests done", done, 2);
    (void)page;
    done = 77;
    EXPECT_EQ("request buffer in the hypervisor range", HYPERCALL4(__HYPERVISOR_mmu_update, 0xFFFF830000000000ull, 1, &done, DOMID_SELF), -14);
    EXPECT_EQ("nothing done", done, 0);
    EXPECT_EQ("request buffer at the guest-readable M2P", HYPERCALL4(__HYPERVISOR_mmu_update, 0xFFFF800000000000ull, 1, &done, DOMID_SELF), -14);
    EXPECT_EQ("buffer straddling the end of the hypervisor range", HYPERCALL4(__HYPERVISOR_mmu_update, 0xFFFF87FFFFFFFFF8ull, 1, &done, DOMID_SELF), -14);
    EXPECT_EQ("non-canonical buffer", HYPERCALL4(__HYPERVISOR_mmu_update, 0x0000800000000000ull, 1, &done, DOMID_SELF), -14);
    EXPECT_EQ("done pointer in the hypervisor", HYPERCALL4(__HYPERVISOR_mmu_update, u, 1, 0xFFFF820000000000ull, DOMID_SELF), -14);
    EXPECT_EQ("foreign domain that does not exist", HYPERCALL4(__HYPERVISOR_mmu_update, u, 1, &done, 40), -3);

    /* A long batch is preempted and continued transparently. */
    static struct mmu_update big[4096];
    for (unsigned i = 0; i < 4096; i++) {
        uint64_t va = spare_page(40 + (i % 64));
        big[i].ptr = pte_maddr(va, 1);
        big[i].val = pte_read(va, 1);
    }
    EXPECT_EQ("4096-entry batch across preemptions", HYPERCALL4(__HYPERVISOR_mmu_update, big, 4096, &done, DOMID_SELF), 0);
    EXPECT_EQ("all done", done, 4096);
    return VERDICT();
}

static enum result case_hostile_multicall(void)
{
    /* [iret, mmu_update]: the iret must end the batch. */
    uint64_t a = spare_page(50), b = spare_page(51);
    uint64_t orig = pte_read(a, 1);
    static struct multicall_entry mc[2];
    mc[0].op = __HYPERVISOR_iret;
    mc[1].op = __HYPERVISOR_mmu_update;
    static struct mmu_update u;
    u.ptr = pte_maddr(a, 1);
    u.val = (va_to_mfn(b) << 12) | PTE_FLAGS;
    mc[1].args[0] = (uint64_t)&u;
    mc[1].args[1] = 1;
    mc[1].args[3] = DOMID_SELF;
    mc[1].result = 0xdead;
    long rax;
    /* An iret frame at the stack pointer the multicall sees; it "returns"
       to label 1 with our own stack. */
    __asm__ volatile("movq %%rsp, %%r12\n\t"
                     "andq $-16, %%rsp\n\t"
                     "pushq %[ss]\n\t"
                     "pushq %%r12\n\t"
                     "pushq $0x202\n\t"
                     "pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "pushq $0\n\t"                 /* flags */
                     "pushq %%rcx\n\t"
                     "pushq %%r11\n\t"
                     "pushq $0x77\n\t"              /* rax after the iret */
                     "movq %[list], %%rdi\n\t"
                     "movq $2, %%rsi\n\t"
                     "movq $13, %%rax\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:\n\t"
                     "movq %%r12, %%rsp\n\t"
                     : "=&a"(rax)
                     : [ss] "i"(FLAT_KERNEL_SS), [cs] "i"(FLAT_KERNEL_CS & ~3), [list] "r"(mc)
                     : "rdi", "rsi", "rdx", "rcx", "r8", "r9", "r10", "r11", "r12", "memory");
    EXPECT_EQ("returned through the iret entry", rax, 0x77);
    EXPECT_EQ("the mmu_update after it did not run", mc[1].result, 0xdead);
    EXPECT_EQ("PTE unchanged", pte_read(a, 1) == orig, 1);
    return VERDICT();
}

static enum result case_hostile_entry(void)
{
    struct trap_info bad[] = { { 3, 3, FLAT_KERNEL_CS, 0, 0x0000800000000000ull }, { 0, 0, 0, 0, 0 } };
    struct trap_info hv[] = { { 3, 3, FLAT_KERNEL_CS, 0, 0xFFFF820000001000ull }, { 0, 0, 0, 0, 0 } };
    EXPECT_EQ("trap table with a non-canonical handler", HYPERCALL2(__HYPERVISOR_set_trap_table, bad, 0), -22);
    EXPECT_EQ("trap table with a hypervisor handler", HYPERCALL2(__HYPERVISOR_set_trap_table, hv, 0), -22);
    EXPECT_EQ("trap table in the hypervisor range", HYPERCALL2(__HYPERVISOR_set_trap_table, 0xFFFF830000000000ull, 0), -14);
    EXPECT_EQ("set_callbacks non-canonical", HYPERCALL3(__HYPERVISOR_set_callbacks, 0x0000800000000000ull, 0, 0), -22);
    struct callback_register cb = { CALLBACKTYPE_event, 0, 0, 0xFFFF830000000000ull };
    EXPECT_EQ("callback in the hypervisor range", HYPERCALL2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb), -22);
    cb.type = 99;
    cb.address = 0x1000;
    EXPECT_EQ("unknown callback type", HYPERCALL2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb), -38);
    EXPECT_EQ("stack_switch to the hypervisor", HYPERCALL2(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS, 0xFFFF830000001000ull), -22);
    EXPECT_EQ("segment base in the hypervisor", HYPERCALL2(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0xFFFF830000000000ull), -22);
    EXPECT_EQ("console_io from the hypervisor range", HYPERCALL3(__HYPERVISOR_console_io, CONSOLEIO_write, 16, 0xFFFF820000200000ull), -14);
    EXPECT_EQ("multicall of a multicall", ({ static struct multicall_entry m = { __HYPERVISOR_multicall, 0, { 0 } };
                                              HYPERCALL2(__HYPERVISOR_multicall, &m, 1); m.result; }), -22);

    /* mov ss + single-step + syscall: the #DB lands in the hypervisor's
       syscall entry with our stack pointer; it must be harmless. */
    install_traps();
    trap_hook = skip_hook;
    long v;
    __asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq\n\t"     /* TF on */
                     "movl %%ss, %%edx; movl %%edx, %%ss\n\t"
                     "syscall\n\t"
                     "pushfq; andq $~0x100, (%%rsp); popfq\n\t"  /* TF off */
                     : "=a"(v) : "a"(__HYPERVISOR_xen_version), "D"(XENVER_pagesize), "S"(0)
                     : "rcx", "rdx", "r11", "memory");
    EXPECT_EQ("hypercall after mov-ss single-step", v, 4096);
    return VERDICT();
}

static enum result case_hostile_int80_unhandled(void)
{
    /* No trap table at all: int $0x80 must crash this domain, not the host. */
    __asm__ volatile("int $0x80");
    return RESULT_FAILURE;
}

#define TOP_PAGE 0x00007ffffffff000ull

static uint64_t top_hook(struct trap_frame *f)
{
    if (f->vector == 13 && f->rip == 0x0000800000000000ull) {
        printf("#GP for the return to %#lx from user mode (cs %#lx)\n", f->rip, f->cs & 0xffff);
        EXPECT_EQ("the fault is reported as user mode", f->cs & 3, 3);
        pvtest_finish(VERDICT());
    }
    printf("unexpected trap %lu at %#lx\n", f->vector, f->rip);
    pvtest_finish(RESULT_FAILURE);
}

static enum result case_hostile_user_top(void)
{
    /* User code whose `syscall` is the last instruction below the canonical
       hole: the return address rcx = 0x800000000000 is not canonical, so the
       way back to user mode must become a #GP for the guest kernel, never a
       fault in the hypervisor (XSA-7). */
    uint64_t code = spare_page(60);
    static const uint8_t tail[] = { 0xb8, 3, 0, 0, 0, 0x0f, 0x05 };   /* mov $3,%eax; syscall */
    for (unsigned i = 0; i < 4096; i++)
        ((uint8_t *)code)[i] = 0xcc;
    for (unsigned i = 0; i < sizeof(tail); i++)
        ((uint8_t *)code)[4096 - sizeof(tail) + i] = tail[i];
    install_traps();
    trap_hook = top_hook;
    setup_user(61, TOP_PAGE, va_to_mfn(code), TOP_PAGE);
    if (pvtest_failures)
        return RESULT_FAILURE;
    enter_user(TOP_PAGE + 4096 - sizeof(tail), TOP_PAGE);
    return RESULT_ERROR;
}

/* ---- benchmark: instruction counts under QEMU -icount (rdtsc counts
   instructions there); each figure is per operation, loop overhead out ---- */

#define BENCH_N 1000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t bench_empty;

static void bench_report(const char *name, uint64_t total, uint64_t n)
{
    uint64_t net = total > bench_empty * n / BENCH_N ? total - bench_empty * n / BENCH_N : 0;
    printf("bench: %-28s %8lu instructions\n", name, net / n);
}

static uint64_t fault_skip_hook(struct trap_frame *f)
{
    return f->vector == 14 ? 3 : 0;     /* skip the faulting 3-byte load */
}

extern char user_bench[];

static void bench_user_done(uint64_t total)
{
    bench_report("guest syscall bounce", total, BENCH_N);
    printf("bench: done\n");
    pvtest_finish(RESULT_SUCCESS);
}

static void bench_events_and_grants(void);

static enum result case_bench(void)
{
    uint64_t t0, t1, done;
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        __asm__ volatile("" ::: "memory");
    bench_empty = rdtsc() - t0;

    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0);
    t1 = rdtsc();
    bench_report("null hypercall (xen_version)", t1 - t0, BENCH_N);

    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        HYPERCALL_DIRECT3(__HYPERVISOR_xen_version, XENVER_version, 0, 0);
    t1 = rdtsc();
    bench_report("null hypercall (syscall)", t1 - t0, BENCH_N);

    uint64_t va = spare_page(4), ptr = pte_maddr(va, 1), pte = pte_read(va, 1);
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        mmu_update1(ptr, pte, &done);
    t1 = rdtsc();
    bench_report("mmu_update, 1 PTE", t1 - t0, BENCH_N);

    static struct mmu_update batch[512];
    for (unsigned i = 0; i < 512; i++) {
        uint64_t v = spare_page(10 + (i % 64));
        batch[i].ptr = pte_maddr(v, 1);
        batch[i].val = pte_read(v, 1);
    }
    t0 = rdtsc();
    for (unsigned i = 0; i < 10; i++)
        HYPERCALL4(__HYPERVISOR_mmu_update, batch, 512, &done, DOMID_SELF);
    t1 = rdtsc();
    bench_report("mmu_update, batch of 512", t1 - t0, 10);

    install_traps();
    trap_hook = fault_skip_hook;
    uint64_t hole = spare_page(90);
    update_va(hole, 0, UVMF_INVLPG);
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        __asm__ volatile("movq (%%rax), %%rax" ::"a"(hole) : "memory");   /* 48 8b 00 */
    t1 = rdtsc();
    bench_report("trap bounce (#PF and iret)", t1 - t0, BENCH_N);

    bench_events_and_grants();
    setup_user(100, USER_CODE_VA, va_to_mfn((uint64_t)user_bench), USER_STACK_VA + 4096);
    enter_user(USER_CODE_VA, USER_STACK_VA + 4096);
    return RESULT_ERROR;
}

/* ---- descriptor tables ---- */

#define DESC_DATA_DPL3 0x00cff2000000ffffull       /* flat data, DPL 3, present */
#define DESC_CODE_DPL0 0x00af9a000000ffffull       /* 64-bit code, DPL 0 */
#define DESC_CALLGATE  0x0000ec0000080000ull       /* a present call gate (S = 0) */

static enum result case_hostile_gdt(void)
{
    uint64_t page = spare_page(70), bad = spare_page(71), done;
    uint64_t mfn = va_to_mfn(page), bad_mfn = va_to_mfn(bad);
    for (unsigned i = 0; i < 512; i++) {
        ((uint64_t *)page)[i] = 0;
        ((uint64_t *)bad)[i] = 0;
    }
    ((uint64_t *)page)[2] = DESC_DATA_DPL3;
    ((uint64_t *)bad)[5] = DESC_CODE_DPL0;
    uint64_t frames[1] = { mfn };
    EXPECT_EQ("set_gdt on a frame mapped writable", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 16), -22);
    EXPECT_EQ("make it read-only", update_va(page, (mfn << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    EXPECT_EQ("set_gdt", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 16), 0);
    uint16_t sel = 0;
    __asm__ volatile("movw $0x13, %%ax; movw %%ax, %%ds; movw %%ds, %0" : "=r"(sel) :: "rax");
    EXPECT_EQ("a guest data selector loads", sel, 0x13);
    __asm__ volatile("movw %w0, %%ds" ::"r"(0));
    EXPECT_EQ("writable map of a GDT frame", update_va(page, (mfn << 12) | PTE_FLAGS, 0), -22);
    EXPECT_EQ("update_descriptor with a DPL 0 code segment", HYPERCALL2(__HYPERVISOR_update_descriptor, (mfn << 12) + 8 * 3, DESC_CODE_DPL0), -22);
    EXPECT_EQ("update_descriptor with a call gate", HYPERCALL2(__HYPERVISOR_update_descriptor, (mfn << 12) + 8 * 3, DESC_CALLGATE), -22);
    EXPECT_EQ("update_descriptor misaligned", HYPERCALL2(__HYPERVISOR_update_descriptor, (mfn << 12) + 8 * 3 + 4, DESC_DATA_DPL3), -22);
    EXPECT_EQ("update_descriptor DPL 3 data", HYPERCALL2(__HYPERVISOR_update_descriptor, (mfn << 12) + 8 * 3, DESC_DATA_DPL3), 0);
    EXPECT_EQ("descriptor written, accessed bit set", ((volatile uint64_t *)page)[3], DESC_DATA_DPL3 | (1ull << 40));
    EXPECT_EQ("update_descriptor of a frame we do not own", HYPERCALL2(__HYPERVISOR_update_descriptor, 0x9full << 12, DESC_DATA_DPL3), -1);
    EXPECT_EQ("make the bad frame read-only", update_va(bad, (bad_mfn << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    uint64_t bad_frames[1] = { bad_mfn };
    EXPECT_EQ("set_gdt with a DPL 0 code segment inside", HYPERCALL2(__HYPERVISOR_set_gdt, bad_frames, 16), -22);
    EXPECT_EQ("set_gdt past the guest's entries", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 7169), -22);
    EXPECT_EQ("set_gdt with the frame list in the hypervisor", HYPERCALL2(__HYPERVISOR_set_gdt, 0xFFFF830000000000ull, 16), -14);
    EXPECT_EQ("empty GDT", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 0), 0);
    EXPECT_EQ("the frame is writable again once released", update_va(page, (mfn << 12) | PTE_FLAGS, UVMF_INVLPG), 0);
    (void)done;
    return VERDICT();
}

/*
 * Failsafe: our ds selector stops being loadable (its descriptor made not
 * present) while we are switched out; reloading it on the way back must
 * give us the failsafe callback with the selector, never a hypervisor fault.
 */
extern char failsafe_entry[];
extern volatile uint64_t failsafe_ds, failsafe_count;

static uint64_t read_time_rough(void)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    return t->system_time;
}

static enum result case_failsafe(void)
{
    uint64_t page = spare_page(72);
    uint64_t mfn = va_to_mfn(page);
    map_shared_info();
    for (unsigned i = 0; i < 512; i++)
        ((uint64_t *)page)[i] = 0;
    ((uint64_t *)page)[2] = DESC_DATA_DPL3;
    EXPECT_EQ("make it read-only", update_va(page, (mfn << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    uint64_t frames[1] = { mfn };
    EXPECT_EQ("set_gdt", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 16), 0);
    struct callback_register cb = { CALLBACKTYPE_failsafe, 0, 0, (uint64_t)failsafe_entry };
    EXPECT_EQ("register failsafe", HYPERCALL2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb), 0);
    __asm__ volatile("movw $0x13, %%ax; movw %%ax, %%ds" ::: "rax");
    EXPECT_EQ("descriptor made not present", HYPERCALL2(__HYPERVISOR_update_descriptor, (mfn << 12) + 16, DESC_DATA_DPL3 & ~(1ull << 47)), 0);
    /* Block on a timer: we are switched out and back in. */
    EXPECT_EQ("set_timer_op", HYPERCALL2(__HYPERVISOR_set_timer_op, read_time_rough() + 30000000, 0), 0);
    EXPECT_EQ("block", HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_block, 0), 0);
    uint16_t ds;
    __asm__ volatile("movw %%ds, %0" : "=r"(ds));
    EXPECT_EQ("failsafe callbacks", failsafe_count, 1);
    EXPECT_EQ("failed selector reported", failsafe_ds, 0x13);
    EXPECT_EQ("ds is null afterwards", ds, 0);
    return VERDICT();
}

/*
 * No page-table frame is ever mapped writable: walk every table reachable
 * from our L4 (guest slots only) and check each L1 entry's target against
 * the set of table frames found.
 */
static uint64_t tables[256];
static unsigned nr_tables;

static void collect(uint64_t mfn, unsigned level)
{
    if (nr_tables < 256)
        tables[nr_tables++] = mfn;
    if (level == 1)
        return;
    const uint64_t *t = (const uint64_t *)mfn_to_va(mfn);
    for (unsigned i = 0; i < 512; i++) {
        if (level == 4 && i >= 256 && i <= 271)
            continue;                               /* the hypervisor's slots */
        if (t[i] & PTE_P)
            collect((t[i] >> 12) & 0xffffffffffull, level - 1);
    }
}

static enum result case_walk_tables(void)
{
    collect(va_to_mfn(pvtest_si->pt_base), 4);
    unsigned l1s = 0, rw_maps = 0, bad = 0;
    /* Every L1 entry: an RW mapping must not name any table frame. */
    uint64_t l4 = va_to_mfn(pvtest_si->pt_base);
    const uint64_t *t4 = (const uint64_t *)mfn_to_va(l4);
    for (unsigned a = 0; a < 512; a++) {
        if ((a >= 256 && a <= 271) || !(t4[a] & PTE_P))
            continue;
        const uint64_t *t3 = (const uint64_t *)mfn_to_va((t4[a] >> 12) & 0xffffffffffull);
        for (unsigned b = 0; b < 512; b++) {
            if (!(t3[b] & PTE_P))
                continue;
            const uint64_t *t2 = (const uint64_t *)mfn_to_va((t3[b] >> 12) & 0xffffffffffull);
            for (unsigned c = 0; c < 512; c++) {
                if (!(t2[c] & PTE_P))
                    continue;
                const uint64_t *t1 = (const uint64_t *)mfn_to_va((t2[c] >> 12) & 0xffffffffffull);
                l1s++;
                for (unsigned d = 0; d < 512; d++) {
                    if ((t1[d] & (PTE_P | PTE_RW)) != (PTE_P | PTE_RW))
                        continue;
                    rw_maps++;
                    uint64_t target = (t1[d] >> 12) & 0xffffffffffull;
                    for (unsigned k = 0; k < nr_tables; k++)
                        if (tables[k] == target) {
                            printf("FAIL writable mapping of table frame %#lx at L1 %u/%u/%u/%u\n", target, a, b, c, d);
                            bad++;
                        }
                }
            }
        }
    }
    printf("walked %u tables (%u L1s), %u writable mappings\n", nr_tables, l1s, rw_maps);
    EXPECT_EQ("writable mappings of page-table frames", bad, 0);
    EXPECT_EQ("the tables were walked", nr_tables >= 4 && rw_maps > 100, 1);
    return VERDICT();
}

/*
 * A batch of 2^20 mmu_update requests (16 MiB of them) completes through
 * preemption: first map 16 MiB more of our memory with 8 new L1 tables.
 */
static enum result case_hostile_batch_1m(void)
{
    const uint64_t base = 0xffffffff80000000ull;
    const uint64_t first_pfn = 1024, nr = 4096;     /* [4 MiB, 20 MiB) */
    uint64_t done;
    for (unsigned t = 0; t < 8; t++) {
        uint64_t l1 = spare_page(200 + t);
        for (unsigned i = 0; i < 512; i++)
            ((uint64_t *)l1)[i] = (pfn_to_mfn(first_pfn + t * 512 + i) << 12) | PTE_FLAGS;
        EXPECT_EQ("new L1 read-only", update_va(l1, (va_to_mfn(l1) << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
        uint64_t va = base + (first_pfn + t * 512) * 4096;
        EXPECT_EQ("hook the L1 into our L2", mmu_update1(pte_maddr(va, 2), (va_to_mfn(l1) << 12) | PTE_FLAGS, &done), 0);
    }
    if (pvtest_failures)
        return RESULT_FAILURE;
    struct mmu_update *reqs = (struct mmu_update *)(base + first_pfn * 4096);
    uint64_t va = spare_page(4), ptr = pte_maddr(va, 1), pte = pte_read(va, 1);
    for (uint64_t i = 0; i < nr * 4096 / sizeof(*reqs); i++) {
        reqs[i].ptr = ptr;
        reqs[i].val = pte;
    }
    long rc = HYPERCALL4(__HYPERVISOR_mmu_update, reqs, 1u << 20, &done, DOMID_SELF);
    EXPECT_EQ("1M-entry mmu_update", rc, 0);
    EXPECT_EQ("done", done, 1u << 20);
    return VERDICT();
}

/* Registers a guest did not give the hypervisor come back unchanged, and
   no hypervisor value ever shows up in them. */
static enum result case_regs(void)
{
    uint64_t out[6];
    __asm__ volatile("movq $0x1111, %%rbx; movq $0x2222, %%rbp; movq $0x3333, %%r12;"
                     "movq $0x4444, %%r13; movq $0x5555, %%r14; movq $0x6666, %%r15;"
                     "movq $17, %%rax; xorl %%edi, %%edi; xorl %%esi, %%esi; syscall;"
                     "movq %%rbx, 0(%0); movq %%rbp, 8(%0); movq %%r12, 16(%0);"
                     "movq %%r13, 24(%0); movq %%r14, 32(%0); movq %%r15, 40(%0)"
                     :: "r"(out) : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9",
                        "r10", "r11", "r12", "r13", "r14", "r15", "memory");
    for (unsigned i = 0; i < 6; i++)
        EXPECT_EQ("callee register preserved across a hypercall", out[i], 0x1111 * (i + 1));
    return VERDICT();
}

/* The registers at the entry point (pv-abi.md): rsi = start_info, rsp on
   the boot stack inside the initial mapping, IF set, flat selectors, all
   other GPRs zero; events masked in vcpu_info. */
extern uint64_t entry_regs[19];

static enum result case_entry_regs(void)
{
    static const char *const names[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    for (unsigned i = 0; i < 16; i++) {
        if (i == 4 || i == 7)
            continue;
        EXPECT_EQ(names[i], entry_regs[i], 0);
    }
    EXPECT_EQ("rsi = start_info", entry_regs[4] == (uint64_t)pvtest_si, 1);
    EXPECT_EQ("rsp above the page tables, 16-byte aligned",
              entry_regs[7] > pvtest_si->pt_base + pvtest_si->nr_pt_frames * 4096 && entry_regs[7] % 16 == 0, 1);
    EXPECT_EQ("rflags.IF", (entry_regs[16] >> 9) & 1, 1);
    EXPECT_EQ("cs", entry_regs[17], FLAT_KERNEL_CS);
    EXPECT_EQ("ss", entry_regs[18], FLAT_KERNEL_SS);
    map_shared_info();
    EXPECT_EQ("events masked at entry", shared_info->vcpu_info[0].evtchn_upcall_mask, 1);
    return VERDICT();
}

/* ---- regressions from the security review ---- */

static uint64_t nm_hook(struct trap_frame *f)
{
    if (f->vector == 7)                 /* lazy FPU: allow it and retry */
        HYPERCALL2(__HYPERVISOR_fpu_taskswitch, 0, 0);
    return 0;
}

static enum result case_hostile_review(void)
{
    map_shared_info();
    install_traps();
    uint64_t si_mfn = pvtest_si->shared_info >> 12, done;

    /* shared_info can never become a descriptor or page-table frame */
    uint64_t frames[1] = { si_mfn };
    EXPECT_EQ("shared_info as a GDT frame", HYPERCALL2(__HYPERVISOR_set_gdt, frames, 16), -22);
    EXPECT_EQ("pin shared_info as an L1", mmuext1(MMUEXT_PIN_L1_TABLE, si_mfn, 0), -22);
    EXPECT_EQ("update_descriptor into shared_info", HYPERCALL2(__HYPERVISOR_update_descriptor, si_mfn << 12, DESC_DATA_DPL3), -22);

    /* a second L4 made live, unpinned, then replaced: the old one must not be
       released while it is still in cr3 */
    uint64_t l4 = va_to_mfn(pvtest_si->pt_base), b = spare_page(80);
    const uint64_t *cur = (const uint64_t *)pvtest_si->pt_base;
    for (unsigned i = 0; i < 512; i++)
        ((uint64_t *)b)[i] = (i >= 256 && i <= 271) ? 0 : cur[i];
    EXPECT_EQ("second L4 read-only", update_va(b, (va_to_mfn(b) << 12) | PTE_P | PTE_US, UVMF_INVLPG), 0);
    EXPECT_EQ("pin second L4", mmuext1(MMUEXT_PIN_L4_TABLE, va_to_mfn(b), 0), 0);
    EXPECT_EQ("switch to it", mmuext1(MMUEXT_NEW_BASEPTR, va_to_mfn(b), 0), 0);
    EXPECT_EQ("unpin it while live", mmuext1(MMUEXT_UNPIN_TABLE, va_to_mfn(b), 0), 0);
    EXPECT_EQ("switch back (drops its last reference)", mmuext1(MMUEXT_NEW_BASEPTR, l4, 0), 0);
    EXPECT_EQ("still running after the switch", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_pagesize, 0), 4096);

    /* unpinning the live boot L4 keeps it alive: cr3 holds a reference */
    EXPECT_EQ("unpin the live L4", mmuext1(MMUEXT_UNPIN_TABLE, l4, 0), 0);
    EXPECT_EQ("still running", HYPERCALL2(__HYPERVISOR_xen_version, XENVER_pagesize, 0), 4096);
    EXPECT_EQ("pin it again", mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), 0);

    /* TS set across a switch-out (block): no hypervisor #NM; our next FPU
       use raises #NM for us */
    trap_hook = nm_hook;
    EXPECT_EQ("fpu_taskswitch(1)", HYPERCALL2(__HYPERVISOR_fpu_taskswitch, 1, 0), 0);
    EXPECT_EQ("set_timer_op", HYPERCALL2(__HYPERVISOR_set_timer_op, shared_info->vcpu_info[0].time.system_time + 20000000, 0), 0);
    EXPECT_EQ("block with TS set", HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_block, 0), 0);
    uint64_t n = last_trap.count;
    __asm__ volatile("fninit" ::: "memory");
    EXPECT_EQ("#NM delivered to us", last_trap.count - n == 1 && last_trap.vector == 7, 1);

    /* multicall: op numbers are 64-bit (no truncation to iret) */
    static struct multicall_entry mc[2];
    mc[0].op = (1ull << 32) | __HYPERVISOR_iret;
    mc[1].op = __HYPERVISOR_xen_version;
    mc[1].args[0] = XENVER_pagesize;
    EXPECT_EQ("multicall rc", HYPERCALL2(__HYPERVISOR_multicall, mc, 2), 0);
    EXPECT_EQ("op 2^32+23 is unknown, not iret", (long)mc[0].result, -38);
    EXPECT_EQ("the batch went on", (long)mc[1].result, 4096);

    /* a continuation inside a multicall: a long console write completes once */
    static char text[2000];
    for (unsigned i = 0; i < sizeof(text); i++)
        text[i] = (i % 100 == 99) ? '\n' : (char)('a' + i % 26);
    static struct multicall_entry mw[1];
    mw[0].op = __HYPERVISOR_console_io;
    mw[0].args[0] = CONSOLEIO_write;
    mw[0].args[1] = sizeof(text);
    mw[0].args[2] = (uint64_t)text;
    EXPECT_EQ("multicall console_io of 2000 bytes", HYPERCALL2(__HYPERVISOR_multicall, mw, 1), 0);
    EXPECT_EQ("its result", (long)mw[0].result, 0);

    /* mmu_update inside a multicall, long enough to be preempted */
    static struct mmu_update big[1024];
    for (unsigned i = 0; i < 1024; i++) {
        uint64_t va = spare_page(10 + (i % 64));
        big[i].ptr = pte_maddr(va, 1);
        big[i].val = pte_read(va, 1);
    }
    static struct multicall_entry mu[1];
    mu[0].op = __HYPERVISOR_mmu_update;
    mu[0].args[0] = (uint64_t)big;
    mu[0].args[1] = 1024;
    mu[0].args[2] = (uint64_t)&done;
    mu[0].args[3] = DOMID_SELF;
    EXPECT_EQ("multicall [mmu_update x1024]", HYPERCALL2(__HYPERVISOR_multicall, mu, 1), 0);
    EXPECT_EQ("its result", (long)mu[0].result, 0);
    EXPECT_EQ("all 1024 done", done, 1024);
    return VERDICT();
}

/* ---- toolstack (domctl) ---- */

static long domctl(struct xenia_domctl *op)
{
    op->version = XENIA_DOMCTL_VERSION;
    return HYPERCALL2(__HYPERVISOR_domctl, op, 0);
}

static uint64_t free_pages(void)
{
    struct xenia_domctl op = { .cmd = XENIA_DOMCTL_PHYSINFO };
    return domctl(&op) ? 0 : op.u.physinfo.free_pages;
}

static uint64_t domu_mfns[256];

static long create_populated(uint16_t *id, uint64_t pages)
{
    struct xenia_domctl op = { .cmd = XENIA_DOMCTL_CREATE };
    op.u.create.max_vcpus = 1;
    long rc = domctl(&op);
    if (rc)
        return rc;
    *id = op.domain;
    struct xenia_domctl mm = { .cmd = XENIA_DOMCTL_SET_MAX_MEM, .domain = *id };
    mm.u.max_mem.max_pages = pages;
    if ((rc = domctl(&mm)))
        return rc;
    struct xenia_domctl pop = { .cmd = XENIA_DOMCTL_POPULATE, .domain = *id };
    pop.u.populate.nr_pages = pages;
    pop.u.populate.mfns = (uint64_t)domu_mfns;
    return domctl(&pop);
}

static long destroy(uint16_t id)
{
    struct xenia_domctl op = { .cmd = XENIA_DOMCTL_DESTROY, .domain = id };
    return domctl(&op);
}

static enum result case_domctl_cycles(void)
{
    uint64_t before = free_pages();
    uint16_t id = 0;
    printf("free pages before: %lu\n", before);
    for (unsigned i = 0; i < 100; i++) {
        long rc = create_populated(&id, 256);
        /* ids round robin (Xen's rover): 1, 2, ... 63, then 1 again */
        if (rc || id != i % 63 + 1) {
            printf("cycle %u: create/populate %ld (domain %u)\n", i, rc, id);
            return RESULT_FAILURE;
        }
        struct xenia_domctl info = { .cmd = XENIA_DOMCTL_GET_INFO, .domain = id };
        if (domctl(&info) || info.u.info.nr_pages != 256 || !(info.u.info.flags & XENIA_DOMINF_PAUSED)) {
            printf("cycle %u: info wrong\n", i);
            return RESULT_FAILURE;
        }
        if ((rc = destroy(id))) {
            printf("cycle %u: destroy %ld\n", i, rc);
            return RESULT_FAILURE;
        }
    }
    uint64_t after = free_pages();
    printf("free pages after 100 create/populate/destroy cycles: %lu\n", after);
    EXPECT_EQ("free pages back to the start", after, before);
    struct xenia_domctl gone = { .cmd = XENIA_DOMCTL_GET_INFO, .domain = 1 };
    EXPECT_EQ("no domain left", domctl(&gone), -3);
    return VERDICT();
}

static enum result case_hostile_domctl(void)
{
    struct xenia_domctl op = { .cmd = XENIA_DOMCTL_PHYSINFO };
    op.version = 0x1234;
    EXPECT_EQ("wrong interface version", HYPERCALL2(__HYPERVISOR_domctl, &op, 0), -13);
    struct xenia_domctl d0 = { .cmd = XENIA_DOMCTL_DESTROY, .domain = 0 };
    EXPECT_EQ("destroy dom0 through domctl", domctl(&d0), -1);
    struct xenia_domctl none = { .cmd = XENIA_DOMCTL_PAUSE, .domain = 50 };
    EXPECT_EQ("unknown domain", domctl(&none), -3);
    struct xenia_domctl bad = { .cmd = 999, .domain = 0 };
    EXPECT_EQ("unknown command", domctl(&bad), -1);
    EXPECT_EQ("domctl buffer in the hypervisor", HYPERCALL2(__HYPERVISOR_domctl, 0xFFFF830000000000ull, 0), -14);

    uint16_t id;
    uint64_t before = free_pages();
    EXPECT_EQ("create and populate", create_populated(&id, 16), 0);
    struct xenia_domctl pop = { .cmd = XENIA_DOMCTL_POPULATE, .domain = id };
    pop.u.populate.nr_pages = 17;
    pop.u.populate.mfns = (uint64_t)domu_mfns;
    EXPECT_EQ("populate past max_mem", domctl(&pop), -22);
    struct xenia_domctl hp = { .cmd = XENIA_DOMCTL_HYPERCALL_PAGE, .domain = id };
    hp.u.hypercall_page.mfn = va_to_mfn(spare_page(4));
    EXPECT_EQ("hypercall page in a frame the domain does not own", domctl(&hp), -22);
    struct xenia_domctl un = { .cmd = XENIA_DOMCTL_UNPAUSE, .domain = id };
    EXPECT_EQ("unpause before a vCPU context", domctl(&un), -22);
    struct xenia_domctl vc = { .cmd = XENIA_DOMCTL_SET_VCPU_CONTEXT, .domain = id };
    vc.u.vcpu_context.rip = 0xffffffff80000000ull;
    vc.u.vcpu_context.rsp = 0xffffffff80010000ull;
    vc.u.vcpu_context.kernel_l4_mfn = domu_mfns[0];
    EXPECT_EQ("vCPU context with a frame that is no L4", domctl(&vc), -22);
    vc.u.vcpu_context.rip = 0xFFFF820000000000ull;
    EXPECT_EQ("vCPU context entering the hypervisor", domctl(&vc), -22);

    /* dom0 maps a domU frame (foreign mmu_update): the domain cannot go away
       until the mapping is gone */
    uint64_t va = spare_page(90), ma = pte_maddr(va, 1), orig = pte_read(va, 1), done;
    struct mmu_update u = { ma, (domu_mfns[3] << 12) | PTE_FLAGS };
    EXPECT_EQ("map a domU frame", HYPERCALL4(__HYPERVISOR_mmu_update, &u, 1, &done, id), 0);
    *(volatile uint64_t *)va = 0x1234;
    EXPECT_EQ("destroy while dom0 maps its page", destroy(id), -16);
    EXPECT_EQ("unmap", mmu_update1(ma, orig, &done), 0);
    EXPECT_EQ("flush", mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    EXPECT_EQ("destroy now", destroy(id), 0);
    EXPECT_EQ("free pages back", free_pages(), before);
    return VERDICT();
}

/* ---- event channels ---- */

extern char event_entry[];
static volatile unsigned port_hits[64];
static volatile unsigned upcalls;

void pvtest_event(void);
void pvtest_event(void)
{
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    upcalls++;
    vi->evtchn_upcall_pending = 0;
    uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned w = (unsigned)__builtin_ctzll(sel);
        sel &= sel - 1;
        uint64_t bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            __atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1ull << b), __ATOMIC_SEQ_CST);
            unsigned port = w * 64 + b;
            if (port < 64)
                port_hits[port]++;
        }
    }
}

static long evtchn_op(unsigned cmd, void *arg)
{
    return HYPERCALL2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static void unmask_port(unsigned port)
{
    struct evtchn_unmask u = { port };
    evtchn_op(EVTCHNOP_unmask, &u);
}

static void events_on(void)
{
    map_shared_info();
    struct callback_register cb = { CALLBACKTYPE_event, CALLBACKF_mask_events, 0, (uint64_t)event_entry };
    HYPERCALL2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb);
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
}

static enum result case_events(void)
{
    events_on();
    /* a loopback channel: alloc_unbound for ourselves, bind to it */
    struct evtchn_alloc_unbound al = { DOMID_SELF, DOMID_SELF, 0 };
    EXPECT_EQ("alloc_unbound", evtchn_op(EVTCHNOP_alloc_unbound, &al), 0);
    struct evtchn_bind_interdomain bi = { DOMID_SELF, 0, al.port, 0 };
    EXPECT_EQ("bind_interdomain to ourselves", evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0);
    unmask_port(al.port);
    unmask_port(bi.local_port);
    unsigned before = port_hits[al.port];
    struct evtchn_send sd = { bi.local_port };
    for (unsigned i = 0; i < 10; i++)
        EXPECT_EQ("send", evtchn_op(EVTCHNOP_send, &sd), 0);
    EXPECT_EQ("upcalls reached the other end", port_hits[al.port] - before >= 1, 1);
    struct evtchn_status st = { DOMID_SELF, 0, bi.local_port, 0, 0, { { 0 } } };
    EXPECT_EQ("status", evtchn_op(EVTCHNOP_status, &st), 0);
    EXPECT_EQ("status interdomain", st.status, EVTCHNSTAT_interdomain);
    EXPECT_EQ("peer port", st.u.interdomain.port, al.port);

    /* VIRQ_TIMER: set_timer_op raises it */
    struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };
    EXPECT_EQ("bind VIRQ_TIMER", evtchn_op(EVTCHNOP_bind_virq, &bv), 0);
    unmask_port(bv.port);
    unsigned t0 = port_hits[bv.port];
    uint64_t now = shared_info->vcpu_info[0].time.system_time;
    EXPECT_EQ("set_timer_op", HYPERCALL2(__HYPERVISOR_set_timer_op, now + 10000000, 0), 0);
    EXPECT_EQ("block", HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_block, 0), 0);
    EXPECT_EQ("timer event delivered", port_hits[bv.port] - t0, 1);
    EXPECT_EQ("bind VIRQ_TIMER twice", evtchn_op(EVTCHNOP_bind_virq, &bv), -17);

    /* close: the peer goes back to unbound */
    struct evtchn_close cl = { bi.local_port };
    EXPECT_EQ("close", evtchn_op(EVTCHNOP_close, &cl), 0);
    struct evtchn_status st2 = { DOMID_SELF, 0, al.port, 0, 0, { { 0 } } };
    EXPECT_EQ("status of the peer", evtchn_op(EVTCHNOP_status, &st2), 0);
    EXPECT_EQ("peer unbound again", st2.status, EVTCHNSTAT_unbound);
    struct evtchn_init_control ic;
    __builtin_memset(&ic, 0, sizeof(ic));
    EXPECT_EQ("FIFO init_control refused (guests fall back)", evtchn_op(EVTCHNOP_init_control, &ic), -38);
    return VERDICT();
}

static enum result case_hostile_events(void)
{
    events_on();
    struct evtchn_send s0 = { 0 }, smax = { 4096 }, sfree = { 4000 };
    EXPECT_EQ("send on port 0", evtchn_op(EVTCHNOP_send, &s0), -22);
    EXPECT_EQ("send on port 4096", evtchn_op(EVTCHNOP_send, &smax), -22);
    EXPECT_EQ("send on an unallocated port", evtchn_op(EVTCHNOP_send, &sfree), -22);
    struct evtchn_close c0 = { 0 }, cfree = { 4000 };
    EXPECT_EQ("close port 0", evtchn_op(EVTCHNOP_close, &c0), -22);
    EXPECT_EQ("close an unallocated port", evtchn_op(EVTCHNOP_close, &cfree), -22);
    struct evtchn_unmask u0 = { 0 }, umax = { 0xffffffffu };
    EXPECT_EQ("unmask port 0", evtchn_op(EVTCHNOP_unmask, &u0), -22);
    EXPECT_EQ("unmask port 2^32-1", evtchn_op(EVTCHNOP_unmask, &umax), -22);
    struct evtchn_bind_interdomain bi = { DOMID_SELF, 0, 4000, 0 };
    EXPECT_EQ("bind_interdomain to a port not unbound for us", evtchn_op(EVTCHNOP_bind_interdomain, &bi), -22);
    struct evtchn_bind_interdomain bu = { 55, 0, 1, 0 };
    EXPECT_EQ("bind_interdomain to an unknown domain", evtchn_op(EVTCHNOP_bind_interdomain, &bu), -3);
    struct evtchn_bind_virq bv = { 200, 0, 0 };
    EXPECT_EQ("bind an invalid VIRQ", evtchn_op(EVTCHNOP_bind_virq, &bv), -22);
    struct evtchn_bind_virq bv2 = { VIRQ_TIMER, 31, 0 };
    EXPECT_EQ("bind VIRQ_TIMER on a vCPU that does not exist (as Xen: -ENOENT)", evtchn_op(EVTCHNOP_bind_virq, &bv2), -2);
    EXPECT_EQ("unknown event channel op", evtchn_op(99, &bv), -38);
    EXPECT_EQ("argument in the hypervisor range", HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, 0xFFFF830000000000ull), -14);
    /* allocate until exhausted: -ENOSPC, then close one and allocate again */
    unsigned n = 0;
    long last = 0, rc;
    for (;;) {
        struct evtchn_alloc_unbound al = { DOMID_SELF, 0, 0 };
        rc = evtchn_op(EVTCHNOP_alloc_unbound, &al);
        if (rc)
            break;
        last = al.port;
        n++;
    }
    printf("allocated %u ports, then %ld\n", n, rc);
    EXPECT_EQ("exhaustion", rc, -28);
    EXPECT_EQ("all 4095 usable ports", n >= 4090, 1);
    struct evtchn_close cl = { (uint32_t)last };
    EXPECT_EQ("close one", evtchn_op(EVTCHNOP_close, &cl), 0);
    struct evtchn_alloc_unbound al = { DOMID_SELF, 0, 0 };
    EXPECT_EQ("allocate again", evtchn_op(EVTCHNOP_alloc_unbound, &al), 0);
    struct evtchn_reset rs = { DOMID_SELF };
    EXPECT_EQ("reset", evtchn_op(EVTCHNOP_reset, &rs), 0);
    EXPECT_EQ("allocate after reset", evtchn_op(EVTCHNOP_alloc_unbound, &al), 0);
    EXPECT_EQ("first free port reused", al.port, 1);
    return VERDICT();
}

/* ---- grant tables (granting to ourselves: dom0 is both sides) ---- */

static long gnt_op(unsigned cmd, void *op, unsigned count)
{
    return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, op, count);
}

static int16_t map_ref(uint32_t ref, uint64_t host_addr, uint32_t flags, grant_handle_t *h)
{
    struct gnttab_map_grant_ref m = { host_addr, flags, ref, DOMID_SELF, 0, 0, 0 };
    long rc = gnt_op(GNTTABOP_map_grant_ref, &m, 1);
    if (rc)
        return (int16_t)rc;
    if (m.status == GNTST_okay)
        *h = m.handle;
    return m.status;
}

static int16_t unmap_handle(grant_handle_t h, uint64_t host_addr)
{
    struct gnttab_unmap_grant_ref u = { host_addr, 0, h, 0, 0 };
    long rc = gnt_op(GNTTABOP_unmap_grant_ref, &u, 1);
    return rc ? (int16_t)rc : u.status;
}

/* A one-segment copy: src/dst are grant refs or our own frames per flags. */
static struct gnttab_copy copy_op(uint64_t src, uint64_t dst, uint16_t len, uint16_t flags)
{
    struct gnttab_copy cp;
    __builtin_memset(&cp, 0, sizeof(cp));
    if (flags & GNTCOPY_source_gref)
        cp.source.u.ref = (grant_ref_t)src;
    else
        cp.source.u.gmfn = src;
    if (flags & GNTCOPY_dest_gref)
        cp.dest.u.ref = (grant_ref_t)dst;
    else
        cp.dest.u.gmfn = dst;
    cp.source.domid = DOMID_SELF;
    cp.dest.domid = DOMID_SELF;
    cp.len = len;
    cp.flags = flags;
    return cp;
}

static enum result case_grants(void)
{
    uint64_t frame = 0;
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, { 0 }, (uint64_t)&frame };
    EXPECT_EQ("setup_table", gnt_op(GNTTABOP_setup_table, &st, 1), 0);
    EXPECT_EQ("setup_table status", st.status, 0);
    struct gnttab_query_size qs = { DOMID_SELF, 0, 0, 0, 0, 0 };
    EXPECT_EQ("query_size", gnt_op(GNTTABOP_query_size, &qs, 1), 0);
    EXPECT_EQ("nr_frames", qs.nr_frames, 1);
    uint64_t gva = spare_page(100);
    EXPECT_EQ("map the grant table", update_va(gva, (frame << 12) | PTE_FLAGS, UVMF_INVLPG), 0);
    volatile struct grant_entry_v1 *gt = (volatile struct grant_entry_v1 *)gva;

    uint64_t data = spare_page(101), target = spare_page(102), other = spare_page(103);
    uint64_t target_pte = pte_read(target, 1), other_pte = pte_read(other, 1);
    *(volatile uint64_t *)data = 0xfeedface;
    gt[10].domid = 0;
    gt[10].frame = (uint32_t)va_to_mfn(data);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gt[10].flags = GTF_permit_access;
    gt[11].domid = 5;                                   /* granted to somebody else */
    gt[11].frame = (uint32_t)va_to_mfn(data);
    gt[11].flags = GTF_permit_access;
    gt[12].domid = 0;
    gt[12].frame = (uint32_t)va_to_mfn(data);
    gt[12].flags = GTF_permit_access | GTF_readonly;

    grant_handle_t h = 0, h2 = 0;
    EXPECT_EQ("map ref 10", map_ref(10, target, GNTMAP_host_map, &h), GNTST_okay);
    EXPECT_EQ("mapped contents", *(volatile uint64_t *)target, 0xfeedface);
    EXPECT_EQ("GTF_reading|GTF_writing set while mapped", gt[10].flags & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
    EXPECT_EQ("ref past the table", map_ref(512, other, GNTMAP_host_map, &h2), GNTST_bad_gntref);
    EXPECT_EQ("entry granted to another domain", map_ref(11, other, GNTMAP_host_map, &h2), GNTST_permission_denied);
    EXPECT_EQ("writable map of a read-only grant", map_ref(12, other, GNTMAP_host_map, &h2), GNTST_permission_denied);
    EXPECT_EQ("read-only map of it", map_ref(12, other, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    EXPECT_EQ("read-only map sets reading only", gt[12].flags & (GTF_reading | GTF_writing), GTF_reading);
    EXPECT_EQ("misaligned PTE address", map_ref(10, pte_maddr(other, 1) + 3, GNTMAP_host_map | GNTMAP_contains_pte, &h2), GNTST_bad_virt_addr);
    EXPECT_EQ("map into the hypervisor range", map_ref(10, 0xFFFF830000000000ull, GNTMAP_host_map, &h2), GNTST_bad_virt_addr);
    EXPECT_EQ("unmap a bogus handle", unmap_handle(9999, target), GNTST_bad_handle);
    EXPECT_EQ("unmap at the wrong address", unmap_handle(h, other), GNTST_bad_virt_addr);
    EXPECT_EQ("unmap the read-only map", unmap_handle(h2, other), GNTST_okay);
    EXPECT_EQ("unmap ref 10", unmap_handle(h, target), GNTST_okay);
    EXPECT_EQ("double unmap", unmap_handle(h, target), GNTST_bad_handle);
    EXPECT_EQ("flags cleared after the last unmap", gt[10].flags & (GTF_reading | GTF_writing), 0);
    EXPECT_EQ("the unmapped slot is empty", pte_read(target, 1) & PTE_P, 0);
    EXPECT_EQ("remap our own pages", update_va(target, target_pte, UVMF_INVLPG) | update_va(other, other_pte, UVMF_INVLPG), 0);

    /* copy from a grant into one of our own frames */
    *(volatile uint64_t *)other = 0;
    struct gnttab_copy cp = copy_op(10, va_to_mfn(other), 8, GNTCOPY_source_gref);
    EXPECT_EQ("copy", gnt_op(GNTTABOP_copy, &cp, 1), 0);
    EXPECT_EQ("copy status", cp.status, GNTST_okay);
    EXPECT_EQ("copied", *(volatile uint64_t *)other, 0xfeedface);
    cp.len = 4096;
    cp.source.offset = 8;
    EXPECT_EQ("copy leaving its page", (gnt_op(GNTTABOP_copy, &cp, 1), cp.status), GNTST_bad_copy_arg);
    /* a grant to ourselves of a frame we do not own (the BIOS area) must not
       let a copy read or write it */
    gt[13].domid = 0;
    gt[13].frame = 0x9f;
    gt[13].flags = GTF_permit_access;
    cp = copy_op(13, va_to_mfn(other), 8, GNTCOPY_source_gref);
    EXPECT_EQ("copy from a granted frame we do not own", (gnt_op(GNTTABOP_copy, &cp, 1), cp.status), GNTST_bad_page);
    cp = copy_op(va_to_mfn(other), 13, 8, GNTCOPY_dest_gref);
    EXPECT_EQ("copy into a granted frame we do not own", (gnt_op(GNTTABOP_copy, &cp, 1), cp.status), GNTST_bad_page);
    /* a copy into our own L1 page table (given by number) is refused */
    cp = copy_op(va_to_mfn(other), pte_maddr(other, 1) >> 12, 8, 0);
    EXPECT_EQ("copy into our own page table", (gnt_op(GNTTABOP_copy, &cp, 1), cp.status), GNTST_bad_page);
    EXPECT_EQ("gt[13] flags untouched", gt[13].flags & (GTF_reading | GTF_writing), 0);
    EXPECT_EQ("unknown grant op", gnt_op(99, &cp, 1), -38);
    return VERDICT();
}

/* Event channel and grant figures for `make bench` (loopback to ourselves:
   one CPU, so the "round trip" is send -> upcall -> handler -> iret). */
static void bench_events_and_grants(void)
{
    uint64_t t0, t1;
    events_on();
    struct evtchn_alloc_unbound al = { DOMID_SELF, DOMID_SELF, 0 };
    evtchn_op(EVTCHNOP_alloc_unbound, &al);
    struct evtchn_bind_interdomain bi = { DOMID_SELF, 0, al.port, 0 };
    evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    struct evtchn_send sd = { bi.local_port };

    /* send with the target port masked: the hypercall and the pending bit only */
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        evtchn_op(EVTCHNOP_send, &sd);
    t1 = rdtsc();
    bench_report("event channel send", t1 - t0, BENCH_N);

    unmask_port(al.port);
    unsigned before = upcalls;
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        evtchn_op(EVTCHNOP_send, &sd);      /* each one delivers an upcall */
    t1 = rdtsc();
    if (upcalls - before != BENCH_N) {
        printf("bench: expected %u upcalls, got %u\n", BENCH_N, upcalls - before);
        pvtest_finish(RESULT_FAILURE);
    }
    bench_report("send + upcall + iret (loopback)", t1 - t0, BENCH_N);

    uint64_t frame = 0;
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, { 0 }, (uint64_t)&frame };
    gnt_op(GNTTABOP_setup_table, &st, 1);
    uint64_t gva = spare_page(110);   /* clear of setup_user(100) below */
    update_va(gva, (frame << 12) | PTE_FLAGS, UVMF_INVLPG);
    volatile struct grant_entry_v1 *gt = (volatile struct grant_entry_v1 *)gva;
    uint64_t data = spare_page(111), target = spare_page(112), other = spare_page(113);
    uint64_t target_pte = pte_read(target, 1);
    gt[10].domid = 0;
    gt[10].frame = (uint32_t)va_to_mfn(data);
    gt[10].flags = GTF_permit_access;
    grant_handle_t h = 0;
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++) {
        map_ref(10, target, GNTMAP_host_map, &h);
        unmap_handle(h, target);
    }
    t1 = rdtsc();
    bench_report("grant map + unmap", t1 - t0, BENCH_N);
    update_va(target, target_pte, UVMF_INVLPG);

    struct gnttab_copy cp = copy_op(10, va_to_mfn(other), 4096, GNTCOPY_source_gref);
    t0 = rdtsc();
    for (unsigned i = 0; i < BENCH_N; i++)
        gnt_op(GNTTABOP_copy, &cp, 1);
    t1 = rdtsc();
    bench_report("grant copy of 4 KiB", t1 - t0, BENCH_N);
}

const struct pvtest_case pvtest_cases[] = {
    { "hello", case_hello },
    { "bench", case_bench },
    { "version", case_version },
    { "traps", case_traps },
    { "pagefault", case_pagefault },
    { "mmu_update", case_mmu_update },
    { "time", case_time },
    { "usermode", case_usermode },
    { "hostile_mmu", case_hostile_mmu },
    { "hostile_batch", case_hostile_batch },
    { "hostile_multicall", case_hostile_multicall },
    { "hostile_entry", case_hostile_entry },
    { "hostile_int80_unhandled", case_hostile_int80_unhandled },
    { "hostile_user_top", case_hostile_user_top },
    { "hostile_gdt", case_hostile_gdt },
    { "hostile_batch_1m", case_hostile_batch_1m },
    { "walk_tables", case_walk_tables },
    { "failsafe", case_failsafe },
    { "regs", case_regs },
    { "entry_regs", case_entry_regs },
    { "hostile_review", case_hostile_review },
    { "domctl_cycles", case_domctl_cycles },
    { "events", case_events },
    { "grants", case_grants },
    { "hostile_events", case_hostile_events },
    { "hostile_domctl", case_hostile_domctl },
    { NULL, NULL },
};
