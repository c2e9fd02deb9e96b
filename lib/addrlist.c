// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lists of IPv4 and IPv6 addresses: see addrlist.h. */
#include <arpa/inet.h>
#include <string.h>

#include "addrlist.h"
#include "why.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool bpfnic_addr_is_v4(const struct bpfnic_addr *a)
{
	return !memcmp(a->bytes, v4_mapped, sizeof(v4_mapped));
}

const char *bpfnic_addr_format(const struct bpfnic_addr *a, char *buf, size_t size)
{
	const char *r = bpfnic_addr_is_v4(a) ?
				inet_ntop(AF_INET, a->bytes + 12, buf, (socklen_t)size) :
				inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)size);

	if (!r && size)
		buf[0] = '\0';
	return buf;
}

/* One word: an address in the data path's form, or why not. */
static int parse_one(const char *word, struct bpfnic_addr *a, char *why, size_t why_size)
{
	static const unsigned char zero[16];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, word, a->bytes + 12) == 1) {
		memcpy(a->bytes, v4_mapped, sizeof(v4_mapped));
		if (!memcmp(a->bytes + 12, zero, 4) || (a->bytes[12] & 0xf0) == 0xe0)
			return bpfnic_why(why, why_size, "%s is not a unicast address", word);
		return 0;
	}
	if (inet_pton(AF_INET6, word, a->bytes) != 1)
		return bpfnic_why(why, why_size, "'%s' is not an IPv4 or IPv6 address", word);
	if (!memcmp(a->bytes, zero, 16) || a->bytes[0] == 0xff)
		return bpfnic_why(why, why_size, "%s is not a unicast address", word);
	if (bpfnic_addr_is_v4(a))
		return bpfnic_why(why, why_size, "%s is an IPv4-mapped address: write the IPv4 "
				  "address itself", word);
	return 0;
}

int bpfnic_addrs_parse(const char *s, struct bpfnic_addrs *out, char *why, size_t why_size)
{
	static const char seps[] = ", \t";

	memset(out, 0, sizeof(*out));
	for (s += strspn(s, seps); *s; s += strspn(s, seps)) {
		size_t len = strcspn(s, seps);
		struct bpfnic_addr a;
		char word[64];
		int r;

		if (len >= sizeof(word))
			return bpfnic_why(why, why_size, "'%.20s...' is not an IPv4 or IPv6 address", s);
		memcpy(word, s, len);
		word[len] = '\0';
		s += len;
		r = parse_one(word, &a, why, why_size);
		if (r < 0)
			return r;
		for (unsigned i = 0; i < out->n; i++)
			if (!memcmp(&out->a[i], &a, sizeof(a)))
				return bpfnic_why(why, why_size, "%s is listed twice", word);
		if (out->n == BPFNIC_MAX_ADDRS)
			return bpfnic_why(why, why_size, "more than %u addresses", BPFNIC_MAX_ADDRS);
		out->a[out->n++] = a;
	}
	return 0;
}
