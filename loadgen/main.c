/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-loadgen: runs the configured steps (or the calibration), prints a table per
 * step and writes CSV/JSON/SVG. See --help (lg_usage_text in options.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "calibrate.h"
#include "engine.h"
#include "merge.h"
#include "options.h"
#include "report.h"

#define PROG "bpfnic-loadgen"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress_ctx {
	unsigned nsteps;
	bool shown;
};

static void show_progress(void *vctx, const struct lg_step_result *partial, double elapsed_s,
			  double total_s, uint64_t sent, uint64_t received)
{
	struct progress_ctx *p = vctx;

	fprintf(stderr, "\r\033[Kstep %u/%u  %.1f/%.1f s  %.0f rps offered  sent %llu  received %llu",
		partial->index + 1, p->nsteps, elapsed_s, total_s, partial->offered_rps,
		(unsigned long long)sent, (unsigned long long)received);
	p->shown = true;
}

static void clear_progress(struct progress_ctx *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}

/* Whether an executable of that name is on $PATH (checked early, not after the run). */
static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char dir[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && n + strlen(name) + 2 <= sizeof(dir)) {
			snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, path, name);
			if (access(dir, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* One run: the engine, the outputs steps go to as they finish, the steps so far. */
struct run {
	const struct lg_config *cfg;
	struct lg_engine *e;
	FILE *csv;
	struct progress_ctx progress;
	bool tty;                    /* progress line on stderr */
	struct lg_step_result *steps;
	unsigned done;
};

/*
 * Runs step run->done (its client count already in the result) at rate and writes it
 * to stdout and the CSV. 0, or -errno with the reason on stderr.
 */
static int run_step(struct run *run, double rate, uint64_t duration_ns, uint64_t warmup_ns,
		    uint64_t drain_ns, unsigned nsteps)
{
	struct lg_step_result *s = &run->steps[run->done];
	char err[256] = "";
	int r = lg_engine_run_step(run->e, run->done, s->clients, rate, duration_ns, warmup_ns,
				   drain_ns, s, run->tty ? show_progress : NULL, &run->progress,
				   err, sizeof(err));

	if (run->tty)
		clear_progress(&run->progress);
	if (r) {
		fprintf(stderr, PROG ": step %u: %s\n", run->done + 1, err);
		return r;
	}
	run->done++;
	if (!run->cfg->quiet)
		lg_print_step(stdout, run->cfg, s, nsteps);
	if (run->csv)
		lg_csv_write_step(run->csv, run->cfg, s);
	return 0;
}

/* Allocates room for nsteps results and opens the sockets for max_clients. */
static int run_open(struct run *run, unsigned nsteps, unsigned max_clients)
{
	int r;

	run->steps = calloc(nsteps, sizeof(*run->steps));
	r = run->steps ? lg_engine_open(&run->e, run->cfg, max_clients) : -ENOMEM;
	if (r)
		fprintf(stderr, PROG ": --target %s: cannot open sockets: %s\n",
			run->cfg->target_text, strerror(-r));
	return r;
}

/*
 * --calibrate: the client CPU's noise, the timing floor at idle, then the rate search
 * (calibrate.h), one thread. Probe length: --duration/--warmup/--drain if given.
 */
static int calibrate(struct run *run, struct lg_calibration *cal)
{
	const struct lg_config *c = run->cfg;
	uint64_t dur = c->duration_set ? c->duration_ns : 1000000000ull;
	uint64_t warm = c->warmup_set ? c->warmup_ns : 200000000ull;
	uint64_t drain = c->drain_set ? c->drain_ns : 200000000ull;
	struct lg_rate_search search;
	double rate = LG_CAL_FLOOR_RPS;

	if (run_open(run, LG_CAL_MAX_PROBES, 1))
		return -1;
	/* The client CPU's own noise first, while nothing else of ours runs. */
	lg_measure_stalls(c->n_cpus ? (int)c->cpus[0] : -1, 1000000000ull, &cal->stalls);
	lg_rate_search_init(&search);
	/* The floor is measured even when interrupted during the stall measurement. */
	while ((run->done == 0 || !interrupted) && run->done < LG_CAL_MAX_PROBES && rate > 0) {
		const struct lg_step_result *s = &run->steps[run->done];

		run->steps[run->done].clients = 1;
		if (run_step(run, rate, dur, warm, drain, 0))
			return -1;
		if (run->done == 1)
			cal->floor = *s; /* the idle probe is not part of the search */
		else if (lg_rate_search_record(&search, rate, s->valid,
					       lg_sent_on_schedule(s->counts.sent, s->scheduled)))
			cal->at_max = *s;
		rate = lg_rate_search_next(&search);
	}
	cal->done = true;
	cal->max_valid_rps = search.valid.ok;
	cal->max_ontime_rps = search.on_schedule.ok;
	lg_print_calibration(stdout, cal);
	return 0;
}

/* The configured steps, one after the other, until done or interrupted. */
static int run_steps(struct run *run)
{
	const struct lg_config *c = run->cfg;
	unsigned nsteps = lg_config_steps(c);

	run->progress.nsteps = nsteps;
	if (run_open(run, nsteps, c->mode == LG_LOAD_CLIENTS ? c->clients_stop : c->threads))
		return -1;
	for (unsigned i = 0; i < nsteps && !interrupted; i++) {
		double rate;

		lg_config_step(c, i, &run->steps[i].clients, &rate);
		if (run_step(run, rate, c->duration_ns, c->warmup_ns, c->drain_ns, nsteps))
			return -1;
	}
	if (interrupted)
		fprintf(stderr, PROG ": interrupted after %u of %u steps\n", run->done, nsteps);
	return 0;
}

/*
 * Checks the output files before the run, not after it: the CSV is opened (and gets
 * its header), the JSON file created, gnuplot looked for. 0 or -1 (said on stderr).
 */
static int open_outputs(const struct lg_config *c, FILE **csv)
{
	FILE *f;

	*csv = NULL;
	if (c->csv_path) {
		*csv = fopen(c->csv_path, "we");
		if (!*csv) {
			fprintf(stderr, PROG ": --csv: cannot open '%s': %s\n", c->csv_path, strerror(errno));
			return -1;
		}
		lg_csv_write_header(*csv);
	}
	if (c->json_path) {
		f = fopen(c->json_path, "we");
		if (!f) {
			fprintf(stderr, PROG ": --json: cannot open '%s': %s\n", c->json_path, strerror(errno));
			return -1;
		}
		fclose(f);
	}
	if (c->plot_path && !in_path("gnuplot")) {
		fprintf(stderr, PROG ": --plot: gnuplot is not installed\n");
		return -1;
	}
	return 0;
}

/* The files written after the run: JSON and the plot. 0 or -1 (said on stderr). */
static int write_outputs(const struct run *run, const struct lg_env *env,
			 const struct lg_calibration *cal)
{
	const struct lg_config *c = run->cfg;
	int rc = 0, r;

	if (c->json_path && lg_json_write(c->json_path, c, env, run->steps, run->done, cal)) {
		fprintf(stderr, PROG ": --json: cannot write '%s'\n", c->json_path);
		rc = -1;
	}
	if (c->plot_path && run->done) {
		r = lg_plot_write(c->plot_path, c, run->steps, run->done);
		if (r) {
			fprintf(stderr, PROG ": --plot: gnuplot failed writing '%s' (%d)\n", c->plot_path, r);
			rc = -1;
		}
	}
	return rc;
}

/* The runs' documents, read: each must be JSON. 0, or -1 (said on stderr). */
static int read_runs(const struct lg_merge_args *a, json_object **docs)
{
	for (unsigned j = 0; j < a->n; j++) {
		docs[j] = json_object_from_file(a->inputs[j]);
		if (!docs[j]) {
			fprintf(stderr, PROG " merge: cannot read '%s': %s", a->inputs[j],
				json_util_get_last_err());
			return -1;
		}
	}
	return 0;
}

/* The merged run's outputs: the table, CSV and JSON. 0, or 1 (said on stderr). */
static int write_merged(const struct lg_merge_args *a, const struct lg_merged *m, json_object **docs)
{
	FILE *csv = NULL;
	int rc = 0;

	for (unsigned i = 0; i < m->nsteps && !a->quiet; i++)
		lg_print_step(stdout, &m->cfg, &m->steps[i], m->nsteps);
	if (a->csv_path) {
		csv = fopen(a->csv_path, "we");
		if (csv) {
			lg_csv_write_header(csv);
			for (unsigned i = 0; i < m->nsteps; i++)
				lg_csv_write_step(csv, &m->cfg, &m->steps[i]);
		}
		if (!csv || fclose(csv)) {
			fprintf(stderr, PROG " merge: --csv: cannot write '%s': %s\n", a->csv_path,
				strerror(errno));
			rc = 1;
		}
	}
	if (a->json_path) {
		json_object *out = lg_merged_json(m, docs, a->inputs, a->n);

		if (json_object_to_file_ext(a->json_path, out, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE)) {
			fprintf(stderr, PROG " merge: --json: cannot write '%s'\n", a->json_path);
			rc = 1;
		}
		json_object_put(out);
	}
	return rc;
}

/* bpfnic-loadgen merge: several runs' --json documents into one run. */
static int merge_main(int argc, char **argv)
{
	struct lg_merge_args a;
	struct lg_merged m = { 0 };
	json_object *docs[LG_MAX_MERGE] = { 0 };
	char err[512] = "";
	int r = lg_parse_merge_args(argc, argv, &a, err, sizeof(err)), rc = 1;

	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (r == LG_PARSE_HELP) {
		fputs(lg_usage_text, stdout);
		return 0;
	}
	if (read_runs(&a, docs) == 0) {
		r = lg_merge(docs, a.inputs, a.n, &m, err, sizeof(err));
		if (r < 0)
			fprintf(stderr, PROG " merge: %s\n", r == -EINVAL ? err : strerror(-r));
		else
			rc = write_merged(&a, &m, docs);
	}
	lg_merged_free(&m);
	for (unsigned j = 0; j < a.n; j++)
		json_object_put(docs[j]);
	return rc;
}

/* Parses the command line: 0 to run, else the exit status (help, version, usage). */
static int parse_command_line(int argc, char **argv, struct lg_config *cfg, int *exit_status)
{
	char err[512] = "";
	int r = lg_parse_args(argc, argv, cfg, err, sizeof(err));

	*exit_status = 0;
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		*exit_status = 2;
	} else if (r == LG_PARSE_HELP) {
		fputs(lg_usage_text, stdout);
	} else if (r == LG_PARSE_VERSION) {
		printf(PROG " %s\n", BPFNIC_VERSION);
	}
	return r == LG_PARSE_RUN ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct lg_config cfg;
	struct lg_env env;
	struct lg_calibration cal = { 0 };
	struct run run = { .cfg = &cfg };
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	if (argc > 1 && !strcmp(argv[1], "merge"))
		return merge_main(argc - 2, argv + 2);
	if (parse_command_line(argc, argv, &cfg, &rc))
		return rc;
	if (open_outputs(&cfg, &run.csv)) {
		rc = 2;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lg_env_collect(&env);
	run.tty = isatty(STDERR_FILENO) && !cfg.quiet;

	rc = (cfg.calibrate ? calibrate(&run, &cal) : run_steps(&run)) ? 1 : 0;
	/* What was measured is written, also when a later step failed. */
	if (run.e && write_outputs(&run, &env, &cal))
		rc = 1;
out:
	if (run.csv && fclose(run.csv)) {
		fprintf(stderr, PROG ": --csv: cannot write '%s'\n", cfg.csv_path);
		rc = 1;
	}
	lg_engine_close(run.e);
	/* The calibration's copies of probes share these histograms: they go with them. */
	for (unsigned i = 0; run.steps && i < run.done; i++)
		lg_step_result_free(&run.steps[i]);
	free(run.steps);
	return rc;
}
