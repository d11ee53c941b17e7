/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvm.h - the upcall vector of an HVM guest.
 *
 * Only for the hardware-virtualised side of the port (CONFIG_XEN_PVHVM):
 * the HVM boot and suspend code and drivers/xen/events/evtchn-hvm.c.  A PV
 * guest takes its event upcall through the callback Xen enters directly
 * and never includes this header.  An HVM guest instead has Xen raise an
 * interrupt vector, named either once for the domain through the
 * HVM_PARAM_CALLBACK_IRQ parameter or per vCPU with
 * HVMOP_set_evtchn_upcall_vector; evtchn-hvm.c implements both.
 *
 * The hypercall and HVMOP headers come along because the HVM files that
 * include this one use HYPERVISOR_hvm_op() through it.
 */
#ifndef _XEN_HVM_H
#define _XEN_HVM_H

#include <linux/types.h>
#include <asm/xen/hypercall.h>
#include <xen/interface/hvm/hvm_op.h>

/*
 * HVM_PARAM_CALLBACK_IRQ value for "raise vector @v": the delivery type
 * goes in the top byte (Xen's hvm/params.h), type 2 being a vector.
 */
#define HVM_CALLBACK_VIA_TYPE_SHIFT	56
#define HVM_CALLBACK_VECTOR(v)		\
	(((u64)2 << HVM_CALLBACK_VIA_TYPE_SHIFT) | (v))

/* Ask for the domain-wide upcall on HYPERVISOR_CALLBACK_VECTOR. */
void xen_setup_callback_vector(void);

/* Ask for @cpu's own upcall vector; 0 or the hypercall's -errno. */
int xen_set_upcall_vector(unsigned int cpu);

#endif /* _XEN_HVM_H */
