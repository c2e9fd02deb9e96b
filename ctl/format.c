// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Human-readable tables for bpfnicctl. Every function takes the daemon's reply as a
 * json-c object and writes to a FILE*; nothing here talks to a socket. A field the
 * daemon did not send, or sent with the wrong type, prints as "-".
 */
#include "ctl/format.h"

#include "bpfnic.h"
#include "cpulist.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char dash[] = "-";

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static bool is_number(struct json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

static const char *str_or_dash(struct json_object *v)
{
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : dash;
}

/* v in the format of the first step it is below (the last step: anything above). */
struct fmt_step {
	double below;    /* 0: the last step */
	const char *fmt; /* one double: v / divisor */
	double divisor;
};

static const char *fmt_stepped(char *buf, size_t len, double v, const struct fmt_step *step)
{
	if (!isfinite(v) || v < 0) {
		snprintf(buf, len, "%s", dash);
		return buf;
	}
	while (step->below && v >= step->below)
		step++;
	snprintf(buf, len, step->fmt, v / step->divisor);
	return buf;
}

const char *ctl_fmt_us(char *buf, size_t len, double us)
{
	static const struct fmt_step steps[] = { { 10, "%.2f", 1 }, { 1000, "%.1f", 1 }, { 0, "%.0f", 1 } };

	return fmt_stepped(buf, len, us, steps);
}

const char *ctl_fmt_json_us(char *buf, size_t len, struct json_object *v)
{
	if (!is_number(v)) {
		snprintf(buf, len, "%s", dash);
		return buf;
	}
	return ctl_fmt_us(buf, len, json_object_get_double(v));
}

/* "6.00 µs", or "-" (no unit) when absent. */
static const char *fmt_json_us_unit(char *buf, size_t len, struct json_object *v)
{
	if (!is_number(v) || json_object_get_double(v) < 0) {
		snprintf(buf, len, "%s", dash);
		return buf;
	}
	ctl_fmt_us(buf, len, json_object_get_double(v));
	strncat(buf, " µs", len - strlen(buf) - 1);
	return buf;
}

const char *ctl_fmt_json_int(char *buf, size_t len, struct json_object *v)
{
	if (v && json_object_is_type(v, json_type_int))
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	else if (v && json_object_is_type(v, json_type_double))
		snprintf(buf, len, "%.0f", json_object_get_double(v));
	else
		snprintf(buf, len, "%s", dash);
	return buf;
}

const char *ctl_fmt_cpulist(char *buf, size_t len, struct json_object *arr)
{
	unsigned cpus[BPFNIC_MAX_CPUS];
	size_t n;

	if (!len)
		return buf;
	snprintf(buf, len, "%s", dash);
	if (!arr || !json_object_is_type(arr, json_type_array))
		return buf;
	n = json_object_array_length(arr);
	if (!n || n > BPFNIC_MAX_CPUS)
		return buf;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		int64_t cpu = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || cpu < 0 || cpu >= BPFNIC_MAX_CPUS)
			return buf;
		cpus[i] = (unsigned)cpu;
	}
	/* Runs in the order given (groups are round-robin ordered): "0-2,5". */
	if (bpfnic_cpulist_format(cpus, n, buf, len))
		snprintf(buf, len, "%zu CPUs", n);
	return buf;
}

const char *ctl_fmt_duration(char *buf, size_t len, long long sec)
{
	if (sec < 0)
		snprintf(buf, len, "%s", dash);
	else if (sec >= 86400)
		snprintf(buf, len, "%lldd %02lldh", sec / 86400, sec % 86400 / 3600);
	else if (sec >= 3600)
		snprintf(buf, len, "%lldh %02lldm", sec / 3600, sec % 3600 / 60);
	else if (sec >= 60)
		snprintf(buf, len, "%lldm %02llds", sec / 60, sec % 60);
	else
		snprintf(buf, len, "%llds", sec);
	return buf;
}

const char *ctl_fmt_rate(char *buf, size_t len, double rps)
{
	static const struct fmt_step steps[] = {
		{ 10000, "%.0f", 1 }, { 1e6, "%.1fk", 1e3 }, { 0, "%.2fM", 1e6 },
	};

	return fmt_stepped(buf, len, rps, steps);
}

