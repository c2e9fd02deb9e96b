// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/wire: the wire format of bpf/bpfnic.h byte by byte, and replies that must
 * never be trusted (truncated, foreign, unstamped). */
#include <errno.h>
#include <string.h>
#include "tests/support/unit.h"
#include "arrival.h"
#include "wire.h"

/*
 * The byte order, pinned by exact bytes: every value below has a different byte in
 * each position, so a field written or read in host order on a big-endian machine,
 * or at a wrong offset, changes the bytes or the values.
 */
static const uint8_t served_ext_reply[BPFNIC_REQ_EXT_LEN] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /*  0 client send  0x8877665544332211 */
	0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, /*  8 arrival      0x0000010203040506 */
	0x07, 0x06, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, /* 16 pick-up      0x0000010203040607 */
	0x01,                                           /* 24 class long */
	0x01,                                           /* 25 extension version */
	0x42, 0x4e, 0x58, 0x54,                         /* 26 magic "BNXT" 0x54584e42 */
	0x02, 0x01,                                     /* 30 worker CPU   0x0102 */
	0x11, 0x10, 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, /* 32 seq          0x0a0b0c0d0e0f1011 */
	0x70, 0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 40 service      6000 */
	0x00, 0x00, 0x05, 0x03, 0x02, 0x01, 0x00, 0x00, /* 48 finish       0x0000010203050000 */
};

static void ext_request_encodes_to_exact_bytes(void **state)
{
	uint8_t b[BPFNIC_REQ_EXT_LEN + 4], want[BPFNIC_REQ_EXT_LEN];

	(void)state;
	/* The client's part of the reply above: server fields zero. */
	memcpy(want, served_ext_reply, sizeof(want));
	memset(want + BPFNIC_OFF_ARRIVAL, 0, 16);
	memset(want + BPFNIC_OFF_EXT_CPU, 0, 2);
	memset(want + BPFNIC_OFF_EXT_FINISH, 0, 8);
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 0x8877665544332211ull,
					   BPFNIC_CLASS_LONG, 0x0a0b0c0d0e0f1011ull, 6000),
			 BPFNIC_REQ_EXT_LEN);
	assert_memory_equal(b, want, BPFNIC_REQ_EXT_LEN);
	assert_int_equal(b[BPFNIC_REQ_EXT_LEN], 0xaa); /* nothing written past the request */

	/* A stand-in server's stamps land where the data path puts them. */
	bpfnic_req_stamp(b, 0x0000010203040506ull, 0x0000010203040607ull);
	assert_memory_equal(b + BPFNIC_OFF_ARRIVAL, served_ext_reply + BPFNIC_OFF_ARRIVAL, 16);
	bpfnic_le64_put(b + BPFNIC_OFF_EXT_FINISH, 0x0000010203050000ull);
	assert_memory_equal(b + BPFNIC_OFF_EXT_FINISH, served_ext_reply + BPFNIC_OFF_EXT_FINISH, 8);
}

