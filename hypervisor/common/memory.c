/*
 * memory_op: what a PV guest asks about its memory. Reservation changes
 * (increase/decrease/populate/exchange) come with ballooning and the
 * toolstack and answer -ENOSYS until then.
 */
#include <asm/current.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/hypercalls.h>
#include <xenia/mm.h>
#include <public/memory.h>

/* The caller's own domain, or another one for a privileged caller. */
static struct domain *target_domain(domid_t id)
{
    struct domain *self = current->domain;
    if (id == DOMID_SELF || id == self->id)
        return self;
    return self->privileged ? domain_lookup(id) : NULL;
}

long do_memory_op(uint64_t cmd, uint64_t arg)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case XENMEM_maximum_ram_page:
        return (long)(mm_max_pfn - 1);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        domid_t id;
        if (copy_from_guest(&id, arg, sizeof(id)))
            return -EFAULT;
        struct domain *t = target_domain(id);
        if (!t)
            return id == DOMID_SELF || domain_lookup(id) ? -EPERM : -ESRCH;
        return (long)(cmd == XENMEM_current_reservation ? t->nr_pages : t->max_pages);
    }
    case XENMEM_memory_map: {
        struct xen_memory_map map;
        struct xen_e820_entry { uint64_t addr, size; uint32_t type; } __attribute__((packed)) e;
        if (copy_from_guest(&map, arg, sizeof(map)))
            return -EFAULT;
        if (map.nr_entries < 1)
            return -EINVAL;
        e.addr = 0;
        e.size = d->nr_pages << PAGE_SHIFT;
        e.type = XEN_E820_RAM;
        if (copy_to_guest(map.buffer, &e, sizeof(e)))
            return -EFAULT;
        map.nr_entries = 1;
        return copy_to_guest(arg, &map, sizeof(map));
    }
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = HV_M2P_BASE,
            .v_end = HV_M2P_BASE + ALIGN_UP(mm_max_pfn * 8, PAGE_SIZE),
            .max_mfn = mm_max_pfn - 1,
        };
        return copy_to_guest(arg, &m, sizeof(m));
    }
    default:
        return -ENOSYS;
    }
}
