// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dp-attach: attach the bpfnic data path to an interface and hold it until SIGINT or
 * SIGTERM, for tests, benchmarks and the load generator's calibration. Prints "ready"
 * once attached; on exit writes the summed statistics as JSON (--stats-json).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cpulist.h"
#include "datapath/datapath.h"
#include "datapath/dpstats.h"
#include "params.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dp-attach --iface IF --cpus LIST [options]\n"
		"  --iface IF          interface to attach the scheduler to\n"
		"  --cpus LIST         candidate worker CPUs, e.g. 0,1 or 0-3\n"
		"  --port N            UDP port of requests (default 7777)\n"
		"  --policy P          rr | split | dynamic (default rr)\n"
		"  --long-cpus LIST    split: CPUs of the long group (the rest form the short group)\n"
		"  --short-us N        short service time (default 6)\n"
		"  --long-us N         long service time (default 60)\n"
		"  --max-us N          cap on any service time (default 10000)\n"
		"  --queue-size N      cpumap queue per CPU (default 4096)\n"
		"  --mode M            auto | native | generic (default auto)\n"
		"  --stats-json FILE   on exit, write summed statistics there\n"
		"  --verbose           libbpf's messages on stderr\n");
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *out > max || s[0] == '-')
		return -EINVAL;
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
		"{\"rx\":%llu,\"passed\":%llu,\"short_payload\":%llu,\"requests\":[%llu,%llu,%llu],"
		"\"redirected\":%llu,\"redirect_err\":%llu,\"no_cpu\":%llu,"
		"\"processed\":[%llu,%llu,%llu],\"tx\":%llu,\"tx_err\":%llu,\"malformed\":%llu,"
		"\"qdelay_avg_ns\":%.0f,\"qdelay_p50_ns\":%.0f,\"qdelay_p99_ns\":%.0f,"
		"\"qdelay_max_ns\":%llu,\"service_avg_ns\":%.0f,\"handed\":{",
		s.rx, s.passed, s.short_payload, s.requests[0], s.requests[1], s.requests[2],
		s.redirected, s.redirect_err, s.no_cpu, w.processed[0], w.processed[1],
		w.processed[2], w.tx, w.tx_err, w.malformed, bpfnic_worker_qdelay_avg_ns(&w),
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
	fprintf(f, "},\"queue_drops_exact\":%s}\n", st.queue_drops_exact ? "true" : "false");
	r = fclose(f) == 0 ? 0 : -errno;
out:
	bpfnic_dp_stats_free(&st);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "policy", required_argument, NULL, 'P' },
		{ "long-cpus", required_argument, NULL, 'L' },
		{ "short-us", required_argument, NULL, 's' },
		{ "long-us", required_argument, NULL, 'l' },
		{ "max-us", required_argument, NULL, 'm' },
		{ "queue-size", required_argument, NULL, 'q' },
		{ "mode", required_argument, NULL, 'M' },
		{ "stats-json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned cpus[BPFNIC_MAX_CPUS], long_cpus[BPFNIC_MAX_CPUS], main_cpus[BPFNIC_MAX_CPUS];
	int n_cpus = 0, n_long = 0, n_main = 0, opt, r, sig;
	unsigned long long v, short_us = 6, long_us = 60, max_us = 10000, port = 7777, qsize = 4096;
	const char *iface = NULL, *stats_path = NULL, *long_arg = NULL;
	struct bpfnic_dp_opts opts = {};
	struct bpfnic_dp *dp;
	bool verbose = false;
	sigset_t sigs;

	opts.settings.policy = BPFNIC_POLICY_RR;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'c':
			n_cpus = bpfnic_cpulist_parse(optarg, cpus, BPFNIC_MAX_CPUS, BPFNIC_MAX_CPUS);
			if (n_cpus < 0) {
				fprintf(stderr, "dp-attach: --cpus: bad CPU list '%s'\n", optarg);
				return 2;
			}
			break;
		case 'L': long_arg = optarg; break;
		case 'P':
			if (bpfnic_policy_by_name(optarg) < 0) {
				fprintf(stderr, "dp-attach: --policy: unknown policy '%s'\n", optarg);
				return 2;
			}
			opts.settings.policy = (__u8)bpfnic_policy_by_name(optarg);
			break;
		case 'M':
			if (!strcmp(optarg, "auto")) opts.xdp_mode = BPFNIC_XDP_AUTO;
			else if (!strcmp(optarg, "native")) opts.xdp_mode = BPFNIC_XDP_NATIVE;
			else if (!strcmp(optarg, "generic")) opts.xdp_mode = BPFNIC_XDP_GENERIC;
			else {
				fprintf(stderr, "dp-attach: --mode: unknown mode '%s'\n", optarg);
				return 2;
			}
			break;
		case 'j': stats_path = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'p': case 's': case 'l': case 'm': case 'q': {
			unsigned long long max = opt == 'p' ? 65535 : opt == 'q' ? 16384 :
						  BPFNIC_MAX_SERVICE_NS / 1000;
			if (parse_u64(optarg, max, &v) < 0 || (opt == 'p' && v == 0)) {
				const char *name = "?";

				for (const struct option *o = longopts; o->name; o++)
					if (o->val == opt)
						name = o->name;
				fprintf(stderr, "dp-attach: --%s: '%s' is not a number in 1..%llu\n",
					name, optarg, max);
				return 2;
			}
			if (opt == 'p') port = v;
			else if (opt == 's') short_us = v;
			else if (opt == 'l') long_us = v;
			else if (opt == 'm') max_us = v;
			else qsize = v;
			break;
		}
		default: usage(stderr); return 2;
		}
	}
	if (!iface || n_cpus <= 0 || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (long_arg) {
		n_long = bpfnic_cpulist_parse(long_arg, long_cpus, BPFNIC_MAX_CPUS, BPFNIC_MAX_CPUS);
		if (n_long < 0) {
			fprintf(stderr, "dp-attach: --long-cpus: bad CPU list '%s'\n", long_arg);
			return 2;
		}
		for (int i = 0; i < n_cpus; i++) {
			bool is_long = false;

			for (int j = 0; j < n_long; j++)
				is_long |= long_cpus[j] == cpus[i];
			if (!is_long)
				main_cpus[n_main++] = cpus[i];
		}
	}

	libbpf_set_print(verbose ? NULL : libbpf_quiet);
	opts.ifname = iface;
	opts.cpus = cpus;
	opts.n_cpus = (unsigned)n_cpus;
	opts.queue_size = (unsigned)qsize;
	opts.main_cpus = n_main ? main_cpus : NULL;
	opts.n_main = (unsigned)n_main;
	opts.long_cpus = long_cpus;
	opts.n_long = (unsigned)n_long;
	opts.settings.port = (__u16)port;
	opts.settings.service_ns[0] = short_us * 1000;
	opts.settings.service_ns[1] = long_us * 1000;
	opts.settings.max_service_ns = max_us * 1000;

	/* Block the signals before attaching: none may be lost between here and sigwait. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	r = bpfnic_dp_open(&opts, &dp);
	if (r < 0) {
		fprintf(stderr, "dp-attach: cannot attach to %s: %s\n", iface, strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);

	r = 0;
	if (stats_path) {
		r = write_stats(stats_path, dp);
		if (r < 0)
			fprintf(stderr, "dp-attach: cannot write %s: %s\n", stats_path, strerror(-r));
	}
	bpfnic_dp_close(dp);
	return r < 0 ? 1 : 0;
}
