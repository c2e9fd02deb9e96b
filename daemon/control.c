/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The control socket's connections: see control.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol.h"
#include "daemon/control.h"
#include "daemon/log.h"

#define MAX_PEER_GROUPS     256
#define OUT_PAUSE_READING   (256u * 1024u) /* stop reading requests while this much is unsent */
#define OUT_MAX             (1024u * 1024u) /* a client this far behind is dropped */
#define READS_PER_EVENT     4              /* bounded work per wake-up: others get served too */

/* What becomes of a client after a step: its functions say so, never as an -errno. */
enum client_fate {
	CLIENT_KEEP = 0,
	CLIENT_CLOSE, /* gone, broken, too far behind, or done: free it now */
};

struct bpfnicd_client {
	struct bpfnicd_control *ctl;
	struct bpfnicd_client *prev, *next;
	int fd;
	sd_event_source *io, *idle;
	struct bpfnic_vl_input in;
	char *out;
	size_t out_len, out_off, out_cap;
	struct ucred cred;
	gid_t groups[MAX_PEER_GROUPS];
	unsigned n_groups;
	bool monitor;
	bool closing; /* no more reading: flush what is queued, then close */
};

struct bpfnicd_control {
	sd_event *event;
	int fd;
	bool bound; /* path is our socket: remove it when done (never someone else's) */
	sd_event_source *listen;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool admin_gid_valid;
	gid_t admin_gid;
	unsigned n_clients, n_monitors;
	bool refusing; /* at the client limit: logged once until it is left */
	struct bpfnicd_client *clients;
	bpfnicd_dispatch_fn dispatch;
	void *userdata;
};

static void client_free(struct bpfnicd_client *c)
{
	struct bpfnicd_control *ctl = c->ctl;

	if (c->prev)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl->n_clients--;
	if (c->monitor)
		ctl->n_monitors--;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->idle);
	if (c->fd >= 0)
		close(c->fd);
	bpfnic_vl_input_free(&c->in);
	free(c->out);
	free(c);
}

/* EPOLLIN unless closing or backed up; EPOLLOUT while output is queued. */
static enum client_fate client_update_events(struct bpfnicd_client *c)
{
	size_t pending = c->out_len - c->out_off;
	uint32_t ev = 0;

	if (!c->closing && pending < OUT_PAUSE_READING)
		ev |= EPOLLIN;
	if (pending)
		ev |= EPOLLOUT;
	if (ev == 0) /* closing and everything sent */
		return CLIENT_CLOSE;
	return sd_event_source_set_io_events(c->io, ev) < 0 ? CLIENT_CLOSE : CLIENT_KEEP;
}

/* Write what can be written now. */
static enum client_fate client_flush(struct bpfnicd_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return CLIENT_CLOSE; /* EPIPE, ECONNRESET: gone */
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return client_update_events(c);
}

/* Queue one message (json object, not consumed). */
static enum client_fate client_queue(struct bpfnicd_client *c, struct json_object *msg)
{
	char *buf;
	size_t len;
	int r = bpfnic_vl_serialize(msg, &buf, &len);

	if (r == -EMSGSIZE) {
		struct json_object *e = bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL,
			"reply larger than %u bytes", BPFNIC_MAX_MESSAGE);

