/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model-run: one load step through the queuing model (model/sim.h), to try it by
 * hand and for bench/model.sh. Prints per class the queuing delay's p50/p99/p99.9
 * and the drops, and the model's own speed. The real interface to the model is
 * bpfnic-bench --model; this stays small.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "numparse.h"
#include "model/sim.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: model-run [options]\n"
"  One load step through the queuing model of the bpfnic server.\n"
"  --cpus N              worker CPUs (default 16)\n"
"  --policy NAME         rr, split or dynamic, as bpfnicctl policy (default rr)\n"
"  --long-cpus N         split: CPUs for long requests (default half)\n"
"  --shared              one queue for all CPUs of a group (M/G/k reference)\n"
"  --load F | --rate R   offered load: a fraction of the CPUs' capacity, or req/s\n"
"                        (default --load 0.7)\n"
"  --mix S,L             class weights, short and long (default 90,10)\n"
"  --service-us S,L      service time per class in us (default 60,600)\n"
"  --exponential         exponential service times with those means\n"
"  --constant            constant arrivals (default Poisson)\n"
"  --duration-ms MS      measured model time (default 10000), after\n"
"  --warmup-ms MS        a warm-up (default 1000)\n"
"  --queue-len N         requests waiting per CPU (default 4096)\n"
"  --overhead-ns N       worker time per request besides the service (default 0)\n"
"  --wakeup-ns N         delay before an idle worker picks a request up (default 0)\n"
"  --seed N              (default 1)\n");
}

static int parse_pair(const char *s, unsigned max, unsigned out[2])
{
	char a[32];
	const char *comma = strchr(s, ',');

	if (!comma || (size_t)(comma - s) >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, (size_t)(comma - s));
	a[comma - s] = '\0';
	return bpfnic_parse_uint(a, 0, max, &out[0]) ?: bpfnic_parse_uint(comma + 1, 0, max, &out[1]);
}

static int parse_fraction(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) || *out <= 0 ? -EINVAL : 0;
}

static void print_class(const char *name, const struct bpfnic_model_class *c)
{
	const struct bpfnic_hist *h = &c->qdelay;

	printf("%-6s %10llu %10llu %10llu %10.1f %10.1f %10.1f %10.1f\n", name,
	       (unsigned long long)c->sent, (unsigned long long)c->drop_queue,
	       (unsigned long long)c->drop_no_cpu, bpfnic_hist_quantile(h, 0.50) / 1e3,
	       bpfnic_hist_quantile(h, 0.99) / 1e3, bpfnic_hist_quantile(h, 0.999) / 1e3,
	       bpfnic_hist_mean(h) / 1e3);
}

