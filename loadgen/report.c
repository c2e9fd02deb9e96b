/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "report.h"

static void read_line(const char *path, char *out, size_t len, const char *fallback)
{
	FILE *f = fopen(path, "re");

	snprintf(out, len, "%s", fallback);
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	else
		snprintf(out, len, "%s", fallback);
	fclose(f);
}

void lg_env_collect(struct lg_env *env)
{
	struct utsname u;
	FILE *f;
	char line[512];
	time_t now = time(NULL);
	struct tm tm;

	memset(env, 0, sizeof(*env));
	if (uname(&u) == 0)
		snprintf(env->kernel, sizeof(env->kernel), "%s %s %s %s", u.sysname, u.release,
			 u.version, u.machine);
	snprintf(env->cpu_model, sizeof(env->cpu_model), "unknown");
	f = fopen("/proc/cpuinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (colon && strncmp(line, "model name", 10) == 0) {
				colon++;
				while (*colon == ' ' || *colon == '\t')
					colon++;
				colon[strcspn(colon, "\n")] = 0;
				snprintf(env->cpu_model, sizeof(env->cpu_model), "%s", colon);
				break;
			}
		}
		fclose(f);
	}
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", env->governor,
		  sizeof(env->governor), "none");
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  env->clocksource, sizeof(env->clocksource), "unknown");
	env->online_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	gmtime_r(&now, &tm);
	strftime(env->started, sizeof(env->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool lg_class_shown(const struct lg_config *c, const struct lg_step_result *r, unsigned k)
{
	const struct lg_class_result *cr = &r->cls[k];

	if (k < 2 && c->mix[k] > 0)
		return true;
	return cr->counts.sent || cr->counts.received || cr->counts.invalid || cr->counts.send_failures;
}

/* The figures of a latency summary, in the order the table, the CSV and the JSON list them. */
static const struct figure {
	const char *name;   /* in the table's header and the JSON */
	const char *column; /* in CSV column names: rtt_<column>_us */
	size_t offset;      /* of its double in struct lg_summary */
} figures[] = {
	{ "p50", "p50", offsetof(struct lg_summary, p50) },
	{ "p90", "p90", offsetof(struct lg_summary, p90) },
	{ "p99", "p99", offsetof(struct lg_summary, p99) },
	{ "p99.9", "p999", offsetof(struct lg_summary, p999) },
	{ "p99.99", "p9999", offsetof(struct lg_summary, p9999) },
	{ "max", "max", offsetof(struct lg_summary, max) },
	{ "mean", "mean", offsetof(struct lg_summary, mean) },
};
#define NR_FIGURES (sizeof(figures) / sizeof(figures[0]))

static double figure_us(const struct lg_summary *s, const struct figure *fg)
{
	double ns;

	memcpy(&ns, (const char *)s + fg->offset, sizeof(ns));
	return ns / 1e3;
}

static void print_lat(FILE *f, const char *label, const struct lg_summary *s)
{
	fprintf(f, "  %-14s", label);
	if (!s->count)
		fprintf(f, " %9s", "-");
	for (size_t i = 0; s->count && i < NR_FIGURES; i++)
		fprintf(f, " %9.1f", figure_us(s, &figures[i]));
	fputc('\n', f);
}

void lg_print_step(FILE *f, const struct lg_config *c, const struct lg_step_result *r,
		   unsigned nsteps)
{
	char label[32];

	char head[32];

	if (nsteps)
		snprintf(head, sizeof(head), "step %u/%u", r->index + 1, nsteps);
	else
		snprintf(head, sizeof(head), "probe %u", r->index + 1);
	fprintf(f, "%s: %u client%s, offered %.0f rps, achieved %.0f rps, %s%s%s\n",
		head, r->clients, r->clients == 1 ? "" : "s", r->offered_rps,
		r->achieved_rps, r->valid ? "valid" : "NOT VALID", r->valid ? "" : ": ", r->reason);
	fprintf(f, "  %-8s %12s %12s %10s %9s %9s\n", "class", "sent", "received", "lost",
		"invalid", "sendfail");
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		const struct lg_class_result *cr = &r->cls[k];

		if (!lg_class_shown(c, r, k))
			continue;
		fprintf(f, "  %-8s %12llu %12llu %10llu %9llu %9llu\n", lg_class_names[k],
			(unsigned long long)cr->counts.sent, (unsigned long long)cr->counts.received,
			(unsigned long long)cr->counts.lost, (unsigned long long)cr->counts.invalid,
			(unsigned long long)cr->counts.send_failures);
	}
	fprintf(f, "  %-14s", "latency (us)");
	for (size_t i = 0; i < NR_FIGURES; i++)
		fprintf(f, " %9s", figures[i].name);
	fputc('\n', f);
	for (unsigned k = 0; k < 2; k++) {
		if (!lg_class_shown(c, r, k))
			continue;
		snprintf(label, sizeof(label), "%s rtt", lg_class_names[k]);
		print_lat(f, label, &r->cls[k].rtt);
		snprintf(label, sizeof(label), "%s qdelay", lg_class_names[k]);
		print_lat(f, label, &r->cls[k].qdelay);
	}
	print_lat(f, "send lag", &r->send_lag);
	fputc('\n', f);
	fflush(f);
}

void lg_print_calibration(FILE *f, const struct lg_calibration *cal)
{
	const struct lg_step_result *fl = &cal->floor;

	const struct lg_stalls *st = &cal->stalls;

	char cpu[32];

	if (st->cpu < 0)
		snprintf(cpu, sizeof(cpu), "unpinned");
	else
		snprintf(cpu, sizeof(cpu), "cpu %d", st->cpu);
	fprintf(f, "calibration (1 thread, server at zero service time)\n");
	fprintf(f, "  %s: a spinning thread was stalled %.2f %% of %.1f s; stalls > 10 us: "
		"%.0f/s, > 100 us: %.0f/s, > 1 ms: %.0f/s, longest %.1f us\n",
		cpu, 100 * st->stalled_fraction, st->seconds,
		st->over_10us / st->seconds, st->over_100us / st->seconds,
		st->over_1ms / st->seconds, st->max_us);
	fprintf(f, "  timing floor at %.0f rps: rtt min %.1f us, p50 %.1f us, p99 %.1f us; "
		"send lag p50 %.1f us, p99 %.1f us; qdelay p50 %.1f us\n",
		fl->offered_rps, fl->cls[0].rtt.min / 1e3, fl->cls[0].rtt.p50 / 1e3,
		fl->cls[0].rtt.p99 / 1e3, fl->send_lag.p50 / 1e3, fl->send_lag.p99 / 1e3,
		fl->cls[0].qdelay.p50 / 1e3);
	if (cal->max_valid_rps > 0)
		fprintf(f, "  ceiling: %.0f requests/s per thread (valid; lost %llu of %llu, "
			"send lag p99 %.1f us, rtt p99 %.1f us)\n",
			cal->max_valid_rps, (unsigned long long)cal->at_max.counts.lost,
			(unsigned long long)cal->at_max.counts.sent, cal->at_max.send_lag.p99 / 1e3,
			cal->at_max.cls[0].rtt.p99 / 1e3);
	else
		fprintf(f, "  ceiling: no probed rate was valid\n");
	fprintf(f, "  on schedule (sent within 5 %%, any send lag) up to %.0f requests/s per thread\n",
		cal->max_ontime_rps);
	fflush(f);
}

void lg_csv_write_header(FILE *f)
{
	static const char *const kinds[] = { "rtt", "qdelay" };

	fputs("step,clients,offered_rps,achieved_rps,class,sent,received,lost,invalid,send_failures", f);
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < NR_FIGURES; i++)
			fprintf(f, ",%s_%s_us", kinds[k], figures[i].column);
	fputs(",sendlag_p99_us,client_rx_drops,wall_start_ns,wall_end_ns,valid,reason\n", f);
	fflush(f);
}

