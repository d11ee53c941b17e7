/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/xen/swiotlb-xen.h - machine-contiguous memory for DMA on Xen PV.
 *
 * A PV guest's pseudo-physically contiguous pages are scattered over
 * machine memory, so a buffer a device must see as one block has to be
 * exchanged with Xen for a machine-contiguous extent first.
 * arch/x86/xen/mmu_pv_remap.c does that exchange; swiotlb-xen (and the
 * PCI frontend) use it for their bounce buffers.
 */
#ifndef _ASM_X86_XEN_SWIOTLB_XEN_H
#define _ASM_X86_XEN_SWIOTLB_XEN_H

#include <linux/types.h>

/*
 * Make the 2^@order pages at @pstart machine-contiguous below
 * 2^@address_bits; the bus address of the extent goes to @dma_handle.
 * 0 or -errno.
 */
int xen_create_contiguous_region(phys_addr_t pstart, unsigned int order,
				 unsigned int address_bits,
				 dma_addr_t *dma_handle);

/* Hand such an extent back, getting ordinary single frames in its place. */
void xen_destroy_contiguous_region(phys_addr_t pstart, unsigned int order);

#ifdef CONFIG_SWIOTLB_XEN
/* Make the swiotlb pool of @nslabs slabs at @buf machine-contiguous. */
int xen_swiotlb_fixup(void *buf, unsigned long nslabs);
#endif

#endif /* _ASM_X86_XEN_SWIOTLB_XEN_H */
