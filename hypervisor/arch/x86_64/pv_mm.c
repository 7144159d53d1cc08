/*
 * PV MMU hypercalls: mmu_update, mmuext_op, update_va_mapping. The rules
 * (types, references, PTE checks) are core/pgt's; this file decodes guest
 * requests, picks the owners, applies the x86_64 PV adjustments to entries,
 * flushes, and makes long batches preemptible.
 *
 * Adjustments, as Xen makes them: a PV kernel runs in ring 3, so every
 * present entry a guest writes gets the user bit (kernel and user are kept
 * apart by separate L4s, not by that bit); L1 entries lose the global bit
 * (a global kernel mapping would survive the switch to the user L4).
 *
 * Preemption: a batch is handled CHUNK requests per round; a page-table
 * walk that returns -ERESTART leaves its state in the vCPU's pgt_cont and
 * the hypercall restarts (count | PREEMPTED) at the same request, which
 * first finishes that walk. *pdone counts the requests done across rounds.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/hypercall.h>
#include <xenia/hypercalls.h>
#include <xenia/mm.h>

#define PREEMPTED (1u << 31)
#define CHUNK 256

static uint64_t pv_adjust_pte(uint64_t pte, unsigned level)
{
    if (!(pte & PGT_PTE_P))
        return pte;
    pte |= PGT_PTE_US;
    if (level == 1)
        pte &= ~PGT_PTE_G;
    return pte;
}

static struct pgt_frame *frame(uint64_t mfn)
{
    return mfn < mm_max_pfn ? &frame_table[mfn] : NULL;
}

static void flush_local(void)
{
    write_cr3(read_cr3());
}

/* The owner of frames that requests may map: foreigndom if allowed. */
static int pick_pg_owner(uint64_t foreigndom, uint16_t *owner)
{
    struct domain *d = current->domain;
    if (foreigndom == DOMID_SELF || foreigndom == d->id) {
        *owner = d->id;
        return 0;
    }
    if (!d->privileged)
        return -EPERM;
    if (foreigndom >= MAX_DOMAINS || !domains[foreigndom])
        return -ESRCH;
    *owner = (uint16_t)foreigndom;
    return 0;
}

/* Drive a pgt operation; on -ERESTART the caller makes a continuation. */
static int pgt_run(int rc)
{
    if (rc == -ERESTART)
        rc = pgt_cont_resume(&pgt_env_hv, &current->pgt_cont);
    return rc;
}

static int write_plain(uint64_t mfn, unsigned offset, uint64_t val, uint16_t dom)
{
    struct pgt_cont *c = &current->pgt_cont;
    int rc = pgt_get_type(&pgt_env_hv, c, mfn, PGT_WRITABLE, dom);
    if (rc)
        return rc == -ERESTART ? -EINVAL : rc;
    *(uint64_t *)((uint8_t *)phys_to_virt(mfn << PAGE_SHIFT) + offset) = val;
    return pgt_put_type(&pgt_env_hv, c, mfn, dom);
}

static int mmu_update_one(const struct mmu_update *req, uint16_t pg_owner)
{
    struct domain *d = current->domain;
    unsigned cmd = req->ptr & MMU_UPDATE_CMD_MASK;
    uint64_t mfn = req->ptr >> PAGE_SHIFT;
    unsigned offset = req->ptr & (PAGE_SIZE - 1) & ~7u;
    struct pgt_frame *f = frame(mfn);

    if (!f)
        return -EINVAL;
    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD: {
        if (req->ptr & 4)
            return -EINVAL;                     /* entries are 8-byte aligned */
        if (f->owner != d->id)
            return -EPERM;
        if (f->type >= PGT_L1 && f->type <= PGT_L4 && f->type_count > 0) {
            unsigned level = f->type - PGT_L1 + 1;
            uint64_t val = pv_adjust_pte(req->val, level);
            if (cmd == MMU_PT_UPDATE_PRESERVE_AD) {
                uint64_t old = ((uint64_t *)phys_to_virt(mfn << PAGE_SHIFT))[offset / 8];
                val |= old & (PGT_PTE_A | PGT_PTE_D);
            }
            return pgt_run(pgt_mod_entry(&pgt_env_hv, &current->pgt_cont, mfn, offset / 8, val,
                                         d->id, pg_owner));
        }
        return write_plain(mfn, offset, req->val, d->id);
    }
    case MMU_MACHPHYS_UPDATE:
        if (f->owner != pg_owner)
            return -EPERM;
        m2p_set(mfn, req->val);
        return 0;
    default:
        return -ENOSYS;
    }
}

