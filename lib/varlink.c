/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Varlink-style NUL-terminated JSON framing: see varlink.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "varlink.h"

/* ---- input framing ------------------------------------------------------------ */

void bpfnic_vl_input_free(struct bpfnic_vl_input *in)
{
	free(in->buf);
	*in = (struct bpfnic_vl_input)BPFNIC_VL_INPUT_INIT;
}

size_t bpfnic_vl_input_pending(const struct bpfnic_vl_input *in)
{
	const char *nul;

	if (in->start == in->len)
		return 0;
	/* The last NUL held ends the last complete message. */
	nul = memrchr(in->buf + in->start, '\0', in->len - in->start);
	return nul ? (size_t)(in->buf + in->len - nul - 1) : in->len - in->start;
}

int bpfnic_vl_input_feed(struct bpfnic_vl_input *in, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	/* Drop what was handed out, so the buffer holds only unread bytes. */
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->len - in->start);
		in->len -= in->start;
		in->scanned -= in->start;
		in->start = 0;
	}
	if (in->len + n + 1 > in->cap) {
		size_t cap = in->cap ? in->cap : 4096;
		char *p;

		while (cap < in->len + n + 1)
			cap *= 2;
		p = realloc(in->buf, cap);
		if (!p)
			return -ENOMEM;
		in->buf = p;
		in->cap = cap;
	}
	memcpy(in->buf + in->len, data, n);
	in->len += n;
	/* A message still without its NUL must not grow past the limit. */
	if (bpfnic_vl_input_pending(in) > BPFNIC_MAX_MESSAGE - 1)
		return -EMSGSIZE;
	return 0;
}

int bpfnic_vl_input_next(struct bpfnic_vl_input *in, const char **msg, size_t *len)
{
	const char *nul;
	size_t from, mlen;

	if (in->start == in->len)
		return 0;
	from = in->scanned > in->start ? in->scanned : in->start;
	nul = memchr(in->buf + from, '\0', in->len - from);
	if (!nul) {
		in->scanned = in->len;
		if (in->len - in->start > BPFNIC_MAX_MESSAGE - 1)
			return -EMSGSIZE;
		return 0;
	}
	mlen = (size_t)(nul - (in->buf + in->start));
	if (mlen + 1 > BPFNIC_MAX_MESSAGE)
		return -EMSGSIZE;
	*msg = in->buf + in->start;
	*len = mlen;
	in->start += mlen + 1;
	in->scanned = in->start;
	return 1;
}

/* ---- parsing ------------------------------------------------------------------ */

bool bpfnic_vl_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		unsigned c = *s, need, min;
		uint32_t cp;

		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - s) < need + 1)
			return false;
		for (unsigned i = 1; i <= need; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += need + 1;
	}
	return true;
}

int bpfnic_vl_parse(const char *msg, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	int r = 0;

	*out = NULL;
	if (len + 1 > BPFNIC_MAX_MESSAGE)
		return -EMSGSIZE;
	if (!bpfnic_vl_utf8_valid(msg, len))
		return -EILSEQ;
	if (len > INT32_MAX)
		return -EMSGSIZE;
	/* json-c counts the innermost scalar as a level too: allow that one on top of the
	 * BPFNIC_MAX_JSON_DEPTH levels of objects/arrays. */
	tok = json_tokener_new_ex(BPFNIC_MAX_JSON_DEPTH + 1);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, msg, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_error_depth)
		r = -ELOOP;
	else if (!obj || jerr != json_tokener_success)
		r = -EBADMSG;
	else if (json_tokener_get_parse_end(tok) != len)
		r = -EBADMSG; /* trailing bytes after the object */
	else if (!json_object_is_type(obj, json_type_object))
		r = -EBADMSG;
	json_tokener_free(tok);
	if (r < 0) {
		json_object_put(obj);
		return r;
	}
	*out = obj;
	return 0;
}

const char *bpfnic_vl_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EMSGSIZE: return "message larger than the limit";
	case EILSEQ:   return "message is not valid UTF-8";
	case ELOOP:    return "JSON nested too deep";
	case EBADMSG:  return "message is not a JSON object";
	case ENOMEM:   return "out of memory";
	default:       return "malformed message";
	}
}

/* ---- calls -------------------------------------------------------------------- */

