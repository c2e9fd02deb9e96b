/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Control-socket request validation: see request.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "varlink.h"
#include "daemon/request.h"

static const char *const no_params[] = { NULL };
static const char *const set_policy_params[] = {
	"policy", "long_cpus", "threshold_us", "metric", "min_cpus", "max_cpus", "cooldown_ms",
	"shrink_below_us", "interval_ms", NULL,
};
static const char *const iface_desc_params[] = { "interface", NULL };

static const struct bpfnicd_method methods[] = {
	{ BPFNIC_M_VARLINK_GET_INFO, BPFNICD_M_VARLINK_GET_INFO, false, false, no_params },
	{ BPFNIC_M_VARLINK_GET_IFACE_DESC, BPFNICD_M_VARLINK_GET_IFACE_DESC, false, false,
	  iface_desc_params },
	{ BPFNIC_M_GET_INFO, BPFNICD_M_GET_INFO, false, false, no_params },
	{ BPFNIC_M_GET_STATUS, BPFNICD_M_GET_STATUS, false, false, no_params },
	{ BPFNIC_M_GET_STATS, BPFNICD_M_GET_STATS, false, false, no_params },
	{ BPFNIC_M_SET_POLICY, BPFNICD_M_SET_POLICY, true, false, set_policy_params },
	{ BPFNIC_M_RELOAD, BPFNICD_M_RELOAD, true, false, no_params },
	{ BPFNIC_M_MONITOR, BPFNICD_M_MONITOR, false, true, no_params },
};

const struct bpfnicd_method *bpfnicd_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

int bpfnicd_method_check_params(const struct bpfnicd_method *m, struct json_object *params,
				const char **param)
{
	return bpfnic_vl_params_check_keys(params, m->params, param);
}

int bpfnicd_policy_from_params(const struct bpfnicd_policy *running, unsigned n_cpus,
			       struct json_object *params, struct bpfnicd_policy *out,
			       const char **param, char *why, size_t why_size)
{
	static const struct {
		const char *name;
		long long min, max;
		size_t off;
	} ints[] = {
		{ "long_cpus", 1, BPFNIC_MAX_CPUS - 1, offsetof(struct bpfnicd_policy, long_cpus) },
		{ "threshold_us", 1, 1000000, offsetof(struct bpfnicd_policy, threshold_us) },
		{ "min_cpus", 1, BPFNIC_MAX_CPUS, offsetof(struct bpfnicd_policy, min_cpus) },
		{ "max_cpus", 1, BPFNIC_MAX_CPUS, offsetof(struct bpfnicd_policy, max_cpus) },
		{ "cooldown_ms", 0, 3600000, offsetof(struct bpfnicd_policy, cooldown_ms) },
		{ "shrink_below_us", 0, 1000000, offsetof(struct bpfnicd_policy, shrink_below_us) },
		{ "interval_ms", 10, 60000, offsetof(struct bpfnicd_policy, interval_ms) },
	};
	const char *bad, *w;
	unsigned idx;
	bool threshold_given = false, shrink_given = false;
	int r;

	*out = *running;
	if (bpfnic_vl_params_check_keys(params, set_policy_params, &bad) < 0) {
		*param = bad;
		snprintf(why, why_size, "unknown parameter");
		return -EINVAL;
	}
	r = bpfnic_vl_param_enum(params, "policy", bpfnic_policy_names, BPFNIC_NR_POLICIES, &idx, &w);
	if (r <= 0) {
		*param = "policy";
		snprintf(why, why_size, "%s", r == 0 ? "missing: must be rr, split or dynamic" :
			 "must be \"rr\", \"split\" or \"dynamic\"");
		return -EINVAL;
	}
	out->policy = (enum bpfnic_policy)idx;
	r = bpfnic_vl_param_enum(params, "metric", bpfnic_metric_names, 2, &idx, &w);
	if (r < 0) {
		*param = "metric";
		snprintf(why, why_size, "must be \"avg\" or \"p99\"");
		return -EINVAL;
	}
	if (r > 0)
		out->metric = (enum bpfnic_metric)idx;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		long long v;

		r = bpfnic_vl_param_int(params, ints[i].name, ints[i].min, ints[i].max, &v, &w);
		if (r < 0) {
			*param = ints[i].name;
			snprintf(why, why_size, "%s: an integer between %lld and %lld", w, ints[i].min,
				 ints[i].max);
			return -EINVAL;
		}
		if (r > 0) {
			*(unsigned *)((char *)out + ints[i].off) = (unsigned)v;
			if (strcmp(ints[i].name, "threshold_us") == 0)
				threshold_given = true;
			else if (strcmp(ints[i].name, "shrink_below_us") == 0)
				shrink_given = true;
		}
	}
	if (shrink_given)
		out->shrink_below_auto = false;
	else if (threshold_given && out->shrink_below_auto)
		out->shrink_below_us = out->threshold_us / 2;
	return bpfnicd_policy_check(out, n_cpus, param, why, why_size);
}

struct json_object *bpfnicd_policy_to_json(const struct bpfnicd_policy *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(bpfnic_policy_names[p->policy]));
	json_object_object_add(o, "long_cpus", json_object_new_int64(p->long_cpus));
	json_object_object_add(o, "threshold_us", json_object_new_int64(p->threshold_us));
	json_object_object_add(o, "metric", json_object_new_string(bpfnic_metric_names[p->metric]));
	json_object_object_add(o, "min_cpus", json_object_new_int64(p->min_cpus));
	json_object_object_add(o, "max_cpus", json_object_new_int64(p->max_cpus));
	json_object_object_add(o, "cooldown_ms", json_object_new_int64(p->cooldown_ms));
	json_object_object_add(o, "shrink_below_us", json_object_new_int64(p->shrink_below_us));
	json_object_object_add(o, "interval_ms", json_object_new_int64(p->interval_ms));
	return o;
}
