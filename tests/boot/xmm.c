// SPDX-License-Identifier: GPL-2.0
/*
 * xmm - memory-management stress for the PV MMU, run inside the domU by
 * tests/boot/mmu.sh.  Every mode checks the data it touches and exits
 * non-zero on the first wrong word, so a page-table update that Xen
 * refused, a pte pointing at the wrong machine frame, or a page-table page
 * reused while still pinned shows up as a failure here (or as an oops on
 * the console, which mmu.sh also reads).
 *
 *   xmm forkstorm SECONDS   on every online CPU, a worker forks in a loop:
 *                           before each fork it writes a fresh pattern into
 *                           a private 256 KiB buffer and, right after it,
 *                           another one; the child waits for that, checks
 *                           that it still sees the first, overwrites it
 *                           (copy-on-write both ways) and either
 *                           exits or execs this program ("xmm child SEED",
 *                           which checks its argument and exits 7); the
 *                           parent checks that its own copy was not changed
 *                           and that the child exited as it should.  The
 *                           storm ends early once /tmp/xmm.stop exists.
 *   xmm race SECONDS        threads race over one address space: some map,
 *                           touch, check and unmap regions; some flip a
 *                           shared region between read-only and read-write
 *                           while others read and check it; some drop a
 *                           region (MADV_DONTNEED) and find zeroes; one
 *                           replaces a region (MAP_FIXED, first without
 *                           access, then with fresh pages) that others
 *                           read through, catching SIGSEGV: they must only
 *                           ever see the pattern, zero, or a fault.
 *   xmm fill PERCENT SEED   maps PERCENT % of MemTotal (never more than
 *                           MemAvailable less 24 MiB), touches every page
 *                           with a seeded tag unique to it, then reads all
 *                           the tags back, twice.
 *
 * Each mode prints one summary line ("forkstorm: ...") on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define MIB		(1024UL * 1024UL)

static uint64_t word(uint64_t seed, uint64_t i)
{
	return ((seed << 32 | seed >> 32) ^ i) * 0x9e3779b97f4a7c15ULL + i;
}

static void fill(uint64_t *p, size_t words, uint64_t seed)
{
	for (size_t i = 0; i < words; i++)
		p[i] = word(seed, i);
}

/* index of the first wrong word, or -1 */
static long check(const uint64_t *p, size_t words, uint64_t seed)
{
	for (size_t i = 0; i < words; i++)
		if (p[i] != word(seed, i))
			return (long)i;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* ------------------------------------------------------------ forkstorm */

#define STORM_WORDS	(256 * 1024 / 8)
#define STOP_FILE	"/tmp/xmm.stop"

static const char *self_exe;

/* What a storm parent writes over its buffer right after each fork. */
#define PARENT_SALT	0x5a5a5a5a00000000ULL

static int storm_worker(int cpu, double until, unsigned long *forks,
			unsigned long *execs)
{
	uint64_t *buf = map_anon(STORM_WORDS * 8);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (uint64_t n = 0; now() < until && access(STOP_FILE, F_OK); n++) {
		uint64_t seed = (uint64_t)cpu << 40 | n;
		int do_exec = n & 1, status;
		char arg[32];
		pid_t pid;

		int go[2];
		char c = 0;

		if (pipe(go)) {
			perror("pipe");
			return 1;
		}
		fill(buf, STORM_WORDS, seed);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			/* Only once the parent has overwritten its own copy. */
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(6);
			if (check(buf, STORM_WORDS, seed) >= 0)
				_exit(3);
			fill(buf, STORM_WORDS, ~seed);
			if (do_exec) {
				snprintf(arg, sizeof(arg), "%llu",
					 (unsigned long long)seed);
				execl(self_exe, "xmm", "child", arg, (char *)NULL);
				_exit(4);
			}
			_exit(check(buf, STORM_WORDS, ~seed) >= 0 ? 5 : 7);
		}
		/* Copy-on-write both ways: fork must have write-protected ours. */
		close(go[0]);
		fill(buf, STORM_WORDS, seed ^ PARENT_SALT);
		if (write(go[1], &c, 1) != 1) {
			perror("forkstorm: pipe");
			return 1;
		}
		close(go[1]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 7) {
			fprintf(stderr, "forkstorm: cpu %d child %llu ended with status %#x\n",
				cpu, (unsigned long long)n, status);
			return 1;
		}
		if (check(buf, STORM_WORDS, seed ^ PARENT_SALT) >= 0) {
			fprintf(stderr, "forkstorm: cpu %d: the child's writes reached the parent\n",
				cpu);
			return 1;
		}
		(*forks)++;
		*execs += do_exec;
	}
	return 0;
}

