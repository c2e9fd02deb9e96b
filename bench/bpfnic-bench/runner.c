/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One experiment on a backend, and its outputs: see runner.h. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bpfnic-bench/output.h"
#include "bench/bpfnic-bench/runner.h"
#include "bench/bpfnic-bench/spawn.h"
#include "why.h"

int bench_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void iso_time(int64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the run --------------------------------------------------------------------------- */

/* dynamic starts every repetition from its smallest group: the thesis' figures 5.4/5.5. */
static int reset_dynamic(struct bench_backend *b, const struct bench_run *run,
			 const struct bench_policy_cmd *cmd, char *err, size_t errlen)
{
	struct bench_policy_cmd reset = *cmd;
	struct bench_applied applied;
	const char *min = NULL;
	char running_min[32];
	unsigned i;
	int r;

	for (i = 0; i < cmd->n; i++)
		if (!strcmp(cmd->flag[i], "--min-cpus"))
			min = cmd->value[i];
	if (!min) {
		json_object *v = NULL;

		json_object_object_get_ex(run->srv.policy, "min_cpus", &v);
		snprintf(running_min, sizeof(running_min), "%d", v ? json_object_get_int(v) : 1);
		min = running_min;
	}
	for (i = 0; i < reset.n && strcmp(reset.flag[i], "--max-cpus"); i++)
		;
	if (i == reset.n) {
		if (reset.n == BENCH_MAX_ARM_PARAMS + 2)
			return bpfnic_why(err, errlen, "too many parameters"), -E2BIG;
		reset.flag[reset.n++] = "--max-cpus";
	}
	snprintf(reset.value[i], sizeof(reset.value[i]), "%s", min);
	r = b->ops->set_policy(b->state, &reset, &applied, err, errlen);
	json_object_put(applied.policy);
	return r;
}

static int switch_policy(struct bench_backend *b, struct bench_run *run, unsigned arm, char *err,
			 size_t errlen)
{
	struct bench_arm_run *a = &run->arms[arm];
	struct bench_applied applied;
	int r;

	if (a->cmd.policy == BPFNIC_POLICY_DYNAMIC &&
	    (r = reset_dynamic(b, run, &a->cmd, err, errlen)) < 0)
		return r;
	if ((r = b->ops->set_policy(b->state, &a->cmd, &applied, err, errlen)) < 0)
		return r;
	json_object_put(applied.policy);
	applied.policy = NULL;
	a->groups = applied;
	a->applied = true;
	bench_plan_predict(run, arm);
	return 0;
}

/* The first governor arm runs under what the machine has; the other governor arms not. */
static int check_governors(struct bench_backend *b, struct bench_run *run, char *err,
			   size_t errlen)
{
	const struct bench_experiment *e = run->e;
	char current[sizeof(run->arms[0].governor)];
	bool first = true;
	int r;

	for (unsigned a = 0; a < e->n_arms; a++)
		if (e->arms[a].governor[0])
			break;
		else if (a + 1 == e->n_arms)
			return 0;
	r = b->ops->set_governor(b->state, NULL, current, sizeof(current), err, errlen);
	if (r != -EOPNOTSUPP)
		return r;
	bench_run_note(run, "cannot switch governors here: the worker CPUs have no cpufreq "
		       "(governor: %s). The first policy with a Governor= ran under what the "
		       "machine has; the others did not run.", current);
	for (unsigned a = 0; a < e->n_arms; a++) {
		if (!e->arms[a].governor[0])
			continue;
		snprintf(run->arms[a].governor, sizeof(run->arms[a].governor), "%s", current);
		run->arms[a].skipped = !first;
		first = false;
	}
	return 0;
}

static void progress(const struct bench_run_opts *o, const struct bench_run *run,
		     const struct bench_step_result *r)
{
	const struct bench_experiment *e = run->e;
	const struct bench_timing *t = bench_experiment_timing(e, run->quick);

	if (!o->progress)
		return;
	fprintf(o->progress, "%s: rep %u/%u, %s, step %u/%u: %.0f req/s offered, %.0f sent;",
		e->name, r->rep + 1, t->repetitions, e->arms[r->arm].name, r->step + 1, run->n_steps,
		r->offered_rps, r->achieved_rps);
	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++) {
		double p99 = r->cls[k].qdelay_us[BENCH_P99];

		if (!e->mix[k])
			continue;
		if (isfinite(p99))
			fprintf(o->progress, " %s p99 %.0f µs,", bench_class_names[k], p99);
		else
			fprintf(o->progress, " %s: no reply,", bench_class_names[k]);
		fprintf(o->progress, " lost %.2f %%;", r->cls[k].sent ?
			100.0 * (double)r->cls[k].lost / (double)r->cls[k].sent : 0.0);
	}
	fprintf(o->progress, "%s\n", r->valid ? "" : " (client not valid)");
	fflush(o->progress);
}

