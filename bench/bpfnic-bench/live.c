/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live backend: the lab or real hosts, see live.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bpfnic-bench/envinfo.h"
#include "bench/bpfnic-bench/live.h"
#include "bench/bpfnic-bench/spawn.h"
#include "datapath/datapath.h"
#include "why.h"

#define CTL_TIMEOUT_MS   15000u
#define LAB_TIMEOUT_MS   60000u
#define PROBE_TIMEOUT_MS 30000u
#define DAEMON_START_MS  30000u
#define PREFIX_MAX       512u

struct live {
	const struct bench_paths *paths;
	bool lab;
	char lab_name[16], srv_ns[32], cli_ns[32], srv_if[32];
	char srv_prefix[PREFIX_MAX];
	char ctl[PATH_MAX];
	char socket[108];
	char cli_prefix[BENCH_MAX_CLIENTS][PREFIX_MAX];
	bool cli_local[BENCH_MAX_CLIENTS];      /* its CPU time is measurable here */
	unsigned n_cli;
	char loadgen[PATH_MAX];                 /* as the client prefixes run it */
	char target[128];
	char dir[PATH_MAX];
	char tmp[64];
	char conf_text[1024];
	pid_t daemon;
	int daemon_pid;                         /* bpfnicd's, as GetInfo says (its host's) */
	unsigned cpus[BPFNIC_MAX_CPUS];
	unsigned k;
	char (*gov_orig)[32];                   /* per CPU of cpus, once read */
	bool gov_changed;
	json_object *orig_policy;               /* restored on a real server */
	bool policy_changed;
	bool since_unsupported;
	int64_t since_usec;
};

static int fail_cmd(const char *what, int r, const struct bench_cmd_result *res, char *err,
		    size_t errlen)
{
	if (r == -ETIMEDOUT)
		return bench_fail(err, errlen, -ETIMEDOUT, "%s: no answer in time", what);
	if (r == -EINTR)
		return bench_fail(err, errlen, -EINTR, "%s: interrupted", what);
	if (r < 0)
		return bench_fail(err, errlen, r, "%s: %s", what, strerror(-r));
	bpfnic_why(err, errlen, "%s exited with status %d%s%s", what, res->status,
		   res->err[0] ? ": " : "", res->err);
	return -EIO;
}

/* ---- bpfnicctl ----------------------------------------------------------------------------- */

