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
 *                                  at most RATE MiB/s if given
 *   xtest recv PORT SEED MIB       accept one connection and check it
 *   xtest serve PORT               run each connection's command (up to a
 *                                  NUL byte; it may span lines) with
 *                                  /bin/sh, output to the peer, then a
 *                                  last line "XTEST-EXIT=<status>"
 *   xtest call HOST PORT CMD       run CMD through a peer's serve, print
 *                                  its output, exit with its status;
 *                                  retries the connection for 60 s
 *   xtest usend HOST PORT SEED N SIZE
 *                                  send N UDP datagrams of SIZE bytes, one
 *                                  every 2 ms (big ones leave as IP
 *                                  fragments); datagram i is the pattern
 *                                  seeded with SEED + i, first word i
 *   xtest urecv PORT SEED N SIZE   receive them until N arrived or none came
 *                                  for 10 s; every datagram must be intact
 *                                  and at least 90% must arrive
 *
 * Checks print one line: "xtest: <what>: ok, <n> bytes, sum <hex>" or the
 * first bad offset, and exit 0 or 1.  Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Stream MIB MiB of pattern into fd, at most RATE MiB/s when RATE > 0. */
static int produce_paced(int fd, uint64_t seed, unsigned long mib, unsigned long rate,
			 const char *what)
{
	uint64_t *buf = chunk_alloc();
	struct timespec t0, now;
	struct pattern p;

	pattern_init(&p, seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < mib; i++) {
		if (rate) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			long long ahead_us = (long long)i * 1000000 / rate -
				((now.tv_sec - t0.tv_sec) * 1000000LL +
				 (now.tv_nsec - t0.tv_nsec) / 1000);

			if (ahead_us > 0)
				usleep(ahead_us);
		}
		pattern_fill(&p, buf, CHUNK / 8);
		if (write_full(fd, buf, CHUNK)) {
			fprintf(stderr, "xtest: %s: write failed at MiB %lu: %s\n",
				what, i, strerror(errno));
			return 1;
		}
	}
	free(buf);
	fprintf(stderr, "xtest: %s: wrote %lu bytes, sum %016llx\n", what,
		mib * CHUNK, (unsigned long long)p.sum);
	return 0;
}

static int produce(int fd, uint64_t seed, unsigned long mib, const char *what)
{
	return produce_paced(fd, seed, mib, 0, what);
}

/* Compare MIB MiB read from fd with the pattern; report the first mismatch. */
static int consume(int fd, uint64_t seed, unsigned long mib, const char *what)
{
	uint64_t *buf = chunk_alloc(), *want = chunk_alloc();
	struct pattern p;

	pattern_init(&p, seed);
	for (unsigned long i = 0; i < mib; i++) {
		int r = read_full(fd, buf, CHUNK);

		if (r != 2) {
			printf("xtest: %s: short read in MiB %lu (%s)\n", what, i,
			       r < 0 ? strerror(errno) : "end of data");
			return 1;
		}
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
	printf("xtest: %s: ok, %lu bytes, sum %016llx\n", what, mib * CHUNK,
	       (unsigned long long)p.sum);
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
			exit(1);
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

static int udp_send(const char *host, int port, uint64_t seed, unsigned long n,
		    size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint64_t *buf = chunk_alloc();
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned long i, sent = 0;

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

static int usage(void)
{
	fputs("usage: xtest write|verify PATH SEED MIB | gen|check SEED MIB |\n"
	      "       send HOST PORT SEED MIB [RATE] | recv PORT SEED MIB |\n"
	      "       fsync PATH | serve PORT | call HOST PORT CMD |\n"
	      "       usend HOST PORT SEED N SIZE | urecv PORT SEED N SIZE\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	int rc;

	signal(SIGPIPE, SIG_IGN);
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
	if (!strcmp(op, "serve") && argc == 3)
		return serve(atoi(argv[2]));
	if (!strcmp(op, "call") && argc == 5)
		return call(argv[2], atoi(argv[3]), argv[4]);
	if (!strcmp(op, "usend") && argc == 7)
		return udp_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
				strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0));
	if (!strcmp(op, "urecv") && argc == 6)
		return udp_recv(atoi(argv[2]), strtoull(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0));
	return usage();
}
