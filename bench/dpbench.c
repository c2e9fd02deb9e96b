// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dpbench: the data path's three benchmark figures. Prints figures, never judges them.
 *
 *   dpbench sched    [--repeat N] [--rounds R]
 *       ns per packet of bpfnic_sched under each policy (and bpfnic_sched_vft, lwl's
 *       other bookkeeping) next to the reference scheduler bpfnic_ref_sched, with
 *       groups of 2, 16 and 64 slots, through BPF_PROG_TEST_RUN with a large repeat
 *       count; programs interleaved round by round, medians reported.
 *   dpbench service  [--us LIST] [--count N]
 *       worker service-time accuracy: requested vs measured (finish - pick-up of
 *       extended requests through bpfnic_worker_xdp, and the stats' service_sum).
 *   dpbench worker   [--repeat N] [--rounds R] [--baseline OBJ]
 *       ns per request of the worker's own work (bpfnic_worker_xdp, service time 0)
 *       for IPv4/IPv6 x 25/56-byte requests, BPF_PROG_TEST_RUN with a large repeat
 *       count. The request goes from port 7777 to port 7777, so the reply the worker
 *       makes of it is a request again at the next repetition. --baseline OBJ runs the
 *       same program from another build of bpfnic.bpf.o (an older commit's) interleaved
 *       with it, round by round: the cost a change adds, side by side in one run.
 *   dpbench capacity --iface IF [--service-us LIST] [--seconds S] [--rounds R] [--batch B]
 *                    [--no-tx]
 *       sustained requests/s through scheduler -> cpumap -> worker -> devmap with one
 *       worker CPU (1), frames injected on CPU 0 by BPF_PROG_TEST_RUN live-frames
 *       mode; the cpumap entry runs bpfnic_worker_keep, which leaves the (recycled)
 *       frame a request. Run it inside the lab's server namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfnic.skel.h"
#include "numparse.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"
#include "tests/support/toolopt.h"
#include "clock.h"

#define PORT 7777
#define MAX_ROUNDS 99
#define MAX_LIST 16

/* The command line of every benchmark (each reads what it needs). */
struct bench_args {
	uint64_t repeat, rounds, count, batch;
	uint64_t us[MAX_LIST]; /* service times (us) */
	unsigned n_us;
	double seconds;
	const char *iface;
	int ifindex;
	bool no_tx;
	const char *baseline; /* worker: another build's bpfnic.bpf.o to compare with */
};

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

static size_t request_frame(uint8_t *buf, bool ext, uint8_t class, uint64_t service_ns)
{
	uint8_t pl[BPFNIC_REQ_EXT_LEN];
	size_t plen = pkt_fill_request(pl, ext, class, 1, 1, service_ns);
	struct pkt_spec s = { .family = 4, .sport = 40000, .dport = PORT, .payload = pl,
			      .payload_len = plen };

	return pkt_build(buf, PKT_MAX, &s);
}

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

/* ------------------------------------------------------------------------------
 * sched: ns per packet, each policy next to the reference, at several group sizes.
 */
struct sched_prog {
	const char *name;
	bool ref;      /* bpfnic_ref_sched rather than bpfnic_sched */
	bool vft;      /* bpfnic_sched_vft: lwl's other bookkeeping */
	uint8_t policy, choices, class;
};

static const struct sched_prog sched_progs[] = {
	{ "ref", .ref = true },
	{ "rr", .policy = BPFNIC_POLICY_RR },
	{ "split(class 0)", .policy = BPFNIC_POLICY_SPLIT },
	{ "split(class 1)", .policy = BPFNIC_POLICY_SPLIT, .class = 1 },
	{ "dynamic", .policy = BPFNIC_POLICY_DYNAMIC },
	{ "hash", .policy = BPFNIC_POLICY_HASH },
	{ "jsq", .policy = BPFNIC_POLICY_JSQ },
	{ "p2c d=2", .policy = BPFNIC_POLICY_P2C, .choices = 2 },
	{ "p2c d=3", .policy = BPFNIC_POLICY_P2C, .choices = 3 },
	{ "lwl", .policy = BPFNIC_POLICY_LWL },
	{ "lwl(vft twin)", .vft = true, .policy = BPFNIC_POLICY_LWL },
};
#define NR_P (sizeof(sched_progs) / sizeof(sched_progs[0]))

/* Group sizes in slots; slot i names CPU i % 2 (the data path's two candidates). */
static const unsigned sched_sizes[] = { 2, 16, 64 };
#define NR_S (sizeof(sched_sizes) / sizeof(sched_sizes[0]))

struct sched_samples {
	double ratio[NR_S][NR_P][MAX_ROUNDS];
	unsigned kern[NR_S][NR_P][MAX_ROUNDS];
};

/* Group g as n slots over CPUs 0 and 1, written straight into the maps: the data
 * path's own bpfnic_dp_set_group() admits each CPU once. */
static int sched_group(struct dpt *t, enum bpfnic_group g, unsigned n)
{
	struct bpfnic_group_cpus cpus = { 0 };
	__u32 key = g, size = n;

	for (unsigned i = 0; i < n; i++)
		cpus.cpu[i] = i % 2;
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.bpfnic_group_cpus), &key, &cpus,
				BPF_ANY) < 0)
		return -errno;
	return bpf_map_update_elem(bpf_map__fd(t->skel->maps.bpfnic_group_size), &key, &size,
				   BPF_ANY) < 0 ? -errno : 0;
}

