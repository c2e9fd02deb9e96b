// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfnicctl's tables: exact output for synthetic replies, and no crash on bad ones. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include "ctl/format.h"

/* Run a printer into a memory buffer; returns the text (static, overwritten). */
static const char *render(int (*print)(FILE *, struct json_object *), const char *json)
{
	static char *text;
	size_t len;
	FILE *f;
	struct json_object *o = json_tokener_parse(json);

	free(text);
	text = NULL;
	assert_non_null(o);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(print(f, o), 0);
	fclose(f);
	json_object_put(o);
	return text;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* The scalar formatters: microseconds, durations, rates. */
static void test_fmt_numbers(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 0), "0.00");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 0.424), "0.42");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 6.1), "6.10");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 61.26), "61.3");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 999.94), "999.9");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 1204.4), "1204");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), -1), "-");
	assert_string_equal(ctl_fmt_us(b, sizeof(b), 0.0 / 0.0), "-");
	assert_string_equal(ctl_fmt_duration(b, sizeof(b), 42), "42s");
	assert_string_equal(ctl_fmt_duration(b, sizeof(b), 125), "2m 05s");
	assert_string_equal(ctl_fmt_duration(b, sizeof(b), 3720), "1h 02m");
	assert_string_equal(ctl_fmt_duration(b, sizeof(b), 3 * 86400 + 4 * 3600 + 5), "3d 04h");
	assert_string_equal(ctl_fmt_duration(b, sizeof(b), -1), "-");
	assert_string_equal(ctl_fmt_rate(b, sizeof(b), 0), "0");
	assert_string_equal(ctl_fmt_rate(b, sizeof(b), 949.6), "950");
	assert_string_equal(ctl_fmt_rate(b, sizeof(b), 12345), "12.3k");
	assert_string_equal(ctl_fmt_rate(b, sizeof(b), 1.2e6), "1.20M");
}

static void test_fmt_json_values(void **state)
{
	char b[32];
	struct json_object *o = json_tokener_parse("{\"i\":42,\"d\":12.5,\"s\":\"x\",\"n\":null}");

	(void)state;
	assert_string_equal(ctl_fmt_json_int(b, sizeof(b), json_object_object_get(o, "i")), "42");
	assert_string_equal(ctl_fmt_json_int(b, sizeof(b), json_object_object_get(o, "d")), "12");
	assert_string_equal(ctl_fmt_json_int(b, sizeof(b), json_object_object_get(o, "s")), "-");
	assert_string_equal(ctl_fmt_json_int(b, sizeof(b), NULL), "-");
	assert_string_equal(ctl_fmt_json_us(b, sizeof(b), json_object_object_get(o, "d")), "12.5");
	assert_string_equal(ctl_fmt_json_us(b, sizeof(b), json_object_object_get(o, "i")), "42.0");
	assert_string_equal(ctl_fmt_json_us(b, sizeof(b), json_object_object_get(o, "s")), "-");
	json_object_put(o);
}

static void test_fmt_cpulist(void **state)
{
	char b[64];
	struct json_object *o2, *o = json_tokener_parse(
		"{\"a\":[0,1,2,5],\"b\":[3],\"c\":[],\"d\":[1,0],\"e\":[0,1,2,3,7,8,10]}");

	(void)state;
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), json_object_object_get(o, "a")), "0-2,5");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), json_object_object_get(o, "b")), "3");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), json_object_object_get(o, "c")), "-");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), json_object_object_get(o, "d")), "1,0");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), json_object_object_get(o, "e")), "0-3,7-8,10");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), NULL), "-");
	/* too long for the buffer: the count instead */
	assert_string_equal(ctl_fmt_cpulist(b, 8, json_object_object_get(o, "e")), "7 CPUs");
	o2 = json_tokener_parse("[0,-1]");
	assert_string_equal(ctl_fmt_cpulist(b, sizeof(b), o2), "-");
	json_object_put(o2);
	json_object_put(o);
}

static void test_display_width(void **state)
{
	(void)state;
	assert_int_equal(ctl_display_width(""), 0);
	assert_int_equal(ctl_display_width("abc"), 3);
	assert_int_equal(ctl_display_width("P99 (µs)"), 8);
}

