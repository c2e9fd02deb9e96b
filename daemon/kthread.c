/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* cpumap kthread utilisation from /proc: see kthread.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/kthread.h"

#define RESCAN_USEC (10ull * 1000000) /* look for missing threads at most this often */

void bpfnicd_kthreads_init(struct bpfnicd_kthreads *kt, int cpumap_id)
{
	memset(kt, 0, sizeof(*kt));
	kt->cpumap_id = cpumap_id;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* One pass over /proc: find every "cpumap/<cpu>/map:<id>" of our map. */
static void scan(struct bpfnicd_kthreads *kt)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], comm[64];

	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned cpu;
		int n = 0;
		size_t len, comm_len;
		const char *id;
		char want[16];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_small(path, comm, sizeof(comm)) < 0 || strncmp(comm, "cpumap/", 7) != 0)
			continue;
		if (sscanf(comm, "cpumap/%u/map:%n", &cpu, &n) != 1 || n == 0 || cpu >= BPFNIC_MAX_CPUS)
			continue;
		comm_len = strcspn(comm, "\n");
		id = comm + n;
		len = strcspn(id, "\n");
		snprintf(want, sizeof(want), "%d", kt->cpumap_id);
		/* comm holds 15 characters at most: a long map id may be cut short. */
		if (!(len == strlen(want) && strncmp(id, want, len) == 0) &&
		    !(comm_len == 15 && len < strlen(want) && strncmp(id, want, len) == 0))
			continue;
		kt->cpu[cpu].pid = (pid_t)atoi(de->d_name);
		kt->cpu[cpu].have_prev = false;
	}
	closedir(d);
}

static int run_time_ns(pid_t pid, uint64_t *ns)
{
	char path[64], buf[512];
	unsigned long long run;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) == 0 && sscanf(buf, "%llu", &run) == 1) {
		*ns = run;
		return 0;
	}
	/* Fallback: utime + stime in clock ticks, fields 14 and 15 after "(comm)". */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) == 0) {
		const char *p = strrchr(buf, ')');
		unsigned long long ut, st;
		long hz = sysconf(_SC_CLK_TCK);

		if (p && hz > 0 &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2) {
			*ns = (ut + st) * (1000000000ull / (unsigned long long)hz);
			return 0;
		}
	}
	return -ENOENT;
}

double bpfnicd_kthread_util(struct bpfnicd_kthreads *kt, unsigned cpu, uint64_t now_usec)
{
	uint64_t run;
	double util;

	if (cpu >= BPFNIC_MAX_CPUS)
		return -1;
	if (!kt->cpu[cpu].pid) {
		if (kt->last_scan_usec && now_usec - kt->last_scan_usec < RESCAN_USEC)
			return -1;
		kt->last_scan_usec = now_usec;
		scan(kt);
		if (!kt->cpu[cpu].pid)
			return -1;
	}
	if (run_time_ns(kt->cpu[cpu].pid, &run) < 0) {
		kt->cpu[cpu].pid = 0; /* gone: look again later */
		return -1;
	}
	if (!kt->cpu[cpu].have_prev || now_usec <= kt->cpu[cpu].prev_usec) {
		kt->cpu[cpu].have_prev = true;
		kt->cpu[cpu].prev_run_ns = run;
		kt->cpu[cpu].prev_usec = now_usec;
		return -1;
	}
	util = (double)(run - kt->cpu[cpu].prev_run_ns) / 1000.0 /
	       (double)(now_usec - kt->cpu[cpu].prev_usec);
	kt->cpu[cpu].prev_run_ns = run;
	kt->cpu[cpu].prev_usec = now_usec;
	return util < 0 ? 0 : util > 1 ? 1 : util;
}

int64_t bpfnicd_kthread_run_ns(const struct bpfnicd_kthreads *kt, unsigned cpu)
{
	if (cpu >= BPFNIC_MAX_CPUS || !kt->cpu[cpu].pid || !kt->cpu[cpu].have_prev)
		return -1;
	return (int64_t)kt->cpu[cpu].prev_run_ns;
}
