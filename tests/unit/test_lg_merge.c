// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loadgen/merge: two runs' documents with known histograms merge into the expected
 * run (counts, rates and buckets add, percentiles come from the sums, the wall-clock
 * window spans both), a step written and read back is the same step, and runs whose
 * step lists differ, or documents that are not runs, are refused with a message.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"
#include "loadgen/merge.h"
#include "loadgen/report.h"

/* Values below 128 ns have a bucket each (lib/hist.h): bucket 100 holds 100 ns exactly. */
#define HIST(count, min, max, sum, buckets)                                                 \
	"{\"sub_bits\":7,\"count\":" #count ",\"clamped\":0,\"min_ns\":" #min ",\"max_ns\":" #max \
	",\"sum_ns\":" #sum ",\"buckets\":" buckets "}"

/* s with the first from replaced by to, in place (size: s's buffer). */
static void replace(char *s, size_t size, const char *from, const char *to)
{
	char *at = strstr(s, from), rest[16384];

	assert_non_null(at);
	snprintf(rest, sizeof(rest), "%s", at + strlen(from));
	assert_true((size_t)(at - s) + strlen(to) + strlen(rest) < size);
	sprintf(at, "%s%s", to, rest);
}

/* step with its first from replaced by to, into dst (size: dst's buffer). */
static void edited(char *dst, size_t size, const char *step, const char *from, const char *to)
{
	snprintf(dst, size, "%s", step);
	replace(dst, size, from, to);
}

/*
 * A run's document with one step per steps[] entry: the step's JSON members besides
 * those every step has here (a short class whose counts and histograms are given).
 */
static json_object *doc(const char *const *steps, unsigned n)
{
	char text[16384];
	size_t used = 0;
	json_object *o;

	used += (size_t)snprintf(text + used, sizeof(text) - used,
		"{\"tool\":\"bpfnic-loadgen\",\"config\":{\"mix\":{\"short\":1,\"long\":0}},"
		"\"environment\":{\"kernel\":\"k\"},\"steps\":[");
	for (unsigned i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s{\"step\":%u,%s}",
					 i ? "," : "", i + 1, steps[i]);
	snprintf(text + used, sizeof(text) - used, "]}");
	o = json_tokener_parse(text);
	assert_non_null(o);
	return o;
}

/* One host's step: its clients and rates, its windows (ns), the replies outside the
 * measured window, and a short class with its counts and histograms. */
#define STEP(clients, offered_rps, achieved_rps, warmup_start, wall_start, wall_end, stale,     \
	     warmup_replies, send_lag, sent, received, lost, invalid, rtt, qdelay)                \
	"\"clients\":" #clients ",\"offered_rps\":" #offered_rps ",\"achieved_rps\":"          \
	#achieved_rps ",\"duration_s\":1.000,\"warmup_start_ns\":" #warmup_start                 \
	",\"wall_start_ns\":" #wall_start ",\"wall_end_ns\":" #wall_end ",\"stale_replies\":"    \
	#stale ",\"warmup_replies\":" #warmup_replies ",\"client_rx_drops\":0,\"valid\":true,"   \
	"\"reason\":\"\",\"kernel_rx_timestamps\":true,\"send_lag_hist\":" send_lag ","         \
	"\"classes\":{\"short\":{\"sent\":" #sent ",\"received\":" #received ",\"lost\":"     \
	#lost ",\"invalid\":" #invalid ",\"send_failures\":0,\"rtt_hist\":" rtt ","               \
	"\"qdelay_hist\":" qdelay "}}"

/* Host A: 2 clients at 2000/s, 4 replies at 100 ns and one at 120 ns. */
static const char step_a[] = STEP(2, 2000, 5.0, 900, 1000, 2000, 1, 2,
				  HIST(5, 10, 40, 80, "[[10,4],[40,1]]"), 6, 5, 1, 0,
				  HIST(5, 100, 120, 520, "[[100,4],[120,1]]"),
				  HIST(5, 3, 3, 15, "[[3,5]]"));
