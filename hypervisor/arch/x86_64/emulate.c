/*
 * Emulation of the privileged instructions a PV kernel may execute.
 *
 * The instruction bytes are read from the guest at the faulting rip (never
 * trusted beyond 15 bytes), decoded, and emulated only in guest kernel mode:
 *  - `ud2; .ascii "xen"; cpuid` (the forced-emulation prefix): CPUID with
 *    Xen's hypervisor leaves at 0x40000000 ("XenVMMXenVMM"), which is how
 *    PV guests find their hypervisor, and a filtered view of host leaves;
 *  - rdmsr/wrmsr of the FS/GS bases and a few read-only MSRs;
 *  - mov from cr0, cr2, cr3, cr4;
 *  - in/out, for a domain with I/O privilege (physdev set_iopl), except the
 *    ports the hypervisor itself drives;
 *  - hlt, as SCHEDOP_block.
 * Anything else is not emulated: the caller bounces the fault to the guest.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/guest_access.h>
#include <xenia/hypercalls.h>
#include <xenia/pv.h>
#include <xenia/version.h>
#include <public/sched.h>

#define MSR_EFER_ADDR      0xC0000080
#define MSR_IA32_MISC      0x000001A0
#define MSR_IA32_PAT       0x00000277

static const uint8_t forced_prefix[5] = { 0x0f, 0x0b, 'x', 'e', 'n' };

static uint64_t *gpr(struct cpu_regs *r, unsigned n)
{
    static const uint8_t off[16] = { 14, 12, 11, 13, 0xff, 8, 10, 9, 7, 6, 5, 4, 3, 2, 1, 0 };
    /* cpu_regs order: r15..r8, rbp, rdi, rsi, rdx, rcx, rbx, rax; rsp apart */
    if (n == 4)
        return &r->rsp;
    return (uint64_t *)r + off[n];
}

static void emulate_cpuid(struct cpu_regs *r)
{
    uint32_t leaf = (uint32_t)r->rax, sub = (uint32_t)r->rcx, out[4];

    if (leaf >= 0x40000000 && leaf < 0x40010000) {
        out[0] = out[1] = out[2] = out[3] = 0;
        switch (leaf) {
        case 0x40000000:
            out[0] = 0x40000002;            /* highest hypervisor leaf */
            memcpy(&out[1], "XenV", 4);
            memcpy(&out[2], "MMXe", 4);
            memcpy(&out[3], "nVMM", 4);
            break;
        case 0x40000001:
            out[0] = (4 << 16) | 17;        /* as XENVER_version */
            break;
        case 0x40000002:
            out[0] = 1;                     /* hypercall pages */
            out[1] = 0x40000000;            /* MSR to set one up (HVM only) */
            break;
        default:
            break;
        }
    } else {
        cpuid(leaf, sub, out);
        if (leaf == 1) {
            out[2] |= 1u << 31;             /* running under a hypervisor */
            out[2] &= ~((1u << 3) | (1u << 5) | (1u << 17) | (1u << 21) |
                        (1u << 26) | (1u << 27) | (1u << 28));
            /* no MONITOR, VMX, PCID, x2APIC, XSAVE, OSXSAVE, AVX */
        }
    }
    r->rax = out[0];
    r->rbx = out[1];
    r->rcx = out[2];
    r->rdx = out[3];
}

static bool port_is_hypervisors(uint16_t port, unsigned size)
{
    static const uint16_t ranges[][2] = {
        { 0x20, 0x21 }, { 0xa0, 0xa1 },     /* PICs */
        { 0x40, 0x43 }, { 0x61, 0x61 },     /* PIT, speaker/gate */
        { 0x70, 0x71 },                     /* RTC/CMOS */
        { 0xf4, 0xf7 },                     /* QEMU debug exit */
        { 0x3f8, 0x3ff },                   /* COM1: the hypervisor console */
        { 0xcf8, 0xcff },                   /* PCI configuration */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ranges); i++)
        if (port <= ranges[i][1] && port + size - 1 >= ranges[i][0])
            return true;
    return false;
}