/* Program p's settings and a group of n slots (split: half short, half long); every
 * CPU's load emptied, so each run starts from the same state (no worker runs here to
 * take load back: the load-aware policies walk all slots, their worst case). */
static int sched_setup(struct dpt *t, struct bpfnic_settings *cfg, const struct sched_prog *p,
		       unsigned n)
{
	static const struct bpfnic_loads empty;
	bool split = p->policy == BPFNIC_POLICY_SPLIT;
	__u32 zero = 0;
	int r;

	cfg->policy = p->policy;
	cfg->choices = p->choices;
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.bpfnic_cpu_load), &zero, &empty,
				BPF_ANY) < 0)
		return -errno;
	if ((r = bpfnic_dp_set_settings(t->dp, cfg)) < 0)
		return r;
	if ((r = sched_group(t, BPFNIC_GROUP_MAIN, split ? n / 2 : n)) < 0)
		return r;
	return sched_group(t, BPFNIC_GROUP_LONG, split ? n / 2 : 0);
}

static void sched_print(const struct sched_samples *m, unsigned repeat, unsigned rounds)
{
	printf("scheduler cost per packet, BPF_PROG_TEST_RUN, IPv4 25-byte request, "
	       "repeat %u, %u interleaved rounds, CPU 0\n", repeat, rounds);
	printf("  %-16s", "program");
	for (unsigned s = 0; s < NR_S; s++)
		printf(" %9u slots x reference", sched_sizes[s]);
	printf("\n");
	for (unsigned p = 0; p < NR_P; p++) {
		printf("  %-16s", sched_progs[p].name);
		for (unsigned s = 0; s < NR_S; s++) {
			double k[MAX_ROUNDS];

			for (unsigned i = 0; i < rounds; i++)
				k[i] = m->kern[s][p][i];
			printf(" %9.1f ns %10.3fx", median(k, rounds), median(m->ratio[s][p], rounds));
		}
		printf("\n");
	}
	printf("  (ns: median over rounds of the kernel's per-repetition time (whole ns); "
	       "x reference: median of the per-round ratios to ref at that size (ref does not "
	       "depend on it). Slot i names CPU i %% 2; no worker runs, so jsq and lwl walk "
	       "every slot, their worst case, all in this CPU's cache)\n");
}

