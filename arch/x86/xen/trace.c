// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - where the Xen trace events live (only with EVENT_TRACING).
 *
 * include/trace/events/xen.h, a core header used by no one but this port,
 * declares the xen:* events: multicall batches and their entries, page
 * table writes, pins, TLB flushes, and so on.  One object has to define
 * them (CREATE_TRACE_POINTS), and their text output names a hypercall by
 * its number through xen_hypercall_name(), here, from the list the build
 * generates out of include/xen/interface/xen*.h.
 */

#include <linux/array_size.h>

#include <xen/interface/xen.h>
#include <xen/interface/xen-mca.h>

static const char *const xen_hc_names[] = {
#define HYPERCALL(name) \
	[__HYPERVISOR_##name] = #name,
#include <asm/xen-hypercalls.h>
#undef HYPERCALL
};

static __maybe_unused const char *xen_hypercall_name(unsigned int op)
{
	const char *name = NULL;

	if (op < ARRAY_SIZE(xen_hc_names))
		name = xen_hc_names[op];
	return name ?: "?";
}

#define CREATE_TRACE_POINTS
#include <trace/events/xen.h>
