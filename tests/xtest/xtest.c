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

static int usage(void)
{
	fputs("usage: xtest write|verify PATH SEED MIB | gen|check SEED MIB |\n"
	      "       [-s] send HOST PORT SEED MIB [RATE] | [-s] recv PORT SEED MIB |\n"
	      "       sha256 | fsync PATH |\n"
	      "       serve PORT | call HOST PORT CMD |\n"
	      "       usend HOST PORT SEED N SIZE | urecv PORT SEED N SIZE |\n"
	      "       usend-df HOST PORT SEED N SIZE | rxpeek DOMID GREF MARKER |\n"
	      "       dirty MIB SECONDS | hypfs PATH\n", stderr);
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
	if (!strcmp(op, "urecv") && argc == 6)
		return udp_recv(atoi(argv[2]), strtoull(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0));
	return usage();
}
