/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Varlink interface descriptions (IDL): parse one, and check JSON against it, as the
 * varlink specification defines both. Debian 12 ships no C library that does either
 * (only a Go code generator), hence this small one. Pure: no I/O, never logs.
 *
 * Supported: interface, type (struct or enum), method, error; the types bool, int,
 * float, string, object, named types, inline structs and enums, ?T, []T and
 * [string]T; # comments (the ones right before a method are its documentation).
 *
 * Checking a value against a struct type: every member the JSON carries must be
 * declared, with the declared type; every member not declared ?T must be there and
 * not null. int accepts JSON integers, float any JSON number.
 */
#ifndef BPFNIC_IDL_H
#define BPFNIC_IDL_H

#include <stddef.h>

struct json_object;
struct bpfnic_idl;

/* Parse text. 0 with *out, or -EINVAL with "line N: what" in err, or -ENOMEM. */
int bpfnic_idl_parse(const char *text, struct bpfnic_idl **out, char *err, size_t err_size);
void bpfnic_idl_free(struct bpfnic_idl *idl);

/* The interface's name ("io.bpfnic"). */
const char *bpfnic_idl_name(const struct bpfnic_idl *idl);

/* Methods, in the order written: name (without the interface) and documentation. */
unsigned bpfnic_idl_n_methods(const struct bpfnic_idl *idl);
const char *bpfnic_idl_method_name(const struct bpfnic_idl *idl, unsigned i);
const char *bpfnic_idl_method_doc(const struct bpfnic_idl *idl, unsigned i);
/* Errors, in the order written (without the interface). */
unsigned bpfnic_idl_n_errors(const struct bpfnic_idl *idl);
const char *bpfnic_idl_error_name(const struct bpfnic_idl *idl, unsigned i);

enum bpfnic_idl_what {
	BPFNIC_IDL_IN,    /* a method's parameters */
	BPFNIC_IDL_OUT,   /* a method's reply */
	BPFNIC_IDL_ERROR, /* an error's parameters */
};

/*
 * Check params against the named method's input or output, or the named error's
 * parameters (name without the interface). 0; -ENOENT when there is no such method
 * or error; -EINVAL with *member (the top-level member at fault, static or borrowed
 * from params) and why ("qdelay_us.p50: must be a float").
 */
int bpfnic_idl_check(const struct bpfnic_idl *idl, enum bpfnic_idl_what what, const char *name,
		     struct json_object *params, const char **member, char *why, size_t why_size);

/*
 * The varlink type of method's input member, as written ("?int", "(avg, p99)"), or
 * NULL. For tests that compare the IDL with other tables.
 */
const char *bpfnic_idl_member_type(const struct bpfnic_idl *idl, enum bpfnic_idl_what what,
				   const char *name, const char *member, char *buf, size_t size);

#endif