static int bench_sched(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a)
{
	static struct sched_samples m;
	unsigned repeat = (unsigned)a->repeat, rounds = a->rounds ? (unsigned)a->rounds : 7;
	uint8_t f[2][PKT_MAX];
	size_t len[2] = { request_frame(f[0], false, 0, 0), request_frame(f[1], false, 1, 0) };
	int r;

	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned s = 0; s < NR_S; s++) {
			for (unsigned k = 0; k < NR_P; k++) {
				unsigned p = (k + round) % NR_P; /* rotate the order every round */
				const struct sched_prog *sp = &sched_progs[p];
				uint32_t ret = 0;
				double wall;
				int fd = sp->ref ? dpt_prog_fd_ref_sched(t) :
					 sp->vft ? dpt_prog_fd_sched_vft(t) : dpt_prog_fd_sched(t);

				r = sched_setup(t, cfg, sp, sched_sizes[s]);
				if (!r)
					r = run_repeat(fd, f[sp->class], len[sp->class], repeat, &wall,
						       &m.kern[s][p][round], &ret);
				if (r < 0)
					return r;
				if (ret != XDP_REDIRECT) {
					fprintf(stderr, "dpbench: %s returned %u, not XDP_REDIRECT\n",
						sp->name, ret);
					return -EPROTO;
				}
			}
			/* The kernel's figure leaves out time the CPU spent on other tasks (it
			 * stops its timer to reschedule); the wall clock does not: not used. */
			for (unsigned p = 0; p < NR_P; p++)
				m.ratio[s][p][round] = (double)m.kern[s][p][round] /
						       (double)m.kern[s][0][round];
		}
	}
	sched_print(&m, repeat, rounds);
	return 0;
}

/* ------------------------------------------------------------------------------
 * worker: ns per request of the worker, optionally next to a baseline build.
 */
enum { W_V4_PAPER, W_V4_EXT, W_V6_PAPER, W_V6_EXT, NR_W };
static const char *const w_names[NR_W] = { "IPv4 25-byte", "IPv4 56-byte", "IPv6 25-byte",
					   "IPv6 56-byte" };

/* bpfnic_worker_xdp of another build of bpfnic.bpf.o, loaded alone, set up like ours. */
static int baseline_open(const char *path, const struct bpfnic_settings *cfg,
			 struct bpf_object **objp, int *prog_fd)
{
	struct bpf_devmap_val lo = { .ifindex = 1 };
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *worker = NULL;
	struct bpf_map *settings, *devmap;
	__u32 zero = 0;
	int r;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		bool ours = !strcmp(bpf_program__name(prog), "bpfnic_worker_xdp");

		bpf_program__set_autoload(prog, ours);
		worker = ours ? prog : worker;
	}
	settings = bpf_object__find_map_by_name(obj, "bpfnic_settings");
	devmap = bpf_object__find_map_by_name(obj, "bpfnic_devmap");
	if (!worker || !settings || !devmap ||
	    bpf_map__value_size(settings) != sizeof(*cfg)) {
		r = -EPROTO; /* not a bpfnic object with the same settings layout */
		goto fail;
	}
	if ((r = bpf_object__load(obj)) < 0 ||
	    (r = bpf_map__update_elem(settings, &zero, sizeof(zero), cfg, sizeof(*cfg), 0)) < 0 ||
	    (r = bpf_map__update_elem(devmap, &zero, sizeof(zero), &lo, sizeof(lo), 0)) < 0)
		goto fail;
	*objp = obj;
	*prog_fd = bpf_program__fd(worker);
	return 0;
fail:
	bpf_object__close(obj);
	return r;
}

