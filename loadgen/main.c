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
#include "engine.h"
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

static int run_probe(struct lg_engine *e, unsigned index, double rate,
		     uint64_t duration_ns, uint64_t warmup_ns, uint64_t drain_ns,
		     struct lg_step_result *out, struct progress_ctx *pctx, bool tty)
{
	char err[256] = "";
	int r = lg_engine_run_step(e, index, out->clients, rate, duration_ns, warmup_ns, drain_ns,
				   out, tty ? show_progress : NULL, pctx, err, sizeof(err));

	if (tty)
		clear_progress(pctx);
	if (r)
		fprintf(stderr, PROG ": step %u: %s\n", index + 1, err);
	return r;
}

/*
 * The next rate to probe for a bracket [lo valid, hi not valid] (0 = unknown): double
 * until something fails, then bisect to within 5 %; 0 once resolved.
 */
static double next_probe(double lo, double hi)
{
	if (hi == 0)
		return lo >= 2e7 ? 0 : (lo > 0 ? lo * 2 : 25000);
	if (lo == 0)
		return hi <= 1000 ? 0 : hi / 2;
	if (hi - lo <= 0.05 * lo)
		return 0;
	return (lo + hi) / 2;
}

int main(int argc, char **argv)
{
	struct lg_config cfg;
	struct lg_env env;
	struct lg_engine *e = NULL;
	struct lg_step_result *steps = NULL;
	struct lg_calibration cal = { 0 };
	struct progress_ctx pctx = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *csv = NULL, *json_probe;
	char err[512] = "";
	unsigned nsteps, max_clients, done = 0;
	bool tty;
	int r, rc = 0;

	r = lg_parse_args(argc, argv, &cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (r == LG_PARSE_HELP) {
		fputs(lg_usage_text, stdout);
		return 0;
	}
	if (r == LG_PARSE_VERSION) {
		printf(PROG " %s\n", BPFNIC_VERSION);
		return 0;
	}
	if (cfg.csv_path) {
		csv = fopen(cfg.csv_path, "we");
		if (!csv) {
			fprintf(stderr, PROG ": --csv: cannot open '%s': %s\n", cfg.csv_path, strerror(errno));
			return 2;
		}
		fputs(lg_csv_header, csv);
		fflush(csv);
	}
	if (cfg.json_path) {
		/* Fail now, not after a long run. */
		json_probe = fopen(cfg.json_path, "we");
		if (!json_probe) {
			fprintf(stderr, PROG ": --json: cannot open '%s': %s\n", cfg.json_path, strerror(errno));
			rc = 2;
			goto out;
		}
		fclose(json_probe);
	}
	if (cfg.plot_path && !in_path("gnuplot")) {
		fprintf(stderr, PROG ": --plot: gnuplot is not installed\n");
		rc = 2;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lg_env_collect(&env);
	tty = isatty(STDERR_FILENO) && !cfg.quiet;

	if (cfg.calibrate) {
		uint64_t dur = cfg.duration_set ? cfg.duration_ns : 1000000000ull;
		uint64_t warm = cfg.warmup_set ? cfg.warmup_ns : 200000000ull;
		uint64_t drain = cfg.drain_set ? cfg.drain_ns : 200000000ull;
		/* Two brackets, narrowed by the same probes: the highest valid rate, and the
		 * highest rate sent on schedule (valid implies on schedule). */
		double lo = 0, hi = 0, lo_s = 0, hi_s = 0, rate = 25000;
		unsigned cap = 40;

		steps = calloc(cap, sizeof(*steps));
		r = lg_engine_open(&e, &cfg, 1);
		if (!steps || r) {
			fprintf(stderr, PROG ": --target %s: cannot open a socket: %s\n", cfg.target_text,
				strerror(r ? -r : ENOMEM));
			rc = 1;
			goto out;
		}
		pctx.nsteps = 0;
		/* The client CPU's own noise first, while nothing else of ours runs. */
		lg_measure_stalls(cfg.n_cpus ? (int)cfg.cpus[0] : -1, 1000000000ull, &cal.stalls);
		/* Probe 1: the timing floor at a rate that keeps everything idle. */
		steps[0].clients = 1;
		if (run_probe(e, 0, 1000, dur, warm, drain, &steps[0], &pctx, tty)) {
			rc = 1;
			goto out;
		}
		done = 1;
		cal.floor = steps[0];
		if (!cfg.quiet)
			lg_print_step(stdout, &cfg, &steps[0], 0);
		if (csv)
			lg_csv_write_step(csv, &cfg, &steps[0]);
		while (!interrupted && done < cap && rate > 0) {
			struct lg_step_result *s = &steps[done];
			bool on_schedule;

			s->clients = 1;
			if (run_probe(e, done, rate, dur, warm, drain, s, &pctx, tty)) {
				rc = 1;
				goto out;
			}
			done++;
			if (!cfg.quiet)
				lg_print_step(stdout, &cfg, s, 0);
			if (csv)
				lg_csv_write_step(csv, &cfg, s);
			on_schedule = (double)s->sent >= 0.95 * (double)s->scheduled;
			if (s->valid && rate > lo) {
				lo = rate;
				cal.at_max = *s;
			} else if (!s->valid && (hi == 0 || rate < hi)) {
				hi = rate;
			}
			if (on_schedule && rate > lo_s)
				lo_s = rate;
			else if (!on_schedule && (hi_s == 0 || rate < hi_s))
				hi_s = rate;
			rate = next_probe(lo, hi);
			if (rate == 0)
				rate = next_probe(lo_s, hi_s);
		}
		cal.done = true;
		cal.max_valid_rps = lo;
		cal.max_ontime_rps = lo_s;
		lg_print_calibration(stdout, &cal);
	} else {
		nsteps = lg_config_steps(&cfg);
		max_clients = cfg.mode == LG_LOAD_CLIENTS ? cfg.clients_stop : cfg.threads;
		pctx.nsteps = nsteps;
		steps = calloc(nsteps, sizeof(*steps));
		r = steps ? lg_engine_open(&e, &cfg, max_clients) : -ENOMEM;
		if (r) {
			fprintf(stderr, PROG ": --target %s: cannot open sockets: %s\n", cfg.target_text,
				strerror(-r));
			rc = 1;
			goto out;
		}
		for (unsigned i = 0; i < nsteps && !interrupted; i++) {
			double rate;

			lg_config_step(&cfg, i, &steps[i].clients, &rate);
			if (run_probe(e, i, rate, cfg.duration_ns, cfg.warmup_ns, cfg.drain_ns,
				      &steps[i], &pctx, tty)) {
				rc = 1;
				break;
			}
			done++;
			if (!cfg.quiet)
				lg_print_step(stdout, &cfg, &steps[i], nsteps);
			if (csv)
				lg_csv_write_step(csv, &cfg, &steps[i]);
		}
		if (interrupted)
			fprintf(stderr, PROG ": interrupted after %u of %u steps\n", done, nsteps);
	}
	if (cfg.json_path && lg_json_write(cfg.json_path, &cfg, &env, steps, done, &cal)) {
		fprintf(stderr, PROG ": --json: cannot write '%s'\n", cfg.json_path);
		rc = 1;
	}
	if (cfg.plot_path && done) {
		r = lg_plot_write(cfg.plot_path, &cfg, steps, done);
		if (r) {
			fprintf(stderr, PROG ": --plot: gnuplot failed writing '%s' (%d)\n", cfg.plot_path, r);
			rc = 1;
		}
	}
out:
	if (csv && fclose(csv)) {
		fprintf(stderr, PROG ": --csv: cannot write '%s'\n", cfg.csv_path);
		rc = 1;
	}
	lg_engine_close(e);
	free(steps);
	return rc;
}
