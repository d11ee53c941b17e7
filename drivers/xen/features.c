// SPDX-License-Identifier: GPL-2.0
/*
 * features.c - the table behind xen_feature().
 *
 * XENVER_get_features takes the index of a 32-bit submap and returns that
 * submap: bit b of submap i is feature number i * 32 + b.  We spread each
 * bit into a byte of xen_features[] so that readers need no shifting.
 *
 * This runs from the very start of the PV boot path (xen_start_kernel),
 * before the kernel has set up its own stack protector or printk, which is
 * why the Makefile builds this file with -fno-stack-protector and why a
 * failed hypercall is not reported: its submap simply stays all zero, which
 * means "feature absent" and is the safe answer for every XENFEAT bit.
 */

#include <linux/export.h>
#include <linux/init.h>

#include <asm/xen/hypercall.h>

#include <xen/features.h>
#include <xen/interface/version.h>

u8 xen_features[XENFEAT_NR_SUBMAPS * 32] __ro_after_init;
EXPORT_SYMBOL_GPL(xen_features);

void __init xen_setup_features(void)
{
	struct xen_feature_info info;
	unsigned int i, bit;

	for (i = 0; i < XENFEAT_NR_SUBMAPS; i++) {
		info.submap_idx = i;
		info.submap = 0;
		if (HYPERVISOR_xen_version(XENVER_get_features, &info) < 0)
			info.submap = 0;
		for (bit = 0; bit < 32; bit++)
			xen_features[i * 32 + bit] = (info.submap >> bit) & 1;
	}
}
