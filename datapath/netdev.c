// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a network interface can do: see netdev.h.
 *
 * The XDP feature flags come over generic netlink, written here by hand rather than
 * with libnl or libmnl: two fixed requests of one attribute each (resolve the
 * "netdev" family, then NETDEV_CMD_DEV_GET for one ifindex), about a hundred lines,
 * against a new dependency for the package and every machine that builds it. libbpf
 * 1.1 (Debian 12) has no bpf_xdp_query() feature_flags yet.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include "cpulist.h"
#include "datapath/ifcheck.h"
#include "datapath/netdev.h"

/* uapi linux/netdev.h (6.3), absent from Debian 12's headers: a stable ABI. */
#define NETDEV_FAMILY_NAME       "netdev"
#define NETDEV_CMD_DEV_GET       1
#define NETDEV_A_DEV_IFINDEX     1
#define NETDEV_A_DEV_XDP_FEATURES 3

/* ---- generic netlink ------------------------------------------------------------- */

struct genl_msg {
	struct nlmsghdr nh;
	struct genlmsghdr g;
	char attrs[64];
};

static void put_attr(struct genl_msg *m, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static int genl_open(void)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0)
		return -errno;
	/* The kernel answers at once; the bound is for a kernel that never does. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * Send m and find the attribute want of the reply (copied to out, at most out_len
 * bytes). 0, -ENOENT when the reply lacks it, or the kernel's -errno.
 */
static int genl_call(int fd, struct genl_msg *m, unsigned short want, void *out, size_t out_len)
{
	static unsigned seq;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	ssize_t n;

	m->nh.nlmsg_flags = NLM_F_REQUEST;
	m->nh.nlmsg_seq = ++seq;
	if (send(fd, m, m->nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, &resp, sizeof(resp), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = &resp.nh; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
			int len;
			struct nlattr *a;

			if (h->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -ENOENT;
			}
			len = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
			for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
			     len -= NLA_ALIGN(a->nla_len),
			     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
				size_t alen = a->nla_len - NLA_HDRLEN;

				if ((a->nla_type & NLA_TYPE_MASK) != want)
					continue;
				memcpy(out, (char *)a + NLA_HDRLEN, alen < out_len ? alen : out_len);
				return 0;
			}
			return -ENOENT;
		}
	}
}

/* The id of the "netdev" family: -ENOENT (from the kernel) when there is none. */
static int netdev_family(int fd, __u16 *id)
{
	struct genl_msg m = { .nh = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN),
				      .nlmsg_type = GENL_ID_CTRL },
			      .g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 } };

	put_attr(&m, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME, sizeof(NETDEV_FAMILY_NAME));
	return genl_call(fd, &m, CTRL_ATTR_FAMILY_ID, id, sizeof(*id));
}

int bpfnic_netdev_xdp_features(int ifindex, __u64 *features)
{
	struct genl_msg m = { .nh = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) },
			      .g = { .cmd = NETDEV_CMD_DEV_GET, .version = 1 } };
	__u32 idx = (__u32)ifindex;
	__u16 family = 0;
	int fd = genl_open(), r;

	*features = 0;
	if (fd < 0)
		return fd;
	r = netdev_family(fd, &family);
	if (r == -ENOENT) {
		r = -EOPNOTSUPP; /* no such family: the kernel does not report them */
	} else if (r >= 0) {
		m.nh.nlmsg_type = family;
		put_attr(&m, NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
		r = genl_call(fd, &m, NETDEV_A_DEV_XDP_FEATURES, features, sizeof(*features));
	}
	close(fd);
	return r;
}

bool bpfnic_netdev_reports_xdp_features(void)
{
	__u16 family;
	int fd = genl_open();
	bool yes;

	if (fd < 0)
		return false;
	yes = netdev_family(fd, &family) == 0;
	close(fd);
	return yes;
}

/* ---- ioctls ------------------------------------------------------------------------ */

