// SPDX-License-Identifier: GPL-2.0
/*
 * forkexec - time fork + execve + exit + wait of a small static binary.
 *
 * Usage: forkexec N      run N iterations, print "forkexec_us <µs per iteration>"
 *        forkexec -c     the child: exit at once
 *
 * Each iteration builds and tears down an address space, so on a PV guest it
 * exercises page-table pinning and unpinning and batched mmu_update calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n, i;

	if (argc > 1 && !strcmp(argv[1], "-c"))
		return 0;
	n = argc > 1 ? atol(argv[1]) : 2000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execl("/proc/self/exe", "forkexec", "-c", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "forkexec: iteration %ld failed\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("forkexec_us %.2f\n",
	       ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / n);
	return 0;
}
