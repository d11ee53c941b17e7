/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/xen/trace_types.h - types named by the Xen trace events.
 *
 * include/trace/events/xen.h (core, Xen-only) defines trace points for
 * the PV multicall batcher: why a batch was flushed, whether growing the
 * last entry's arguments worked, and which callback a flush will run.
 * The types those events record are these; the batcher in
 * arch/x86/xen/multicalls.c uses the same names.
 */
#ifndef _ASM_X86_XEN_TRACE_TYPES_H
#define _ASM_X86_XEN_TRACE_TYPES_H

/* Why the queued multicalls were issued. */
enum xen_mc_flush_reason {
	XEN_MC_FL_NONE,		/* asked for: the batch is complete */
	XEN_MC_FL_BATCH,	/* no room for another entry */
	XEN_MC_FL_ARGS,		/* no room for more argument bytes */
	XEN_MC_FL_CALLBACK,	/* no room for another callback */
};

/* What became of a request to grow the last entry's arguments. */
enum xen_mc_extend_args {
	XEN_MC_XE_OK,		/* grown in place */
	XEN_MC_XE_BAD_OP,	/* the last entry is another operation */
	XEN_MC_XE_NO_SPACE,	/* the argument buffer is full */
};

/* A function run, with its argument, once the batch has been issued. */
typedef void (*xen_mc_callback_fn_t)(void *);

#endif /* _ASM_X86_XEN_TRACE_TYPES_H */
