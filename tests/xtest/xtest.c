// SPDX-License-Identifier: GPL-2.0
/*
 * xtest - the small static tool the boot tests run in dom0 and in the domU.
 *
 * Data tests here never trust a checksum printed by the thing under test:
 * every byte is compared with a pattern both sides can regenerate from a
 * seed.  The pattern is a xorshift64* stream, 8 bytes per step, so the byte
 * at any offset is known without storing anything.
 *
 *   xtest write  PATH SEED MIB     fill PATH with the pattern (O_DIRECT when
 *                                  PATH is a block device), fsync
 *   xtest verify PATH SEED MIB     read PATH back (O_DIRECT for a block
 *                                  device) and compare with the pattern
 *   xtest gen SEED MIB             pattern to stdout
 *   xtest check SEED MIB           compare stdin with the pattern
 *   xtest fsync PATH               fsync PATH (a block device: write back
 *                                  its dirty pages and flush the disk)
 *   xtest send HOST PORT SEED MIB [RATE]
 *                                  connect (retrying for 60 s) and send it,
 *                                  at most RATE MiB/s if given; MIB 0 sends
 *                                  until SIGUSR1, then ends the stream at
 *                                  the next MiB boundary
 *   xtest recv PORT SEED MIB       accept one connection and check it; MIB
 *                                  0 takes whole MiBs until the peer closes
 *   xtest -s send|recv ...         the same, and also print the SHA-256 of
 *                                  the bytes sent or received, the time and
 *                                  the rate (the test compares the two ends)
 *   xtest sha256                   SHA-256 of stdin, as sha256sum prints it
 *   xtest serve PORT               run each connection's command (up to a
 *                                  NUL byte; it may span lines) with
 *                                  /bin/sh, output to the peer, then a
 *                                  last line "XTEST-EXIT=<status>"
 *   xtest call HOST PORT CMD       run CMD through a peer's serve, print
 *                                  its output, exit with its status;
 *                                  retries the connection for 60 s; 254
 *                                  when no connection could be made, 255
 *                                  when it ended without a status
 *   xtest usend HOST PORT SEED N SIZE
 *                                  send N UDP datagrams of SIZE bytes, one
 *                                  every 2 ms (big ones leave as IP
 *                                  fragments); datagram i is the pattern
 *                                  seeded with SEED + i, first word i
 *   xtest urecv PORT SEED N SIZE   receive them until N arrived or none came
 *                                  for 10 s; every datagram must be intact
 *                                  and at least 90% must arrive
 *   xtest usend-df HOST PORT SEED N SIZE
 *                                  usend with the don't-fragment bit and no
 *                                  local fragmenting: a datagram bigger than
 *                                  the route's MTU is not sent at all
 *   xtest rxpeek DOMID GREF MARKER (dom0, through /dev/xen/gntdev) map the
 *                                  netfront RX ring that DOMID granted as
 *                                  GREF and each page it has posted there
 *                                  and not had answered yet; count those
 *                                  all zero, those holding the string
 *                                  MARKER and those holding other data
 *   xtest dirty MIB SECONDS        for SECONDS, pass after pass over MIB MiB
 *                                  of memory: write the pattern seeded
 *                                  with the pass number, read it all back;
 *                                  one line per pass; the first word not
 *                                  as written fails (a guest whose memory
 *                                  a migration copied wrongly); SIGUSR1
 *                                  ends it after the pass under way
 *   xtest hypfs PATH               (dom0, through /dev/xen/privcmd) the
 *                                  contents of Xen's hypervisor file system
 *                                  entry PATH, raw, to stdout (e.g.
 *                                  /buildinfo/config, which is gzipped)
 *   xtest xs-txn PROCS NTXN BASE NKEYS
 *                                  (domU, through /dev/xen/xenbus, speaking
 *                                  the xenstore wire protocol itself) PROCS
 *                                  processes each commit NTXN transactions
 *                                  (0: until SIGUSR1) that add 1 to one of
 *                                  the counters BASE/k0..k<NKEYS-1>, redone
 *                                  on EAGAIN; prints commits, redos and
 *                                  transactions lost (to a save/restore)
 *   xtest xs-watch PATH N SECONDS  (domU, the same way) one watch on PATH:
 *                                  exactly N + 1 events (the one when set,
 *                                  then one per change) within SECONDS,
 *                                  and no more in the 3 s after
 *   xtest gntuse DOMID SECONDS     (dom0, through /dev/xen/privcmd) sample
 *                                  how many of DOMID's grant-table entries
 *                                  are in use, every 20 ms; its frames
 *                                  and limit, the peak, the samples 90% full
 *   xtest gnthold DOMID GREF SECONDS
 *                                  (dom0, through /dev/xen/gntdev) map
 *                                  DOMID's grant GREF read-only and hold
 *                                  it for SECONDS or until SIGUSR1, then
 *                                  unmap it: a backend that keeps a page
 *
 * Checks print one line: "xtest: <what>: ok, <n> bytes, sum <hex>" or the
 * first bad offset, and exit 0 or 1.  Usage errors exit 2.  With -s, send
 * and recv append ", sha256 <hex>, <s> s, <r> MiB/s" to their line.
 *
 * The SHA-256 here follows the FIPS 180-4 description; its round constants
 * and initial hash are derived at start-up from the primes they are defined
 * by (fractional parts of cube and square roots), in exact integer
 * arithmetic, and `xtest sha256` lets a test compare it with sha256sum.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)	/* one MiB per I/O */
#define RETRY_SECONDS 60

struct pattern {
	uint64_t state;
	uint64_t sum;		/* FNV-1a over the 64-bit words, for the log */
};

static void pattern_init(struct pattern *p, uint64_t seed)
{
	p->state = seed * 0x9e3779b97f4a7c15ull + 1;
	p->sum = 0xcbf29ce484222325ull;
}

/* Fill one chunk (a multiple of 8 bytes) with the next words of the stream. */
static void pattern_fill(struct pattern *p, uint64_t *buf, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		p->state ^= p->state >> 12;
		p->state ^= p->state << 25;
		p->state ^= p->state >> 27;
		buf[i] = p->state * 0x2545f4914f6cdd1dull;
		p->sum = (p->sum ^ buf[i]) * 0x100000001b3ull;
	}
}

static void *chunk_alloc(void)
{
	void *buf;

	if (posix_memalign(&buf, 4096, CHUNK)) {
		perror("xtest: posix_memalign");
		exit(1);
	}
	return buf;
}

/* --- SHA-256 (FIPS 180-4) ------------------------------------------------ */

