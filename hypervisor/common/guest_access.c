/* Checked copies between the hypervisor and guest virtual memory. */
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/layout.h>

uint64_t uaccess_copy(void *dst, const void *src, uint64_t n);

struct ex_entry {
    uint64_t insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static bool canonical(uint64_t va)
{
    return ((int64_t)va >> 47) == 0 || ((int64_t)va >> 47) == -1;
}

bool guest_range_ok(uint64_t va, uint64_t len)
{
    uint64_t last = va + len - 1;
    if (len == 0)
        return true;
    if (last < va || !canonical(va) || !canonical(last))
        return false;
    /* Both ends canonical and no wrap: the range is in one half. It must
       not touch the hypervisor's slots. */
    return last < HV_VIRT_START || va >= HV_VIRT_END;
}

int copy_from_guest(void *dst, uint64_t src_va, uint64_t len)
{
    if (!guest_range_ok(src_va, len))
        return -EFAULT;
    return uaccess_copy(dst, (const void *)src_va, len) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t dst_va, const void *src, uint64_t len)
{
    if (!guest_range_ok(dst_va, len))
        return -EFAULT;
    return uaccess_copy((void *)dst_va, src, len) ? -EFAULT : 0;
}

uint64_t ex_table_fixup(uint64_t rip)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}
