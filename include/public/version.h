/*
 * Xenia guest ABI: version and capability queries, xen_version(cmd, arg) (#17).
 *
 * XENVER_version returns (major << 16) | minor and ignores arg; pagesize
 * returns the page size. The others fill the buffer at arg and return 0.
 * Strings are NUL-terminated within their fixed-size arrays.
 */
#ifndef XENIA_PUBLIC_VERSION_H
#define XENIA_PUBLIC_VERSION_H

#include <stdint.h>

#include "xen.h"
#include "features.h"

#define XENVER_version             0
#define XENVER_extraversion        1
#define XENVER_compile_info        2
#define XENVER_capabilities        3
#define XENVER_changeset           4
#define XENVER_platform_parameters 5
#define XENVER_get_features        6
#define XENVER_pagesize            7
#define XENVER_guest_handle        8   /* arg: xen_domain_handle_t */
#define XENVER_commandline         9
#define XENVER_build_id           10

typedef char xen_extraversion_t[16];          /* e.g. ".0-xenia" */
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
XENIA_ABI_SIZE(struct xen_compile_info, 144);
XENIA_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
XENIA_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
XENIA_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

typedef char xen_capabilities_info_t[1024];   /* e.g. "xen-3.0-x86_64" */
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

/* virt_start: lowest address of the hypervisor hole (HYPERVISOR_VIRT_START). */
struct xen_platform_parameters {
    uint64_t virt_start;
};
XENIA_ABI_SIZE(struct xen_platform_parameters, 8);

struct xen_feature_info {
    uint32_t submap_idx;        /* IN: which 32-bit word of XENFEAT_* bits */
    uint32_t submap;            /* OUT */
};
XENIA_ABI_SIZE(struct xen_feature_info, 8);
XENIA_ABI_OFFSET(struct xen_feature_info, submap, 4);

typedef char xen_commandline_t[1024];

_Static_assert(sizeof(xen_extraversion_t) == 16, "ABI: xen_extraversion_t");
_Static_assert(sizeof(xen_capabilities_info_t) == 1024, "ABI: xen_capabilities_info_t");
_Static_assert(sizeof(xen_changeset_info_t) == 64, "ABI: xen_changeset_info_t");
_Static_assert(sizeof(xen_domain_handle_t) == 16, "ABI: xen_domain_handle_t");

#endif /* XENIA_PUBLIC_VERSION_H */
