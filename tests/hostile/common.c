// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - the plumbing every hostile backend shares, and main().
 *
 * This file owns the three dom0 interfaces a userspace backend needs and
 * nothing of the block or network protocols:
 *
 *  - xenstore (libxenstore): the device's two directories.  The backend
 *    directory lives under /local/domain/0/backend/hostile-<kind>/, a path
 *    no kernel backend watches, so the domU's frontend talks to us alone.
 *    The frontend directory is written last, in the same transaction, so
 *    that the domU's xenbus, whose watch fires at commit, probes a complete
 *    device.  States are polled rather than watched: a backend that reacts
 *    20 ms late is still a correct backend, and no watch thread is needed.
 *  - grants (libxengnttab over /dev/xen/gntdev): mapping the pages the
 *    frontend granted, read-only or writable as the frontend's grant
 *    allows.  A count of the pages we hold is kept so that the end of the
 *    run can say whether anything leaked.
 *  - event channels (libxenevtchn over /dev/xen/evtchn): binding one or
 *    more of the frontend's unbound ports, notifying them, and waiting for
 *    their events with poll() so that a signal ends the wait.
 *
 * main() parses "hostile list" and "hostile vbd|vif DOMID DEVID [SCENARIO]
 * [--after N]", opens the handles and hands over to vbd_run() or vif_run(),
 * which serve until SIGTERM/SIGINT and close the device themselves.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xentoollog.h>

#include "hostile.h"

volatile sig_atomic_t hb_armed, hb_stop;

/* Pages currently mapped through hb_map(), over every device. */
static unsigned long hb_mapped;

/* Our ends of the event channels bound so far, for hb_unbind_all(). */
#define HB_MAX_PORTS	128
static evtchn_port_t hb_ports[HB_MAX_PORTS];
static unsigned int hb_nports;

void hb_log(const char *fmt, ...)
{
	va_list ap;

	fputs("hostile: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void hb_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hostile: fatal: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(2);
}

/*
 * xenstore
 */

static void xs_mkdir_perm(struct xs_handle *xs, xs_transaction_t t, const char *path,
			  unsigned int owner, unsigned int reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (!xs_mkdir(xs, t, path))
		hb_die("mkdir %s: %s", path, strerror(errno));
	if (!xs_set_permissions(xs, t, path, perms, 2))
		hb_die("permissions of %s: %s", path, strerror(errno));
}

static void xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		   const char *key, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (!xs_write(xs, t, path, val, strlen(val)))
		hb_die("write %s: %s", path, strerror(errno));
}

void hb_create(struct hb *b, const char *const *fe_kv)
{
	const char *const *kv;
	char num[32];
	xs_transaction_t t;

	snprintf(b->fe, sizeof(b->fe), "/local/domain/%u/device/%s/%u", b->domid, b->kind,
		 b->devid);
	snprintf(b->be, sizeof(b->be), "/local/domain/0/backend/hostile-%s/%u/%u", b->kind,
		 b->domid, b->devid);
	for (;;) {
		t = xs_transaction_start(b->xs);
		if (t == XBT_NULL)
			hb_die("transaction start: %s", strerror(errno));
		/* Leftovers of an earlier run would confuse both sides. */
		xs_rm(b->xs, t, b->fe);
		xs_rm(b->xs, t, b->be);

		/* The backend's dir: ours, readable by the domU. */
		xs_mkdir_perm(b->xs, t, b->be, 0, b->domid);
		xs_put(b->xs, t, b->be, "frontend", b->fe);
		snprintf(num, sizeof(num), "%u", b->domid);
		xs_put(b->xs, t, b->be, "frontend-id", num);
		xs_put(b->xs, t, b->be, "online", "1");
		snprintf(num, sizeof(num), "%d", XenbusStateInitialising);
		xs_put(b->xs, t, b->be, "state", num);

		/* The frontend's dir: the domU's, readable by us; last. */
		xs_mkdir_perm(b->xs, t, b->fe, b->domid, 0);
		xs_put(b->xs, t, b->fe, "backend", b->be);
		xs_put(b->xs, t, b->fe, "backend-id", "0");
		xs_put(b->xs, t, b->fe, "state", num);
		for (kv = fe_kv; kv && kv[0] && kv[1]; kv += 2)
			xs_put(b->xs, t, b->fe, kv[0], kv[1]);
		if (xs_transaction_end(b->xs, t, false))
			return;
		if (errno != EAGAIN)
			hb_die("transaction end: %s", strerror(errno));
	}
}

