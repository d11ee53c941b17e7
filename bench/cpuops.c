// SPDX-License-Identifier: GPL-2.0
/*
 * cpuops - the cost of entering the kernel and of switching between tasks.
 *
 * Usage: cpuops getpid N BATCHES     BATCHES runs of N raw getpid system
 *                                    calls; prints "getpid_ns <ns per call>"
 *                                    of the fastest batch
 *        cpuops pingpong N BATCHES   two processes on one CPU bounce a byte
 *                                    over two pipes N times per batch;
 *                                    prints "pipe_pingpong_us <us per round
 *                                    trip>" of the fastest batch
 *
 * getpid goes through syscall(SYS_getpid) so that no C library can answer
 * from a cache: each call is one trip into the kernel and back, which a PV
 * guest makes through the hypervisor.  In pingpong both processes are pinned
 * to the CPU the parent started on, so each round trip is two context
 * switches on that CPU (two reads that block, two writes that wake) and no
 * cross-CPU wake-ups: it measures the switch path, not IPIs.
 * The fastest batch is the one least disturbed by anything else the machine
 * ran meanwhile; a batch can only be slowed by that, never sped up.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double getpid_batch(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return (now_ns() - t0) / n;
}

/* Pin the caller (and the children it forks later) to the CPU it runs on. */
static int pin_here(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The child: send back every byte it gets, until the parent hangs up. */
static void echo_loop(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			break;
	_exit(0);
}

static int pingpong(long n, int batches, double *best)
{
	int to_child[2], to_parent[2], status;
	pid_t pid;
	char c = 'x';

	if (pin_here()) {
		perror("cpuops: sched_setaffinity");
		return 1;
	}
	if (pipe(to_child) || pipe(to_parent)) {
		perror("cpuops: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("cpuops: fork");
		return 1;
	}
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		echo_loop(to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);
	for (int b = 0; b < batches; b++) {
		double t0 = now_ns(), t;

		for (long i = 0; i < n; i++) {
			if (write(to_child[1], &c, 1) != 1 ||
			    read(to_parent[0], &c, 1) != 1) {
				fprintf(stderr, "cpuops: round trip %ld failed\n", i);
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return 1;
			}
		}
		t = (now_ns() - t0) / n / 1e3;
		if (t < *best)
			*best = t;
	}
	close(to_child[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "cpuops: the echo child failed\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	int batches = argc > 3 ? atoi(argv[3]) : 0;
	double best = 1e18;

	if (argc != 4 || n <= 0 || batches <= 0) {
		fprintf(stderr, "usage: cpuops getpid|pingpong N BATCHES\n");
		return 2;
	}
	if (!strcmp(argv[1], "getpid")) {
		for (int b = 0; b < batches; b++) {
			double t = getpid_batch(n);

			if (t < best)
				best = t;
		}
		printf("getpid_ns %.1f\n", best);
		return 0;
	}
	if (!strcmp(argv[1], "pingpong")) {
		if (pingpong(n, batches, &best))
			return 1;
		printf("pipe_pingpong_us %.3f\n", best);
		return 0;
	}
	fprintf(stderr, "cpuops: unknown workload '%s'\n", argv[1]);
	return 2;
}
