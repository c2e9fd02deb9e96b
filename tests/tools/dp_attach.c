// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dp-attach: attach the bpfnic data path to an interface and hold it until SIGINT or
 * SIGTERM, for tests, benchmarks and the load generator's calibration. Prints "ready"
 * once attached; on exit writes the summed statistics as JSON (--stats-json).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cpulist.h"
#include "datapath/datapath.h"
#include "datapath/dpstats.h"
#include "params.h"
#include "tests/support/toolopt.h"

/* Candidate CPUs and the groups made of them. */
struct groups {
	unsigned cpus[BPFNIC_MAX_CPUS], long_cpus[BPFNIC_MAX_CPUS], main_cpus[BPFNIC_MAX_CPUS];
	unsigned n_cpus, n_long, n_main;
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int write_stats(const char *path, struct bpfnic_dp *dp)
{
	struct bpfnic_sched_stats s = {};
	struct bpfnic_worker_stats w = {};
	struct bpfnic_dp_stats st;
	FILE *f;
	int r;

	r = bpfnic_dp_stats_alloc(&st);
	if (r < 0)
		return r;
	r = bpfnic_dp_read_stats(dp, &st);
	if (r < 0)
		goto out;
	for (unsigned c = 0; c < st.nr_cpus; c++) {
		bpfnic_sched_stats_add(&s, &st.sched[c]);
		bpfnic_worker_stats_add(&w, &st.worker[c]);
	}
	f = fopen(path, "we");
	if (!f) {
		r = -errno;
		goto out;
	}
	fprintf(f,
		"{\"rx\":%llu,\"passed\":%llu,\"short_payload\":%llu,\"too_long\":%llu,\"other_addr\":%llu,"
		"\"requests\":[%llu,%llu,%llu],\"redirected\":%llu,\"redirect_err\":%llu,\"no_cpu\":%llu,"
		"\"processed\":[%llu,%llu,%llu],\"tx\":%llu,\"tx_err\":%llu,\"tx_dropped\":%llu,"
		"\"malformed\":%llu,"
		"\"qdelay_avg_ns\":%.0f,\"qdelay_p50_ns\":%.0f,\"qdelay_p99_ns\":%.0f,"
		"\"qdelay_max_ns\":%llu,\"service_avg_ns\":%.0f,\"handed\":{",
		s.rx, s.passed, s.short_payload, s.too_long, s.other_addr, s.requests[0], s.requests[1],
		s.requests[2], s.redirected, s.redirect_err, s.no_cpu, w.processed[0], w.processed[1],
		w.processed[2], w.tx, w.tx_err, w.tx_dropped, w.malformed, bpfnic_worker_qdelay_avg_ns(&w),
		bpfnic_worker_qdelay_quantile_ns(&w, 0.5), bpfnic_worker_qdelay_quantile_ns(&w, 0.99),
		w.qdelay_max_ns,
		bpfnic_worker_processed(&w) ? (double)w.service_sum_ns / (double)bpfnic_worker_processed(&w) : 0.0);
	for (unsigned c = 0, first = 1; c < st.nr_cpus; c++) {
		if (!st.handed[c] && !bpfnic_worker_processed(&st.worker[c]))
			continue;
		fprintf(f, "%s\"%u\":{\"handed\":%llu,\"processed\":%llu,\"queue_drops\":%llu}",
			first ? "" : ",", c, st.handed[c], bpfnic_worker_processed(&st.worker[c]),
			st.queue_drops[c]);
		first = 0;
	}
	fprintf(f, "},\"queue_drops_exact\":%s,\"tx_drops_exact\":%s}\n",
		st.queue_drops_exact ? "true" : "false", st.tx_drops_exact ? "true" : "false");
	r = fclose(f) == 0 ? 0 : -errno;
out:
	bpfnic_dp_stats_free(&st);
	return r;
}

/* The command line, as given. */
struct args {
	const char *iface, *cpus, *long_cpus, *stats_path;
	uint64_t port, short_us, long_us, max_us, queue_size;
	unsigned policy, mode;
	bool verbose;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	const uint64_t max_us = BPFNIC_MAX_SERVICE_NS / 1000;
	const char *policy_names[BPFNIC_NR_POLICIES];
	struct topt opts[] = {
		TOPT_STR("iface", &a->iface, "IF", "interface to attach the scheduler to"),
		TOPT_STR("cpus", &a->cpus, "LIST", "candidate worker CPUs, e.g. 0,1 or 0-3"),
		TOPT_NUM("port", &a->port, 1, 65535, "UDP port of requests (default 7777)"),
		TOPT_ONE_OF("policy", &a->policy, policy_names, BPFNIC_NR_POLICIES,
			    "the policy (default rr)"),
		TOPT_STR("long-cpus", &a->long_cpus, "LIST",
			 "split: CPUs of the long group (the rest form the short group)"),
		TOPT_NUM("short-us", &a->short_us, 0, max_us, "short service time (default 6)"),
		TOPT_NUM("long-us", &a->long_us, 0, max_us, "long service time (default 60)"),
		TOPT_NUM("max-us", &a->max_us, 0, max_us, "cap on any service time (default 10000)"),
		TOPT_NUM("queue-size", &a->queue_size, 1, 16384, "cpumap queue per CPU (default 4096)"),
		TOPT_ONE_OF("mode", &a->mode, bpfnic_xdp_mode_names, 3, "XDP attach mode (default auto)"),
		TOPT_STR("stats-json", &a->stats_path, "FILE", "on exit, write summed statistics there"),
		TOPT_BOOL("verbose", &a->verbose, "libbpf's messages on stderr"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "dp-attach", "--iface IF --cpus LIST [options]", opts };
	int r;

	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
		policy_names[i] = bpfnic_policy_name(i);
	*a = (struct args){ .port = 7777, .short_us = 6, .long_us = 60, .max_us = 10000,
			    .queue_size = 4096, .policy = BPFNIC_POLICY_RR, .mode = BPFNIC_XDP_AUTO };
	r = topt_parse(&cmd, argc, argv, 1);
	if (r == TOPT_RUN && (!a->iface || !a->cpus)) {
		fprintf(stderr, "dp-attach: --iface and --cpus are needed (see --help)\n");
		return -EINVAL;
	}
	return r;
}

/* The candidate CPUs and the groups of the data path's options; 0 or -EINVAL (said). */
static int parse_groups(const struct args *a, struct groups *g)
{
	int n = bpfnic_cpulist_parse(a->cpus, g->cpus, BPFNIC_MAX_CPUS, BPFNIC_MAX_CPUS);

	if (n <= 0) {
		fprintf(stderr, "dp-attach: --cpus: bad CPU list '%s'\n", a->cpus);
		return -EINVAL;
	}
	g->n_cpus = (unsigned)n;
	g->n_long = g->n_main = 0;
	if (!a->long_cpus)
		return 0;
	n = bpfnic_cpulist_parse(a->long_cpus, g->long_cpus, BPFNIC_MAX_CPUS, BPFNIC_MAX_CPUS);
	if (n < 0) {
		fprintf(stderr, "dp-attach: --long-cpus: bad CPU list '%s'\n", a->long_cpus);
		return -EINVAL;
	}
	g->n_long = (unsigned)n;
	/* The main (short) group: the candidates not in the long group. */
	for (unsigned i = 0; i < g->n_cpus; i++) {
		bool is_long = false;

		for (unsigned j = 0; j < g->n_long; j++)
			is_long |= g->long_cpus[j] == g->cpus[i];
		if (!is_long)
			g->main_cpus[g->n_main++] = g->cpus[i];
	}
	return 0;
}

static struct bpfnic_dp_opts dp_opts(const struct args *a, const struct groups *g)
{
	return (struct bpfnic_dp_opts){
		.ifname = a->iface,
		.xdp_mode = (enum bpfnic_xdp_mode)a->mode,
		.cpus = g->cpus,
		.n_cpus = g->n_cpus,
		.queue_size = (unsigned)a->queue_size,
		.main_cpus = g->n_main ? g->main_cpus : NULL,
		.n_main = g->n_main,
		.long_cpus = g->long_cpus,
		.n_long = g->n_long,
		.settings = {
			.port = (__u16)a->port,
			.policy = (__u8)a->policy,
			.service_ns = { a->short_us * 1000, a->long_us * 1000 },
			.max_service_ns = a->max_us * 1000,
		},
	};
}

int main(int argc, char **argv)
{
	static struct groups g;
	static struct bpfnic_dp_info info;
	struct bpfnic_dp_opts opts;
	char why[1024] = "";
	struct bpfnic_dp *dp;
	struct args a;
	sigset_t sigs;
	int r, sig;

	r = parse_args(argc, argv, &a);
	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	if (parse_groups(&a, &g))
		return 2;
	libbpf_set_print(a.verbose ? NULL : libbpf_quiet);
	opts = dp_opts(&a, &g);

	/* Block the signals before attaching: none may be lost between here and sigwait. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	opts.why = why;
	opts.why_size = sizeof(why);
	r = bpfnic_dp_open(&opts, &dp);
	if (r < 0) {
		fprintf(stderr, "dp-attach: cannot attach to %s: %s%s%s\n", a.iface, strerror(-r),
			why[0] ? ": " : "", why);
		return 1;
	}
	if (bpfnic_dp_info(dp, &info) == 0 && info.fallback[0])
		fprintf(stderr, "dp-attach: generic mode: %s\n", info.fallback);
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);

	r = 0;
	if (a.stats_path) {
		r = write_stats(a.stats_path, dp);
		if (r < 0)
			fprintf(stderr, "dp-attach: cannot write %s: %s\n", a.stats_path, strerror(-r));
	}
	bpfnic_dp_close(dp);
	return r < 0 ? 1 : 0;
}