/* The longest the server may take to drain its queues after an arm. */
#define SETTLE_TIMEOUT_MS 60000u

static int run_arm(struct bench_backend *b, struct bench_run *run, const struct bench_run_opts *o,
		   unsigned rep, unsigned arm, char *err, size_t errlen)
{
	const struct bench_experiment *e = run->e;
	const struct bench_timing *t = bench_experiment_timing(e, run->quick);
	struct bench_span *span = &run->spans[run->n_spans];
	char raw_dir[PATH_MAX], current[64];
	int r;

	snprintf(raw_dir, sizeof(raw_dir), "%s/raw", o->dir);
	if (e->arms[arm].governor[0] && strcmp(run->arms[arm].governor, "no cpufreq") &&
	    (r = b->ops->set_governor(b->state, e->arms[arm].governor, current, sizeof(current),
				      err, errlen)) < 0)
		return r;
	if ((r = switch_policy(b, run, arm, err, errlen)) < 0)
		return r;
	*span = (struct bench_span){ rep, arm, bench_now_usec(), 0 };
	if (run->n_spans < sizeof(run->spans) / sizeof(run->spans[0]))
		run->n_spans++;
	for (unsigned s = 0; s < run->n_steps; s++) {
		struct bench_step_result res = { .rep = rep, .arm = arm, .step = s,
						 .load = run->load[s] };
		char raw_name[96];
		struct bench_step_spec spec = {
			.e = e, .offered_rps = run->offered_rps[s],
			.clients = e->unit == BENCH_LOAD_CLIENTS ? (unsigned)run->load[s] : 0,
			.rate_per_client = e->rate_per_client,
			.duration_ns = t->duration_ns, .warmup_ns = t->warmup_ns,
			.drain_ns = t->drain_ns,
			.seed = 1 + rep * 1000ull + s, .raw_dir = raw_dir, .raw_name = raw_name,
		};

		if (bench_interrupted)
			return -EINTR;
		snprintf(raw_name, sizeof(raw_name), "rep%u-%s-step%u", rep + 1, e->arms[arm].name, s + 1);
		r = b->ops->run_step(b->state, &spec, &res, &run->series, err, errlen);
		span->end_usec = bench_now_usec();
		if (r < 0)
			return r;
		if ((r = bench_run_add(run, &res)) < 0)
			return r;
		progress(o, run, &res);
	}
	/* Steps beyond the capacity leave the queues full: the next policy must not
	 * measure this one's backlog. A server that never drains is noted, not fatal. */
	r = b->ops->settle(b->state, SETTLE_TIMEOUT_MS, err, errlen);
	if (r == -ETIMEDOUT)
		bench_run_note(run, "%s", err);
	else if (r < 0)
		return r;
	return 0;
}