const char *ctl_fmt_policy(char *buf, size_t len, struct json_object *policy)
{
	const char *name = str_or_dash(get(policy, "name"));
	char a[32], b[32], c[32], d[32], e[32], f[32], g[64];

	if (!strcmp(name, "split")) {
		struct json_object *lc = get(policy, "long_cpus");

		if (lc && json_object_is_type(lc, json_type_array))
			snprintf(buf, len, "split: CPUs %s for long requests",
				 ctl_fmt_cpulist(g, sizeof(g), lc));
		else
			snprintf(buf, len, "split: %s CPU(s) for long requests",
				 ctl_fmt_json_int(a, sizeof(a), lc));
	} else if (!strcmp(name, "dynamic")) {
		snprintf(buf, len,
			 "dynamic: grow above %s (%s), shrink below %s, %s..%s CPUs, "
			 "cooldown %s ms, every %s ms",
			 fmt_json_us_unit(a, sizeof(a), get(policy, "threshold_us")),
			 str_or_dash(get(policy, "metric")),
			 fmt_json_us_unit(b, sizeof(b), get(policy, "shrink_below_us")),
			 ctl_fmt_json_int(c, sizeof(c), get(policy, "min_cpus")),
			 ctl_fmt_json_int(d, sizeof(d), get(policy, "max_cpus")),
			 ctl_fmt_json_int(e, sizeof(e), get(policy, "cooldown_ms")),
			 ctl_fmt_json_int(f, sizeof(f), get(policy, "interval_ms")));
	} else {
		snprintf(buf, len, "%s", name);
	}
	return buf;
}

size_t ctl_display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* ---- tables ---- */

int ctl_table_init(struct ctl_table *t, size_t n_cols, const char *const headers[])
{
	memset(t, 0, sizeof(*t));
	if (!n_cols || n_cols > CTL_TABLE_MAX_COLS)
		return -EINVAL;
	t->n_cols = n_cols;
	t->indent = "";
	for (size_t c = 0; c < n_cols; c++) {
		const char *h = headers ? headers[c] : "";

		t->right[c] = h[0] == '>';
		t->headers[c] = h + (h[0] == '>');
	}
	return 0;
}

int ctl_table_add(struct ctl_table *t, const char *const cells[])
{
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? 2 * t->cap_rows : 8;
		char **p = realloc(t->cells, cap * t->n_cols * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->cells = p;
		t->cap_rows = cap;
	}
	for (size_t c = 0; c < t->n_cols; c++) {
		char *s = strdup(cells[c] ? cells[c] : dash);

		if (!s) {
			while (c--)
				free(t->cells[t->n_rows * t->n_cols + c]);
			return -ENOMEM;
		}
		t->cells[t->n_rows * t->n_cols + c] = s;
	}
	t->n_rows++;
	return 0;
}

static void print_row(const struct ctl_table *t, FILE *out, const size_t *width,
		      const char *const *row)
{
	size_t last = t->n_cols - 1;

	fputs(t->indent, out);
	for (size_t c = 0; c < t->n_cols; c++) {
		size_t w = ctl_display_width(row[c]), pad = width[c] > w ? width[c] - w : 0;

		if (t->right[c])
			fprintf(out, "%*s%s", (int)pad, "", row[c]);
		else if (c == last)
			fputs(row[c], out); /* no trailing blanks */
		else
			fprintf(out, "%s%*s", row[c], (int)pad, "");
		fputs(c == last ? "\n" : "  ", out);
	}
}

