/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Varlink-style message framing for the control socket, shared by bpfnicd and its
 * clients: every message is one JSON object followed by a NUL byte (lib/protocol.h
 * has the names and limits).
 *
 *   - struct bpfnic_vl_input accumulates the bytes read from a stream and yields
 *     complete messages, refusing anything longer than BPFNIC_MAX_MESSAGE.
 *   - bpfnic_vl_parse() checks UTF-8 and parses one message with json-c, with the
 *     nesting depth capped at BPFNIC_MAX_JSON_DEPTH; the result must be an object.
 *   - bpfnic_vl_call_*, bpfnic_vl_reply_*, bpfnic_vl_error_* build and take apart the
 *     three kinds of message; bpfnic_vl_serialize() renders one with its trailing NUL.
 *
 * Pure (no I/O), so the unit tests reach it directly; the client side's I/O is in
 * lib/vlclient.h. Nothing here logs; functions return 0 or -errno.
 */
#ifndef BPFNIC_VARLINK_H
#define BPFNIC_VARLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "protocol.h"

/* ---- input framing ------------------------------------------------------------ */

struct bpfnic_vl_input {
	char *buf;
	size_t start; /* first byte not yet handed out */
	size_t len;   /* bytes held: buf[start..len) */
	size_t cap;
	size_t scanned; /* buf[start..scanned) is known to hold no NUL */
};

#define BPFNIC_VL_INPUT_INIT { 0 }

void bpfnic_vl_input_free(struct bpfnic_vl_input *in);

/* Bytes held that do not form a complete message yet. */
size_t bpfnic_vl_input_pending(const struct bpfnic_vl_input *in);

/*
 * Append n bytes read from the stream. -EMSGSIZE when the message being received
 * already exceeds BPFNIC_MAX_MESSAGE (the stream cannot be resynchronised: close it),
 * -ENOMEM on allocation failure. Complete messages held are not affected.
 */
int bpfnic_vl_input_feed(struct bpfnic_vl_input *in, const void *data, size_t n);

/*
 * Take the next complete message. Returns 1 and sets *msg (NUL-terminated, *len
 * excludes the NUL; valid until the next feed or next call), 0 when no complete
 * message is held, -EMSGSIZE when the next message is longer than the limit.
 */
int bpfnic_vl_input_next(struct bpfnic_vl_input *in, const char **msg, size_t *len);

/* ---- parsing ------------------------------------------------------------------ */

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool bpfnic_vl_utf8_valid(const char *s, size_t len);

/*
 * Parse one message (without its NUL) into a JSON object, *out owned by the caller.
 * -EMSGSIZE: len + 1 > BPFNIC_MAX_MESSAGE; -EILSEQ: not UTF-8; -ELOOP: objects/arrays
 * nested more than BPFNIC_MAX_JSON_DEPTH levels ({"a":{"b":1}} is 2); -EBADMSG: not strict JSON, trailing garbage, or not an
 * object; -ENOMEM. On error *out is NULL.
 */
int bpfnic_vl_parse(const char *msg, size_t len, struct json_object **out);

/* Human-readable reason for a bpfnic_vl_parse()/input error, for error replies. */
const char *bpfnic_vl_strerror(int err);

/* ---- calls -------------------------------------------------------------------- */

struct bpfnic_vl_call {
	const char *method;             /* borrowed from the message object */
	struct json_object *parameters; /* borrowed; never NULL (an empty object if absent) */
	bool more;                      /* the caller accepts several replies */
	bool oneway;                    /* the caller wants no reply */
};

/*
 * Take a parsed message apart as a call. "method" must be a non-empty string,
 * "parameters" an object when present, "more"/"oneway" booleans when present;
 * anything else gives -EBADMSG and *why says what (a static string). Unknown
 * top-level keys are ignored, as varlink asks. The call borrows from msg; when
 * "parameters" is absent an empty object is added to msg so the pointer stays valid.
 */
int bpfnic_vl_call_from_json(struct json_object *msg, struct bpfnic_vl_call *call,
			     const char **why);

/* {"method": m, "parameters": p, "more": true?}; takes ownership of p (NULL = {}). */
struct json_object *bpfnic_vl_call_new(const char *method, struct json_object *parameters,
				       bool more);

/* ---- replies and errors ------------------------------------------------------- */

/* {"parameters": p, "continues": true?}; takes ownership of p (NULL = {}). */
struct json_object *bpfnic_vl_reply_new(struct json_object *parameters, bool continues);

/* {"error": name, "parameters": p}; takes ownership of p (NULL = {}). */
struct json_object *bpfnic_vl_error_new(const char *error, struct json_object *parameters);

/*
 * {"error": name, "parameters": {"parameter": param?, "reason": reason}}: the shape every
 * bpfnic error uses. param may be NULL (then the key is absent).
 */
struct json_object *bpfnic_vl_error_reason(const char *error, const char *param,
					   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct bpfnic_vl_reply {
	const char *error;              /* NULL for a reply, the error name otherwise */
	struct json_object *parameters; /* borrowed; never NULL */
	bool continues;                 /* more replies follow */
};

/* Take a parsed message apart as a reply (client side). -EBADMSG with *why if malformed. */
int bpfnic_vl_reply_from_json(struct json_object *msg, struct bpfnic_vl_reply *reply,
			      const char **why);

/*
 * Render msg compactly followed by its NUL. *out is malloc'ed, *len includes the NUL.
 * -EMSGSIZE when the result would exceed BPFNIC_MAX_MESSAGE.
 */
int bpfnic_vl_serialize(struct json_object *msg, char **out, size_t *len);

/*
 * A JSON number rounded to decimals places (rates, microseconds: readable, and no
 * 17-digit noise); not finite becomes 0.
 */
struct json_object *bpfnic_vl_number(double v, unsigned decimals);

#endif
