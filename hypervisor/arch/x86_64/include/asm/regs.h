/* Offsets into struct cpu_regs for assembly (checked in pv_entry.c). */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#define REGS_R15     0
#define REGS_R11     32
#define REGS_RCX     96
#define REGS_RAX     112
#define REGS_VECTOR  120
#define REGS_RIP     136
#define REGS_CS      144
#define REGS_RFLAGS  152
#define REGS_RSP     160
#define REGS_SS      168
#define REGS_SIZE    176
#define CPU_INFO_SIZE 192          /* sizeof(struct cpu_info) */

#define VEC_SYSCALL  0x100         /* entry_vector of a syscall entry */

#endif