static int measure(struct bench_backend *b, struct bench_run *run, const struct bench_run_opts *o,
		   char *err, size_t errlen)
{
	const struct bench_experiment *e = run->e;
	const struct bench_timing *t = bench_experiment_timing(e, run->quick);
	char raw_dir[PATH_MAX];
	int r;

	if ((r = bench_plan(run, err, errlen)) < 0)
		return r;
	for (unsigned c = 0; c < BENCH_NR_CLASSES; c++)
		if (e->mix[c] && run->srv.max_us > 0 && run->model.service_us[c] > run->srv.max_us)
			bench_run_note(run, "the server caps service times at %.0f µs (MaxUs=): %s "
				       "requests asked for %.0f µs", run->srv.max_us,
				       bench_class_names[c], run->model.service_us[c]);
	snprintf(raw_dir, sizeof(raw_dir), "%s/raw", o->dir);
	if ((r = bench_mkdir(raw_dir)) < 0)
		return bench_fail(err, errlen, r, "cannot make %s: %s", raw_dir, strerror(-r));
	if ((r = check_governors(b, run, err, errlen)) < 0)
		return r;
	for (unsigned rep = 0; rep < t->repetitions; rep++)
		for (unsigned a = 0; a < e->n_arms; a++)
			if (!run->arms[a].skipped &&
			    (r = run_arm(b, run, o, rep, a, err, errlen)) < 0)
				return r;
	return 0;
}

/* ---- the outputs ------------------------------------------------------------------------ */

static FILE *open_out(const char *dir, const char *name, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	return fopen(path, "we");
}

static int close_out(FILE *f, const char *path, char *err, size_t errlen)
{
	bool bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return bench_fail(err, errlen, -EIO, "cannot write %s", path);
	return 0;
}

static json_object *experiment_json(const struct bench_run *run, const struct bench_run_opts *o)
{
	const struct bench_experiment *e = run->e;
	const struct bench_timing *t = bench_experiment_timing(e, run->quick);
	json_object *x = json_object_new_object(), *steps = json_object_new_array(),
		    *arms = json_object_new_array();

	json_object_object_add(x, "name", json_object_new_string(e->name));
	json_object_object_add(x, "file", json_object_new_string(o->file));
	json_object_object_add(x, "title", json_object_new_string(e->title));
	json_object_object_add(x, "thesis", json_object_new_string(e->thesis));
	json_object_object_add(x, "quick", json_object_new_boolean(run->quick));
	json_object_object_add(x, "mix", json_object_new_string(e->mix_text));
	json_object_object_add(x, "service_short_us", json_object_new_double(run->model.service_us[0]));
	json_object_object_add(x, "service_long_us", json_object_new_double(run->model.service_us[1]));
	json_object_object_add(x, "arrivals", json_object_new_string(bpfnic_arrivals_names[e->arrivals]));
	json_object_object_add(x, "load_unit", json_object_new_string(bench_load_unit_names[e->unit]));
	json_object_object_add(x, "capacity_rps", json_object_new_double(run->capacity_rps));
	for (unsigned i = 0; i < run->n_steps; i++)
		json_object_array_add(steps, json_object_new_double(run->offered_rps[i]));
	json_object_object_add(x, "offered_rps", steps);
	json_object_object_add(x, "duration_s", json_object_new_double((double)t->duration_ns / 1e9));
	json_object_object_add(x, "warmup_s", json_object_new_double((double)t->warmup_ns / 1e9));
	json_object_object_add(x, "drain_s", json_object_new_double((double)t->drain_ns / 1e9));
	json_object_object_add(x, "repetitions", json_object_new_int((int)t->repetitions));
	for (unsigned a = 0; a < e->n_arms; a++) {
		const struct bench_arm_run *ar = &run->arms[a];
		json_object *j = json_object_new_object(), *p = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(e->arms[a].name));
		json_object_object_add(j, "policy", json_object_new_string(bpfnic_policy_name(ar->cmd.policy)));
		for (unsigned i = 0; i < ar->cmd.n; i++)
			json_object_object_add(p, ar->cmd.flag[i], json_object_new_string(ar->cmd.value[i]));
		json_object_object_add(j, "bpfnicctl_options", p);
		json_object_object_add(j, "governor", json_object_new_string(ar->governor));
		json_object_object_add(j, "ran", json_object_new_boolean(ar->applied));
		if (ar->applied) {
			json_object_object_add(j, "group_main", json_object_new_int((int)ar->groups.n_main));
			json_object_object_add(j, "group_long", json_object_new_int((int)ar->groups.n_long));
		}
		json_object_array_add(arms, j);
	}
	json_object_object_add(x, "policies", arms);
	return x;
}

