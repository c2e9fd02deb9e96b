// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dpbench: the data path's three benchmark figures. Prints figures, never judges them.
 *
 *   dpbench sched    [--repeat N] [--rounds R]
 *       ns per packet of bpfnic_sched under each policy next to the reference
 *       scheduler bpfnic_ref_sched, through BPF_PROG_TEST_RUN with a large repeat
 *       count; programs interleaved round by round, medians reported.
 *   dpbench service  [--us LIST] [--count N]
 *       worker service-time accuracy: requested vs measured (finish - pick-up of
 *       extended requests through bpfnic_worker_xdp, and the stats' service_sum).
 *   dpbench capacity --iface IF [--service-us LIST] [--seconds S] [--rounds R] [--batch B]
 *                    [--no-tx]
 *       sustained requests/s through scheduler -> cpumap -> worker -> devmap with one
 *       worker CPU (1), frames injected on CPU 0 by BPF_PROG_TEST_RUN live-frames
 *       mode; the cpumap entry runs bpfnic_worker_keep, which leaves the (recycled)
 *       frame a request. Run it inside the lab's server namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfnic.skel.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"
#include "clock.h"

#define PORT 7777
#define MAX_ROUNDS 99
#define MAX_LIST 16

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned n)
{
	double s[MAX_ROUNDS * 8 + 1024];

	if (n == 0 || n > sizeof(s) / sizeof(s[0]))
		return 0;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static int parse_list(const char *s, unsigned long long *out, unsigned max)
{
	unsigned n = 0;
	char *end;

	while (*s) {
		if (n == max)
			return -EINVAL;
		errno = 0;
		out[n++] = strtoull(s, &end, 10);
		if (errno || end == s)
			return -EINVAL;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return n ? (int)n : -EINVAL;
}

static size_t request_frame(uint8_t *buf, bool ext, uint8_t class, uint64_t service_ns)
{
	uint8_t pl[BPFNIC_REQ_EXT_LEN];
	size_t plen = pkt_fill_request(pl, ext, class, 1, 1, service_ns);
	struct pkt_spec s = { .family = 4, .sport = 40000, .dport = PORT, .payload = pl,
			      .payload_len = plen };

	return pkt_build(buf, PKT_MAX, &s);
}

static int open_dp(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus,
		   unsigned n, int devmap_ifindex)
{
	int r = dpt_open(t, cfg, cpus, n, devmap_ifindex);

	if (r < 0)
		fprintf(stderr, "dpbench: cannot open the data path: %s\n", strerror(-r));
	return r;
}

/* ------------------------------------------------------------------------------
 * sched: ns per packet, each policy next to the reference.
 */
enum { P_REF, P_RR, P_SPLIT_SHORT, P_SPLIT_LONG, P_DYNAMIC, NR_P };
static const char *const p_names[NR_P] = { "ref", "rr", "split(class 0)", "split(class 1)",
					   "dynamic" };

static int run_repeat(int fd, const uint8_t *frame, size_t len, unsigned repeat, double *wall_ns,
		      unsigned *kernel_ns, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .repeat = repeat);
	uint64_t t0 = bpfnic_mono_ns(), t1;

	if (bpf_prog_test_run_opts(fd, &o) < 0)
		return -errno;
	t1 = bpfnic_mono_ns();
	*wall_ns = (double)(t1 - t0) / repeat;
	*kernel_ns = o.duration;
	*retval = o.retval;
	return 0;
}

static int bench_sched(unsigned repeat, unsigned rounds)
{
	static const unsigned both[] = { 0, 1 }, cpu0[] = { 0 }, cpu1[] = { 1 };
	struct bpfnic_settings cfg = dpt_default_settings();
	double wall[NR_P][MAX_ROUNDS], ratio[NR_P][MAX_ROUNDS];
	unsigned kern[NR_P][MAX_ROUNDS];
	uint8_t f_short[PKT_MAX], f_long[PKT_MAX];
	size_t len_short = request_frame(f_short, false, 0, 0);
	size_t len_long = request_frame(f_long, false, 1, 0);
	struct dpt t;
	int r;

	if (dpt_pin(0) < 0)
		return -1;
	if (open_dp(&t, &cfg, both, 2, 1) < 0)
		return -1;
	/* rr and dynamic spread over {0,1}; split: short -> {0}, long -> {1}. */
	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned k = 0; k < NR_P; k++) {
			unsigned p = (k + round) % NR_P; /* rotate the order every round */
			const uint8_t *f = p == P_SPLIT_LONG ? f_long : f_short;
			size_t len = p == P_SPLIT_LONG ? len_long : len_short;
			uint32_t ret = 0;
			int fd;

			cfg.policy = p == P_SPLIT_SHORT || p == P_SPLIT_LONG ? BPFNIC_POLICY_SPLIT :
				     p == P_DYNAMIC ? BPFNIC_POLICY_DYNAMIC : BPFNIC_POLICY_RR;
			if ((r = bpfnic_dp_set_settings(t.dp, &cfg)) < 0 ||
			    (r = bpfnic_dp_set_group(t.dp, BPFNIC_GROUP_MAIN,
						     cfg.policy == BPFNIC_POLICY_SPLIT ? cpu0 : both,
						     cfg.policy == BPFNIC_POLICY_SPLIT ? 1 : 2)) < 0 ||
			    (r = bpfnic_dp_set_group(t.dp, BPFNIC_GROUP_LONG, cpu1, 1)) < 0)
				goto out;
			fd = p == P_REF ? dpt_prog_fd_ref_sched(&t) : dpt_prog_fd_sched(&t);
			r = run_repeat(fd, f, len, repeat, &wall[p][round], &kern[p][round], &ret);
			if (r < 0)
				goto out;
			if (ret != XDP_REDIRECT) {
				fprintf(stderr, "dpbench: %s returned %u, not XDP_REDIRECT\n",
					p_names[p], ret);
				r = -EPROTO;
				goto out;
			}
		}
		/* The kernel's figure leaves out time the CPU spent on other tasks (it stops its
		 * timer to reschedule); the wall clock does not, so it is shown but not used. */
		for (unsigned p = 0; p < NR_P; p++)
			ratio[p][round] = (double)kern[p][round] / (double)kern[P_REF][round];
	}

	printf("scheduler cost per packet, BPF_PROG_TEST_RUN, IPv4 25-byte request, "
	       "repeat %u, %u interleaved rounds, CPU 0\n", repeat, rounds);
	printf("  %-16s %10s %10s %12s %14s\n", "program", "ns/pkt", "min", "wall ns/pkt",
	       "x reference");
	for (unsigned p = 0; p < NR_P; p++) {
		double k[MAX_ROUNDS], mn = kern[p][0];

		for (unsigned i = 0; i < rounds; i++) {
			k[i] = kern[p][i];
			mn = k[i] < mn ? k[i] : mn;
		}
		printf("  %-16s %10.1f %10.0f %12.2f %13.3fx\n", p_names[p], median(k, rounds), mn,
		       median(wall[p], rounds), median(ratio[p], rounds));
	}
	printf("  (ns/pkt: median over rounds of the kernel's per-repetition time (whole ns); "
	       "x reference: median of the per-round ratios; goal <= 1.2x)\n");
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "dpbench: sched: %s\n", strerror(-r));
	dpt_close(&t);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------------
 * service: requested vs measured service time.
 */
