// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svcmgr: the part of a service manager that bpfnicd's restarts depend on, so that the
 * integration tier can restart bpfnicd on the lab without systemd (PID 1 here is not
 * systemd; the systemd tier checks the real one). It runs one command as a service:
 *
 *   - a notify socket (NOTIFY_SOCKET): READY=1 is counted, FDSTORE=1 with FDNAME= keeps
 *     the fds sent (the same open file once; unless FDPOLL=0, an fd that polls
 *     POLLERR or POLLHUP is dropped, as systemd drops it), FDSTOREREMOVE=1 with
 *     FDNAME= drops a name;
 *   - a start passes the kept fds as systemd does: from fd 3, LISTEN_FDS, LISTEN_PID,
 *     LISTEN_FDNAMES;
 *   - SIGHUP restarts the service (SIGTERM, wait, start again: the store is kept);
 *     SIGTERM stops it (SIGTERM, wait, release the store: every fd closed) and exits;
 *     a service that dies by itself is started again with --restart-on-failure (the
 *     store kept), else the store is released and svcmgr exits with its status.
 *
 *   - --listen NAME:PORT: a TCP socket listening on 127.0.0.1:PORT, passed under NAME
 *     before the kept fds at every start, as a .socket unit's is.
 *
 *   svcmgr --dir DIR [--fd-max N] [--restart-on-failure] [--listen NAME:PORT] -- COMMAND...
 *
 * DIR receives notify (the socket), main.pid (the service's pid, rewritten at every
 * start), ready (READY=1 count), starts (start count) and store (one line per kept
 * fd: its name). --fd-max N keeps at most N (default 64); 0 keeps nothing (systemd's
 * FileDescriptorStoreMax=0).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/kcmp.h>

#define MAX_FDS 64

struct store {
	unsigned n;
	int fd[MAX_FDS];
	char name[MAX_FDS][256];
};

static const char *dir;
static unsigned fd_max = MAX_FDS;
static int listen_fd = -1;
static char listen_name[256];
static struct store store;
static unsigned ready, starts;

static void write_file(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void write_file(const char *file, const char *fmt, ...)
{
	char path[4096], tmp[4200];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static void write_store(void)
{
	char text[MAX_FDS * 257] = "";
	size_t used = 0;

	for (unsigned i = 0; i < store.n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", store.name[i]);
	write_file("store", "%s", text);
}

static bool same_file(int a, int b)
{
	pid_t me = getpid();

	return syscall(SYS_kcmp, me, me, KCMP_FILE, a, b) == 0;
}

static void store_add(int fd, const char *name, bool poll_it)
{
	struct pollfd p = { fd, 0, 0 };

	if (poll_it && poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP))) {
		fprintf(stderr, "svcmgr: %s polls %s: dropped (send FDPOLL=0)\n", name,
			p.revents & POLLERR ? "POLLERR" : "POLLHUP");
		close(fd);
		return;
	}
	for (unsigned i = 0; i < store.n; i++)
		if (same_file(store.fd[i], fd)) {
			close(fd);
			return;
		}
	if (store.n >= fd_max || store.n == MAX_FDS) {
		fprintf(stderr, "svcmgr: store full (--fd-max %u): dropping fd %s\n", fd_max, name);
		close(fd);
		return;
	}
	store.fd[store.n] = fd;
	snprintf(store.name[store.n], sizeof(store.name[0]), "%s", name);
	store.n++;
}

static void store_remove(const char *name)
{
	unsigned k = 0;

	for (unsigned i = 0; i < store.n; i++) {
		if (!strcmp(store.name[i], name)) {
			close(store.fd[i]);
			continue;
		}
		store.fd[k] = store.fd[i];
		memmove(store.name[k], store.name[i], sizeof(store.name[0]));
		k++;
	}
	store.n = k;
}

static void store_release(void)
{
	for (unsigned i = 0; i < store.n; i++)
		close(store.fd[i]);
	store.n = 0;
	write_store();
}

/* One notify message: its fields, and the fds it carried. */
static void on_notify(int sock)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	int fds[MAX_FDS], nfds = 0;
	const char *fdname = "stored";
	bool fdstore = false, remove = false, fdpoll = true;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return;
	buf[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			memcpy(fds + nfds, CMSG_DATA(c), (size_t)k * sizeof(int));
			nfds += k;
		}
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strcmp(line, "READY=1"))
			write_file("ready", "%u\n", ++ready);
		else if (!strcmp(line, "FDSTORE=1"))
			fdstore = true;
		else if (!strcmp(line, "FDSTOREREMOVE=1"))
			remove = true;
		else if (!strncmp(line, "FDNAME=", 7))
			fdname = line + 7;
		else if (!strcmp(line, "FDPOLL=0"))
			fdpoll = false;
	}
	if (remove)
		store_remove(fdname);
	for (int i = 0; i < nfds; i++) {
		if (fdstore)
			store_add(fds[i], fdname, fdpoll);
		else
			close(fds[i]);
	}
	if (fdstore || remove)
		write_store();
}

