/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Whether the client distorted a step: see validity.h. Pure: no I/O. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "validity.h"

bool lg_sent_on_schedule(uint64_t sent, uint64_t scheduled)
{
	return (double)sent >= LG_VALID_MIN_SENT * (double)scheduled;
}

/* Append one reason, "; " between two. */
static void __attribute__((format(printf, 3, 4)))
add_reason(char *reason, size_t size, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!size)
		return;
	used = strlen(reason);
	if (used && used + 2 < size) {
		strcpy(reason + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	if (used < size)
		vsnprintf(reason + used, size - used, fmt, ap);
	va_end(ap);
}

bool lg_validity(const struct lg_validity_in *in, char *reason, size_t size)
{
	bool short_sent = !lg_sent_on_schedule(in->sent, in->scheduled);
	bool lagging = in->rtt_p99_ns > 0 && in->send_lag_p99_ns > LG_VALID_MAX_LAG_SHARE * in->rtt_p99_ns;

	if (size)
		reason[0] = '\0';
	if (short_sent)
		add_reason(reason, size, "sent %llu of %llu scheduled requests (more than %.0f %% short)",
			   (unsigned long long)in->sent, (unsigned long long)in->scheduled,
			   100 * (1 - LG_VALID_MIN_SENT));
	if (lagging)
		add_reason(reason, size, "send lag p99 %.1f us is more than %.0f %% of the RTT p99 %.1f us",
			   in->send_lag_p99_ns / 1e3, 100 * LG_VALID_MAX_LAG_SHARE, in->rtt_p99_ns / 1e3);
	if (in->rx_drops)
		add_reason(reason, size, "the client's sockets dropped %llu replies (counted lost)",
			   (unsigned long long)in->rx_drops);
	return !short_sent && !lagging && !in->rx_drops;
}
