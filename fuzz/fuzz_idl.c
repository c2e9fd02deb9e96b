/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interface-description parser and checker (lib/idl.c). Only bpfnic's own texts
 * reach it in bpfnicd, but it is a parser of a language, and its checker judges every
 * control message: both get arbitrary input here. Input: IDL text, then a NUL, then
 * JSON. Properties: parse gives 0 or -EINVAL with a message (never a crash, however
 * deep the nesting); on a parsed IDL the JSON is checked against every method's input
 * and output and every error, each answer 0, -EINVAL with a reason, never anything else.
 */
#include <errno.h>
#include <json-c/json.h>

#include "fuzz.h"
#include "idl.h"

static void check_all(const struct bpfnic_idl *idl, struct json_object *v)
{
	static const enum bpfnic_idl_what whats[] = { BPFNIC_IDL_IN, BPFNIC_IDL_OUT };
	const char *member;
	char why[256], type[256];

	for (unsigned i = 0; i < bpfnic_idl_n_methods(idl); i++)
		for (unsigned w = 0; w < 2; w++) {
			const char *name = bpfnic_idl_method_name(idl, i);
			int r = bpfnic_idl_check(idl, whats[w], name, v, &member, why, sizeof(why));

			FUZZ_ASSERT(r == 0 || r == -EINVAL);
			FUZZ_ASSERT(r == 0 || (why[0] && memchr(why, '\0', sizeof(why))));
			/* The member at fault has a type to name. */
			if (r < 0 && member && json_object_is_type(v, json_type_object) &&
			    bpfnic_idl_member_type(idl, whats[w], name, member, type, sizeof(type)))
				FUZZ_ASSERT(type[0]);
		}
	for (unsigned i = 0; i < bpfnic_idl_n_errors(idl); i++) {
		int r = bpfnic_idl_check(idl, BPFNIC_IDL_ERROR, bpfnic_idl_error_name(idl, i), v,
					 &member, why, sizeof(why));

		FUZZ_ASSERT(r == 0 || r == -EINVAL);
	}
	FUZZ_ASSERT(bpfnic_idl_check(idl, BPFNIC_IDL_IN, "", v, &member, why, sizeof(why)) == -ENOENT ||
		    bpfnic_idl_n_methods(idl) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	char *text = fuzz_cstr(data, text_len), err[256];
	struct bpfnic_idl *idl = NULL;
	int r = bpfnic_idl_parse(text, &idl, err, sizeof(err));

	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT((r == 0) == (idl != NULL));
	if (r < 0)
		FUZZ_ASSERT(!strncmp(err, "line ", 5));
	if (idl && nul) {
		struct json_tokener *tok = json_tokener_new_ex(16);
		struct json_object *v;

		if (!tok)
			abort();
		v = json_tokener_parse_ex(tok, (const char *)nul + 1, (int)(size - text_len - 1));
		if (v)
			check_all(idl, v);
		json_object_put(v);
		json_tokener_free(tok);
	}
	bpfnic_idl_free(idl);
	free(text);
	return 0;
}