static uint32_t sha_k[64], sha_h0[8];

/* Largest x with x^n <= v, for n = 2 or 3 (v below 2^120). */
static uint64_t int_root(unsigned __int128 v, int n)
{
	uint64_t lo = 0, hi = 1ull << 41;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		unsigned __int128 p = (unsigned __int128)mid * mid;

		if (n == 3)
			p *= mid;
		if (p <= v)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * K[t]: the first 32 bits of the fractional part of the cube root of the
 * t-th prime, i.e. floor(cbrt(p * 2^96)) mod 2^32; H0[i] likewise from the
 * square roots of the first eight primes.
 */
static void sha_constants(void)
{
	int found = 0;

	for (uint64_t c = 2; found < 64; c++) {
		bool prime = true;

		for (uint64_t d = 2; d * d <= c; d++)
			if (c % d == 0)
				prime = false;
		if (!prime)
			continue;
		sha_k[found] = (uint32_t)int_root((unsigned __int128)c << 96, 3);
		if (found < 8)
			sha_h0[found] = (uint32_t)int_root((unsigned __int128)c << 64, 2);
		found++;
	}
}

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t fill;
};

static inline uint32_t ror32(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t *h, const unsigned char *m)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)m[4 * t] << 24 | (uint32_t)m[4 * t + 1] << 16 |
		       (uint32_t)m[4 * t + 2] << 8 | m[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror32(w[t - 15], 7) ^ ror32(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror32(w[t - 2], 17) ^ ror32(w[t - 2], 19) ^ (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], k = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = k + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
			      ((e & f) ^ (~e & g)) + sha_k[t] + w[t];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));

		k = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha_init(struct sha256 *s)
{
	if (!sha_k[0])
		sha_constants();
	memcpy(s->h, sha_h0, sizeof(s->h));
	s->bytes = 0;
	s->fill = 0;
}

static void sha_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	if (s->fill) {
		size_t n = 64 - s->fill < len ? 64 - s->fill : len;

		memcpy(s->block + s->fill, p, n);
		s->fill += n, p += n, len -= n;
		if (s->fill < 64)
			return;
		sha_block(s->h, s->block);
		s->fill = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha_block(s->h, p);
	memcpy(s->block, p, len);
	s->fill = len;
}

/* Pad (0x80, zeros, the length in bits, big-endian) and print as hex. */
static void sha_final(struct sha256 *s, char hex[65])
{
	uint64_t bits = s->bytes * 8;
	unsigned char pad[72] = { 0x80 };
	size_t n = (s->fill < 56 ? 56 : 120) - s->fill;

	for (int i = 0; i < 8; i++)
		pad[n + i] = bits >> (56 - 8 * i);
	sha_update(s, pad, n + 8);
	for (int i = 0; i < 8; i++)
		sprintf(hex + 8 * i, "%08x", s->h[i]);
}

static int sha256_stdin(void)
{
	unsigned char *buf = chunk_alloc();
	struct sha256 s;
	char hex[65];
	ssize_t n;

	sha_init(&s);
	while ((n = read(0, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("xtest: sha256: read");
			return 1;
		}
		sha_update(&s, buf, n);
	}
	sha_final(&s, hex);
	printf("%s  -\n", hex);
	return 0;
}

/* --- transfers ----------------------------------------------------------- */

static bool with_sha;		/* -s: hash what is sent or received */
static volatile sig_atomic_t stop_sending;

static void on_usr1(int sig)
{
	(void)sig;
	stop_sending = 1;
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - t0->tv_sec + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ", sha256 <hex>, <s> s, <r> MiB/s" for -s, else nothing. */
static const char *sha_note(struct sha256 *s, const struct timespec *t0, uint64_t bytes)
{
	static char note[128];
	double secs = since(t0);
	char hex[65];

	if (!with_sha)
		return "";
	sha_final(s, hex);
	snprintf(note, sizeof(note), ", sha256 %s, %.2f s, %.1f MiB/s", hex, secs,
		 secs > 0 ? bytes / 1048576.0 / secs : 0.0);
	return note;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (int)(done > 0);
		done += n;
	}
	return 2;	/* full */
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * Stream MIB MiB of pattern into fd, at most RATE MiB/s when RATE > 0; MIB
 * 0 streams until SIGUSR1 arrives.
 */
static int produce_paced(int fd, uint64_t seed, unsigned long mib, unsigned long rate,
			 const char *what)
{
	uint64_t *buf = chunk_alloc();
	struct timespec t0, now;
	struct pattern p;
	struct sha256 sha;
	unsigned long i;

	pattern_init(&p, seed);
	sha_init(&sha);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; mib ? i < mib : !stop_sending; i++) {
		if (rate) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			long long ahead_us = (long long)i * 1000000 / rate -
				((now.tv_sec - t0.tv_sec) * 1000000LL +
				 (now.tv_nsec - t0.tv_nsec) / 1000);

			if (ahead_us > 0)
				usleep(ahead_us);
		}
		pattern_fill(&p, buf, CHUNK / 8);
		if (with_sha)
			sha_update(&sha, buf, CHUNK);
		if (write_full(fd, buf, CHUNK)) {
			fprintf(stderr, "xtest: %s: write failed at MiB %lu: %s\n",
				what, i, strerror(errno));
			return 1;
		}
	}
	free(buf);
	fprintf(stderr, "xtest: %s: wrote %lu bytes, sum %016llx%s\n", what,
		i * CHUNK, (unsigned long long)p.sum,
		sha_note(&sha, &t0, (uint64_t)i * CHUNK));
	return 0;
}

static int produce(int fd, uint64_t seed, unsigned long mib, const char *what)
{
	return produce_paced(fd, seed, mib, 0, what);
}

/*
 * Compare MIB MiB read from fd with the pattern; report the first mismatch.
 * MIB 0 takes whole MiBs until the end of the data.
 */