static int bench_worker(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a)
{
	unsigned repeat = (unsigned)a->repeat, rounds = a->rounds ? (unsigned)a->rounds : 9;
	const char *baseline = a->baseline;
	unsigned kern[2][NR_W][MAX_ROUNDS];
	uint8_t f[NR_W][PKT_MAX];
	size_t len[NR_W];
	struct bpf_object *base_obj = NULL;
	int fd[2] = { -1, -1 }, n_prog = baseline ? 2 : 1, r;

	cfg->service_ns[BPFNIC_CLASS_SHORT] = 0; /* the worker's own work, no workload */
	for (unsigned k = 0; k < NR_W; k++) {
		uint8_t pl[BPFNIC_REQ_EXT_LEN];
		bool ext = k == W_V4_EXT || k == W_V6_EXT;
		struct pkt_spec s = { .family = k < W_V6_PAPER ? 4 : 6, .sport = PORT, .dport = PORT,
				      .payload = pl,
				      .payload_len = pkt_fill_request(pl, ext, 0, 1, 1, 0) };

		len[k] = pkt_build(f[k], PKT_MAX, &s);
	}
	if ((r = bpfnic_dp_set_settings(t->dp, cfg)) < 0)
		return r;
	fd[0] = dpt_prog_fd_worker_xdp(t);
	if (baseline && (r = baseline_open(baseline, cfg, &base_obj, &fd[1])) < 0) {
		fprintf(stderr, "dpbench: baseline %s: %s\n", baseline, strerror(-r));
		return r;
	}
	for (unsigned round = 0; round < rounds; round++)
		for (unsigned k = 0; k < NR_W; k++)
			for (int i = 0; i < n_prog; i++) {
				int p = (i + (int)(round + k)) % n_prog; /* alternate who goes first */
				uint32_t ret = 0;
				double wall;

				r = run_repeat(fd[p], f[k], len[k], repeat, &wall, &kern[p][k][round],
					       &ret);
				if (r < 0)
					goto out;
				if (ret != XDP_REDIRECT) {
					fprintf(stderr, "dpbench: worker %s returned %u, not "
						"XDP_REDIRECT\n", p ? "baseline" : "", ret);
					r = -EPROTO;
					goto out;
				}
			}

	printf("worker cost per request (bpfnic_worker_xdp, service time 0), BPF_PROG_TEST_RUN, "
	       "repeat %u, %u interleaved rounds, CPU 0\n", repeat, rounds);
	if (baseline)
		printf("  baseline: %s\n", baseline);
	printf("  %-14s %10s", "request", "ns/req");
	if (baseline)
		printf(" %12s %10s %10s", "baseline", "added", "mean added");
	printf("\n");
	for (unsigned k = 0; k < NR_W; k++) {
		double v[2][MAX_ROUNDS], d[MAX_ROUNDS], sum = 0;

		for (unsigned i = 0; i < rounds; i++) {
			v[0][i] = kern[0][k][i];
			v[1][i] = baseline ? kern[1][k][i] : 0;
			d[i] = v[0][i] - v[1][i];
			sum += d[i];
		}
		printf("  %-14s %10.1f", w_names[k], median(v[0], rounds));
		if (baseline)
			printf(" %12.1f %+10.1f %+10.2f", median(v[1], rounds), median(d, rounds),
			       sum / rounds);
		printf("\n");
	}
	printf("  (ns/req: median over rounds of the kernel's per-repetition time, whole ns; "
	       "added: median of the per-round differences, mean added: their mean)\n");
	r = 0;
out:
	bpf_object__close(base_obj);
	return r;
}

/* ------------------------------------------------------------------------------
 * service: requested vs measured service time.
 */

/* count extended requests asking for want_ns through the worker: finish - pick-up of
 * each into measured[]. 0 or -errno. */
static int service_runs(struct dpt *t, uint64_t want_ns, double *measured, unsigned count)
{
	uint8_t f[PKT_MAX], o[PKT_MAX];
	size_t len = request_frame(f, true, 0, want_ns);
	struct pkt_layout lo;
	int r;

	pkt_parse(f, len, &lo);
	for (unsigned k = 0; k < count; k++) {
		size_t out_len = sizeof(o);
		uint32_t ret = 0;

		bpfnic_le64_put(f + lo.payload + BPFNIC_OFF_ARRIVAL, bpfnic_mono_ns());
		r = dpt_run(dpt_prog_fd_worker_xdp(t), f, len, o, &out_len, &ret, NULL);
		if (r < 0)
			return r;
		measured[k] = (double)(bpfnic_le64_get(o + lo.payload + BPFNIC_OFF_EXT_FINISH) -
				       bpfnic_le64_get(o + lo.payload + BPFNIC_OFF_PICKUP));
	}
	return 0;
}