int ctl_table_print(const struct ctl_table *t, FILE *out)
{
	size_t width[CTL_TABLE_MAX_COLS] = { 0 };

	for (size_t c = 0; c < t->n_cols; c++) {
		if (!t->no_header)
			width[c] = ctl_display_width(t->headers[c]);
		for (size_t r = 0; r < t->n_rows; r++) {
			size_t w = ctl_display_width(t->cells[r * t->n_cols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	if (!t->no_header)
		print_row(t, out, width, t->headers);
	for (size_t r = 0; r < t->n_rows; r++)
		print_row(t, out, width, (const char *const *)&t->cells[r * t->n_cols]);
	return ferror(out) ? -EIO : 0;
}

void ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = t->cap_rows = 0;
}

/* ---- whole replies ---- */

/* A table filled (err: how that went): print it unless it failed, free it either way. */
static int print_and_free(struct ctl_table *t, FILE *out, int err)
{
	if (!err)
		err = ctl_table_print(t, out);
	ctl_table_free(t);
	return err;
}

static void fmt_drops(char *buf, size_t len, struct json_object *drops)
{
	static const struct {
		const char *key, *label;
	} kinds[] = { { "queue", "queue" },
		      { "no_cpu", "no CPU" },
		      { "redirect_err", "redirect error" },
		      { "tx_err", "tx error" },
		      { "short_payload", "short payload" },
		      { "too_long", "too long" },
		      { "transmit", "transmit" } };
	size_t used = 0;
	char n[32];

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int w = snprintf(buf + used, len - used, "%s%s %s", i ? ", " : "", kinds[i].label,
				 ctl_fmt_json_int(n, sizeof(n), get(drops, kinds[i].key)));

		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

static void fmt_totals(char *rate, size_t rlen, char *counts, size_t clen,
		       struct json_object *totals)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];

	snprintf(rate, rlen, "in %s req/s, out %s req/s",
		 is_number(get(totals, "in_rps")) ?
			 ctl_fmt_rate(a, sizeof(a), json_object_get_double(get(totals, "in_rps"))) : dash,
		 is_number(get(totals, "out_rps")) ?
			 ctl_fmt_rate(b, sizeof(b), json_object_get_double(get(totals, "out_rps"))) : dash);
	snprintf(counts, clen, "requests %s, replies %s, passed %s (other address %s)",
		 ctl_fmt_json_int(c, sizeof(c), get(totals, "requests")),
		 ctl_fmt_json_int(d, sizeof(d), get(totals, "replies")),
		 ctl_fmt_json_int(e, sizeof(e), get(totals, "passed")),
		 ctl_fmt_json_int(f, sizeof(f), get(totals, "other_address")));
}

/* A JSON array of strings, joined with sep; "-" when absent, empty for []. */
static const char *fmt_strings(char *buf, size_t len, struct json_object *arr, const char *sep,
			       const char *empty)
{
	size_t used = 0, n;

	snprintf(buf, len, "%s", dash);
	if (!arr || !json_object_is_type(arr, json_type_array))
		return buf;
	n = json_object_array_length(arr);
	snprintf(buf, len, "%s", n ? "" : empty);
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? sep : "",
					 str_or_dash(json_object_array_get_idx(arr, i)));
	return buf;
}

/* The interface: driver, MTU, queues, XDP features; where its RX interrupts go. */
static void fmt_nic(char *nic, size_t nlen, char *irqs, size_t ilen, struct json_object *o)
{
	struct json_object *cpus = get(o, "rx_irq_cpus"), *vlan = get(o, "rx_vlan_offload");
	char mtu[32], rxq[32], txq[32], feats[256], list[128];

	snprintf(nic, nlen, "driver %s, MTU %s, %s RX / %s TX queues, XDP features: %s%s",
		 str_or_dash(get(o, "driver")), ctl_fmt_json_int(mtu, sizeof(mtu), get(o, "mtu")),
		 ctl_fmt_json_int(rxq, sizeof(rxq), get(o, "rx_queues")),
		 ctl_fmt_json_int(txq, sizeof(txq), get(o, "tx_queues")),
		 get(o, "xdp_features") ? fmt_strings(feats, sizeof(feats), get(o, "xdp_features"),
						      " ", "none") : "not reported",
		 vlan && json_object_get_boolean(vlan) ? ", RX VLAN offload on" : "");
	if (!o)
		snprintf(irqs, ilen, "%s", dash);
	else if (!cpus)
		snprintf(irqs, ilen, "no hardware IRQs");
	else
		snprintf(irqs, ilen, "on CPUs %s", ctl_fmt_cpulist(list, sizeof(list), cpus));
}

/* A CLOCK_REALTIME time in µs as UTC, "2023-11-14 22:13:20" (with ".250" when ms). */
static const char *fmt_time_usec(char *buf, size_t len, struct json_object *v, bool ms)
{
	time_t s;
	struct tm tm;

	snprintf(buf, len, "%s", dash);
	if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return buf;
	s = (time_t)(json_object_get_int64(v) / 1000000);
	if (gmtime_r(&s, &tm) && strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) && ms)
		snprintf(buf + strlen(buf), len - strlen(buf), ".%03lld",
			 (long long)(json_object_get_int64(v) / 1000 % 1000));
	return buf;
}

