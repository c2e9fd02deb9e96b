// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl-idlcheck: call a running bpfnicd and hold every reply against the interface
 * descriptions, for the protocol's integration test.
 *
 *   ctl-idlcheck --socket PATH --idl FILE [--idl FILE]... [--every-method] STEP...
 *
 * A STEP is a call as JSON ({"method": ..., "parameters": ..., "more": true}; a call
 * with "more" takes two replies), or "raw:TEXT" (TEXT sent as it is, with a NUL),
 * "big" (a message over the size limit) or "idle" (connect and say nothing until
 * the daemon gives up). Each step runs on a connection of its own. Every reply must
 * be the method's reply or an error the IDLs declare, and carry exactly what the
 * declaration says (lib/idl.h). One line per reply: "PASS what" or "FAIL what: why";
 * with --every-method, a "FAIL" too for each method no step got a reply from.
 * Exit status: 0 when every line is PASS, 1 otherwise, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "idl.h"
#include "protocol.h"
#include "vlclient.h"

#define MAX_IDLS 4
#define TIMEOUT_MS 15000 /* idle steps wait for the daemon's own idle limit */

struct state {
	const char *socket;
	struct bpfnic_idl *idl[MAX_IDLS];
	unsigned n_idl;
	char answered[64][128]; /* methods that gave a reply */
	unsigned n_answered;
	int failures;
};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* The IDL of "iface.Name", and Name. */
static const struct bpfnic_idl *idl_for(const struct state *s, const char *qualified,
					const char **name)
{
	const char *dot = strrchr(qualified, '.');

	for (unsigned i = 0; dot && i < s->n_idl; i++) {
		const char *iface = bpfnic_idl_name(s->idl[i]);

		if (strlen(iface) == (size_t)(dot - qualified) && !strncmp(qualified, iface, strlen(iface))) {
			*name = dot + 1;
			return s->idl[i];
		}
	}
	return NULL;
}

static void verdict(struct state *s, const char *what, const char *why)
{
	if (why) {
		printf("FAIL %s: %s\n", what, why);
		s->failures++;
	} else {
		printf("PASS %s\n", what);
	}
}

/* One reply (or error) to method (NULL when the call was not one). */
static void check_reply(struct state *s, const char *method, struct json_object *msg)
{
	const struct bpfnic_idl *idl;
	struct bpfnic_vl_reply reply;
	const char *why, *name, *member;
	char what[300], reason[300];

	if (bpfnic_vl_reply_from_json(msg, &reply, &why) < 0) {
		verdict(s, method ? method : "raw", why);
		return;
	}
	snprintf(what, sizeof(what), "%s -> %s", method ? method : "(not a call)",
		 reply.error ? reply.error : "reply");
	idl = idl_for(s, reply.error ? reply.error : method ? method : "", &name);
	if (!idl) {
		verdict(s, what, reply.error ? "an error no IDL declares" : "a method no IDL declares");
		return;
	}
	if (bpfnic_idl_check(idl, reply.error ? BPFNIC_IDL_ERROR : BPFNIC_IDL_OUT, name,
			     reply.parameters, &member, reason, sizeof(reason)) < 0) {
		verdict(s, what, reason);
		return;
	}
	verdict(s, what, NULL);
	if (!reply.error && s->n_answered < 64)
		snprintf(s->answered[s->n_answered++], sizeof(s->answered[0]), "%s", method);
}

static int send_raw(struct bpfnic_vl_client *c, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* Send what the step says; *method is the call's, when it is one. */
static int send_step(struct bpfnic_vl_client *c, const char *step, struct json_object **call,
		     const char **method, int *replies)
{
	struct json_object *v;

	*call = NULL;
	*method = NULL;
	*replies = 1;
	if (!strcmp(step, "idle"))
		return 0;
	if (!strncmp(step, "raw:", 4))
		return send_raw(c, step + 4, strlen(step + 4) + 1);
	if (!strcmp(step, "big")) {
		size_t n = BPFNIC_MAX_MESSAGE + 100;
		char *big = malloc(n);
		int r;

		if (!big)
			return -ENOMEM;
		memset(big, ' ', n); /* no NUL: the daemon refuses at the limit */
		r = send_raw(c, big, n);
		free(big);
		return r == -EPIPE || r == -ECONNRESET ? 0 : r;
	}
	*call = json_tokener_parse(step);
	if (!*call || !json_object_object_get_ex(*call, "method", &v))
		return -EINVAL;
	*method = json_object_get_string(v);
	if (json_object_object_get_ex(*call, "more", &v) && json_object_get_boolean(v))
		*replies = 2;
	return bpfnic_vl_client_send(c, *call);
}

static void run_step(struct state *s, const char *step)
{
	struct bpfnic_vl_client c;
	struct json_object *call, *msg;
	const char *method;
	int replies, r;

	r = bpfnic_vl_client_connect(&c, s->socket, TIMEOUT_MS);
	if (r < 0) {
		verdict(s, step, strerror(-r));
		return;
	}
	r = send_step(&c, step, &call, &method, &replies);
	for (int i = 0; r >= 0 && i < replies; i++) {
		r = bpfnic_vl_client_recv(&c, TIMEOUT_MS, &msg);
		if (r >= 0) {
			check_reply(s, method, msg);
			json_object_put(msg);
		}
	}
	if (r < 0)
		verdict(s, step, strerror(-r));
	json_object_put(call);
	bpfnic_vl_client_close(&c);
}

static void check_every_method(struct state *s)
{
	for (unsigned i = 0; i < s->n_idl; i++)
		for (unsigned m = 0; m < bpfnic_idl_n_methods(s->idl[i]); m++) {
			char name[128];
			bool seen = false;

			snprintf(name, sizeof(name), "%s.%s", bpfnic_idl_name(s->idl[i]),
				 bpfnic_idl_method_name(s->idl[i], m));
			for (unsigned k = 0; k < s->n_answered && !seen; k++)
				seen = !strcmp(s->answered[k], name);
			if (!seen)
				verdict(s, name, "no step got a reply from it");
		}
}

int main(int argc, char **argv)
{
	struct state s = { 0 };
	bool every = false;
	int i;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--every-method")) {
			every = true;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			s.socket = argv[++i];
		} else if (!strcmp(argv[i], "--idl") && i + 1 < argc && s.n_idl < MAX_IDLS) {
			char *text = read_file(argv[++i]), err[200] = "";

			if (!text || bpfnic_idl_parse(text, &s.idl[s.n_idl++], err, sizeof(err)) < 0) {
				fprintf(stderr, "ctl-idlcheck: %s: %s\n", argv[i], text ? err : strerror(errno));
				return 2;
			}
			free(text);
		} else {
			break;
		}
	}
	if (!s.socket || !s.n_idl || i == argc) {
		fprintf(stderr, "usage: ctl-idlcheck --socket PATH --idl FILE... [--every-method] STEP...\n");
		return 2;
	}
	for (; i < argc; i++)
		run_step(&s, argv[i]);
	if (every)
		check_every_method(&s);
	for (unsigned k = 0; k < s.n_idl; k++)
		bpfnic_idl_free(s.idl[k]);
	return s.failures ? 1 : 0;
}