static int ethtool(int fd, const char *ifname, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static void read_ioctls(const char *ifname, struct bpfnic_netdev *nd)
{
	struct ethtool_drvinfo drv = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ethtool_value flags = { .cmd = ETHTOOL_GFLAGS };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		nd->mtu = (unsigned)ifr.ifr_mtu;
	if (ethtool(fd, ifname, &drv) == 0)
		memcpy(nd->driver, drv.driver, sizeof(nd->driver) - 1); /* both 32 bytes */
	if (ethtool(fd, ifname, &ch) == 0) {
		nd->rx_queues = ch.rx_count + ch.combined_count;
		nd->tx_queues = ch.tx_count + ch.combined_count;
	}
	if (ethtool(fd, ifname, &flags) == 0)
		nd->rx_vlan_offload = !!(flags.data & ETH_FLAG_RXVLAN);
	close(fd);
}

/* ---- sysfs and procfs ------------------------------------------------------------------ */

/* How many entries of dir start with prefix. */
static unsigned count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		r = -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return r;
}

/* The device's IRQ numbers: its MSI vectors, or its one legacy line. */
static unsigned device_irqs(const char *ifname, unsigned *irqs, unsigned max)
{
	char path[128], line[32];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/msi_irqs", ifname);
	d = opendir(path);
	if (d) {
		while ((e = readdir(d)) && n < max)
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
				irqs[n++] = (unsigned)strtoul(e->d_name, NULL, 10);
		closedir(d);
		return n;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/irq", ifname);
	if (read_line(path, line, sizeof(line)) == 0 && strtoul(line, NULL, 10) > 0) {
		irqs[0] = (unsigned)strtoul(line, NULL, 10);
		return 1;
	}
	return 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t cap = 0, len = 0, got;
	char *buf = NULL, *b;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= (1u << 24))
				break; /* enough for any /proc/interrupts */
			cap = cap ? 2 * cap : 1u << 16;
			b = realloc(buf, cap);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
		}
		got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (!got)
			break;
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

#define MAX_DEVICE_IRQS 1024u

static void read_irqs(const char *ifname, struct bpfnic_netdev *nd)
{
	unsigned *irqs = calloc(MAX_DEVICE_IRQS, sizeof(*irqs)), n;
	bool *rx = calloc(MAX_DEVICE_IRQS, sizeof(*rx));
	char path[128], list[4096], *interrupts;

	if (!irqs || !rx)
		goto out;
	n = device_irqs(ifname, irqs, MAX_DEVICE_IRQS);
	/* Which of them take RX interrupts, by the names /proc/interrupts gives them. */
	interrupts = read_all("/proc/interrupts");
	bpfnic_irqs_pick_rx(interrupts ? interrupts : "", irqs, n, rx);
	free(interrupts);
	for (unsigned i = 0; i < n; i++) {
		if (!rx[i])
			continue;
		nd->n_irqs++;
		snprintf(path, sizeof(path), "/proc/irq/%u/effective_affinity_list", irqs[i]);
		if (read_line(path, list, sizeof(list)) < 0) {
			snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", irqs[i]);
			if (read_line(path, list, sizeof(list)) < 0)
				continue;
		}
		bool cpus[BPFNIC_MAX_CPUS] = { false };

		if (bpfnic_cpulist_parse_set(list, cpus, BPFNIC_MAX_CPUS, NULL) < 0)
			continue;
		for (unsigned c = 0; c < BPFNIC_MAX_CPUS; c++)
			nd->irq_cpu[c] |= cpus[c];
	}
out:
	free(irqs);
	free(rx);
}

int bpfnic_netdev_read(const char *ifname, struct bpfnic_netdev *nd)
{
	char path[128];
	int r;

	memset(nd, 0, sizeof(*nd));
	nd->rx_vlan_offload = -1;
	nd->ifindex = (int)if_nametoindex(ifname);
	if (!nd->ifindex)
		return -errno;
	read_ioctls(ifname, nd);
	if (!nd->rx_queues) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
		nd->rx_queues = count_entries(path, "rx-");
		nd->tx_queues = count_entries(path, "tx-");
	}
	r = bpfnic_netdev_xdp_features(nd->ifindex, &nd->xdp_features);
	nd->xdp_features_known = r >= 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
	nd->hw_device = access(path, F_OK) == 0;
	if (nd->hw_device)
		read_irqs(ifname, nd);
	return 0;
}