/* The changes of status' history and of stats --since, under a title line. */
static int print_changes(FILE *out, const char *title, struct json_object *history, bool ms)
{
	static const char *const headers[] = { "TIME (UTC)", "ACTION", ">CPU", ">GROUP SIZE",
					       ">METRIC (µs)", "REASON" };
	struct ctl_table t;
	size_t n = history && json_object_is_type(history, json_type_array) ?
			   json_object_array_length(history) : 0;
	int err;

	if (!n) {
		fprintf(out, "%-12sno change yet\n", title);
		return 0;
	}
	fprintf(out, "%-12s%s%zu change%s (core group, policy):\n", title, ms ? "" : "last ", n,
		n == 1 ? "" : "s");
	err = ctl_table_init(&t, 6, headers);
	if (err)
		return err;
	t.indent = "  ";
	for (size_t i = 0; i < n && !err; i++) {
		struct json_object *h = json_object_array_get_idx(history, i);
		char when[40], cpu[32], size[32], metric[32];

		fmt_time_usec(when, sizeof(when), get(h, "time_usec"), ms);
		const char *row[6] = { when, str_or_dash(get(h, "action")),
				       ctl_fmt_json_int(cpu, sizeof(cpu), get(h, "cpu")),
				       ctl_fmt_json_int(size, sizeof(size), get(h, "group_size")),
				       ctl_fmt_json_us(metric, sizeof(metric), get(h, "metric_us")),
				       str_or_dash(get(h, "reason")) };
		err = ctl_table_add(&t, row);
	}
	return print_and_free(&t, out, err);
}

int ctl_print_status(FILE *out, struct json_object *p)
{
	struct json_object *wl = get(p, "workload"), *groups = get(p, "groups"),
			   *totals = get(p, "totals"), *uptime = get(p, "uptime_sec");
	struct json_object *warnings = get(p, "warnings");
	char daemon[96], iface[256], policy[256], workload[128], grp[160], rate[96], counts[160],
		drops[256], nic[512], irqs[160], addrs[512], a[32], b[32], c[32], d[64], e[64];
	const char *mode = str_or_dash(get(p, "xdp_mode")), *asked = str_or_dash(get(p, "xdp_mode_requested"));

	snprintf(daemon, sizeof(daemon), "bpfnicd %s, up %s", str_or_dash(get(p, "version")),
		 is_number(uptime) ? ctl_fmt_duration(a, sizeof(a), json_object_get_int64(uptime)) : dash);
	snprintf(iface, sizeof(iface), "%s (XDP %s%s%s), UDP port %s, addresses %s",
		 str_or_dash(get(p, "interface")), mode,
		 strcmp(asked, mode) && strcmp(asked, dash) ? ", asked for " : "",
		 strcmp(asked, mode) && strcmp(asked, dash) ? asked : "",
		 ctl_fmt_json_int(b, sizeof(b), get(p, "port")),
		 fmt_strings(addrs, sizeof(addrs), get(p, "addresses"), " ", "any"));
	fmt_nic(nic, sizeof(nic), irqs, sizeof(irqs), get(p, "nic"));
	ctl_fmt_policy(policy, sizeof(policy), get(p, "policy"));
	snprintf(workload, sizeof(workload), "short %s, long %s, max %s",
		 fmt_json_us_unit(a, sizeof(a), get(wl, "short_us")),
		 fmt_json_us_unit(b, sizeof(b), get(wl, "long_us")),
		 fmt_json_us_unit(c, sizeof(c), get(wl, "max_us")));
	snprintf(grp, sizeof(grp), "main %s, long %s", ctl_fmt_cpulist(d, sizeof(d), get(groups, "main")),
		 ctl_fmt_cpulist(e, sizeof(e), get(groups, "long")));
	fmt_totals(rate, sizeof(rate), counts, sizeof(counts), totals);
	fmt_drops(drops, sizeof(drops), get(totals, "drops"));

	fprintf(out, "%-12s%s\n", "daemon", daemon);
	fprintf(out, "%-12s%s\n", "interface", iface);
	fprintf(out, "%-12s%s\n", "nic", nic);
	fprintf(out, "%-12s%s\n", "rx irqs", irqs);
	fprintf(out, "%-12s%s\n", "policy", policy);
	fprintf(out, "%-12s%s\n", "workload", workload);
	fprintf(out, "%-12s%s\n", "groups", grp);
	fprintf(out, "%-12s%s\n", "rate", rate);
	fprintf(out, "%-12s%s\n", "totals", counts);
	fprintf(out, "%-12s%s\n", "drops", drops);
	for (size_t i = 0; warnings && json_object_is_type(warnings, json_type_array) &&
			   i < json_object_array_length(warnings); i++)
		fprintf(out, "%-12s%s\n", "warning", str_or_dash(json_object_array_get_idx(warnings, i)));
	return print_changes(out, "history", get(p, "history"), false);
}