static void service_print_row(uint64_t us, const double *measured, unsigned count,
			      double stats_mean)
{
	double want = (double)us * 1000, sum = 0, mn = 1e18, mx = 0, med = median(measured, count);

	for (unsigned k = 0; k < count; k++) {
		sum += measured[k];
		mn = measured[k] < mn ? measured[k] : mn;
		mx = measured[k] > mx ? measured[k] : mx;
	}
	printf("  %9llu us %9.3f us %9.3f us %9.3f us %9.3f us %+9.2f%% %9.3f us %+9.2f%%\n",
	       (unsigned long long)us, med / 1000, sum / count / 1000, mn / 1000, mx / 1000,
	       want ? (med - want) / want * 100 : 0.0, stats_mean / 1000,
	       want ? (stats_mean - want) / want * 100 : 0.0);
}

static int bench_service(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a)
{
	static double measured[100000];
	unsigned count = a->count < 100000 ? (unsigned)a->count : 100000;
	int r = 0;

	(void)cfg;
	printf("worker service time, bpfnic_worker_xdp via BPF_PROG_TEST_RUN, extended requests "
	       "asking for the time, %u each, CPU 0\n", count);
	printf("  %12s %12s %12s %12s %12s %10s %12s %10s\n", "requested", "median", "mean", "min",
	       "max", "median err", "stats mean", "stats err");
	for (unsigned i = 0; i < a->n_us && r == 0; i++) {
		struct dpt_sums before, after;

		r = dpt_read(t, &before);
		if (!r)
			r = service_runs(t, a->us[i] * 1000, measured, count);
		if (!r)
			r = dpt_read(t, &after);
		if (!r)
			service_print_row(a->us[i], measured, count,
					  (double)(after.worker.service_sum_ns - before.worker.service_sum_ns) /
					  (double)(after.worker.processed[0] - before.worker.processed[0]));
	}
	printf("  (measured = worker finish - pick-up written into each reply; stats mean = "
	       "service_sum_ns / processed; goal: within 2%% at >= 6 us)\n");
	return r;
}

/* ------------------------------------------------------------------------------
 * capacity: sustained requests/s with one worker CPU, live frames.
 */
struct capacity_sample {
	double served_rps, injected_rps;
	double oncpu;       /* share of the wall time the cpumap kthread ran */
	double oncpu_rps;   /* requests per second of the kthread's CPU time */
	double mean_service_ns;
};

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

/*
 * CPU 1's cpumap entry runs the non-rewriting worker (see design.md: live frames).
 * Returns the pid of its (new) kernel thread, -1 when not found, or -errno.
 */
static int use_keep_worker(struct dpt *t)
{
	struct bpf_cpumap_val val = {
		.qsize = 4096,
		.bpf_prog.fd = bpf_program__fd(t->skel->progs.bpfnic_worker_keep),
	};
	struct bpfnic_dp_info info;
	__u32 key = 1;
	int pid = -1;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.bpfnic_cpumap), &key, &val, BPF_ANY) < 0)
		return -errno;
	/* The entry was just (re)created: find its kernel thread, to tell the worker's own
	 * speed from the share of CPU 1 the machine's other tasks left it. */
	if (bpfnic_dp_info(t->dp, &info) < 0)
		return -1;
	for (int tries = 0; pid < 0 && tries < 50; tries++) {
		pid = find_kthread(1, info.cpumap_id);
		if (pid < 0)
			usleep(20000);
	}
	return pid < 0 ? -1 : pid;
}