static int consume(int fd, uint64_t seed, unsigned long mib, const char *what)
{
	uint64_t *buf = chunk_alloc(), *want = chunk_alloc();
	struct timespec t0;
	struct pattern p;
	struct sha256 sha;
	unsigned long i;

	pattern_init(&p, seed);
	sha_init(&sha);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; !mib || i < mib; i++) {
		int r = read_full(fd, buf, CHUNK);

		if (r == 0 && !mib)
			break;
		if (r != 2) {
			printf("xtest: %s: short read in MiB %lu (%s)\n", what, i,
			       r < 0 ? strerror(errno) : "end of data");
			return 1;
		}
		if (with_sha)
			sha_update(&sha, buf, CHUNK);	/* what arrived */
		pattern_fill(&p, want, CHUNK / 8);
		if (memcmp(buf, want, CHUNK)) {
			size_t w = 0;

			while (buf[w] == want[w])
				w++;
			printf("xtest: %s: MISMATCH at byte %lu\n", what,
			       i * CHUNK + w * 8);
			return 1;
		}
	}
	printf("xtest: %s: ok, %lu bytes, sum %016llx%s\n", what, i * CHUNK,
	       (unsigned long long)p.sum, sha_note(&sha, &t0, (uint64_t)i * CHUNK));
	free(buf);
	free(want);
	return 0;
}

static int open_data(const char *path, int flags)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		flags |= O_DIRECT;
	/* A disk that went away must not come back as a file in devtmpfs. */
	if (!strncmp(path, "/dev/", 5))
		flags &= ~O_CREAT;
	fd = open(path, flags, 0644);
	if (fd < 0) {
		fprintf(stderr, "xtest: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int tcp_connect(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	time_t end = time(NULL) + RETRY_SECONDS;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "xtest: bad address %s\n", host);
		exit(2);
	}
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		if (time(NULL) >= end) {
			fprintf(stderr, "xtest: connect %s:%d: %s\n", host, port,
				strerror(errno));
			exit(254);	/* no peer: callers tell it from a failed command */
		}
		usleep(200 * 1000);
	}
}

