/*
 * Typed ring operations for the slot-ring protocols of public/io: blkif,
 * netif tx and netif rx (see RING_DEFINE_OPS in ring.h for what each
 * line defines). Include this instead of ring.h in a frontend or backend.
 */
#ifndef XENIA_RINGS_RING_PROTOCOLS_H
#define XENIA_RINGS_RING_PROTOCOLS_H

#include "public/io/blkif.h"
#include "public/io/netif.h"
#include "ring.h"

RING_DEFINE_OPS(blkif, struct blkif_request, struct blkif_response)
RING_DEFINE_OPS(netif_tx, struct netif_tx_request, struct netif_tx_response)
RING_DEFINE_OPS(netif_rx, struct netif_rx_request, struct netif_rx_response)

#endif /* XENIA_RINGS_RING_PROTOCOLS_H */
