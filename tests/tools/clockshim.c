// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * clockshim.so: steps CLOCK_REALTIME for one process, for the clock-step fault test.
 * LD_PRELOAD it with BPFNIC_CLOCKSHIM_FILE naming a file that holds a signed number of
 * seconds; every realtime reading (clock_gettime of the realtime clocks, gettimeofday,
 * time) gets that offset, read afresh each time, so the test steps the clock by
 * rewriting the file. Monotonic clocks and the kernel's own timers are untouched.
 *
 * Why a shim: CLOCK_REALTIME has no namespace (unshare --time offsets only MONOTONIC
 * and BOOTTIME), and stepping the machine's real clock would step it under every other
 * test and service on a shared machine. The shim moves the clock only where the
 * daemon reads it, which is what a step looks like to the daemon.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long offset_s(void)
{
	const char *path = getenv("BPFNIC_CLOCKSHIM_FILE");
	char buf[32];
	ssize_t n;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static int real_clock_gettime(clockid_t clk, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	return real(clk, ts);
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	int r = real_clock_gettime(clk, ts);

	if (r == 0 && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_TAI))
		ts->tv_sec += offset_s();
	return r;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
