/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swiotlb-xen.h - DMA bouncing for guests whose memory Xen scatters.
 *
 * drivers/xen/swiotlb-xen.c provides DMA ops that bounce through a pool of
 * machine-contiguous memory whenever a buffer is not.  The x86 DMA setup
 * (arch/x86/kernel/pci-dma.c, core code that includes this header whatever
 * the config) installs them for a PV dom0 or a PV guest with passed-through
 * PCI devices, under CONFIG_SWIOTLB_XEN; a plain PV domU does not need them.
 */
#ifndef _XEN_SWIOTLB_XEN_H
#define _XEN_SWIOTLB_XEN_H

#include <linux/dma-direction.h>
#include <linux/swiotlb.h>
#include <linux/types.h>
#include <asm/xen/swiotlb-xen.h>

struct device;

extern const struct dma_map_ops xen_swiotlb_dma_ops;

/*
 * Cache maintenance for devices that do not snoop: Arm only.  x86 DMA is
 * coherent, so swiotlb-xen's calls to these are compiled out.
 */
void xen_dma_sync_for_cpu(struct device *dev, dma_addr_t handle,
			  size_t size, enum dma_data_direction dir);
void xen_dma_sync_for_device(struct device *dev, dma_addr_t handle,
			     size_t size, enum dma_data_direction dir);

#endif /* _XEN_SWIOTLB_XEN_H */