static int get_bool(struct json_object *msg, const char *key, bool *out)
{
	struct json_object *v;

	*out = false;
	if (!json_object_object_get_ex(msg, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -EBADMSG;
	*out = json_object_get_boolean(v);
	return 0;
}

/*
 * The message's "parameters" object; absent or null, an empty one is added to msg so
 * the borrowed pointer stays valid as long as msg.
 */
static int take_parameters(struct json_object *msg, struct json_object **out, const char **why)
{
	struct json_object *p;

	if (json_object_object_get_ex(msg, "parameters", &p) &&
	    !json_object_is_type(p, json_type_null)) {
		if (!json_object_is_type(p, json_type_object)) {
			*why = "\"parameters\" must be an object";
			return -EBADMSG;
		}
	} else {
		p = json_object_new_object();
		if (!p || json_object_object_add(msg, "parameters", p) < 0) {
			json_object_put(p);
			*why = "out of memory";
			return -ENOMEM;
		}
	}
	*out = p;
	return 0;
}

int bpfnic_vl_call_from_json(struct json_object *msg, struct bpfnic_vl_call *call,
			     const char **why)
{
	struct json_object *m, *p;
	int r;

	*call = (struct bpfnic_vl_call){ 0 };
	if (!json_object_is_type(msg, json_type_object)) {
		*why = "message is not a JSON object";
		return -EBADMSG;
	}
	if (!json_object_object_get_ex(msg, "method", &m) ||
	    !json_object_is_type(m, json_type_string) || json_object_get_string_len(m) == 0) {
		*why = "\"method\" must be a non-empty string";
		return -EBADMSG;
	}
	r = take_parameters(msg, &p, why);
	if (r < 0)
		return r;
	if (get_bool(msg, "more", &call->more) < 0) {
		*why = "\"more\" must be a boolean";
		return -EBADMSG;
	}
	if (get_bool(msg, "oneway", &call->oneway) < 0) {
		*why = "\"oneway\" must be a boolean";
		return -EBADMSG;
	}
	call->method = json_object_get_string(m);
	call->parameters = p;
	return 0;
}

/* {key: value, "parameters": p, flag: true}, key and flag when not NULL; takes p. */
static struct json_object *message_new(const char *key, const char *value,
				       struct json_object *parameters, const char *flag)
{
	struct json_object *o = json_object_new_object();

	if (!o) {
		json_object_put(parameters);
		return NULL;
	}
	if (key)
		json_object_object_add(o, key, json_object_new_string(value));
	json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
	if (flag)
		json_object_object_add(o, flag, json_object_new_boolean(1));
	return o;
}

struct json_object *bpfnic_vl_call_new(const char *method, struct json_object *parameters,
				       bool more)
{
	return message_new("method", method, parameters, more ? "more" : NULL);
}

/* ---- replies and errors ------------------------------------------------------- */

struct json_object *bpfnic_vl_reply_new(struct json_object *parameters, bool continues)
{
	return message_new(NULL, NULL, parameters, continues ? "continues" : NULL);
}

struct json_object *bpfnic_vl_error_new(const char *error, struct json_object *parameters)
{
	return message_new("error", error, parameters, NULL);
}

struct json_object *bpfnic_vl_error_reason(const char *error, const char *param,
					   const char *fmt, ...)
{
	struct json_object *p = json_object_new_object();
	char reason[512];
	va_list ap;

	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (param)
		json_object_object_add(p, "parameter", json_object_new_string(param));
	json_object_object_add(p, "reason", json_object_new_string(reason));
	return bpfnic_vl_error_new(error, p);
}

int bpfnic_vl_reply_from_json(struct json_object *msg, struct bpfnic_vl_reply *reply,
			      const char **why)
{
	struct json_object *e, *p, *c;
	int r;

	*reply = (struct bpfnic_vl_reply){ 0 };
	if (!json_object_is_type(msg, json_type_object)) {
		*why = "message is not a JSON object";
		return -EBADMSG;
	}
	if (json_object_object_get_ex(msg, "error", &e)) {
		if (!json_object_is_type(e, json_type_string)) {
			*why = "\"error\" must be a string";
			return -EBADMSG;
		}
		reply->error = json_object_get_string(e);
	}
	r = take_parameters(msg, &p, why);
	if (r < 0)
		return r;
	reply->parameters = p;
	if (json_object_object_get_ex(msg, "continues", &c) &&
	    !json_object_is_type(c, json_type_null)) {
		if (!json_object_is_type(c, json_type_boolean)) {
			*why = "\"continues\" must be a boolean";
			return -EBADMSG;
		}
		reply->continues = json_object_get_boolean(c);
	}
	return 0;
}

int bpfnic_vl_serialize(struct json_object *msg, char **out, size_t *len)
{
	size_t n;
	const char *s = json_object_to_json_string_length(
		msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (n + 1 > BPFNIC_MAX_MESSAGE)
		return -EMSGSIZE;
	*out = malloc(n + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, s, n + 1); /* json-c's string carries its NUL: that is our delimiter */
	*len = n + 1;
	return 0;
}

struct json_object *bpfnic_vl_number(double v, unsigned decimals)
{
	double scale = pow(10.0, decimals);
	char text[64];

	if (!isfinite(v))
		v = 0;
	snprintf(text, sizeof(text), "%.*f", (int)decimals, v);
	return json_object_new_double_s(round(v * scale) / scale, text);
}