/* One line per side for the report. */
static void env_line(json_object *side, const char *who, char *buf, size_t size)
{
	json_object *k = NULL, *m = NULL, *c = NULL, *f = NULL, *w = NULL;

	if (json_object_is_type(side, json_type_array))
		side = json_object_array_length(side) ? json_object_array_get_idx(side, 0) : NULL;
	json_object_object_get_ex(side, "kernel", &k);
	json_object_object_get_ex(side, "cpu_model", &m);
	json_object_object_get_ex(side, "online_cpus", &c);
	json_object_object_get_ex(side, "cpufreq", &f);
	json_object_object_get_ex(side, "worker_thread_class", &w);
	snprintf(buf, size, "%s: %s, %s, %d CPUs, %s%s%s", who, k ? json_object_get_string(k) : "?",
		 m ? json_object_get_string(m) : "?", c ? json_object_get_int(c) : 0,
		 f && json_object_is_type(f, json_type_string) ? json_object_get_string(f) :
		 "cpufreq governors in environment.json", w && strcmp(who, "server") == 0 ?
		 ", worker threads " : "", w && strcmp(who, "server") == 0 ?
		 json_object_get_string(w) : "");
}

static int run_gnuplot(const struct bench_run *run, const char *dir, const struct bench_figure *fig,
		       char *err, size_t errlen)
{
	char name[32], path[PATH_MAX + 64], cd[PATH_MAX + 16], *q = cd;
	struct bench_cmd_result res;
	FILE *g;
	int r;

	bench_figure_name(fig, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
	g = fopen(path, "we");
	if (!g)
		return bench_fail(err, errlen, -errno, "cannot write %s: %s", path, strerror(errno));
	bench_write_plot(g, run, fig);
	if ((r = close_out(g, path, err, errlen)) < 0)
		return r;
	/* gnuplot writes the figures where the script is: cd there first. */
	q += sprintf(q, "cd '");
	for (const char *p = dir; *p && q < cd + sizeof(cd) - 4; p++) {
		if (*p == '\'')
			*q++ = '\'';
		*q++ = *p;
	}
	strcpy(q, "'");
	{
		char script[64];
		/* Relative to the directory gnuplot is in by then. */
		const char *argv[] = { "gnuplot", "-e", cd, script, NULL };

		snprintf(script, sizeof(script), "%s.gp", name);

		r = bench_cmd(NULL, argv, NULL, 60000, &res);
	}
	if (r < 0)
		return bench_fail(err, errlen, r, "gnuplot %s: %s", name, strerror(-r));
	if (res.status) {
		bpfnic_why(err, errlen, "gnuplot %s exited with status %d: %s", name, res.status,
			   res.status == 127 ? "is gnuplot installed?" : res.err);
		bench_cmd_result_free(&res);
		return -EIO;
	}
	bench_cmd_result_free(&res);
	return 0;
}

static int write_outputs(struct bench_backend *b, struct bench_run *run,
			 const struct bench_run_opts *o, json_object *server, json_object *clients,
			 char *err, size_t errlen)
{
	const struct bench_experiment *e = run->e;
	char path[PATH_MAX + 32], started[32], finished[32], lines[2][512];
	const char *env[2] = { lines[0], lines[1] };
	json_object *root = json_object_new_object();
	FILE *f;
	int r = 0, r2;

	(void)b;
	bench_run_join(run);
	if (!(f = open_out(o->dir, "results.csv", path, sizeof(path))))
		return bench_fail(err, errlen, -errno, "cannot write %s: %s", path, strerror(errno));
	bench_write_results_csv(f, run);
	if ((r = close_out(f, path, err, errlen)) < 0)
		return r;
	if (!(f = open_out(o->dir, "series.csv", path, sizeof(path))))
		return bench_fail(err, errlen, -errno, "cannot write %s: %s", path, strerror(errno));
	bench_write_series_csv(f, run);
	if ((r = close_out(f, path, err, errlen)) < 0)
		return r;

	iso_time(run->start_usec, started, sizeof(started));
	iso_time(run->end_usec, finished, sizeof(finished));
	json_object_object_add(root, "tool", json_object_new_string("bpfnic-bench"));
	json_object_object_add(root, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(root, "command", json_object_new_string(o->command));
	json_object_object_add(root, "backend", json_object_new_string(run->backend));
	json_object_object_add(root, "started", json_object_new_string(started));
	json_object_object_add(root, "finished", json_object_new_string(finished));
	json_object_object_add(root, "experiment", experiment_json(run, o));
	json_object_object_add(root, "server", server ? json_object_get(server) : NULL);
	json_object_object_add(root, "clients", clients ? json_object_get(clients) : NULL);
	snprintf(path, sizeof(path), "%s/environment.json", o->dir);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE))
		r = bench_fail(err, errlen, -EIO, "cannot write %s", path);
	json_object_put(root);
	if (r < 0)
		return r;

	/* Figures: a failed one is said in the report and is a failure of the run. */
	for (unsigned i = 0; i < e->n_figures; i++) {
		char why[512];

		if ((r2 = run_gnuplot(run, o->dir, &e->figures[i], why, sizeof(why))) < 0) {
			bench_run_note(run, "figure %s was not drawn: %s", e->figures[i].id, why);
			if (!r) {
				r = r2;
				snprintf(err, errlen, "%s", why);
			}
		}
	}
	env_line(server, "server", lines[0], sizeof(lines[0]));
	env_line(clients, "client", lines[1], sizeof(lines[1]));
	if (!(f = open_out(o->dir, "report.md", path, sizeof(path))))
		return bench_fail(err, errlen, -errno, "cannot write %s: %s", path, strerror(errno));
	bench_write_report(f, run, o->command, env);
	if ((r2 = close_out(f, path, err, errlen)) < 0)
		return r2;
	return r;
}