/* The repeat count that injects for about a->seconds (one timed run at us[0]). */
static int calibrate_repeat(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a,
			    const uint8_t *f, size_t len, unsigned *repeat)
{
	uint64_t t0;
	double per, want;
	int r;

	cfg->service_ns[0] = a->us[0] * 1000;
	r = bpfnic_dp_set_settings(t->dp, cfg);
	t0 = bpfnic_mono_ns();
	if (!r)
		r = inject(dpt_prog_fd_sched(t), f, len, a->ifindex, *repeat, (unsigned)a->batch);
	if (r < 0)
		return r;
	per = (double)(bpfnic_mono_ns() - t0) / *repeat;
	want = a->seconds * 1e9 / per;
	*repeat = want > 200e6 ? 200000000u : want < 100000 ? 100000u : (unsigned)want;
	usleep(200000);
	return 0;
}

/* One injection at service time us: what went through, by the wall clock and by the
 * kthread's CPU time. 0 or -errno. */
static int capacity_run(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a,
			const uint8_t *f, size_t len, unsigned repeat, int kthread, uint64_t us,
			struct capacity_sample *out)
{
	struct dpt_sums x, y;
	uint64_t t0, t1, c0, c1;
	double served, wall_s;
	int r;

	cfg->service_ns[0] = us * 1000;
	if ((r = bpfnic_dp_set_settings(t->dp, cfg)) < 0)
		return r;
	usleep(100000); /* let the queue drain from the last run */
	if ((r = dpt_read(t, &x)) < 0)
		return r;
	c0 = task_cpu_ns(kthread);
	t0 = bpfnic_mono_ns();
	if ((r = inject(dpt_prog_fd_sched(t), f, len, a->ifindex, repeat, (unsigned)a->batch)) < 0)
		return r;
	t1 = bpfnic_mono_ns();
	c1 = task_cpu_ns(kthread);
	if ((r = dpt_read(t, &y)) < 0)
		return r;
	if (y.sched.redirected == x.sched.redirected) {
		fprintf(stderr, "dpbench: nothing was redirected (rx %llu passed %llu)\n",
			(unsigned long long)(y.sched.rx - x.sched.rx),
			(unsigned long long)(y.sched.passed - x.sched.passed));
		return -EPROTO;
	}
	served = (double)(y.worker.processed[0] - x.worker.processed[0]);
	wall_s = (double)(t1 - t0) / 1e9;
	out->oncpu = (double)(c1 - c0) / (double)(t1 - t0);
	out->mean_service_ns = (double)(y.worker.service_sum_ns - x.worker.service_sum_ns) /
			       (served + 1e-9);
	out->oncpu_rps = c1 > c0 ? served / ((double)(c1 - c0) / 1e9) : 0;
	out->served_rps = served / wall_s;
	out->injected_rps = (double)(y.sched.rx - x.sched.rx) / wall_s;
	return 0;
}

/* The median over rounds of one field of the samples of service time s. */
static double capacity_median(struct capacity_sample m[][MAX_ROUNDS], unsigned s, unsigned rounds,
			      size_t field)
{
	double v[MAX_ROUNDS];

	for (unsigned i = 0; i < rounds; i++)
		memcpy(&v[i], (const char *)&m[s][i] + field, sizeof(double));
	return median(v, rounds);
}

