// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data-path module: see datapath.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "datapath/ifcheck.h"
#include "datapath/netdev.h"
#include "datapath/support.h"
#include "bpfnic.skel.h"

/* The tracing programs, loaded when the kernel and our capabilities allow. */
enum tracers {
	TRACERS_NONE = 0,
	TRACERS_DROPS,         /* queue and transmit drops (tp_btf, CAP_PERFMON) */
	TRACERS_ALL,           /* ... and the kernel's reason for a refused attach (6.5) */
};

/* Every tracer, as the handover names them (BPFNIC_DP_NAME_PREFIX "tracer." NAME). */
#define N_TRACERS 4
static struct bpf_program *tracer_prog(struct bpfnic_bpf *sk, unsigned i)
{
	struct bpf_program *p[N_TRACERS] = {
		sk->progs.bpfnic_count_queue_drops, sk->progs.bpfnic_count_tx_drops,
		sk->progs.bpfnic_count_tx_refused, sk->progs.bpfnic_note_attach_failure,
	};

	return p[i];
}

static struct bpf_link *tracer_link(const struct bpfnic_bpf *sk, unsigned i)
{
	struct bpf_link *l[N_TRACERS] = {
		sk->links.bpfnic_count_queue_drops, sk->links.bpfnic_count_tx_drops,
		sk->links.bpfnic_count_tx_refused, sk->links.bpfnic_note_attach_failure,
	};

	return l[i];
}

struct bpfnic_dp {
	struct bpfnic_bpf *skel;
	int link_fd;  /* -1 when not attached; closing it detaches the scheduler */
	enum tracers tracers; /* the tracers attached */
	int kept_tracer_fd[N_TRACERS]; /* tracers taken over (their links), or -1 */
	int worker_fd;      /* the worker the cpumap entries run, when taken over; or -1 */
	unsigned queue_size; /* each cpumap entry's */
	enum bpfnic_xdp_mode requested;
	char fallback[512];   /* why auto mode did not attach natively */
	int ifindex;
	unsigned nr_cpus;
	unsigned n_candidates;
	unsigned candidates[BPFNIC_MAX_CPUS];
	unsigned group_size[BPFNIC_NR_GROUPS];
	struct bpfnic_group_cpus group_cpus[BPFNIC_NR_GROUPS]; /* what the map holds */
	void *percpu_buf; /* scratch for per-CPU lookups */
	struct bpfnic_loads *loads; /* the load map's one value, mapped (it is mmapable) */
	size_t percpu_buf_size;
};

static bool is_candidate(const struct bpfnic_dp *dp, unsigned cpu)
{
	for (unsigned i = 0; i < dp->n_candidates; i++)
		if (dp->candidates[i] == cpu)
			return true;
	return false;
}

static int validate_settings(const struct bpfnic_settings *cfg)
{
	if (cfg->policy >= BPFNIC_NR_POLICIES)
		return -EINVAL;
	if (cfg->max_service_ns > BPFNIC_MAX_SERVICE_NS ||
	    cfg->service_ns[0] > BPFNIC_MAX_SERVICE_NS || cfg->service_ns[1] > BPFNIC_MAX_SERVICE_NS)
		return -ERANGE;
	return 0;
}

int bpfnic_dp_set_settings(struct bpfnic_dp *dp, const struct bpfnic_settings *cfg)
{
	__u32 zero = 0;
	int r;

	r = validate_settings(cfg);
	if (r < 0)
		return r;
	r = bpf_map__update_elem(dp->skel->maps.bpfnic_settings, &zero, sizeof(zero), cfg,
				 sizeof(*cfg), BPF_ANY);
	return r < 0 ? -errno : 0;
}

static int write_u32(struct bpf_map *map, __u32 key, __u32 value)
{
	return bpf_map__update_elem(map, &key, sizeof(key), &value, sizeof(value), BPF_ANY) < 0 ?
		       -errno : 0;
}

int bpfnic_dp_set_group(struct bpfnic_dp *dp, enum bpfnic_group g, const unsigned *cpus,
			unsigned n)
{
	struct bpf_map *sizes = dp->skel->maps.bpfnic_group_size;
	struct bpf_map *slots = dp->skel->maps.bpfnic_group_cpus;
	__u32 key = g;
	int r;

	if ((unsigned)g >= BPFNIC_NR_GROUPS || n > dp->n_candidates || (n && !cpus))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!is_candidate(dp, cpus[i]))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (cpus[j] == cpus[i])
				return -EINVAL;
	}

	/* Shrinking: the scheduler must stop reading a slot before it changes. */
	if (n < dp->group_size[g]) {
		r = write_u32(sizes, g, n);
		if (r < 0)
			return r;
		dp->group_size[g] = n;
	}
	/* Slots past n keep what they held: the scheduler reads none of them. */
	for (unsigned i = 0; i < n; i++)
		dp->group_cpus[g].cpu[i] = cpus[i];
	if (bpf_map__update_elem(slots, &key, sizeof(key), &dp->group_cpus[g],
				 sizeof(dp->group_cpus[g]), BPF_ANY) < 0)
		return -errno;
	/* Growing: every new slot is filled before the size admits it. */
	if (n != dp->group_size[g]) {
		r = write_u32(sizes, g, n);
		if (r < 0)
			return r;
		dp->group_size[g] = n;
	}
	return 0;
}