int hb_bewrite(struct hb *b, const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", b->be, key);
	return xs_write(b->xs, XBT_NULL, path, val, n) ? 0 : -1;
}

int hb_berm(struct hb *b, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", b->be, key);
	return xs_rm(b->xs, XBT_NULL, path) ? 0 : -1;
}

char *hb_feread(struct hb *b, const char *key)
{
	char path[256];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", b->fe, key);
	return xs_read(b->xs, XBT_NULL, path, &len);
}

/* 0 and *v when KEY holds a plain decimal number that fits; -1 otherwise */
int hb_feread_ulong(struct hb *b, const char *key, unsigned long *v)
{
	char *s = hb_feread(b, key), *end;
	unsigned long x;
	int ret = -1;

	if (!s)
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && !*end && !errno) {
		*v = x;
		ret = 0;
	}
	free(s);
	return ret;
}

int hb_fe_state(struct hb *b)
{
	unsigned long s;

	if (hb_feread_ulong(b, "state", &s) || s > INT_MAX)
		return -1;
	return (int)s;
}

void hb_set_state(struct hb *b, enum xenbus_state s)
{
	if (hb_bewrite(b, "state", "%d", (int)s))
		hb_log("could not write state %d: %s", (int)s, strerror(errno));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int hb_wait_fe(struct hb *b, unsigned int mask, int timeout_ms)
{
	int waited = 0, s;

	for (;;) {
		s = hb_fe_state(b);
		if (s >= 0 && s < 32 && (mask & (1u << s)))
			return s;
		if (hb_stop || waited >= timeout_ms)
			return -1;
		sleep_ms(20);
		waited += 20;
	}
}

void hb_remove(struct hb *b)
{
	xs_rm(b->xs, XBT_NULL, b->fe);
	xs_rm(b->xs, XBT_NULL, b->be);
}

/*
 * grants
 */

void *hb_map(struct hb *b, const uint32_t *refs, unsigned int n, int writable)
{
	void *p;

	if (!n)
		return NULL;
	p = xengnttab_map_domain_grant_refs(b->gt, n, b->domid, (uint32_t *)refs,
					    writable ? PROT_READ | PROT_WRITE : PROT_READ);
	if (p)
		hb_mapped += n;
	return p;
}

void hb_unmap(struct hb *b, void *p, unsigned int n)
{
	if (!p)
		return;
	if (xengnttab_unmap(b->gt, p, n))
		hb_log("unmap of %u pages failed: %s", n, strerror(errno));
	else
		hb_mapped -= n;
}

/*
 * events
 */

evtchn_port_t hb_bind(struct hb *b, unsigned int remote_port)
{
	xenevtchn_port_or_error_t p;

	if (hb_nports >= HB_MAX_PORTS)
		hb_die("more than %d event channels", HB_MAX_PORTS);
	p = xenevtchn_bind_interdomain(b->ev, b->domid, remote_port);
	if (p < 0)
		hb_die("binding event channel %u of domain %u: %s", remote_port, b->domid,
		       strerror(errno));
	hb_ports[hb_nports++] = p;
	if (!b->bound)
		b->lport = p;
	b->bound++;
	return p;
}

void hb_unbind_all(struct hb *b)
{
	while (hb_nports)
		xenevtchn_unbind(b->ev, hb_ports[--hb_nports]);
	b->bound = 0;
}

void hb_notify_port(struct hb *b, evtchn_port_t port)
{
	xenevtchn_notify(b->ev, port);
}

void hb_notify(struct hb *b)
{
	if (b->bound)
		hb_notify_port(b, b->lport);
}

int hb_wait_event_port(struct hb *b, int timeout_ms, evtchn_port_t *port)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(b->ev), .events = POLLIN };
	xenevtchn_port_or_error_t p;
	int r;

	if (hb_stop)
		return -1;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return hb_stop ? -1 : 0;	/* another signal (SIGUSR1): a short wait */
	if (r == 0)
		return hb_stop ? -1 : 0;
	p = xenevtchn_pending(b->ev);
	if (p < 0)
		return 0;
	xenevtchn_unmask(b->ev, p);
	if (port)
		*port = p;
	return 1;
}

