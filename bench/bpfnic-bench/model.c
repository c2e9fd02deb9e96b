/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The model backend: see model.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bench/bpfnic-bench/model.h"
#include "bench/bpfnic-bench/plan.h"
#include "model/sim.h"
#include "params.h"
#include "why.h"

const char *const bench_model_overhead_source =
	"lab: bpfnic-bench run bimodal on the 2-CPU veth lab, 2026-11-26, cpumap kthreads "
	"at SCHED_FIFO 49: the worker kthread's busy time per request beyond the mean "
	"service time (kthread_util / out_rps - 114 us, series.csv), median of 191 "
	"per-CPU windows of rr below 1500 req/s per CPU (14 us; 5 us under SCHED_OTHER)";
const char *const bench_model_wakeup_source =
	"lab: the same run: the p50 queuing delay of short requests under rr at 10 % load, "
	"where nearly every request finds its worker idle (6.0, 6.2, 5.8 us over three "
	"repetitions; 20 us and more under SCHED_OTHER)";

/* The model's time 0 on the run's wall clock: windows and steps join as on the lab. */
#define MODEL_EPOCH_USEC 1000000000000000ll /* 2001-09-09: obviously not a real run */
/* Between two policies' model runs, so that no window of one falls in the other. */
#define MODEL_GAP_USEC 1000000ll

struct model_backend {
	struct bench_model_opts o;
	struct bpfnicd_config running;  /* Cpus= 0..cpus-1, the policy as last set */
	struct bpfnic_model *m;         /* NULL until an arm's first step */
	int64_t base_usec;              /* wall clock of the present model's time 0 */
	int64_t next_base_usec;
	struct bench_series *series;    /* during run_step: where windows go */
	int series_err;
};

static int model_describe(void *state, struct bench_server *srv, char *err, size_t errlen)
{
	struct model_backend *b = state;

	(void)err;
	(void)errlen;
	memset(srv, 0, sizeof(*srv));
	srv->k = b->o.cpus;
	for (unsigned i = 0; i < b->o.cpus; i++)
		srv->cpus[i] = i;
	srv->service_us[0] = b->running.short_us;
	srv->service_us[1] = b->running.long_us;
	srv->max_us = b->running.max_us;
	srv->queue_size = b->o.queue_len ? b->o.queue_len : BPFNIC_MODEL_DEFAULT_QUEUE_LEN;
	snprintf(srv->version, sizeof(srv->version), "%s (model)", BPFNIC_VERSION);
	srv->policy = bpfnic_params_policy_json(&b->running.policy);
	return srv->policy ? 0 : -ENOMEM;
}

static int model_set_governor(void *state, const char *governor, char *current, size_t size,
			      char *err, size_t errlen)
{
	(void)state;
	(void)governor;
	(void)err;
	(void)errlen;
	snprintf(current, size, "no cpufreq"); /* as live.c says it: the runner skips the switch */
	return -EOPNOTSUPP;
}

/* The groups the model starts an arm with, as make_groups() in model/sim.c. */
static void applied_groups(const struct bpfnic_policy_params *p, unsigned k,
			   struct bench_applied *out)
{
	out->n_long = p->policy == BPFNIC_POLICY_SPLIT ? p->long_cpus : 0;
	out->n_main = k - out->n_long;
	out->max_cpus = 0;
	if (bpfnic_policies[p->policy].scaler) {
		out->n_main = p->min_cpus;
		out->max_cpus = p->max_cpus;
	}
}

/* The policy switch through SetPolicy's own parsing and checks (lib/params). */
static int model_set_policy(void *state, const struct bench_policy_cmd *cmd,
			    struct bench_applied *out, char *err, size_t errlen)
{
	struct model_backend *b = state;
	json_object *params = json_object_new_object();
	struct bpfnic_policy_params next;
	const char *param = NULL;
	char why[256];
	int r;