/*
 * One cpumap entry per candidate, none for any other CPU. An entry that is already
 * there (a data path taken over) is kept when its queue size is right and keep_worker
 * says its worker is ours: replacing an entry starts a new kernel thread for the CPU
 * (the old one drains its queue first, so nothing is lost either way).
 */
static int fill_cpumap(struct bpfnic_dp *dp, unsigned queue_size, int worker_fd, bool keep_worker)
{
	struct bpf_map *cpumap = dp->skel->maps.bpfnic_cpumap;

	for (__u32 cpu = 0; cpu < dp->nr_cpus; cpu++) {
		struct bpf_cpumap_val cur, val = { .qsize = queue_size, .bpf_prog.fd = worker_fd };
		bool has = bpf_map__lookup_elem(cpumap, &cpu, sizeof(cpu), &cur, sizeof(cur), 0) == 0;

		if (!is_candidate(dp, cpu)) {
			if (has && bpf_map__delete_elem(cpumap, &cpu, sizeof(cpu), 0) < 0)
				return -errno;
			continue;
		}
		if (has && keep_worker && cur.qsize == queue_size)
			continue;
		/* Creating an entry starts the CPU's kthread: done once, never per change. */
		if (bpf_map__update_elem(cpumap, &cpu, sizeof(cpu), &val, sizeof(val), BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

int bpfnic_dp_restart_cpu(struct bpfnic_dp *dp, unsigned cpu)
{
	struct bpf_cpumap_val val = {
		.qsize = dp->queue_size,
		.bpf_prog.fd = dp->worker_fd >= 0 ? dp->worker_fd :
			       bpf_program__fd(dp->skel->progs.bpfnic_worker),
	};
	__u32 key = cpu;

	if (!is_candidate(dp, cpu))
		return -EINVAL;
	/* A new entry, a new thread bound to the CPU; the old one drains its queue first. */
	return bpf_map__update_elem(dp->skel->maps.bpfnic_cpumap, &key, sizeof(key), &val,
				    sizeof(val), BPF_ANY) < 0 ? -errno : 0;
}

static int set_devmap(struct bpfnic_dp *dp, int ifindex)
{
	struct bpf_devmap_val val = { .ifindex = (__u32)ifindex };
	__u32 key = 0;

	if (bpf_map__update_elem(dp->skel->maps.bpfnic_devmap, &key, sizeof(key), &val,
				 sizeof(val), BPF_ANY) < 0)
		return -errno;
	return 0;
}

/*
 * A bpf_link, not a netlink attachment: it lives exactly as long as this process
 * holds the fd, so a crashed daemon leaves the NIC on the normal stack.
 */
static int link_xdp(struct bpfnic_dp *dp, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = flags);
	int fd;

	if (dp->tracers == TRACERS_ALL)
		dp->skel->bss->bpfnic_attach_msg[0] = '\0';
	fd = bpf_link_create(bpf_program__fd(dp->skel->progs.bpfnic_sched), dp->ifindex, BPF_XDP,
			     &lopts);
	if (fd < 0)
		return -errno;
	dp->link_fd = fd;
	return 0;
}

static void unlink_xdp(struct bpfnic_dp *dp)
{
	if (dp->link_fd >= 0)
		close(dp->link_fd);
	dp->link_fd = -1;
}

/* The program already attached to the interface, when there is one. */
static int find_holder(int ifindex, struct bpfnic_xdp_holder *h)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info pinfo = {};
	__u32 len = sizeof(pinfo), id = 0;
	int fd;

	memset(h, 0, sizeof(*h));
	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return -errno;
	h->prog_id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	h->mode = q.drv_prog_id ? "native" : q.skb_prog_id ? "generic" : "offload";
	if (!h->prog_id)
		return -ENOENT;
	/* Its name and the link that holds it, if any (then no netlink command removes
	 * it): reading other programs and links needs CAP_SYS_ADMIN, which bpfnicd's unit
	 * does not give; without it the id and mode are all there is to say. */
	fd = bpf_prog_get_fd_by_id(h->prog_id);
	if (fd >= 0) {
		if (bpf_obj_get_info_by_fd(fd, &pinfo, &len) == 0)
			snprintf(h->name, sizeof(h->name), "%s", pinfo.name);
		close(fd);
	}
	h->link_known = bpf_link_get_next_id(0, &id) == 0 || errno == ENOENT;
	id = 0;
	while (h->link_known && bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info linfo = {};

		len = sizeof(linfo);
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &linfo, &len) == 0 && linfo.type == BPF_LINK_TYPE_XDP &&
		    linfo.prog_id == h->prog_id && (int)linfo.xdp.ifindex == ifindex)
			h->link_id = id;
		close(fd);
		if (h->link_id)
			break;
	}
	return 0;
}

static int refuse(const struct bpfnic_dp_opts *o, int r, const char *why)
{
	if (o->why && o->why_size)
		snprintf(o->why, o->why_size, "%s", why);
	return r;
}

/* The kernel refused: another program in the way says so, whatever the mode. */
static bool explain_busy(struct bpfnic_dp *dp, const char *ifname, int r, char *why, size_t size)
{
	struct bpfnic_xdp_holder h;

	if ((r != -EBUSY && r != -EEXIST) || find_holder(dp->ifindex, &h) < 0)
		return false;
	bpfnic_ifcheck_explain_busy(ifname, &h, why, size);
	return true;
}

