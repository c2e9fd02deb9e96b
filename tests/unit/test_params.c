/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/params: the one table of policies and parameters, SetPolicy's parameters taken
 * through it, and everything that must agree with it and is not generated from it:
 * the interface description's SetPolicy and Policy, bpfnicd.conf(5), bpfnicctl(8)
 * and the shipped etc/bpfnicd.conf (each key there, with its range and default).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include <json-c/json.h>

#include "idl.h"
#include "params.h"

#define STR(x) #x
#define XSTR(x) STR(x)

static struct bpfnicd_config running;

static int setup(void **state)
{
	struct bpfnic_cpuset online = { 0 };

	(void)state;
	for (unsigned c = 0; c < 4; c++)
		online.has[c] = true;
	bpfnic_config_defaults(&running, &online);
	running.policy.max_cpus = 4;
	bpfnic_policy_resolve(&running.policy);
	return 0;
}

static char *read_file(const char *dir_env, const char *fallback, const char *rel)
{
	const char *dir = getenv(dir_env);
	char path[512];
	FILE *f;
	char *text;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : fallback, rel);
	f = fopen(path, "re");
	if (!f) {
		print_message("# cannot open %s\n", path);
		fail();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

/* ---- the table itself --------------------------------------------------------------- */

static void test_table_is_consistent(void **state)
{
	struct bpfnicd_config c = { 0 };
	char why[200];
	(void)state;

	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++) {
		assert_int_equal(bpfnic_policy_by_name(bpfnic_policies[i].name), (int)i);
		assert_true(bpfnic_policies[i].groups & BPFNIC_GROUPS_MAIN);
	}
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];

		assert_ptr_equal(bpfnic_param_by_key(p->section, p->key), p);
		assert_true(p->help && p->help[0]);
		assert_true(p->def || p->def_doc);
		if (p->json)
			assert_ptr_equal(bpfnic_param_by_json(p->json), p);
		if (p->cli) {
			assert_ptr_equal(bpfnic_param_by_cli(p->cli, strlen(p->cli)), p);
			assert_non_null(p->json);    /* bpfnicctl sends what it takes */
			assert_true(p->policies != 0);
		}
		if (p->type == BPFNIC_PARAM_UINT)
			assert_true(p->min <= p->max);
		if (p->type == BPFNIC_PARAM_ENUM)
			assert_true(p->n_names > 0 && bpfnic_param_name(p, p->n_names - 1));
		/* A default parses with the parameter's own rules, range included. */
		if (p->def && p->def[0] && bpfnic_param_set_text(p, &c, p->def, NULL, why, sizeof(why))) {
			print_message("# %s=%s: %s\n", p->key, p->def, why);
			fail();
		}
	}
}

