/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model-run: one load step through the queuing model (model/sim.h), to try it by
 * hand and for bench/model.sh. Prints per class the queuing delay's p50/p99/p99.9
 * and the drops, and the model's own speed. The real interface to the model is to be
 * bpfnic-bench --model; this stays small.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "model/sim.h"
#include "tests/support/toolopt.h"

static const char *const service_names[] = { "constant", "exponential" };
static const char *const queueing_names[] = { "per-cpu", "shared" };

static void print_class(const char *name, const struct bpfnic_model_class *c)
{
	const struct bpfnic_hist *h = &c->qdelay;

	printf("%-6s %10llu %10llu %10llu %10.1f %10.1f %10.1f %10.1f\n", name,
	       (unsigned long long)c->sent, (unsigned long long)c->drop_queue,
	       (unsigned long long)c->drop_no_cpu, bpfnic_hist_quantile(h, 0.50) / 1e3,
	       bpfnic_hist_quantile(h, 0.99) / 1e3, bpfnic_hist_quantile(h, 0.999) / 1e3,
	       bpfnic_hist_mean(h) / 1e3);
}

int main(int argc, char **argv)
{
	const char *policies[BPFNIC_NR_POLICIES];
	uint64_t cpus = 16, long_cpus = 0, load_pct = 70, rate = 0, mix_short = 90, mix_long = 10;
	uint64_t short_us = 60, long_us = 600, duration_ms = 10000, warmup_ms = 1000;
	uint64_t queue_len = BPFNIC_MODEL_DEFAULT_QUEUE_LEN, overhead_ns = 0, wakeup_ns = 0;
	uint64_t seed = 1, clients = 1, rx_queues = 1;
	unsigned policy = BPFNIC_POLICY_RR, service = 0, queueing = 0;
	bool constant = false;
	struct topt opts[] = {
		TOPT_NUM("cpus", &cpus, 1, BPFNIC_MAX_CPUS, "worker CPUs (default 16)"),
		TOPT_ONE_OF("policy", &policy, policies, BPFNIC_NR_POLICIES,
			    "as bpfnicctl policy, the daemon's defaults (default rr)"),
		TOPT_NUM("long-cpus", &long_cpus, 1, BPFNIC_MAX_CPUS - 1,
			 "split: CPUs for long requests (default half)"),
		TOPT_NUM("load", &load_pct, 1, 1000, "offered load, % of the CPUs' capacity (default 70)"),
		TOPT_NUM("rate", &rate, 1, 1000000000, "offered req/s, instead of --load"),
		TOPT_NUM("mix-short", &mix_short, 0, 1000000, "weight of short requests (default 90)"),
		TOPT_NUM("mix-long", &mix_long, 0, 1000000, "weight of long requests (default 10)"),
		TOPT_NUM("short-us", &short_us, 0, BPFNIC_MAX_SERVICE_NS / 1000,
			 "service time of short requests (default 60)"),
		TOPT_NUM("long-us", &long_us, 0, BPFNIC_MAX_SERVICE_NS / 1000,
			 "service time of long requests (default 600)"),
		TOPT_ONE_OF("service", &service, service_names, 2,
			    "service times as given, or exponential with those means"),
		TOPT_BOOL("constant", &constant, "constant arrivals (default Poisson)"),
		TOPT_NUM("clients", &clients, 1, BPFNIC_MODEL_MAX_CLIENTS,
			 "client threads, each its own flow (default 1)"),
		TOPT_NUM("rx-queues", &rx_queues, 1, BPFNIC_MAX_CPUS,
			 "scheduler CPUs: client i's flow on queue i % N (default 1)"),
		TOPT_ONE_OF("queueing", &queueing, queueing_names, 2,
			    "a FIFO per CPU (the data path), or one per group (M/G/k)"),
		TOPT_NUM("duration-ms", &duration_ms, 1, 1000000000, "measured model time (default 10000)"),
		TOPT_NUM("warmup-ms", &warmup_ms, 0, 1000000000, "model time before it (default 1000)"),
		TOPT_NUM("queue-len", &queue_len, 1, BPFNIC_MODEL_MAX_QUEUE_LEN,
			 "requests waiting per CPU (default 4096)"),
		TOPT_NUM("overhead-ns", &overhead_ns, 0, BPFNIC_MAX_SERVICE_NS,
			 "worker time per request besides the service (default 0)"),
		TOPT_NUM("wakeup-ns", &wakeup_ns, 0, BPFNIC_MAX_SERVICE_NS,
			 "until an idle worker picks a request up (default 0)"),
		TOPT_NUM("seed", &seed, 0, UINT64_MAX, "(default 1)"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "model-run", "[options]", opts };
	struct bpfnic_model_config c = { 0 };
	static struct bpfnic_model_result res;
	struct bpfnic_model_totals tot;
	struct bpfnic_model_step step;
	struct bpfnic_model *m;
	double mean_service_ns, capacity;
	uint64_t cpu0, cpu_ns, sent;
	char why[200];
	int r;

	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
		policies[i] = bpfnic_policy_name(i);
	r = topt_parse(&cmd, argc, argv, 1);
	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	c = (struct bpfnic_model_config){
		.cpus = (unsigned)cpus, .rx_queues = (unsigned)rx_queues,
		.queue_len = (unsigned)queue_len, .queueing = queueing,
		.service_ns = { short_us * 1000, long_us * 1000 }, .service = service,
		.overhead_ns = overhead_ns, .wakeup_ns = wakeup_ns,
		.arrivals = constant ? BPFNIC_ARRIVALS_CONSTANT : BPFNIC_ARRIVALS_POISSON,
		.clients = (unsigned)clients, .mix = { (unsigned)mix_short, (unsigned)mix_long },
		.seed = seed,
	};
	bpfnic_model_policy_defaults(&c.policy, c.cpus);
	c.policy.policy = policy;
	c.policy.long_cpus = long_cpus ? (unsigned)long_cpus : c.cpus / 2;
	if (mix_short + mix_long == 0) {
		fprintf(stderr, "model-run: --mix-short, --mix-long: one at least must be above 0\n");
		return 2;
	}
	mean_service_ns = ((double)mix_short * c.service_ns[0] + (double)mix_long * c.service_ns[1]) /
			  (double)(mix_short + mix_long) + (double)overhead_ns;
	capacity = mean_service_ns > 0 ? c.cpus * 1e9 / mean_service_ns : 0;
	if (!rate && !capacity) {
		fprintf(stderr, "model-run: no service time, so no capacity: give --rate\n");
		return 2;
	}
	if ((r = bpfnic_model_new(&c, &m, why, sizeof(why))) < 0) {
		fprintf(stderr, "model-run: %s\n", r == -EINVAL ? why : strerror(-r));
		return 2;
	}
	step = (struct bpfnic_model_step){
		.rate_rps = rate ? (double)rate : capacity * (double)load_pct / 100,
		.warmup_ns = warmup_ms * 1000000, .duration_ns = duration_ms * 1000000,
	};
	cpu0 = bpfnic_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	r = bpfnic_model_run_step(m, &step, &res);
	cpu_ns = bpfnic_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	bpfnic_model_totals(m, &tot);
	bpfnic_model_free(m);
	if (r < 0) {
		fprintf(stderr, "model-run: %s\n", r == -E2BIG ?
			"more requests than one step may send: lower --rate or --duration-ms" :
			strerror(-r));
		return r == -E2BIG ? 2 : 1;
	}

	printf("%u CPUs, %s%s, %s arrivals at %.0f req/s (%.1f %% of %.0f), mix %u/%u, service "
	       "%llu/%llu us %s\n", c.cpus, policies[policy],
	       queueing == BPFNIC_MODEL_SHARED ? " (one queue per group)" : "",
	       constant ? "constant" : "Poisson", step.rate_rps,
	       capacity ? 100 * step.rate_rps / capacity : 0, capacity, c.mix[0], c.mix[1],
	       (unsigned long long)short_us, (unsigned long long)long_us, service_names[service]);
	if (policy == BPFNIC_POLICY_SPLIT)
		printf("split: %u short CPUs, %u long CPUs\n", c.cpus - c.policy.long_cpus,
		       c.policy.long_cpus);
	printf("queuing delay (pick-up - arrival), %llu ms measured after %llu ms, seed %llu\n",
	       (unsigned long long)duration_ms, (unsigned long long)warmup_ms,
	       (unsigned long long)seed);
	printf("%-6s %10s %10s %10s %10s %10s %10s %10s\n", "class", "sent", "drop_queue",
	       "drop_nocpu", "p50_us", "p99_us", "p99.9_us", "mean_us");
	print_class("short", &res.cls[0]);
	print_class("long", &res.cls[1]);
	if (bpfnic_policies[policy].scaler)
		printf("%s: group of %u -> %u, %u grows, %u shrinks\n", policies[policy],
		       res.group_start[BPFNIC_GROUP_MAIN], res.group_end[BPFNIC_GROUP_MAIN], res.grows,
		       res.shrinks);
	sent = tot.sent[0] + tot.sent[1];
	printf("model speed: %llu requests in %.3f s of CPU time: %.2f M requests/s\n",
	       (unsigned long long)sent, (double)cpu_ns / 1e9,
	       cpu_ns ? (double)sent / ((double)cpu_ns / 1e3) : 0.0);
	return 0;
}