/* "CPU 0: 5000 requests, CPU 1: 4990 requests": where the scheduler ran (RX). */
static void fmt_rx_cpus(char *buf, size_t len, struct json_object *arr)
{
	size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0,
	       used = 0;

	snprintf(buf, len, "%s", n ? "" : dash);
	for (size_t i = 0; i < n && used < len; i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);
		char cpu[32], req[32];

		used += (size_t)snprintf(buf + used, len - used, "%sCPU %s: %s requests", i ? ", " : "",
					 ctl_fmt_json_int(cpu, sizeof(cpu), get(r, "cpu")),
					 ctl_fmt_json_int(req, sizeof(req), get(r, "requests")));
	}
}

int ctl_print_stats(FILE *out, struct json_object *p)
{
	static const char *const headers[] = {
		">CPU", "GROUP", ">REQ/S", ">QDELAY AVG (µs)", ">P50 (µs)", ">P99 (µs)",
		">MAX (µs)", ">SERVICE (µs)", ">KTHREAD (%)", ">HANDED", ">PROCESSED", ">TX DROPS",
	};
	struct json_object *totals = get(p, "totals"), *cpus = get(p, "cpus");
	size_t n = cpus && json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
	char rate[96], counts[160], drops[256], win[32], rx[512];
	struct ctl_table t;
	int err;

	fmt_totals(rate, sizeof(rate), counts, sizeof(counts), totals);
	fmt_drops(drops, sizeof(drops), get(totals, "drops"));
	fmt_rx_cpus(rx, sizeof(rx), get(p, "rx_cpus"));
	fprintf(out, "window %s ms: %s; %s\ndrops: %s\nscheduler ran on: %s\n",
		ctl_fmt_json_int(win, sizeof(win), get(p, "window_ms")), rate, counts, drops, rx);

	err = ctl_table_init(&t, 12, headers);
	for (size_t i = 0; i < n && !err; i++) {
		struct json_object *c = json_object_array_get_idx(cpus, i), *q = get(c, "qdelay_us"),
				   *grp = get(c, "group"), *util = get(c, "kthread_util");
		char cpu[32], rps[32], avg[32], p50[32], p99[32], max[32], svc[32], kt[32], handed[32],
			processed[32], txd[32];

		if (is_number(util))
			snprintf(kt, sizeof(kt), "%.1f", 100.0 * json_object_get_double(util));
		else
			snprintf(kt, sizeof(kt), "%s", dash);
		const char *row[12] = {
			ctl_fmt_json_int(cpu, sizeof(cpu), get(c, "cpu")),
			grp && json_object_is_type(grp, json_type_string) ? json_object_get_string(grp) : dash,
			is_number(get(c, "rps")) ? ctl_fmt_rate(rps, sizeof(rps),
								json_object_get_double(get(c, "rps"))) : dash,
			ctl_fmt_json_us(avg, sizeof(avg), get(q, "avg")),
			ctl_fmt_json_us(p50, sizeof(p50), get(q, "p50")),
			ctl_fmt_json_us(p99, sizeof(p99), get(q, "p99")),
			ctl_fmt_json_us(max, sizeof(max), get(q, "max")),
			ctl_fmt_json_us(svc, sizeof(svc), get(c, "service_us")),
			kt,
			ctl_fmt_json_int(handed, sizeof(handed), get(c, "handed")),
			ctl_fmt_json_int(processed, sizeof(processed), get(c, "processed")),
			ctl_fmt_json_int(txd, sizeof(txd), get(c, "tx_drops")),
		};
		err = ctl_table_add(&t, row);
	}
	return print_and_free(&t, out, err);
}

