/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicctl stats --since: the daemon answers a long span in pages (GetStats replies
 * are one message each; next_since_usec says where the next page starts). This joins
 * them into one reply, as if one message could hold it all. Pure: no I/O.
 */
#ifndef BPFNIC_CTL_SINCE_H
#define BPFNIC_CTL_SINCE_H

#include <stdint.h>

struct json_object;

/*
 * Add page (a GetStats reply's parameters, with windows and changes) to *acc (NULL
 * before the first page; then owned by the caller): the page's other members replace
 * acc's (the newest reading wins), its windows and changes are appended, truncated is
 * true once any page said so. *next is the page's next_since_usec, or 0 when it was
 * the last. 0, -EBADMSG (the page lacks the lists, or does not move past since_usec),
 * or -ENOMEM.
 */
int ctl_since_add_page(struct json_object **acc, struct json_object *page, uint64_t since_usec,
		       uint64_t *next);

#endif