static void exact_bytes_decode_to_known_values(void **state)
{
	struct bpfnic_msg m;

	(void)state;
	assert_int_equal(bpfnic_reply_decode(served_ext_reply, sizeof(served_ext_reply),
					     BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_OK);
	assert_int_equal(m.client_send_ns, 0x8877665544332211ull);
	assert_int_equal(m.sched_arrival_ns, 0x0000010203040506ull);
	assert_int_equal(m.worker_pickup_ns, 0x0000010203040607ull);
	assert_int_equal(m.class, BPFNIC_CLASS_LONG);
	assert_int_equal(m.class_byte, 1);
	assert_true(m.has_ext);
	assert_int_equal(m.worker_cpu, 0x0102);
	assert_int_equal(m.seq, 0x0a0b0c0d0e0f1011ull);
	assert_int_equal(m.service_ns, 6000);
	assert_int_equal(m.worker_finish_ns, 0x0000010203050000ull);
	assert_int_equal(bpfnic_le64_get(served_ext_reply + BPFNIC_OFF_EXT_SEQ), 0x0a0b0c0d0e0f1011ull);

	/* The paper's 25 bytes are the extension's first 25. */
	assert_int_equal(bpfnic_reply_decode(served_ext_reply, BPFNIC_REQ_LEN, BPFNIC_FORMAT_PAPER, &m),
			 BPFNIC_DECODE_OK);
	assert_int_equal(m.client_send_ns, 0x8877665544332211ull);
	assert_int_equal(m.worker_pickup_ns, 0x0000010203040607ull);
	assert_false(m.has_ext);
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
	bpfnic_req_set_send_ns(b, 0x1122334455667788ull);
	static const uint8_t send_ns[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	assert_memory_equal(b, send_ns, 8);
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
	bpfnic_req_stamp(b, 5000, 5300);
	assert_int_equal(bpfnic_reply_decode(b, 25, BPFNIC_FORMAT_PAPER, &m), BPFNIC_DECODE_OK);
	assert_int_equal(m.client_send_ns, 777);
	assert_int_equal(m.sched_arrival_ns, 5000);
	assert_int_equal(m.worker_pickup_ns, 5300);
	assert_int_equal(m.class, BPFNIC_CLASS_LONG);
	assert_false(m.has_ext);

	bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 888, BPFNIC_CLASS_SHORT, 31337, 0);
	bpfnic_req_stamp(b, 10, 10); /* picked up the same ns it arrived: zero queuing delay is fine */
	b[BPFNIC_OFF_EXT_CPU] = 3;
	bpfnic_le64_put(b + BPFNIC_OFF_EXT_FINISH, 20);
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
	bpfnic_req_stamp(b, 100, 200);
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
	bpfnic_req_stamp(c, 0, 0);
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_UNSTAMPED);
	bpfnic_req_stamp(c, 300, 200);
	assert_int_equal(bpfnic_reply_decode(c, BPFNIC_REQ_EXT_LEN, BPFNIC_FORMAT_EXT, &m), BPFNIC_DECODE_UNSTAMPED);
	assert_string_equal(bpfnic_decode_err_name(BPFNIC_DECODE_UNSTAMPED), "unstamped");
	assert_string_equal(bpfnic_decode_err_name(99), "?");
}

/* Test tools send class bytes that are neither short nor long on purpose and check
 * the echo: the byte survives decoding, and so does everything after it. */
static void odd_class_bytes_are_kept(void **state)
{
	static const uint8_t odd[] = { 2, 7, 255 };
	uint8_t b[BPFNIC_REQ_EXT_LEN];
	struct bpfnic_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(odd); i++) {
		bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_EXT, 50, odd[i], 9, 4000);
		bpfnic_req_stamp(b, 60, 70);
		b[BPFNIC_OFF_EXT_CPU] = 1;
		assert_int_equal(bpfnic_reply_decode(b, sizeof(b), BPFNIC_FORMAT_EXT, &m),
				 BPFNIC_DECODE_CLASS);
		assert_int_equal(m.class, BPFNIC_CLASS_UNKNOWN);
		assert_int_equal(m.class_byte, odd[i]);
		assert_int_equal(m.client_send_ns, 50);
		assert_int_equal(m.sched_arrival_ns, 60);
		assert_int_equal(m.worker_pickup_ns, 70);
		assert_true(m.has_ext);
		assert_int_equal(m.seq, 9);
		assert_int_equal(m.service_ns, 4000);
		assert_int_equal(m.worker_cpu, 1);

		bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_PAPER, 50, odd[i], 0, 0);
		assert_int_equal(bpfnic_reply_decode(b, BPFNIC_REQ_LEN, BPFNIC_FORMAT_PAPER, &m),
				 BPFNIC_DECODE_CLASS);
		assert_int_equal(m.class_byte, odd[i]);
	}
	/* The two real classes: the byte and the class agree. */
	bpfnic_req_encode(b, sizeof(b), BPFNIC_FORMAT_PAPER, 50, BPFNIC_CLASS_LONG, 0, 0);
	bpfnic_req_stamp(b, 60, 70);
	assert_int_equal(bpfnic_reply_decode(b, BPFNIC_REQ_LEN, BPFNIC_FORMAT_PAPER, &m), BPFNIC_DECODE_OK);
	assert_int_equal(m.class_byte, BPFNIC_CLASS_LONG);
	assert_int_equal(m.class, BPFNIC_CLASS_LONG);
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

UNIT_TEST_MAIN(
	cmocka_unit_test(paper_request_is_25_le_bytes),
	cmocka_unit_test(ext_request_encodes_to_exact_bytes),
	cmocka_unit_test(exact_bytes_decode_to_known_values),
	cmocka_unit_test(encode_refuses_small_buffers),
	cmocka_unit_test(served_replies_decode),
	cmocka_unit_test(broken_replies_are_invalid),
	cmocka_unit_test(odd_class_bytes_are_kept),
	cmocka_unit_test(random_bytes_never_crash))