/*
 * The batch driver of mmu_update and mmuext_op: requests of `size` bytes at
 * `reqs`, each copied in once and handed to `one`; at most CHUNK per round
 * and any preempted page-table walk end the round with a continuation at
 * the current request (count | PREEMPTED, the guest's *pdone carrying the
 * progress). A pending walk is finished before anything else: its result
 * is the result of the request it belongs to, the first of this round.
 */
typedef int (*batch_one_fn)(const void *req, uint16_t pg_owner);

static long run_batch(unsigned nr, uint64_t reqs, size_t size, uint64_t count, uint64_t pdone,
                      uint64_t foreigndom, batch_one_fn one, bool flush)
{
    struct vcpu *v = current;
    uint64_t done = 0, i = 0;
    uint16_t pg_owner;
    uint8_t req[32];
    int rc = pick_pg_owner(foreigndom, &pg_owner);

    BUG_ON(size > sizeof(req));
    if (rc)
        return rc;
    if (count & PREEMPTED) {
        uint32_t d32;
        count &= ~(uint64_t)PREEMPTED;
        done = pdone && !copy_from_guest(&d32, pdone, sizeof(d32)) ? d32 : 0;
    }
    count &= 0xffffffffu;
    if (!pgt_cont_idle(&v->pgt_cont)) {
        rc = pgt_cont_resume(&pgt_env_hv, &v->pgt_cont);
        if (rc == -ERESTART)
            goto preempt;
        if (rc)
            goto out;
        i = 1;
        done++;
    }
    for (; i < count; i++) {
        if (i && (i % CHUNK) == 0)
            goto preempt;
        if (copy_from_guest(req, reqs + i * size, size)) {
            rc = -EFAULT;
            goto out;
        }
        rc = one(req, pg_owner);
        if (rc == -ERESTART)
            goto preempt;
        if (rc)
            goto out;
        done++;
    }
    rc = 0;
out:
    if (flush)
        flush_local();
    if (pdone && copy_to_guest(pdone, &(uint32_t){ (uint32_t)done }, sizeof(uint32_t)))
        return rc ? rc : -EFAULT;           /* *pdone is an unsigned int, as in Xen */
    return rc;
preempt:
    if (flush)
        flush_local();
    if (pdone)
        copy_to_guest(pdone, &(uint32_t){ (uint32_t)done }, sizeof(uint32_t));
    return hypercall_continuation(nr, reqs + i * size, (count - i) | PREEMPTED, pdone, foreigndom, 0);
}

static int mmu_update_req(const void *req, uint16_t pg_owner)
{
    return mmu_update_one(req, pg_owner);
}

long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    return run_batch(__HYPERVISOR_mmu_update, reqs, sizeof(struct mmu_update), count, pdone,
                     foreigndom, mmu_update_req, true);
}

/* Install mfn in a base-pointer slot: reference the new table, make it
   live (load cr3 when `live`), and only then drop the old one's reference,
   so a table is never released while the CPU still walks it. */
static int set_baseptr(uint64_t *slot, uint64_t mfn, bool allow_zero, uint16_t dom, bool live)
{
    struct pgt_cont *c = &current->pgt_cont;
    int rc;

    if (mfn == 0 && allow_zero) {
        rc = 0;
    } else {
        struct pgt_frame *f = frame(mfn);
        if (!f)
            return -EINVAL;
        /* A validated L4, and no walk on it: one another vCPU is still
           validating (its pin preempted) would answer -ERESTART until that
           vCPU runs again. A VALID L4 takes its reference in O(1). */
        if (f->type != PGT_L4 || f->type_count == 0 || f->state != PGT_VALID)
            return -EINVAL;
        rc = pgt_get_type(&pgt_env_hv, c, mfn, PGT_L4, dom);
        if (rc == -ERESTART)
            (void)pgt_cont_abort(&pgt_env_hv, c);   /* nothing held: the cont is idle again */
        if (rc)
            return rc == -ERESTART ? -EINVAL : rc;
    }
    uint64_t old = *slot;
    *slot = mfn;
    if (live)
        write_cr3(mfn << PAGE_SHIFT);
    /* Dropping the old table's last reference may start a long release:
       -ERESTART makes run_batch continue it (the result of this request). */
    if (old && pgt_run(pgt_put_type(&pgt_env_hv, c, old, dom)) == -ERESTART)
        return -ERESTART;
    return 0;
}

