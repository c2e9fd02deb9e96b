/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <errno.h>
#include <string.h>
#include "wire.h"

const char *const bpfnic_format_names[2] = { "paper", "ext" };

/*
 * Every multi-byte field is little-endian on the wire (bpf/bpfnic.h), whatever the
 * host's order: bytes are assembled and taken apart one by one, never through a
 * struct or an integer cast over the buffer.
 */
static uint64_t le_get(const uint8_t *p, size_t width)
{
	uint64_t v = 0;

	for (size_t i = width; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void le_put(uint8_t *p, size_t width, uint64_t v)
{
	for (size_t i = 0; i < width; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t bpfnic_le64_get(const void *p)
{
	return le_get(p, 8);
}

void bpfnic_le64_put(void *p, uint64_t v)
{
	le_put(p, 8, v);
}

int bpfnic_req_encode(void *buf, size_t len, enum bpfnic_format f, uint64_t client_send_ns,
		      uint8_t class, uint64_t seq, uint64_t service_ns)
{
	uint8_t *p = buf;
	size_t need;

	if (f != BPFNIC_FORMAT_PAPER && f != BPFNIC_FORMAT_EXT)
		return -EINVAL;
	need = bpfnic_format_len(f);
	if (len < need)
		return -ENOSPC;
	memset(p, 0, need);
	le_put(p + BPFNIC_OFF_CLIENT_SEND, 8, client_send_ns);
	p[BPFNIC_OFF_CLASS] = class;
	if (f == BPFNIC_FORMAT_EXT) {
		p[BPFNIC_OFF_EXT_VERSION] = BPFNIC_EXT_VERSION;
		le_put(p + BPFNIC_OFF_EXT_MAGIC, 4, BPFNIC_EXT_MAGIC);
		le_put(p + BPFNIC_OFF_EXT_SEQ, 8, seq);
		le_put(p + BPFNIC_OFF_EXT_SERVICE, 8, service_ns);
	}
	return (int)need;
}

void bpfnic_req_set_send_ns(void *buf, uint64_t client_send_ns)
{
	le_put((uint8_t *)buf + BPFNIC_OFF_CLIENT_SEND, 8, client_send_ns);
}

void bpfnic_req_stamp(void *buf, uint64_t sched_arrival_ns, uint64_t worker_pickup_ns)
{
	le_put((uint8_t *)buf + BPFNIC_OFF_ARRIVAL, 8, sched_arrival_ns);
	le_put((uint8_t *)buf + BPFNIC_OFF_PICKUP, 8, worker_pickup_ns);
}

int bpfnic_reply_decode(const void *buf, size_t len, enum bpfnic_format f, struct bpfnic_msg *m)
{
	const uint8_t *p = buf;

	memset(m, 0, sizeof(*m));
	m->class = BPFNIC_CLASS_UNKNOWN;
	if (len < BPFNIC_REQ_LEN)
		return BPFNIC_DECODE_LENGTH;
	m->client_send_ns = le_get(p + BPFNIC_OFF_CLIENT_SEND, 8);
	m->sched_arrival_ns = le_get(p + BPFNIC_OFF_ARRIVAL, 8);
	m->worker_pickup_ns = le_get(p + BPFNIC_OFF_PICKUP, 8);
	m->class_byte = p[BPFNIC_OFF_CLASS];
	m->class = m->class_byte <= BPFNIC_CLASS_LONG ? m->class_byte : BPFNIC_CLASS_UNKNOWN;
	if (len != bpfnic_format_len(f))
		return BPFNIC_DECODE_LENGTH;
	if (f == BPFNIC_FORMAT_EXT) {
		if (p[BPFNIC_OFF_EXT_VERSION] != BPFNIC_EXT_VERSION ||
		    le_get(p + BPFNIC_OFF_EXT_MAGIC, 4) != BPFNIC_EXT_MAGIC)
			return BPFNIC_DECODE_MAGIC;
		m->has_ext = 1;
		m->worker_cpu = (uint16_t)le_get(p + BPFNIC_OFF_EXT_CPU, 2);
		m->seq = le_get(p + BPFNIC_OFF_EXT_SEQ, 8);
		m->service_ns = le_get(p + BPFNIC_OFF_EXT_SERVICE, 8);
		m->worker_finish_ns = le_get(p + BPFNIC_OFF_EXT_FINISH, 8);
	}
	if (m->class == BPFNIC_CLASS_UNKNOWN)
		return BPFNIC_DECODE_CLASS;
	if (m->sched_arrival_ns == 0 || m->worker_pickup_ns < m->sched_arrival_ns)
		return BPFNIC_DECODE_UNSTAMPED;
	return BPFNIC_DECODE_OK;
}

const char *bpfnic_decode_err_name(int err)
{
	static const char *const names[] = { "ok", "length", "magic", "class", "unstamped" };

	return err >= 0 && err < (int)(sizeof(names) / sizeof(names[0])) ? names[err] : "?";
}