enum { O_CPUS = 256, O_POLICY, O_LONG, O_SHARED, O_LOAD, O_RATE, O_MIX, O_SERVICE, O_EXP,
       O_CONST, O_DURATION, O_WARMUP, O_QLEN, O_OVERHEAD, O_WAKEUP, O_SEED, O_HELP };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "long-cpus", required_argument, NULL, O_LONG },
		{ "shared", no_argument, NULL, O_SHARED },
		{ "load", required_argument, NULL, O_LOAD },
		{ "rate", required_argument, NULL, O_RATE },
		{ "mix", required_argument, NULL, O_MIX },
		{ "service-us", required_argument, NULL, O_SERVICE },
		{ "exponential", no_argument, NULL, O_EXP },
		{ "constant", no_argument, NULL, O_CONST },
		{ "duration-ms", required_argument, NULL, O_DURATION },
		{ "warmup-ms", required_argument, NULL, O_WARMUP },
		{ "queue-len", required_argument, NULL, O_QLEN },
		{ "overhead-ns", required_argument, NULL, O_OVERHEAD },
		{ "wakeup-ns", required_argument, NULL, O_WAKEUP },
		{ "seed", required_argument, NULL, O_SEED },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	struct bpfnic_model_config c = { .cpus = 16, .mix = { 90, 10 },
					 .service_ns = { 60000, 600000 }, .seed = 1 };
	unsigned service_us[2] = { 60, 600 }, long_cpus = 0, duration_ms = 10000, warmup_ms = 1000;
	double load = 0.7, rate = 0, mean_service_ns, capacity;
	const char *policy = "rr";
	static struct bpfnic_model_result res;
	struct bpfnic_model_totals tot;
	struct bpfnic_model *m;
	struct bpfnic_model_step step;
	uint64_t cpu0, cpu_ns, sent;
	char why[200];
	int o, r = 0, id, li = 0;

	while ((o = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (o) {
		case O_CPUS: r = bpfnic_parse_uint(optarg, 1, BPFNIC_MAX_CPUS, &c.cpus); break;
		case O_POLICY: policy = optarg; break;
		case O_LONG: r = bpfnic_parse_uint(optarg, 1, BPFNIC_MAX_CPUS, &long_cpus); break;
		case O_SHARED: c.queueing = BPFNIC_MODEL_SHARED; break;
		case O_LOAD: r = parse_fraction(optarg, &load); rate = 0; break;
		case O_RATE: r = parse_fraction(optarg, &rate); break;
		case O_MIX: r = parse_pair(optarg, 1000000, c.mix); break;
		case O_SERVICE: r = parse_pair(optarg, BPFNIC_MAX_SERVICE_NS / 1000, service_us); break;
		case O_EXP: c.service = BPFNIC_MODEL_SERVICE_EXPONENTIAL; break;
		case O_CONST: c.arrivals = BPFNIC_ARRIVALS_CONSTANT; break;
		case O_DURATION: r = bpfnic_parse_uint(optarg, 1, 1000000000, &duration_ms); break;
		case O_WARMUP: r = bpfnic_parse_uint(optarg, 0, 1000000000, &warmup_ms); break;
		case O_QLEN: r = bpfnic_parse_uint(optarg, 1, BPFNIC_MODEL_MAX_QUEUE_LEN, &c.queue_len); break;
		case O_OVERHEAD: r = bpfnic_parse_u64(optarg, 0, BPFNIC_MAX_SERVICE_NS, &c.overhead_ns); break;
		case O_WAKEUP: r = bpfnic_parse_u64(optarg, 0, BPFNIC_MAX_SERVICE_NS, &c.wakeup_ns); break;
		case O_SEED: r = bpfnic_parse_u64(optarg, 0, UINT64_MAX, &c.seed); break;
		case O_HELP: case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (r < 0) {
			fprintf(stderr, "model-run: --%s: bad value '%s'\n", opts[li].name, optarg);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if ((id = bpfnic_model_policy_by_name(policy)) < 0) {
		fprintf(stderr, "model-run: --policy: no policy '%s' (rr, split, dynamic)\n", policy);
		return 2;
	}
	bpfnic_model_policy_defaults(&c.policy, c.cpus);
	c.policy.policy = (enum bpfnic_policy)id;
	c.policy.long_cpus = long_cpus ? long_cpus : c.cpus / 2;
	for (int k = 0; k < 2; k++)
		c.service_ns[k] = (uint64_t)service_us[k] * 1000;
	if (c.mix[0] + c.mix[1] == 0) {
		fprintf(stderr, "model-run: --mix: one class at least needs a weight\n");
		return 2;
	}
	mean_service_ns = ((double)c.mix[0] * c.service_ns[0] + (double)c.mix[1] * c.service_ns[1]) /
			  (c.mix[0] + c.mix[1]) + (double)c.overhead_ns;
	capacity = mean_service_ns > 0 ? c.cpus * 1e9 / mean_service_ns : INFINITY;
	if (!rate)
		rate = load * capacity;
	if ((r = bpfnic_model_new(&c, &m, why, sizeof(why))) < 0) {
		fprintf(stderr, "model-run: %s\n", r == -EINVAL ? why : strerror(-r));
		return 2;
	}
	step = (struct bpfnic_model_step){ .rate_rps = rate, .warmup_ns = warmup_ms * 1000000ull,
					   .duration_ns = duration_ms * 1000000ull };
	cpu0 = bpfnic_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	r = bpfnic_model_run_step(m, &step, &res);
	cpu_ns = bpfnic_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	if (r < 0) {
		fprintf(stderr, "model-run: %s\n", r == -E2BIG ?
			"more requests than one step may send: lower --rate or --duration-ms" :
			strerror(-r));
		bpfnic_model_free(m);
		return r == -E2BIG ? 2 : 1;
	}
	bpfnic_model_totals(m, &tot);
	bpfnic_model_free(m);

	printf("%u CPUs, %s%s, %s arrivals at %.0f req/s (%.1f %% of %.0f), mix %u/%u, service "
	       "%u/%u us %s\n", c.cpus, policy, c.queueing == BPFNIC_MODEL_SHARED ? " (shared queue)" : "",
	       c.arrivals == BPFNIC_ARRIVALS_CONSTANT ? "constant" : "Poisson", rate,
	       100 * rate / capacity, capacity, c.mix[0], c.mix[1], service_us[0], service_us[1],
	       c.service == BPFNIC_MODEL_SERVICE_EXPONENTIAL ? "exponential" : "constant");
	if (c.policy.policy == BPFNIC_POLICY_SPLIT)
		printf("split: %u short CPUs, %u long CPUs\n", c.cpus - c.policy.long_cpus,
		       c.policy.long_cpus);
	printf("queuing delay (pick-up - arrival), %u ms measured after %u ms, seed %llu\n",
	       duration_ms, warmup_ms, (unsigned long long)c.seed);
	printf("%-6s %10s %10s %10s %10s %10s %10s %10s\n", "class", "sent", "drop_queue",
	       "drop_nocpu", "p50_us", "p99_us", "p99.9_us", "mean_us");
	print_class("short", &res.cls[0]);
	print_class("long", &res.cls[1]);
	if (c.policy.policy == BPFNIC_POLICY_DYNAMIC)
		printf("dynamic: group of %u -> %u, %u grows, %u shrinks\n",
		       res.group_start[BPFNIC_GROUP_MAIN], res.group_end[BPFNIC_GROUP_MAIN], res.grows,
		       res.shrinks);
	sent = tot.sent[0] + tot.sent[1];
	printf("model speed: %llu requests in %.3f s of CPU time: %.2f M requests/s\n",
	       (unsigned long long)sent, cpu_ns / 1e9, cpu_ns ? sent / (cpu_ns / 1e3) : 0.0);
	return 0;
}
