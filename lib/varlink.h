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
 * Everything above is pure (no I/O), so the unit tests reach it directly. The only
 * I/O is the small blocking client helper at the end (bpfnic_vl_client_*), which
 * bpfnicctl and the tests use. Nothing here logs; functions return 0 or -errno.
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

/* ---- parameter validation (daemon side; pure) ---------------------------------- */

/*
 * Read an optional integer parameter "name" from params. Returns 0 and leaves *out
 * alone when it is absent, 1 when it was present and valid (*out set), -EINVAL when
 * it is not an integer or is outside [min, max]; then *why is a static explanation.
 * A JSON double with an integral value (20.0) is accepted, 20.5 is not.
 */
int bpfnic_vl_param_int(struct json_object *params, const char *name, long long min,
			long long max, long long *out, const char **why);

/*
 * Read an optional string parameter that must be one of names[0..n) (e.g.
 * bpfnic_policy_names). 0 absent, 1 present (*index set), -EINVAL otherwise.
 */
int bpfnic_vl_param_enum(struct json_object *params, const char *name,
			 const char *const *names, unsigned n, unsigned *index, const char **why);

/*
 * -EINVAL with *bad set to the first key of params not in allowed[] (NULL-terminated);
 * 0 when every key is known. Methods use it so a typo is an error, not a no-op.
 */
int bpfnic_vl_params_check_keys(struct json_object *params, const char *const *allowed,
				const char **bad);

/* ---- blocking client helper (the one place here that does I/O) ----------------- */

struct bpfnic_vl_client {
	int fd;
	struct bpfnic_vl_input in;
};

/* Connect to the daemon's socket (NULL = BPFNIC_DEFAULT_SOCKET). -errno from connect. */
int bpfnic_vl_client_connect(struct bpfnic_vl_client *c, const char *path);
void bpfnic_vl_client_close(struct bpfnic_vl_client *c);

/* Send one message (serialised with its NUL); blocks until written. */
int bpfnic_vl_client_send(struct bpfnic_vl_client *c, struct json_object *msg);

/*
 * Receive the next message, waiting at most timeout_ms (< 0: forever). *out owned by
 * the caller. -ETIMEDOUT, -ECONNRESET when the daemon closed the connection, or a
 * bpfnic_vl_parse() error.
 */
int bpfnic_vl_client_recv(struct bpfnic_vl_client *c, int timeout_ms, struct json_object **out);

/*
 * One round trip: send {"method", "parameters"} and wait for the reply. *reply_msg
 * owned by the caller; take it apart with bpfnic_vl_reply_from_json().
 */
int bpfnic_vl_client_call(struct bpfnic_vl_client *c, const char *method,
			  struct json_object *parameters, int timeout_ms,
			  struct json_object **reply_msg);

#endif