/* bpfnicctl [--socket S] --json ARGS... on the server; its reply parsed into *reply. */
static int ctl(struct live *l, const char *const args[], json_object **reply, int *status,
	       char *err, size_t errlen)
{
	const char *argv[48];
	struct bench_cmd_result res;
	unsigned n = 0;
	int r;

	argv[n++] = l->ctl;
	if (l->socket[0]) {
		argv[n++] = "--socket";
		argv[n++] = l->socket;
	}
	argv[n++] = "--json";
	for (unsigned i = 0; args[i] && n < 47; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (reply)
		*reply = NULL;
	r = bench_cmd(l->srv_prefix, argv, NULL, CTL_TIMEOUT_MS, &res);
	if (status)
		*status = r < 0 ? -1 : res.status;
	if (r < 0 || res.status != 0) {
		char what[96];
		static const char *const meaning[] = { NULL, "bpfnicd refused", "bpfnicctl usage error",
						       "cannot reach bpfnicd" };

		if (r == 0 && res.status >= 1 && res.status <= 3) {
			bpfnic_why(err, errlen, "bpfnicctl %s: %s%s%s", args[0], meaning[res.status],
				   res.err[0] ? ": " : "", res.err);
			bench_cmd_result_free(&res);
			return -EIO;
		}
		snprintf(what, sizeof(what), "bpfnicctl %s", args[0]);
		r = fail_cmd(what, r, &res, err, errlen);
		bench_cmd_result_free(&res);
		return r;
	}
	if (reply) {
		enum json_tokener_error je;

		*reply = json_tokener_parse_verbose(res.out, &je);
		if (!*reply || !json_object_is_type(*reply, json_type_object)) {
			json_object_put(*reply);
			*reply = NULL;
			bpfnic_why(err, errlen, "bpfnicctl %s: not a JSON object", args[0]);
			bench_cmd_result_free(&res);
			return -EIO;
		}
	}
	bench_cmd_result_free(&res);
	return 0;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* ---- the lab ------------------------------------------------------------------------------- */

static int lab_cmd(struct live *l, const char *verb, struct bench_cmd_result *res, char *err,
		   size_t errlen)
{
	char env[64];
	const char *argv[] = { "env", env, l->paths->lab, verb, NULL };
	int r;

	snprintf(env, sizeof(env), "BPFNIC_LAB=%s", l->lab_name);
	r = bench_cmd(NULL, argv, NULL, LAB_TIMEOUT_MS, res);
	if (r < 0) {
		char what[64];

		snprintf(what, sizeof(what), "lab %s", verb);
		return fail_cmd(what, r, res, err, errlen);
	}
	return 0;
}

/* "KEY=value" of scripts/lab env. */
static int env_value(const char *out, const char *key, char *dst, size_t size)
{
	size_t n = strlen(key);

	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == '=') {
			size_t len = strcspn(p + n + 1, "\n");

			if (len >= size)
				return -EINVAL;
			memcpy(dst, p + n + 1, len);
			dst[len] = '\0';
			return 0;
		}
	return -ENOENT;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int r = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		r = -EIO;
	if (fclose(f) != 0 && !r)
		r = -errno;
	return r;
}

static int lab_up(struct live *l, const struct bench_live_opts *o, char *err, size_t errlen)
{
	struct bench_cmd_result res;
	char ip4[64], path[PATH_MAX + 32];
	int r;

	/* Another run's lab (or a user's) of that name: never take it over. */
	if ((r = lab_cmd(l, "status", &res, err, errlen)) < 0)
		return r;
	bench_cmd_result_free(&res);
	if (res.status == 0)
		return bench_fail(err, errlen, -EEXIST, "a lab called %s exists already (another run?): "
			       "remove it (BPFNIC_LAB=%s %s down) or set BPFNIC_LAB to another "
			       "name", l->lab_name, l->lab_name, l->paths->lab);
	if ((r = lab_cmd(l, "up", &res, err, errlen)) < 0)
		return r;
	bench_cmd_result_free(&res);
	if (res.status != 0)
		return bench_fail(err, errlen, -EIO, "lab up failed (status %d): %s", res.status, res.err);
	if ((r = lab_cmd(l, "env", &res, err, errlen)) < 0)
		return r;
	if (res.status || env_value(res.out, "LAB_SRV_NS", l->srv_ns, sizeof(l->srv_ns)) ||
	    env_value(res.out, "LAB_CLI_NS", l->cli_ns, sizeof(l->cli_ns)) ||
	    env_value(res.out, "LAB_SRV_IF", l->srv_if, sizeof(l->srv_if)) ||
	    env_value(res.out, "LAB_SRV_IP4", ip4, sizeof(ip4))) {
		bench_cmd_result_free(&res);
		return bench_fail(err, errlen, -EIO, "lab env: not the names and addresses expected");
	}
	bench_cmd_result_free(&res);
	snprintf(l->target, sizeof(l->target), "%s:7777", ip4);
	snprintf(l->tmp, sizeof(l->tmp), "/tmp/bpfnic-bench.XXXXXX");
	if (!mkdtemp(l->tmp)) {
		r = -errno;
		l->tmp[0] = '\0';
		return bench_fail(err, errlen, r, "cannot make a directory in /tmp: %s", strerror(-r));
	}
	snprintf(l->socket, sizeof(l->socket), "%s/control.sock", l->tmp);
	/* Every online CPU is a candidate; requests ask for their own service time. */
	snprintf(l->conf_text, sizeof(l->conf_text),
		 "# bpfnicd.conf written by bpfnic-bench for lab %s\n"
		 "[Daemon]\nInterface=%s\nPort=7777\nControlSocket=%s\nAdminGroup=root\n\n"
		 "[Workload]\nShortUs=%u\nLongUs=%u\nMaxUs=10000\n\n"
		 "[Dynamic]\n# Statistics windows of 100 ms: a few per step even with --quick.\n"
		 "IntervalMs=100\n", l->lab_name, l->srv_if, l->socket,
		 o->service_us[0] ? o->service_us[0] : 6, o->service_us[1] ? o->service_us[1] : 60);
	snprintf(path, sizeof(path), "%s/bpfnicd.conf", l->dir);
	if ((r = write_file(path, l->conf_text)) < 0)
		return bench_fail(err, errlen, r, "cannot write %s: %s", path, strerror(-r));
	{
		char log[PATH_MAX + 32];
		const char *argv[] = { "ip", "netns", "exec", l->srv_ns, l->paths->bpfnicd, "--config",
				       path, "--log-target", "stderr", NULL };
		int64_t deadline = bench_mono_ms() + DAEMON_START_MS;

		snprintf(log, sizeof(log), "%s/bpfnicd.log", l->dir);
		if ((r = bench_spawn_bg(argv, log, &l->daemon)) < 0)
			return bench_fail(err, errlen, r, "cannot start bpfnicd: %s", strerror(-r));
		for (;;) {
			const char *args[] = { "status", NULL };
			char why[256];

			if (ctl(l, args, NULL, NULL, why, sizeof(why)) == 0)
				break;
			if (!bench_bg_alive(l->daemon)) {
				l->daemon = 0;
				return bench_fail(err, errlen, -EIO, "bpfnicd did not start (its log: %s)", log);
			}
			if (bench_interrupted || bench_mono_ms() > deadline)
				return bpfnic_why(err, errlen, "bpfnicd does not answer (%s; log: %s)",
					       why, log), -ETIMEDOUT;
			bench_sleep_ms(100);
		}
	}
	return 0;
}

/* ---- operations ---------------------------------------------------------------------------- */

static int live_describe(void *b, struct bench_server *srv, char *err, size_t errlen)
{
	struct live *l = b;
	const char *version_args[] = { "version", NULL }, *status_args[] = { "status", NULL };
	json_object *info = NULL, *status = NULL, *cpus, *w;
	int r;

	memset(srv, 0, sizeof(*srv));
	if ((r = ctl(l, version_args, &info, NULL, err, errlen)) < 0)
		return r;
	if ((r = ctl(l, status_args, &status, NULL, err, errlen)) < 0) {
		json_object_put(info);
		return r;
	}
	/* bpfnicctl --json version: GetInfo's reply. */
	l->daemon_pid = json_object_get_int(get(info, "pid"));
	cpus = get(info, "candidate_cpus");
	if (!cpus)
		cpus = get(get(status, "groups"), "main");
	for (size_t i = 0; cpus && json_object_is_type(cpus, json_type_array) &&
			   i < json_object_array_length(cpus) && srv->k < BPFNIC_MAX_CPUS; i++)
		srv->cpus[srv->k++] = (unsigned)json_object_get_int(json_object_array_get_idx(cpus, i));
	snprintf(srv->version, sizeof(srv->version), "%s",
		 get(status, "version") ? json_object_get_string(get(status, "version")) : "?");
	w = get(status, "workload");
	srv->service_us[0] = json_object_get_double(get(w, "short_us"));
	srv->service_us[1] = json_object_get_double(get(w, "long_us"));
	srv->max_us = json_object_get_double(get(w, "max_us"));
	/* The lab's bpfnicd runs with the default queue; a real server does not say its own. */
	srv->queue_size = l->lab ? BPFNIC_DP_DEFAULT_QUEUE_SIZE : 0;
	srv->policy = json_object_get(get(status, "policy"));
	if (!l->orig_policy)
		l->orig_policy = json_object_get(srv->policy);
	l->k = srv->k;
	memcpy(l->cpus, srv->cpus, sizeof(l->cpus));
	json_object_put(info);
	json_object_put(status);
	if (!srv->k)
		return bench_fail(err, errlen, -EIO, "bpfnicd reports no candidate CPU");
	return 0;
}

static int run_sh(struct live *l, const char *prefix, const char *script,
		  struct bench_cmd_result *res, char *err, size_t errlen)
{
	const char *argv[] = { "sh", "-s", NULL };
	int r = bench_cmd(prefix, argv, script, PROBE_TIMEOUT_MS, res);

	(void)l;
	if (r < 0)
		return fail_cmd("sh -s", r, res, err, errlen);
	return 0;
}

static int live_set_governor(void *b, const char *governor, char *current, size_t size, char *err,
			     size_t errlen)
{
	struct live *l = b;
	const char **govs = NULL;
	char script[8192];
	struct bench_cmd_result res;
	int r;

	if (!l->gov_orig) {
		l->gov_orig = calloc(l->k ? l->k : 1, sizeof(*l->gov_orig));
		if (!l->gov_orig)
			return -ENOMEM;
		bench_governor_script(l->cpus, NULL, l->k, script, sizeof(script));
		if ((r = run_sh(l, l->srv_prefix, script, &res, err, errlen)) < 0)
			goto forget;
		if (res.status == BENCH_GOVERNOR_NO_CPUFREQ) {
			snprintf(current, size, "no cpufreq");
			bench_cmd_result_free(&res);
			r = -EOPNOTSUPP;
			goto forget;
		}
		if (res.status || bench_governor_parse(res.out, l->cpus, l->k, l->gov_orig)) {
			r = bench_fail(err, errlen, -EIO, "cannot read the worker CPUs' governors: %s",
				       res.err[0] ? res.err : "unexpected output");
			bench_cmd_result_free(&res);
			goto forget;
		}
		bench_cmd_result_free(&res);
	}
	if (!governor && !l->gov_changed)
		return 0;
	govs = calloc(l->k, sizeof(*govs));
	if (!govs)
		return -ENOMEM;
	for (unsigned i = 0; i < l->k; i++)
		govs[i] = governor ? governor : l->gov_orig[i];
	bench_governor_script(l->cpus, govs, l->k, script, sizeof(script));
	free(govs);
	if ((r = run_sh(l, l->srv_prefix, script, &res, err, errlen)) < 0)
		return r;
	if (res.status) {
		r = bench_fail(err, errlen, -EIO, "the server refused governor %s (status %d)%s%s",
			       governor ? governor : l->gov_orig[0], res.status,
			       res.err[0] ? ": " : "", res.err);
		bench_cmd_result_free(&res);
		return r;
	}
	bench_cmd_result_free(&res);
	l->gov_changed = governor != NULL;
	snprintf(current, size, "%s", governor ? governor : l->gov_orig[0]);
	return 0;
forget:
	free(l->gov_orig);
	l->gov_orig = NULL;
	return r;
}

static int apply(struct live *l, const struct bench_policy_cmd *cmd, json_object **reply, char *err,
		 size_t errlen)
{
	const char *args[2 * BENCH_MAX_ARM_PARAMS + 8];
	unsigned n = 0;

	args[n++] = "policy";
	args[n++] = bpfnic_policy_name(cmd->policy);
	for (unsigned i = 0; i < cmd->n; i++) {
		args[n++] = cmd->flag[i];
		args[n++] = cmd->value[i];
	}
	args[n] = NULL;
	return ctl(l, args, reply, NULL, err, errlen);
}

static int live_set_policy(void *b, const struct bench_policy_cmd *cmd, struct bench_applied *out,
			   char *err, size_t errlen)
{
	struct live *l = b;
	json_object *reply = NULL, *groups;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = apply(l, cmd, &reply, err, errlen)) < 0)
		return r;
	l->policy_changed = true;
	groups = get(reply, "groups");
	out->n_main = get(groups, "main") ? (unsigned)json_object_array_length(get(groups, "main")) : 0;
	out->n_long = get(groups, "long") ? (unsigned)json_object_array_length(get(groups, "long")) : 0;
	out->max_cpus = (unsigned)json_object_get_int(get(get(reply, "policy"), "max_cpus"));
	out->policy = json_object_get(get(reply, "policy"));
	json_object_put(reply);
	return 0;
}

