/*
 * A hostile domU, its victim and a canary (modes `hostile`, `victim`,
 * `canary`): security.md's event channel and grant cases played by one
 * domU against another, a notification storm at dom0, and a domain that
 * dies holding a mapping of its victim's page.
 *
 *   victim (peer=hostile): offers, through data/offer readable by the
 *     hostile domain, an unbound port for it, an unbound port for dom0, a
 *     read-only and a read-write grant to it and a grant to dom0. Then:
 *     once the hostile domain says it maps the read-write page, revoking
 *     it must be refused (-EBUSY); once it says it leaves (it crashes with
 *     the mapping live), the revoke must succeed within HV_WAIT_NS, i.e.
 *     its destruction released the mapping.
 *   hostile (peer=victim): every case below with the exact error, then a
 *     storm: notifications on its xenstore port (dom0's xenstored) until
 *     at least HV_STORM were sent and the canary has written "done" into
 *     its data/storm node (which it makes readable and writable by all),
 *     then it corrupts its own xenstore ring indices (dom0 must close that
 *     connection, the victim's keeps working), then it crashes on purpose
 *     with the mapping live.
 *   canary (peer=hostile): waits for the storm (that node), then
 *     CANARY_ROUNDS xenstore round trips and 5 ms sleeps, then writes
 *     "done": dom0 and the canary must keep making progress meanwhile.
 * A failed check prints "<mode>: FAIL ..." and crashes the domain; the boot
 * test requires each mode's final line and no FAIL.
 *
 * The shared page (victim's, read-write grant): struct hv_page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domU.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/xenbus.h"

#define HV_WAIT_NS (30 * NSEC_PER_SEC)
#define HV_STORM 1000000u
#define HV_BURST 10000u
#define CANARY_ROUNDS 200u
#define HV_MAGIC 0x76696374u            /* "vict" */

struct hv_page {
    uint32_t magic;                     /* victim */
    uint32_t mapped;                    /* hostile: it maps the page */
    uint32_t revoke_refused;            /* victim: end_access said -EBUSY */
    uint32_t leaving;                   /* hostile: about to crash, still mapped */
};

static struct peer_wait hv;

/* Wait until the peer set *word (to 1). */
static bool hv_wait(const volatile uint32_t *word, uint64_t deadline)
{
    return peer_wait_for(&hv, word, 1, deadline);
}

static __noreturn void hv_fail(const char *who, const char *what, long rc)
{
    printk("%s: FAIL %s (%ld)\n", who, what, rc);
    guest_crash(what);
}

/* Our peer (dom0 writes peer-domid) and our own id. */
static domid_t hv_meet(const char *who, domid_t *self)
{
    char val[16];
    long rc = xenbus_init();
    if (rc < 0)
        hv_fail(who, "no xenstore", rc);
    if ((rc = xenbus_read("domid", val, sizeof(val))) < 0)
        hv_fail(who, "reading our domid", rc);
    *self = (domid_t)strtoul(val, NULL, 10);
    uint64_t deadline = time_now_ns() + HV_WAIT_NS;
    while ((rc = xenbus_read("peer-domid", val, sizeof(val))) == -XEN_ENOENT &&
           time_now_ns() < deadline)
        thread_sleep_ns(2 * NSEC_PER_MSEC);
    if (rc < 0)
        hv_fail(who, "reading peer-domid", rc);
    return (domid_t)strtoul(val, NULL, 10);
}

/* Read a node of another domain, retrying while it is missing/unreadable. */
static void hv_read_peer(const char *who, const char *path, char *buf, size_t size)
{
    uint64_t deadline = time_now_ns() + HV_WAIT_NS;
    long rc;
    while ((rc = xenbus_read(path, buf, size)) == -XEN_ENOENT || rc == -XEN_EACCES) {
        if (time_now_ns() >= deadline)
            break;
        thread_sleep_ns(2 * NSEC_PER_MSEC);
    }
    if (rc < 0)
        hv_fail(who, path, rc);
}

/* ---- victim ---- */

