/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_platform_op: dom0's window on the physical platform.
 *
 * Restates the few sub-operations Linux issues, from Xen's public
 * platform.h (Xen 4.17, /usr/include/xen/platform.h): reading firmware
 * data Xen collected at boot (BIOS disk geometry for EDD, the keyboard
 * shift state), the MTRR ranges, and physical CPU information.  Every
 * call is a struct xen_platform_op: a command, the interface version
 * (HYPERVISOR_platform_op fills it in) and a 128-byte union of
 * arguments.  Only the hardware domain may use it; a domU gets -EPERM.
 */

#ifndef __XEN_INTERFACE_PLATFORM_H__
#define __XEN_INTERFACE_PLATFORM_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define XENPF_INTERFACE_VERSION	0x03000001

#define XENPF_read_memtype	33	/* struct xenpf_read_memtype */
#define XENPF_firmware_info	50	/* struct xenpf_firmware_info */
#define XENPF_get_cpuinfo	55	/* struct xenpf_pcpuinfo */

/* Variable MTRR number reg: its range and memory type. */
struct xenpf_read_memtype {
	u32 reg;		/* in */
	xen_pfn_t mfn;
	u64 nr_mfns;
	u32 type;
};

/* xenpf_firmware_info.type */
#define XEN_FW_DISK_INFO		1	/* int 13h geometry and EDD */
#define XEN_FW_DISK_MBR_SIGNATURE	2
#define XEN_FW_KBD_SHIFT_FLAGS		5	/* int 16h, AH=02h */

/* Entry index (a disk) of the firmware table type. */
struct xenpf_firmware_info {
	u32 type;
	u32 index;
	union {
		struct {
			u8 device;		/* BIOS drive number */
			u8 version;
			u16 interface_support;
			u16 legacy_max_cylinder;
			u8 legacy_max_head;
			u8 legacy_sectors_per_track;
			void *edd_params;	/* in: buffer, size first */
		} disk_info;
		struct {
			u8 device;
			u32 mbr_signature;
		} disk_mbr_signature;
		u8 kbd_shift_flags;
	} u;
};

/* Physical CPU xen_cpuid: its APIC and ACPI ids. */
struct xenpf_pcpuinfo {
	u32 xen_cpuid;		/* in */
	u32 max_present;
	u32 flags;
	u32 apic_id;
	u32 acpi_id;
};

struct xen_platform_op {
	u32 cmd;			/* XENPF_* */
	u32 interface_version;
	union {
		struct xenpf_read_memtype read_memtype;
		struct xenpf_firmware_info firmware_info;
		struct xenpf_pcpuinfo pcpu_info;
		u8 pad[128];
	} u;
};

static_assert(sizeof(struct xenpf_read_memtype) == 32);
static_assert(offsetof(struct xenpf_firmware_info, u) == 8);
static_assert(offsetof(struct xenpf_firmware_info, u.disk_info.edd_params) == 16);
static_assert(sizeof(struct xenpf_pcpuinfo) == 20);
static_assert(offsetof(struct xenpf_pcpuinfo, apic_id) == 12);
static_assert(sizeof(struct xen_platform_op) == 136);
static_assert(offsetof(struct xen_platform_op, u) == 8);

#endif /* __XEN_INTERFACE_PLATFORM_H__ */