	memset(out, 0, sizeof(*out));
	if (!params)
		return -ENOMEM;
	json_object_object_add(params, "policy",
			       json_object_new_string(bpfnic_policy_name(cmd->policy)));
	for (unsigned i = 0; i < cmd->n; i++) {
		const struct bpfnic_param *p = bpfnic_param_by_cli(cmd->flag[i], strlen(cmd->flag[i]));
		json_object *v;

		if (!p || !p->json) {
			json_object_put(params);
			return bench_fail(err, errlen, -EINVAL, "the model has no policy option %s",
					  cmd->flag[i]);
		}
		if (!(v = bpfnic_param_text_to_json(p, cmd->value[i], why, sizeof(why)))) {
			json_object_put(params);
			return bench_fail(err, errlen, -EINVAL, "%s %s: %s", cmd->flag[i],
					  cmd->value[i], why);
		}
		json_object_object_add(params, p->json, v);
	}
	r = bpfnic_params_from_json(&b->running, &b->running.policy, params, &next, &param, why,
				    sizeof(why));
	json_object_put(params);
	if (r < 0)
		return bench_fail(err, errlen, r, "the model refused the policy: %s: %s",
				  param ? param : "policy", why);
	b->running.policy = next;
	/* The next step starts a fresh model: empty queues, dynamic at MinCpus=. */
	bpfnic_model_free(b->m);
	b->m = NULL;
	applied_groups(&next, b->o.cpus, out);
	out->policy = bpfnic_params_policy_json(&next);
	return out->policy ? 0 : -ENOMEM;
}

static int64_t model_usec(const struct model_backend *b, uint64_t ns)
{
	return b->base_usec + (int64_t)(ns / 1000);
}

static int group_of_cpu(unsigned cpu, unsigned n, const unsigned size[BPFNIC_NR_GROUPS])
{
	if (cpu < size[BPFNIC_GROUP_MAIN])
		return 0;
	if (cpu >= n - size[BPFNIC_GROUP_LONG])
		return 1;
	return -1;
}

/* One window of the model as the daemon's GetStats gives it. */
static void on_window(void *ctx, const struct bpfnic_model_window *mw)
{
	struct model_backend *b = ctx;
	double secs = (double)(mw->end_ns - mw->start_ns) / 1e9;
	struct bench_window w = {
		.time_usec = model_usec(b, mw->end_ns),
		.window_ms = secs * 1e3,
		.group_size = { mw->group_size[BPFNIC_GROUP_MAIN], mw->group_size[BPFNIC_GROUP_LONG] },
		.in_rps = secs > 0 ? (double)mw->in / secs : NAN,
		.out_rps = secs > 0 ? (double)mw->out / secs : NAN,
		.qdelay_avg_us = mw->qdelay_avg_us, .qdelay_p50_us = mw->qdelay_p50_us,
		.qdelay_p99_us = mw->qdelay_p99_us, .n_cpus = mw->n_cpus,
	};
	int r;

	if (b->series_err)
		return;
	snprintf(w.policy, sizeof(w.policy), "%s", bpfnic_policy_name(b->running.policy.policy));
	if (!(w.cpus = calloc(mw->n_cpus, sizeof(*w.cpus)))) {
		b->series_err = -ENOMEM;
		return;
	}
	for (unsigned i = 0; i < mw->n_cpus; i++) {
		const struct bpfnic_model_cpu_window *c = &mw->cpu[i];

		w.cpus[i] = (struct bench_window_cpu){
			.cpu = i, .group = group_of_cpu(i, mw->n_cpus, mw->group_size),
			.in_rps = secs > 0 ? (double)c->in / secs : NAN,
			.out_rps = secs > 0 ? (double)c->out / secs : NAN,
			.qdelay_p50_us = c->qdelay_p50_us, .qdelay_p99_us = c->qdelay_p99_us,
			.qdelay_avg_us = NAN, .qdelay_max_us = NAN,
			/* The worker's busy share: what it served, with the overhead. */
			.kthread_util = secs > 0 ? (double)c->out * (c->service_us * 1e3 +
				(double)b->o.overhead_ns) / 1e9 / secs : NAN,
			.queue_drops = c->drops,
		};
	}
	if ((r = bench_series_add_window(b->series, &w)) < 0) {
		free(w.cpus);
		b->series_err = r;
		return;
	}
	if (mw->change != BPFNIC_MODEL_HOLD) {
		struct bench_change c = {
			.time_usec = w.time_usec, .cpu = (int)mw->changed_cpu,
			.group_size = mw->group_size[BPFNIC_GROUP_MAIN],
			.metric_us = b->running.policy.metric == BPFNIC_METRIC_P99 ?
				     mw->qdelay_p99_us : mw->qdelay_avg_us,
		};

		snprintf(c.action, sizeof(c.action), "%s",
			 mw->change == BPFNIC_MODEL_GROW ? "grow" : "shrink");
		snprintf(c.group, sizeof(c.group), "main");
		snprintf(c.reason, sizeof(c.reason), "%s", mw->reason);
		b->series_err = bench_series_add_change(b->series, &c);
	}
}