/* Reads the server's windows and changes since the last read into s. */
static int fetch_series(struct live *l, struct bench_series *s, char *err, size_t errlen)
{
	char since[32];
	const char *args[] = { "stats", "--since", since, NULL };
	json_object *reply = NULL;
	int64_t t;
	int status, r;

	if (l->since_unsupported)
		return 0;
	/* From the newest window read, or from when the backend opened. */
	t = s->newest_usec ? s->newest_usec : l->since_usec;
	/* bpfnicctl takes a Unix time in seconds. */
	snprintf(since, sizeof(since), "%" PRId64 ".%06" PRId64, t / 1000000, t % 1000000);
	r = ctl(l, args, &reply, &status, err, errlen);
	if (r < 0 && status == 2) {
		/* A bpfnicctl without --since: its daemon has no window ring either. */
		l->since_unsupported = true;
		return 0;
	}
	if (r < 0)
		return r;
	r = bench_series_parse(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN), s, err,
			       errlen);
	json_object_put(reply);
	return r;
}

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1))) {
		len = fread(buf, 1, (size_t)size, f);
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Merges the clients' documents (bpfnic-loadgen merge) into one; returns it (malloc'd). */
static char *merge(struct live *l, char paths[][PATH_MAX + 64], unsigned n, const char *out,
		   char *err, size_t errlen)
{
	const char *argv[BENCH_MAX_CLIENTS + 6];
	struct bench_cmd_result res;
	unsigned k = 0;
	char *doc;
	int r;

	argv[k++] = l->paths->loadgen;
	argv[k++] = "merge";
	for (unsigned i = 0; i < n; i++)
		argv[k++] = paths[i];
	argv[k++] = "--json";
	argv[k++] = out;
	argv[k] = NULL;
	r = bench_cmd(NULL, argv, NULL, CTL_TIMEOUT_MS, &res);
	if (r < 0 || res.status) {
		fail_cmd("bpfnic-loadgen merge", r, &res, err, errlen);
		if (r == 0)
			bench_cmd_result_free(&res);
		return NULL;
	}
	bench_cmd_result_free(&res);
	doc = read_whole(out);
	if (!doc)
		bpfnic_why(err, errlen, "cannot read %s", out);
	return doc;
}

