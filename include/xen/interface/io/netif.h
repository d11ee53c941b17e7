/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual network interface (vif) rings, frontend's view.
 *
 * Restates the parts of Xen's public io/netif.h (Xen 4.17,
 * /usr/include/xen/io/netif.h) that our netfront speaks.  A vif has two
 * rings.  On the transmit ring we post a packet as one request per granted
 * buffer (flag more_data on all but the last), optionally followed by
 * "extra info" slots (flag extra_info) such as a GSO descriptor; the
 * backend answers each request slot by id.  On the receive ring we post
 * empty granted pages; the backend fills them and answers with offset,
 * flags and a status that is either a byte count or a negative error.
 */

#ifndef __XEN_INTERFACE_IO_NETIF_H__
#define __XEN_INTERFACE_IO_NETIF_H__

#include <linux/build_bug.h>
#include <linux/types.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/ring.h>

/* A backend must accept a packet spread over at least this many slots. */
#define XEN_NETIF_NR_SLOTS_MIN		18

/* Largest packet the transmit ring carries (the size field is 16 bits). */
#define XEN_NETIF_MAX_TX_SIZE		0xFFFF

/* xen_netif_tx_request.flags */
#define XEN_NETTXF_csum_blank		0x01U	/* checksum to fill */
#define XEN_NETTXF_data_validated	0x02U	/* checksum known good */
#define XEN_NETTXF_more_data		0x04U	/* next slot continues */
#define XEN_NETTXF_extra_info		0x08U	/* extra slot follows */

/* xen_netif_rx_response.flags */
#define XEN_NETRXF_data_validated	0x01U
#define XEN_NETRXF_csum_blank		0x02U
#define XEN_NETRXF_more_data		0x04U
#define XEN_NETRXF_extra_info		0x08U
#define XEN_NETRXF_gso_prefix		0x10U	/* slot holds GSO prefix */

/* Extra info slot: type, flags and GSO kinds. */
#define XEN_NETIF_EXTRA_TYPE_NONE	0
#define XEN_NETIF_EXTRA_TYPE_GSO	1
#define XEN_NETIF_EXTRA_TYPE_MAX	6
#define XEN_NETIF_EXTRA_FLAG_MORE	0x01U	/* another extra follows */

#define XEN_NETIF_GSO_TYPE_NONE		0
#define XEN_NETIF_GSO_TYPE_TCPV4	1
#define XEN_NETIF_GSO_TYPE_TCPV6	2

/* Response status values (rx: a positive status is the byte count). */
#define XEN_NETIF_RSP_DROPPED		(-2)
#define XEN_NETIF_RSP_ERROR		(-1)
#define XEN_NETIF_RSP_OKAY		0
#define XEN_NETIF_RSP_NULL		1	/* tx: slot held extra info */

struct xen_netif_tx_request {
	grant_ref_t gref;
	u16 offset;
	u16 flags;
	u16 id;
	u16 size;	/* first slot: whole packet; others: this buffer */
};

struct xen_netif_extra_info {
	u8 type;
	u8 flags;
	union {
		struct {
			u16 size;	/* MSS */
			u8 type;	/* XEN_NETIF_GSO_TYPE_* */
			u8 pad;
			u16 features;
		} gso;
		u16 pad[3];
	} u;
};

struct xen_netif_tx_response {
	u16 id;
	s16 status;
};

struct xen_netif_rx_request {
	u16 id;
	u16 pad;
	grant_ref_t gref;
};

struct xen_netif_rx_response {
	u16 id;
	u16 offset;
	u16 flags;
	s16 status;
};

DEFINE_RING_TYPES(xen_netif_tx, struct xen_netif_tx_request,
		  struct xen_netif_tx_response);
DEFINE_RING_TYPES(xen_netif_rx, struct xen_netif_rx_request,
		  struct xen_netif_rx_response);

static_assert(sizeof(struct xen_netif_tx_request) == 12);
static_assert(offsetof(struct xen_netif_tx_request, offset) == 4);
static_assert(offsetof(struct xen_netif_tx_request, flags) == 6);
static_assert(offsetof(struct xen_netif_tx_request, id) == 8);
static_assert(offsetof(struct xen_netif_tx_request, size) == 10);
static_assert(sizeof(struct xen_netif_tx_response) == 4);
static_assert(sizeof(struct xen_netif_rx_request) == 8);
static_assert(sizeof(struct xen_netif_rx_response) == 8);
static_assert(offsetof(struct xen_netif_rx_response, status) == 6);
static_assert(sizeof(struct xen_netif_extra_info) == 8);
static_assert(offsetof(struct xen_netif_extra_info, u) == 2);

#endif /* __XEN_INTERFACE_IO_NETIF_H__ */