static void test_table_alignment(void **state)
{
	static const char *const headers[] = { ">CPU", "GROUP", ">AVG (µs)", "NOTE" };
	struct ctl_table t;
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(ctl_table_init(&t, 4, headers), 0);
	assert_int_equal(ctl_table_add(&t, (const char *const[]){ "0", "main", "3.21", "ok" }), 0);
	assert_int_equal(ctl_table_add(&t, (const char *const[]){ "12", NULL, "1204", "µ" }), 0);
	assert_int_equal(ctl_table_print(&t, f), 0);
	fclose(f);
	/* µ counts as one column; right-aligned numbers; no trailing blanks */
	assert_string_equal(text, "CPU  GROUP  AVG (µs)  NOTE\n"
				  "  0  main       3.21  ok\n"
				  " 12  -          1204  µ\n");
	free(text);
	ctl_table_free(&t);
	assert_int_equal(ctl_table_init(&t, 0, headers), -22);
}

static const char status_json[] =
	"{\"version\":\"0.1.0\",\"interface\":\"ta-s\",\"xdp_mode\":\"generic\","
	"\"xdp_mode_requested\":\"auto\",\"port\":7777,\"addresses\":[\"198.18.0.1\",\"2001:2::1\"],"
	"\"nic\":{\"driver\":\"veth\",\"mtu\":1500,\"rx_queues\":2,\"tx_queues\":2,"
	"\"xdp_features\":[\"basic\",\"redirect\",\"rx-sg\"],\"rx_vlan_offload\":true,"
	"\"rx_irq_cpus\":null,\"fallback\":\"no ndo-xmit\"},"
	"\"warnings\":[\"XdpMode=auto attached in generic mode: no ndo-xmit\",\"two\"],"
	"\"uptime_sec\":125,"
	"\"policy\":{\"name\":\"dynamic\",\"long_cpus\":1,\"spread\":\"rr\",\"threshold_us\":20,\"metric\":\"avg\","
	"\"min_cpus\":1,\"max_cpus\":2,\"cooldown_ms\":500,\"shrink_below_us\":5,\"interval_ms\":100},"
	"\"workload\":{\"short_us\":6,\"long_us\":60,\"max_us\":1000},"
	"\"groups\":{\"main\":[0,1],\"long\":[]},"
	"\"totals\":{\"in_rps\":1234.4,\"out_rps\":1230,\"requests\":100000,\"replies\":99998,"
	"\"passed\":12,\"other_address\":4,\"drops\":{\"queue\":2,\"no_cpu\":0,\"redirect_err\":0,"
	"\"tx_err\":0,\"short_payload\":1,\"too_long\":3,\"transmit\":5,\"transmit_exact\":true}},"
	"\"history\":[{\"time_usec\":1700000000000000,\"action\":\"grow\",\"cpu\":1,\"cpus\":1,"
	"\"group\":\"main\",\"group_size\":2,\"metric_us\":35.25,\"reason\":\"avg 35.2 us > 20 us\"}],"
	"\"workers\":{\"scheduling\":\"fifo:49\",\"problem\":null,\"threads\":["
	"{\"cpu\":0,\"pid\":16301,\"class\":\"fifo\",\"priority\":49,\"nice\":0,\"cpu_use\":0.123},"
	"{\"cpu\":1,\"pid\":null,\"class\":null,\"priority\":null,\"nice\":null,\"cpu_use\":null}]}}";

static void test_status(void **state)
{
	const char *s = render(ctl_print_status, status_json);

	(void)state;
	assert_contains(s, "daemon      bpfnicd 0.1.0, up 2m 05s\n");
	assert_contains(s, "interface   ta-s (XDP generic, asked for auto), UDP port 7777, addresses "
			   "198.18.0.1 2001:2::1\n");
	assert_contains(s, "nic         driver veth, MTU 1500, 2 RX / 2 TX queues, XDP features: basic "
			   "redirect rx-sg, RX VLAN offload on\n");
	assert_contains(s, "rx irqs     no hardware IRQs\n");
	assert_contains(s, "warning     XdpMode=auto attached in generic mode: no ndo-xmit\n"
			   "warning     two\n");
	assert_contains(s, "policy      dynamic (rr): grow above 20.0 µs (avg), shrink below 5.00 µs, "
			   "1..2 CPUs, cooldown 500 ms, every 100 ms\n");
	assert_contains(s, "workload    short 6.00 µs, long 60.0 µs, max 1000 µs\n");
	assert_contains(s, "groups      main 0-1, long -\n");
	assert_contains(s, "rate        in 1234 req/s, out 1230 req/s\n");
	assert_contains(s, "totals      requests 100000, replies 99998, passed 12 (other address 4)\n");
	assert_contains(s, "drops       queue 2, no CPU 0, redirect error 0, tx error 0, short payload 1, "
			   "too long 3, transmit 5\n");
	assert_contains(s, "workers     fifo:49, in force\n"
			   "  CPU    PID  CLASS  PRIORITY  NICE  CPU USE (%)\n"
			   "    0  16301  fifo         49     0         12.3\n"
			   "    1      -  -             -     -            -\n");
	assert_contains(s, "history     last 1 change (core group, policy):\n");
	assert_contains(s, "  TIME (UTC)           GROUP  ACTION  CPU  CPUS  GROUP SIZE  METRIC (µs)  REASON\n");
	assert_contains(s, "  2023-11-14 22:13:20  main   grow      1     1           2         35.2  avg 35.2 us > 20 us\n");
}

