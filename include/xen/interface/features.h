/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature flags Xen reports to a guest.
 *
 * Restates the XENFEAT_* bit numbers Linux tests, from Xen's public
 * features.h (Xen 4.17, /usr/include/xen/features.h).  The guest reads
 * them 32 at a time with XENVER_get_features (submap 0 is all Linux
 * needs); a PV kernel also lists the ones it supports or requires in its
 * XEN_ELFNOTE_SUPPORTED_FEATURES and XEN_ELFNOTE_FEATURES notes, so this
 * header is included from assembly too.
 */

#ifndef __XEN_INTERFACE_FEATURES_H__
#define __XEN_INTERFACE_FEATURES_H__

/* The guest may map its page tables writable; Xen traps and checks. */
#define XENFEAT_writable_page_tables		0
/* The guest runs with a Xen-maintained p2m (HVM, PVH). */
#define XENFEAT_auto_translated_physmap		2
/* The guest kernel runs in ring 0. */
#define XENFEAT_supervisor_mode_kernel		3
/* MMU_PT_UPDATE_PRESERVE_AD is available. */
#define XENFEAT_mmu_pt_update_preserve_ad	5
/* pvclock in HVM is safe to use (vcpu_time_info updated atomically). */
#define XENFEAT_hvm_safe_pvclock		9
/* The guest is the hardware domain. */
#define XENFEAT_dom0				11
/* The PVH kernel may put the ACPI RSDP anywhere. */
#define XENFEAT_linux_rsdp_unrestricted		15

/* Number of 32-bit submaps the guest keeps. */
#define XENFEAT_NR_SUBMAPS			1

#endif /* __XEN_INTERFACE_FEATURES_H__ */