/* An arm's model, made at its first step with that step's seed. */
static int start_model(struct model_backend *b, const struct bench_step_spec *spec, char *err,
		       size_t errlen)
{
	const struct bench_experiment *e = spec->e;
	struct bpfnic_model_config c = {
		.cpus = b->o.cpus, .rx_queues = 1, .queue_len = b->o.queue_len,
		.policy = b->running.policy, .queueing = BPFNIC_MODEL_PER_CPU,
		.service = BPFNIC_MODEL_SERVICE_CONSTANT,
		.overhead_ns = b->o.overhead_ns, .wakeup_ns = b->o.wakeup_ns,
		.arrivals = e->arrivals,
		.clients = spec->clients ? spec->clients : (e->threads ? e->threads : 1),
		.mix = { e->mix[0], e->mix[1] }, .seed = spec->seed,
	};
	char why[256];
	int r;

	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
		c.service_ns[k] = e->service_ns[k] ? e->service_ns[k] :
				  (k ? b->running.long_us : b->running.short_us) * 1000ull;
	if ((r = bpfnic_model_new(&c, &b->m, why, sizeof(why))) < 0)
		return bench_fail(err, errlen, r, "the model: %s",
				  r == -EINVAL ? why : strerror(-r));
	bpfnic_model_on_window(b->m, on_window, b);
	b->base_usec = b->next_base_usec;
	return 0;
}

static void class_result(const struct bpfnic_model_class *mc, struct bench_class_result *c)
{
	static const double q[BENCH_NR_PCTS] = { 0.50, 0.90, 0.99, 0.999 };
	uint64_t lost = mc->drop_queue + mc->drop_no_cpu;

	c->sent = mc->sent;
	c->lost = lost;
	c->received = mc->sent - lost;
	for (unsigned p = 0; p < BENCH_NR_PCTS; p++) {
		c->qdelay_us[p] = mc->qdelay.count ? bpfnic_hist_quantile(&mc->qdelay, q[p]) / 1e3 : NAN;
		c->rtt_us[p] = NAN; /* the model has no network: only the queuing delay */
	}
}

static int model_run_step(void *state, const struct bench_step_spec *spec,
			  struct bench_step_result *r, struct bench_series *s, char *err,
			  size_t errlen)
{
	struct model_backend *b = state;
	struct bpfnic_model_result *mr;
	struct bpfnic_model_totals tot;
	struct bpfnic_model_step step = {
		.rate_rps = spec->clients ? spec->clients * spec->rate_per_client : spec->offered_rps,
		.warmup_ns = spec->warmup_ns, .duration_ns = spec->duration_ns,
		.drain_ns = spec->drain_ns,
	};
	uint64_t sent = 0;
	int rc;

	if (!b->m && (rc = start_model(b, spec, err, errlen)) < 0)
		return rc;
	if (!(mr = malloc(sizeof(*mr))))
		return -ENOMEM;
	b->series = s;
	b->series_err = 0;
	rc = bpfnic_model_run_step(b->m, &step, mr);
	b->series = NULL;
	if (rc < 0) {
		free(mr);
		return bench_fail(err, errlen, rc, "the model: %s", rc == -E2BIG ?
				  "a step of more requests than the model may run (lower the load "
				  "or the duration)" : "a step it cannot run (rate or duration)");
	}
	if (b->series_err) {
		free(mr);
		return bench_fail(err, errlen, b->series_err, "the model's series: out of memory");
	}
	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++) {
		class_result(&mr->cls[k], &r->cls[k]);
		sent += mr->cls[k].sent;
	}
	r->offered_rps = step.rate_rps;
	r->achieved_rps = (double)sent * 1e9 / (double)spec->duration_ns;
	r->clients = spec->clients;
	r->valid = true;
	r->reason[0] = '\0';
	r->wall_start_ns = model_usec(b, mr->start_ns) * 1000;
	r->wall_end_ns = model_usec(b, mr->end_ns) * 1000;
	r->wall_from_client = true;
	r->client_cpu_pct = NAN;
	free(mr);
	bpfnic_model_totals(b->m, &tot);
	b->next_base_usec = model_usec(b, tot.now_ns) + MODEL_GAP_USEC;
	return 0;
}

/* A fresh model per policy starts with empty queues: nothing to wait for. */
static int model_settle(void *state, unsigned timeout_ms, char *err, size_t errlen)
{
	(void)state;
	(void)timeout_ms;
	(void)err;
	(void)errlen;
	return 0;
}

