// SPDX-License-Identifier: GPL-2.0
/*
 * xcpu - the domU side of the event-channel, IPI and time tests.
 *
 * Everything these tests ask of the kernel reaches Xen as an event: a futex
 * wake on another vCPU is a reschedule IPI, an mprotect() of memory other
 * vCPUs use is a TLB-shootdown IPI (call-function), a nanosleep() ending is
 * a one-shot timer event, and each reading of CLOCK_MONOTONIC is the
 * pvclock the time code keeps.
 *
 *   xcpu now                       CLOCK_MONOTONIC and CLOCK_REALTIME, in
 *                                  seconds with 9 decimals, on one line
 *   xcpu pingpong CPU_A CPU_B N    two threads pinned to CPU_A and CPU_B
 *                                  hand a token back and forth through a
 *                                  futex N times (each pass wakes the other
 *                                  vCPU); prints the round trips and the
 *                                  mean time of one, in microseconds
 *   xcpu shootdown SECONDS         a thread spinning on every online CPU
 *                                  reads a shared page while the main
 *                                  thread flips it read-only and back
 *                                  (each flip shoots down the others' TLB
 *                                  entries) and runs
 *                                  MEMBARRIER_CMD_PRIVATE_EXPEDITED (an IPI
 *                                  to each of them); prints the flips done
 *   xcpu monotonic SECONDS         a thread pinned to every online CPU reads
 *                                  CLOCK_MONOTONIC in a loop and checks it
 *                                  against the newest value any thread has
 *                                  published: a reading older than one
 *                                  published before it was taken went
 *                                  backwards (bursts of 4096 reads, 1 ms
 *                                  apart, so the domU stays responsive).  Ends after SECONDS (0: on
 *                                  SIGUSR1); prints the readings and the
 *                                  backward steps, exit 1 if there was one
 *   xcpu nanosleep N USEC          N sleeps of USEC microseconds; prints
 *                                  the median and the worst overshoot (how
 *                                  late the sleeper woke), in microseconds
 *
 * Exit status 0 means the check passed; 2 is a usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 64

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_CPUS ? MAX_CPUS : (int)n;
}

static long futex(atomic_int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* ---- pingpong: the token is 0 (A's turn) or 1 (B's turn) ---------------- */

static atomic_int token;
static long rounds;
static int cpu_b;

/* wait until the token is @mine, then hand it over and wake the other side */
static void play(int mine)
{
	for (long i = 0; i < rounds; i++) {
		while (atomic_load(&token) != mine)
			futex(&token, FUTEX_WAIT_PRIVATE, !mine);
		atomic_store(&token, !mine);
		futex(&token, FUTEX_WAKE_PRIVATE, 1);
	}
}

static void *player_b(void *arg)
{
	(void)arg;
	if (pin(cpu_b))
		perror("xcpu: pinning player B");
	play(1);
	return NULL;
}

static int do_pingpong(int a, int b, long n)
{
	pthread_t t;
	uint64_t t0, dt;

	if (n < 1 || a == b || a < 0 || b < 0 || a >= online_cpus() || b >= online_cpus()) {
		fprintf(stderr, "xcpu: pingpong needs two online CPUs and N > 0\n");
		return 2;
	}
	rounds = n;
	cpu_b = b;
	if (pin(a)) {
		perror("xcpu: pinning player A");
		return 2;
	}
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (pthread_create(&t, NULL, player_b, NULL))
		return 2;
	play(0);
	pthread_join(t, NULL);
	dt = clock_ns(CLOCK_MONOTONIC) - t0;
	printf("pingpong: %ld round trips between CPU %d and CPU %d in %.3f s, %.2f us each\n",
	       n, a, b, dt / 1e9, dt / 1e3 / n);
	return 0;
}

/* ---- shootdown -------------------------------------------------------- */

static atomic_int stop;
static volatile unsigned char *shared_page;

static void *reader(void *arg)
{
	unsigned long sum = 0;

	pin((int)(long)arg);
	while (!atomic_load(&stop))
		sum += shared_page[sum & 63];
	return (void *)sum;
}

