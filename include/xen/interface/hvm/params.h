/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HVM parameter indexes, for HVMOP_get_param and HVMOP_set_param.
 *
 * Restates the parameter numbers of Xen's public hvm/params.h (Xen 4.17,
 * /usr/include/xen/hvm/params.h) that Linux reads, sets or names in its
 * diagnostics.
 */

#ifndef __XEN_INTERFACE_HVM_PARAMS_H__
#define __XEN_INTERFACE_HVM_PARAMS_H__

/*
 * How Xen raises the event-channel upcall in an HVM guest.  The value is
 * a type in bits 63:56 and a type-specific payload below: for
 * CALLBACK_TYPE_VECTOR, the IDT vector to inject.
 */
#define HVM_PARAM_CALLBACK_IRQ		0
#define HVM_PARAM_CALLBACK_TYPE_GSI	0
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
#define HVM_PARAM_CALLBACK_TYPE_VECTOR	2

#define HVM_PARAM_STORE_PFN		1
#define HVM_PARAM_STORE_EVTCHN		2
#define HVM_PARAM_PAE_ENABLED		4
#define HVM_PARAM_IOREQ_PFN		5
#define HVM_PARAM_BUFIOREQ_PFN		6
#define HVM_PARAM_TIMER_MODE		10
#define HVM_PARAM_HPET_ENABLED		11
#define HVM_PARAM_IDENT_PT		12
#define HVM_PARAM_DM_DOMAIN		13
#define HVM_PARAM_ACPI_S_STATE		14
#define HVM_PARAM_VM86_TSS		15
#define HVM_PARAM_VPT_ALIGN		16
#define HVM_PARAM_CONSOLE_PFN		17
#define HVM_PARAM_CONSOLE_EVTCHN	18

#endif /* __XEN_INTERFACE_HVM_PARAMS_H__ */