static int live_run_step(void *b, const struct bench_step_spec *spec, struct bench_step_result *r,
			 struct bench_series *s, char *err, size_t errlen)
{
	struct live *l = b;
	const struct bench_experiment *e = spec->e;
	const char *argv[BENCH_MAX_CLIENTS][40];
	struct bench_cmd_spec specs[BENCH_MAX_CLIENTS];
	struct bench_cmd_result res[BENCH_MAX_CLIENTS];
	char rate[32], clients[32], dur[32], warm[32], drain[32], seed[BENCH_MAX_CLIENTS][32];
	char threads[16], raw[BENCH_MAX_CLIENTS][PATH_MAX + 64];
	uint64_t window = spec->warmup_ns + spec->duration_ns + spec->drain_ns;
	int64_t t0, t1;
	char *doc = NULL;
	int rc;

	snprintf(dur, sizeof(dur), "%" PRIu64 "ns", spec->duration_ns);
	snprintf(warm, sizeof(warm), "%" PRIu64 "ns", spec->warmup_ns);
	snprintf(drain, sizeof(drain), "%" PRIu64 "ns", spec->drain_ns);
	snprintf(threads, sizeof(threads), "%u", e->threads);
	/* Every client host offers an equal part of the step's load. */
	if (spec->clients) {
		snprintf(clients, sizeof(clients), "%u:%u", spec->clients, spec->clients);
		snprintf(rate, sizeof(rate), "%.3f", spec->rate_per_client / l->n_cli);
	} else {
		snprintf(rate, sizeof(rate), "%.3f", spec->offered_rps / l->n_cli);
	}
	for (unsigned i = 0; i < l->n_cli; i++) {
		const char **a = argv[i];
		unsigned n = 0;

		snprintf(seed[i], sizeof(seed[i]), "%" PRIu64, spec->seed + (uint64_t)1000003 * i);
		a[n++] = l->loadgen;
		a[n++] = "--target", a[n++] = l->target;
		if (spec->clients)
			a[n++] = "--clients", a[n++] = clients;
		else
			a[n++] = "--threads", a[n++] = threads;
		a[n++] = "--rate", a[n++] = rate;
		a[n++] = "--duration", a[n++] = dur;
		a[n++] = "--warmup", a[n++] = warm;
		a[n++] = "--drain", a[n++] = drain;
		a[n++] = "--mix", a[n++] = e->mix_text;
		if (e->service_text[0])
			a[n++] = "--service", a[n++] = e->service_text;
		a[n++] = "--arrivals", a[n++] = bpfnic_arrivals_names[e->arrivals];
		a[n++] = "--format", a[n++] = "ext";
		a[n++] = "--seed", a[n++] = seed[i];
		a[n++] = "--json", a[n++] = "/dev/stdout";
		a[n++] = "--quiet";
		a[n] = NULL;
		specs[i] = (struct bench_cmd_spec){ l->cli_prefix[i], a, NULL };
	}
	t0 = bench_now_usec();
	rc = bench_cmds(specs, l->n_cli, (unsigned)(window / 1000000) + 60000, res);
	t1 = bench_now_usec();
	if (rc < 0)
		return fail_cmd("bpfnic-loadgen", rc, &res[0], err, errlen);
	for (unsigned i = 0; i < l->n_cli; i++) {
		snprintf(raw[i], sizeof(raw[i]), "%s/%s-client%u.json", spec->raw_dir, spec->raw_name, i + 1);
		if (res[i].status) {
			char what[64];

			snprintf(what, sizeof(what), "bpfnic-loadgen (client %u)", i + 1);
			rc = fail_cmd(what, 0, &res[i], err, errlen);
			goto out;
		}
		if ((rc = write_file(raw[i], res[i].out)) < 0) {
			bpfnic_why(err, errlen, "cannot write %s: %s", raw[i], strerror(-rc));
			goto out;
		}
	}
	if (l->n_cli == 1) {
		doc = res[0].out;
		res[0].out = NULL;
	} else {
		char merged[PATH_MAX + 64];

		snprintf(merged, sizeof(merged), "%s/%s-merged.json", spec->raw_dir, spec->raw_name);
		doc = merge(l, raw, l->n_cli, merged, err, errlen);
		if (!doc) {
			rc = -EIO;
			goto out;
		}
	}
	if (bench_loadgen_parse(doc, r, err, errlen) < 0) {
		rc = -EIO;
		goto out;
	}
	if (!r->wall_from_client) {
		/* A loadgen that does not say when it measured: the runner's own view. */
		r->wall_start_ns = (t0 + (int64_t)(spec->warmup_ns / 1000)) * 1000;
		r->wall_end_ns = r->wall_start_ns + (int64_t)spec->duration_ns;
		if (r->wall_end_ns > t1 * 1000)
			r->wall_end_ns = t1 * 1000;
	}
	r->client_cpu_pct = NAN;
	if (l->n_cli == 1 && l->cli_local[0] && t1 > t0)
		r->client_cpu_pct = 100.0 * ((double)res[0].ru.ru_utime.tv_sec * 1e6 +
					     (double)res[0].ru.ru_utime.tv_usec +
					     (double)res[0].ru.ru_stime.tv_sec * 1e6 +
					     (double)res[0].ru.ru_stime.tv_usec) / (double)(t1 - t0);
	rc = fetch_series(l, s, err, errlen);
out:
	free(doc);
	for (unsigned i = 0; i < l->n_cli; i++)
		bench_cmd_result_free(&res[i]);
	return rc;
}