static void test_since(void **state)
{
	const char *s;

	(void)state;
	s = render(ctl_print_since,
		   "{\"windows\":[{\"time_usec\":1700000000250000,\"window_ms\":200.0,\"policy\":\"dynamic\","
		   "\"groups\":{\"main\":[0,1],\"long\":[]},\"in_rps\":12345.0,\"out_rps\":12340.0,"
		   "\"qdelay_us\":{\"avg\":5.0,\"p50\":4.2,\"p99\":61.3},\"cpus\":[]}],"
		   "\"changes\":[{\"time_usec\":1700000000100000,\"action\":\"policy\",\"cpu\":null,\"cpus\":0,"
		   "\"group\":\"main\",\"group_size\":1,\"metric_us\":null,\"reason\":\"policy rr, by x\"}],"
		   "\"truncated\":true}");
	assert_contains(s, "(the daemon no longer holds the start of this span");
	assert_contains(s, "WINDOW END (UTC)         POLICY   MAIN  LONG  IN REQ/S  OUT REQ/S  P50 (µs)  P99 (µs)\n"
			   "2023-11-14 22:13:20.250  dynamic     2     0     12.3k      12.3k      4.20      61.3\n");
	assert_contains(s, "changes     1 change (core group, policy):\n");
	assert_contains(s, "  2023-11-14 22:13:20.100  main   policy    -     0           1            -  policy rr, by x\n");
	s = render(ctl_print_since, "{\"windows\":[],\"changes\":[],\"truncated\":false}");
	assert_contains(s, "windows     none in this span\n");
	assert_contains(s, "changes     no change yet\n");
	s = render(ctl_print_since, "{\"windows\":[1,{\"time_usec\":\"x\",\"groups\":5}]}");
	assert_contains(s, "-                 -          -     -         -          -         -         -\n");
}

static void test_status_missing_and_mistyped(void **state)
{
	const char *s;

	(void)state;
	s = render(ctl_print_status, "{}");
	assert_contains(s, "daemon      bpfnicd -, up -\n");
	assert_contains(s, "interface   - (XDP -), UDP port -, addresses -\n");
	assert_contains(s, "nic         driver -, MTU -, - RX / - TX queues, XDP features: not reported\n");
	assert_contains(s, "rx irqs     -\n");
	assert_contains(s, "policy      -\n");
	assert_contains(s, "workload    short -, long -, max -\n");
	assert_contains(s, "history     no change yet\n");
	assert_contains(s, "workers     -, -\n");
	s = render(ctl_print_status, "{\"workers\":{\"scheduling\":\"rr:5\",\"problem\":\"no "
				     "thread\",\"threads\":{}}}");
	assert_contains(s, "workers     rr:5, not in force: no thread\n");
	s = render(ctl_print_status,
		   "{\"version\":7,\"uptime_sec\":\"x\",\"policy\":[],\"groups\":{\"main\":\"0\"},"
		   "\"totals\":{\"drops\":5},\"history\":[1,{\"time_usec\":\"x\"}]}");
	assert_contains(s, "daemon      bpfnicd -, up -\n");
	assert_contains(s, "groups      main -, long -\n");
	assert_contains(s, "history     last 2 changes (core group, policy):\n");
}

