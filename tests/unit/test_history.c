/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/history: the rings of windows and changes, what a span after a time holds,
 * when the rings no longer hold its start, and a span read in pieces that fit one
 * message each, which join into the whole span.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "tests/support/unit.h"

#include "daemon/history.h"

/* Candidate CPUs 3, 1, 2: main is CPU 3, long is CPU 2, CPU 1 serves nothing. */
static const struct bpfnic_cpus cpus = { .n = 3, .cpu = { 3, 1, 2 } };
static const int groups[] = { BPFNIC_GROUP_MAIN, -1, BPFNIC_GROUP_LONG };

/* A window whose figures all derive from k, so that each can be told apart. */
static void add_window(struct bpfnicd_history *h, uint64_t time_usec, unsigned k)
{
	struct bpfnicd_window w = { .window_ms = 200, .n = cpus.n, .in_rps = 1000.0 * k,
				    .out_rps = 999.0 * k, .qdelay_avg_us = 5, .qdelay_p50_us = 4,
				    .qdelay_p99_us = 40 };

	for (unsigned i = 0; i < cpus.n; i++)
		w.cpu[i] = (struct bpfnicd_cpu_window){
			.cpu = cpus.cpu[i], .in_rps = 100.0 * k + i, .rps = 100.0 * k, .qdelay_avg_us = 3,
			.qdelay_p50_us = 2.5, .qdelay_p99_us = 30, .qdelay_max_us = 90,
			.kthread_util = i == 1 ? -1 : 0.25, .window_queue_drops = i == 2 ? k : 0,
			.queue_drops = 1000000, /* since attach: not what a window keeps */
		};
	bpfnicd_history_add_window(h, time_usec, &w, BPFNIC_POLICY_SPLIT, groups);
}