static int do_shootdown(int seconds)
{
	int ncpu = online_cpus(), flips = 0, barriers = 0;
	pthread_t t[MAX_CPUS];
	uint64_t end;
	long pg = sysconf(_SC_PAGESIZE);

	shared_page = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared_page == MAP_FAILED || seconds < 1)
		return 2;
	memset((void *)shared_page, 1, pg);
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))
		perror("xcpu: membarrier register");
	for (int c = 1; c < ncpu; c++)
		pthread_create(&t[c], NULL, reader, (void *)(long)c);
	pin(0);
	end = clock_ns(CLOCK_MONOTONIC) + seconds * 1000000000ull;
	while (clock_ns(CLOCK_MONOTONIC) < end) {
		if (mprotect((void *)shared_page, pg, PROT_READ) ||
		    mprotect((void *)shared_page, pg, PROT_READ | PROT_WRITE)) {
			perror("xcpu: mprotect");
			return 1;
		}
		shared_page[0]++;	/* writable again, on this CPU */
		flips++;
		if (!syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
			barriers++;
	}
	atomic_store(&stop, 1);
	for (int c = 1; c < ncpu; c++)
		pthread_join(t[c], NULL);
	printf("shootdown: %d CPUs, %d read-only flips and %d expedited membarriers in %d s\n",
	       ncpu, flips, barriers, seconds);
	return flips > 0 && barriers > 0 ? 0 : 1;
}

/* ---- monotonic -------------------------------------------------------- */

static _Atomic uint64_t newest;		/* the newest reading any thread published */
static _Atomic uint64_t backwards, worst_ns, readings;

static void *checker(void *arg)
{
	uint64_t n = 0, back = 0, worst = 0;

	pin((int)(long)arg);
	while (!atomic_load(&stop)) {
		/* a value published before our reading must not be newer than it */
		uint64_t seen = atomic_load(&newest);
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		/* bursts of reads with 1 ms rests, so the domU stays usable */
		if (!(++n & 4095))
			usleep(1000);
		if (now < seen) {
			back++;
			if (seen - now > worst)
				worst = seen - now;
			continue;
		}
		while (seen < now && !atomic_compare_exchange_weak(&newest, &seen, now))
			;
	}
	atomic_fetch_add(&readings, n);
	atomic_fetch_add(&backwards, back);
	for (uint64_t w = atomic_load(&worst_ns); w < worst;)
		if (atomic_compare_exchange_weak(&worst_ns, &w, worst))
			break;
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static int do_monotonic(int seconds)
{
	int ncpu = online_cpus();
	pthread_t t[MAX_CPUS];
	uint64_t start = clock_ns(CLOCK_MONOTONIC);

	signal(SIGUSR1, on_usr1);
	for (int c = 0; c < ncpu; c++)
		pthread_create(&t[c], NULL, checker, (void *)(long)c);
	if (seconds > 0) {
		sleep(seconds);
		atomic_store(&stop, 1);
	}
	for (int c = 0; c < ncpu; c++)
		pthread_join(t[c], NULL);
	printf("monotonic: %d CPUs, %.1f s, %llu readings, %llu went backwards (worst by %llu ns)\n",
	       ncpu, (clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
	       (unsigned long long)readings, (unsigned long long)backwards,
	       (unsigned long long)worst_ns);
	return backwards ? 1 : 0;
}

/* ---- nanosleep -------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int do_nanosleep(int n, long usec)
{
	struct timespec req = { usec / 1000000, (usec % 1000000) * 1000 };
	uint64_t *late;

	if (n < 1 || usec < 1 || !(late = calloc(n, sizeof(*late))))
		return 2;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = clock_ns(CLOCK_MONOTONIC), slept;

		nanosleep(&req, NULL);
		slept = clock_ns(CLOCK_MONOTONIC) - t0;
		late[i] = slept > (uint64_t)usec * 1000 ? slept - usec * 1000 : 0;
	}
	qsort(late, n, sizeof(*late), cmp_u64);
	printf("nanosleep: %d sleeps of %ld us, woke late by median %.1f us, worst %.1f us\n",
	       n, usec, late[n / 2] / 1e3, late[n - 1] / 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%.9f %.9f\n", clock_ns(CLOCK_MONOTONIC) / 1e9,
		       clock_ns(CLOCK_REALTIME) / 1e9);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "pingpong"))
		return do_pingpong(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "shootdown"))
		return do_shootdown(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "monotonic"))
		return do_monotonic(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "nanosleep"))
		return do_nanosleep(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr, "usage: xcpu now | pingpong CPU_A CPU_B N | shootdown SECONDS |\n"
		"            monotonic SECONDS | nanosleep N USEC\n");
	return 2;
}