static void test_worker_scheduling(void **state)
{
	const struct bpfnic_param *p = bpfnic_param_by_key("Daemon", "WorkerScheduling");
	static const struct {
		const char *text;
		int policy;
		unsigned priority;
	} good[] = {
		{ "fifo:49", SCHED_FIFO, 49 }, { "fifo:1", SCHED_FIFO, 1 }, { "rr:99", SCHED_RR, 99 },
		{ "other", SCHED_OTHER, 0 },
	};
	static const char *const bad[] = {
		"", "fifo", "fifo:", "fifo:0", "fifo:100", "fifo:-1", "fifo:+5", "fifo: 5", "rr:1x",
		"other:0", "Other", "FIFO:10", "batch", "idle", "deadline", "fifo:49:1", ":49",
		"fifo:99999999999999999999",
	};
	struct bpfnicd_config c = running;
	char why[200], text[32];
	(void)state;

	assert_non_null(p);
	assert_false(p->restart); /* a reload applies it */
	assert_int_equal(running.worker_sched.policy, SCHED_FIFO); /* the default: real-time */
	assert_int_equal(running.worker_sched.priority, 49);
	for (size_t i = 0; i < N_ELEMENTS(good); i++) {
		c.worker_sched.policy = -1;
		assert_int_equal(bpfnic_param_set_text(p, &c, good[i].text, NULL, why, sizeof(why)), 0);
		assert_int_equal(c.worker_sched.policy, good[i].policy);
		assert_int_equal(c.worker_sched.priority, good[i].priority);
		/* What status shows is what the file says. */
		assert_string_equal(bpfnic_worker_sched_format(&c.worker_sched, text, sizeof(text)),
				    good[i].text);
	}
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		c = running;
		if (bpfnic_param_set_text(p, &c, bad[i], NULL, why, sizeof(why)) != -EINVAL) {
			print_message("# WorkerScheduling=%s accepted\n", bad[i]);
			fail();
		}
		assert_string_equal(why, "must be fifo:N or rr:N (real-time, N between 1 and 99) "
				    "or other");
		assert_memory_equal(&c.worker_sched, &running.worker_sched, sizeof(c.worker_sched));
	}
	assert_string_equal(bpfnic_sched_class_name(SCHED_BATCH), "batch");
	assert_string_equal(bpfnic_sched_class_name(6), "deadline");
	assert_null(bpfnic_sched_class_name(4));
	assert_null(bpfnic_sched_class_name(-1));
	assert_null(bpfnic_sched_class_name(7));
}