static void add_change(struct bpfnicd_history *h, uint64_t time_usec, enum bpfnicd_change_action a)
{
	struct bpfnicd_change c = { .time_usec = time_usec, .action = a, .group = BPFNIC_GROUP_MAIN,
				    .group_size = 2, .cpu = a == BPFNICD_CHANGE_POLICY ? -1 : 5,
				    .cpus = a == BPFNICD_CHANGE_POLICY ? 0 : 1,
				    .metric_us = a == BPFNICD_CHANGE_POLICY ? NAN : 25.04 };

	snprintf(c.reason, sizeof(c.reason), "change at %llu", (unsigned long long)time_usec);
	bpfnicd_history_add_change(h, &c);
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (key[0] >= '0' && key[0] <= '9')
			o = json_object_array_get_idx(o, (size_t)atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *text(struct json_object *o, const char *path)
{
	return json_object_to_json_string_ext(get(o, path), JSON_C_TO_STRING_PLAIN);
}

/* The since reply's times of windows ("windows") or changes, as "t1 t2 ...". */
static void times(struct json_object *p, const char *list, char *out, size_t size)
{
	struct json_object *a = get(p, list);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; a && i < json_object_array_length(a) && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%llu", i ? " " : "",
					 (unsigned long long)json_object_get_uint64(
						 get(json_object_array_get_idx(a, i), "time_usec")));
}

/* "a b" + "c d" = "a b c d" */
static void append(char *list, size_t size, const char *more)
{
	size_t used = strlen(list);

	assert_true(used + 1 + strlen(more) < size);
	if (*list && *more)
		list[used++] = ' ';
	strcpy(list + used, more);
}

static struct json_object *since(const struct bpfnicd_history *h, uint64_t since_usec, size_t budget,
				 int want)
{
	struct json_object *p = json_object_new_object();

	assert_int_equal(bpfnicd_history_since_json(h, since_usec, budget, p), want);
	return p;
}

static void test_window_as_kept(void **state)
{
	struct bpfnicd_history *h;
	struct json_object *p;
	(void)state;

	assert_int_equal(bpfnicd_history_new(&cpus, 4, 4, &h), 0);
	add_window(h, 1000, 7);
	p = since(h, 0, 1 << 20, 0);
	assert_string_equal(text(p, "windows.0"),
		"{\"time_usec\":1000,\"window_ms\":200.0,\"policy\":\"split\","
		"\"groups\":{\"main\":[3],\"long\":[2]},\"in_rps\":7000.0,\"out_rps\":6993.0,"
		"\"qdelay_us\":{\"avg\":5.0,\"p50\":4.0,\"p99\":40.0},\"cpus\":["
		"{\"cpu\":3,\"group\":\"main\",\"in_rps\":700.0,\"out_rps\":700.0,\"qdelay_us\":"
		"{\"avg\":3.0,\"p50\":2.5,\"p99\":30.0,\"max\":90.0},\"kthread_util\":0.250,\"queue_drops\":0},"
		"{\"cpu\":1,\"group\":null,\"in_rps\":701.0,\"out_rps\":700.0,\"qdelay_us\":"
		"{\"avg\":3.0,\"p50\":2.5,\"p99\":30.0,\"max\":90.0},\"kthread_util\":null,\"queue_drops\":0},"
		"{\"cpu\":2,\"group\":\"long\",\"in_rps\":702.0,\"out_rps\":700.0,\"qdelay_us\":"
		"{\"avg\":3.0,\"p50\":2.5,\"p99\":30.0,\"max\":90.0},\"kthread_util\":0.250,\"queue_drops\":7}]}");
	assert_string_equal(text(p, "changes"), "[]");
	assert_string_equal(text(p, "truncated"), "false");
	assert_null(get(p, "next_since_usec"));
	json_object_put(p);
	bpfnicd_history_free(h);
}

static void test_change_as_kept(void **state)
{
	struct bpfnicd_history *h;
	struct json_object *p;
	(void)state;

	assert_int_equal(bpfnicd_history_new(&cpus, 4, 4, &h), 0);
	add_change(h, 10, BPFNICD_CHANGE_GROW);
	add_change(h, 20, BPFNICD_CHANGE_POLICY);
	add_change(h, 30, BPFNICD_CHANGE_SHRINK);
	p = since(h, 0, 1 << 20, 0);
	assert_string_equal(text(p, "changes.0"),
		"{\"time_usec\":10,\"action\":\"grow\",\"cpu\":5,\"cpus\":1,\"group\":\"main\",\"group_size\":2,"
		"\"metric_us\":25.0,\"reason\":\"change at 10\"}");
	assert_string_equal(text(p, "changes.1"),
		"{\"time_usec\":20,\"action\":\"policy\",\"cpu\":null,\"cpus\":0,\"group\":\"main\",\"group_size\":2,"
		"\"metric_us\":null,\"reason\":\"change at 20\"}");
	assert_string_equal(text(p, "changes.2.action"), "\"shrink\"");
	json_object_put(p);
	/* Status' last changes: the newest two, oldest first. */
	p = bpfnicd_history_last_changes_json(h, 2);
	assert_int_equal(json_object_array_length(p), 2);
	assert_string_equal(text(p, "0.reason"), "\"change at 20\"");
	json_object_put(p);
	assert_int_equal(bpfnicd_history_n_changes(h), 3);
	assert_int_equal(bpfnicd_history_change(h, 2)->action, BPFNICD_CHANGE_SHRINK);
	assert_null(bpfnicd_history_change(h, 3));
	bpfnicd_history_free(h);
}

/* A full ring drops its oldest; a span that began before what was dropped is truncated. */
static void test_rings_drop_the_oldest(void **state)
{
	static const struct {
		uint64_t since;
		const char *windows, *changes;
		bool truncated;
	} cases[] = {
		{ 0, "300 400 500", "250 350", true },
		{ 150, "300 400 500", "250 350", true },  /* window 200 was dropped */
		{ 200, "300 400 500", "250 350", false }, /* all after 200 is held */
		{ 240, "300 400 500", "250 350", false },
		{ 450, "500", "", false },
		{ 500, "", "", false },
		{ 9999, "", "", false },
	};
	struct bpfnicd_history *h;
	char got[256];
	(void)state;

	assert_int_equal(bpfnicd_history_new(&cpus, 3, 2, &h), 0);
	for (unsigned k = 1; k <= 5; k++) {
		add_window(h, 100 * k, k);
		if (k < 4)
			add_change(h, 100 * k + 50, BPFNICD_CHANGE_GROW); /* 150 250 350 */
	}
	assert_int_equal(bpfnicd_history_n_changes(h), 2);
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct json_object *p = since(h, cases[i].since, 1 << 20, 0);

		times(p, "windows", got, sizeof(got));
		assert_string_equal(got, cases[i].windows);
		times(p, "changes", got, sizeof(got));
		assert_string_equal(got, cases[i].changes);
		assert_int_equal(json_object_get_boolean(get(p, "truncated")), cases[i].truncated);
		json_object_put(p);
	}
	bpfnicd_history_free(h);
}

