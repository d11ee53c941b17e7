/* SPDX-License-Identifier: GPL-2.0 */
/*
 * platform_pci.h - may a Xen frontend drive this guest's devices?
 *
 * Every frontend (blkfront, netfront, and the core ones for keyboard,
 * framebuffer, TPM, sound, display and PCI) asks xen_has_pv_devices() or
 * its disk and NIC variants before registering.  In a PV guest the answer
 * is simply "yes, on Xen": there are no emulated devices to compete with.
 *
 * An HVM guest (CONFIG_XEN_PVHVM) also sees QEMU's emulated disks and
 * NICs for the same backends, and must ask QEMU to unplug them before its
 * PV drivers take over.  That protocol is a few I/O ports of the Xen
 * platform PCI device, used by arch/x86/xen/platform-pci-unplug.c, which
 * also supplies the answers; its constants are kept here only while that
 * HVM code is built.
 */
#ifndef _XEN_PLATFORM_PCI_H
#define _XEN_PLATFORM_PCI_H

#include <linux/bits.h>
#include <linux/types.h>
#include <xen/xen.h>

#ifdef CONFIG_XEN_PVHVM
/*
 * QEMU's unplug ports (Xen's docs/misc/hvm-emulated-unplug): the magic
 * word and protocol version are read, the product and driver version
 * written, then the unplug mask written to the same port as the magic.
 */
#define XEN_IOPORT_MAGIC		0x10	/* 16 bit, read */
#define XEN_IOPORT_UNPLUG		0x10	/* 16 bit, write */
#define XEN_IOPORT_DRVVER		0x10	/* 32 bit, write */
#define XEN_IOPORT_PROTOVER		0x12	/* 8 bit, read */
#define XEN_IOPORT_PRODNUM		0x12	/* 16 bit, write */

#define XEN_IOPORT_MAGIC_VAL		0x49d2
#define XEN_IOPORT_LINUX_PRODNUM	0x0003
#define XEN_IOPORT_LINUX_DRVVER		0x0001

/* Unplug mask bits (the first three go to QEMU). */
#define XEN_UNPLUG_ALL_IDE_DISKS	BIT(0)
#define XEN_UNPLUG_ALL_NICS		BIT(1)
#define XEN_UNPLUG_AUX_IDE_DISKS	BIT(2)
#define XEN_UNPLUG_ALL			(XEN_UNPLUG_ALL_IDE_DISKS | \
					 XEN_UNPLUG_ALL_NICS | \
					 XEN_UNPLUG_AUX_IDE_DISKS)
/* Linux-only choices from xen_emul_unplug=: leave QEMU's devices alone. */
#define XEN_UNPLUG_UNNECESSARY		BIT(16)
#define XEN_UNPLUG_NEVER		BIT(17)

/* Unplug the emulated NICs or disks when this kernel has their frontend. */
static inline int xen_must_unplug_nics(void)
{
	return IS_ENABLED(CONFIG_XEN_NETDEV_FRONTEND);
}

static inline int xen_must_unplug_disks(void)
{
	return IS_ENABLED(CONFIG_XEN_BLKDEV_FRONTEND);
}

bool xen_has_pv_devices(void);
bool xen_has_pv_disk_devices(void);
bool xen_has_pv_nic_devices(void);
bool xen_has_pv_and_legacy_disk_devices(void);
#else
static inline bool xen_has_pv_devices(void)
{
	return xen_domain();
}

static inline bool xen_has_pv_disk_devices(void)
{
	return xen_domain();
}

static inline bool xen_has_pv_nic_devices(void)
{
	return xen_domain();
}

/* Emulated disks alongside PV ones exist only in HVM guests. */
static inline bool xen_has_pv_and_legacy_disk_devices(void)
{
	return false;
}
#endif

#endif /* _XEN_PLATFORM_PCI_H */