void hostile_victim(void)
{
    domid_t self, enemy = hv_meet("victim", &self);
    long rc;

    if ((rc = gnttab_init()) < 0)
        hv_fail("victim", "grant table", rc);
    struct hv_page *page = mm_alloc_zeroed(1);
    uint32_t *ro_page = mm_alloc_zeroed(1);
    if (page == NULL || ro_page == NULL)
        hv_fail("victim", "page allocation", -XEN_ENOMEM);
    page->magic = HV_MAGIC;
    ro_page[0] = HV_MAGIC;
    long port = evtchn_alloc_unbound(enemy, peer_wait_event, &hv);
    long port_dom0 = evtchn_alloc_unbound(0, peer_wait_event, &hv);
    long ref_ro = gnttab_grant_access(enemy, virt_to_mfn(ro_page), true);
    long ref_rw = gnttab_grant_access(enemy, virt_to_mfn(page), false);
    long ref_dom0 = gnttab_grant_access(0, virt_to_mfn(ro_page), false);
    if (port < 0 || port_dom0 < 0 || ref_ro < 0 || ref_rw < 0 || ref_dom0 < 0)
        hv_fail("victim", "setting up the offer", MIN(MIN(port, port_dom0), MIN(ref_ro, ref_rw)));

    char offer[64], owner[8], reader[8];
    snprintf(offer, sizeof(offer), "%ld %ld %ld %ld %ld", port, port_dom0, ref_ro, ref_rw,
             ref_dom0);
    snprintf(owner, sizeof(owner), "n%u", self);
    snprintf(reader, sizeof(reader), "r%u", enemy);
    const char *perms[] = { owner, reader };
    if ((rc = xenbus_write("data/offer", offer)) < 0 ||
        (rc = xenbus_set_perms("data/offer", perms, 2)) < 0)
        hv_fail("victim", "publishing the offer", rc);
    printk("victim: offered ports %ld (to %u) and %ld (to dom0), grants %ld (ro) %ld (rw) "
           "%ld (to dom0)\n", port, enemy, port_dom0, ref_ro, ref_rw, ref_dom0);

    if (!hv_wait(&page->mapped, time_now_ns() + HV_WAIT_NS))
        hv_fail("victim", "the hostile domain never mapped the page", -XEN_ETIME);
    rc = gnttab_end_access((grant_ref_t)ref_rw);
    if (rc != -XEN_EBUSY)
        hv_fail("victim", "revoke while mapped was not refused", rc);
    __atomic_store_n(&page->revoke_refused, 1, __ATOMIC_RELEASE);
    (void)evtchn_notify((evtchn_port_t)port);
    printk("victim: revoke refused while mapped (-EBUSY)\n");

    if (!hv_wait(&page->leaving, time_now_ns() + 5 * HV_WAIT_NS))
        hv_fail("victim", "the hostile domain never left", -XEN_ETIME);
    uint64_t deadline = time_now_ns() + HV_WAIT_NS;
    while ((rc = gnttab_end_access((grant_ref_t)ref_rw)) == -XEN_EBUSY &&
           time_now_ns() < deadline)
        thread_sleep_ns(5 * NSEC_PER_MSEC);
    if (rc != 0)
        hv_fail("victim", "revoke after the hostile domain died", rc);
    if ((rc = gnttab_end_access((grant_ref_t)ref_ro)) != 0 ||
        (rc = gnttab_end_access((grant_ref_t)ref_dom0)) != 0)
        hv_fail("victim", "revoking the other grants", rc);
    if (page->magic != HV_MAGIC || ro_page[0] != HV_MAGIC)
        hv_fail("victim", "a read-only or revoked page was written", 0);
    /* The hostile domain broke its own xenstore connection; ours works. */
    if ((rc = xenbus_write("data/offer", "closed")) < 0)
        hv_fail("victim", "xenstore after the hostile domain's corrupt ring", rc);
    (void)evtchn_close((evtchn_port_t)port);
    (void)evtchn_close((evtchn_port_t)port_dom0);
    printk("victim: grant revoked once the hostile domain was destroyed; pages intact, "
           "xenstore answers, %u events seen\n", hv.events);
}

