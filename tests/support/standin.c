/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data path's stand-in for the load generator's tests: see standin.h. */
#include "tests/support/standin.h"

#include <string.h>

#include "bpfnic.h"
#include "clock.h"
#include "wire.h"

ssize_t standin_reply(uint8_t *buf, ssize_t len, uint64_t n, uint64_t mangle, int *copies)
{
	uint64_t t = bpfnic_mono_ns();

	bpfnic_req_stamp(buf, t, t + STANDIN_QDELAY_NS);
	*copies = 1;
	if (!mangle || n % mangle)
		return len;
	switch ((n / mangle) % 5) {
	case 0: /* truncated */
		return 10;
	case 1: /* foreign: the extension's magic, or a length no format has */
		if (len > (ssize_t)BPFNIC_REQ_LEN) {
			buf[BPFNIC_OFF_EXT_MAGIC] ^= 0xff;
			return len;
		}
		memset(buf + len, 0, 3);
		return len + 3;
	case 2: /* a class byte that is neither short nor long */
		buf[BPFNIC_OFF_CLASS] = 7;
		return len;
	case 3: /* not stamped by a server */
		bpfnic_le64_put(buf + BPFNIC_OFF_ARRIVAL, 0);
		return len;
	default:
		*copies = 2;
		return len;
	}
}