/* Auto mode gives native up for generic, keeping the reason. */
static int fall_back(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *o, const char *reason)
{
	char why[1024];
	int r;

	snprintf(dp->fallback, sizeof(dp->fallback), "%s", reason);
	r = link_xdp(dp, XDP_FLAGS_SKB_MODE);
	if (r >= 0)
		return 0;
	if (!explain_busy(dp, o->ifname, r, why, sizeof(why)))
		snprintf(why, sizeof(why), "generic XDP on %s refused too (%s) after native: %s",
			 o->ifname, strerror(-r), reason);
	return refuse(o, r == -EEXIST ? -EBUSY : r, why);
}

/* Native mode, or why not (in why): 0, or -errno. */
static int attach_native(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *o,
			 struct bpfnic_netdev *nd, char *why, size_t size)
{
	int r = bpfnic_ifcheck_native(nd, o->ifname, why, size);
	__u64 now;

	if (r < 0)
		return r;
	r = link_xdp(dp, XDP_FLAGS_DRV_MODE);
	if (r < 0) {
		const char *kmsg = dp->tracers == TRACERS_ALL ? dp->skel->bss->bpfnic_attach_msg : "";

		bpfnic_ifcheck_explain_attach(r, kmsg, o->ifname, nd, bpfnic_xdp_single_buffer_max_mtu(
			(unsigned)sysconf(_SC_PAGESIZE), bpfnic_support_shinfo_size()), why, size);
		return r;
	}
	/* Some drivers set up their XDP transmit only once a program is attached. */
	if (bpfnic_netdev_xdp_features(dp->ifindex, &now) >= 0)
		nd->xdp_features = now;
	r = bpfnic_ifcheck_replies(nd, o->ifname, why, size);
	if (r < 0)
		unlink_xdp(dp);
	return r;
}

static int attach(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *o)
{
	struct bpfnic_netdev *nd = malloc(sizeof(*nd));
	char why[1024] = "";
	int r;

	if (!nd)
		return -ENOMEM;
	dp->requested = o->xdp_mode;
	r = bpfnic_netdev_read(o->ifname, nd);
	if (r >= 0 && o->xdp_mode == BPFNIC_XDP_GENERIC) {
		r = link_xdp(dp, XDP_FLAGS_SKB_MODE);
		if (r < 0 && explain_busy(dp, o->ifname, r, why, sizeof(why)))
			r = refuse(o, -EBUSY, why);
	} else if (r >= 0) {
		r = attach_native(dp, o, nd, why, sizeof(why));
		if (r < 0 && explain_busy(dp, o->ifname, r, why, sizeof(why)))
			r = refuse(o, -EBUSY, why);
		else if (r < 0 && o->xdp_mode == BPFNIC_XDP_AUTO)
			r = fall_back(dp, o, why);
		else if (r < 0)
			r = refuse(o, r, why);
	}
	free(nd);
	return r;
}

/* The attach mode in use on the interface, or -errno. */
static int attached_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return -errno;
	return q.attach_mode == XDP_ATTACHED_SKB ? BPFNIC_XDP_GENERIC : BPFNIC_XDP_NATIVE;
}

/*
 * Take over the link of a running data path: on our interface, in a mode that
 * suits, its program is replaced by ours in one step (bpf_link_update: no frame
 * sees no program). Elsewhere (the interface or the mode changed) it is detached
 * first. 1 when taken over, 0 when detached (attach afresh), -errno.
 */
static int take_over_link(struct bpfnic_dp *dp, int link_fd, enum bpfnic_xdp_mode mode,
			  struct bpfnic_dp_adopted *adopted)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int current, fd;

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len) < 0)
		return -errno;
	current = info.type == BPF_LINK_TYPE_XDP && (int)info.xdp.ifindex == dp->ifindex ?
			  attached_mode(dp->ifindex) : -ENODEV;
	if (current < 0 || (mode != BPFNIC_XDP_AUTO && (int)mode != current)) {
		snprintf(adopted->why_not, sizeof(adopted->why_not), "%s: detached, attached afresh",
			 current == -ENODEV ? "the running program is on another interface" :
			 current < 0 ? "the running program's mode is unknown" :
			 "XdpMode= changed");
		return bpf_link_detach(link_fd) < 0 && errno != EINVAL ? -errno : 0;
	}
	if (bpf_link_update(link_fd, bpf_program__fd(dp->skel->progs.bpfnic_sched), NULL) < 0)
		return -errno;
	fd = fcntl(link_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	dp->link_fd = fd;
	adopted->link = true;
	return 1;
}

/* Two programs with the same instructions (the kernel's tag). */
static bool same_code(int a, int b)
{
	struct bpf_prog_info ia = {}, ib = {};
	__u32 la = sizeof(ia), lb = sizeof(ib);

	return bpf_obj_get_info_by_fd(a, &ia, &la) == 0 && bpf_obj_get_info_by_fd(b, &ib, &lb) == 0 &&
	       memcmp(ia.tag, ib.tag, sizeof(ia.tag)) == 0;
}

static void disable_test_progs(struct bpfnic_bpf *skel)
{
	bpf_program__set_autoload(skel->progs.bpfnic_worker_xdp, false);
	bpf_program__set_autoload(skel->progs.bpfnic_worker_keep, false);
	bpf_program__set_autoload(skel->progs.bpfnic_ref_sched, false);
	bpf_program__set_autoload(skel->progs.bpfnic_sched_vft, false);
}