static int mmuext_one(const struct mmuext_op *op, uint16_t pg_owner)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    struct pgt_cont *c = &v->pgt_cont;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        if (!frame(op->arg1.mfn))
            return -EINVAL;
        return pgt_run(pgt_pin(&pgt_env_hv, c, op->arg1.mfn, op->cmd - MMUEXT_PIN_L1_TABLE + 1,
                               pg_owner));
    case MMUEXT_UNPIN_TABLE:
        if (!frame(op->arg1.mfn))
            return -EINVAL;
        return pgt_run(pgt_unpin(&pgt_env_hv, c, op->arg1.mfn, pg_owner));
    case MMUEXT_NEW_BASEPTR:
        if (!v->kernel_mode)
            return -EINVAL;
        return set_baseptr(&v->kernel_l4_mfn, op->arg1.mfn, false, d->id, true);
    case MMUEXT_NEW_USER_BASEPTR:
        if (!v->kernel_mode)
            return -EINVAL;
        return set_baseptr(&v->user_l4_mfn, op->arg1.mfn, true, d->id, false);
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        flush_local();                          /* one CPU: every flush is local */
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
        if (!guest_range_ok(op->arg1.linear_addr, 1))
            return -EINVAL;
        invlpg((const void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if (!d->privileged)
            return -EPERM;
        __asm__ volatile("wbinvd" ::: "memory");
        return 0;
    case MMUEXT_SET_LDT:
        /* Only the empty LDT: descriptor tables for guests are not supported yet. */
        return op->arg2.nr_ents == 0 ? 0 : -EINVAL;
    case MMUEXT_CLEAR_PAGE: {
        if (!frame(op->arg1.mfn))
            return -EINVAL;
        int rc = pgt_run(pgt_get_type(&pgt_env_hv, c, op->arg1.mfn, PGT_WRITABLE, d->id));
        if (rc)
            return rc == -ERESTART ? -EINVAL : rc;
        memset(phys_to_virt(op->arg1.mfn << PAGE_SHIFT), 0, PAGE_SIZE);
        return pgt_put_type(&pgt_env_hv, c, op->arg1.mfn, d->id);
    }
    case MMUEXT_COPY_PAGE: {
        uint64_t dst = op->arg1.mfn, src = op->arg2.src_mfn;
        if (!frame(dst) || !frame(src) || frame(src)->owner != d->id)
            return -EINVAL;
        int rc = pgt_run(pgt_get_type(&pgt_env_hv, c, dst, PGT_WRITABLE, d->id));
        if (rc)
            return rc == -ERESTART ? -EINVAL : rc;
        memcpy(phys_to_virt(dst << PAGE_SHIFT), phys_to_virt(src << PAGE_SHIFT), PAGE_SIZE);
        return pgt_put_type(&pgt_env_hv, c, dst, d->id);
    }
    default:
        return -ENOSYS;
    }
}

static int mmuext_req(const void *req, uint16_t pg_owner)
{
    return mmuext_one(req, pg_owner);
}

long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    return run_batch(__HYPERVISOR_mmuext_op, ops, sizeof(struct mmuext_op), count, pdone,
                     foreigndom, mmuext_req, false);
}

/* The L1 table mapping va in the current guest tables, or 0. */
static uint64_t l1_of(uint64_t va)
{
    uint64_t mfn = read_cr3() >> PAGE_SHIFT;
    for (unsigned level = 4; level > 1; level--) {
        uint64_t e = ((uint64_t *)phys_to_virt(mfn << PAGE_SHIFT))[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(e & PGT_PTE_P) || (e & PGT_PTE_PSE))
            return 0;
        mfn = pgt_pte_mfn(e);
        if (mfn >= mm_max_pfn)
            return 0;
    }
    return mfn;
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    if (!guest_range_ok(va, 1))
        return -EINVAL;
    if (!pgt_cont_idle(&v->pgt_cont))
        return -EBUSY;
    uint64_t l1 = l1_of(va);
    if (!l1 || frame(l1)->owner != d->id || frame(l1)->type != PGT_L1)
        return -EINVAL;
    int rc = pgt_mod_entry(&pgt_env_hv, &v->pgt_cont, l1, (va >> 12) & 511,
                           pv_adjust_pte(val, 1), d->id, d->id);
    while (rc == -ERESTART)                     /* an L1 entry: bounded work */
        rc = pgt_cont_resume(&pgt_env_hv, &v->pgt_cont);
    if (rc)
        return rc;
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        flush_local();
        break;
    case UVMF_INVLPG:
        invlpg((const void *)va);
        break;
    default:
        break;
    }
    return 0;
}