static int live_settle(void *b, unsigned timeout_ms, char *err, size_t errlen)
{
	struct live *l = b;
	const char *args[] = { "stats", NULL };
	int64_t deadline = bench_mono_ms() + timeout_ms;

	for (;;) {
		json_object *reply = NULL, *totals;
		double in, out;
		int r = ctl(l, args, &reply, NULL, err, errlen);

		if (r < 0)
			return r;
		totals = get(reply, "totals");
		in = json_object_get_double(get(totals, "in_rps"));
		out = json_object_get_double(get(totals, "out_rps"));
		json_object_put(reply);
		if (in < 1 && out < 1)
			return 0;
		if (bench_interrupted)
			return bench_fail(err, errlen, -EINTR, "interrupted");
		if (bench_mono_ms() > deadline)
			return bench_fail(err, errlen, -ETIMEDOUT, "the server still served %.0f req/s "
					  "%u ms after the load stopped", out, timeout_ms);
		bench_sleep_ms(100);
	}
}

/* One side's probe, as JSON. */
static json_object *probe(struct live *l, const char *prefix, const unsigned *cpus, unsigned n,
			  int daemon_pid, char *err, size_t errlen)
{
	char script[4096];
	struct bench_cmd_result res;
	json_object *o;

	bench_env_script(cpus, n, daemon_pid, script, sizeof(script));
	if (run_sh(l, prefix, script, &res, err, errlen) < 0)
		return NULL;
	o = bench_env_parse(res.out, cpus, n);
	if (o && res.status)
		json_object_object_add(o, "probe_error", json_object_new_string(res.err));
	bench_cmd_result_free(&res);
	return o;
}

