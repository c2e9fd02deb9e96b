/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Request validation for the control socket, pure (no I/O, no daemon state): which
 * methods exist, who may call them, which parameters each takes, and SetPolicy's
 * parameters merged onto the running policy with every type and range checked.
 */
#ifndef BPFNICD_REQUEST_H
#define BPFNICD_REQUEST_H

#include <stdbool.h>
#include <json-c/json.h>

#include "daemon/config.h"

#define BPFNIC_M_VARLINK_GET_IFACE_DESC "org.varlink.service.GetInterfaceDescription"

enum bpfnicd_method_id {
	BPFNICD_M_VARLINK_GET_INFO,
	BPFNICD_M_VARLINK_GET_IFACE_DESC,
	BPFNICD_M_GET_INFO,
	BPFNICD_M_GET_STATUS,
	BPFNICD_M_GET_STATS,
	BPFNICD_M_SET_POLICY,
	BPFNICD_M_RELOAD,
	BPFNICD_M_MONITOR,
};

struct bpfnicd_method {
	const char *name;
	enum bpfnicd_method_id id;
	bool admin;              /* changes state: root or AdminGroup= only */
	bool needs_more;         /* streaming: the call must say "more": true */
	const char *const *params; /* accepted parameter names, NULL-terminated */
};

/* The method called name, or NULL. */
const struct bpfnicd_method *bpfnicd_method_find(const char *name);

/*
 * Check a call's parameters against the method's list: -EINVAL with *param set to
 * the first unknown one.
 */
int bpfnicd_method_check_params(const struct bpfnicd_method *m, struct json_object *params,
				const char **param);

/*
 * SetPolicy: start from the running policy, apply every parameter given ("policy"
 * is required), check types, ranges and the cross-checks against n_cpus candidates.
 * 0 with *out filled, or -EINVAL with *param (the parameter at fault) and why.
 * threshold_us without shrink_below_us moves an automatic low-water mark along.
 */
int bpfnicd_policy_from_params(const struct bpfnicd_policy *running, unsigned n_cpus,
			       struct json_object *params, struct bpfnicd_policy *out,
			       const char **param, char *why, size_t why_size);

/* {name, long_cpus, threshold_us, metric, min_cpus, max_cpus, cooldown_ms,
 *  shrink_below_us, interval_ms} */
struct json_object *bpfnicd_policy_to_json(const struct bpfnicd_policy *p);

#endif
