/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The load generator's reply decoder (lib/wire.c): whatever the network hands back.
 * The first byte picks the format expected; the rest is the UDP payload. Properties:
 * the result is one of the documented codes; a reply decoded OK encodes back (through
 * the encoder and the server's stamp) to bytes that decode to the same fields.
 */
#include "fuzz.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum bpfnic_format f;
	struct bpfnic_msg m, back;
	uint8_t buf[BPFNIC_REQ_EXT_LEN];
	uint8_t *copy;
	int r, len;

	if (size < 1)
		return 0;
	f = data[0] & 1 ? BPFNIC_FORMAT_EXT : BPFNIC_FORMAT_PAPER;
	/* Its own allocation, exactly the payload's size: ASan sees any read past it. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	r = bpfnic_reply_decode(copy, size - 1, f, &m);
	FUZZ_ASSERT(r >= BPFNIC_DECODE_OK && r <= BPFNIC_DECODE_UNSTAMPED);
	FUZZ_ASSERT(bpfnic_decode_err_name(r)[0] != '?');
	FUZZ_ASSERT(m.class <= BPFNIC_CLASS_UNKNOWN);
	if (r == BPFNIC_DECODE_OK) {
		len = bpfnic_req_encode(buf, sizeof(buf), f, m.client_send_ns, m.class, m.seq,
					m.service_ns);
		FUZZ_ASSERT(len == (int)bpfnic_format_len(f) && (size_t)len == size - 1);
		bpfnic_req_stamp(buf, m.sched_arrival_ns, m.worker_pickup_ns);
		if (m.has_ext) {
			/* What the worker writes besides the stamps. */
			memcpy(buf + BPFNIC_OFF_EXT_CPU, copy + BPFNIC_OFF_EXT_CPU, 2);
			memcpy(buf + BPFNIC_OFF_EXT_FINISH, copy + BPFNIC_OFF_EXT_FINISH, 8);
		}
		FUZZ_ASSERT(bpfnic_reply_decode(buf, (size_t)len, f, &back) == BPFNIC_DECODE_OK);
		FUZZ_ASSERT(memcmp(&m, &back, sizeof(m)) == 0);
	}
	free(copy);
	return 0;
}