/* Host B: 1 client at 1000/s, started earlier and ended later, 3 replies at 120 ns. */
static const char step_b[] = STEP(1, 1000, 3.0, 800, 990, 2010, 0, 1,
				  HIST(3, 10, 10, 30, "[[10,3]]"), 3, 3, 0, 2,
				  HIST(3, 120, 120, 360, "[[120,3]]"),
				  HIST(3, 7, 7, 21, "[[7,3]]"));

static const char *const names[] = { "A.json", "B.json", "C.json" };

static void test_two_runs_merge_exactly(void **state)
{
	const char *sa[] = { step_a }, *sb[] = { step_b };
	json_object *docs[] = { doc(sa, 1), doc(sb, 1) }, *j, *v;
	struct lg_merged m;
	const struct lg_step_result *s;
	char err[256];
	(void)state;

	assert_int_equal(lg_merge(docs, names, 2, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nsteps, 1);
	s = &m.steps[0];
	assert_int_equal(s->clients, 3);
	assert_true(s->offered_rps == 3000);
	assert_true(s->achieved_rps == 9.0);              /* 9 sent in the same 1 s window */
	assert_int_equal(s->cls[0].counts.sent, 9);
	assert_int_equal(s->cls[0].counts.received, 8);
	assert_int_equal(s->cls[0].counts.lost, 1);
	assert_int_equal(s->cls[0].counts.invalid, 2);
	assert_int_equal(s->counts.sent, 9);
	assert_int_equal(s->stale, 1);
	assert_int_equal(s->warmup_replies, 3);
	assert_true(s->warmup_start_ns == 800 && s->wall_start_ns == 990 && s->wall_end_ns == 2010);
	/* The RTT histograms added: 4 x 100 ns, 4 x 120 ns. */
	assert_int_equal(s->cls[0].rtt_hist.n, 2);
	assert_int_equal(s->cls[0].rtt_hist.b[0].index, 100);
	assert_int_equal(s->cls[0].rtt_hist.b[0].count, 4);
	assert_int_equal(s->cls[0].rtt_hist.b[1].count, 4);
	assert_int_equal(s->cls[0].rtt.count, 8);
	assert_true(s->cls[0].rtt.p50 == 100 && s->cls[0].rtt.p90 == 120 && s->cls[0].rtt.max == 120);
	assert_true(s->cls[0].rtt.mean == 110);           /* (520 + 360) / 8 */
	assert_true(s->cls[0].qdelay.min == 3 && s->cls[0].qdelay.max == 7);
	assert_true(s->send_lag.p99 == 40);
	/* Lag p99 40 ns against an RTT p99 of 120 ns: more than a quarter, not valid. */
	assert_false(s->valid);
	assert_non_null(strstr(s->reason, "send lag p99"));
	/* The merged document: the inputs, and the step as a run writes it. */
	j = lg_merged_json(&m, docs, names, 2);
	assert_true(json_object_object_get_ex(j, "merged_from", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(v, 1), "environment", &v));
	assert_true(json_object_object_get_ex(j, "steps", &v));
	v = json_object_array_get_idx(v, 0);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "clients")), 3);
	assert_string_equal(json_object_to_json_string_ext(json_object_object_get(
		json_object_object_get(json_object_object_get(v, "classes"), "short"), "rtt_hist"),
		JSON_C_TO_STRING_PLAIN),
		HIST(8, 100, 120, 880.0, "[[100,4],[120,4]]"));
	json_object_put(j);
	lg_merged_free(&m);
	json_object_put(docs[0]);
	json_object_put(docs[1]);
}

/* An input's verdict stands: its reason, named by file, joins the merged step's. */
static void test_an_invalid_input_stays_invalid(void **state)
{
	char bad_b[sizeof(step_b) + 64];
	const char *sa[] = { step_a }, *sb[] = { bad_b };
	json_object *docs[2];
	struct lg_merged m;
	char err[256];
	(void)state;

	edited(bad_b, sizeof(bad_b), step_b, "\"valid\":true,\"reason\":\"\"", "\"valid\":false,\"reason\":\"x\"");
	docs[0] = doc(sa, 1);
	docs[1] = doc(sb, 1);
	assert_int_equal(lg_merge(docs, names, 2, &m, err, sizeof(err)), 0);
	assert_false(m.steps[0].valid);
	assert_non_null(strstr(m.steps[0].reason, "; B.json: x"));
	lg_merged_free(&m);
	json_object_put(docs[0]);
	json_object_put(docs[1]);
}

