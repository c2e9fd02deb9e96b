/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The request senders' socket (reqping, ctl-udpsend): UDP, connected to the server. */
#ifndef BPFNIC_TEST_UDPCLIENT_H
#define BPFNIC_TEST_UDPCLIENT_H

#include <stdint.h>

/*
 * A UDP socket connected to host (a numeric IPv4 or IPv6 address) and port, with room
 * for rcvbuf bytes of replies (0: the default). The fd, -EINVAL
 * for an address that is not numeric, or -errno.
 */
int udp_client_connect(const char *host, uint16_t port, int rcvbuf);

/* SO_RCVBUF of bytes, past rmem_max where the process may (CAP_NET_ADMIN). */
void udp_client_rcvbuf(int fd, int bytes);

#endif
