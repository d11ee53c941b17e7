/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvc-console.h - what drivers/tty/hvc/hvc_xen.c offers the rest of the
 * kernel: the early "xenboot" console (earlyprintk=xen, registered by the
 * core's early_printk.c), raw debug output for the PV boot code that runs
 * before any console exists, and the hook the domain-control code calls
 * after save/restore or migration to move the console to its new event
 * channel.  Without CONFIG_HVC_XEN the calls do nothing.
 */
#ifndef _XEN_HVC_CONSOLE_H
#define _XEN_HVC_CONSOLE_H

#include <linux/compiler_attributes.h>

struct console;

/* The boot console behind earlyprintk=xen. */
extern struct console xenboot_console;

#if IS_ENABLED(CONFIG_HVC_XEN)
/* Write a NUL-terminated string straight to Xen's console. */
void xen_raw_console_write(const char *str);
/* printf to the same place; for code that runs before printk works. */
void xen_raw_printk(const char *fmt, ...) __printf(1, 2);
/* After a resume: read the console's ring and channel from start_info. */
void xen_console_resume(void);
#else
static inline void xen_raw_console_write(const char *str) { }
static inline __printf(1, 2) void xen_raw_printk(const char *fmt, ...) { }
static inline void xen_console_resume(void) { }
#endif

#endif /* _XEN_HVC_CONSOLE_H */
