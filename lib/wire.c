/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include "wire.h"

static inline void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
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
	put64(p + BPFNIC_OFF_CLIENT_SEND, client_send_ns);
	p[BPFNIC_OFF_CLASS] = class;
	if (f == BPFNIC_FORMAT_EXT) {
		p[BPFNIC_OFF_EXT_VERSION] = BPFNIC_EXT_VERSION;
		put32(p + BPFNIC_OFF_EXT_MAGIC, BPFNIC_EXT_MAGIC);
		put64(p + BPFNIC_OFF_EXT_SEQ, seq);
		put64(p + BPFNIC_OFF_EXT_SERVICE, service_ns);
	}
	return (int)need;
}

void bpfnic_req_set_send_ns(void *buf, uint64_t client_send_ns)
{
	put64((uint8_t *)buf + BPFNIC_OFF_CLIENT_SEND, client_send_ns);
}

int bpfnic_reply_decode(const void *buf, size_t len, enum bpfnic_format f, struct bpfnic_msg *m)
{
	const uint8_t *p = buf;

	memset(m, 0, sizeof(*m));
	m->class = BPFNIC_CLASS_UNKNOWN;
	if (len < BPFNIC_REQ_LEN)
		return BPFNIC_DECODE_LENGTH;
	m->client_send_ns = get64(p + BPFNIC_OFF_CLIENT_SEND);
	m->sched_arrival_ns = get64(p + BPFNIC_OFF_ARRIVAL);
	m->worker_pickup_ns = get64(p + BPFNIC_OFF_PICKUP);
	m->class = p[BPFNIC_OFF_CLASS] <= BPFNIC_CLASS_LONG ? p[BPFNIC_OFF_CLASS] : BPFNIC_CLASS_UNKNOWN;
	if (len != bpfnic_format_len(f))
		return BPFNIC_DECODE_LENGTH;
	if (f == BPFNIC_FORMAT_EXT) {
		if (p[BPFNIC_OFF_EXT_VERSION] != BPFNIC_EXT_VERSION ||
		    get32(p + BPFNIC_OFF_EXT_MAGIC) != BPFNIC_EXT_MAGIC)
			return BPFNIC_DECODE_MAGIC;
		m->has_ext = 1;
		m->worker_cpu = get16(p + BPFNIC_OFF_EXT_CPU);
		m->seq = get64(p + BPFNIC_OFF_EXT_SEQ);
		m->service_ns = get64(p + BPFNIC_OFF_EXT_SERVICE);
		m->worker_finish_ns = get64(p + BPFNIC_OFF_EXT_FINISH);
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