static int forkstorm(double seconds)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), bad = 0;
	unsigned long (*counts)[2] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double until = now() + seconds;
	unsigned long forks = 0, execs = 0;

	if (counts == MAP_FAILED || ncpu < 1 || ncpu > 128)
		return 2;
	for (int c = 0; c < ncpu; c++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(storm_worker(c, until, &counts[c][0], &counts[c][1]));
		if (pid < 0)
			return 2;
	}
	for (int c = 0; c < ncpu; c++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	for (int c = 0; c < ncpu; c++) {
		forks += counts[c][0];
		execs += counts[c][1];
	}
	printf("forkstorm: %d CPUs, %lu forks (%lu with exec) in %.0f s, %d worker(s) failed\n",
	       ncpu, forks, execs, seconds - (until - now()), bad);
	return bad || !forks;
}

/* ----------------------------------------------------------------- race */

#define SHARED_PAGES	64
#define FLIP_PAGES	64

static volatile int stop;
static uint64_t *shared;	/* pattern 1, read-only to everyone */
static uint64_t *flip;		/* pattern 2, flipped RO <-> RW */
static uint64_t *volatile ghost;	/* unmapped and remapped under readers */
static unsigned long races_bad, race_ops[5];
static __thread sigjmp_buf fault_jmp;
static __thread volatile int fault_armed;