static int tcp_listen(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 8)) {
		fprintf(stderr, "xtest: listen on %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

/*
 * One serve connection: read a command, run it, report its status.  The
 * command ends with a NUL byte, not a newline: scripts span lines.
 */
static void serve_one(int conn)
{
	char cmd[4096];
	size_t len = 0;
	int status;
	pid_t pid;

	while (len < sizeof(cmd) - 1) {
		ssize_t n = read(conn, cmd + len, 1);

		if (n <= 0 || cmd[len] == '\0')
			break;
		len++;
	}
	cmd[len] = '\0';
	pid = fork();
	if (pid == 0) {
		/* xtest ignores SIGPIPE; the command's `yes | head` must not */
		signal(SIGPIPE, SIG_DFL);
		dup2(conn, 0);
		dup2(conn, 1);
		dup2(conn, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = 127 << 8;
	dprintf(conn, "\nXTEST-EXIT=%d\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int serve(int port)
{
	int lfd = tcp_listen(port);

	signal(SIGCHLD, SIG_IGN);	/* connection handlers reap themselves */
	for (;;) {
		int conn = accept(lfd, NULL, NULL);

		if (conn < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			signal(SIGCHLD, SIG_DFL);
			serve_one(conn);
			_exit(0);
		}
		close(conn);
	}
}

/*
 * Relay a serve session to stdout.  The status line is preceded by a newline
 * of serve's own (the command's output may not end in one); drop it.
 */
static int call(const char *host, int port, const char *cmd)
{
	int fd = tcp_connect(host, port), status = 255;
	char line[8192], held[8192] = "";
	FILE *in;

	if (write_full(fd, cmd, strlen(cmd) + 1))	/* with its NUL */
		return 1;
	in = fdopen(fd, "r");
	while (in && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "XTEST-EXIT=%d", &status) == 1) {
			if (strcmp(held, "\n"))
				fputs(held, stdout);
			held[0] = '\0';
			break;
		}
		fputs(held, stdout);
		memcpy(held, line, sizeof(held));
	}
	fputs(held, stdout);
	fflush(stdout);
	if (status == 255)
		fprintf(stderr, "xtest: call %s: connection ended without status\n", cmd);
	return status;
}

#define UDP_MAX 65507

static void udp_fill(uint64_t seed, uint64_t i, uint64_t *buf, size_t size)
{
	struct pattern p;

	pattern_init(&p, seed + i);
	pattern_fill(&p, buf, (size + 7) / 8);
	buf[0] = i;
}

static bool udp_dont_fragment;	/* usend-df */

static int udp_send(const char *host, int port, uint64_t seed, unsigned long n,
		    size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint64_t *buf = chunk_alloc();
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int pmtu = IP_PMTUDISC_DO;
	unsigned long i, sent = 0;

	if (udp_dont_fragment &&
	    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu))) {
		perror("xtest: IP_MTU_DISCOVER");
		return 1;
	}

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || size < 8 || size > UDP_MAX) {
		fprintf(stderr, "xtest: bad address %s or size %zu\n", host, size);
		return 2;
	}
	for (i = 0; i < n; i++) {
		udp_fill(seed, i, buf, size);
		for (int tries = 0; tries < 100; tries++) {
			if (sendto(fd, buf, size, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
			    (ssize_t)size) {
				sent++;
				break;
			}
			usleep(10 * 1000);	/* ENOBUFS and the like: wait */
		}
		usleep(2000);
	}
	fprintf(stderr, "xtest: udp send: %lu of %lu datagrams of %zu bytes sent\n",
		sent, n, size);
	free(buf);
	return sent != n;
}

static int udp_recv(int port, uint64_t seed, unsigned long n, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval idle = { .tv_sec = 10 };
	uint64_t *buf = chunk_alloc(), *want = chunk_alloc();
	unsigned long good = 0, bad = 0;
	int rcvbuf = 8 << 20, fd = socket(AF_INET, SOCK_DGRAM, 0);
	char *seen = calloc(n, 1);

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	if (!seen || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("xtest: udp bind");
		return 1;
	}
	while (good < n) {
		ssize_t len = recv(fd, buf, UDP_MAX + 1, 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			break;	/* nothing for 10 s */
		if ((size_t)len != size || buf[0] >= n || seen[buf[0]]) {
			bad++;
			continue;
		}
		udp_fill(seed, buf[0], want, size);
		if (memcmp(buf, want, size)) {
			printf("xtest: udp recv: datagram %llu corrupt\n",
			       (unsigned long long)buf[0]);
			bad++;
			continue;
		}
		seen[buf[0]] = 1;
		good++;
	}
	printf("xtest: udp recv: %lu of %lu datagrams of %zu bytes intact, %lu bad\n",
	       good, n, size, bad);
	return bad || good * 10 < n * 9;
}

/* gntdev's ioctls for mapping one grant (Linux's uapi xen/gntdev.h ABI). */
struct gntdev_map {
	uint32_t count, pad;
	uint64_t index;		/* out: the mmap offset */
	uint32_t domid, ref;
};

struct gntdev_unmap {
	uint64_t index;
	uint32_t count, pad;
};

#define GNTDEV_MAP	_IOC(_IOC_NONE, 'G', 0, sizeof(struct gntdev_map))
#define GNTDEV_UNMAP	_IOC(_IOC_NONE, 'G', 1, sizeof(struct gntdev_unmap))

/* Map grant @ref of domain @domid read-only through gntdev @fd. */
static const unsigned char *grant_map(int fd, uint32_t domid, uint32_t ref, uint64_t *index)
{
	struct gntdev_map map = { .count = 1 };
	struct gntdev_unmap unmap = { .count = 1 };
	void *p;

	map.domid = domid;
	map.ref = ref;
	if (ioctl(fd, GNTDEV_MAP, &map))
		return NULL;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, map.index);
	if (p != MAP_FAILED) {
		*index = map.index;
		return p;
	}
	unmap.index = map.index;
	ioctl(fd, GNTDEV_UNMAP, &unmap);
	return NULL;
}

static void grant_unmap(int fd, const unsigned char *p, uint64_t index)
{
	struct gntdev_unmap unmap = { .index = index, .count = 1 };

	munmap((void *)p, 4096);
	ioctl(fd, GNTDEV_UNMAP, &unmap);
}

/*
 * The RX ring page: four 32-bit indexes (req_prod, req_event, rsp_prod,
 * rsp_event), padding to 64 bytes, then 256 entries of 8 bytes; a request
 * is a 16-bit id, 16 bits of padding and the 32-bit grant of its page.  The
 * entries from rsp_prod up to req_prod hold requests not answered yet.
 */
static int rx_peek(uint32_t domid, uint32_t ring_ref, const char *marker)
{
	unsigned int posted, i, zero = 0, marked = 0, other = 0, failed = 0;
	size_t mlen = strlen(marker);
	const unsigned char *ring;
	uint32_t req_prod, rsp_prod;
	uint64_t ring_index;
	int fd = open("/dev/xen/gntdev", O_RDWR);

	if (fd < 0 || !mlen) {
		perror("xtest: rxpeek: /dev/xen/gntdev");
		return 2;
	}
	ring = grant_map(fd, domid, ring_ref, &ring_index);
	if (!ring) {
		perror("xtest: rxpeek: mapping the ring");
		return 1;
	}
	memcpy(&req_prod, ring, 4);
	memcpy(&rsp_prod, ring + 8, 4);
	posted = req_prod - rsp_prod;
	if (posted > 256) {
		printf("xtest: rxpeek: impossible ring indexes: req_prod %u rsp_prod %u\n",
		       req_prod, rsp_prod);
		return 1;
	}
	for (i = 0; i < posted; i++) {
		const unsigned char *page;
		uint64_t index;
		uint32_t gref;
		size_t b;

		memcpy(&gref, ring + 64 + ((rsp_prod + i) & 255) * 8 + 4, 4);
		page = grant_map(fd, domid, gref, &index);
		if (!page) {
			failed++;
			continue;
		}
		for (b = 0; b < 4096 && !page[b]; b++)
			;
		if (b == 4096)
			zero++;
		else if (memmem(page, 4096, marker, mlen))
			marked++;
		else
			other++;
		grant_unmap(fd, page, index);
	}
	grant_unmap(fd, ring, ring_index);
	printf("xtest: rxpeek: %u pages posted: %u all zero, %u with the marker, %u with other data, %u not mappable\n",
	       posted, zero, marked, other, failed);
	return marked || failed;
}

/*
 * Map grant @ref of @domid and keep it mapped for @seconds or until SIGUSR1,
 * then unmap it: a backend that will not let go of a page.  The mapping is
 * read-only; Xen marks the entry GTF_reading while it exists, which is all
 * the granting domain can see of it.  The first words of the page are
 * printed so that the log shows the mapping was real.
 */
static int gnt_hold(uint32_t domid, uint32_t ref, unsigned int seconds)
{
	struct gntdev_unmap unmap = { .count = 1 };
	const unsigned char *page;
	uint32_t words[4];
	struct timespec t0;
	int fd = open("/dev/xen/gntdev", O_RDWR), rc = 0;

	if (fd < 0) {
		perror("xtest: gnthold: /dev/xen/gntdev");
		return 2;
	}
	page = grant_map(fd, domid, ref, &unmap.index);
	if (!page) {
		printf("xtest: gnthold: domain %u ref %u: cannot map it: %s\n",
		       domid, ref, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memcpy(words, page, sizeof(words));
	printf("xtest: gnthold: domain %u ref %u mapped, first words %u %u %u %u; holding it\n",
	       domid, ref, words[0], words[1], words[2], words[3]);
	fflush(stdout);
	while (!stop_sending && since(&t0) < seconds)
		usleep(50000);
	if (munmap((void *)page, 4096)) {
		perror("xtest: gnthold: munmap");
		rc = 1;
	}
	if (ioctl(fd, GNTDEV_UNMAP, &unmap)) {
		perror("xtest: gnthold: unmapping the grant");
		rc = 1;
	}
	close(fd);
	printf("xtest: gnthold: domain %u ref %u %s after %.1f s%s\n", domid, ref,
	       rc ? "NOT cleanly unmapped" : "unmapped", since(&t0),
	       stop_sending ? " (SIGUSR1)" : " (time up)");
	return rc;
}

static int dirty_memory(size_t mib, unsigned int seconds)
{
	size_t words = mib * (CHUNK / 8), step = CHUNK / 8;
	uint64_t *mem = malloc(mib * CHUNK), *want = chunk_alloc();
	time_t end = time(NULL) + seconds;
	unsigned long pass = 0;

	if (!mem || !mib) {
		fputs("xtest: dirty: no memory\n", stderr);
		return 1;
	}
	while (time(NULL) < end && !stop_sending) {
		struct pattern w, r;

		pattern_init(&w, ++pass);
		pattern_fill(&w, mem, words);
		pattern_init(&r, pass);
		for (size_t i = 0; i < words; i += step) {
			pattern_fill(&r, want, step);
			if (memcmp(mem + i, want, CHUNK)) {
				size_t j = 0;

				while (mem[i + j] == want[j])
					j++;
				printf("xtest: dirty: pass %lu: word at byte %zu is %016llx, written %016llx\n",
				       pass, (i + j) * 8, (unsigned long long)mem[i + j],
				       (unsigned long long)want[j]);
				return 1;
			}
		}
		printf("xtest: dirty: pass %lu over %zu MiB intact\n", pass, mib);
		fflush(stdout);
	}
	printf("xtest: dirty: ok, %lu passes over %zu MiB, every word as written\n",
	       pass, mib);
	return 0;
}

/*
 * Xen's hypfs, read with one hypercall through privcmd: hypfs_op (number
 * 42), sub-op read (1), the path with its NUL and its length, a buffer and
 * its size.  Xen fills the buffer with a 12-byte entry header (type,
 * encoding, padding, content length, write limit) and the contents after
 * it; -ENOBUFS (Xen's 105) says the buffer is short and the header holds
 * the size needed.
 */
struct privcmd_call {
	uint64_t op, arg[5];
};

#define PRIVCMD_HYPERCALL	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_call))
#define HYPERCALL_HYPFS_OP	42
#define HYPFS_OP_READ		1
#define HYPFS_HEADER		12

static int hypfs_read(const char *path)
{
	struct privcmd_call call = { .op = HYPERCALL_HYPFS_OP };
	size_t size = 4096;
	uint32_t len;
	char *buf;
	long rc;
	int fd;

	fd = open("/dev/xen/privcmd", O_RDWR);
	if (fd < 0) {
		perror("xtest: hypfs: /dev/xen/privcmd");
		return 1;
	}
	for (;;) {
		buf = calloc(1, size);	/* zeroed: the pages are present */
		if (!buf)
			return 1;
		call.arg[0] = HYPFS_OP_READ;
		call.arg[1] = (uintptr_t)path;
		call.arg[2] = strlen(path) + 1;
		call.arg[3] = (uintptr_t)buf;
		call.arg[4] = size;
		rc = ioctl(fd, PRIVCMD_HYPERCALL, &call);
		memcpy(&len, buf + 4, sizeof(len));
		if (rc < 0 && errno == ENOBUFS && len + HYPFS_HEADER > size &&
		    len < (64u << 20)) {
			size = len + HYPFS_HEADER;
			free(buf);
			continue;
		}
		break;
	}
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "xtest: hypfs: reading %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (len > size - HYPFS_HEADER) {
		fprintf(stderr, "xtest: hypfs: %s: length %u past the buffer\n", path, len);
		return 1;
	}
	fwrite(buf + HYPFS_HEADER, 1, len, stdout);
	free(buf);
	return 0;
}

/* --- xenstore, spoken by hand over a domU's /dev/xen/xenbus --------------- */

/*
 * Every xenstore message is a header of four native 32-bit words -- type,
 * request id, transaction id, payload length -- and a payload of at most
 * 4096 bytes, mostly NUL-terminated strings (Xen's public io/xs_wire.h).  A
 * reply repeats the request's type and id; a failure is a reply of type
 * XS_ERROR whose payload names the errno ("EAGAIN").  A transaction is
 * opened by a request whose reply holds its id in decimal, used in the
 * header of the requests inside it, and closed by a request whose payload
 * is "T" (commit) or "F" (abandon); a commit that collides with another
 * writer fails with EAGAIN and the whole transaction must be redone.  A
 * watch fires once when it is set and once for each later change of its
 * node (or below it), as a message of type XS_WATCH_EVENT carrying the path
 * and the watch's token.  The domU kernel's /dev/xen/xenbus takes whole
 * requests by write() and gives back replies and events, in one byte
 * stream, by read().
 */
enum {
	XSW_READ = 2,
	XSW_WATCH = 4,
	XSW_TX_START = 6,
	XSW_TX_END = 7,
	XSW_WRITE = 11,
	XSW_WATCH_EVENT = 15,
	XSW_ERROR = 16,
};

#define XSW_PAYLOAD_MAX 4096
#ifndef XSW_DEV
#define XSW_DEV "/dev/xen/xenbus"
#endif

struct xsw_hdr {
	uint32_t type, req_id, tx_id, len;
};

struct xsw_msg {
	struct xsw_hdr h;
	char body[XSW_PAYLOAD_MAX + 1];	/* the payload, NUL added */
};

struct xsw_conn {
	int fd;
	uint32_t next_id;
	size_t have;			/* bytes waiting in buf */
	unsigned char buf[2 * (sizeof(struct xsw_hdr) + XSW_PAYLOAD_MAX)];
	unsigned long events;		/* watch events met while awaiting replies */
};

static struct xsw_conn *xsw_open(void)
{
	struct xsw_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = open(XSW_DEV, O_RDWR);
	if (c->fd < 0) {
		fprintf(stderr, "xtest: open %s: %s\n", XSW_DEV, strerror(errno));
		free(c);
		return NULL;
	}
	c->next_id = 1;
	return c;
}

/*
 * The next whole message from the stream into *m.  1 when there is one, 0
 * when none came within @timeout_ms (negative: wait for ever), -1 when the
 * stream failed or broke the protocol.
 */
static int xsw_recv(struct xsw_conn *c, struct xsw_msg *m, int timeout_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (c->have >= sizeof(m->h)) {
			size_t whole;

			memcpy(&m->h, c->buf, sizeof(m->h));
			if (m->h.len > XSW_PAYLOAD_MAX) {
				fprintf(stderr, "xtest: xenstore: a message of %u bytes, over the limit\n",
					m->h.len);
				return -1;
			}
			whole = sizeof(m->h) + m->h.len;
			if (c->have >= whole) {
				memcpy(m->body, c->buf + sizeof(m->h), m->h.len);
				m->body[m->h.len] = '\0';
				c->have -= whole;
				memmove(c->buf, c->buf + whole, c->have);
				return 1;
			}
		}
		if (timeout_ms >= 0) {
			int r = poll(&pfd, 1, timeout_ms);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -1;
			if (r == 0)
				return 0;
		}
		n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "xtest: xenstore: read: %s\n",
				n ? strerror(errno) : "end of stream");
			return -1;
		}
		c->have += n;
	}
}

