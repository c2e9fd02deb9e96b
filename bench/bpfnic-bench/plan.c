/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The plan of a run and its record: see plan.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bpfnic-bench/plan.h"
#include "why.h"

static void policy_cmd(const struct bench_arm *a, unsigned k, struct bench_policy_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->policy = a->policy;
	for (unsigned i = 0; i < a->n_params; i++) {
		cmd->flag[cmd->n] = a->params[i].param->cli;
		bench_param_value_text(&a->params[i], k, cmd->value[cmd->n], sizeof(cmd->value[0]));
		cmd->n++;
	}
}

int bench_plan(struct bench_run *run, char *why, size_t why_size)
{
	const struct bench_experiment *e = run->e;
	double p[BENCH_NR_CLASSES];

	bench_experiment_mix(e, p);
	for (unsigned c = 0; c < BENCH_NR_CLASSES; c++) {
		run->model.p[c] = p[c];
		/* A class the experiment asks nothing for gets the server's configured time. */
		run->model.service_us[c] = e->service_ns[c] ? (double)e->service_ns[c] / 1e3 :
					   run->srv.service_us[c];
	}
	run->model.queue_size = run->srv.queue_size ? run->srv.queue_size : BENCH_DEFAULT_QUEUE;
	if (run->srv.k == 0)
		return bpfnic_why(why, why_size, "the server has no candidate worker CPU");
	run->capacity_rps = mck_rr_capacity(&run->model, run->srv.k);
	if (e->unit == BENCH_LOAD_CAPACITY && !isfinite(run->capacity_rps))
		return bpfnic_why(why, why_size, "Unit=capacity needs service times above 0 (the "
			       "capacity of zero-time requests is unbounded)");
	run->n_steps = bench_experiment_steps(e, run->quick, run->load);
	for (unsigned i = 0; i < run->n_steps; i++) {
		double l = run->load[i];

		run->offered_rps[i] = e->unit == BENCH_LOAD_RPS ? l :
				      e->unit == BENCH_LOAD_CAPACITY ? l * run->capacity_rps :
				      l * e->rate_per_client;
		if (!(run->offered_rps[i] >= 1))
			return bpfnic_why(why, why_size, "step %u offers %.3g requests/s: at least 1",
				       i + 1, run->offered_rps[i]);
	}
	for (unsigned a = 0; a < e->n_arms; a++) {
		policy_cmd(&e->arms[a], run->srv.k, &run->arms[a].cmd);
		snprintf(run->arms[a].governor, sizeof(run->arms[a].governor), "%s",
			 e->arms[a].governor);
	}
	return 0;
}

void bench_plan_predict(struct bench_run *run, unsigned arm)
{
	struct bench_arm_run *a = &run->arms[arm];
	/* dynamic: the prediction is for its largest group, where the knee lies. */
	unsigned k_main = a->cmd.policy == BPFNIC_POLICY_DYNAMIC && a->groups.max_cpus ?
			  a->groups.max_cpus : a->groups.n_main;

	a->predicted = mck_predict(a->cmd.policy, k_main, a->groups.n_long, &run->model,
				   &a->pred) == 0;
}

void bench_run_note(struct bench_run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->n_notes == BENCH_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(run->notes[run->n_notes], sizeof(run->notes[0]), fmt, ap);
	va_end(ap);
	/* Once is enough: the same note from every repetition says nothing more. */
	for (unsigned i = 0; i < run->n_notes; i++)
		if (!strcmp(run->notes[i], run->notes[run->n_notes]))
			return;
	run->n_notes++;
}

int bench_run_add(struct bench_run *run, const struct bench_step_result *r)
{
	if (run->n_results == run->cap_results) {
		size_t cap = run->cap_results ? 2 * run->cap_results : 64;
		struct bench_step_result *p = realloc(run->results, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		run->results = p;
		run->cap_results = cap;
	}
	run->results[run->n_results++] = *r;
	return 0;
}

void bench_run_join(struct bench_run *run)
{
	for (size_t i = 0; i < run->n_results; i++)
		bench_step_join(&run->series, &run->results[i]);
}

void bench_run_free(struct bench_run *run)
{
	free(run->results);
	run->results = NULL;
	run->n_results = run->cap_results = 0;
	bench_series_free(&run->series);
	if (run->srv.policy)
		json_object_put(run->srv.policy);
	run->srv.policy = NULL;
}
