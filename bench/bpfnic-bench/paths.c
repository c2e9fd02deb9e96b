/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where the tools are: see paths.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bpfnic-bench/paths.h"

/* The install directories (BENCH_SBINDIR, ...): bench/bpfnic-bench/build.mk writes them. */
#include "bench-paths.h"

/* out = dir/name; false when it does not fit. */
static bool join(char *out, size_t size, const char *dir, const char *name)
{
	return snprintf(out, size, "%s/%s", dir, name) < (int)size;
}

static bool exists(const char *dir, const char *name, char *out, size_t size)
{
	return join(out, size, dir, name) && access(out, F_OK) == 0;
}

void bench_paths_find(struct bench_paths *p)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	memset(p, 0, sizeof(*p));
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			char top[PATH_MAX];

			*slash = '\0';
			/* A build tree: the daemon next to us, the sources one level up. */
			p->build_tree = join(top, sizeof(top), self, "..") &&
					exists(self, "bpfnicd", p->bpfnicd, sizeof(p->bpfnicd)) &&
					exists(top, "scripts/lab", p->lab, sizeof(p->lab)) &&
					exists(top, "bench/experiments", p->experiments,
					       sizeof(p->experiments));
			if (p->build_tree && join(p->bpfnicctl, sizeof(p->bpfnicctl), self, "bpfnicctl") &&
			    join(p->loadgen, sizeof(p->loadgen), self, "bpfnic-loadgen"))
				return;
		}
	}
	p->build_tree = false;
	join(p->bpfnicd, sizeof(p->bpfnicd), BENCH_SBINDIR, "bpfnicd");
	join(p->bpfnicctl, sizeof(p->bpfnicctl), BENCH_BINDIR, "bpfnicctl");
	join(p->loadgen, sizeof(p->loadgen), BENCH_BINDIR, "bpfnic-loadgen");
	join(p->lab, sizeof(p->lab), BENCH_LIBDIR, "lab");
	join(p->experiments, sizeof(p->experiments), BENCH_DATADIR, "experiments");
}
