/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Lists of IPv4 and IPv6 addresses ("198.18.0.1 2001:2::1", commas or blanks between),
 * as Address= takes them, in the data path's form (struct bpfnic_addr: IPv6 as it is,
 * IPv4 mapped to ::ffff:a.b.c.d). Pure: no I/O.
 */
#ifndef BPFNIC_ADDRLIST_H
#define BPFNIC_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfnic.h"

struct bpfnic_addrs {
	unsigned n;
	struct bpfnic_addr a[BPFNIC_MAX_ADDRS];
};

/*
 * Parse s into *out (in the order written). 0, or -EINVAL with why: not an address,
 * the unspecified or a multicast address, an IPv4-mapped IPv6 address (write the IPv4
 * address), one listed twice, more than BPFNIC_MAX_ADDRS. An empty list is valid.
 */
int bpfnic_addrs_parse(const char *s, struct bpfnic_addrs *out, char *why, size_t why_size);

/* One address as text (IPv4 dotted, IPv6 compressed). Returns buf. */
const char *bpfnic_addr_format(const struct bpfnic_addr *a, char *buf, size_t size);

/* Whether a is an IPv4 address (mapped). */
bool bpfnic_addr_is_v4(const struct bpfnic_addr *a);

#endif