static void capacity_print(struct capacity_sample m[][MAX_ROUNDS], const struct bench_args *a,
			   unsigned rounds, unsigned repeat)
{
#define MED(field) capacity_median(m, i, rounds, offsetof(struct capacity_sample, field))
	printf("sustained requests/s, one worker CPU (1), scheduler on CPU 0 fed by "
	       "BPF_PROG_TEST_RUN live frames (%u per run, batch %u) on %s, %u rounds, %s\n",
	       repeat, (unsigned)a->batch, a->iface, rounds,
	       a->no_tx ? "replies dropped after the workload (--no-tx)" : "replies out through the devmap");
	printf("  %10s %12s %12s %8s %10s %14s %8s %10s %12s\n", "service", "served/s", "1/S",
	       "of 1/S", "kthread", "per CPU-s", "of 1/S", "mean S", "injected/s");
	for (unsigned i = 0; i < a->n_us; i++) {
		double served = MED(served_rps), per = MED(oncpu_rps), us = (double)a->us[i];
		char inv[16] = "-", of[16] = "-", of_cpu[16] = "-";

		if (a->us[i]) {
			snprintf(inv, sizeof(inv), "%.0f", 1e6 / us);
			snprintf(of, sizeof(of), "%.1f%%", served * us / 1e6 * 100);
			snprintf(of_cpu, sizeof(of_cpu), "%.1f%%", per * us / 1e6 * 100);
		}
		printf("  %7llu us %12.0f %12s %8s %9.1f%% %14.0f %8s %7.3f us %12.0f\n",
		       (unsigned long long)a->us[i], served, inv, of, MED(oncpu) * 100, per, of_cpu,
		       MED(mean_service_ns) / 1000, MED(injected_rps));
	}
#undef MED
	printf("  (served/s: median over rounds of requests processed during the injection / its "
	       "wall time; goal >= 95%% of 1/S at 6 us.\n"
	       "   kthread: share of the wall time CPU 1's cpumap thread was on the CPU "
	       "(/proc/PID/schedstat); per CPU-s: requests per second of that thread's CPU time,\n"
	       "   i.e. the rate with CPU 1 to itself; other tasks on CPU 1 lower served/s, not "
	       "per CPU-s; mean S: the workload's measured mean, service_sum_ns / processed;\n"
	       "   at 0 us served/s is bounded by injected/s when the two are close)\n");
}

static int bench_capacity(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a)
{
	static struct capacity_sample m[MAX_LIST][MAX_ROUNDS];
	unsigned rounds = a->rounds ? (unsigned)a->rounds : 3, repeat = 1000000;
	uint8_t f[PKT_MAX];
	size_t len = request_frame(f, false, 0, 0);
	int kthread = use_keep_worker(t), r;

	if (kthread < -1)
		return kthread;
	r = calibrate_repeat(t, cfg, a, f, len, &repeat);
	/* Service times interleaved, their order rotated every round. */
	for (unsigned round = 0; round < rounds && !r; round++)
		for (unsigned i = 0; i < a->n_us && !r; i++) {
			unsigned s = (i + round) % a->n_us;

			r = capacity_run(t, cfg, a, f, len, repeat, kthread, a->us[s], &m[s][round]);
		}
	if (r < 0)
		return r;
	capacity_print(m, a, rounds, repeat);
	if (kthread < 0)
		printf("  (cpumap kthread not found: kthread columns are 0)\n");
	return 0;
}

/* ------------------------------------------------------------------------------ */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* "1,6,60" into us[]; the count, or -EINVAL. */
static int parse_list(const char *s, uint64_t *us, unsigned max)
{
	unsigned n = 0;

	do {
		if (n == max || bpfnic_parse_u64_prefix(&s, BPFNIC_MAX_SERVICE_NS / 1000, &us[n++]))
			return -EINVAL;
	} while (*s == ',' && *++s);
	return *s ? -EINVAL : (int)n;
}

