/*
 * Small hypercalls: xen_version, console_io, vm_assist, physdev_op.
 *
 * console_io write: the bytes go to the console with the domain's "(dN) "
 * prefix at each line start; at most CONSOLE_IO_CHUNK bytes per round, so
 * a huge count is preempted through a continuation, never a long loop.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/hypercall.h>
#include <xenia/hypercalls.h>
#include <xenia/version.h>
#include <public/features.h>
#include <public/physdev.h>
#include <public/version.h>

#define CONSOLE_IO_CHUNK 1024

long do_xen_version(uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        /* Xenia speaks the Xen 4.x PV ABI; report a 4.x version so that
           guests probing for features see a modern interface. */
        return (4 << 16) | 17;
    case XENVER_extraversion: {
        xen_extraversion_t ev = ".0-xenia";
        return copy_to_guest(arg, ev, sizeof(ev));
    }
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        memcpy(ci.compiler, "gcc", 4);
        memcpy(ci.compile_by, "xenia", 6);
        memcpy(ci.compile_domain, "xenia", 6);
        memcpy(ci.compile_date, XENIA_BUILD_DATE, sizeof(XENIA_BUILD_DATE));
        return copy_to_guest(arg, &ci, sizeof(ci));
    }
    case XENVER_capabilities: {
        xen_capabilities_info_t caps;
        memset(caps, 0, sizeof(caps));
        memcpy(caps, "xen-3.0-x86_64", 15);
        return copy_to_guest(arg, caps, sizeof(caps));
    }
    case XENVER_changeset: {
        xen_changeset_info_t cs;
        memset(cs, 0, sizeof(cs));
        memcpy(cs, "xenia " XENIA_VERSION_STRING, sizeof("xenia " XENIA_VERSION_STRING));
        return copy_to_guest(arg, cs, sizeof(cs));
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &pp, sizeof(pp));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        fi.submap = 0;
        if (fi.submap_idx == 0)
            fi.submap = 1u << XENFEAT_pae_pgdir_above_4gb;
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle: {
        xen_domain_handle_t h;
        memset(h, 0, sizeof(h));
        return copy_to_guest(arg, h, sizeof(h));
    }
    default:
        return -ENOSYS;
    }
}

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf)
{
    struct domain *d = current->domain;
    char chunk[CONSOLE_IO_CHUNK];

    switch (cmd) {
    case CONSOLEIO_write: {
        uint64_t n = MIN(count, (uint64_t)CONSOLE_IO_CHUNK);
        if (copy_from_guest(chunk, buf, n))
            return -EFAULT;
        if (d->first_output_tsc == 0 && n != 0)
            d->first_output_tsc = rdtsc();
        console_write_prefixed(d->console_prefix, &d->console_at_line_start, chunk, n,
                               LOG_INFO);
        if (count > n)
            return hypercall_continuation(__HYPERVISOR_console_io, cmd, count - n, buf + n, 0, 0);
        return 0;
    }
    case CONSOLEIO_read:
        /* No console input is routed to guests yet: nothing to read. */
        if (!d->privileged)
            return -EPERM;
        if (count && !guest_range_ok(buf, count))
            return -EFAULT;
        return 0;
    default:
        return -ENOSYS;
    }
}

long do_vm_assist(uint64_t cmd, uint64_t type)
{
    struct domain *d = current->domain;
    /* Supported assists: none change behaviour yet but m2p_strict, which is
       a no-op while user mode never sees the M2P writable anyway. */
    if (type != VMASST_TYPE_m2p_strict)
        return -EINVAL;
    if (cmd == VMASST_CMD_enable)
        d->vm_assist |= 1u << 0;
    else if (cmd == VMASST_CMD_disable)
        d->vm_assist &= ~(1u << 0);
    else
        return -ENOSYS;
    return 0;
}

long do_physdev_op(uint64_t cmd, uint64_t arg)
{
    struct domain *d = current->domain;

    if (cmd == PHYSDEVOP_set_iopl) {
        struct physdev_set_iopl s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        if (!d->io_privileged && s.iopl != 0)
            return -EPERM;
        d->iopl = s.iopl;
        return 0;
    }
    return -ENOSYS;
}
