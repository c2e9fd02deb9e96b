// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data-path module: see datapath.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "bpfnic.skel.h"

struct bpfnic_dp {
	struct bpfnic_bpf *skel;
	int link_fd;  /* -1 when not attached; closing it detaches the scheduler */
	bool tracer;  /* the queue-drop tracer is attached */
	int tracer_link_fd; /* a tracer taken over (its link), or -1: the skeleton's own */
	int worker_fd;      /* the worker the cpumap entries run, when taken over; or -1 */
	int ifindex;
	unsigned nr_cpus;
	unsigned n_candidates;
	unsigned candidates[BPFNIC_MAX_CPUS];
	unsigned group_size[BPFNIC_NR_GROUPS];
	void *percpu_buf; /* scratch for per-CPU lookups */
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
	for (unsigned i = 0; i < n; i++) {
		r = write_u32(slots, BPFNIC_GROUP_SLOT(g, i), cpus[i]);
		if (r < 0)
			return r;
	}
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

static int set_devmap(struct bpfnic_dp *dp, int ifindex)
{
	struct bpf_devmap_val val = { .ifindex = (__u32)ifindex };
	__u32 key = 0;

	if (bpf_map__update_elem(dp->skel->maps.bpfnic_devmap, &key, sizeof(key), &val,
				 sizeof(val), BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int attach(struct bpfnic_dp *dp, enum bpfnic_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	int fd;

	switch (mode) {
	case BPFNIC_XDP_NATIVE: lopts.flags = XDP_FLAGS_DRV_MODE; break;
	case BPFNIC_XDP_GENERIC: lopts.flags = XDP_FLAGS_SKB_MODE; break;
	default: lopts.flags = 0; break; /* the kernel picks native when the driver has it */
	}
	/*
	 * A bpf_link, not a netlink attachment: it lives exactly as long as this process
	 * holds the fd, so a crashed daemon leaves the NIC on the normal stack.
	 */
	fd = bpf_link_create(bpf_program__fd(dp->skel->progs.bpfnic_sched), dp->ifindex, BPF_XDP,
			     &lopts);
	if (fd < 0)
		return -errno;
	dp->link_fd = fd;
	return 0;
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
 * Open and load the skeleton: with the queue-drop tracer when tracer is set, on the
 * maps of adopt when it is given (libbpf refuses maps whose type or sizes differ).
 */
static int load(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts, bool tracer,
		const struct bpfnic_dp_handover *adopt)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int r;

	bpfnic_bpf__destroy(dp->skel);
	dp->tracer = false;
	dp->skel = bpfnic_bpf__open();
	if (!dp->skel)
		return -errno;
	r = bpf_map__set_max_entries(dp->skel->maps.bpfnic_cpumap, dp->nr_cpus);
	if (r < 0)
		return r;
	if (adopt) {
		r = reuse_maps(dp, adopt);
		if (r < 0)
			return r;
	}
	dp->skel->rodata->ref_target_cpu = dp->candidates[0];
	if (!opts->test_progs)
		disable_test_progs(dp->skel);
	bpf_program__set_autoload(dp->skel->progs.bpfnic_count_queue_drops, tracer);
	r = bpfnic_bpf__load(dp->skel);
	if (r < 0)
		return r;
	if (!tracer)
		return 0;

	if (bpf_obj_get_info_by_fd(bpf_map__fd(dp->skel->maps.bpfnic_cpumap), &info, &len) < 0)
		return -errno;
	dp->skel->bss->bpfnic_cpumap_id = info.id;
	dp->skel->links.bpfnic_count_queue_drops =
		bpf_program__attach_trace(dp->skel->progs.bpfnic_count_queue_drops);
	if (!dp->skel->links.bpfnic_count_queue_drops)
		return -errno;
	dp->tracer = true;
	return 0;
}

/*
 * Load: on the maps of opts->adopt when they fit (then a tracer it holds is kept),
 * else on new maps; with our own tracer when none is kept and CAP_PERFMON allows.
 */
static int load_adopting(struct bpfnic_dp *dp, const struct bpfnic_dp_opts *opts,
			 struct bpfnic_dp_adopted *adopted)
{
	const struct bpfnic_dp_handover *adopt = opts->adopt;
	int tracer = adopt ? bpfnic_dp_handover_find(adopt, BPFNIC_DP_NAME_PREFIX "tracer") : -1;
	int r = -ENOENT;

	if (adopt && adopt->n) {
		/* Its tracer counts into its maps: kept, ours not loaded. */
		r = load(dp, opts, tracer < 0, adopt);
		if ((r == -EPERM || r == -EACCES) && tracer < 0)
			r = load(dp, opts, false, adopt); /* no CAP_PERFMON: no tracer at all */
		if (r == 0) {
			adopted->maps = true;
			if (tracer >= 0) {
				dp->tracer_link_fd = fcntl(adopt->fd[tracer], F_DUPFD_CLOEXEC, 3);
				if (dp->tracer_link_fd < 0)
					return -errno;
				dp->tracer = adopted->tracer = true;
			}
			return 0;
		}
		snprintf(adopted->why_not, sizeof(adopted->why_not), "the running data path's maps do "
			 "not fit this version (%s): new maps, counters from zero",
			 r == -ENOENT ? "some are missing" : strerror(-r));
	}
	r = load(dp, opts, true, NULL);
	if (r == -EPERM || r == -EACCES)
		/* Tracing programs need CAP_PERFMON; without it, drops are estimated. */
		r = load(dp, opts, false, NULL);
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
	if (!opts || !opts->cpus || opts->n_cpus == 0 || opts->n_cpus > BPFNIC_MAX_CPUS)
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
	dp->link_fd = dp->tracer_link_fd = dp->worker_fd = -1;
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
	link = opts->adopt ? bpfnic_dp_handover_find(opts->adopt, BPFNIC_DP_NAME_PREFIX "link") : -1;
	if (opts->ifname && link >= 0) {
		r = take_over_link(dp, opts->adopt->fd[link], opts->xdp_mode, adopted);
		if (r < 0)
			goto fail;
	}
	if (opts->ifname && !adopted->link) {
		r = attach(dp, opts->xdp_mode);
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
	if (dp->tracer_link_fd >= 0)
		close(dp->tracer_link_fd);
	if (dp->worker_fd >= 0)
		close(dp->worker_fd);
	bpfnic_bpf__destroy(dp->skel);
	free(dp->percpu_buf);
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
	if (!st->sched || !st->worker || !st->handed || !st->queue_drops) {
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
	st->queue_drops_exact = dp->tracer;
	return 0;
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
	const struct bpf_link *tracer = dp->skel->links.bpfnic_count_queue_drops;
	struct bpf_map *map;
	int r;

	memset(out, 0, sizeof(*out));
	r = handover_add(out, BPFNIC_DP_NAME_PREFIX "link", dp->link_fd);
	if (r == 0)
		r = handover_add(out, BPFNIC_DP_NAME_PREFIX "tracer", dp->tracer_link_fd >= 0 ?
				 dp->tracer_link_fd : tracer ? bpf_link__fd(tracer) : -1);
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
