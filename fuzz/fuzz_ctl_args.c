/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicctl's command line (ctl/args.c, with the policy options of lib/params.c).
 * Input: the arguments, separated by NUL bytes. Properties: 0 or -EINVAL with a
 * message (one line, unless an argument itself holds a newline: it is quoted as
 * typed); a parsed line names a command; a policy command gives the
 * SetPolicy parameters object, and the daemon's own parser takes each of its values.
 */
#include <errno.h>
#include <json-c/json.h>

#include "ctl/args.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 1], *buf, err[256];
	struct ctl_args a;
	int argc = fuzz_argv(data, size, "bpfnicctl", argv, &buf), r;

	r = ctl_parse_args(argc, argv, size & 1 ? "/tmp/fuzz.sock" : NULL, &a, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
	if (r < 0) {
		FUZZ_ASSERT(err[0]);
	} else if (!a.client_version_only) {
		FUZZ_ASSERT(a.cmd != CTL_CMD_NONE && a.socket_path && a.timeout_ms > 0);
	}
	/* --version before the command prints the client's version whatever follows. */
	if (r == 0 && a.cmd == CTL_CMD_POLICY && !a.client_version_only) {
		struct json_object *p = ctl_policy_params(&a), *v;
		struct bpfnicd_config scratch = { 0 };
		char why[200];

		FUZZ_ASSERT(p != NULL);
		FUZZ_ASSERT(json_object_object_get_ex(p, "policy", &v));
		json_object_object_foreach(p, key, val) {
			const struct bpfnic_param *k = bpfnic_param_by_json(key);

			FUZZ_ASSERT(k != NULL);
			/* What bpfnicctl sends is text the table reads back. */
			if (json_object_is_type(val, json_type_string))
				FUZZ_ASSERT(bpfnic_param_set_text(k, &scratch, json_object_get_string(val),
								  NULL, why, sizeof(why)) == 0);
		}
		json_object_put(p);
	}
	free(buf);
	return 0;
}