static void test_text_values(void **state)
{
	const struct bpfnic_param *port = bpfnic_param_by_key("Daemon", "Port");
	const struct bpfnic_param *metric = bpfnic_param_by_json("metric");
	struct bpfnicd_config c = running;
	struct json_object *v;
	char why[200];
	(void)state;

	assert_int_equal(bpfnic_param_set_text(port, &c, "9000", NULL, why, sizeof(why)), 0);
	assert_int_equal(c.port, 9000);
	assert_int_equal(bpfnic_param_set_text(port, &c, "0", NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "must be an integer between 1 and 65535");
	assert_int_equal(bpfnic_param_set_text(metric, &c, "p50", NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "must be avg or p99");
	v = bpfnic_param_text_to_json(metric, "p99", why, sizeof(why));
	assert_string_equal(json_object_get_string(v), "p99");
	json_object_put(v);
	v = bpfnic_param_text_to_json(bpfnic_param_by_json("threshold_us"), "40", why, sizeof(why));
	assert_int_equal(json_object_get_int(v), 40);
	json_object_put(v);
	assert_null(bpfnic_param_text_to_json(bpfnic_param_by_json("threshold_us"), "0", why,
					      sizeof(why)));
	assert_null(bpfnic_param_text_to_json(bpfnic_param_by_json("threshold_us"), " 5", why,
					      sizeof(why)));
}

/* [Metrics] Listen=: numeric addresses of both families, the default port, and refusals. */
static void test_listen_values(void **state)
{
	static const struct {
		const char *text, *shown; /* shown: "" when refused */
	} cases[] = {
		{ "198.18.0.1:9999", "198.18.0.1:9999" },
		{ "127.0.0.1", "127.0.0.1:" XSTR(BPFNIC_METRICS_PORT) },
		{ "0.0.0.0:1", "0.0.0.0:1" },
		{ "[::1]:65535", "[::1]:65535" },
		{ "[2001:2::1]", "[2001:2::1]:" XSTR(BPFNIC_METRICS_PORT) },
		{ "::", "[::]:" XSTR(BPFNIC_METRICS_PORT) },
		{ "[::]:10777", "[::]:10777" },
		{ "localhost:10777", "" },      /* no names */
		{ "198.18.0.1:0", "" },
		{ "198.18.0.1:65536", "" },
		{ "198.18.0.1:", "" },
		{ ":10777", "" },
		{ "198.18.0.256", "" },
		{ "::1:10777", "" },            /* a bare IPv6 address has no port */
		{ "[::1]10777", "" },
		{ "[::1", "" },
		{ "[]:10777", "" },
		{ "[198.18.0.1]:10777", "" },
		{ "198.18.0.1:10777 ", "" },
	};
	const struct bpfnic_param *listen = bpfnic_param_by_key("Metrics", "Listen");
	char why[200], shown[64];
	(void)state;

	assert_non_null(listen);
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct bpfnicd_config c = running;
		int r = bpfnic_param_set_text(listen, &c, cases[i].text, NULL, why, sizeof(why));

		bpfnic_listen_format(&c.metrics_listen, shown, sizeof(shown));
		if (cases[i].shown[0] ? r != 0 || strcmp(shown, cases[i].shown) : r != -EINVAL) {
			print_message("# Listen=%s: %d, %s, '%s'\n", cases[i].text, r, why, shown);
			fail();
		}
		if (!cases[i].shown[0])
			assert_string_equal(shown, ""); /* refused: still off */
	}
	assert_int_equal(running.metrics_listen.family, 0); /* off by default */
}

/* ---- SetPolicy ------------------------------------------------------------------------ */

static int set_policy(const char *params, struct bpfnic_policy_params *out, const char **param,
		      char *why)
{
	struct json_object *p = json_tokener_parse(params);
	int r;

	assert_non_null(p);
	r = bpfnic_params_from_json(&running, &running.policy, p, out, param, why, 160);
	json_object_put(p);
	return r;
}

static void expect_bad(const char *params, const char *want_param, const char *want_why)
{
	struct bpfnic_policy_params out;
	const char *param = NULL;
	char why[160] = "";

	assert_int_equal(set_policy(params, &out, &param, why), -EINVAL);
	assert_non_null(param);
	if (strcmp(param, want_param) || strcmp(why, want_why)) {
		print_message("# %s: got %s: %s\n", params, param, why);
		fail();
	}
}

static void test_set_policy_good(void **state)
{
	struct bpfnic_policy_params out;
	const char *param;
	char why[160];
	(void)state;

	assert_int_equal(set_policy("{\"policy\":\"dynamic\",\"threshold_us\":40}", &out, &param, why), 0);
	assert_int_equal(out.policy, BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(out.threshold_us, 40);
	assert_int_equal(out.shrink_below_us, 20); /* the automatic mark follows */
	assert_int_equal(out.cooldown_ms, 1000);   /* untouched: kept */

	assert_int_equal(set_policy("{\"policy\":\"dynamic\",\"threshold_us\":40,\"shrink_below_us\":5,"
				    "\"metric\":\"p99\",\"min_cpus\":2,\"max_cpus\":3,\"cooldown_ms\":0,"
				    "\"interval_ms\":50}", &out, &param, why), 0);
	assert_int_equal(out.shrink_below_us, 5);
	assert_false(out.shrink_below_auto);
	assert_int_equal(out.metric, BPFNIC_METRIC_P99);
	assert_int_equal(out.min_cpus, 2);
	assert_int_equal(out.max_cpus, 3);
	assert_int_equal(out.cooldown_ms, 0);
	assert_int_equal(out.interval_ms, 50);

	assert_int_equal(set_policy("{\"policy\":\"split\",\"long_cpus\":3}", &out, &param, why), 0);
	assert_int_equal(out.policy, BPFNIC_POLICY_SPLIT);
	assert_int_equal(out.long_cpus, 3);
	/* An integral JSON double is an integer. */
	assert_int_equal(set_policy("{\"policy\":\"rr\",\"threshold_us\":30.0}", &out, &param, why), 0);
	assert_int_equal(out.threshold_us, 30);
}

static void test_set_policy_bad(void **state)
{
	(void)state;
	expect_bad("{}", "policy", "missing: must be rr, lwl, jsq, p2c, hash, split or dynamic");
	expect_bad("{\"policy\":\"fifo\"}", "policy", "must be \"rr\", \"lwl\", \"jsq\", \"p2c\", \"hash\", \"split\" or \"dynamic\"");
	expect_bad("{\"policy\":2}", "policy", "must be \"rr\", \"lwl\", \"jsq\", \"p2c\", \"hash\", \"split\" or \"dynamic\"");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":\"20\"}", "threshold_us",
		   "must be an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":0}", "threshold_us",
		   "must be an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":-4}", "threshold_us",
		   "must be an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":99999999999999999999}", "threshold_us",
		   "must be an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"cooldown_ms\":1.5}", "cooldown_ms",
		   "must be an integer between 0 and 3600000");
	/* Far outside any integer type (converting it was undefined: fuzz/ found it). */
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":1e300}", "threshold_us",
		   "must be an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"cooldown_ms\":-1e300}", "cooldown_ms",
		   "must be an integer between 0 and 3600000");
	expect_bad("{\"policy\":\"dynamic\",\"metric\":\"p50\"}", "metric", "must be \"avg\" or \"p99\"");
	expect_bad("{\"policy\":\"dynamic\",\"min_cpus\":[1]}", "min_cpus",
		   "must be an integer between 1 and 256");
	expect_bad("{\"policy\":\"dynamic\",\"max_cpus\":5}", "max_cpus",
		   "must be between 1 and 4, the number of CPUs in Cpus=");
	expect_bad("{\"policy\":\"dynamic\",\"min_cpus\":3,\"max_cpus\":2}", "min_cpus",
		   "must be between 1 and max_cpus (2)");
	expect_bad("{\"policy\":\"dynamic\",\"shrink_below_us\":20}", "shrink_below_us",
		   "must be below threshold_us (20)");
	expect_bad("{\"policy\":\"split\",\"long_cpus\":4}", "long_cpus",
		   "must be between 1 and 3 (Cpus= has 4 CPUs, one at least serves short requests) or auto");
	expect_bad("{\"policy\":\"dynamic\",\"interval_ms\":1}", "interval_ms",
		   "must be an integer between 10 and 60000");
}