/* A CSV field in double quotes, quotes inside doubled (RFC 4180). */
static void csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_lat(FILE *f, const struct lg_summary *s)
{
	for (size_t i = 0; i < NR_FIGURES; i++)
		fprintf(f, ",%.3f", figure_us(s, &figures[i]));
}

void lg_csv_write_step(FILE *f, const struct lg_config *c, const struct lg_step_result *r)
{
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		const struct lg_class_result *cr = &r->cls[k];

		if (!lg_class_shown(c, r, k))
			continue;
		fprintf(f, "%u,%u,%.0f,%.0f,%s,%llu,%llu,%llu,%llu,%llu", r->index + 1, r->clients,
			r->offered_rps, r->achieved_rps, lg_class_names[k],
			(unsigned long long)cr->counts.sent, (unsigned long long)cr->counts.received,
			(unsigned long long)cr->counts.lost, (unsigned long long)cr->counts.invalid,
			(unsigned long long)cr->counts.send_failures);
		csv_lat(f, &cr->rtt);
		csv_lat(f, &cr->qdelay);
		fprintf(f, ",%.3f,%llu,%llu,%llu,%d,", r->send_lag.p99 / 1e3,
			(unsigned long long)r->rx_drops, (unsigned long long)r->wall_start_ns,
			(unsigned long long)r->wall_end_ns, r->valid ? 1 : 0);
		csv_text(f, r->reason);
		fputc('\n', f);
	}
	fflush(f);
}