/* What a run writes, read back, is the same step. */
static void test_written_step_reads_back(void **state)
{
	const char *sa[] = { step_a };
	json_object *d = doc(sa, 1), *steps, *written;
	struct lg_step_result r, back;
	struct lg_config c;
	char err[256];
	(void)state;

	lg_config_defaults(&c);
	steps = json_object_object_get(d, "steps");
	assert_int_equal(lg_step_from_json(json_object_array_get_idx(steps, 0), &r, err, sizeof(err)), 0);
	written = lg_json_step(&c, &r);
	assert_int_equal(lg_step_from_json(written, &back, err, sizeof(err)), 0);
	assert_int_equal(back.clients, 2);
	assert_true(back.duration_ns == 1000000000ull && back.wall_end_ns == 2000);
	assert_int_equal(back.cls[0].counts.sent, 6);
	assert_int_equal(back.cls[0].rtt_hist.n, 2);
	assert_int_equal(back.cls[0].rtt_hist.b[1].index, 120);
	assert_true(back.cls[0].rtt_hist.sum == 520 && back.send_lag_hist.count == 5);
	assert_true(back.valid);
	lg_step_result_free(&r);
	lg_step_result_free(&back);
	json_object_put(written);
	json_object_put(d);
}

static void test_refusals(void **state)
{
	char other[sizeof(step_b) + 64], nohist[sizeof(step_a)], badsum[sizeof(step_a)];
	const char *one[] = { step_a }, *two[] = { step_a, step_a }, *longer[] = { other },
		   *missing[] = { nohist }, *broken[] = { badsum };
	static const struct {
		int first, second; /* index into docs below */
		const char *message;
	} cases[] = {
		{ 0, 1, "the runs' step lists differ: A.json has 1 steps, B.json 2" },
		{ 0, 2, "the runs' step lists differ: step 1 measures 1.000 s in A.json, 2.000 s in B.json" },
		{ 0, 3, "B.json: not a --json document of bpfnic-loadgen" },
		{ 0, 4, "B.json: steps[0].classes.short.rtt_hist: missing" },
		{ 0, 5, "B.json: steps[0].classes.short.rtt_hist: its buckets hold 4 values, its count says 5" },
	};
	json_object *docs[6];
	struct lg_merged m;
	char err[256];
	(void)state;

	edited(other, sizeof(other), step_b, "\"duration_s\":1.000", "\"duration_s\":2.000");
	edited(nohist, sizeof(nohist), step_a, "\"rtt_hist\"", "\"rtt_hisx\"");
	edited(badsum, sizeof(badsum), step_a, "[[100,4],[120,1]]", "[[100,3],[120,1]]");
	docs[0] = doc(one, 1);
	docs[1] = doc(two, 2);
	docs[2] = doc(longer, 1);
	docs[3] = json_tokener_parse("{\"tool\":\"sockperf\",\"steps\":[]}");
	docs[4] = doc(missing, 1);
	docs[5] = doc(broken, 1);
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		json_object *pair[] = { docs[cases[i].first], docs[cases[i].second] };

		err[0] = '\0';
		assert_int_equal(lg_merge(pair, names, 2, &m, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].message))
			fail_msg("want '%s', got '%s'", cases[i].message, err);
		assert_null(m.steps);
	}
	assert_int_equal(lg_merge(docs, names, 0, &m, err, sizeof(err)), -EINVAL);
	for (size_t i = 0; i < 6; i++)
		json_object_put(docs[i]);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_two_runs_merge_exactly),
	cmocka_unit_test(test_an_invalid_input_stays_invalid),
	cmocka_unit_test(test_written_step_reads_back),
	cmocka_unit_test(test_refusals))