static void test_policy_json(void **state)
{
	struct json_object *o = bpfnic_params_policy_json(&running.policy), *v;
	unsigned n = 0;
	(void)state;

	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "rr");
	assert_true(json_object_object_get_ex(o, "shrink_below_us", &v));
	assert_int_equal(json_object_get_int(v), 10);
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		n += bpfnic_params[i].json != NULL;
	assert_int_equal(json_object_object_length(o), n);
	json_object_put(o);
}

/* ---- the interface description --------------------------------------------------------- */

static void test_idl_matches_the_table(void **state)
{
	char *text = read_file("BUILD", "build", "gen/io.bpfnic.varlink"), err[200], type[200];
	struct json_object *policy;
	struct bpfnic_idl *idl;
	const char *member;
	(void)state;

	assert_int_equal(bpfnic_idl_parse(text, &idl, err, sizeof(err)), 0);
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		char want[200] = "", *w = want;

		if (!p->json)
			continue;
		if (p->type == BPFNIC_PARAM_ENUM)
			for (unsigned v = 0; v < p->n_names; v++)
				w += sprintf(w, "%s%s", v ? ", " : "(", bpfnic_param_name(p, v));
		sprintf(w, "%s", p->type == BPFNIC_PARAM_ENUM ? ")" :
			p->type == BPFNIC_PARAM_UINT ? "int" : "string");
		assert_non_null(bpfnic_idl_member_type(idl, BPFNIC_IDL_IN, "SetPolicy", p->json, type,
						       sizeof(type)));
		/* Optional, but for the policy itself. */
		assert_string_equal(type + (type[0] == '?'), want);
		assert_int_equal(type[0] == '?', strcmp(p->json, "policy") != 0);
	}
	/* The status' policy object is the IDL's Policy. */
	policy = bpfnic_params_policy_json(&running.policy);
	{
		struct json_object *reply = json_object_new_object(), *g = json_object_new_object();

		json_object_object_add(g, "main", json_object_new_array());
		json_object_object_add(g, "long", json_object_new_array());
		json_object_object_add(reply, "policy", policy);
		json_object_object_add(reply, "groups", g);
		assert_int_equal(bpfnic_idl_check(idl, BPFNIC_IDL_OUT, "SetPolicy", reply, &member, err,
						  sizeof(err)), 0);
		json_object_put(reply);
	}
	bpfnic_idl_free(idl);
	free(text);
}