		r = e ? bpfnic_vl_serialize(e, &buf, &len) : -ENOMEM;
		json_object_put(e);
	}
	if (r < 0)
		return CLIENT_CLOSE;
	if (c->out_len - c->out_off + len > OUT_MAX) {
		free(buf);
		log_warning("control: dropping client pid %d uid %u: it does not read its replies",
			    (int)c->cred.pid, (unsigned)c->cred.uid);
		return CLIENT_CLOSE;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		if (c->out_off) { /* compact first */
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		while (cap < c->out_len + len)
			cap *= 2;
		p = cap > c->out_cap ? realloc(c->out, cap) : c->out;
		if (!p) {
			free(buf);
			return CLIENT_CLOSE;
		}
		c->out = p;
		c->out_cap = cap > c->out_cap ? cap : c->out_cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	free(buf);
	return client_flush(c);
}

static enum client_fate client_queue_error(struct bpfnicd_client *c, const char *error,
					   const char *reason)
{
	struct json_object *e = bpfnic_vl_error_reason(error, NULL, "%s", reason);
	enum client_fate r = e ? client_queue(c, e) : CLIENT_CLOSE;

	json_object_put(e);
	return r;
}

static bool caller_is_admin(const struct bpfnicd_control *ctl, const struct bpfnicd_client *c)
{
	if (c->cred.uid == 0)
		return true;
	if (!ctl->admin_gid_valid)
		return false;
	if (c->cred.gid == ctl->admin_gid)
		return true;
	for (unsigned i = 0; i < c->n_groups; i++)
		if (c->groups[i] == ctl->admin_gid)
			return true;
	return false;
}

static void arm_idle(struct bpfnicd_client *c)
{
	if (c->monitor)
		return;
	sd_event_source_set_time_relative(c->idle, (uint64_t)BPFNIC_CLIENT_IDLE_MS * 1000);
	sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
}

/*
 * Stop reading; what is queued still goes out. A peer that does not take it within
 * BPFNIC_CLIENT_IDLE_MS is dropped by the idle timer (which is re-armed here, also
 * for Monitor subscribers), so a closing client never holds its slot for ever.
 */
static void client_start_closing(struct bpfnicd_client *c)
{
	c->closing = true;
	sd_event_source_set_time_relative(c->idle, (uint64_t)BPFNIC_CLIENT_IDLE_MS * 1000);
	sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
}

struct json_object *bpfnicd_control_answer(const char *msg, size_t len,
					   const struct bpfnicd_caller *who,
					   bpfnicd_dispatch_fn dispatch, void *userdata,
					   bool *start_monitor)
{
	struct json_object *obj, *reply;
	struct bpfnic_vl_call call;
	const char *why;
	int r;

	*start_monitor = false;
	r = bpfnic_vl_parse(msg, len, &obj);
	if (r < 0) {
		log_debug("control: bad message from pid %d: %s", (int)who->pid, bpfnic_vl_strerror(r));
		return bpfnic_vl_error_reason(r == -EMSGSIZE ? BPFNIC_E_MESSAGE_TOO_LARGE :
					      BPFNIC_E_INVALID_MESSAGE, NULL, "%s",
					      bpfnic_vl_strerror(r));
	}
	r = bpfnic_vl_call_from_json(obj, &call, &why);
	if (r < 0) {
		json_object_put(obj);
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_MESSAGE, NULL, "%s", why);
	}
	reply = dispatch(userdata, who, &call, start_monitor);
	if (call.oneway) {
		json_object_put(reply);
		reply = NULL;
	}
	json_object_put(obj);
	return reply;
}

/* One complete message. */
static enum client_fate client_handle(struct bpfnicd_client *c, const char *msg, size_t len)
{
	struct bpfnicd_control *ctl = c->ctl;
	struct bpfnicd_caller who = {
		.uid = c->cred.uid, .gid = c->cred.gid, .pid = c->cred.pid,
		.admin = caller_is_admin(ctl, c),
	};
	struct json_object *reply;
	enum client_fate fate = CLIENT_KEEP;
	bool start_monitor;

	arm_idle(c);
	reply = bpfnicd_control_answer(msg, len, &who, ctl->dispatch, ctl->userdata, &start_monitor);
	if (start_monitor && !c->monitor) {
		c->monitor = true;
		ctl->n_monitors++;
		sd_event_source_set_enabled(c->idle, SD_EVENT_OFF);
	}
	if (reply)
		fate = client_queue(c, reply);
	json_object_put(reply);
	return fate;
}

/*
 * Hand out the complete messages held, those before one that broke the size limit
 * too; feed is what feeding the input said.
 */
static enum client_fate client_take_messages(struct bpfnicd_client *c, int feed)
{
	const char *msg;
	size_t len;
	int r = feed;

	while ((r >= 0 || r == -EMSGSIZE) && !c->closing) {
		int got = bpfnic_vl_input_next(&c->in, &msg, &len);

		if (got == 0)
			break;
		if (got < 0) {
			r = got;
			break;
		}
		if (client_handle(c, msg, len) == CLIENT_CLOSE)
			return CLIENT_CLOSE;
		/* The client may have asked for more than we keep reading for. */
		if (c->out_len - c->out_off >= OUT_PAUSE_READING)
			break;
	}
	if (r == -EMSGSIZE) {
		/* The stream cannot be resynchronised after an over-long message. */
		log_debug("control: message over %u bytes from pid %d, closing",
			  BPFNIC_MAX_MESSAGE, (int)c->cred.pid);
		client_start_closing(c);
		return client_queue_error(c, BPFNIC_E_MESSAGE_TOO_LARGE, bpfnic_vl_strerror(-EMSGSIZE));
	}
	return r < 0 ? CLIENT_CLOSE : CLIENT_KEEP;
}