/* ---- hostile ---- */

static unsigned cases, passed;

static void expect(const char *what, long got, long want)
{
    cases++;
    if (got == want) {
        passed++;
        printk("hostile: ok   %s (%ld)\n", what, got);
    } else {
        printk("hostile: FAIL %s: got %ld, want %ld\n", what, got, want);
    }
}

static long evt(unsigned cmd, void *op)
{
    return HYPERVISOR_event_channel_op(cmd, op);
}

static void event_cases(domid_t victim, uint32_t vport, uint32_t vport_dom0)
{
    struct evtchn_send s0 = { 0 }, smax = { 4096 }, sfree = { 4000 };
    expect("send on port 0", evt(EVTCHNOP_send, &s0), -XEN_EINVAL);
    expect("send on port 4096", evt(EVTCHNOP_send, &smax), -XEN_EINVAL);
    expect("send on an unallocated port", evt(EVTCHNOP_send, &sfree), -XEN_EINVAL);
    struct evtchn_close c0 = { 0 }, cfree = { 4000 }, cmax = { 0xffffffffu };
    expect("close port 0", evt(EVTCHNOP_close, &c0), -XEN_EINVAL);
    expect("close an unallocated port", evt(EVTCHNOP_close, &cfree), -XEN_EINVAL);
    expect("close port 2^32-1", evt(EVTCHNOP_close, &cmax), -XEN_EINVAL);
    struct evtchn_unmask u0 = { 0 }, umax = { 4096 };
    expect("unmask port 0", evt(EVTCHNOP_unmask, &u0), -XEN_EINVAL);
    expect("unmask port 4096", evt(EVTCHNOP_unmask, &umax), -XEN_EINVAL);

    struct evtchn_bind_interdomain bi = { .remote_dom = victim, .remote_port = vport_dom0 };
    expect("bind to the victim's port offered to dom0", evt(EVTCHNOP_bind_interdomain, &bi),
           -XEN_EINVAL);
    bi.remote_port = 4000;
    expect("bind to an unallocated port of the victim", evt(EVTCHNOP_bind_interdomain, &bi),
           -XEN_EINVAL);
    bi.remote_port = 0;
    expect("bind to the victim's port 0", evt(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL);
    struct evtchn_bind_interdomain bu = { .remote_dom = 3000, .remote_port = 1 };
    expect("bind to an unknown domain", evt(EVTCHNOP_bind_interdomain, &bu), -XEN_ESRCH);
    struct evtchn_alloc_unbound au = { .dom = victim, .remote_dom = DOMID_SELF };
    expect("allocate a port in the victim", evt(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM);
    struct evtchn_bind_virq bv = { .virq = 200 };
    expect("bind an invalid VIRQ", evt(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL);
    struct evtchn_status st = { .dom = victim, .port = vport };
    expect("status of a port of the victim", evt(EVTCHNOP_status, &st), -XEN_EPERM);

    /* The offered port: bound once, then it is no longer unbound. */
    long mine = evtchn_bind_interdomain(victim, vport, peer_wait_event, &hv);
    expect("bind to the port offered to us", mine > 0, 1);
    bi.remote_port = vport;
    expect("bind to it a second time", evt(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL);

    /* Exhaustion, then every port back. */
    unsigned n = 0;
    long rc;
    static uint32_t ports[4096];
    for (;;) {
        struct evtchn_alloc_unbound al = { .dom = DOMID_SELF, .remote_dom = victim };
        rc = evt(EVTCHNOP_alloc_unbound, &al);
        if (rc != 0 || n == ARRAY_SIZE(ports))
            break;
        ports[n++] = al.port;
    }
    expect("allocate until exhausted", rc, -XEN_ENOSPC);
    expect("thousands allocated first", n > 4000, 1);
    unsigned closed = 0;
    for (unsigned i = 0; i < n; i++) {
        struct evtchn_close cl = { ports[i] };
        closed += evt(EVTCHNOP_close, &cl) == 0;
    }
    expect("every exhausting port closed", closed, n);
    struct evtchn_alloc_unbound al = { .dom = DOMID_SELF, .remote_dom = victim };
    expect("allocate again after closing", evt(EVTCHNOP_alloc_unbound, &al), 0);
    struct evtchn_close cl = { al.port };
    (void)evt(EVTCHNOP_close, &cl);
}

static int16_t raw_map(domid_t dom, uint32_t ref, uint64_t host_addr, uint32_t flags,
                       grant_handle_t *h)
{
    struct gnttab_map_grant_ref m = { .host_addr = host_addr, .flags = flags, .ref = ref,
                                      .dom = dom };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
    if (rc != 0)
        return (int16_t)rc;
    *h = m.handle;
    return m.status;
}

static int16_t raw_unmap(uint64_t host_addr, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = host_addr, .handle = h };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    return rc != 0 ? (int16_t)rc : u.status;
}

static struct gnttab_mapping grant_cases(domid_t victim, uint32_t ref_ro, uint32_t ref_rw,
                                         uint32_t ref_dom0)
{
    grant_handle_t h;
    struct gnttab_mapping m;
    uint64_t va = GNTMAP_VA_BASE + (GNTMAP_SLOTS - 1) * PAGE_SIZE;    /* a slot of ours */
    int16_t st;

    /* Make sure the slot's L1 exists (map our own page there, then unmap). */
    expect("our own slot is mappable", pt_prepare(va), 0);
    expect("a ref past the victim's table", raw_map(victim, 100000, va, GNTMAP_host_map, &h),
           GNTST_bad_gntref);
    expect("a ref the victim never granted", raw_map(victim, ref_rw + 40, va, GNTMAP_host_map, &h),
           GNTST_permission_denied);
    expect("a grant meant for dom0", raw_map(victim, ref_dom0, va, GNTMAP_host_map, &h),
           GNTST_permission_denied);
    expect("a writable map of a read-only grant", raw_map(victim, ref_ro, va, GNTMAP_host_map, &h),
           GNTST_permission_denied);
    expect("an unknown granting domain", raw_map(3000, ref_rw, va, GNTMAP_host_map, &h),
           GNTST_bad_domain);
    expect("a misaligned host address", raw_map(victim, ref_rw, va + 3, GNTMAP_host_map, &h),
           GNTST_bad_virt_addr);
    expect("a misaligned PTE address",
           raw_map(victim, ref_rw, (virt_to_mfn(&cases) << PAGE_SHIFT) + 3,
                   GNTMAP_host_map | GNTMAP_contains_pte, &h),
           GNTST_bad_virt_addr);
    expect("a PTE address in a page that is not our L1",
           raw_map(victim, ref_rw, virt_to_mfn(&cases) << PAGE_SHIFT,
                   GNTMAP_host_map | GNTMAP_contains_pte, &h),
           GNTST_bad_virt_addr);
    expect("a host address in the hypervisor", raw_map(victim, ref_rw, 0xFFFF830000000000ull,
                                                       GNTMAP_host_map, &h),
           GNTST_bad_virt_addr);
    expect("unmap a bogus handle", raw_unmap(va, 4000), GNTST_bad_handle);

    /* The read-only grant, read-only: it works, and writes do not land. */
    st = raw_map(victim, ref_ro, va, GNTMAP_host_map | GNTMAP_readonly, &h);
    expect("a read-only map of the read-only grant", st, GNTST_okay);
    if (st == GNTST_okay) {
        expect("it shows the victim's data", *(volatile uint32_t *)va, HV_MAGIC);
        uint64_t pte = 0;
        expect("and our PTE is read-only", pt_lookup(va, &pte) && !(pte & XEN_PTE_RW), 1);
        expect("unmap it", raw_unmap(va, h), GNTST_okay);
        expect("double unmap", raw_unmap(va, h), GNTST_bad_handle);
    }

    /* Copies: into the read-only grant refused, from it fine. */
    struct gnttab_copy cp = { 0 };
    uint32_t buf = 0;
    cp.source.u.ref = ref_ro;
    cp.source.domid = victim;
    cp.dest.u.gmfn = virt_to_mfn(&buf);
    cp.dest.domid = DOMID_SELF;
    cp.dest.offset = (uint16_t)((uintptr_t)&buf & (PAGE_SIZE - 1));
    cp.len = sizeof(buf);
    cp.flags = GNTCOPY_source_gref;
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1);
    expect("copy from the read-only grant", rc == 0 ? cp.status : rc, GNTST_okay);
    expect("the copy brought the data", buf, HV_MAGIC);
    struct gnttab_copy cw = { 0 };
    cw.source.u.gmfn = virt_to_mfn(&buf);
    cw.source.domid = DOMID_SELF;
    cw.source.offset = (uint16_t)((uintptr_t)&buf & (PAGE_SIZE - 1));
    cw.dest.u.ref = ref_ro;
    cw.dest.domid = victim;
    cw.len = sizeof(buf);
    cw.flags = GNTCOPY_dest_gref;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &cw, 1);
    expect("copy into the read-only grant", rc == 0 ? cw.status : rc, GNTST_permission_denied);
    cw.dest.u.gmfn = virt_to_mfn(pfn_to_virt(0));
    cw.flags = 0;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &cw, 1);
    expect("copy by frame number into another domain", rc == 0 ? cw.status : rc, GNTST_permission_denied);

    /* Direct page-table access to the victim's memory. */
    struct mmu_update mu = { .ptr = virt_to_mfn(&cases) << PAGE_SHIFT, .val = 0 };
    unsigned done = 0;
    expect("mmu_update for the victim's page tables",
           HYPERVISOR_mmu_update(&mu, 1, &done, victim), -XEN_EPERM);

    /* The read-write grant, mapped for good: kept until we die. */
    int mrc = gnttab_map(victim, ref_rw, false, &m);
    expect("map the read-write grant", mrc, 0);
    if (mrc != 0)
        hv_fail("hostile", "mapping the read-write grant", mrc);
    expect("it shows the victim's page", ((volatile struct hv_page *)m.va)->magic, HV_MAGIC);
    return m;
}