static int live_environment(void *b, json_object **server, json_object **client, char *err,
			    size_t errlen)
{
	struct live *l = b;
	const char *status_args[] = { "status", NULL };
	json_object *status = NULL, *cpus;
	int r;

	*server = probe(l, l->srv_prefix, l->cpus, l->k, l->daemon_pid, err, errlen);
	if (!*server)
		return -EIO;
	if ((r = ctl(l, status_args, &status, NULL, err, errlen)) < 0) {
		json_object_put(*server);
		return r;
	}
	cpus = json_object_new_array();
	for (unsigned i = 0; i < l->k; i++)
		json_object_array_add(cpus, json_object_new_int((int)l->cpus[i]));
	json_object_object_add(*server, "worker_cpus", cpus);
	json_object_object_add(*server, "bpfnicd_version", json_object_get(get(status, "version")));
	json_object_object_add(*server, "xdp_mode", json_object_get(get(status, "xdp_mode")));
	json_object_object_add(*server, "interface", json_object_get(get(status, "interface")));
	json_object_object_add(*server, "workload", json_object_get(get(status, "workload")));
	json_object_object_add(*server, "policy_before_run", json_object_get(l->orig_policy));
	/* The worker threads' class as bpfnicd sets it (WorkerScheduling=), when it says. */
	if (get(status, "workers"))
		json_object_object_add(*server, "workers", json_object_get(get(status, "workers")));
	json_object_object_add(*server, "configuration", json_object_new_string(
		l->lab ? l->conf_text : "bpfnicd's own (on the server; not read)"));
	json_object_object_add(*server, "reached_by", json_object_new_string(
		l->lab ? "the lab of this machine (bpfnicd in a network namespace)" : l->srv_prefix));
	json_object_put(status);

	*client = json_object_new_array();
	for (unsigned i = 0; i < l->n_cli; i++) {
		const char *argv[] = { l->loadgen, "--version", NULL };
		struct bench_cmd_result res;
		json_object *c = probe(l, l->cli_prefix[i], NULL, 0, 0, err, errlen);

		if (!c) {
			json_object_put(*server);
			json_object_put(*client);
			return -EIO;
		}
		if (bench_cmd(l->cli_prefix[i], argv, NULL, CTL_TIMEOUT_MS, &res) == 0) {
			char *nl = strchr(res.out, '\n');

			if (nl)
				*nl = '\0';
			json_object_object_add(c, "loadgen_version", json_object_new_string(res.out));
			bench_cmd_result_free(&res);
		}
		json_object_object_add(c, "reached_by", json_object_new_string(
			l->cli_prefix[i][0] ? l->cli_prefix[i] : "this machine"));
		json_object_array_add(*client, c);
	}
	return 0;
}