static enum client_fate client_read(struct bpfnicd_client *c)
{
	char buf[16384];

	for (int i = 0; i < READS_PER_EVENT && !c->closing; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		enum client_fate fate;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? client_update_events(c) : CLIENT_CLOSE;
		if (n == 0) { /* the client is done sending: answer what it asked, then close */
			client_start_closing(c);
			break;
		}
		fate = client_take_messages(c, bpfnic_vl_input_feed(&c->in, buf, (size_t)n));
		if (fate == CLIENT_CLOSE || c->closing)
			return fate;
		if (c->out_len - c->out_off >= OUT_PAUSE_READING)
			break;
	}
	return client_update_events(c);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bpfnicd_client *c = userdata;

	(void)s, (void)fd;
	if ((revents & EPOLLOUT) && client_flush(c) == CLIENT_CLOSE) {
		client_free(c);
		return 0;
	}
	if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->closing &&
	    client_read(c) == CLIENT_CLOSE) {
		client_free(c);
		return 0;
	}
	if ((revents & EPOLLERR) || (c->closing && c->out_len == c->out_off))
		client_free(c);
	return 0;
}

static int on_client_idle(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bpfnicd_client *c = userdata;

	(void)s, (void)usec;
	if (c->closing) { /* it did not even take its last replies */
		log_debug("control: dropping client pid %d: replies not read", (int)c->cred.pid);
		client_free(c);
		return 0;
	}
	log_debug("control: closing idle client pid %d", (int)c->cred.pid);
	client_start_closing(c);
	if (client_queue_error(c, BPFNIC_E_FAILED, "idle for too long, closing") == CLIENT_CLOSE ||
	    c->out_len == c->out_off)
		client_free(c);
	return 0;
}

/* Supplementary groups of the peer: SO_PEERGROUPS, else /proc/PID/status. */
static void peer_groups(struct bpfnicd_client *c)
{
	socklen_t len = sizeof(c->groups);
	char path[64], line[4096];
	FILE *f;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0) {
		c->n_groups = len / sizeof(gid_t);
		return;
	}
	c->n_groups = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)c->cred.pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (p = line + 7; c->n_groups < MAX_PEER_GROUPS; p = end) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			c->groups[c->n_groups++] = (gid_t)g;
		}
		break;
	}
	fclose(f);
}