static void storm(uint32_t store_port, domid_t self)
{
    char val[16];
    uint64_t sent = 0, t0 = time_now_ns();
    const char *perms[1];
    char world[8];
    long rc;

    /* data/storm: owned by us, readable and writable by everyone: the
       canary writes "done" into it when it has finished. */
    snprintf(world, sizeof(world), "b%u", self);
    perms[0] = world;
    if ((rc = xenbus_write("data/storm", "running")) < 0 ||
        (rc = xenbus_set_perms("data/storm", perms, 1)) < 0)
        hv_fail("hostile", "announcing the storm", rc);
    bool canary_done = false;
    uint64_t deadline = time_now_ns() + 5 * HV_WAIT_NS;
    while ((sent < HV_STORM || !canary_done) && time_now_ns() < deadline) {
        for (unsigned i = 0; i < HV_BURST; i++)
            if (evtchn_notify(store_port) == 0)
                sent++;
        canary_done = xenbus_read("data/storm", val, sizeof(val)) == 4 &&
                      strcmp(val, "done") == 0;
    }
    uint64_t ms = (time_now_ns() - t0) / NSEC_PER_MSEC;
    expect("a million notifications sent", sent >= HV_STORM, 1);
    expect("the canary finished during the storm", canary_done, 1);
    printk("hostile: storm: %lu notifications to dom0's xenstore port in %lu ms\n",
           (unsigned long)sent, (unsigned long)ms);
}

