/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_xen_version: what Xen is and what it offers.
 *
 * Restates what Linux uses from Xen's public version.h (Xen 4.17,
 * /usr/include/xen/version.h).  XENVER_version returns major << 16 |
 * minor; the other commands fill the buffer passed as argument.  Most of
 * them back the files under /sys/hypervisor.
 */

#ifndef __XEN_INTERFACE_VERSION_H__
#define __XEN_INTERFACE_VERSION_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define XENVER_version			0	/* no argument */
#define XENVER_extraversion		1	/* struct xen_extraversion */
#define XENVER_compile_info		2	/* struct xen_compile_info */
#define XENVER_capabilities		3	/* struct xen_capabilities_info */
#define XENVER_changeset		4	/* struct xen_changeset_info */
#define XENVER_platform_parameters	5	/* xen_platform_parameters */
#define XENVER_get_features		6	/* struct xen_feature_info */
#define XENVER_pagesize			7	/* no argument */
#define XENVER_guest_handle		8	/* xen_domain_handle_t */
#define XENVER_build_id			10	/* struct xen_build_id */

struct xen_extraversion {
	char extraversion[16];		/* e.g. ".1-pre" */
};

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};

/* Space-separated ABIs Xen runs, e.g. "xen-3.0-x86_64 hvm-3.0-x86_64". */
struct xen_capabilities_info {
	char info[1024];
};

struct xen_changeset_info {
	char info[64];
};

/* Lowest virtual address Xen reserves in a PV guest. */
struct xen_platform_parameters {
	xen_ulong_t virt_start;
};

/* One 32-bit submap of XENFEAT_* bits. */
struct xen_feature_info {
	unsigned int submap_idx;	/* in */
	u32 submap;			/* out */
};

/* len: in, the size of buf; the return value is the id's length. */
struct xen_build_id {
	u32 len;
	unsigned char buf[];
};

static_assert(sizeof(struct xen_extraversion) == 16);
static_assert(sizeof(struct xen_compile_info) == 144);
static_assert(offsetof(struct xen_compile_info, compile_by) == 64);
static_assert(offsetof(struct xen_compile_info, compile_domain) == 80);
static_assert(offsetof(struct xen_compile_info, compile_date) == 112);
static_assert(sizeof(struct xen_capabilities_info) == 1024);
static_assert(sizeof(struct xen_changeset_info) == 64);
static_assert(sizeof(struct xen_platform_parameters) == 8);
static_assert(sizeof(struct xen_feature_info) == 8);

#endif /* __XEN_INTERFACE_VERSION_H__ */