static bool emulate_io(struct vcpu *v, struct cpu_regs *r, uint8_t op, const uint8_t *b,
                       bool opsize16, unsigned *len)
{
    struct domain *d = v->domain;
    bool in = !(op & 2);
    unsigned size = (op & 1) ? (opsize16 ? 2 : 4) : 1;
    uint16_t port;

    if (op <= 0xe7) {
        port = b[0];
        *len += 1;
    } else {
        port = (uint16_t)r->rdx;
    }
    if (!d->io_privileged || d->iopl < 1 || port_is_hypervisors(port, size))
        return false;
    if (in) {
        uint32_t val = 0;
        if (size == 1)
            __asm__ volatile("inb %w1, %b0" : "=a"(val) : "Nd"(port));
        else if (size == 2)
            __asm__ volatile("inw %w1, %w0" : "=a"(val) : "Nd"(port));
        else
            __asm__ volatile("inl %w1, %0" : "=a"(val) : "Nd"(port));
        uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
        r->rax = size == 4 ? val : (r->rax & ~mask) | (val & mask);
    } else {
        if (size == 1)
            __asm__ volatile("outb %b0, %w1" ::"a"(r->rax), "Nd"(port));
        else if (size == 2)
            __asm__ volatile("outw %w0, %w1" ::"a"(r->rax), "Nd"(port));
        else
            __asm__ volatile("outl %k0, %w1" ::"a"(r->rax), "Nd"(port));
    }
    return true;
}

static bool emulate_rdmsr(struct vcpu *v, struct cpu_regs *r)
{
    uint64_t val;
    switch ((uint32_t)r->rcx) {
    case MSR_FS_BASE: val = v->fs_base; break;
    case MSR_GS_BASE: val = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user; break;
    case MSR_KERNEL_GS_BASE: val = v->kernel_mode ? v->gs_base_user : v->gs_base_kernel; break;
    case MSR_EFER_ADDR: val = rdmsr(MSR_EFER_ADDR) & ((1u << 0) | (1u << 8) | (1u << 10) | (1u << 11)); break;
    case MSR_IA32_MISC: val = 0; break;
    case MSR_IA32_PAT: val = rdmsr(MSR_IA32_PAT); break;
    default: return false;
    }
    r->rax = (uint32_t)val;
    r->rdx = val >> 32;
    return true;
}

static bool emulate_wrmsr(struct vcpu *v, struct cpu_regs *r)
{
    uint64_t val = (r->rdx << 32) | (uint32_t)r->rax;
    uint64_t which;
    switch ((uint32_t)r->rcx) {
    case MSR_FS_BASE: which = SEGBASE_FS; break;
    case MSR_GS_BASE: which = v->kernel_mode ? SEGBASE_GS_KERNEL : SEGBASE_GS_USER; break;
    case MSR_KERNEL_GS_BASE: which = v->kernel_mode ? SEGBASE_GS_USER : SEGBASE_GS_KERNEL; break;
    default: return false;
    }
    return do_set_segment_base(which, val) == 0;
}

int pv_emulate_privileged(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t b[16];
    unsigned n = 0, len;
    bool opsize16 = false;
    uint8_t rex = 0;

    if (!v->kernel_mode)
        return 0;
    for (n = 0; n < 15; n++)                    /* read up to a page boundary */
        if (copy_from_guest(&b[n], r->rip + n, 1))
            break;
    if (n >= 7 && !memcmp(b, forced_prefix, 5) && b[5] == 0x0f && b[6] == 0xa2) {
        emulate_cpuid(r);
        r->rip += 7;
        return 1;
    }
    unsigned i = 0;
    while (i < n && (b[i] == 0x66 || (b[i] & 0xf0) == 0x40)) {
        if (b[i] == 0x66)
            opsize16 = true;
        else
            rex = b[i];
        i++;
    }
    if (i >= n)
        return 0;
    len = i + 1;
    uint8_t op = b[i];
    if ((op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef)) {
        if (i + 1 >= n && op <= 0xe7)
            return 0;
        if (!emulate_io(v, r, op, &b[i + 1], opsize16, &len))
            return 0;
    } else if (op == 0xf4) {                    /* hlt */
        do_sched_op(SCHEDOP_block, 0);
    } else if (op == 0x0f && i + 1 < n) {
        uint8_t op2 = b[i + 1];
        len = i + 2;
        if (op2 == 0x32) {
            if (!emulate_rdmsr(v, r))
                return 0;
        } else if (op2 == 0x30) {
            if (!emulate_wrmsr(v, r))
                return 0;
        } else if (op2 == 0x20 && i + 2 < n && (b[i + 2] & 0xc0) == 0xc0) {
            unsigned cr = ((b[i + 2] >> 3) & 7) | ((rex & 4) ? 8 : 0);
            unsigned reg = (b[i + 2] & 7) | ((rex & 1) ? 8 : 0);
            uint64_t val;
            len = i + 3;
            switch (cr) {
            case 0: val = (read_cr0() & ~8ull) | (v->guest_ts ? 8 : 0); break;
            case 2: val = v->vcpu_info->arch.cr2; break;
            case 3: val = (v->kernel_mode ? v->kernel_l4_mfn : v->user_l4_mfn) << 12; break;
            case 4: val = read_cr4(); break;
            default: return 0;
            }
            *gpr(r, reg) = val;
        } else {
            return 0;
        }
    } else {
        return 0;
    }
    r->rip += len;
    return 1;
}
