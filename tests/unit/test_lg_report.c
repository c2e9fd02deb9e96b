// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loadgen/report: CSV columns as documented, one row per shown class, and the JSON
 * document's fields. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/support/unit.h"
#include "loadgen/report.h"

static void fake_step(struct lg_step_result *r)
{
	struct bpfnic_hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	memset(r, 0, sizeof(*r));
	r->index = 1;
	r->clients = 2;
	r->offered_rps = 50000;
	r->achieved_rps = 49990;
	r->valid = true;
	r->warmup_start_ns = 4000;
	r->wall_start_ns = 5000;
	r->wall_end_ns = 7000;
	r->cls[0].counts.sent = 900;
	r->cls[0].counts.received = 899;
	r->cls[0].counts.lost = 1;
	r->cls[1].counts.sent = 100;
	r->cls[1].counts.received = 100;
	r->cls[LG_CLASS_OTHER].counts.invalid = 3;
	bpfnic_hist_init(h);
	for (uint64_t v = 1000; v <= 100000; v += 1000)
		bpfnic_hist_record(h, v);
	lg_summarize(h, &r->cls[0].rtt);
	lg_summarize(h, &r->cls[0].qdelay);
	lg_summarize(h, &r->send_lag);
	free(h);
}

static unsigned count_fields(const char *line)
{
	unsigned n = 1;

	for (; *line && *line != '\n'; line++)
		n += *line == ',';
	return n;
}

static void csv_columns_as_documented(void **state)
{
	struct lg_config c;
	struct lg_step_result r;
	char *buf = NULL, *line, *save = NULL, header[1024];
	size_t len = 0, rows = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	lg_config_defaults(&c);
	c.mix[0] = 90;
	c.mix[1] = 10;
	fake_step(&r);
	assert_non_null(f);
	lg_csv_write_header(f);
	lg_csv_write_step(f, &c, &r);
	fclose(f);
	/* Every column of the header is named in --help's --csv paragraph. */
	snprintf(header, sizeof(header), "%.*s", (int)strcspn(buf, "\n"), buf);
	for (char *col = strtok_r(header, ",\n", &save); col; col = strtok_r(NULL, ",\n", &save))
		if (!strstr(lg_usage_text, col))
			fail_msg("CSV column %s not in --help", col);
	assert_non_null(strstr(buf, "\n2,2,50000,49990,short,900,899,1,0,0,"));
	assert_non_null(strstr(buf, ",other,0,0,0,3,0,"));
	save = NULL;
	line = strtok_r(buf, "\n", &save);
	assert_int_equal(count_fields(line), 30);
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(count_fields(line), 30);
		rows++;
	}
	assert_int_equal(rows, 3); /* short, long, and "other" because of invalid replies */
	free(buf);
}

static void json_has_config_environment_steps(void **state)
{
	struct lg_config c;
	struct lg_step_result r[2];
	struct lg_env env;
	char path[] = "/tmp/test_lg_report.XXXXXX";
	int fd = mkstemp(path);
	json_object *root, *o, *step;
	char *argv[] = { "x", "--target", "198.18.0.1:7777", "--mix", "short=90,long=10", NULL };
	char err[128];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lg_parse_args(5, argv, &c, err, sizeof(err)), LG_PARSE_RUN);
	fake_step(&r[0]);
	fake_step(&r[1]);
	r[1].index = 2;
	r[1].valid = false;
	snprintf(r[1].reason, sizeof(r[1].reason), "send lag");
	lg_env_collect(&env);
	assert_true(env.kernel[0] && env.cpu_model[0] && env.governor[0]);
	assert_int_equal(lg_json_write(path, &c, &env, r, 2, NULL), 0);
	root = json_object_from_file(path);
	unlink(path);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "config", &o));
	assert_string_equal(json_object_get_string(json_object_object_get(o, "target")), "198.18.0.1:7777");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "format")), "ext");
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_object_get(o, "mix"), "long")), 10);
	assert_true(json_object_object_get_ex(root, "environment", &o));
	assert_non_null(json_object_object_get(o, "kernel"));
	assert_non_null(json_object_object_get(o, "cpu_model"));
	assert_non_null(json_object_object_get(o, "governor"));
	assert_true(json_object_object_get_ex(root, "steps", &o));
	assert_int_equal(json_object_array_length(o), 2);
	step = json_object_array_get_idx(o, 1);
	assert_false(json_object_get_boolean(json_object_object_get(step, "valid")));
	assert_string_equal(json_object_get_string(json_object_object_get(step, "reason")), "send lag");
	o = json_object_object_get(json_object_object_get(step, "classes"), "short");
	assert_non_null(o);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "sent")), 900);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "lost")), 1);
	assert_non_null(json_object_object_get(json_object_object_get(o, "rtt_hist"), "buckets"));
	assert_non_null(json_object_object_get(o, "qdelay_hist"));
	o = json_object_object_get(o, "rtt_us");
	assert_non_null(json_object_object_get(o, "p99.99"));
	/* The window on the wall clock, and what the client's sockets dropped. */
	assert_int_equal(json_object_get_int64(json_object_object_get(step, "wall_end_ns")), 7000);
	assert_non_null(json_object_object_get(step, "warmup_start_ns"));
	assert_non_null(json_object_object_get(step, "client_rx_drops"));
	assert_non_null(json_object_object_get(step, "send_lag_hist"));
	assert_true(json_object_get_double(json_object_object_get(o, "max")) == 100.0);
	json_object_put(root);
}

static void table_names_classes_and_validity(void **state)
{
	struct lg_config c;
	struct lg_step_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	lg_config_defaults(&c);
	fake_step(&r);
	r.valid = false;
	snprintf(r.reason, sizeof(r.reason), "sent 1 of 2 scheduled requests");
	lg_print_step(f, &c, &r, 3);
	fclose(f);
	assert_non_null(strstr(buf, "step 2/3"));
	assert_non_null(strstr(buf, "NOT VALID: sent 1 of 2"));
	assert_non_null(strstr(buf, "short rtt"));
	assert_non_null(strstr(buf, "send lag"));
	assert_non_null(strstr(buf, "long ")); /* counted, so shown although not in the mix */
	free(buf);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(csv_columns_as_documented),
	cmocka_unit_test(json_has_config_environment_steps),
	cmocka_unit_test(table_names_classes_and_validity))
