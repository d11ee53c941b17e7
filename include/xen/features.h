/* SPDX-License-Identifier: GPL-2.0 */
/*
 * features.h - what the hypervisor lets this guest rely on.
 *
 * Xen describes the optional parts of its guest interface as numbered
 * feature bits (XENFEAT_*, from xen/interface/features.h), handed out 32 at
 * a time as "submaps" by the XENVER_get_features hypercall.  The PV boot
 * code calls xen_setup_features() before anything else asks, and from then
 * on xen_feature() answers from a table of one byte per bit, so a test in a
 * hot path costs one load.  The table is filled once and never changes.
 */
#ifndef _XEN_FEATURES_H
#define _XEN_FEATURES_H

#include <linux/types.h>
#include <xen/interface/features.h>

/* Ask the hypervisor for every submap and fill xen_features[]; boot only. */
void xen_setup_features(void);

/* xen_features[n] is 1 when feature bit n is offered, else 0. */
extern u8 xen_features[XENFEAT_NR_SUBMAPS * 32];

static inline int xen_feature(int flag)
{
	if ((unsigned int)flag >= XENFEAT_NR_SUBMAPS * 32)
		return 0;
	return xen_features[flag];
}

#endif /* _XEN_FEATURES_H */
