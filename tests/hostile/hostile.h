/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile.h - what the parts of the hostile backend share.
 *
 * `hostile` runs in dom0 of the embedded Xen host.  It plays the backend of
 * one device of a running domU: it writes the device's frontend and backend
 * directories in xenstore itself (the backend under a path of its own,
 * /local/domain/0/backend/hostile-<kind>/<domid>/<devid>, which no kernel
 * backend watches), goes through the xenbus handshake, maps the rings and
 * data pages the frontend grants through /dev/xen/gntdev, binds the
 * frontend's event channel through /dev/xen/evtchn, and serves correct I/O:
 * a RAM disk for a vbd, an ARP and ICMP-echo responder for a vif.  Then, in
 * one named scenario at a time, it lies (see `hostile list`).
 *
 * common.c holds the xenstore, grant and event plumbing and main(); vbd.c
 * and vif.c the two protocols and their scenarios.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <signal.h>
#include <stdint.h>
#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include <xen/io/xenbus.h>

/* One scenario: a name for the command line, the device kind it attacks
 * and a line of what the backend does.  The tables live in vbd.c, vif.c. */
struct scenario {
	const char *name;
	const char *what;
};

/* One device this process is the backend of. */
struct hb {
	struct xs_handle *xs;
	xengnttab_handle *gt;
	xenevtchn_handle *ev;
	const char *kind;		/* "vbd" or "vif" */
	unsigned int domid, devid;
	char fe[128];			/* /local/domain/D/device/KIND/N */
	char be[128];			/* /local/domain/0/backend/hostile-KIND/D/N */
	evtchn_port_t lport;		/* our end of the frontend's channel */
	int bound;			/* how many channels are bound */
	const struct scenario *sc;	/* NULL: an honest backend */
	unsigned long after;		/* requests served well before the attack;
				 * ULONG_MAX without --after: SIGUSR1 only */
};

/* Set by signals: SIGUSR1 arms the scenario now (whatever `after` says),
 * SIGTERM/SIGINT ask for an orderly close (state Closing, wait for the
 * frontend's Closed for up to 10 s, unmap, unbind, remove both dirs). */
extern volatile sig_atomic_t hb_armed, hb_stop;

/* Progress and findings, one line each, "hostile: " first, flushed: the
 * test driver waits for "hostile: connected" and "hostile: attacked". */
void hb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Fatal setup errors: log and exit(2). */
void hb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* xenstore.  hb_create writes the backend dir (state Initialising, plus
 * frontend, frontend-id, online=1) and then the frontend dir (backend,
 * backend-id=0, state Initialising, and the NULL-terminated key/value pairs
 * in fe_kv), each readable by the other side, in one transaction. */
void hb_create(struct hb *b, const char *const *fe_kv);
int hb_bewrite(struct hb *b, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int hb_berm(struct hb *b, const char *key);
char *hb_feread(struct hb *b, const char *key);	/* malloc'd, NULL if none */
int hb_feread_ulong(struct hb *b, const char *key, unsigned long *v);
int hb_fe_state(struct hb *b);			/* -1 when unreadable */
void hb_set_state(struct hb *b, enum xenbus_state s);
/* Wait (polling xenstore every 20 ms) until the frontend's state is one of
 * the bits in mask (1 << state); the state reached, or -1 after timeout_ms
 * or on hb_stop. */
int hb_wait_fe(struct hb *b, unsigned int mask, int timeout_ms);
void hb_remove(struct hb *b);			/* both dirs, gone */

/* grants: map n pages the frontend granted (refs[i]) as one run */
void *hb_map(struct hb *b, const uint32_t *refs, unsigned int n, int writable);
void hb_unmap(struct hb *b, void *p, unsigned int n);

/* events.  hb_bind returns our end of the channel; the first one bound is
 * also b->lport, the port hb_notify uses.  A device with several channels
 * (a multi-queue vbd) notifies each with hb_notify_port, and learns which
 * one fired from hb_wait_event_port.  hb_unbind_all drops every channel
 * bound so far (main() calls it again after the protocol returns). */
evtchn_port_t hb_bind(struct hb *b, unsigned int remote_port);
void hb_notify(struct hb *b);
void hb_notify_port(struct hb *b, evtchn_port_t port);
/* 1: an event came (and the port is unmasked again); 0: timeout_ms passed;
 * -1: hb_stop was set */
int hb_wait_event(struct hb *b, int timeout_ms);
int hb_wait_event_port(struct hb *b, int timeout_ms, evtchn_port_t *port);
void hb_unbind_all(struct hb *b);

/* the two protocols: each serves until hb_stop, then closes; exit status */
extern const struct scenario vbd_scenarios[], vif_scenarios[];
int vbd_run(struct hb *b);
int vif_run(struct hb *b);

#endif