/* Worker threads under the fair scheduler make the tail measure the scheduler. */
static void worker_class_note(struct bench_run *run, json_object *server)
{
	json_object *cls = NULL;
	const char *c;

	if (!json_object_object_get_ex(server, "worker_thread_class", &cls))
		return;
	c = json_object_get_string(cls);
	if (strstr(c, "other") || strstr(c, "batch") || strstr(c, "idle"))
		bench_run_note(run, "the worker threads (cpumap kernel threads) ran under %s, the "
			       "fair scheduler: sharing their CPUs with the load generator and "
			       "everything else, they are descheduled for milliseconds, and the tail "
			       "then measures the scheduler more than the policy (a real-time class, "
			       "bpfnicd.conf WorkerScheduling=, where bpfnicd has it)", c);
}

int bench_run_experiment(struct bench_backend *b, const struct bench_experiment *e,
			 const struct bench_run_opts *o, struct bench_run *run, char *err,
			 size_t errlen)
{
	json_object *server = NULL, *clients = NULL;
	char why[512];
	int r, r2;

	memset(run, 0, sizeof(*run));
	run->e = e;
	run->quick = o->quick;
	run->backend = b->name;
	run->start_usec = bench_now_usec();
	/* The series starts with this run, whatever ran before on the same server. */
	run->series.newest_usec = run->start_usec;
	if ((r = bench_mkdir(o->dir)) < 0)
		return bench_fail(err, errlen, r, "cannot make %s: %s", o->dir, strerror(-r));
	/* The server and both sides' environment before the run changes anything. */
	r = b->ops->describe(b->state, &run->srv, err, errlen);
	if (r == 0)
		r = b->ops->environment(b->state, &server, &clients, err, errlen);
	if (r == 0)
		worker_class_note(run, server);
	if (r == 0)
		r = measure(b, run, o, err, errlen);
	run->end_usec = bench_now_usec();
	if (r == -EINTR) {
		bench_run_note(run, "interrupted: the figures show what was measured until then");
		/* Write what was measured; another interrupt stops that too. */
		bench_interrupted = 0;
	}
	else if (r < 0)
		bench_run_note(run, "the run failed: %s", err);
	if (run->srv.k == 0 && r < 0) {
		/* Nothing was learnt about the server: nothing to write but the failure. */
		json_object_put(server);
		json_object_put(clients);
		return r;
	}
	r2 = write_outputs(b, run, o, server, clients, why, sizeof(why));
	json_object_put(server);
	json_object_put(clients);
	if (r == 0 && r2 < 0) {
		snprintf(err, errlen, "%s", why);
		r = r2;
	}
	return r;
}
