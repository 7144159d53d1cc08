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
#include <asm/x86.h>
#include <xenia/mm.h>
#include <xenia/pv.h>
#include <xenia/time.h>

extern uint8_t syscall_entry[], syscall32_entry[];
void desc_set_rsp0(uint64_t rsp0);

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
}

void pv_load_vcpu(struct vcpu *v)
{
    bool k = v->kernel_mode;
    write_cr3((k ? v->kernel_l4_mfn : v->user_l4_mfn) << PAGE_SHIFT);
    wrmsr(MSR_FS_BASE, v->fs_base);
    wrmsr(MSR_GS_BASE, k ? v->gs_base_kernel : v->gs_base_user);
    wrmsr(MSR_KERNEL_GS_BASE, k ? v->gs_base_user : v->gs_base_kernel);
    __asm__ volatile("clts; fxrstor (%0)" ::"r"(v->fpu) : "memory");
    if (v->guest_ts)
        __asm__ volatile("mov %%cr0, %%rax; or $8, %%rax; mov %%rax, %%cr0" ::: "rax");
    gdt_load_vcpu(v);
    time_update_vcpu(v);
}