/* ---------------------------------------------------------------------------------- */

static json_object *jdouble(double v)
{
	/* Three decimals are plenty for microseconds and keep the file readable. */
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

static json_object *jsummary_us(const struct lg_summary *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "count", json_object_new_uint64(s->count));
	json_object_object_add(o, "min", jdouble(s->min / 1e3));
	for (size_t i = 0; i < NR_FIGURES; i++)
		json_object_object_add(o, figures[i].name, jdouble(figure_us(s, &figures[i])));
	return o;
}

json_object *lg_hist_json(const struct bpfnic_hist_sparse *h)
{
	json_object *o = json_object_new_object(), *b = json_object_new_array();

	json_object_object_add(o, "sub_bits", json_object_new_int(BPFNIC_LG_HIST_SUB_BITS));
	json_object_object_add(o, "count", json_object_new_uint64(h->count));
	json_object_object_add(o, "clamped", json_object_new_uint64(h->clamped));
	json_object_object_add(o, "min_ns", json_object_new_uint64(h->count ? h->min : 0));
	json_object_object_add(o, "max_ns", json_object_new_uint64(h->count ? h->max : 0));
	json_object_object_add(o, "sum_ns", json_object_new_double(h->sum));
	for (uint32_t i = 0; i < h->n; i++) {
		json_object *pair = json_object_new_array();

		json_object_array_add(pair, json_object_new_int64(h->b[i].index));
		json_object_array_add(pair, json_object_new_uint64(h->b[i].count));
		json_object_array_add(b, pair);
	}
	json_object_object_add(o, "buckets", b);
	return o;
}

/* The accounting, the same fields for a step and for each of its classes. */
static void jcounts(json_object *o, const struct lg_counts *n)
{
	json_object_object_add(o, "sent", json_object_new_uint64(n->sent));
	json_object_object_add(o, "received", json_object_new_uint64(n->received));
	json_object_object_add(o, "lost", json_object_new_uint64(n->lost));
	json_object_object_add(o, "invalid", json_object_new_uint64(n->invalid));
	json_object_object_add(o, "send_failures", json_object_new_uint64(n->send_failures));
}