static void test_policy_lines(void **state)
{
	char b[256];
	struct json_object *o;

	(void)state;
	o = json_tokener_parse("{\"name\":\"split\",\"long_cpus\":1}");
	assert_string_equal(ctl_fmt_policy(b, sizeof(b), o), "split: 1 CPU(s) for long requests");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"split\",\"long_cpus\":[1,2]}");
	assert_string_equal(ctl_fmt_policy(b, sizeof(b), o), "split: CPUs 1-2 for long requests");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"dynamic\",\"threshold_us\":\"x\"}");
	assert_string_equal(ctl_fmt_policy(b, sizeof(b), o),
			    "dynamic (-): grow above - (-), shrink below -, -..- CPUs, cooldown - ms, every - ms");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"rr\",\"threshold_us\":3}");
	assert_string_equal(ctl_fmt_policy(b, sizeof(b), o), "rr");
	json_object_put(o);
	assert_string_equal(render(ctl_print_policy_reply, "{\"policy\":{\"name\":\"rr\"}}"),
			    "policy set: rr\n");
}

static void test_reload_reply(void **state)
{
	(void)state;
	assert_string_equal(render(ctl_print_reload_reply, "{\"restart_needed\":[]}"),
			    "configuration reloaded\n");
	assert_string_equal(render(ctl_print_reload_reply,
				   "{\"restart_needed\":[\"Interface\",\"XdpMode\"]}"),
			    "configuration reloaded; restart bpfnicd to apply: Interface, XdpMode\n");
}

static void test_stats(void **state)
{
	const char *s = render(
		ctl_print_stats,
		"{\"window_ms\":100,\"totals\":{\"in_rps\":20000,\"out_rps\":9990,\"requests\":5,"
		"\"replies\":5,\"passed\":0,\"other_address\":0,\"drops\":{\"queue\":0,\"no_cpu\":0,"
		"\"redirect_err\":0,\"tx_err\":0,\"short_payload\":0,\"too_long\":0,\"transmit\":2}},"
		"\"rx_cpus\":[{\"cpu\":0,\"requests\":4},{\"cpu\":1,\"requests\":1}],"
		"\"cpus\":[{\"cpu\":0,\"group\":\"main\",\"rps\":10000,\"qdelay_us\":{\"avg\":3.214,"
		"\"p50\":2.9,\"p99\":12.5,\"max\":40},\"service_us\":6.05,\"kthread_util\":0.625,"
		"\"handed\":1000,\"processed\":998,\"tx_drops\":2,\"in_flight\":3,\"work_left_us\":126.5},"
		"{\"cpu\":1,\"group\":null,\"rps\":0,\"qdelay_us\":{},\"service_us\":null,"
		"\"kthread_util\":0,\"handed\":0,\"processed\":0}],"
		"\"estimate\":{\"requests\":900,\"estimated_wait_us\":10.25,\"wait_us\":14,"
		"\"abs_error_us\":4.5,\"under_pct\":61.25}}");

	(void)state;
	assert_string_equal(
		s,
		"window 100 ms: in 20.0k req/s, out 9990 req/s; requests 5, replies 5, passed 0 (other address 0)\n"
		"drops: queue 0, no CPU 0, redirect error 0, tx error 0, short payload 0, too long 0, transmit 2\n"
		"scheduler ran on: CPU 0: 4 requests, CPU 1: 1 requests\n"
		"estimate: 900 requests waited 14.0 µs on average, 10.2 µs estimated (mean |error| 4.50 µs, 61.2 % longer than estimated)\n"
		"CPU  GROUP  REQ/S  QDELAY AVG (µs)  P50 (µs)  P99 (µs)  MAX (µs)  SERVICE (µs)  KTHREAD (%)  HANDED  PROCESSED  TX DROPS  IN FLIGHT  WORK LEFT (µs)\n"
		"  0  main   10.0k             3.21      2.90      12.5      40.0          6.05         62.5    1000        998         2          3           126.5\n"
		"  1  -          0                -         -         -         -             -          0.0       0          0         -          -               -\n");
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_fmt_numbers),
	cmocka_unit_test(test_fmt_json_values),
	cmocka_unit_test(test_fmt_cpulist),
	cmocka_unit_test(test_display_width),
	cmocka_unit_test(test_table_alignment),
	cmocka_unit_test(test_status),
	cmocka_unit_test(test_status_missing_and_mistyped),
	cmocka_unit_test(test_since),
	cmocka_unit_test(test_policy_lines),
	cmocka_unit_test(test_reload_reply),
	cmocka_unit_test(test_stats)
)
