#ifndef XENIA_DOM0_H
#define XENIA_DOM0_H

#include "core/multiboot.h"

/* Build dom0 from its kernel module (and optional ramdisk module). */
int dom0_build(const struct mb_module *kernel, const struct mb_module *initrd,
               const char *cmdline);

#endif