static void refuse_client(int fd, const char *reason)
{
	struct json_object *e = bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "%s", reason);
	char *buf;
	size_t len;

	if (e && bpfnic_vl_serialize(e, &buf, &len) == 0) {
		(void)!send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(buf);
	}
	json_object_put(e);
	close(fd);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bpfnicd_control *ctl = userdata;

	(void)s, (void)revents;
	for (;;) {
		struct bpfnicd_client *c;
		socklen_t len = sizeof(c->cred);
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				log_warning_errno(-errno, "control: accept failed");
			return 0;
		}
		if (ctl->n_clients >= BPFNIC_MAX_CLIENTS) {
			if (!ctl->refusing)
				log_warning("control: %u clients connected, refusing more until one leaves",
					    ctl->n_clients);
			ctl->refusing = true;
			refuse_client(cfd, "too many clients");
			continue;
		}
		ctl->refusing = false;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->ctl = ctl;
		c->fd = cfd;
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		peer_groups(c);
		c->next = ctl->clients;
		if (ctl->clients)
			ctl->clients->prev = c;
		ctl->clients = c;
		ctl->n_clients++;
		if (sd_event_add_io(ctl->event, &c->io, cfd, EPOLLIN, on_client_io, c) < 0 ||
		    sd_event_add_time_relative(ctl->event, &c->idle, CLOCK_MONOTONIC,
					       (uint64_t)BPFNIC_CLIENT_IDLE_MS * 1000, 0,
					       on_client_idle, c) < 0) {
			client_free(c);
			continue;
		}
		log_debug("control: client connected: pid %d uid %u", (int)c->cred.pid,
			  (unsigned)c->cred.uid);
	}
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a stale socket left by a dead daemon; refuse if one still answers. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int lookup_group(const char *name, gid_t *gid)
{
	struct group grp, *res = NULL;
	char buf[4096];

	if (!name || !*name)
		return -ENOENT;
	if (getgrnam_r(name, &grp, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*gid = res->gr_gid;
	return 0;
}

int bpfnicd_control_set_access(struct bpfnicd_control *ctl, const char *socket_group,
			       const char *admin_group, unsigned mode)
{
	gid_t gid = 0;

	ctl->admin_gid_valid = lookup_group(admin_group, &ctl->admin_gid) == 0;
	if (admin_group && *admin_group && !ctl->admin_gid_valid)
		log_warning("control: AdminGroup '%s' does not exist: only root may change state",
			    admin_group);
	if (lookup_group(socket_group, &gid) < 0) {
		log_warning("control: group '%s' does not exist: %s keeps only its owner and other bits", socket_group,
			    ctl->path);
		mode &= ~0070u; /* the group bits would name whatever group it has: drop them */
	} else if (chown(ctl->path, (uid_t)-1, gid) < 0) {
		/* The owner stays bpfnicd's user; the group is a group it is in, unless it has
		 * CAP_CHOWN (root has): the unit's SupplementaryGroups= makes it one. */
		return log_error_errno(-errno, "control: cannot give %s to group %s (bpfnicd must be "
				       "root or a member of it)", ctl->path, socket_group);
	}
	if (chmod(ctl->path, mode) < 0)
		return log_error_errno(-errno, "control: cannot chmod %s", ctl->path);
	return 0;
}

/* The path free for us: its directory made, a stale socket removed. */
static int claim_path(const char *path)
{
	int r = mkdir_parent(path);

	if (r < 0)
		return log_error_errno(r, "control: cannot create the directory of %s", path);
	r = clear_stale(path);
	if (r == -EADDRINUSE)
		log_error("control: another daemon is answering on %s", path);
	else if (r < 0)
		log_error_errno(r, "control: %s is in the way", path);
	return r;
}

/* Bind, give the socket its owner, group and mode, listen. */
static int bind_socket(struct bpfnicd_control *ctl, const char *socket_group,
		       const char *admin_group, unsigned mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_umask;
	int r;

	strcpy(sa.sun_path, ctl->path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->fd < 0)
		return log_error_errno(-errno, "control: socket");
	/* Born owner-only, opened up to the group after chown: no window for others. */
	old_umask = umask(0177);
	r = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (r < 0) /* not ours: another daemon may have bound it since clear_stale() looked */
		return log_error_errno(-errno, "control: cannot bind %s", ctl->path);
	ctl->bound = true;
	r = bpfnicd_control_set_access(ctl, socket_group, admin_group, mode);
	if (r < 0)
		return r;
	if (listen(ctl->fd, 64) < 0)
		return log_error_errno(-errno, "control: listen");
	return 0;
}

int bpfnicd_control_new(sd_event *e, const char *path, unsigned mode, const char *socket_group,
			const char *admin_group,
			bpfnicd_dispatch_fn dispatch, void *userdata, struct bpfnicd_control **out)
{
	struct bpfnicd_control *ctl;
	int r;

	*out = NULL;
	if (strlen(path) >= sizeof(ctl->path))
		return -ENAMETOOLONG;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	*ctl = (struct bpfnicd_control){ .fd = -1, .event = e, .dispatch = dispatch,
					 .userdata = userdata };
	strcpy(ctl->path, path);
	r = claim_path(path);
	if (r >= 0)
		r = bind_socket(ctl, socket_group, admin_group, mode);
	if (r >= 0)
		r = sd_event_add_io(e, &ctl->listen, ctl->fd, EPOLLIN, on_accept, ctl);
	if (r < 0) {
		bpfnicd_control_free(ctl);
		return r;
	}
	*out = ctl;
	return 0;
}

void bpfnicd_control_free(struct bpfnicd_control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	sd_event_source_disable_unref(ctl->listen);
	if (ctl->fd >= 0)
		close(ctl->fd);
	if (ctl->bound)
		unlink(ctl->path);
	free(ctl);
}

void bpfnicd_control_monitor_send(struct bpfnicd_control *ctl, struct json_object *params)
{
	struct json_object *msg;
	struct bpfnicd_client *c, *next;

	if (ctl->n_monitors == 0)
		return;
	msg = bpfnic_vl_reply_new(json_object_get(params), true);
	if (!msg)
		return;
	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->monitor && !c->closing && client_queue(c, msg) == CLIENT_CLOSE)
			client_free(c);
	}
	json_object_put(msg);
}

unsigned bpfnicd_control_n_clients(const struct bpfnicd_control *ctl)
{
	return ctl->n_clients;
}

unsigned bpfnicd_control_n_monitors(const struct bpfnicd_control *ctl)
{
	return ctl->n_monitors;
}