int hb_wait_event(struct hb *b, int timeout_ms)
{
	return hb_wait_event_port(b, timeout_ms, NULL);
}

/*
 * main
 */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		hb_armed = 1;
	else
		hb_stop = 1;
}

static void usage(void)
{
	fputs("usage: hostile list\n"
	      "       hostile vbd|vif DOMID DEVID [SCENARIO] [--after N]\n", stderr);
	exit(2);
}

static void list(const char *kind, const struct scenario *sc)
{
	for (; sc->name; sc++)
		printf("%s\t%s\t%s\n", sc->name, kind, sc->what);
}

static unsigned long number(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-')
		hb_die("bad %s: %s", what, s);
	return v;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	const struct scenario *table;
	xentoollog_logger_stdiostream *quiet;
	struct hb b = { .after = ULONG_MAX };
	int i, ret;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		list("vbd", vbd_scenarios);
		list("vif", vif_scenarios);
		return 0;
	}
	if (argc < 4)
		usage();
	if (!strcmp(argv[1], "vbd"))
		table = vbd_scenarios;
	else if (!strcmp(argv[1], "vif"))
		table = vif_scenarios;
	else
		usage();
	b.kind = argv[1];
	b.domid = number(argv[2], "domain id");
	b.devid = number(argv[3], "device id");
	if (!b.domid)
		hb_die("dom0 cannot be its own frontend");
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--after") && i + 1 < argc) {
			b.after = number(argv[++i], "--after count");
		} else if (!b.sc && argv[i][0] != '-') {
			for (b.sc = table; b.sc->name; b.sc++)
				if (!strcmp(b.sc->name, argv[i]))
					break;
			if (!b.sc->name)
				hb_die("no %s scenario %s (see hostile list)", b.kind, argv[i]);
		} else {
			usage();
		}
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* libxengnttab logs every refused map; a refusal is an answer here */
	quiet = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
	b.xs = xs_open(0);
	if (!b.xs)
		hb_die("xs_open: %s", strerror(errno));
	b.gt = xengnttab_open((xentoollog_logger *)quiet, 0);
	if (!b.gt)
		hb_die("xengnttab_open: %s", strerror(errno));
	b.ev = xenevtchn_open(NULL, 0);
	if (!b.ev)
		hb_die("xenevtchn_open: %s", strerror(errno));
	hb_log("%s backend for domain %u device %u, scenario %s%s", b.kind, b.domid, b.devid,
	       b.sc ? b.sc->name : "none (honest)",
	       b.sc && b.after != ULONG_MAX ? " (armed after --after requests)" : "");

	ret = table == vbd_scenarios ? vbd_run(&b) : vif_run(&b);

	/* Whatever the protocol left behind. */
	hb_unbind_all(&b);
	hb_log("still mapped %lu", hb_mapped);
	xenevtchn_close(b.ev);
	xengnttab_close(b.gt);
	xs_close(b.xs);
	if (quiet)
		xtl_logger_destroy((xentoollog_logger *)quiet);
	return ret;
}
