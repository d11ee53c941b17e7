// SPDX-License-Identifier: GPL-2.0
/*
 * ptyexpect - type into a program that wants a terminal, and wait for an
 * answer; dom0's boot tests use it on `xl console DOMU` (tests/boot/xenbus.sh).
 *
 *   ptyexpect SECONDS SEND WANT CMD [ARG...]
 *   ptyexpect SECONDS SEND WANT [SEND WANT]... -- CMD [ARG...]
 *
 * CMD runs as if from a terminal: in a new session, with a new
 * pseudo-terminal as its controlling terminal and its stdin, stdout and
 * stderr.  Every 3 s, SEND and a carriage return are typed into it (the
 * first time at once), until WANT appears anywhere in what CMD has printed,
 * or SECONDS pass, or CMD closes the terminal.  Typing again covers input
 * that arrives before the far end reads it (a console whose shell is still
 * starting).  Then Ctrl-] is typed, which ends xenconsole (the program `xl
 * console` becomes); CMD gets SIGTERM if it is still there 3 s later, and
 * SIGKILL 3 s after that.
 *
 * The caller picks WANT so that only the far end's answer can hold it, not
 * the echo of what was typed: SEND "echo x-$((6 * 7))" and WANT "x-42".
 *
 * The second form is a dialogue, such as a login: the pairs are steps, taken
 * in order within the one time limit.  The first step is typed again every
 * 3 s as above (to wake a console); every later step is typed once, when the
 * step before it is done, and its WANT must appear in what came after that
 * (a user name typed twice would become the password).  Ctrl-] is typed
 * after the last step.
 *
 * Output: the last 1200 bytes of the session, control characters shown as
 * '.', each line prefixed "ptyexpect: | ", then one line saying whether WANT
 * was seen.  Exit status 0 when it was, 1 when not, 2 on a usage or
 * set-up error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RETYPE_SECONDS 3
#define TAIL 1200

static char seen[65536];	/* what CMD printed; the latest half kept */
static size_t have;

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - t0->tv_sec + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static int type_in(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

/* Start @cmd on the terminal whose other side is @slave. */
static pid_t start(const char *slave, int master, char **cmd)
{
	pid_t pid = fork();
	int s;

	if (pid)
		return pid;
	setsid();
	s = open(slave, O_RDWR);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0))
		_exit(126);
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	close(master);
	if (s > 2)
		close(s);
	execvp(cmd[0], cmd);
	_exit(127);
}

/* Print the tail of the session, one prefixed line per line. */
static void show_tail(void)
{
	size_t from = have > TAIL ? have - TAIL : 0;
	char *line, *nl, *end = seen + have;

	for (size_t i = from; i < have; i++)
		if (seen[i] != '\n' && (seen[i] < 32 || seen[i] > 126))
			seen[i] = '.';
	printf("ptyexpect: --- the last %zu bytes of the session ---\n", have - from);
	for (line = seen + from; line < end; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		printf("ptyexpect: | %.*s\n", (int)(nl - line), line);
	}
}

static void usage(void)
{
	fputs("usage: ptyexpect SECONDS SEND WANT CMD [ARG...]\n"
	      "       ptyexpect SECONDS SEND WANT [SEND WANT]... -- CMD [ARG...]\n",
	      stderr);
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	unsigned int seconds, typed = 0, step = 0, steps = 1;
	bool found = false, closed = false;
	const char *send, *want;
	double next_type = 0, took;
	struct timespec t0;
	size_t mark = 0;	/* where the current step's answer may start */
	char slave[128], **cmd;
	int master, status;
	pid_t pid;

	if (argc < 5) {
		usage();
		return 2;
	}
	cmd = argv + 4;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		if (i < 4 || (i - 2) % 2 || i + 1 >= argc) {
			usage();
			return 2;
		}
		steps = (i - 2) / 2;
		cmd = argv + i + 1;
		break;
	}
	seconds = strtoul(argv[1], NULL, 0);
	send = argv[2];
	want = argv[3];
	signal(SIGPIPE, SIG_IGN);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    ptsname_r(master, slave, sizeof(slave))) {
		perror("ptyexpect: a pseudo-terminal");
		return 2;
	}
	ioctl(master, TIOCSWINSZ, &ws);
	pid = start(slave, master, cmd);
	if (pid < 0) {
		perror("ptyexpect: fork");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!found && !closed && since(&t0) < seconds) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (since(&t0) >= next_type) {
			if (type_in(master, send, strlen(send)) || type_in(master, "\r", 1))
				break;
			typed++;
			/* only the first step is typed again */
			next_type = step ? 1e12 : since(&t0) + RETYPE_SECONDS;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (have > sizeof(seen) - 4096) {
			size_t drop = sizeof(seen) / 2;

			memmove(seen, seen + drop, have - drop);
			have -= drop;
			mark = mark > drop ? mark - drop : 0;
		}
		n = read(master, seen + have, sizeof(seen) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			closed = true;	/* EIO: nothing holds the terminal open */
			continue;
		}
		have += n;
		found = memmem(seen + mark, have - mark, want, strlen(want)) != NULL;
		if (found && step + 1 < steps) {
			printf("ptyexpect: step %u: '%s' seen after %.1f s\n",
			       step + 1, want, since(&t0));
			step++;
			send = argv[2 + 2 * step];
			want = argv[3 + 2 * step];
			mark = have;
			next_type = 0;
			found = false;
		}
	}
	took = since(&t0);
	if (!closed) {
		type_in(master, "\x1d", 1);
		for (int i = 0; i < 30 && waitpid(pid, &status, WNOHANG) == 0; i++)
			usleep(100000);
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 30 && waitpid(pid, &status, WNOHANG) == 0; i++)
			usleep(100000);
		if (waitpid(pid, &status, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	show_tail();
	printf("ptyexpect: %s'%s' %s after %.1f s, typed %u time(s)%s\n",
	       steps > 1 ? "the last step's " : "", want,
	       found ? "seen" : "NOT seen", took, typed,
	       closed ? "; the command closed the terminal first" : "");
	return !found;
}