int ctl_print_policy_reply(FILE *out, struct json_object *p)
{
	char policy[256];

	fprintf(out, "policy set: %s\n", ctl_fmt_policy(policy, sizeof(policy), get(p, "policy")));
	return ferror(out) ? -EIO : 0;
}

int ctl_print_reload_reply(FILE *out, struct json_object *p)
{
	struct json_object *rn = get(p, "restart_needed");
	size_t n = rn && json_object_is_type(rn, json_type_array) ? json_object_array_length(rn) : 0;

	fputs("configuration reloaded", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "; restart bpfnicd to apply: ",
			str_or_dash(json_object_array_get_idx(rn, i)));
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int ctl_print_version(FILE *out, const char *client_version, struct json_object *info)
{
	if (client_version)
		fprintf(out, "bpfnicctl %s\n", client_version);
	if (info) {
		char pid[32], port[32], cpus[128];

		fprintf(out, "bpfnicd   %s (pid %s) on %s, XDP %s, UDP port %s, CPUs %s\n",
			str_or_dash(get(info, "version")), ctl_fmt_json_int(pid, sizeof(pid), get(info, "pid")),
			str_or_dash(get(info, "interface")), str_or_dash(get(info, "xdp_mode")),
			ctl_fmt_json_int(port, sizeof(port), get(info, "port")),
			ctl_fmt_cpulist(cpus, sizeof(cpus), get(info, "candidate_cpus")));
	}
	return ferror(out) ? -EIO : 0;
}

/* A rate from a JSON number: "12.3k", or "-". */
static const char *fmt_json_rate(char *buf, size_t len, struct json_object *v)
{
	if (!is_number(v)) {
		snprintf(buf, len, "%s", dash);
		return buf;
	}
	return ctl_fmt_rate(buf, len, json_object_get_double(v));
}

static const char *fmt_json_count(char *buf, size_t len, struct json_object *arr)
{
	if (arr && json_object_is_type(arr, json_type_array))
		snprintf(buf, len, "%zu", json_object_array_length(arr));
	else
		snprintf(buf, len, "%s", dash);
	return buf;
}

int ctl_print_since(FILE *out, struct json_object *p)
{
	static const char *const headers[] = {
		"WINDOW END (UTC)", "POLICY", ">MAIN", ">LONG", ">IN REQ/S", ">OUT REQ/S",
		">P50 (µs)", ">P99 (µs)",
	};
	struct json_object *windows = get(p, "windows"), *tr = get(p, "truncated");
	size_t n = windows && json_object_is_type(windows, json_type_array) ?
			   json_object_array_length(windows) : 0;
	struct ctl_table t;
	int err;

	if (tr && json_object_is_type(tr, json_type_boolean) && json_object_get_boolean(tr))
		fprintf(out, "(the daemon no longer holds the start of this span: HistoryWindows= "
			"and HistoryChanges= bound what it keeps)\n");
	if (!n)
		fprintf(out, "windows     none in this span\n");
	err = ctl_table_init(&t, 8, headers);
	for (size_t i = 0; i < n && !err; i++) {
		struct json_object *w = json_object_array_get_idx(windows, i), *q = get(w, "qdelay_us");
		char when[40], nmain[16], nlong[16], in[32], outr[32], p50[32], p99[32];
		const char *row[8] = {
			fmt_time_usec(when, sizeof(when), get(w, "time_usec"), true),
			str_or_dash(get(w, "policy")),
			fmt_json_count(nmain, sizeof(nmain), get(get(w, "groups"), "main")),
			fmt_json_count(nlong, sizeof(nlong), get(get(w, "groups"), "long")),
			fmt_json_rate(in, sizeof(in), get(w, "in_rps")),
			fmt_json_rate(outr, sizeof(outr), get(w, "out_rps")),
			ctl_fmt_json_us(p50, sizeof(p50), get(q, "p50")),
			ctl_fmt_json_us(p99, sizeof(p99), get(q, "p99")),
		};

		err = ctl_table_add(&t, row);
	}
	if (n)
		err = print_and_free(&t, out, err);
	else
		ctl_table_free(&t);
	if (err)
		return err;
	return print_changes(out, "changes", get(p, "changes"), true);
}