json_object *lg_json_step(const struct lg_config *c, const struct lg_step_result *r)
{
	json_object *o = json_object_new_object(), *classes = json_object_new_object();

	json_object_object_add(o, "step", json_object_new_int((int)r->index + 1));
	json_object_object_add(o, "clients", json_object_new_int((int)r->clients));
	json_object_object_add(o, "offered_rps", jdouble(r->offered_rps));
	json_object_object_add(o, "achieved_rps", jdouble(r->achieved_rps));
	json_object_object_add(o, "valid", json_object_new_boolean(r->valid));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	json_object_object_add(o, "duration_s", jdouble((double)r->duration_ns / 1e9));
	json_object_object_add(o, "warmup_start_ns", json_object_new_uint64(r->warmup_start_ns));
	json_object_object_add(o, "wall_start_ns", json_object_new_uint64(r->wall_start_ns));
	json_object_object_add(o, "wall_end_ns", json_object_new_uint64(r->wall_end_ns));
	json_object_object_add(o, "scheduled", json_object_new_uint64(r->scheduled));
	jcounts(o, &r->counts);
	json_object_object_add(o, "stale_replies", json_object_new_uint64(r->stale));
	json_object_object_add(o, "warmup_replies", json_object_new_uint64(r->warmup_replies));
	json_object_object_add(o, "kernel_rx_timestamps", json_object_new_boolean(r->kernel_timestamps));
	json_object_object_add(o, "client_rx_drops", json_object_new_uint64(r->rx_drops));
	json_object_object_add(o, "mean_gap_us", jdouble(r->mean_gap_ns / 1e3));
	json_object_object_add(o, "send_lag_us", jsummary_us(&r->send_lag));
	json_object_object_add(o, "send_lag_hist", lg_hist_json(&r->send_lag_hist));
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		const struct lg_class_result *cr = &r->cls[k];
		json_object *co;

		if (!lg_class_shown(c, r, k))
			continue;
		co = json_object_new_object();
		jcounts(co, &cr->counts);
		json_object_object_add(co, "rtt_us", jsummary_us(&cr->rtt));
		json_object_object_add(co, "qdelay_us", jsummary_us(&cr->qdelay));
		if (k < 2) { /* "other" replies have no class to measure */
			json_object_object_add(co, "rtt_hist", lg_hist_json(&cr->rtt_hist));
			json_object_object_add(co, "qdelay_hist", lg_hist_json(&cr->qdelay_hist));
		}
		json_object_object_add(classes, lg_class_names[k], co);
	}
	json_object_object_add(o, "classes", classes);
	return o;
}