/*
 * The addresses requests are taken for; none: any (the scheduler then skips the map).
 * A map taken over may hold addresses the configuration dropped: they go first.
 */
static int fill_addrs(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts)
{
	struct bpf_map *map = dp->skel->maps.bpfnic_addrs;
	struct bpfnic_addr key, next;
	__u8 one = 1;
	bool more = bpf_map__get_next_key(map, NULL, &key, sizeof(key)) == 0;

	while (more) {
		bool wanted = false;

		more = bpf_map__get_next_key(map, &key, &next, sizeof(key)) == 0;
		for (unsigned i = 0; i < opts->n_addrs && !wanted; i++)
			wanted = !memcmp(&opts->addrs[i], &key, sizeof(key));
		if (!wanted && bpf_map__delete_elem(map, &key, sizeof(key), 0) < 0)
			return -errno;
		key = next;
	}
	for (unsigned i = 0; i < opts->n_addrs; i++)
		if (bpf_map__update_elem(dp->skel->maps.bpfnic_addrs, &opts->addrs[i],
					 sizeof(opts->addrs[i]), &one, sizeof(one), BPF_ANY) < 0)
			return -errno;
	return 0;
}

static int attach_tracer(struct bpf_program *prog, struct bpf_link **link)
{
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

/* What the tracers filter on: our cpumap, our interface (ifindex and network
 * namespace), ourselves (thread group in our PID namespace). */
static int set_tracer_filters(struct bpfnic_dp *dp, int reply_ifindex)
{
	struct bpf_map_info cpumap = {}, devmap = {};
	__u32 len = sizeof(cpumap);
	struct stat netns, pidns;

	if (bpf_obj_get_info_by_fd(bpf_map__fd(dp->skel->maps.bpfnic_cpumap), &cpumap, &len) < 0)
		return -errno;
	len = sizeof(devmap);
	if (bpf_obj_get_info_by_fd(bpf_map__fd(dp->skel->maps.bpfnic_devmap), &devmap, &len) < 0)
		return -errno;
	if (stat("/proc/self/ns/net", &netns) < 0 || stat("/proc/self/ns/pid", &pidns) < 0)
		return -errno;
	dp->skel->bss->bpfnic_cpumap_id = cpumap.id;
	dp->skel->bss->bpfnic_devmap_id = devmap.id;
	dp->skel->bss->bpfnic_netns_ino = (__u32)netns.st_ino;
	dp->skel->bss->bpfnic_ifindex = (__u32)reply_ifindex;
	dp->skel->bss->bpfnic_loader_pidns_dev = (__u64)pidns.st_dev;
	dp->skel->bss->bpfnic_loader_pidns_ino = (__u64)pidns.st_ino;
	dp->skel->bss->bpfnic_loader_tgid = (__u32)getpid();
	return 0;
}

static void map_name(const struct bpf_map *map, char *buf, size_t size)
{
	snprintf(buf, size, BPFNIC_DP_NAME_PREFIX "v%d.%s", BPFNIC_DP_LAYOUT, bpf_map__name(map));
}

/* Our maps, each the running data path's of the same name and layout when there is one. */
static int reuse_maps(struct bpfnic_dp *dp, const struct bpfnic_dp_handover *adopt)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, dp->skel->obj) {
		char name[BPFNIC_DP_NAME_MAX];
		int i, r;

		if (bpf_map__is_internal(map)) /* .bss, .rodata: this build's own */
			continue;
		map_name(map, name, sizeof(name));
		i = bpfnic_dp_handover_find(adopt, name);
		if (i < 0)
			return -ENOENT;
		r = bpf_map__reuse_fd(map, adopt->fd[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Open and load the skeleton with the tracers asked for, on the maps of adopt when it
 * is given (libbpf refuses maps whose type or sizes differ).
 */
static int load(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts, enum tracers tracers,
		const struct bpfnic_dp_handover *adopt)
{
	struct bpfnic_bpf *sk;
	int r;

	bpfnic_bpf__destroy(dp->skel);
	dp->tracers = TRACERS_NONE;
	sk = dp->skel = bpfnic_bpf__open();
	if (!sk)
		return -errno;
	r = bpf_map__set_max_entries(sk->maps.bpfnic_cpumap, dp->nr_cpus);
	if (r < 0)
		return r;
	if (adopt) {
		r = reuse_maps(dp, adopt);
		if (r < 0)
			return r;
	}
	sk->rodata->ref_target_cpu = dp->candidates[0];
	sk->rodata->addr_filter = opts->n_addrs > 0;
	if (!opts->test_progs)
		disable_test_progs(sk);
	bpf_program__set_autoload(sk->progs.bpfnic_count_queue_drops, tracers >= TRACERS_DROPS);
	bpf_program__set_autoload(sk->progs.bpfnic_count_tx_drops, tracers >= TRACERS_DROPS);
	bpf_program__set_autoload(sk->progs.bpfnic_count_tx_refused, tracers >= TRACERS_DROPS);
	bpf_program__set_autoload(sk->progs.bpfnic_note_attach_failure, tracers >= TRACERS_ALL);
	r = bpfnic_bpf__load(sk);
	if (r >= 0)
		r = fill_addrs(dp, opts);
	if (r < 0 || tracers == TRACERS_NONE)
		return r;

	r = set_tracer_filters(dp, opts->ifname ? dp->ifindex : opts->devmap_ifindex);
	if (r >= 0)
		r = attach_tracer(sk->progs.bpfnic_count_queue_drops, &sk->links.bpfnic_count_queue_drops);
	if (r >= 0)
		r = attach_tracer(sk->progs.bpfnic_count_tx_drops, &sk->links.bpfnic_count_tx_drops);
	if (r >= 0)
		r = attach_tracer(sk->progs.bpfnic_count_tx_refused, &sk->links.bpfnic_count_tx_refused);
	if (r >= 0 && tracers >= TRACERS_ALL)
		r = attach_tracer(sk->progs.bpfnic_note_attach_failure,
				  &sk->links.bpfnic_note_attach_failure);
	if (r >= 0)
		dp->tracers = tracers;
	return r;
}

/* The tracers of adopt, all of them, or none: -1 when one is missing. */
static int find_tracers(const struct bpfnic_dp_handover *adopt, int idx[N_TRACERS],
			const struct bpfnic_bpf *sk)
{
	for (unsigned i = 0; i < N_TRACERS; i++) {
		char name[BPFNIC_DP_NAME_MAX];

		snprintf(name, sizeof(name), BPFNIC_DP_NAME_PREFIX "tracer.%s",
			 bpf_program__name(tracer_prog((struct bpfnic_bpf *)sk, i)));
		idx[i] = bpfnic_dp_handover_find(adopt, name);
		if (idx[i] < 0)
			return -1;
	}
	return 0;
}

/* Whether adopt's link is attached to our interface: then its tracers' filters fit. */
static bool link_on(const struct bpfnic_dp_handover *adopt, int ifindex)
{
	int i = bpfnic_dp_handover_find(adopt, BPFNIC_DP_NAME_PREFIX "link");
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return i >= 0 && bpf_obj_get_info_by_fd(adopt->fd[i], &info, &len) == 0 &&
	       info.type == BPF_LINK_TYPE_XDP && (int)info.xdp.ifindex == ifindex;
}

/*
 * Load on the maps of opts->adopt when they fit, else on new maps. The running tracers
 * are kept when the maps and the interface are the same (they count into those maps,
 * filtered on them): ours are not loaded then, or both would count. Otherwise ours
 * are loaded as far as the kernel and our capabilities allow.
 */
static int load_adopting(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts,
			 struct bpfnic_dp_adopted *adopted)
{
	const struct bpfnic_dp_handover *adopt = opts->adopt;
	int tracer[N_TRACERS], r = -ENOENT;

	if (adopt && adopt->n) {
		bool keep = dp->ifindex && link_on(adopt, dp->ifindex);

		r = load(dp, opts, TRACERS_NONE, adopt); /* a skeleton to name the tracers */
		keep = keep && r == 0 && find_tracers(adopt, tracer, dp->skel) == 0;
		if (r == 0 && !keep) {
			/* Tracing programs need CAP_PERFMON and, for the attach message, Linux
			 * 6.5: without them drops are estimated. */
			r = load(dp, opts, TRACERS_ALL, adopt);
			if (r < 0)
				r = load(dp, opts, TRACERS_DROPS, adopt);
			if (r < 0)
				r = load(dp, opts, TRACERS_NONE, adopt);
		}
		if (r == 0) {
			adopted->maps = true;
			for (unsigned i = 0; keep && i < N_TRACERS; i++) {
				dp->kept_tracer_fd[i] = fcntl(adopt->fd[tracer[i]], F_DUPFD_CLOEXEC, 3);
				if (dp->kept_tracer_fd[i] < 0)
					return -errno;
			}
			/* Kept tracers count drops; the attach message is another process's. */
			if (keep)
				dp->tracers = TRACERS_DROPS;
			adopted->tracer = keep;
			return 0;
		}
		snprintf(adopted->why_not, sizeof(adopted->why_not), "the running data path's maps do "
			 "not fit this version (%s): new maps, counters from zero",
			 r == -ENOENT ? "some are missing" : strerror(-r));
	}
	/* Tracing programs need CAP_PERFMON and, for the attach message, Linux 6.5: without
	 * them drops are estimated, and refusals come without the kernel's reason. A real
	 * error fails the last attempt too. */
	r = load(dp, opts, TRACERS_ALL, NULL);
	if (r < 0)
		r = load(dp, opts, TRACERS_DROPS, NULL);
	if (r < 0)
		r = load(dp, opts, TRACERS_NONE, NULL);
	return r;
}

/*
 * The worker the taken-over cpumap entries run: kept when it is ours instruction for
 * instruction (so are its kernel threads), else the entries get ours.
 */
static int adopt_workers(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts,
			 struct bpfnic_dp_adopted *adopted)
{
	int w = opts->adopt ? bpfnic_dp_handover_find(opts->adopt, BPFNIC_DP_NAME_PREFIX "worker") : -1;

	if (!adopted->maps || w < 0 ||
	    !same_code(opts->adopt->fd[w], bpf_program__fd(dp->skel->progs.bpfnic_worker)))
		return 0;
	dp->worker_fd = fcntl(opts->adopt->fd[w], F_DUPFD_CLOEXEC, 3);
	if (dp->worker_fd < 0)
		return -errno;
	adopted->workers = true;
	return 0;
}

/* The groups' sizes as the maps have them (not zero when the maps were taken over). */
static int read_group_sizes(struct bpfnic_dp *dp)
{
	for (__u32 g = 0; g < BPFNIC_NR_GROUPS; g++) {
		__u32 n;

		if (bpf_map__lookup_elem(dp->skel->maps.bpfnic_group_size, &g, sizeof(g), &n, sizeof(n),
					 0) < 0)
			return -errno;
		dp->group_size[g] = n <= dp->n_candidates ? n : dp->n_candidates;
	}
	return 0;
}

int bpfnic_dp_open(const struct bpfnic_dp_opts *opts, struct bpfnic_dp **out)
{
	struct bpfnic_dp_adopted scratch, *adopted;
	struct bpfnic_dp *dp;
	unsigned queue_size;
	int r, possible, link;

	*out = NULL;
	if (!opts || !opts->cpus || opts->n_cpus == 0 || opts->n_cpus > BPFNIC_MAX_CPUS ||
	    opts->n_addrs > BPFNIC_MAX_ADDRS || (opts->n_addrs && !opts->addrs))
		return -EINVAL;
	queue_size = opts->queue_size ? opts->queue_size : BPFNIC_DP_DEFAULT_QUEUE_SIZE;
	if (queue_size > BPFNIC_DP_MAX_QUEUE_SIZE)
		return -ERANGE;
	r = validate_settings(&opts->settings);
	if (r < 0)
		return r;
	possible = libbpf_num_possible_cpus();
	if (possible < 0)
		return possible;

	adopted = opts->adopted ? opts->adopted : &scratch;
	memset(adopted, 0, sizeof(*adopted));
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->link_fd = dp->worker_fd = -1;
	for (unsigned i = 0; i < N_TRACERS; i++)
		dp->kept_tracer_fd[i] = -1;
	dp->nr_cpus = (unsigned)possible;
	for (unsigned i = 0; i < opts->n_cpus; i++) {
		if (opts->cpus[i] >= dp->nr_cpus || opts->cpus[i] >= BPFNIC_MAX_CPUS) {
			r = -EINVAL;
			goto fail;
		}
		dp->candidates[i] = opts->cpus[i];
		for (unsigned j = 0; j < i; j++)
			if (dp->candidates[j] == dp->candidates[i]) {
				r = -EINVAL;
				goto fail;
			}
	}
	dp->n_candidates = opts->n_cpus;

	if (opts->ifname) {
		dp->ifindex = (int)if_nametoindex(opts->ifname);
		if (!dp->ifindex) {
			r = -errno;
			goto fail;
		}
	}

	r = load_adopting(dp, opts, adopted);
	if (r < 0)
		goto fail;

	r = bpfnic_dp_set_settings(dp, &opts->settings);
	if (r < 0)
		goto fail;
	r = adopt_workers(dp, opts, adopted);
	if (r < 0)
		goto fail;
	dp->queue_size = queue_size;
	r = fill_cpumap(dp, queue_size, dp->worker_fd >= 0 ? dp->worker_fd :
			bpf_program__fd(dp->skel->progs.bpfnic_worker), dp->worker_fd >= 0);
	if (r < 0)
		goto fail;
	r = read_group_sizes(dp);
	if (r < 0)
		goto fail;
	if (opts->ifname || opts->devmap_ifindex) {
		r = set_devmap(dp, opts->ifname ? dp->ifindex : opts->devmap_ifindex);
		if (r < 0)
			goto fail;
	}
	if (opts->n_main)
		r = bpfnic_dp_set_group(dp, BPFNIC_GROUP_MAIN, opts->main_cpus, opts->n_main);
	else
		r = bpfnic_dp_set_group(dp, BPFNIC_GROUP_MAIN, dp->candidates, dp->n_candidates);
	if (r < 0)
		goto fail;
	r = bpfnic_dp_set_group(dp, BPFNIC_GROUP_LONG, opts->long_cpus, opts->n_long);
	if (r < 0)
		goto fail;

	/* Attach last: the scheduler sees nothing half-configured. */
	dp->requested = opts->xdp_mode;
	link = opts->adopt ? bpfnic_dp_handover_find(opts->adopt, BPFNIC_DP_NAME_PREFIX "link") : -1;
	if (opts->ifname && link >= 0) {
		r = take_over_link(dp, opts->adopt->fd[link], opts->xdp_mode, adopted);
		if (r < 0)
			goto fail;
	}
	if (opts->ifname && !adopted->link) {
		r = attach(dp, opts);
		if (r < 0)
			goto fail;
	}

	dp->percpu_buf_size = (size_t)dp->nr_cpus * sizeof(struct bpfnic_worker_stats);
	/* Zeroed: valgrind cannot see the kernel fill it, and nothing else reads it first. */
	dp->percpu_buf = calloc(1, dp->percpu_buf_size);
	if (!dp->percpu_buf) {
		r = -ENOMEM;
		goto fail;
	}
	dp->loads = mmap(NULL, sizeof(*dp->loads), PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(dp->skel->maps.bpfnic_cpu_load), 0);
	if (dp->loads == MAP_FAILED) {
		dp->loads = NULL;
		r = -errno;
		goto fail;
	}
	*out = dp;
	return 0;
fail:
	bpfnic_dp_close(dp);
	return r < 0 ? r : -EINVAL;
}

void bpfnic_dp_close(struct bpfnic_dp *dp)
{
	if (!dp)
		return;
	if (dp->link_fd >= 0)
		close(dp->link_fd);
	for (unsigned i = 0; i < N_TRACERS; i++)
		if (dp->kept_tracer_fd[i] >= 0)
			close(dp->kept_tracer_fd[i]);
	if (dp->worker_fd >= 0)
		close(dp->worker_fd);
	bpfnic_bpf__destroy(dp->skel);
	free(dp->percpu_buf);
	if (dp->loads)
		munmap(dp->loads, sizeof(*dp->loads));
	free(dp);
}

int bpfnic_dp_stats_alloc(struct bpfnic_dp_stats *st)
{
	int possible = libbpf_num_possible_cpus();

	memset(st, 0, sizeof(*st));
	if (possible < 0)
		return possible;
	st->nr_cpus = (unsigned)possible;
	st->sched = calloc(st->nr_cpus, sizeof(*st->sched));
	st->worker = calloc(st->nr_cpus, sizeof(*st->worker));
	st->handed = calloc(st->nr_cpus, sizeof(*st->handed));
	st->queue_drops = calloc(st->nr_cpus, sizeof(*st->queue_drops));
	st->acc = calloc(st->nr_cpus, sizeof(*st->acc));
	/* Each slot takes its cache lines: aligned as the type says. */
	st->load = aligned_alloc(_Alignof(struct bpfnic_cpu_load), st->nr_cpus * sizeof(*st->load));
	if (st->load)
		memset(st->load, 0, st->nr_cpus * sizeof(*st->load));
	if (!st->sched || !st->worker || !st->handed || !st->queue_drops || !st->acc || !st->load) {
		bpfnic_dp_stats_free(st);
		return -ENOMEM;
	}
	return 0;
}

void bpfnic_dp_stats_free(struct bpfnic_dp_stats *st)
{
	free(st->sched);
	free(st->worker);
	free(st->handed);
	free(st->queue_drops);
	free(st->acc);
	free(st->load);
	memset(st, 0, sizeof(*st));
}

/* Per-CPU values come back as one 8-byte-aligned slot per possible CPU. */
static int read_percpu(struct bpfnic_dp *dp, struct bpf_map *map, __u32 key, void *out,
		       size_t value_size)
{
	size_t stride = (value_size + 7) & ~(size_t)7;

	if (stride * dp->nr_cpus > dp->percpu_buf_size)
		return -E2BIG;
	if (bpf_map__lookup_elem(map, &key, sizeof(key), dp->percpu_buf, stride * dp->nr_cpus,
				 0) < 0)
		return -errno;
	for (unsigned c = 0; c < dp->nr_cpus; c++)
		memcpy((char *)out + c * value_size, (char *)dp->percpu_buf + c * stride, value_size);
	return 0;
}

int bpfnic_dp_clear_load(struct bpfnic_dp *dp, unsigned cpu)
{
	struct bpfnic_cpu_load *l;

	if (cpu >= dp->nr_cpus || cpu >= BPFNIC_MAX_CPUS)
		return -EINVAL;
	l = &dp->loads->cpu[cpu];
	__atomic_store_n(&l->outstanding, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&l->busy_until_ns, 0, __ATOMIC_RELAXED);
	return 0;
}

/* The load bookkeeping and its accuracy. */
static int read_loads(struct bpfnic_dp *dp, struct bpfnic_dp_stats *st)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	st->load_read_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	/* Word by word, as the BPF programs write them (a struct copy may tear words). */
	for (unsigned c = 0; c < dp->nr_cpus && c < BPFNIC_MAX_CPUS; c++) {
		const struct bpfnic_cpu_load *l = &dp->loads->cpu[c];

		memset(&st->load[c], 0, sizeof(st->load[c]));
		st->load[c].outstanding = __atomic_load_n(&l->outstanding, __ATOMIC_RELAXED);
		st->load[c].vft_ns = __atomic_load_n(&l->vft_ns, __ATOMIC_RELAXED);
		st->load[c].busy_until_ns = __atomic_load_n(&l->busy_until_ns, __ATOMIC_RELAXED);
		st->load[c].late_ns = __atomic_load_n(&l->late_ns, __ATOMIC_RELAXED);
	}
	r = read_percpu(dp, dp->skel->maps.bpfnic_load_acc, 0, st->acc, sizeof(*st->acc));
	return r < 0 ? r : 0;
}

int bpfnic_dp_read_stats(struct bpfnic_dp *dp, struct bpfnic_dp_stats *st)
{
	const __u64 *per_sched_cpu = dp->percpu_buf; /* __u64 values: no padding */
	int r;

	if (st->nr_cpus != dp->nr_cpus)
		return -EINVAL;
	r = read_percpu(dp, dp->skel->maps.bpfnic_sched_stats, 0, st->sched, sizeof(*st->sched));
	if (r < 0)
		return r;
	r = read_percpu(dp, dp->skel->maps.bpfnic_worker_stats, 0, st->worker, sizeof(*st->worker));
	if (r < 0)
		return r;
	memset(st->handed, 0, dp->nr_cpus * sizeof(*st->handed));
	memset(st->queue_drops, 0, dp->nr_cpus * sizeof(*st->queue_drops));
	for (unsigned i = 0; i < dp->n_candidates; i++) {
		__u32 target = dp->candidates[i];

		if (bpf_map__lookup_elem(dp->skel->maps.bpfnic_sched_target, &target, sizeof(target),
					 dp->percpu_buf, dp->nr_cpus * sizeof(__u64), 0) < 0)
			return -errno;
		for (unsigned c = 0; c < dp->nr_cpus; c++)
			st->handed[target] += per_sched_cpu[c];
		if (bpf_map__lookup_elem(dp->skel->maps.bpfnic_queue_drops, &target, sizeof(target),
					 dp->percpu_buf, dp->nr_cpus * sizeof(__u64), 0) < 0)
			return -errno;
		for (unsigned c = 0; c < dp->nr_cpus; c++)
			st->queue_drops[target] += per_sched_cpu[c];
	}
	st->queue_drops_exact = st->tx_drops_exact = dp->tracers >= TRACERS_DROPS;
	return read_loads(dp, st);
}

static int prog_id(int fd, unsigned *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	*id = info.id;
	return 0;
}

int bpfnic_dp_info(struct bpfnic_dp *dp, struct bpfnic_dp_info *info)
{
	struct bpf_map_info minfo = {};
	__u32 len = sizeof(minfo);
	int r;

	memset(info, 0, sizeof(*info));
	info->requested = dp->requested;
	snprintf(info->fallback, sizeof(info->fallback), "%s", dp->fallback);
	r = prog_id(bpf_program__fd(dp->skel->progs.bpfnic_sched), &info->sched_prog_id);
	if (r < 0)
		return r;
	r = prog_id(dp->worker_fd >= 0 ? dp->worker_fd : bpf_program__fd(dp->skel->progs.bpfnic_worker),
		    &info->worker_prog_id);
	if (r < 0)
		return r;
	if (bpf_obj_get_info_by_fd(bpf_map__fd(dp->skel->maps.bpfnic_cpumap), &minfo, &len) < 0)
		return -errno;
	info->cpumap_id = (int)minfo.id;
	if (dp->link_fd >= 0) {
		struct bpf_link_info linfo = {};
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		len = sizeof(linfo);
		if (bpf_obj_get_info_by_fd(dp->link_fd, &linfo, &len) < 0)
			return -errno;
		info->link_id = linfo.id;
		info->ifindex = dp->ifindex;
		if (bpf_xdp_query(dp->ifindex, 0, &q) < 0)
			return -errno;
		info->mode = q.attach_mode == XDP_ATTACHED_SKB ? BPFNIC_XDP_GENERIC : BPFNIC_XDP_NATIVE;
	}
	return 0;
}

struct bpfnic_bpf *bpfnic_dp_skel(struct bpfnic_dp *dp)
{
	return dp->skel;
}

/* ---- the handover ------------------------------------------------------------------ */

static int handover_add(struct bpfnic_dp_handover *h, const char *name, int fd)
{
	if (fd < 0)
		return 0;
	if (h->n == BPFNIC_DP_MAX_HANDOVER)
		return -E2BIG;
	snprintf(h->name[h->n], sizeof(h->name[0]), "%s", name);
	h->fd[h->n++] = fd;
	return 0;
}

int bpfnic_dp_handover(const struct bpfnic_dp *dp, struct bpfnic_dp_handover *out)
{
	struct bpf_map *map;
	int r;

	memset(out, 0, sizeof(*out));
	r = handover_add(out, BPFNIC_DP_NAME_PREFIX "link", dp->link_fd);
	for (unsigned i = 0; i < N_TRACERS && r == 0; i++) {
		const struct bpf_link *link = tracer_link(dp->skel, i);
		char name[BPFNIC_DP_NAME_MAX];

		snprintf(name, sizeof(name), BPFNIC_DP_NAME_PREFIX "tracer.%s",
			 bpf_program__name(tracer_prog(dp->skel, i)));
		r = handover_add(out, name, dp->kept_tracer_fd[i] >= 0 ? dp->kept_tracer_fd[i] :
				 link ? bpf_link__fd(link) : -1);
	}
	if (r == 0)
		r = handover_add(out, BPFNIC_DP_NAME_PREFIX "worker", dp->worker_fd >= 0 ? dp->worker_fd :
				 bpf_program__fd(dp->skel->progs.bpfnic_worker));
	bpf_object__for_each_map(map, dp->skel->obj) {
		char name[BPFNIC_DP_NAME_MAX];

		if (r < 0 || bpf_map__is_internal(map))
			continue;
		map_name(map, name, sizeof(name));
		r = handover_add(out, name, bpf_map__fd(map));
	}
	return r;
}

int bpfnic_dp_handover_find(const struct bpfnic_dp_handover *h, const char *name)
{
	for (unsigned i = 0; h && i < h->n; i++)
		if (!strcmp(h->name[i], name))
			return (int)i;
	return -1;
}

bool bpfnic_dp_same_object(int a, int b)
{
	/* Maps, programs and links all begin their info with the type and the id. */
	struct { __u32 type, id; } ia = { 0 }, ib = { 0 };
	__u32 la = sizeof(ia), lb = sizeof(ib);

	return bpf_obj_get_info_by_fd(a, &ia, &la) == 0 && bpf_obj_get_info_by_fd(b, &ib, &lb) == 0 &&
	       ia.type == ib.type && ia.id == ib.id;
}