static void on_segv(int sig)
{
	if (fault_armed)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void race_fail(const char *what)
{
	fprintf(stderr, "race: %s\n", what);
	__atomic_add_fetch(&races_bad, 1, __ATOMIC_RELAXED);
}

static void *mapper(void *arg)
{
	uint64_t seed = (uintptr_t)arg;

	while (!stop) {
		size_t pages = 1 + seed++ % 128;
		uint64_t *p = map_anon(pages * PAGE);

		fill(p, pages * PAGE / 8, seed);
		if (check(p, pages * PAGE / 8, seed) >= 0)
			race_fail("a fresh mapping lost its pattern");
		if (check(shared, SHARED_PAGES * PAGE / 8, 1) >= 0)
			race_fail("the shared region changed");
		if (check(flip, FLIP_PAGES * PAGE / 8, 2) >= 0)
			race_fail("the flipped region changed under a reader");
		munmap(p, pages * PAGE);
		__atomic_add_fetch(&race_ops[0], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *flipper(void *arg)
{
	while (!stop) {
		mprotect(flip, FLIP_PAGES * PAGE, PROT_READ);
		if (check(flip, FLIP_PAGES * PAGE / 8, 2) >= 0)
			race_fail("the flipped region changed while read-only");
		mprotect(flip, FLIP_PAGES * PAGE, PROT_READ | PROT_WRITE);
		/* rewrite what is already there: every pte goes dirty */
		for (size_t i = 0; i < FLIP_PAGES * PAGE / 8; i += PAGE / 8)
			flip[i] = word(2, i);
		__atomic_add_fetch(&race_ops[1], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *dropper(void *arg)
{
	uint64_t *p = map_anon(32 * PAGE);

	while (!stop) {
		fill(p, 32 * PAGE / 8, 3);
		madvise(p, 32 * PAGE, MADV_DONTNEED);
		for (size_t i = 0; i < 32 * PAGE / 8; i++)
			if (p[i]) {
				race_fail("a dropped page was not zero");
				break;
			}
		__atomic_add_fetch(&race_ops[2], 1, __ATOMIC_RELAXED);
	}
	munmap(p, 32 * PAGE);
	return NULL;
}

static void *ghost_reader(void *arg)
{
	while (!stop) {
		fault_armed = 1;
		if (sigsetjmp(fault_jmp, 1) == 0) {
			for (size_t i = 0; i < 16 * PAGE / 8; i += 61) {
				uint64_t v = ghost[i];

				if (v && v != word(4, i))
					race_fail("a word of the remapped region was neither its pattern nor zero");
			}
		} else {
			__atomic_add_fetch(&race_ops[4], 1, __ATOMIC_RELAXED);
		}
		fault_armed = 0;
	}
	return NULL;
}

static void *ghost_mapper(void *arg)
{
	while (!stop) {
		uint64_t *g = ghost;

		/*
		 * Replace, never plain munmap: another thread's mmap could
		 * land in a hole.  PROT_NONE first frees the pages and zaps
		 * the ptes under the readers (they fault); then fresh pages.
		 */
		if (mmap(g, 16 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != g ||
		    mmap(g, 16 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != g) {
			race_fail("MAP_FIXED failed");
			break;
		}
		fill(g, 16 * PAGE / 8, 4);
		__atomic_add_fetch(&race_ops[3], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int race(double seconds)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct sigaction sa = { .sa_handler = on_segv };
	pthread_t t[64];
	int n = 0;

	sigaction(SIGSEGV, &sa, NULL);
	shared = map_anon(SHARED_PAGES * PAGE);
	fill(shared, SHARED_PAGES * PAGE / 8, 1);
	mprotect(shared, SHARED_PAGES * PAGE, PROT_READ);
	flip = map_anon(FLIP_PAGES * PAGE);
	fill(flip, FLIP_PAGES * PAGE / 8, 2);
	ghost = map_anon(16 * PAGE);
	fill(ghost, 16 * PAGE / 8, 4);
	for (int i = 0; i < ncpu && n < 60; i++) {
		pthread_create(&t[n++], NULL, mapper, (void *)(uintptr_t)(i * 1000 + 7));
		pthread_create(&t[n++], NULL, dropper, NULL);
		pthread_create(&t[n++], NULL, ghost_reader, NULL);
	}
	pthread_create(&t[n++], NULL, flipper, NULL);
	pthread_create(&t[n++], NULL, ghost_mapper, NULL);
	usleep((useconds_t)(seconds * 1e6));
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("race: %d threads, %.0f s: %lu map/unmap, %lu mprotect flips, %lu drops, %lu remaps, %lu faults caught, %lu wrong\n",
	       n, seconds, race_ops[0], race_ops[1], race_ops[2], race_ops[3],
	       race_ops[4], races_bad);
	return races_bad || !race_ops[0] || !race_ops[1] || !race_ops[3];
}

/* ----------------------------------------------------------------- fill */

static unsigned long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long v = 0;
	size_t len = strlen(key);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtoul(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/*
 * fill_ram's pattern: four words a page (first, two middle, last), each
 * unique to the page and seed.  Every page is touched, so every one costs a
 * fault and a pte; a pte pointing at the wrong frame shows as a wrong tag.
 */
static const size_t tag_at[] = { 0, 128, 300, PAGE / 8 - 1 };

static void tag_pages(uint64_t *p, size_t pages, uint64_t seed)
{
	for (size_t pg = 0; pg < pages; pg++)
		for (int k = 0; k < 4; k++)
			p[pg * PAGE / 8 + tag_at[k]] = word(seed, pg * 4 + k);
}

static long check_tags(const uint64_t *p, size_t pages, uint64_t seed)
{
	for (size_t pg = 0; pg < pages; pg++)
		for (int k = 0; k < 4; k++)
			if (p[pg * PAGE / 8 + tag_at[k]] != word(seed, pg * 4 + k))
				return (long)pg;
	return -1;
}

static int fill_ram(unsigned long percent, uint64_t seed)
{
	unsigned long total = meminfo_kb("MemTotal"), avail = meminfo_kb("MemAvailable");
	unsigned long want = total / 100 * percent, bytes;
	double t0 = now();
	uint64_t *p;
	long bad;

	if (want + 24 * 1024 > avail)
		want = avail > 24 * 1024 ? avail - 24 * 1024 : 0;
	bytes = want * 1024 & ~(PAGE - 1);
	if (!bytes)
		return 2;
	p = map_anon(bytes);
	tag_pages(p, bytes / PAGE, seed);
	for (int pass = 0; pass < 2; pass++) {
		bad = check_tags(p, bytes / PAGE, seed);
		if (bad >= 0) {
			fprintf(stderr, "fill: page %ld of %lu wrong on pass %d\n",
				bad, bytes / PAGE, pass);
			return 1;
		}
	}
	printf("fill: %lu MiB of %lu MiB RAM (MemAvailable %lu MiB) written and read back twice in %.1f s\n",
	       bytes / MIB, total / 1024, avail / 1024, now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	self_exe = "/proc/self/exe";
	if (argc == 3 && !strcmp(argv[1], "child"))
		return strtoull(argv[2], NULL, 10) || !strcmp(argv[2], "0") ? 7 : 6;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "forkstorm"))
		return forkstorm(atof(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "race"))
		return race(atof(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill_ram(strtoul(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
	fputs("usage: xmm forkstorm SECONDS | race SECONDS | fill PERCENT SEED\n", stderr);
	return 2;
}