/* ---- the man pages and the shipped config ------------------------------------------------ */

/* roff to plain words: macros' arguments kept, escapes and quotes dropped. */
static void roff_plain(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (const char *s = in; *s && o + 1 < size; s++) {
		if (*s == '\\' && s[1] == '-') {
			out[o++] = '-';
			s++;
		} else if (*s == '\\' && s[1] == 'f') {
			s += 2;
		} else if (*s == '\\' && s[1] == '(') {
			s += 3;
		} else if (*s == '"' || (*s == ' ' && o && out[o - 1] == ' ')) {
			continue;
		} else if (*s == '\n') {
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			if (s[1] == '.') /* a macro: skip its name and the blank after it */
				while (s[1] && s[1] != ' ' && s[1] != '\n')
					s++;
			if (s[1] == ' ')
				s++;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* The .TP entry (tag and body, as plain text) of the page whose tag starts with tag. */
static bool find_entry(const char *page, const char *from, const char *to, const char *tag,
		       char *out, size_t size)
{
	const char *start = strstr(page, from), *end;

	if (!start)
		return false;
	end = to ? strstr(start, to) : NULL;
	for (const char *tp = strstr(start, "\n.TP\n"); tp && (!end || tp < end);
	     tp = strstr(tp + 1, "\n.TP\n")) {
		const char *next = strstr(tp + 1, "\n.TP\n"), *sh = strstr(tp + 1, "\n.SH ");
		const char *stop = !next || (sh && sh < next) ? sh : next;
		char raw[4096];
		size_t n = stop ? (size_t)(stop - tp) : strlen(tp);

		snprintf(raw, sizeof(raw), "%.*s", (int)n, tp + 4);
		roff_plain(raw, out, size);
		if (!strncmp(out + strspn(out, " "), tag, strlen(tag)))
			return true;
	}
	return false;
}

/* The range and default a parameter's entry must state, as the table has them. */
static void expect_range_and_default(const struct bpfnic_param *p, const char *where,
				     const char *entry)
{
	char want[200];

	if (p->type == BPFNIC_PARAM_UINT) {
		snprintf(want, sizeof(want), "%u-%u", p->min, p->max);
		if (!strstr(entry, want)) {
			print_message("# %s: %s= does not say its range %s: %s\n", where, p->key, want, entry);
			fail();
		}
	}
	if (p->def && p->def[0])
		snprintf(want, sizeof(want), "default %s", p->def);
	else
		snprintf(want, sizeof(want), "%s", p->def ? "Empty (the default)" : p->def_doc);
	if (!strstr(entry, want)) {
		print_message("# %s: %s= does not say its default '%s': %s\n", where, p->key, want, entry);
		fail();
	}
	for (unsigned v = 0; v < p->n_names; v++)
		if (!strstr(entry, bpfnic_param_name(p, v))) {
			print_message("# %s: %s= does not list %s\n", where, p->key, bpfnic_param_name(p, v));
			fail();
		}
}

static void test_config_man_page(void **state)
{
	char *page = read_file("BPFNIC_TOP", ".", "packaging/man/bpfnicd.conf.5"), entry[8192];
	unsigned documented = 0;
	(void)state;

	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		char section[64], tag[64];

		snprintf(section, sizeof(section), ".SH [%s] SECTION", p->section);
		snprintf(tag, sizeof(tag), "%s=", p->key);
		if (!find_entry(page, section, "\n.SH ", tag, entry, sizeof(entry))) {
			print_message("# bpfnicd.conf(5): no %s= in [%s]\n", p->key, p->section);
			fail();
		}
		expect_range_and_default(p, "bpfnicd.conf(5)", entry);
	}
	/* And no key the table lacks: every entry of a [Section] names one. */
	for (const char *s = strstr(page, "\n.SH ["); s; s = strstr(s + 1, "\n.TP\n")) {
		char key[64];

		if (sscanf(s, "\n.TP\n.B%*[IR] %63[A-Za-z]=", key) == 1) {
			bool known = false;

			for (unsigned i = 0; i < bpfnic_n_params; i++)
				known |= !strcmp(bpfnic_params[i].key, key);
			if (!known) {
				print_message("# bpfnicd.conf(5) documents %s=, which is no key\n", key);
				fail();
			}
			documented++;
		}
	}
	assert_int_equal(documented, bpfnic_n_params);
	free(page);
}

static void test_ctl_man_page(void **state)
{
	char *page = read_file("BPFNIC_TOP", ".", "packaging/man/bpfnicctl.8"), entry[8192];
	(void)state;

	for (unsigned k = 0; k < BPFNIC_NR_POLICIES; k++)
		if (!find_entry(page, "\n.B policy ", "\n.RE", bpfnic_policies[k].name, entry,
				sizeof(entry))) {
			print_message("# bpfnicctl(8): no policy %s\n", bpfnic_policies[k].name);
			fail();
		}
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];

		if (!p->cli)
			continue;
		if (!find_entry(page, "\n.B policy ", "\n.RE", p->cli, entry, sizeof(entry))) {
			print_message("# bpfnicctl(8): no %s under policy\n", p->cli);
			fail();
		}
		expect_range_and_default(p, "bpfnicctl(8)", entry);
	}
	/* No option the table lacks under policy. */
	for (const char *s = strstr(page, "\n.B policy "), *end = strstr(s, "\n.RE");
	     (s = strstr(s + 1, "\n.TP\n.BI \\-\\-")) && s < end;) {
		char flag[64], plain[64];

		assert_int_equal(sscanf(s, "\n.TP\n.BI %63s", flag), 1);
		roff_plain(flag, plain, sizeof(plain));
		if (!bpfnic_param_by_cli(plain, strlen(plain))) {
			print_message("# bpfnicctl(8) documents %s, which bpfnicctl lacks\n", plain);
			fail();
		}
	}
	free(page);
}

