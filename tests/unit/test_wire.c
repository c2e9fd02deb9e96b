// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/wire: the wire format of bpf/bpfnic.h byte by byte, and replies that must
 * never be trusted (truncated, foreign, unstamped). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "arrival.h"
#include "wire.h"

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* What the data path does to a request: stamp arrival and pick-up. */
static void serve(uint8_t *p, uint64_t arrival, uint64_t pickup)
{
	put_le64(p + BPFNIC_OFF_ARRIVAL, arrival);
	put_le64(p + BPFNIC_OFF_PICKUP, pickup);
}

static void paper_request_is_25_le_bytes(void **state)
{
	uint8_t b[64];

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_PAPER, 0x0102030405060708ull,
					   BPFNIC_CLASS_LONG, 99, 0), 25);
	static const uint8_t want[25] = { 8, 7, 6, 5, 4, 3, 2, 1, [24] = 1 };
	assert_memory_equal(b, want, 25);
	assert_int_equal(b[25], 0xaa); /* nothing written past the request */
	bpfnic_req_set_send_ns(b, 42);
	assert_int_equal(le64_at(b), 42);
}

static void ext_request_layout(void **state)
{
	uint8_t b[BPFNIC_REQ_EXT_LEN];

	(void)state;
	assert_int_equal(bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 1000, BPFNIC_CLASS_SHORT,
					   0x1122334455667788ull, 6000), BPFNIC_REQ_EXT_LEN);
	assert_int_equal(le64_at(b + BPFNIC_OFF_CLIENT_SEND), 1000);
	assert_int_equal(b[BPFNIC_OFF_CLASS], 0);
	assert_int_equal(b[BPFNIC_OFF_EXT_VERSION], BPFNIC_EXT_VERSION);
	assert_memory_equal(b + BPFNIC_OFF_EXT_MAGIC, "BNXT", 4);
	assert_int_equal(le64_at(b + BPFNIC_OFF_EXT_SEQ), 0x1122334455667788ull);
	assert_int_equal(le64_at(b + BPFNIC_OFF_EXT_SERVICE), 6000);
	assert_int_equal(le64_at(b + BPFNIC_OFF_EXT_FINISH), 0);
	assert_int_equal(le64_at(b + BPFNIC_OFF_ARRIVAL), 0);
}

static void encode_refuses_small_buffers(void **state)
{
	uint8_t b[64];

	(void)state;
	assert_int_equal(bpfnic_req_encode(b, 24, BPFNIC_FORMAT_PAPER, 1, 0, 0, 0), -ENOSPC);
	assert_int_equal(bpfnic_req_encode(b, 55, BPFNIC_FORMAT_EXT, 1, 0, 0, 0), -ENOSPC);
	assert_int_equal(bpfnic_req_encode(b, 64, (enum bpfnic_format)5, 1, 0, 0, 0), -EINVAL);
}

static void served_replies_decode(void **state)
{
	uint8_t b[BPFNIC_REQ_EXT_LEN];
	struct bpfnic_msg m;

	(void)state;
	bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_PAPER, 777, BPFNIC_CLASS_LONG, 0, 0);
	serve(b, 5000, 5300);
	assert_int_equal(bpfnic_reply_decode(b, 25, BPFNIC_FORMAT_PAPER, &m), BPFNIC_DECODE_OK);
	assert_int_equal(m.client_send_ns, 777);
	assert_int_equal(m.sched_arrival_ns, 5000);
	assert_int_equal(m.worker_pickup_ns, 5300);
	assert_int_equal(m.class, BPFNIC_CLASS_LONG);
	assert_false(m.has_ext);

	bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 888, BPFNIC_CLASS_SHORT, 31337, 0);
	serve(b, 10, 10); /* picked up the same ns it arrived: zero queuing delay is fine */
	b[BPFNIC_OFF_EXT_CPU] = 3;
	put_le64(b + BPFNIC_OFF_EXT_FINISH, 20);
	assert_int_equal(bpfnic_reply_decode(b, sizeof(b), BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_OK);
	assert_true(m.has_ext);
	assert_int_equal(m.seq, 31337);
	assert_int_equal(m.worker_cpu, 3);
	assert_int_equal(m.worker_finish_ns, 20);
}

static void broken_replies_are_invalid(void **state)
{
	uint8_t b[BPFNIC_REQ_EXT_LEN + 8], c[sizeof(b)];
	struct bpfnic_msg m;

	(void)state;
	bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 1, BPFNIC_CLASS_SHORT, 1, 0);
	serve(b, 100, 200);
	/* Every truncation, and one byte too many. */
	for (size_t len = 0; len < BPFNIC_REQ_EXT_LEN; len++) {
		assert_int_equal(bpfnic_reply_decode(b, len, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_LENGTH);
		if (len < BPFNIC_REQ_LEN)
			assert_int_equal(m.class, BPFNIC_CLASS_UNKNOWN);
	}
	assert_int_equal(bpfnic_reply_decode(b, BPFNIC_REQ_EXT_LEN + 1, BPFNIC_FORMAT_EXT, &m),
			 BPFNIC_DECODE_LENGTH);
	/* A paper run receiving the extended reply, or 26 bytes. */
	assert_int_equal(bpfnic_reply_decode(b, 26, BPFNIC_FORMAT_PAPER, &m), BPFNIC_DECODE_LENGTH);
	/* Foreign: wrong magic or version. */
	memcpy(c, b, sizeof(b));
	c[BPFNIC_OFF_EXT_MAGIC + 2] ^= 1;
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_MAGIC);
	memcpy(c, b, sizeof(b));
	c[BPFNIC_OFF_EXT_VERSION] = 2;
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_MAGIC);
	/* A class we never send. */
	memcpy(c, b, sizeof(b));
	c[BPFNIC_OFF_CLASS] = 2;
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_CLASS);
	assert_int_equal(m.class, BPFNIC_CLASS_UNKNOWN);
	/* Not stamped by a server, or picked up before it arrived. */
	memcpy(c, b, sizeof(b));
	serve(c, 0, 0);
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_UNSTAMPED);
	serve(c, 300, 200);
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_UNSTAMPED);
	assert_string_equal(bpfnic_decode_err_name(BPFNIC_DECODE_UNSTAMPED), "unstamped");
	assert_string_equal(bpfnic_decode_err_name(99), "?");
}

static void random_bytes_never_crash(void **state)
{
	struct bpfnic_rng r;
	uint8_t b[80];
	struct bpfnic_msg m;

	(void)state;
	bpfnic_rng_seed(&r, 5, 5);
	for (int i = 0; i < 100000; i++) {
		size_t len = bpfnic_rng_next(&r) % sizeof(b);
		int err;

		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)bpfnic_rng_next(&r);
		err = bpfnic_reply_decode(b, len, (enum bpfnic_format)(i & 1), &m);
		assert_true(err >= BPFNIC_DECODE_OK && err <= BPFNIC_DECODE_UNSTAMPED);
		if (err == BPFNIC_DECODE_OK)
			assert_true(m.class <= BPFNIC_CLASS_LONG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_request_is_25_le_bytes),
		cmocka_unit_test(ext_request_layout),
		cmocka_unit_test(encode_refuses_small_buffers),
		cmocka_unit_test(served_replies_decode),
		cmocka_unit_test(broken_replies_are_invalid),
		cmocka_unit_test(random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