/* The errno a failure's payload names; EIO for one we do not know. */
static int xsw_errno(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {
		{ "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST },
		{ "EISDIR", EISDIR }, { "ENOENT", ENOENT }, { "ENOMEM", ENOMEM },
		{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "ENOTEMPTY", ENOTEMPTY },
		{ "ENOSYS", ENOSYS }, { "EROFS", EROFS }, { "EBUSY", EBUSY },
		{ "EAGAIN", EAGAIN }, { "EISCONN", EISCONN }, { "E2BIG", E2BIG },
		{ "EPERM", EPERM },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].err;
	return EIO;
}

/*
 * One request of @type in transaction @tx with the @n bytes at @payload, and
 * its reply in *m.  Watch events that arrive meanwhile are counted and
 * dropped.  0, -errno for a failure xenstore reported, or -EPROTO when the
 * reply is not the answer to this request.
 */
static int xsw_call(struct xsw_conn *c, uint32_t type, uint32_t tx,
		    const void *payload, size_t n, struct xsw_msg *m)
{
	struct xsw_hdr h = { .type = type, .req_id = c->next_id++, .tx_id = tx, .len = n };
	unsigned char out[sizeof(h) + XSW_PAYLOAD_MAX];

	if (n > XSW_PAYLOAD_MAX)
		return -E2BIG;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), payload, n);
	if (write_full(c->fd, out, sizeof(h) + n)) {
		fprintf(stderr, "xtest: xenstore: write: %s\n", strerror(errno));
		return -EIO;
	}
	for (;;) {
		if (xsw_recv(c, m, -1) != 1)
			return -EIO;
		if (m->h.type == XSW_WATCH_EVENT) {
			c->events++;
			continue;
		}
		if (m->h.req_id != h.req_id ||
		    (m->h.type != type && m->h.type != XSW_ERROR)) {
			fprintf(stderr, "xtest: xenstore: sent type %u id %u, the reply is type %u id %u\n",
				type, h.req_id, m->h.type, m->h.req_id);
			return -EPROTO;
		}
		return m->h.type == XSW_ERROR ? -xsw_errno(m->body) : 0;
	}
}