static void test_shipped_config(void **state)
{
	char *conf = read_file("BPFNIC_TOP", ".", "etc/bpfnicd.conf");
	unsigned keys = 0;
	(void)state;

	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		char section[64], line[200];
		const char *s, *next;

		snprintf(section, sizeof(section), "\n[%s]\n", p->section);
		s = strstr(conf, section);
		assert_non_null(s);
		next = strstr(s + 1, "\n[");
		snprintf(line, sizeof(line), "\n#%s=%s\n", p->key, p->def ? p->def : "");
		s = strstr(s, line);
		if (!s || (next && s > next)) {
			print_message("# etc/bpfnicd.conf: no '%s' in [%s]\n", line + 1, p->section);
			fail();
		}
	}
	for (const char *s = conf; (s = strstr(s, "\n#")); s++)
		if (s[2] >= 'A' && s[2] <= 'Z' && strcspn(s + 2, "=\n ") < strcspn(s + 2, "\n") &&
		    s[2 + strcspn(s + 2, "=\n ")] == '=')
			keys++;
	assert_int_equal(keys, bpfnic_n_params);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_text_values),
		cmocka_unit_test(test_worker_scheduling),
		cmocka_unit_test(test_listen_values),
		cmocka_unit_test(test_set_policy_good),
		cmocka_unit_test(test_set_policy_bad),
		cmocka_unit_test(test_policy_json),
		cmocka_unit_test(test_idl_matches_the_table),
		cmocka_unit_test(test_config_man_page),
		cmocka_unit_test(test_ctl_man_page),
		cmocka_unit_test(test_shipped_config),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