json_object *lg_json_config(const struct lg_config *c)
{
	static const char *const modes[] = { "rate", "sweep", "clients" };
	json_object *o = json_object_new_object(), *cpus = json_object_new_array(),
		    *mix = json_object_new_object();

	json_object_object_add(o, "target", json_object_new_string(c->target_text));
	json_object_object_add(o, "load", json_object_new_string(modes[c->mode]));
	json_object_object_add(o, "rate", jdouble(c->rate));
	if (c->mode == LG_LOAD_SWEEP) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "start", jdouble(c->sweep_start));
		json_object_object_add(s, "stop", jdouble(c->sweep_stop));
		json_object_object_add(s, "step", jdouble(c->sweep_step));
		json_object_object_add(o, "sweep", s);
	}
	if (c->mode == LG_LOAD_CLIENTS) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "start", json_object_new_int((int)c->clients_start));
		json_object_object_add(s, "stop", json_object_new_int((int)c->clients_stop));
		json_object_object_add(o, "clients", s);
	}
	json_object_object_add(o, "duration_s", jdouble((double)c->duration_ns / 1e9));
	json_object_object_add(o, "warmup_s", jdouble((double)c->warmup_ns / 1e9));
	json_object_object_add(o, "drain_s", jdouble((double)c->drain_ns / 1e9));
	json_object_object_add(o, "arrivals", json_object_new_string(bpfnic_arrivals_names[c->arrivals]));
	json_object_object_add(o, "seed", json_object_new_uint64(c->seed));
	json_object_object_add(mix, "short", json_object_new_int((int)c->mix[0]));
	json_object_object_add(mix, "long", json_object_new_int((int)c->mix[1]));
	json_object_object_add(o, "mix", mix);
	json_object_object_add(o, "format", json_object_new_string(bpfnic_format_names[c->format]));
	{
		json_object *sv = json_object_new_object();

		json_object_object_add(sv, "short", jdouble((double)c->service_ns[0] / 1e3));
		json_object_object_add(sv, "long", jdouble((double)c->service_ns[1] / 1e3));
		json_object_object_add(o, "service_us", sv);
	}
	json_object_object_add(o, "request_bytes", json_object_new_int((int)bpfnic_format_len(c->format)));
	json_object_object_add(o, "threads", json_object_new_int((int)c->threads));
	for (unsigned i = 0; i < c->n_cpus; i++)
		json_object_array_add(cpus, json_object_new_int(c->cpus[i]));
	json_object_object_add(o, "cpus", cpus);
	json_object_object_add(o, "flows", json_object_new_int((int)(c->flows ? c->flows :
		c->mode == LG_LOAD_CLIENTS ? c->clients_stop : c->threads)));
	json_object_object_add(o, "batch", json_object_new_int((int)c->batch));
	json_object_object_add(o, "spin_us", jdouble((double)c->spin_ns / 1e3));
	json_object_object_add(o, "calibrate", json_object_new_boolean(c->calibrate));
	return o;
}

int lg_json_write(const char *path, const struct lg_config *c, const struct lg_env *env,
		  const struct lg_step_result *steps, unsigned nsteps,
		  const struct lg_calibration *cal)
{
	json_object *root = json_object_new_object(), *e = json_object_new_object(),
		    *arr = json_object_new_array();
	int r = 0;

	json_object_object_add(root, "tool", json_object_new_string("bpfnic-loadgen"));
	json_object_object_add(root, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(root, "config", lg_json_config(c));
	json_object_object_add(e, "kernel", json_object_new_string(env->kernel));
	json_object_object_add(e, "cpu_model", json_object_new_string(env->cpu_model));
	json_object_object_add(e, "online_cpus", json_object_new_int((int)env->online_cpus));
	json_object_object_add(e, "governor", json_object_new_string(env->governor));
	json_object_object_add(e, "clocksource", json_object_new_string(env->clocksource));
	json_object_object_add(e, "started", json_object_new_string(env->started));
	json_object_object_add(root, "environment", e);
	for (unsigned i = 0; i < nsteps; i++)
		json_object_array_add(arr, lg_json_step(c, &steps[i]));
	json_object_object_add(root, "steps", arr);
	if (cal && cal->done) {
		json_object *co = json_object_new_object(), *fl = json_object_new_object();

		json_object_object_add(fl, "rate_rps", jdouble(cal->floor.offered_rps));
		json_object_object_add(fl, "rtt_us", jsummary_us(&cal->floor.cls[0].rtt));
		json_object_object_add(fl, "qdelay_us", jsummary_us(&cal->floor.cls[0].qdelay));
		json_object_object_add(fl, "send_lag_us", jsummary_us(&cal->floor.send_lag));
		json_object_object_add(co, "timing_floor", fl);
		json_object_object_add(co, "max_valid_rps_per_thread", jdouble(cal->max_valid_rps));
		json_object_object_add(co, "max_on_schedule_rps_per_thread", jdouble(cal->max_ontime_rps));
		{
			json_object *so = json_object_new_object();

			json_object_object_add(so, "cpu", json_object_new_int(cal->stalls.cpu));
			json_object_object_add(so, "seconds", jdouble(cal->stalls.seconds));
			json_object_object_add(so, "stalled_fraction",
					       json_object_new_double(cal->stalls.stalled_fraction));
			json_object_object_add(so, "over_10us", json_object_new_uint64(cal->stalls.over_10us));
			json_object_object_add(so, "over_100us", json_object_new_uint64(cal->stalls.over_100us));
			json_object_object_add(so, "over_1ms", json_object_new_uint64(cal->stalls.over_1ms));
			json_object_object_add(so, "max_us", jdouble(cal->stalls.max_us));
			json_object_object_add(co, "cpu_stalls", so);
		}
		json_object_object_add(root, "calibration", co);
	}
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE))
		r = -EIO;
	json_object_put(root);
	return r;
}