/* "PATH\0" then @value (no NUL) into @buf; the length. */
static size_t xsw_pack(char *buf, const char *path, const char *value)
{
	size_t p = strlen(path) + 1, v = value ? strlen(value) : 0;

	memcpy(buf, path, p);
	if (v)
		memcpy(buf + p, value, v);
	return p + v;
}

/* Where a transaction stopped: the request that failed. */
enum xsw_stage { XSW_AT_START, XSW_AT_READ, XSW_AT_WRITE, XSW_AT_COMMIT };

/*
 * One transaction adding 1 to the decimal number at @path.  0 once
 * committed, else -errno, with *@stage the request that failed.
 */
static int xsw_increment(struct xsw_conn *c, const char *path, enum xsw_stage *stage)
{
	char buf[XSW_PAYLOAD_MAX], value[32], *end;
	struct xsw_msg *m = malloc(sizeof(*m));
	unsigned long long v = 0;
	unsigned long tx;
	int rc;

	*stage = XSW_AT_START;
	if (!m)
		return -ENOMEM;
	rc = xsw_call(c, XSW_TX_START, 0, "", 1, m);
	if (rc)
		goto out;
	tx = strtoul(m->body, &end, 10);
	if (!tx || *end) {
		fprintf(stderr, "xtest: xenstore: transaction id '%s'\n", m->body);
		rc = -EPROTO;
		goto out;
	}
	*stage = XSW_AT_READ;
	rc = xsw_call(c, XSW_READ, tx, buf, xsw_pack(buf, path, NULL), m);
	if (!rc) {
		v = strtoull(m->body, &end, 10);
		if (!m->h.len || *end) {
			fprintf(stderr, "xtest: xenstore: %s holds '%s'\n", path, m->body);
			rc = -EINVAL;
		}
	}
	if (!rc) {
		*stage = XSW_AT_WRITE;
		snprintf(value, sizeof(value), "%llu", v + 1);
		rc = xsw_call(c, XSW_WRITE, tx, buf, xsw_pack(buf, path, value), m);
	}
	if (rc) {
		xsw_call(c, XSW_TX_END, tx, "F", 2, m);	/* abandon it */
		goto out;
	}
	*stage = XSW_AT_COMMIT;
	rc = xsw_call(c, XSW_TX_END, tx, "T", 2, m);
out:
	free(m);
	return rc;
}

struct xs_txn_count {
	unsigned long committed, conflicts, busy, lost;
	int status;
};

/* Transactions one process may lose before that is a failure. */
#define XS_TXN_MAX_LOST 1000

/*
 * xs-txn: @procs processes, each with its own connection, each doing
 * @ntxn transactions (0: until SIGUSR1) that add 1 to one of @nkeys
 * counters @base/k0.. (process p's j-th transaction takes key (p + j) mod
 * nkeys).  The counters must exist.  A transaction is redone when its
 * commit fails with EAGAIN (a conflict), when it cannot start (EAGAIN or
 * ENOSPC: a suspend under way, a quota; after 10 ms), and when a request
 * inside it fails with ENOENT or EAGAIN: the transaction is gone, as one
 * open across a save/restore is (the domain that had it is no more),
 * which is counted as lost.  Anything else fails.  The counters' sum
 * must grow by exactly the transactions committed, which dom0 checks.
 */
static int xs_txn(unsigned int procs, unsigned long ntxn, const char *base,
		  unsigned int nkeys)
{
	struct xs_txn_count *count = mmap(NULL, procs * sizeof(*count),
					  PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct xs_txn_count sum = { 0 };
	struct timespec t0;
	pid_t *pids = calloc(procs, sizeof(*pids));
	unsigned int p, left = procs;
	int rc = 0;
	double secs;

	if (count == MAP_FAILED || !pids || !procs || !nkeys || procs > 64 ||
	    strlen(base) > 200)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("xtest: xs-txn: fork");
			return 1;
		}
		if (pids[p] == 0) {
			struct xsw_conn *c = xsw_open();
			struct xs_txn_count *me = &count[p];
			enum xsw_stage stage;
			char path[256];

			me->status = 1;
			if (!c)
				_exit(1);
			while (ntxn ? me->committed < ntxn : !stop_sending) {
				snprintf(path, sizeof(path), "%s/k%lu", base,
					 (p + me->committed) % nkeys);
				rc = xsw_increment(c, path, &stage);
				if (!rc) {
					me->committed++;
				} else if (stage == XSW_AT_COMMIT && rc == -EAGAIN) {
					me->conflicts++;
				} else if (stage == XSW_AT_START &&
					   (rc == -EAGAIN || rc == -ENOSPC)) {
					me->busy++;
					usleep(10000);
				} else if (stage != XSW_AT_START &&
					   (rc == -ENOENT || rc == -EAGAIN) &&
					   me->lost < XS_TXN_MAX_LOST) {
					me->lost++;
				} else {
					fprintf(stderr, "xtest: xs-txn: process %u: %s at request %d of a transaction, after %lu commits\n",
						p, strerror(-rc), stage, me->committed);
					_exit(1);
				}
			}
			me->status = 0;
			_exit(0);
		}
	}
	while (left) {
		int status;
		pid_t pid = wait(&status);

		if (pid < 0 && errno == EINTR) {
			if (stop_sending)	/* SIGUSR1: pass it on */
				for (p = 0; p < procs; p++)
					kill(pids[p], SIGUSR1);
			continue;
		}
		if (pid < 0)
			break;
		left--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	}
	secs = since(&t0);
	for (p = 0; p < procs; p++) {
		printf("xtest: xs-txn: process %u: %lu committed, %lu redone after EAGAIN at commit, %lu refused at start, %lu lost%s\n",
		       p, count[p].committed, count[p].conflicts, count[p].busy,
		       count[p].lost, count[p].status ? ", FAILED" : "");
		sum.committed += count[p].committed;
		sum.conflicts += count[p].conflicts;
		sum.busy += count[p].busy;
		sum.lost += count[p].lost;
		if (count[p].status || (ntxn && count[p].committed != ntxn))
			rc = 1;
	}
	printf("xtest: xs-txn: %s, %u processes, %lu committed, %lu redone, %lu refused, %lu lost, %.1f s, %.0f commits/s\n",
	       rc ? "FAILED" : "ok", procs, sum.committed, sum.conflicts, sum.busy,
	       sum.lost, secs, secs > 0 ? sum.committed / secs : 0.0);
	return rc;
}

