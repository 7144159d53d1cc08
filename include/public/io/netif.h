/*
 * Network device protocol (vif): two rings per device, binary-compatible with
 * Xen's netif.
 *
 * tx ring: the front sends packets. A packet is one or more tx requests;
 *   every request but the last has NETTXF_more_data set. The first request's
 *   size is the length of the whole packet, each later one the length of its
 *   own fragment; each fragment lies inside its granted page
 *   (offset + fragment length <= 4096). A request with NETTXF_extra_info is
 *   followed by one netif_extra_info slot (and more while the extra's
 *   XEN_NETIF_EXTRA_FLAG_MORE is set). The back answers every slot, extras
 *   included, with one tx response (NETIF_RSP_NULL for extras).
 *
 * rx ring: the front posts empty granted pages as rx requests; the back
 *   fills one with a received packet (or part of one) and answers with an
 *   rx response giving offset, flags and, in status, the length (>= 0) or an
 *   error (< 0).
 *
 * Both rings use 4 KiB pages and hold 256 slots each.
 */
#ifndef XENIA_PUBLIC_IO_NETIF_H
#define XENIA_PUBLIC_IO_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

/* Same typedef as public/grant_table.h: an index into a grant table. */
typedef uint32_t grant_ref_t;

/* tx request flags */
#define NETTXF_csum_blank (1u << 0)     /* checksum to be filled in */
#define NETTXF_data_validated (1u << 1) /* checksum already verified */
#define NETTXF_more_data (1u << 2)      /* packet continues in the next request */
#define NETTXF_extra_info (1u << 3)     /* followed by a netif_extra_info slot */

/* rx response flags */
#define NETRXF_data_validated (1u << 0)
#define NETRXF_csum_blank (1u << 1)
#define NETRXF_more_data (1u << 2)
#define NETRXF_extra_info (1u << 3)
#define NETRXF_gso_prefix (1u << 4) /* deprecated */

/* status of a tx response; an rx response status >= 0 is a length */
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_OKAY 0
#define NETIF_RSP_NULL 1 /* answer to an extra-info slot */

#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* netif_extra_info.type */
#define XEN_NETIF_EXTRA_TYPE_NONE 0 /* never valid */
#define XEN_NETIF_EXTRA_TYPE_GSO 1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH 4
#define XEN_NETIF_EXTRA_TYPE_MAX 5

/* netif_extra_info.flags */
#define XEN_NETIF_EXTRA_FLAG_MORE (1u << 0)

/* netif_extra_info.u.gso.type */
#define XEN_NETIF_GSO_TYPE_NONE 0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

struct netif_tx_request {
    grant_ref_t gref;
    uint16_t offset; /* of the data in the granted page */
    uint16_t flags;  /* NETTXF_* */
    uint16_t id;     /* echoed in the response */
    uint16_t size;   /* packet length (first request) or fragment length */
};

/* Occupies a tx request slot or an rx response slot. */
struct netif_extra_info {
    uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size; /* maximum payload of one segment */
            uint8_t type;  /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;
            uint16_t features;
        } gso;
        struct {
            uint8_t addr[6];
        } mcast;
        struct {
            uint8_t type;
            uint8_t algorithm;
            uint8_t value[4];
        } hash;
        uint16_t pad[3];
    } u;
};

struct netif_tx_response {
    uint16_t id;
    int16_t status; /* NETIF_RSP_* */
};

struct netif_rx_request {
    uint16_t id; /* echoed in the response */
    uint16_t _pad;
    grant_ref_t gref;
};

struct netif_rx_response {
    uint16_t id;
    uint16_t offset; /* of the data in the page */
    uint16_t flags;  /* NETRXF_* */
    int16_t status;  /* length if >= 0, else NETIF_RSP_* */
};

RING_DECLARE_PAGE(netif_tx, struct netif_tx_request, struct netif_tx_response);
RING_DECLARE_PAGE(netif_rx, struct netif_rx_request, struct netif_rx_response);

#define NETIF_TX_RING_SLOTS RING_SLOTS(RING_PAGE_SIZE, sizeof(union netif_tx_ring_entry))
#define NETIF_RX_RING_SLOTS RING_SLOTS(RING_PAGE_SIZE, sizeof(union netif_rx_ring_entry))

_Static_assert(sizeof(struct netif_tx_request) == 12, "tx request is 12 bytes");
_Static_assert(offsetof(struct netif_tx_request, offset) == 4, "offset @4");
_Static_assert(offsetof(struct netif_tx_request, flags) == 6, "flags @6");
_Static_assert(offsetof(struct netif_tx_request, id) == 8, "id @8");
_Static_assert(offsetof(struct netif_tx_request, size) == 10, "size @10");
_Static_assert(sizeof(struct netif_extra_info) == 8, "extra info is 8 bytes");
_Static_assert(offsetof(struct netif_extra_info, u) == 2, "extra union @2");
_Static_assert(sizeof(struct netif_tx_response) == 4, "tx response is 4 bytes");
_Static_assert(offsetof(struct netif_tx_response, status) == 2, "status @2");
_Static_assert(sizeof(struct netif_rx_request) == 8, "rx request is 8 bytes");
_Static_assert(offsetof(struct netif_rx_request, gref) == 4, "gref @4");
_Static_assert(sizeof(struct netif_rx_response) == 8, "rx response is 8 bytes");
_Static_assert(offsetof(struct netif_rx_response, offset) == 2, "offset @2");
_Static_assert(offsetof(struct netif_rx_response, flags) == 4, "flags @4");
_Static_assert(offsetof(struct netif_rx_response, status) == 6, "status @6");
_Static_assert(sizeof(union netif_tx_ring_entry) == 12, "tx slot is 12 bytes");
_Static_assert(sizeof(union netif_rx_ring_entry) == 8, "rx slot is 8 bytes");
_Static_assert(NETIF_TX_RING_SLOTS == 256, "256 tx slots per 4 KiB page");
_Static_assert(NETIF_RX_RING_SLOTS == 256, "256 rx slots per 4 KiB page");

#endif /* XENIA_PUBLIC_IO_NETIF_H */
