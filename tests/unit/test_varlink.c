/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* lib/varlink: framing, limits, parsing and request validation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include "varlink.h"

static void feed_str(struct bpfnic_vl_input *in, const char *s, size_t n)
{
	assert_int_equal(bpfnic_vl_input_feed(in, s, n), 0);
}

static void test_framing_split_and_joined(void **state)
{
	struct bpfnic_vl_input in = BPFNIC_VL_INPUT_INIT;
	const char *msg;
	size_t len;
	(void)state;

	/* Two messages in one read, a third split over two reads. */
	feed_str(&in, "{\"a\":1}\0{\"b\":2}\0{\"c\"", 20);
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 1);
	assert_string_equal(msg, "{\"a\":1}");
	assert_int_equal(len, 7);
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 1);
	assert_string_equal(msg, "{\"b\":2}");
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 0);
	assert_int_equal(bpfnic_vl_input_pending(&in), 4);
	feed_str(&in, ":3}", 4); /* includes the NUL */
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 1);
	assert_string_equal(msg, "{\"c\":3}");
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 0);
	assert_int_equal(bpfnic_vl_input_pending(&in), 0);
	bpfnic_vl_input_free(&in);
}

static void test_framing_byte_by_byte(void **state)
{
	struct bpfnic_vl_input in = BPFNIC_VL_INPUT_INIT;
	const char wire[] = "{\"method\":\"x\"}";
	const char *msg;
	size_t len;
	(void)state;

	for (size_t i = 0; i < sizeof(wire); i++) { /* sizeof includes the NUL */
		assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 0);
		feed_str(&in, wire + i, 1);
	}
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 1);
	assert_string_equal(msg, wire);
	bpfnic_vl_input_free(&in);
}

static void test_framing_limit(void **state)
{
	struct bpfnic_vl_input in = BPFNIC_VL_INPUT_INIT;
	char *big = malloc(BPFNIC_MAX_MESSAGE + 16);
	const char *msg;
	size_t len;
	(void)state;

	/* Exactly the limit (NUL included) passes. */
	memset(big, ' ', BPFNIC_MAX_MESSAGE);
	big[BPFNIC_MAX_MESSAGE - 1] = '\0';
	feed_str(&in, big, BPFNIC_MAX_MESSAGE);
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 1);
	assert_int_equal(len, BPFNIC_MAX_MESSAGE - 1);
	/* One byte more without a NUL is refused at feed time. */
	memset(big, ' ', BPFNIC_MAX_MESSAGE + 16);
	assert_int_equal(bpfnic_vl_input_feed(&in, big, BPFNIC_MAX_MESSAGE - 1), 0);
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), 0);
	assert_int_equal(bpfnic_vl_input_feed(&in, big, 1), -EMSGSIZE);
	bpfnic_vl_input_free(&in);

	/* A complete over-long message arriving in one read is refused too. */
	big[BPFNIC_MAX_MESSAGE] = '\0';
	assert_int_equal(bpfnic_vl_input_feed(&in, big, BPFNIC_MAX_MESSAGE + 1), 0);
	assert_int_equal(bpfnic_vl_input_next(&in, &msg, &len), -EMSGSIZE);
	bpfnic_vl_input_free(&in);
	free(big);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(bpfnic_vl_utf8_valid("plain", 5));
	assert_true(bpfnic_vl_utf8_valid("\xc2\xb5s", 3));             /* µs */
	assert_true(bpfnic_vl_utf8_valid("\xf0\x9f\x98\x80", 4));       /* U+1F600 */
	assert_false(bpfnic_vl_utf8_valid("\xc0\xaf", 2));              /* overlong '/' */
	assert_false(bpfnic_vl_utf8_valid("\xed\xa0\x80", 3));          /* surrogate */
	assert_false(bpfnic_vl_utf8_valid("\xf4\x90\x80\x80", 4));      /* > U+10FFFF */
	assert_false(bpfnic_vl_utf8_valid("\xe2\x82", 2));              /* truncated */
	assert_false(bpfnic_vl_utf8_valid("\xff", 1));
	assert_false(bpfnic_vl_utf8_valid("a\x80", 2));                 /* lone continuation */
}

static int parse(const char *s, struct json_object **o)
{
	return bpfnic_vl_parse(s, strlen(s), o);
}

