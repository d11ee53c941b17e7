/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenbus device state machine's states.
 *
 * Restates enum xenbus_state from Xen's public io/xenbus.h (Xen 4.17,
 * /usr/include/xen/io/xenbus.h).  Each end of a split device writes its
 * state as a decimal number to its own "state" node in xenstore; the
 * values are therefore wire format.
 */

#ifndef __XEN_INTERFACE_IO_XENBUS_H__
#define __XEN_INTERFACE_IO_XENBUS_H__

enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2,	/* backend: waiting for frontend data */
	XenbusStateInitialised = 3,	/* frontend: rings published */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8,
};

#endif /* __XEN_INTERFACE_IO_XENBUS_H__ */
