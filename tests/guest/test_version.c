/*
 * xen_version: version number, capabilities "xen-3.0-x86_64", page size,
 * platform parameters (hypervisor hole start), feature submap 0, the
 * extraversion string NUL-terminated; an unknown sub-command and unknown
 * hypercall numbers return -ENOSYS.
 */
#include <string.h>

#include "test.h"
#include "arch/hypercall.h"

const char test_title[] = "version: xen_version queries and unknown hypercalls";

static bool has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ')
            p++;
        size_t len = 0;
        while (p[len] != '\0' && p[len] != ' ')
            len++;
        if (len == n && strncmp(p, tok, n) == 0)
            return true;
        p += len;
    }
    return false;
}

enum test_result test_main(void)
{
    static xen_capabilities_info_t caps;
    static xen_extraversion_t extra;
    struct xen_platform_parameters pp = { 0 };
    struct xen_feature_info fi = { .submap_idx = 0 };
    long rc;

    rc = HYPERVISOR_xen_version(XENVER_version, NULL);
    test_check(rc >= 0, "XENVER_version returned %ld", rc);
    test_note("hypervisor version %ld.%ld", rc >> 16, rc & 0xffff);

    memset(caps, 0xff, sizeof(caps));
    rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
    test_check(rc == 0, "XENVER_capabilities returned %ld", rc);
    caps[sizeof(caps) - 1] = '\0';
    test_check(has_token(caps, "xen-3.0-x86_64"), "capabilities \"%s\"", caps);
    test_note("capabilities \"%s\"", caps);

    memset(extra, 0xff, sizeof(extra));
    rc = HYPERVISOR_xen_version(XENVER_extraversion, extra);
    test_check(rc == 0 && memchr(extra, '\0', sizeof(extra)) != NULL,
               "extraversion: rc %ld, not NUL-terminated", rc);

    rc = HYPERVISOR_xen_version(XENVER_pagesize, NULL);
    test_check(rc == 4096, "XENVER_pagesize returned %ld", rc);

    rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &pp);
    test_check(rc == 0 && pp.virt_start == HYPERVISOR_VIRT_START,
               "platform_parameters: rc %ld virt_start %#lx", rc, (unsigned long)pp.virt_start);

    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    test_check(rc == 0, "XENVER_get_features returned %ld", rc);
    test_check(!(fi.submap & (1u << XENFEAT_auto_translated_physmap)),
               "a PV guest is told it is auto-translated (submap %#x)", fi.submap);

    rc = HYPERVISOR_xen_version(9999, NULL);
    test_check(rc == -XEN_ENOSYS, "unknown xen_version command returned %ld", rc);
    rc = xen_hypercall(11, 0, 0, 0, 0, 0);
    test_check(rc == -XEN_ENOSYS, "hypercall 11 returned %ld", rc);
    rc = xen_hypercall(63, 0, 0, 0, 0, 0);
    test_check(rc == -XEN_ENOSYS, "hypercall 63 returned %ld", rc);
    rc = xen_hypercall_direct(4096, 0, 0, 0, 0, 0);
    test_check(rc == -XEN_ENOSYS, "hypercall 4096 (direct) returned %ld", rc);
    rc = xen_hypercall_direct(-1L, 0, 0, 0, 0, 0);
    test_check(rc == -XEN_ENOSYS, "hypercall -1 (direct) returned %ld", rc);
    return TEST_SUCCESS;
}