/* ---------------------------------------------------------------------------------- */

int lg_plot_write(const char *path, const struct lg_config *c, const struct lg_step_result *steps,
		  unsigned nsteps)
{
	static const char *const series[] = { "short", "long" };
	FILE *g;
	int status;

	/* gnuplot reads the script on stdin; the data travels inline as datablocks. */
	g = popen("gnuplot", "we");
	if (!g)
		return -errno;
	{
		size_t n = strlen(path);

		/* SVG; PNG when the name says so (handy where no SVG viewer is). */
		if (n > 4 && strcasecmp(path + n - 4, ".png") == 0)
			fprintf(g, "set terminal pngcairo size 900,700 enhanced font 'sans,10'\n");
		else
			fprintf(g, "set terminal svg size 900,700 dynamic enhanced font 'sans,11'\n");
	}
	fprintf(g, "set output '");
	for (const char *p = path; *p; p++) { /* single-quoted gnuplot string: double the quotes */
		if (*p == '\'')
			fputc('\'', g);
		fputc(*p, g);
	}
	fprintf(g, "'\n");
	for (unsigned k = 0; k < 2; k++) {
		fprintf(g, "$%s << EOD\n", series[k]);
		for (unsigned i = 0; i < nsteps; i++) {
			const struct lg_class_result *cr = &steps[i].cls[k];

			if (!cr->counts.received)
				continue;
			/* x: clients when stepping clients (the thesis' figures), else offered load. */
			fprintf(g, "%.0f %.3f %.3f %d\n", c->mode == LG_LOAD_CLIENTS ?
				(double)steps[i].clients : steps[i].offered_rps, cr->qdelay.p99 / 1e3,
				cr->rtt.p99 / 1e3, steps[i].valid ? 1 : 0);
		}
		fprintf(g, "EOD\n");
	}
	fprintf(g, "set multiplot layout 2,1 title 'bpfnic-loadgen %s, %s arrivals'\n",
		c->target_text, c->arrivals == BPFNIC_ARRIVALS_POISSON ? "Poisson" : "constant");
	fprintf(g, "set grid\nset key top left\nset logscale y\n");
	if (c->mode == LG_LOAD_CLIENTS)
		fprintf(g, "set xlabel 'clients (%.0f requests/s each)'\n", c->rate);
	else
		fprintf(g, "set xlabel 'offered load (requests/s)'\n");
	for (int panel = 0; panel < 2; panel++) {
		bool first = true;

		fprintf(g, "set ylabel '%s (us)'\n", panel == 0 ? "p99 queuing delay" : "p99 RTT");
		fprintf(g, "plot ");
		for (unsigned k = 0; k < 2; k++) {
			bool have = false;

			for (unsigned i = 0; i < nsteps; i++)
				have |= steps[i].cls[k].counts.received > 0;
			if (!have)
				continue;
			fprintf(g, "%s$%s using 1:%d with linespoints title '%s'", first ? "" : ", ",
				series[k], panel == 0 ? 2 : 3, series[k]);
			first = false;
		}
		if (first)
			fprintf(g, "NaN title 'no replies'");
		fprintf(g, "\n");
	}
	fprintf(g, "unset multiplot\n");
	status = pclose(g);
	if (status == -1)
		return -errno;
	if (!WIFEXITED(status))
		return -EIO;
	return WEXITSTATUS(status);
}