/*
 * xs-watch: set one watch on @path and count its events: the one a new
 * watch fires at once, then one per change.  Prints a line once the watch
 * is set (the test's writer waits for it), then counts until @want changes
 * were seen or @seconds passed, and listens 3 s more for any extra.  An
 * event for another path or token fails; so does any count but @want + 1.
 */
static int xs_watch(const char *path, unsigned long want, unsigned int seconds)
{
	struct xsw_conn *c = xsw_open();
	struct xsw_msg *m = malloc(sizeof(*m));
	static const char token[] = "xtest-watch";
	unsigned long events, bad = 0;
	char buf[XSW_PAYLOAD_MAX];
	struct timespec t0;
	size_t plen = strlen(path);
	double quiet_from = -1;
	int rc;

	if (!c || !m || plen + sizeof(token) + 1 > sizeof(buf))
		return 2;
	memcpy(buf, path, plen + 1);
	memcpy(buf + plen + 1, token, sizeof(token));
	rc = xsw_call(c, XSW_WATCH, 0, buf, plen + 1 + sizeof(token), m);
	if (rc) {
		fprintf(stderr, "xtest: xs-watch: setting the watch: %s\n", strerror(-rc));
		return 1;
	}
	events = c->events;	/* the first may come before the reply */
	if (events == want + 1)
		quiet_from = 0;
	printf("xtest: xs-watch: watching %s\n", path);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		double now = since(&t0), stop = quiet_from >= 0 ? quiet_from + 3 : seconds;
		int r;

		if (now >= stop)
			break;
		r = xsw_recv(c, m, (int)((stop - now) * 1000) + 1);
		if (r < 0)
			return 1;
		if (r == 0)
			continue;
		if (m->h.type != XSW_WATCH_EVENT) {
			fprintf(stderr, "xtest: xs-watch: unasked message of type %u\n", m->h.type);
			return 1;
		}
		if (m->h.len != plen + 1 + sizeof(token) || strcmp(m->body, path) ||
		    strcmp(m->body + plen + 1, token)) {
			if (bad++ < 5)
				printf("xtest: xs-watch: event for '%s', not the watch's\n", m->body);
			continue;
		}
		if (++events == want + 1 && quiet_from < 0)
			quiet_from = since(&t0);
	}
	printf("xtest: xs-watch: %s: %lu events (1 when set + %lu changes), %lu for other paths, %.1f s\n",
	       events == want + 1 && !bad ? "ok" : "WRONG COUNT", events,
	       events ? events - 1 : 0, bad, since(&t0));
	return events != want + 1 || bad;
}

/* --- a domain's grant table, seen from dom0 -------------------------------- */

/*
 * gntuse: how full domain @domid's grant table is, sampled every 20 ms
 * for @seconds (or until SIGUSR1).  Through /dev/xen/privcmd: grant_table_op
 * (hypercall 20) query_size (6) says how many frames the domain has set up
 * and its limit; setup_table (2) for that many frames (never more: that
 * would grow it) lists their machine frames, which are mapped read-only.
 * An entry (v1: 16-bit flags, 16-bit domid, 32-bit frame) is in use when
 * its type bits (the low two of the flags) are not 0.  The first 8
 * entries are the toolstack's; of the rest, the peak number in use and the
 * samples with 90% or more of them in use are reported.
 */
#define HYPERCALL_GRANT_TABLE_OP	20
#define GNTTABOP_SETUP_TABLE		2
#define GNTTABOP_QUERY_SIZE		6
#define GNT_RESERVED			8
#define GNT_PER_FRAME			(4096 / 8)

struct gnt_query_size {
	uint16_t dom;
	uint32_t nr_frames, max_nr_frames;
	int16_t status;
};

struct gnt_setup_table {
	uint16_t dom;
	uint32_t nr_frames;
	int16_t status;
	uint64_t frame_list;	/* a pointer to nr_frames 64-bit frames */
};

struct privcmd_mmapbatch2 {
	unsigned int num;
	uint16_t dom;
	uint64_t addr;
	const uint64_t *arr;
	int *err;
};

#define PRIVCMD_MMAPBATCH_V2	_IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch2))

static long gnt_op(int fd, unsigned int cmd, void *arg)
{
	struct privcmd_call call = { .op = HYPERCALL_GRANT_TABLE_OP };

	call.arg[0] = cmd;
	call.arg[1] = (uintptr_t)arg;
	call.arg[2] = 1;
	return ioctl(fd, PRIVCMD_HYPERCALL, &call);
}

/* Map the first @nr frames of @domid's grant table; NULL on failure. */
static const unsigned char *gnt_map(int fd, uint16_t domid, uint32_t nr)
{
	static uint64_t frames[64];
	static int errs[64];
	struct gnt_setup_table setup = { .dom = domid, .nr_frames = nr,
					 .frame_list = (uintptr_t)frames };
	struct privcmd_mmapbatch2 batch = { .num = nr, .dom = domid,
					    .arr = frames, .err = errs };
	void *p;

	if (nr > 64)
		return NULL;
	memset(frames, 0, sizeof(frames));	/* present for Xen to write */
	if (gnt_op(fd, GNTTABOP_SETUP_TABLE, &setup) || setup.status) {
		fprintf(stderr, "xtest: gntuse: setup_table: %s, status %d\n",
			strerror(errno), setup.status);
		return NULL;
	}
	p = mmap(NULL, nr * 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("xtest: gntuse: mmap");
		return NULL;
	}
	batch.addr = (uintptr_t)p;
	if (ioctl(fd, PRIVCMD_MMAPBATCH_V2, &batch)) {
		fprintf(stderr, "xtest: gntuse: mapping %u frames (first %#llx, error %d): %s\n",
			nr, (unsigned long long)frames[0], errs[0], strerror(errno));
		munmap(p, nr * 4096);
		return NULL;
	}
	return p;
}