/* Puts a real server's policy back as it was, every parameter of it. */
static void restore_policy(struct live *l)
{
	struct bench_policy_cmd cmd = { 0 };
	json_object *name = get(l->orig_policy, "name");
	char why[256];
	int id;

	if (!name || (id = bpfnic_policy_by_name(json_object_get_string(name))) < 0)
		return;
	cmd.policy = (enum bpfnic_policy)id;
	for (unsigned i = 0; i < bpfnic_n_params && cmd.n < BENCH_MAX_ARM_PARAMS + 2; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		json_object *v;

		if (!p->json || !p->cli || !bpfnic_param_applies(p, cmd.policy) ||
		    !(v = get(l->orig_policy, p->json)))
			continue;
		cmd.flag[cmd.n] = p->cli;
		snprintf(cmd.value[cmd.n++], sizeof(cmd.value[0]), "%s", json_object_get_string(v));
	}
	if (apply(l, &cmd, NULL, why, sizeof(why)) < 0)
		fprintf(stderr, "bpfnic-bench: cannot put the server's policy back: %s\n", why);
}

static void live_close(void *b)
{
	struct live *l = b;
	char cur[32], why[256];

	if (l->gov_changed && live_set_governor(l, NULL, cur, sizeof(cur), why, sizeof(why)) < 0)
		fprintf(stderr, "bpfnic-bench: cannot put the governors back: %s\n", why);
	free(l->gov_orig);
	if (!l->lab && l->policy_changed && l->orig_policy)
		restore_policy(l);
	json_object_put(l->orig_policy);
	if (l->daemon)
		bench_bg_stop(l->daemon, 10000);
	if (l->lab && l->srv_ns[0]) {
		struct bench_cmd_result res;

		/* Down even after an interrupt: the lab must not outlive the run. */
		bench_interrupted = 0;
		if (lab_cmd(l, "down", &res, why, sizeof(why)) == 0)
			bench_cmd_result_free(&res);
		else
			fprintf(stderr, "bpfnic-bench: lab %s: %s\n", l->lab_name, why);
	}
	if (l->tmp[0]) {
		unlink(l->socket);
		rmdir(l->tmp);
	}
	free(l);
}