/* The options after the benchmark's name (first: 2), or --help alone (first: 1). */
static int parse_args(int argc, char **argv, int first, struct bench_args *a)
{
	const char *us = NULL, *seconds = NULL;
	struct topt opts[] = {
		TOPT_NUM("repeat", &a->repeat, 1, 1000000000, "sched: runs per program and round"),
		TOPT_NUM("rounds", &a->rounds, 1, MAX_ROUNDS, "interleaved rounds"),
		TOPT_STR("us", &us, "LIST", "service: service times (us), e.g. 1,6,60"),
		TOPT_STR("service-us", &us, "LIST", "capacity: service times (us), e.g. 0,6"),
		TOPT_NUM("count", &a->count, 1, 1000000000, "service: requests per service time"),
		TOPT_STR("iface", &a->iface, "IF", "capacity: the ingress interface"),
		TOPT_STR("seconds", &seconds, "S", "capacity: injection per run, in (0, 30]"),
		TOPT_NUM("batch", &a->batch, 1, 256, "capacity: live-frames batch size"),
		TOPT_BOOL("no-tx", &a->no_tx, "capacity: drop after the workload, no reply"),
		TOPT_STR("baseline", &a->baseline, "OBJ", "worker: another build's bpfnic.bpf.o, run side by side"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "dpbench", "sched|worker|service|capacity [options]", opts };
	char *end;
	int r = topt_parse(&cmd, argc, argv, first);

	if (r != TOPT_RUN)
		return r;
	if (us && (r = parse_list(us, a->us, MAX_LIST)) < 0) {
		fprintf(stderr, "dpbench: bad list of service times '%s'\n", us);
		return -EINVAL;
	}
	a->n_us = us ? (unsigned)r : 0;
	if (seconds)
		a->seconds = strtod(seconds, &end);
	if (seconds && (*end || !(a->seconds > 0) || a->seconds > 30)) {
		fprintf(stderr, "dpbench: --seconds: '%s' is not in (0, 30]\n", seconds);
		return -EINVAL;
	}
	return TOPT_RUN;
}

typedef int (*bench_fn)(struct dpt *t, struct bpfnic_settings *cfg, const struct bench_args *a);

/*
 * Pins to CPU 0, opens the data path with worker CPUs cpus[0..n) (replies to
 * devmap_ifindex), runs one benchmark, closes; says why it failed.
 */
static int run_bench(const char *name, bench_fn fn, const struct bench_args *a,
		     const unsigned *cpus, unsigned n, int devmap_ifindex)
{
	struct bpfnic_settings cfg = dpt_default_settings();
	struct dpt t;
	int r;

	cfg.max_service_ns = BPFNIC_MAX_SERVICE_NS;
	r = dpt_pin(0);
	if (!r)
		r = dpt_open(&t, &cfg, cpus, n, devmap_ifindex);
	if (r < 0) {
		fprintf(stderr, "dpbench: %s: cannot open the data path: %s\n", name, strerror(-r));
		return 1;
	}
	r = fn(&t, &cfg, a);
	if (r < 0)
		fprintf(stderr, "dpbench: %s: %s\n", name, strerror(-r));
	dpt_close(&t);
	return r < 0;
}

int main(int argc, char **argv)
{
	static const unsigned both[] = { 0, 1 }, worker_cpu[] = { 1 };
	static const uint64_t service_default[] = { 1, 6, 60 }, capacity_default[] = { 0, 6 };
	struct bench_args a = { .repeat = 1000000, .count = 300, .batch = 64, .seconds = 2 };
	bool named = argc > 1 && argv[1][0] != '-';
	const char *cmd = named ? argv[1] : "";
	int r = parse_args(argc, argv, named ? 2 : 1, &a);

	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	libbpf_set_print(libbpf_quiet);
	if (!strcmp(cmd, "sched"))
		return run_bench(cmd, bench_sched, &a, both, 2, 1);
	if (!strcmp(cmd, "worker"))
		return run_bench(cmd, bench_worker, &a, both, 2, 1);
	if (!strcmp(cmd, "service")) {
		if (!a.n_us)
			a.n_us = 3, memcpy(a.us, service_default, sizeof(service_default));
		return run_bench(cmd, bench_service, &a, both, 2, 1);
	}
	if (!strcmp(cmd, "capacity") && a.iface) {
		a.ifindex = (int)if_nametoindex(a.iface);
		if (!a.ifindex) {
			fprintf(stderr, "dpbench: %s: %s\n", a.iface, strerror(errno));
			return 1;
		}
		if (!a.n_us)
			a.n_us = 2, memcpy(a.us, capacity_default, sizeof(capacity_default));
		/* --no-tx: no devmap entry, so the worker drops after serving (counted tx_err):
		 * the figure without the reply's transmission and the peer's receive on CPU 1. */
		return run_bench(cmd, bench_capacity, &a, worker_cpu, 1, a.no_tx ? 0 : a.ifindex);
	}
	fprintf(stderr, "usage: dpbench sched|service|capacity [options] (capacity needs --iface; "
		"see dpbench sched --help)\n");
	return 2;
}