static int gnt_use(uint16_t domid, unsigned int seconds)
{
	const unsigned char *table = NULL;
	struct gnt_query_size q = { .dom = domid };
	unsigned long samples = 0, full = 0, peak = 0, usable = 0;
	uint32_t mapped = 0;
	struct timespec t0;
	int fd = open("/dev/xen/privcmd", O_RDWR);

	if (fd < 0) {
		perror("xtest: gntuse: /dev/xen/privcmd");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (since(&t0) < seconds && !stop_sending) {
		unsigned long used = 0;

		q.dom = domid;
		if (gnt_op(fd, GNTTABOP_QUERY_SIZE, &q) || q.status) {
			fprintf(stderr, "xtest: gntuse: query_size: %s, status %d\n",
				strerror(errno), q.status);
			return 1;
		}
		if (q.nr_frames != mapped) {
			if (table)
				munmap((void *)table, mapped * 4096);
			table = gnt_map(fd, domid, q.nr_frames);
			if (!table)
				return 1;
			mapped = q.nr_frames;
			usable = mapped * GNT_PER_FRAME - GNT_RESERVED;
		}
		for (unsigned long i = GNT_RESERVED; i < mapped * GNT_PER_FRAME; i++) {
			uint16_t flags;

			memcpy(&flags, table + 8 * i, 2);
			used += (flags & 3) != 0;
		}
		samples++;
		if (used > peak)
			peak = used;
		if (used * 10 >= usable * 9)
			full++;
		usleep(20000);
	}
	if (table)
		munmap((void *)table, mapped * 4096);
	printf("xtest: gntuse: domain %u: %u of at most %u frames, %lu entries for the domain; in use at peak %lu; 90%% full or more in %lu of %lu samples\n",
	       domid, q.nr_frames, q.max_nr_frames, usable, peak, full, samples);
	return 0;
}

static int usage(void)
{
	fputs("usage: xtest write|verify PATH SEED MIB | gen|check SEED MIB |\n"
	      "       [-s] send HOST PORT SEED MIB [RATE] | [-s] recv PORT SEED MIB |\n"
	      "       sha256 | fsync PATH |\n"
	      "       serve PORT | call HOST PORT CMD |\n"
	      "       usend HOST PORT SEED N SIZE | urecv PORT SEED N SIZE |\n"
	      "       usend-df HOST PORT SEED N SIZE | rxpeek DOMID GREF MARKER |\n"
	      "       dirty MIB SECONDS | hypfs PATH |\n"
	      "       xs-txn PROCS NTXN BASE NKEYS | xs-watch PATH N SECONDS |\n"
	      "       gntuse DOMID SECONDS | gnthold DOMID GREF SECONDS\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction usr1 = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	const char *op;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &usr1, NULL);
	if (argc > 1 && !strcmp(argv[1], "-s")) {
		with_sha = true;
		argv++;
		argc--;
	}
	op = argc > 1 ? argv[1] : "";
	if (!strcmp(op, "write") && argc == 5) {
		int fd = open_data(argv[2], O_WRONLY | O_CREAT);

		rc = produce(fd, strtoull(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
			     argv[2]);
		if (!rc && fsync(fd)) {
			perror("xtest: fsync");
			rc = 1;
		}
		return rc || close(fd);
	}
	if (!strcmp(op, "verify") && argc == 5)
		return consume(open_data(argv[2], O_RDONLY), strtoull(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0), argv[2]);
	if (!strcmp(op, "gen") && argc == 4)
		return produce(1, strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
			       "stdout");
	if (!strcmp(op, "check") && argc == 4)
		return consume(0, strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
			       "stdin");
	if (!strcmp(op, "fsync") && argc == 3) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0 || fsync(fd)) {
			perror("xtest: fsync");
			return 1;
		}
		printf("xtest: fsync %s: ok\n", argv[2]);
		return close(fd);
	}
	if (!strcmp(op, "send") && (argc == 6 || argc == 7)) {
		int fd = tcp_connect(argv[2], atoi(argv[3]));

		rc = produce_paced(fd, strtoull(argv[4], NULL, 0), strtoul(argv[5], NULL, 0),
				   argc == 7 ? strtoul(argv[6], NULL, 0) : 0, "tcp send");
		shutdown(fd, SHUT_WR);
		return rc;
	}
	if (!strcmp(op, "recv") && argc == 5) {
		int lfd = tcp_listen(atoi(argv[2])), fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			perror("xtest: accept");
			return 1;
		}
		return consume(fd, strtoull(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
			       "tcp recv");
	}
	if (!strcmp(op, "sha256") && argc == 2)
		return sha256_stdin();
	if (!strcmp(op, "serve") && argc == 3)
		return serve(atoi(argv[2]));
	if (!strcmp(op, "call") && argc == 5)
		return call(argv[2], atoi(argv[3]), argv[4]);
	if (!strcmp(op, "usend") && argc == 7)
		return udp_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
				strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0));
	if (!strcmp(op, "usend-df") && argc == 7) {
		udp_dont_fragment = true;
		return udp_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
				strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0));
	}
	if (!strcmp(op, "rxpeek") && argc == 5)
		return rx_peek(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), argv[4]);
	if (!strcmp(op, "dirty") && argc == 4)
		return dirty_memory(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (!strcmp(op, "hypfs") && argc == 3)
		return hypfs_read(argv[2]);
	if (!strcmp(op, "xs-txn") && argc == 6)
		return xs_txn(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), argv[4],
			      strtoul(argv[5], NULL, 0));
	if (!strcmp(op, "xs-watch") && argc == 5)
		return xs_watch(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	if (!strcmp(op, "gntuse") && argc == 4)
		return gnt_use(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (!strcmp(op, "gnthold") && argc == 5)
		return gnt_hold(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0));
	if (!strcmp(op, "urecv") && argc == 6)
		return udp_recv(atoi(argv[2]), strtoull(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0));
	return usage();
}
