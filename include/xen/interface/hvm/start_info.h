/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PVH boot information block.
 *
 * Restates struct hvm_start_info and its memory-map entry from Xen's
 * public arch-x86/hvm/start_info.h (Xen 4.17,
 * /usr/include/xen/arch-x86/hvm/start_info.h).  A PVH guest is entered in
 * 32-bit protected mode with %ebx holding the physical address of this
 * block; every pointer in it is a physical address.  Only the type name
 * is needed by this build (xen/xen.h declares pvh_start_info); the layout
 * is kept whole because a PVH build copies and reads the block.
 */

#ifndef __XEN_INTERFACE_HVM_START_INFO_H__
#define __XEN_INTERFACE_HVM_START_INFO_H__

/* "xEn3" with the top bit of the last byte set. */
#define XEN_HVM_START_MAGIC_VALUE	0x336ec578

#ifndef __ASSEMBLY__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct hvm_start_info {
	u32 magic;		/* XEN_HVM_START_MAGIC_VALUE */
	u32 version;
	u32 flags;		/* SIF_* as in start_info */
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;		/* E820 type */
	u32 reserved;
};

static_assert(sizeof(struct hvm_start_info) == 56);
static_assert(offsetof(struct hvm_start_info, cmdline_paddr) == 24);
static_assert(offsetof(struct hvm_start_info, rsdp_paddr) == 32);
static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40);
static_assert(offsetof(struct hvm_start_info, memmap_entries) == 48);
static_assert(sizeof(struct hvm_memmap_table_entry) == 24);
#endif /* !__ASSEMBLY__ */

#endif /* __XEN_INTERFACE_HVM_START_INFO_H__ */