static int model_environment(void *state, json_object **server, json_object **client, char *err,
			     size_t errlen)
{
	struct model_backend *b = state;
	json_object *s = json_object_new_object(), *c = json_object_new_object(),
		    *fig = json_object_new_object();

	(void)err;
	(void)errlen;
	if (!s || !c || !fig) {
		json_object_put(s);
		json_object_put(c);
		json_object_put(fig);
		return -ENOMEM;
	}
	json_object_object_add(s, "backend", json_object_new_string("model"));
	json_object_object_add(s, "modelled", json_object_new_boolean(1));
	json_object_object_add(s, "kernel", json_object_new_string("none (modelled)"));
	json_object_object_add(s, "cpu_model", json_object_new_string(
		"discrete-event queuing model (model/sim.c): the BPF program's pick functions, "
		"the daemon's SetPolicy checks and scaler"));
	json_object_object_add(s, "online_cpus", json_object_new_int((int)b->o.cpus));
	json_object_object_add(s, "cpufreq", json_object_new_string("none (modelled)"));
	json_object_object_add(s, "queue_size", json_object_new_int((int)(b->o.queue_len ?
		b->o.queue_len : BPFNIC_MODEL_DEFAULT_QUEUE_LEN)));
	json_object_object_add(s, "service", json_object_new_string(
		"constant: each request for its class's service time, as the workers spin"));
	json_object_object_add(fig, "overhead_ns", json_object_new_int64((int64_t)b->o.overhead_ns));
	json_object_object_add(fig, "overhead_source", json_object_new_string(
		b->o.overhead_ns == BENCH_MODEL_OVERHEAD_NS ? bench_model_overhead_source :
		"--overhead-ns"));
	json_object_object_add(fig, "wakeup_ns", json_object_new_int64((int64_t)b->o.wakeup_ns));
	json_object_object_add(fig, "wakeup_source", json_object_new_string(
		b->o.wakeup_ns == BENCH_MODEL_WAKEUP_NS ? bench_model_wakeup_source :
		"--wakeup-ns"));
	json_object_object_add(s, "figures", fig);
	json_object_object_add(c, "backend", json_object_new_string("model"));
	json_object_object_add(c, "kernel", json_object_new_string("none (modelled)"));
	json_object_object_add(c, "cpu_model", json_object_new_string(
		"bpfnic-loadgen's arrival code (lib/arrival.c), one process per client thread"));
	json_object_object_add(c, "cpufreq", json_object_new_string("none (modelled)"));
	*server = s;
	*client = c;
	return 0;
}

static void model_close(void *state)
{
	struct model_backend *b = state;

	bpfnic_model_free(b->m);
	free(b);
}

static int64_t model_now_usec(void *state)
{
	struct model_backend *b = state;
	struct bpfnic_model_totals tot;

	if (!b->m)
		return b->next_base_usec;
	bpfnic_model_totals(b->m, &tot);
	return model_usec(b, tot.now_ns);
}

static const struct bench_backend_ops model_ops = {
	.describe = model_describe,
	.set_governor = model_set_governor,
	.set_policy = model_set_policy,
	.run_step = model_run_step,
	.settle = model_settle,
	.environment = model_environment,
	.close = model_close,
	.now_usec = model_now_usec,
};

int bench_model_open(const struct bench_model_opts *o, struct bench_backend *out, char *err,
		     size_t errlen)
{
	struct bpfnic_cpuset online = { 0 };
	struct model_backend *b;

	if (o->cpus < 1 || o->cpus > BPFNIC_MAX_CPUS)
		return bench_fail(err, errlen, -EINVAL, "--cpus: between 1 and %u", BPFNIC_MAX_CPUS);
	if (o->queue_len > BPFNIC_MODEL_MAX_QUEUE_LEN)
		return bench_fail(err, errlen, -EINVAL, "the queue length: at most %u",
				  BPFNIC_MODEL_MAX_QUEUE_LEN);
	if (!(b = calloc(1, sizeof(*b))))
		return -ENOMEM;
	b->o = *o;
	for (unsigned i = 0; i < o->cpus; i++)
		online.has[i] = true;
	/* bpfnicd's defaults on a server whose Cpus= is every one of its CPUs. */
	bpfnic_config_defaults(&b->running, &online);
	b->running.cpus.n = o->cpus;
	for (unsigned i = 0; i < o->cpus; i++)
		b->running.cpus.cpu[i] = i;
	bpfnic_model_policy_defaults(&b->running.policy, o->cpus);
	b->next_base_usec = MODEL_EPOCH_USEC;
	*out = (struct bench_backend){ .ops = &model_ops, .state = b, .name = "model" };
	return 0;
}
