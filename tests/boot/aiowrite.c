// SPDX-License-Identifier: GPL-2.0
/*
 * aiowrite - write a file's bytes to a block device with Linux native AIO,
 * all at once, then wait for them.
 *
 * Usage: aiowrite DEV FILE      (FILE a multiple of 128 KiB, up to 16 MiB)
 *
 * The writes are O_DIRECT and submitted with one io_submit(); the program
 * then waits in io_getevents(), an interruptible sleep, so the freezer can
 * freeze it while its writes are still with the backend.  That is how
 * tests/boot/blkfront.sh gets requests in flight across a save/restore.
 * Prints "aiowrite: N writes ok" and exits 0 when every write completed in
 * full.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHUNK (128 * 1024)
#define MAX_CHUNKS 128

int main(int argc, char **argv)
{
	struct iocb iocbs[MAX_CHUNKS], *list[MAX_CHUNKS];
	struct io_event events[MAX_CHUNKS];
	aio_context_t ctx = 0;
	int dev, in, i, n, done = 0, bad = 0;
	struct stat st;
	char *buf;

	if (argc != 3) {
		fprintf(stderr, "usage: aiowrite DEV FILE\n");
		return 2;
	}
	in = open(argv[2], O_RDONLY);
	if (in < 0 || fstat(in, &st) || st.st_size % CHUNK ||
	    st.st_size / CHUNK > MAX_CHUNKS || !st.st_size) {
		fprintf(stderr, "aiowrite: %s: need 128 KiB multiples up to 16 MiB\n", argv[2]);
		return 2;
	}
	n = st.st_size / CHUNK;
	if (posix_memalign((void **)&buf, 4096, st.st_size) ||
	    read(in, buf, st.st_size) != st.st_size) {
		perror("aiowrite: reading the data");
		return 1;
	}
	dev = open(argv[1], O_WRONLY | O_DIRECT);
	if (dev < 0 || syscall(SYS_io_setup, n, &ctx)) {
		perror("aiowrite: open/io_setup");
		return 1;
	}
	for (i = 0; i < n; i++) {
		memset(&iocbs[i], 0, sizeof(iocbs[i]));
		iocbs[i].aio_fildes = dev;
		iocbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
		iocbs[i].aio_buf = (unsigned long)(buf + (size_t)i * CHUNK);
		iocbs[i].aio_nbytes = CHUNK;
		iocbs[i].aio_offset = (off_t)i * CHUNK;
		list[i] = &iocbs[i];
	}
	if (syscall(SYS_io_submit, ctx, n, list) != n) {
		perror("aiowrite: io_submit");
		return 1;
	}
	printf("aiowrite: %d writes submitted\n", n);
	fflush(stdout);
	while (done < n) {
		long got = syscall(SYS_io_getevents, ctx, 1, n - done, events, NULL);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			perror("aiowrite: io_getevents");
			return 1;
		}
		for (i = 0; i < got; i++)
			if (events[i].res != CHUNK)
				bad++;
		done += got;
	}
	printf("aiowrite: %d writes %s\n", n, bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
