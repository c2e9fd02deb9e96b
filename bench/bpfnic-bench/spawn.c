/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Children of bpfnic-bench: see spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bpfnic-bench/spawn.h"

volatile sig_atomic_t bench_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

void bench_spawn_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A child that goes away while we write its stdin is an exit status, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

int64_t bench_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t bench_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bench_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (!bench_interrupted)
		nanosleep(&ts, NULL);
}

/* An argument as the shell reads it: bare when it is plain, else single-quoted. */
static size_t quote(const char *a, char *buf, size_t size)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./:=,@%+-";
	size_t used = 0;

	if (*a && strspn(a, plain) == strlen(a))
		return (size_t)snprintf(buf, size, "%s", a);
	used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "'");
	for (; *a; a++)
		used += (size_t)snprintf(buf + used, used < size ? size - used : 0,
					 *a == '\'' ? "'\\''" : "%c", *a);
	used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "'");
	return used;
}

void bench_cmd_line(const char *prefix, const char *const argv[], char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (prefix && *prefix)
		used += (size_t)snprintf(buf, size, "%s", prefix);
	for (unsigned i = 0; argv[i] && used < size; i++) {
		if (used)
			used += (size_t)snprintf(buf + used, size - used, " ");
		if (used < size)
			used += quote(argv[i], buf + used, size - used);
	}
}

