/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Running the tools bpfnic-bench drives, here or through a command prefix ("ssh
 * root@srv", "ip netns exec NS"): each child in its own process group, bounded in
 * time, its output captured, killed when time runs out or the user interrupts.
 */
#ifndef BPFNIC_BENCH_SPAWN_H
#define BPFNIC_BENCH_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Set by SIGINT/SIGTERM (bench_spawn_signals): every wait gives up with -EINTR. */
extern volatile sig_atomic_t bench_interrupted;

/* Installs the handlers that set bench_interrupted (no SA_RESTART). */
void bench_spawn_signals(void);

struct bench_cmd_result {
	int status;         /* exit status; 128 + signal when killed by one */
	char *out;          /* stdout, NUL-terminated (malloc'd; the caller frees) */
	size_t out_len;
	char err[1024];     /* the end of stderr, trimmed */
	struct rusage ru;   /* of the child (the command itself without a prefix) */
};

/*
 * Runs `prefix argv...`: directly when prefix is NULL or "", else through /bin/sh -c
 * with the prefix in front and each argument quoted where it needs it. stdin_text
 * (NULL: /dev/null) is the child's stdin. 0 with *res filled (whatever the exit
 * status), -ETIMEDOUT after timeout_ms (the group killed), -EINTR, or -errno.
 */
int bench_cmd(const char *prefix, const char *const argv[], const char *stdin_text,
	      unsigned timeout_ms, struct bench_cmd_result *res);

/* One of several commands run at once. */
struct bench_cmd_spec {
	const char *prefix;
	const char *const *argv;
	const char *stdin_text;
};

/*
 * Runs n commands at once (the load generators of several client hosts), each as
 * bench_cmd runs one, within one deadline. 0 with every res[i] filled; -ETIMEDOUT,
 * -EINTR (every child killed) or -errno, with nothing to free.
 */
int bench_cmds(const struct bench_cmd_spec *specs, unsigned n, unsigned timeout_ms,
	       struct bench_cmd_result *res);

void bench_cmd_result_free(struct bench_cmd_result *res);

/* The command line bench_cmd runs, for messages and the report. */
void bench_cmd_line(const char *prefix, const char *const argv[], char *buf, size_t size);

/*
 * Starts a long-running child (the lab's bpfnicd) in its own process group, stdout and
 * stderr to log_path. 0 with *pid, or -errno.
 */
int bench_spawn_bg(const char *const argv[], const char *log_path, pid_t *pid);

/* Whether the background child still runs (reaps it when it ended). */
bool bench_bg_alive(pid_t pid);

/* SIGTERM to its group, then SIGKILL after timeout_ms; reaps it. */
void bench_bg_stop(pid_t pid, unsigned timeout_ms);

/* Monotonic and real-time clocks. */
int64_t bench_now_usec(void);     /* CLOCK_REALTIME, µs */
int64_t bench_mono_ms(void);

/* Sleeps up to ms (less when interrupted). */
void bench_sleep_ms(unsigned ms);

#endif