static pid_t start(char **argv, const char *notify_path)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* The socket, then the kept fds, from 3 on, in order: first out of the way, then
	 * into place. */
	int moved[MAX_FDS + 1], n = 0;
	char names[(MAX_FDS + 1) * 257] = "", num[32];
	size_t used = 0;

	if (listen_fd >= 0) {
		moved[n++] = fcntl(listen_fd, F_DUPFD, 3 + MAX_FDS + 16);
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s", listen_name);
	}
	for (unsigned i = 0; i < store.n; i++) {
		moved[n++] = fcntl(store.fd[i], F_DUPFD, 3 + MAX_FDS + 16);
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", used ? ":" : "",
					 store.name[i]);
	}
	for (int i = 0; i < n; i++) {
		dup2(moved[i], 3 + i); /* dup2 clears FD_CLOEXEC: the service gets them */
		close(moved[i]);
	}
	snprintf(num, sizeof(num), "%d", n);
	if (n) {
		setenv("LISTEN_FDS", num, 1);
		setenv("LISTEN_FDNAMES", names, 1);
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("LISTEN_PID", num, 1);
	}
	setenv("NOTIFY_SOCKET", notify_path, 1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "svcmgr: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int stop(pid_t pid)
{
	int status = 0;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool restart_on_failure = false;
	char **cmd = NULL;
	sigset_t mask;
	int sock, sfd;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--fd-max") && i + 1 < argc) {
			fd_max = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--restart-on-failure")) {
			restart_on_failure = true;
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			const char *colon = strchr(argv[++i], ':');
			struct sockaddr_in in = { .sin_family = AF_INET,
						  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			int one = 1;

			if (!colon)
				break;
			snprintf(listen_name, sizeof(listen_name), "%.*s", (int)(colon - argv[i]), argv[i]);
			in.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
			listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			    bind(listen_fd, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(listen_fd, 16) < 0) {
				perror("svcmgr: --listen");
				return 1;
			}
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			cmd = argv + i + 1;
			break;
		} else {
			break;
		}
	}
	if (!dir || !cmd) {
		fprintf(stderr, "usage: svcmgr --dir DIR [--fd-max N] [--restart-on-failure] "
			"[--listen NAME:PORT] -- COMMAND [ARG...]\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	unlink(sa.sun_path);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("svcmgr: notify socket");
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	write_file("svcmgr.pid", "%d\n", (int)getpid());
	write_store();
	pid = start(cmd, sa.sun_path);
	write_file("main.pid", "%d\n", (int)pid);
	write_file("starts", "%u\n", ++starts);
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		struct signalfd_siginfo si;
		int status;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			on_notify(sock);
		if (!(p[1].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		/* Messages sent just before a signal are taken first, as systemd does. */
		while (poll(p, 1, 0) > 0 && (p[0].revents & POLLIN))
			on_notify(sock);
		if (si.ssi_signo == SIGHUP) {
			stop(pid);
			pid = start(cmd, sa.sun_path);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			status = stop(pid);
			store_release();
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		} else if (waitpid(pid, &status, WNOHANG) == pid) {
			bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;

			if (!failed || !restart_on_failure) {
				store_release();
				return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
			}
			pid = start(cmd, sa.sun_path);
		} else {
			continue;
		}
		write_file("main.pid", "%d\n", (int)pid);
		write_file("starts", "%u\n", ++starts);
	}
}