static void test_parse(void **state)
{
	struct json_object *o;
	char deep[64] = "", *p = deep;
	(void)state;

	assert_int_equal(parse("{\"method\":\"a\"}", &o), 0);
	json_object_put(o);
	assert_int_equal(parse(" { } ", &o), 0);
	json_object_put(o);
	assert_int_equal(parse("{\"s\":\"\xc3\xa9\"}", &o), 0);
	json_object_put(o);
	assert_int_equal(parse("[1,2]", &o), -EBADMSG);
	assert_null(o);
	assert_int_equal(parse("42", &o), -EBADMSG);
	assert_int_equal(parse("{\"a\":1", &o), -EBADMSG);      /* incomplete */
	assert_int_equal(parse("{\"a\":1} x", &o), -EBADMSG);   /* trailing garbage */
	assert_int_equal(parse("{\"a\":1,}", &o), -EBADMSG);   /* trailing comma: not strict JSON */
	assert_int_equal(parse("", &o), -EBADMSG);
	assert_int_equal(parse("{\"s\":\"\xff\"}", &o), -EILSEQ);

	/* BPFNIC_MAX_JSON_DEPTH levels of nesting pass, one more is refused. */
	for (int i = 0; i < BPFNIC_MAX_JSON_DEPTH; i++)
		p += sprintf(p, "{\"a\":");
	p += sprintf(p, "1");
	for (int i = 0; i < BPFNIC_MAX_JSON_DEPTH; i++)
		*p++ = '}';
	*p = '\0';
	assert_int_equal(parse(deep, &o), 0);
	json_object_put(o);
	p = deep;
	p += sprintf(p, "{\"a\":");
	for (int i = 1; i <= BPFNIC_MAX_JSON_DEPTH; i++)
		*p++ = '[';
	*p++ = '1';
	for (int i = 1; i <= BPFNIC_MAX_JSON_DEPTH; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	assert_int_equal(parse(deep, &o), -ELOOP);
}

static void test_call(void **state)
{
	struct json_object *o;
	struct bpfnic_vl_call call;
	const char *why = NULL;
	(void)state;

	assert_int_equal(parse("{\"method\":\"io.bpfnic.GetStatus\"}", &o), 0);
	assert_int_equal(bpfnic_vl_call_from_json(o, &call, &why), 0);
	assert_string_equal(call.method, BPFNIC_M_GET_STATUS);
	assert_non_null(call.parameters);
	assert_int_equal(json_object_object_length(call.parameters), 0);
	assert_false(call.more);
	json_object_put(o);

	assert_int_equal(parse("{\"method\":\"io.bpfnic.Monitor\",\"more\":true,\"x\":1,"
			       "\"parameters\":{\"a\":2}}", &o), 0);
	assert_int_equal(bpfnic_vl_call_from_json(o, &call, &why), 0);
	assert_true(call.more);
	assert_int_equal(json_object_object_length(call.parameters), 1);
	json_object_put(o);

	static const char *const bad[] = {
		"{}", "{\"method\":1}", "{\"method\":\"\"}", "{\"method\":\"m\",\"parameters\":[]}",
		"{\"method\":\"m\",\"more\":\"yes\"}", "{\"method\":\"m\",\"oneway\":1}",
	};
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		why = NULL;
		assert_int_equal(parse(bad[i], &o), 0);
		assert_int_equal(bpfnic_vl_call_from_json(o, &call, &why), -EBADMSG);
		assert_non_null(why);
		json_object_put(o);
	}
}

static void test_build_and_serialize(void **state)
{
	struct json_object *o, *back, *v;
	struct bpfnic_vl_reply reply;
	const char *why;
	char *buf;
	size_t len;
	(void)state;

	o = bpfnic_vl_call_new(BPFNIC_M_MONITOR, NULL, true);
	assert_int_equal(bpfnic_vl_serialize(o, &buf, &len), 0);
	assert_int_equal(buf[len - 1], '\0');
	assert_string_equal(buf, "{\"method\":\"io.bpfnic.Monitor\",\"parameters\":{},\"more\":true}");
	free(buf);
	json_object_put(o);

	o = bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, "threshold_us", "must be %s", "> 0");
	assert_int_equal(bpfnic_vl_serialize(o, &buf, &len), 0);
	assert_int_equal(bpfnic_vl_parse(buf, len - 1, &back), 0);
	assert_int_equal(bpfnic_vl_reply_from_json(back, &reply, &why), 0);
	assert_string_equal(reply.error, BPFNIC_E_INVALID_PARAMETER);
	assert_true(json_object_object_get_ex(reply.parameters, "reason", &v));
	assert_string_equal(json_object_get_string(v), "must be > 0");
	assert_true(json_object_object_get_ex(reply.parameters, "parameter", &v));
	assert_string_equal(json_object_get_string(v), "threshold_us");
	free(buf);
	json_object_put(back);
	json_object_put(o);

	o = bpfnic_vl_reply_new(NULL, true);
	assert_int_equal(bpfnic_vl_reply_from_json(o, &reply, &why), 0);
	assert_null(reply.error);
	assert_true(reply.continues);
	json_object_put(o);

	/* A reply too large to send is refused, not truncated. */
	{
		size_t n = BPFNIC_MAX_MESSAGE;
		char *s = malloc(n);

		memset(s, 'x', n - 1);
		s[n - 1] = '\0';
		v = json_object_new_object();
		json_object_object_add(v, "big", json_object_new_string(s));
		o = bpfnic_vl_reply_new(v, false);
		assert_int_equal(bpfnic_vl_serialize(o, &buf, &len), -EMSGSIZE);
		json_object_put(o);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_split_and_joined),
		cmocka_unit_test(test_framing_byte_by_byte),
		cmocka_unit_test(test_framing_limit),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_build_and_serialize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