static void child_exec(const char *prefix, const char *const argv[], int in_fd, int out_fd,
		       int err_fd)
{
	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	if (prefix && *prefix) {
		char line[8192];

		bench_cmd_line(prefix, argv, line, sizeof(line));
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
	} else {
		execvp(argv[0], (char *const *)argv);
	}
	fprintf(stderr, "cannot run %s: %s\n", prefix && *prefix ? "/bin/sh" : argv[0],
		strerror(errno));
	_exit(127);
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap * 2 : 4096;
		char *p;

		while (c < *len + n + 1)
			c *= 2;
		p = realloc(*buf, c);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Keeps the last bytes of stderr. */
static void keep_tail(char *dst, size_t size, const char *data, size_t n)
{
	size_t have = strlen(dst);

	if (n >= size - 1) {
		memcpy(dst, data + n - (size - 1), size - 1);
		dst[size - 1] = '\0';
		return;
	}
	if (have + n >= size) {
		size_t drop = have + n - (size - 1);

		memmove(dst, dst + drop, have - drop + 1);
		have -= drop;
	}
	memcpy(dst + have, data, n);
	dst[have + n] = '\0';
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* One running command of bench_cmds. */
struct child {
	pid_t pid;
	int in, out, err;       /* our ends; -1 once closed */
	const char *in_pos;
	size_t in_left, cap;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int start_child(const struct bench_cmd_spec *sp, struct child *c)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int r = 0;

	c->in = c->out = c->err = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	c->pid = fork();
	if (c->pid < 0) {
		r = -errno;
		goto fail;
	}
	if (c->pid == 0)
		child_exec(sp->prefix, sp->argv, in[0], out[1], err[1]);
	setpgid(c->pid, c->pid); /* both sides: whichever runs first */
	close(in[0]), close(out[1]), close(err[1]);
	c->in = in[1], c->out = out[0], c->err = err[0];
	c->in_pos = sp->stdin_text;
	c->in_left = sp->stdin_text ? strlen(sp->stdin_text) : 0;
	if (!c->in_left)
		close_fd(&c->in);
	else
		fcntl(c->in, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	return r;
}

/* Moves what is ready between us and a child. 0 or -ENOMEM. */
static int pump(struct child *c, struct bench_cmd_result *res, const struct pollfd pfd[3])
{
	char buf[8192];
	ssize_t n;

	if (c->in >= 0 && (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
		n = write(c->in, c->in_pos, c->in_left);
		if (n > 0) {
			c->in_pos += n;
			c->in_left -= (size_t)n;
		}
		if ((n < 0 && errno != EAGAIN && errno != EINTR) || !c->in_left)
			close_fd(&c->in);
	}
	for (int i = 0; i < 2; i++) {
		int *fd = i ? &c->err : &c->out;

		if (*fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(*fd, buf, sizeof(buf));
		if (n > 0 && i == 0 && append(&res->out, &res->out_len, &c->cap, buf, (size_t)n) < 0)
			return -ENOMEM;
		if (n > 0 && i == 1)
			keep_tail(res->err, sizeof(res->err), buf, (size_t)n);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			close_fd(fd);
	}
	return 0;
}

#define MAX_CHILDREN 32

int bench_cmds(const struct bench_cmd_spec *specs, unsigned n, unsigned timeout_ms,
	       struct bench_cmd_result *res)
{
	int64_t deadline = bench_mono_ms() + timeout_ms;
	struct child c[MAX_CHILDREN];
	unsigned started = 0;
	int r = 0;

	if (n > MAX_CHILDREN)
		return -E2BIG;
	memset(res, 0, n * sizeof(*res));
	memset(c, 0, sizeof(c));
	for (; started < n && r == 0; started++)
		r = start_child(&specs[started], &c[started]);
	if (r < 0)
		started--; /* the one that failed has nothing to wait for */
	while (r == 0) {
		struct pollfd pfd[MAX_CHILDREN * 3];
		int64_t left = deadline - bench_mono_ms();
		bool open = false;

		for (unsigned i = 0; i < n; i++) {
			pfd[3 * i] = (struct pollfd){ c[i].out, POLLIN, 0 };
			pfd[3 * i + 1] = (struct pollfd){ c[i].err, POLLIN, 0 };
			pfd[3 * i + 2] = (struct pollfd){ c[i].in, POLLOUT, 0 };
			open |= c[i].out >= 0 || c[i].err >= 0;
		}
		if (!open)
			break;
		if (bench_interrupted) {
			r = -EINTR;
			break;
		}
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(pfd, 3 * n, left > 250 ? 250 : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		for (unsigned i = 0; i < n && r == 0; i++)
			r = pump(&c[i], &res[i], &pfd[3 * i]);
	}
	for (unsigned i = 0; i < started; i++) {
		int status = 0;

		if (r < 0)
			kill(-c[i].pid, SIGKILL);
		while (wait4(c[i].pid, &status, 0, &res[i].ru) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status))
			res[i].status = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			res[i].status = 128 + WTERMSIG(status);
		close_fd(&c[i].in);
		close_fd(&c[i].out);
		close_fd(&c[i].err);
		trim(res[i].err);
		if (!res[i].out && r == 0 && !(res[i].out = strdup("")))
			r = -ENOMEM;
	}
	if (r < 0)
		for (unsigned i = 0; i < n; i++)
			bench_cmd_result_free(&res[i]);
	return r;
}

int bench_cmd(const char *prefix, const char *const argv[], const char *stdin_text,
	      unsigned timeout_ms, struct bench_cmd_result *res)
{
	struct bench_cmd_spec spec = { prefix, argv, stdin_text };

	return bench_cmds(&spec, 1, timeout_ms, res);
}

void bench_cmd_result_free(struct bench_cmd_result *res)
{
	free(res->out);
	res->out = NULL;
}

int bench_spawn_bg(const char *const argv[], const char *log_path, pid_t *pid)
{
	int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t p;

	if (log < 0 || null < 0) {
		int r = -errno;

		if (log >= 0)
			close(log);
		if (null >= 0)
			close(null);
		return r;
	}
	p = fork();
	if (p == 0)
		child_exec(NULL, argv, null, log, log);
	close(log);
	close(null);
	if (p < 0)
		return -errno;
	setpgid(p, p);
	*pid = p;
	return 0;
}

bool bench_bg_alive(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
}

void bench_bg_stop(pid_t pid, unsigned timeout_ms)
{
	int64_t deadline = bench_mono_ms() + timeout_ms;
	int status;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	while (bench_mono_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}
