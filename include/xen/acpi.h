/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acpi.h - the dom0 ACPI hooks, as a domU sees them.
 *
 * A control domain passes ACPI sleep requests and PCI interrupt (GSI)
 * routing on to Xen, which owns the platform.  This port builds a domU
 * only: a domU has no ACPI tables of its own and owns no physical
 * interrupts, so every hook here is an inline that does nothing or says
 * "no such GSI".  They remain because code shared with the dom0 side
 * still calls them: the PV boot code registers the sleep hook for dom0,
 * privcmd answers the toolstack's GSI query, and the PVH and pciback code
 * ask for GSI information.
 */
#ifndef _XEN_ACPI_H
#define _XEN_ACPI_H

#include <linux/errno.h>
#include <linux/types.h>

struct pci_dev;

typedef int (*get_gsi_from_sbdf_t)(u32 sbdf);

/* Route ACPI S-state entry through Xen (dom0 only). */
static inline void xen_acpi_sleep_register(void)
{
}

/* GSI of the PCI device with segment/bus/device/function @sbdf. */
static inline int xen_acpi_get_gsi_from_sbdf(u32 sbdf)
{
	return -ENODEV;
}

static inline void xen_acpi_register_get_gsi_func(get_gsi_from_sbdf_t func)
{
}

static inline int xen_acpi_get_gsi_info(struct pci_dev *dev, int *gsi_out,
					int *trigger_out, int *polarity_out)
{
	return -ENODEV;
}

static inline int xen_pvh_setup_gsi(int gsi, int trigger, int polarity)
{
	return -ENODEV;
}

#endif /* _XEN_ACPI_H */