/* Read in pieces of a small budget, the span comes whole, each piece complete up to
 * its next_since_usec, and entries at one time never split between pieces. */
static void test_span_in_pieces(void **state)
{
	struct bpfnicd_history *h;
	struct json_object *all, *p;
	char whole_w[1024], whole_c[1024], w[1024] = "", c[1024] = "", piece[256];
	uint64_t at = 0;
	size_t one_window, pieces = 0;
	(void)state;

	assert_int_equal(bpfnicd_history_new(&cpus, 64, 64, &h), 0);
	for (unsigned k = 1; k <= 20; k++) {
		add_window(h, 1000 * k, k);
		if (k % 3 == 0)
			add_change(h, 1000 * k, BPFNICD_CHANGE_GROW); /* the same time as a window */
		if (k % 5 == 0)
			add_change(h, 1000 * k + 500, BPFNICD_CHANGE_POLICY);
	}
	all = since(h, 0, 1 << 20, 0);
	times(all, "windows", whole_w, sizeof(whole_w));
	times(all, "changes", whole_c, sizeof(whole_c));
	one_window = strlen(text(all, "windows.0"));
	json_object_put(all);

	for (;;) {
		struct json_object *next;

		/* Room for two windows and a bit: pieces of one to three entries. */
		p = since(h, at, 2 * one_window + 100, 0);
		pieces++;
		times(p, "windows", piece, sizeof(piece));
		append(w, sizeof(w), piece);
		times(p, "changes", piece, sizeof(piece));
		append(c, sizeof(c), piece);
		next = get(p, "next_since_usec");
		if (!next) {
			json_object_put(p);
			break;
		}
		assert_true(json_object_get_uint64(next) > at);
		at = json_object_get_uint64(next);
		assert_int_equal(at % 500, 0); /* a window's or a change's time, never in between */
		json_object_put(p);
		assert_true(pieces < 100);
	}
	assert_string_equal(w, whole_w);
	assert_string_equal(c, whole_c);
	assert_true(pieces > 10);
	/* Not even one window fits: nothing, and the caller says so. */
	p = since(h, 0, one_window / 2, -EMSGSIZE);
	assert_null(get(p, "windows"));
	json_object_put(p);
	bpfnicd_history_free(h);
}

static void test_refuses_empty_rings(void **state)
{
	struct bpfnicd_history *h = (void *)1;
	(void)state;

	assert_int_equal(bpfnicd_history_new(&cpus, 0, 4, &h), -EINVAL);
	assert_null(h);
	assert_int_equal(bpfnicd_history_new(&cpus, 4, 0, &h), -EINVAL);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_window_as_kept),
	cmocka_unit_test(test_change_as_kept),
	cmocka_unit_test(test_rings_drop_the_oldest),
	cmocka_unit_test(test_span_in_pieces),
	cmocka_unit_test(test_refuses_empty_rings))