static const struct bench_backend_ops live_ops = {
	.describe = live_describe,
	.set_governor = live_set_governor,
	.set_policy = live_set_policy,
	.run_step = live_run_step,
	.settle = live_settle,
	.environment = live_environment,
	.close = live_close,
};

int bench_live_open(const struct bench_live_opts *o, struct bench_backend *b, char *err,
		    size_t errlen)
{
	struct live *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->paths = o->paths;
	l->lab = !o->server;
	snprintf(l->dir, sizeof(l->dir), "%s", o->dir);
	l->since_usec = bench_now_usec();
	*b = (struct bench_backend){ &live_ops, l, l->lab ? "lab" : "hosts" };
	if (l->lab) {
		if (o->n_clients || o->target) {
			free(l);
			return bench_fail(err, errlen, -EINVAL, "--client and --target go with --server (the lab "
				       "has its own)");
		}
		snprintf(l->lab_name, sizeof(l->lab_name), "%s", o->lab);
		snprintf(l->ctl, sizeof(l->ctl), "%s", o->paths->bpfnicctl);
		snprintf(l->loadgen, sizeof(l->loadgen), "%s", o->paths->loadgen);
		l->n_cli = 1;
		l->cli_local[0] = true;
		if ((r = lab_up(l, o, err, errlen)) < 0) {
			live_close(l);
			return r;
		}
		snprintf(l->cli_prefix[0], PREFIX_MAX, "ip netns exec %s", l->cli_ns);
		return 0;
	}
	if (!o->target) {
		free(l);
		return bench_fail(err, errlen, -EINVAL, "--server needs --target HOST:PORT (where the "
			       "clients send)");
	}
	snprintf(l->srv_prefix, sizeof(l->srv_prefix), "%s", o->server);
	snprintf(l->target, sizeof(l->target), "%s", o->target);
	/* On the hosts, the tools their own PATH finds. */
	snprintf(l->ctl, sizeof(l->ctl), "bpfnicctl");
	l->n_cli = o->n_clients ? o->n_clients : 1;
	if (o->n_clients) {
		snprintf(l->loadgen, sizeof(l->loadgen), "bpfnic-loadgen");
		for (unsigned i = 0; i < o->n_clients; i++)
			snprintf(l->cli_prefix[i], PREFIX_MAX, "%s", o->clients[i]);
	} else {
		snprintf(l->loadgen, sizeof(l->loadgen), "%s", o->paths->loadgen);
		l->cli_local[0] = true;
	}
	return 0;
}
