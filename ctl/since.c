// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Pages of GetStats' history joined into one reply: see since.h. */
#include "ctl/since.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>

static const char *const lists[] = { "windows", "changes" };

static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

int ctl_since_add_page(struct json_object **acc, struct json_object *page, uint64_t since_usec,
		       uint64_t *next)
{
	struct json_object *n = member(page, "next_since_usec", json_type_int), *t;
	bool truncated;

	*next = 0;
	for (unsigned i = 0; i < 2; i++)
		if (!member(page, lists[i], json_type_array))
			return -EBADMSG;
	if (n && (json_object_get_int64(n) <= 0 || (uint64_t)json_object_get_int64(n) <= since_usec))
		return -EBADMSG; /* it must move on, or the caller would ask for ever */
	t = member(page, "truncated", json_type_boolean);
	truncated = t && json_object_get_boolean(t);
	if (!*acc) {
		*acc = json_object_new_object();
		if (!*acc)
			return -ENOMEM;
	} else {
		t = member(*acc, "truncated", json_type_boolean);
		truncated |= t && json_object_get_boolean(t);
	}
	/* The members in the page's order; a member already there keeps its place. */
	json_object_object_foreach(page, key, value) {
		bool list = !strcmp(key, lists[0]) || !strcmp(key, lists[1]);

		if (list) {
			struct json_object *to = member(*acc, key, json_type_array);

			if (!to) {
				to = json_object_new_array();
				if (!to || json_object_object_add(*acc, key, to)) {
					json_object_put(to);
					return -ENOMEM;
				}
			}
			for (size_t k = 0; k < json_object_array_length(value); k++)
				json_object_array_add(to, json_object_get(json_object_array_get_idx(value, k)));
		} else if (strcmp(key, "next_since_usec") && strcmp(key, "truncated")) {
			json_object_object_add(*acc, key, json_object_get(value));
		}
	}
	json_object_object_add(*acc, "truncated", json_object_new_boolean(truncated));
	if (n)
		*next = (uint64_t)json_object_get_int64(n);
	return 0;
}