static int bench_service(const unsigned long long *us, unsigned n_us, unsigned count)
{
	static const unsigned both[] = { 0, 1 };
	struct bpfnic_settings cfg = dpt_default_settings();
	static double measured[100000];
	struct dpt t;
	int r = 0;

	if (count > sizeof(measured) / sizeof(measured[0]))
		count = sizeof(measured) / sizeof(measured[0]);
	cfg.max_service_ns = BPFNIC_MAX_SERVICE_NS;
	if (dpt_pin(0) < 0 || open_dp(&t, &cfg, both, 2, 1) < 0)
		return -1;
	printf("worker service time, bpfnic_worker_xdp via BPF_PROG_TEST_RUN, extended requests "
	       "asking for the time, %u each, CPU 0\n", count);
	printf("  %12s %12s %12s %12s %12s %10s %12s %10s\n", "requested", "median", "mean", "min",
	       "max", "median err", "stats mean", "stats err");
	for (unsigned i = 0; i < n_us; i++) {
		uint64_t want = us[i] * 1000;
		uint8_t f[PKT_MAX], o[PKT_MAX];
		size_t len = request_frame(f, true, 0, want);
		struct dpt_sums a, b;
		struct pkt_layout lo;
		double sum = 0, mn = 1e18, mx = 0, med, stats_mean;

		pkt_parse(f, len, &lo);
		if ((r = dpt_read(&t, &a)) < 0)
			break;
		for (unsigned k = 0; k < count; k++) {
			size_t out_len = sizeof(o);
			uint32_t ret = 0;

			bpfnic_le64_put(f + lo.payload + BPFNIC_OFF_ARRIVAL, bpfnic_mono_ns());
			r = dpt_run(dpt_prog_fd_worker_xdp(&t), f, len, o, &out_len, &ret, NULL);
			if (r < 0)
				break;
			measured[k] = (double)(bpfnic_le64_get(o + lo.payload + BPFNIC_OFF_EXT_FINISH) -
					       bpfnic_le64_get(o + lo.payload + BPFNIC_OFF_PICKUP));
			sum += measured[k];
			mn = measured[k] < mn ? measured[k] : mn;
			mx = measured[k] > mx ? measured[k] : mx;
		}
		if (r < 0 || (r = dpt_read(&t, &b)) < 0)
			break;
		med = median(measured, count);
		stats_mean = (double)(b.worker.service_sum_ns - a.worker.service_sum_ns) /
			     (double)(b.worker.processed[0] - a.worker.processed[0]);
		printf("  %9llu us %9.3f us %9.3f us %9.3f us %9.3f us %+9.2f%% %9.3f us %+9.2f%%\n",
		       us[i], med / 1000, sum / count / 1000, mn / 1000, mx / 1000,
		       want ? (med - (double)want) / (double)want * 100 : 0.0, stats_mean / 1000,
		       want ? (stats_mean - (double)want) / (double)want * 100 : 0.0);
	}
	if (r < 0)
		fprintf(stderr, "dpbench: service: %s\n", strerror(-r));
	printf("  (measured = worker finish - pick-up written into each reply; stats mean = "
	       "service_sum_ns / processed; goal: within 2%% at >= 6 us)\n");
	dpt_close(&t);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------------
 * capacity: sustained requests/s with one worker CPU, live frames.
 */
static int inject(int fd, const uint8_t *frame, size_t len, int ifindex, unsigned repeat,
		  unsigned batch)
{
	struct xdp_md ctx = { .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch);

	return bpf_prog_test_run_opts(fd, &o) < 0 ? -errno : 0;
}

/* The cpumap kthread of CPU cpu ("cpumap/CPU/map:ID"): its pid, or -1; -2 while the
 * thread of a replaced entry is still there too. */
static int find_kthread(unsigned cpu, int map_id)
{
	char want[64], path[300], comm[64];
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int pid = -1, found = 0;

	if (!dir)
		return -1;
	snprintf(want, sizeof(want), "cpumap/%u/map:%d\n", cpu, map_id);
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want)) {
			pid = atoi(d->d_name);
			found++;
		}
		fclose(f);
	}
	closedir(dir);
	return found > 1 ? -2 : pid;
}