/* Our xenstore request ring's producer index 4 KiB ahead (the ring holds
   1 KiB): dom0's xenstored closes our connection and says why in the
   page's `error` field; everybody else's connection keeps working. */
static void corrupt_store_ring(void)
{
    struct xenstore_domain_interface *page = mfn_to_virt(start_info.store_mfn);
    page->req_prod += 4096;
    (void)evtchn_notify(start_info.store_evtchn);
    uint64_t deadline = time_now_ns() + HV_WAIT_NS;
    while (*(volatile uint32_t *)&page->error == XENSTORE_ERROR_NONE && time_now_ns() < deadline)
        thread_sleep_ns(NSEC_PER_MSEC);
    expect("corrupt xenstore ring indices: connection closed by dom0", page->error,
           XENSTORE_ERROR_RINGIDX);
}

void hostile_attack(void)
{
    domid_t self, victim = hv_meet("hostile", &self);
    char path[64], offer[64];
    long rc;

    snprintf(path, sizeof(path), "/local/domain/%u/data/offer", victim);
    hv_read_peer("hostile", path, offer, sizeof(offer));
    unsigned long v[5];
    char *p = offer;
    for (unsigned i = 0; i < 5; i++)
        v[i] = strtoul(p, &p, 10);
    if ((rc = gnttab_init()) < 0)
        hv_fail("hostile", "grant table", rc);
    printk("hostile: attacking domain %u (ports %lu %lu, grants %lu %lu %lu)\n", victim, v[0],
           v[1], v[2], v[3], v[4]);

    char other[80];
    snprintf(other, sizeof(other), "/local/domain/%u/name", victim);
    expect("read another domain's node", xenbus_read(other, path, sizeof(path)), -XEN_EACCES);
    expect("write another domain's node", xenbus_write(other, "pwned"), -XEN_EACCES);
    static char long_path[3001];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[0] = '/';
    expect("a 3000-byte xenstore path", xenbus_read(long_path, path, sizeof(path)), -XEN_EINVAL);

    event_cases(victim, (uint32_t)v[0], (uint32_t)v[1]);
    struct gnttab_mapping m = grant_cases(victim, (uint32_t)v[2], (uint32_t)v[3],
                                          (uint32_t)v[4]);
    volatile struct hv_page *page = m.va;

    /* The victim's revoke while we map: refused. Our port to it is the
       one bound in event_cases (its events wake us). */
    __atomic_store_n(&page->mapped, 1, __ATOMIC_RELEASE);
    struct evtchn_status st;
    evtchn_port_t vport = 0;
    for (evtchn_port_t q = 1; q < 64 && vport == 0; q++)
        if (evtchn_status(q, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
            st.u.interdomain.dom == victim)
            vport = q;
    expect("our port to the victim", vport != 0, 1);
    (void)evtchn_notify(vport);
    expect("the victim could not revoke the mapped grant",
           hv_wait(&page->revoke_refused, time_now_ns() + HV_WAIT_NS), 1);

    storm(start_info.store_evtchn, self);
    corrupt_store_ring();
    printk("hostile: %u of %u cases passed\n", passed, cases);
    /* Die holding the mapping: the destroy must release it. */
    __atomic_store_n(&page->leaving, 1, __ATOMIC_RELEASE);
    (void)evtchn_notify(vport);
    if (passed != cases)
        hv_fail("hostile", "cases failed", (long)(cases - passed));
    guest_crash("hostile: leaving with a live grant mapping");
}

/* ---- canary ---- */

void hostile_canary(void)
{
    domid_t self, enemy = hv_meet("canary", &self);
    char path[64], val[32];

    snprintf(path, sizeof(path), "/local/domain/%u/data/storm", enemy);
    hv_read_peer("canary", path, val, sizeof(val));
    uint64_t t0 = time_now_ns();
    for (unsigned i = 0; i < CANARY_ROUNDS; i++) {
        long rc = xenbus_read("domid", val, sizeof(val));
        if (rc < 0 || strtoul(val, NULL, 10) != self)
            hv_fail("canary", "xenstore round trip", rc);
        thread_sleep_ns(5 * NSEC_PER_MSEC);
    }
    uint64_t ms = (time_now_ns() - t0) / NSEC_PER_MSEC;
    long rc = xenbus_write(path, "done");
    if (rc < 0)
        hv_fail("canary", "telling the hostile domain", rc);
    printk("canary: %u xenstore round trips and sleeps during the storm of domain %u in %lu ms\n",
           CANARY_ROUNDS, enemy, (unsigned long)ms);
}
