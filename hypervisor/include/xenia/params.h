/* Hypervisor boot options (Xen's names and syntax; see README.md). */
#ifndef XENIA_PARAMS_H
#define XENIA_PARAMS_H

#include "core/cmdline.h"

extern unsigned opt_console;                /* CMDLINE_CONSOLE_* mask, default com1 */
extern struct cmdline_com opt_com1;
extern struct cmdline_loglvl opt_loglvl;
extern struct cmdline_dom0_mem opt_dom0_mem;
extern bool opt_noreboot;
extern bool opt_testexit;                   /* Xenia: leave QEMU through isa-debug-exit */
extern char opt_testfault[16];              /* Xenia, test only: raise an exception at boot */
extern unsigned opt_dom0_max_vcpus;         /* dom0's vCPUs, 1..MAX_VCPUS_PER_DOMAIN (default 1) */

/* Parse the hypervisor command line (silently: the console may not be up);
   params_report() then prints the problems found. Never fatal. */
void params_parse(const char *cmdline);
void params_report(void);

#endif
