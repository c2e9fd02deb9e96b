/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Encoding and decoding of the request wire format defined in bpf/bpfnic.h (the
 * paper's 25 bytes, optionally followed by the extension). Every field goes through
 * the header's offsets and is converted to and from little-endian byte by byte, so
 * the bytes are the same on any host; decoding never trusts a packet: lengths, the
 * extension's version and magic and the class byte are checked. The one user-space
 * implementation: the load generator, the test tools, the test servers and the BPF
 * tests' frames all read and write requests through it.
 */
#ifndef BPFNIC_WIRE_H
#define BPFNIC_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "bpfnic.h"

enum bpfnic_format {
	BPFNIC_FORMAT_PAPER = 0, /* 25 bytes */
	BPFNIC_FORMAT_EXT = 1,   /* 25 + extension = BPFNIC_REQ_EXT_LEN bytes */
};

/* Host-order view of a request or reply. */
struct bpfnic_msg {
	uint64_t client_send_ns;
	uint64_t sched_arrival_ns;
	uint64_t worker_pickup_ns;
	uint8_t class;      /* short, long, or BPFNIC_CLASS_UNKNOWN for any other byte */
	uint8_t class_byte; /* the class byte as on the wire: tools that send odd classes */
	/* Extension: valid when has_ext. */
	uint8_t has_ext;
	uint16_t worker_cpu;
	uint64_t seq;
	uint64_t service_ns;
	uint64_t worker_finish_ns;
};

/* "paper", "ext": by enum bpfnic_format, as the tools' --format options name them. */
extern const char *const bpfnic_format_names[2];

static inline size_t bpfnic_format_len(enum bpfnic_format f)
{
	return f == BPFNIC_FORMAT_EXT ? BPFNIC_REQ_EXT_LEN : BPFNIC_REQ_LEN;
}

/*
 * Writes a request (server fields zero) into buf; returns its length, or -ENOSPC when
 * len is too small, -EINVAL for an unknown format.
 */
int bpfnic_req_encode(void *buf, size_t len, enum bpfnic_format f, uint64_t client_send_ns,
		      uint8_t class, uint64_t seq, uint64_t service_ns);

/* Rewrites only the client send time of an encoded request (the batch is built early). */
void bpfnic_req_set_send_ns(void *buf, uint64_t client_send_ns);

/*
 * Writes what the data path writes into a request it serves (scheduler arrival and
 * worker pick-up, server clock): for user-space stand-ins of the server in tests.
 */
void bpfnic_req_stamp(void *buf, uint64_t sched_arrival_ns, uint64_t worker_pickup_ns);

/* One 8-byte little-endian field at p (p = payload + BPFNIC_OFF_...), for tools that
 * read or change a single field of a frame in place. */
uint64_t bpfnic_le64_get(const void *p);
void bpfnic_le64_put(void *p, uint64_t v);

enum bpfnic_decode_err {
	BPFNIC_DECODE_OK = 0,
	BPFNIC_DECODE_LENGTH = 1,   /* not 25 bytes (paper) / not the extended length (ext) */
	BPFNIC_DECODE_MAGIC = 2,    /* extension version or magic wrong */
	BPFNIC_DECODE_CLASS = 3,    /* class byte is neither short nor long */
	BPFNIC_DECODE_UNSTAMPED = 4,/* server time stamps missing or pick-up before arrival */
};

/*
 * Decodes a reply of the expected format into *m. Returns an enum bpfnic_decode_err;
 * on anything but OK, *m holds what could be read (class is BPFNIC_CLASS_UNKNOWN when
 * the packet is too short to have one). BPFNIC_DECODE_CLASS comes after every field is
 * read but before the time stamps are checked: a caller that sent that class byte on
 * purpose (m->class_byte) checks the stamps itself.
 */
int bpfnic_reply_decode(const void *buf, size_t len, enum bpfnic_format f, struct bpfnic_msg *m);

const char *bpfnic_decode_err_name(int err);

#endif
