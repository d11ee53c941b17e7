/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared-memory request/response rings, as every split driver uses them.
 *
 * This restates the ring layout of Xen's public io/ring.h (Xen 4.17,
 * /usr/include/xen/io/ring.h from libxen-dev), for the frontend side only.
 * A ring lives in one or more granted pages: a 64-byte header holding four
 * free-running 32-bit indexes, then a power-of-two array of slots, each
 * slot a union of one request and one response.
 *
 *   req_prod   the frontend publishes requests up to here
 *   req_event  the backend wants an event when req_prod passes this
 *   rsp_prod   the backend publishes responses up to here
 *   rsp_event  the frontend wants an event when rsp_prod passes this
 *
 * Indexes never wrap to the array: a slot is index & (size - 1), and all
 * differences are taken modulo 2^32.  The frontend keeps its private view
 * (requests queued but not yet pushed, responses consumed so far) in a
 * struct NAME_front_ring beside the shared page.
 *
 * DEFINE_RING_TYPES(NAME, req, rsp) makes union NAME_sring_entry,
 * struct NAME_sring and struct NAME_front_ring; the RING_* macros below
 * work on a struct NAME_front_ring pointer.
 */

#ifndef __XEN_INTERFACE_IO_RING_H__
#define __XEN_INTERFACE_IO_RING_H__

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/log2.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/barrier.h>

typedef u32 RING_IDX;

/* Bytes in front of the slot array: four indexes, then padding. */
#define XEN_RING_HEADER_BYTES	64

/*
 * Slots that fit in BYTES of shared memory for ring NAME, as a constant
 * expression (for array sizes).
 */
#define __CONST_RING_SIZE(name, bytes)					\
	rounddown_pow_of_two(((bytes) -					\
			      offsetof(struct name##_sring, ring)) /	\
			     sizeof(union name##_sring_entry))

#define DEFINE_RING_TYPES(name, req_t, rsp_t)				\
union name##_sring_entry {						\
	req_t req;							\
	rsp_t rsp;							\
};									\
									\
struct name##_sring {							\
	RING_IDX req_prod, req_event;					\
	RING_IDX rsp_prod, rsp_event;					\
	u8 __pad[XEN_RING_HEADER_BYTES - 4 * sizeof(RING_IDX)];	\
	union name##_sring_entry ring[];				\
};									\
static_assert(offsetof(struct name##_sring, ring) ==			\
	      XEN_RING_HEADER_BYTES);					\
									\
struct name##_front_ring {						\
	RING_IDX req_prod_pvt;	/* next request slot we fill */		\
	RING_IDX rsp_cons;	/* next response we read */		\
	unsigned int nr_ents;	/* slots in the ring */			\
	struct name##_sring *sring;					\
}

/*
 * Set up a fresh shared ring of BYTES bytes at SRING and the frontend's
 * view FRONT of it: all indexes zero, both event thresholds at 1 (the
 * other side wants to hear about the very first entry).
 */
#define XEN_FRONT_RING_INIT(front, sring_ptr, bytes) do {		\
	typeof(front) __fi = (front);					\
	typeof(sring_ptr) __s = (sring_ptr);				\
	size_t __slots = ((bytes) - offsetof(typeof(*__s), ring)) /	\
			 sizeof(__s->ring[0]);				\
									\
	__s->req_prod = 0;						\
	__s->rsp_prod = 0;						\
	__s->req_event = 1;						\
	__s->rsp_event = 1;						\
	memset(__s->__pad, 0, sizeof(__s->__pad));			\
	__fi->req_prod_pvt = 0;						\
	__fi->rsp_cons = 0;						\
	__fi->nr_ents = rounddown_pow_of_two(__slots);			\
	__fi->sring = __s;						\
} while (0)

#define RING_SIZE(front)	((front)->nr_ents)

/* Slots we may still fill before the backend has answered. */
#define RING_FREE_REQUESTS(front) ({					\
	typeof(front) __ff = (front);					\
									\
	RING_SIZE(__ff) - (__ff->req_prod_pvt - __ff->rsp_cons);	\
})

#define RING_FULL(front)	(RING_FREE_REQUESTS(front) == 0)

/* Responses the backend has published that we have not read yet. */
#define RING_HAS_UNCONSUMED_RESPONSES(front) ({				\
	typeof(front) __fu = (front);					\
									\
	READ_ONCE(__fu->sring->rsp_prod) != __fu->rsp_cons;		\
})

#define __XEN_RING_SLOT(front, idx) ({					\
	typeof(front) __fs = (front);					\
									\
	&__fs->sring->ring[(idx) & (RING_SIZE(__fs) - 1)];		\
})

#define RING_GET_REQUEST(front, idx)	(&__XEN_RING_SLOT(front, idx)->req)
#define RING_GET_RESPONSE(front, idx)	(&__XEN_RING_SLOT(front, idx)->rsp)

/*
 * Copy response IDX out of the shared page into *DEST.  The compiler
 * barrier keeps the compiler from reading the slot again later in place
 * of the copy, so a backend rewriting the slot cannot make us see two
 * different values of one field.
 */
#define RING_COPY_RESPONSE(front, idx, dest) do {			\
	typeof(dest) __d = (dest);					\
									\
	memcpy(__d, RING_GET_RESPONSE(front, idx), sizeof(*__d));	\
	barrier();	/* use the copy, never the shared slot */	\
} while (0)

/*
 * Publish the requests queued since the last push.  NOTIFY is set when
 * the backend asked (through req_event) to be told about one of them.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(front, notify) do {	\
	typeof(front) __fp = (front);					\
	RING_IDX __old = __fp->sring->req_prod;				\
	RING_IDX __new = __fp->req_prod_pvt;				\
									\
	/* the requests' contents before the index that publishes them */ \
	virt_wmb();							\
	__fp->sring->req_prod = __new;					\
	/* the new req_prod before our read of req_event */		\
	virt_mb();							\
	(notify) = (RING_IDX)(__new - __fp->sring->req_event) <		\
		   (RING_IDX)(__new - __old);				\
} while (0)

/*
 * Before going idle: if nothing is pending, ask for an event at the next
 * response (rsp_event) and look again, closing the race with a response
 * published meanwhile.  WORK becomes true when responses are waiting.
 */
#define __XEN_RING_FINAL_CHECK(front) ({				\
	typeof(front) __fc = (front);					\
	bool __work = RING_HAS_UNCONSUMED_RESPONSES(__fc);		\
									\
	if (!__work) {							\
		__fc->sring->rsp_event = __fc->rsp_cons + 1;		\
		/* rsp_event before the second look at rsp_prod */	\
		virt_mb();						\
		__work = RING_HAS_UNCONSUMED_RESPONSES(__fc);		\
	}								\
	__work;								\
})

#define RING_FINAL_CHECK_FOR_RESPONSES(front, work)			\
	((work) = __XEN_RING_FINAL_CHECK(front))

#endif /* __XEN_INTERFACE_IO_RING_H__ */