/* ns the task has spent on a CPU (/proc/PID/schedstat, first field), or 0. */
static uint64_t task_cpu_ns(int pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	if (pid < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static int bench_capacity(const char *ifname, const unsigned long long *us, unsigned n_us,
			  double seconds, unsigned rounds, unsigned batch, bool no_tx)
{
	static const unsigned worker_cpu[] = { 1 };
	struct bpfnic_settings cfg = dpt_default_settings();
	double rate[MAX_LIST][MAX_ROUNDS], inj_rate[MAX_LIST][MAX_ROUNDS];
	double oncpu[MAX_LIST][MAX_ROUNDS], oncpu_rate[MAX_LIST][MAX_ROUNDS];
	double mean_s[MAX_LIST][MAX_ROUNDS];
	struct bpfnic_dp_info info;
	int kthread = -1;
	uint8_t f[PKT_MAX];
	size_t len = request_frame(f, false, 0, 0);
	int ifindex = (int)if_nametoindex(ifname), r = 0;
	unsigned repeat = 1000000;
	struct dpt t;

	if (!ifindex) {
		fprintf(stderr, "dpbench: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	cfg.max_service_ns = BPFNIC_MAX_SERVICE_NS;
	/* --no-tx: no devmap entry, so the worker drops after serving (counted tx_err): the
	 * figure without the reply's transmission and the peer's receive on CPU 1. */
	if (dpt_pin(0) < 0 || open_dp(&t, &cfg, worker_cpu, 1, no_tx ? 0 : ifindex) < 0)
		return -1;
	/* CPU 1's cpumap entry runs the non-rewriting worker (see design.md: live frames). */
	{
		struct bpf_cpumap_val val = {
			.qsize = 4096,
			.bpf_prog.fd = bpf_program__fd(t.skel->progs.bpfnic_worker_keep),
		};
		__u32 key = 1;

		if (bpf_map_update_elem(bpf_map__fd(t.skel->maps.bpfnic_cpumap), &key, &val,
					BPF_ANY) < 0) {
			r = -errno;
			fprintf(stderr, "dpbench: cpumap entry with bpfnic_worker_keep: %s\n",
				strerror(-r));
			goto out;
		}
	}

	/* The entry was just (re)created: find its kernel thread, to tell the worker's own
	 * speed from the share of CPU 1 the machine's other tasks left it. */
	if (bpfnic_dp_info(t.dp, &info) == 0) {
		for (int tries = 0; kthread < 0 && tries < 50; tries++) {
			kthread = find_kthread(1, info.cpumap_id);
			if (kthread < 0)
				usleep(20000);
		}
	}

	/* Calibrate the repeat count to about the asked duration. */
	cfg.service_ns[0] = us[0] * 1000;
	if ((r = bpfnic_dp_set_settings(t.dp, &cfg)) < 0)
		goto out;
	{
		uint64_t t0 = bpfnic_mono_ns();

		if ((r = inject(dpt_prog_fd_sched(&t), f, len, ifindex, repeat, batch)) < 0)
			goto out;
		double per = (double)(bpfnic_mono_ns() - t0) / repeat;
		double want = seconds * 1e9 / per;

		repeat = want > 200e6 ? 200000000u : want < 100000 ? 100000u : (unsigned)want;
		usleep(200000);
	}

	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned i = 0; i < n_us; i++) {
			unsigned s = (i + round) % n_us;
			struct dpt_sums a, b;
			uint64_t t0, t1, c0, c1;

			cfg.service_ns[0] = us[s] * 1000;
			if ((r = bpfnic_dp_set_settings(t.dp, &cfg)) < 0)
				goto out;
			usleep(100000); /* let the queue drain from the last run */
			if ((r = dpt_read(&t, &a)) < 0)
				goto out;
			c0 = task_cpu_ns(kthread);
			t0 = bpfnic_mono_ns();
			if ((r = inject(dpt_prog_fd_sched(&t), f, len, ifindex, repeat, batch)) < 0)
				goto out;
			t1 = bpfnic_mono_ns();
			c1 = task_cpu_ns(kthread);
			if ((r = dpt_read(&t, &b)) < 0)
				goto out;
			oncpu[s][round] = (double)(c1 - c0) / (double)(t1 - t0);
			mean_s[s][round] = (double)(b.worker.service_sum_ns - a.worker.service_sum_ns) /
					   (double)(b.worker.processed[0] - a.worker.processed[0] + 1e-9);
			oncpu_rate[s][round] = c1 > c0 ? (double)(b.worker.processed[0] -
								  a.worker.processed[0]) /
								 ((double)(c1 - c0) / 1e9) : 0;
			rate[s][round] = (double)(b.worker.processed[0] - a.worker.processed[0]) /
					 ((double)(t1 - t0) / 1e9);
			inj_rate[s][round] = (double)(b.sched.rx - a.sched.rx) / ((double)(t1 - t0) / 1e9);
			if (b.sched.redirected - a.sched.redirected == 0) {
				fprintf(stderr, "dpbench: nothing was redirected (rx %llu passed %llu)\n",
					(unsigned long long)(b.sched.rx - a.sched.rx),
					(unsigned long long)(b.sched.passed - a.sched.passed));
				r = -EPROTO;
				goto out;
			}
		}
	}
	printf("sustained requests/s, one worker CPU (1), scheduler on CPU 0 fed by "
	       "BPF_PROG_TEST_RUN live frames (%u per run, batch %u) on %s, %u rounds, %s\n",
	       repeat, batch, ifname, rounds,
	       no_tx ? "replies dropped after the workload (--no-tx)" : "replies out through the devmap");
	printf("  %10s %12s %12s %8s %10s %14s %8s %10s %12s\n", "service", "served/s", "1/S",
	       "of 1/S", "kthread", "per CPU-s", "of 1/S", "mean S", "injected/s");
	for (unsigned i = 0; i < n_us; i++) {
		double m = median(rate[i], rounds), inj = median(inj_rate[i], rounds);
		double busy = median(oncpu[i], rounds), per = median(oncpu_rate[i], rounds);
		char a[16] = "-", b[16] = "-", c[16] = "-";

		if (us[i]) {
			snprintf(a, sizeof(a), "%.0f", 1e6 / (double)us[i]);
			snprintf(b, sizeof(b), "%.1f%%", m * (double)us[i] / 1e6 * 100);
			snprintf(c, sizeof(c), "%.1f%%", per * (double)us[i] / 1e6 * 100);
		}
		printf("  %7llu us %12.0f %12s %8s %9.1f%% %14.0f %8s %7.3f us %12.0f\n", us[i], m, a,
		       b, busy * 100, per, c, median(mean_s[i], rounds) / 1000, inj);
	}
	printf("  (served/s: median over rounds of requests processed during the injection / its "
	       "wall time; goal >= 95%% of 1/S at 6 us.\n"
	       "   kthread: share of the wall time CPU 1's cpumap thread was on the CPU "
	       "(/proc/PID/schedstat); per CPU-s: requests per second of that thread's CPU time,\n"
	       "   i.e. the rate with CPU 1 to itself; other tasks on CPU 1 lower served/s, not "
	       "per CPU-s; mean S: the workload's measured mean, service_sum_ns / processed;\n"
	       "   at 0 us served/s is bounded by injected/s when the two are close)\n");
	if (kthread < 0)
		printf("  (cpumap kthread not found: kthread columns are 0)\n");
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "dpbench: capacity: %s\n", strerror(-r));
	dpt_close(&t);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: dpbench sched [--repeat N] [--rounds R]\n"
		   "       dpbench service [--us LIST] [--count N]\n"
		   "       dpbench capacity --iface IF [--service-us LIST] [--seconds S] "
		   "[--rounds R] [--batch B] [--no-tx]\n");
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "us", required_argument, NULL, 'u' },
		{ "service-us", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'n' },
		{ "iface", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "no-tx", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long us[MAX_LIST] = { 1, 6, 60 };
	unsigned repeat = 1000000, rounds = 0, count = 300, batch = 64;
	int n_us = -1, opt;
	double seconds = 2;
	const char *cmd, *iface = NULL;
	bool no_tx = false;
	char *end;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		unsigned long v = 0;

		if (opt == 'r' || opt == 'R' || opt == 'n' || opt == 'b') {
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 1000000000 ||
			    (opt == 'R' && v > MAX_ROUNDS) || (opt == 'b' && v > 256)) {
				fprintf(stderr, "dpbench: bad number '%s'\n", optarg);
				return 2;
			}
		}
		switch (opt) {
		case 'r': repeat = (unsigned)v; break;
		case 'R': rounds = (unsigned)v; break;
		case 'n': count = (unsigned)v; break;
		case 'b': batch = (unsigned)v; break;
		case 'i': iface = optarg; break;
		case 'T': no_tx = true; break;
		case 'u':
			n_us = parse_list(optarg, us, MAX_LIST);
			if (n_us < 0) {
				fprintf(stderr, "dpbench: bad list '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0 || seconds > 30) {
				fprintf(stderr, "dpbench: --seconds in (0, 30]\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	libbpf_set_print(libbpf_quiet);
	if (!strcmp(cmd, "sched"))
		return bench_sched(repeat, rounds ? rounds : 7) < 0;
	if (!strcmp(cmd, "service"))
		return bench_service(us, n_us < 0 ? 3 : (unsigned)n_us, count) < 0;
	if (!strcmp(cmd, "capacity")) {
		static const unsigned long long cap_default[] = { 0, 6 };

		if (!iface) {
			usage(stderr);
			return 2;
		}
		if (n_us < 0) {
			memcpy(us, cap_default, sizeof(cap_default));
			n_us = 2;
		}
		return bench_capacity(iface, us, (unsigned)n_us, seconds, rounds ? rounds : 3,
				      batch, no_tx) < 0;
	}
	usage(stderr);
	return 2;
}
