/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd's logger: see log.h. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <systemd/sd-journal.h>

#include "daemon/log.h"

static bool to_journal;
static int log_max_level = LOG_INFO;
static char iface_field[64];

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int bpfnicd_log_target_from_string(const char *s, enum bpfnicd_log_target *t)
{
	if (strcmp(s, "auto") == 0)
		*t = BPFNICD_LOG_AUTO;
	else if (strcmp(s, "journal") == 0)
		*t = BPFNICD_LOG_JOURNAL;
	else if (strcmp(s, "stderr") == 0 || strcmp(s, "console") == 0)
		*t = BPFNICD_LOG_STDERR;
	else
		return -EINVAL;
	return 0;
}

int bpfnicd_log_level_from_string(const char *s, int *level)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(s, level_names[i]) == 0 || (s[0] == '0' + i && s[1] == '\0')) {
			*level = i;
			return 0;
		}
	if (strcmp(s, "error") == 0) {
		*level = LOG_ERR;
		return 0;
	}
	return -EINVAL;
}

/* systemd sets JOURNAL_STREAM=DEV:INO when stderr is a stream to journald. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void bpfnicd_log_open(enum bpfnicd_log_target target, int max_level)
{
	log_max_level = max_level;
	to_journal = target == BPFNICD_LOG_JOURNAL ||
		     (target == BPFNICD_LOG_AUTO && stderr_is_journal());
}

void bpfnicd_log_set_iface(const char *ifname)
{
	snprintf(iface_field, sizeof(iface_field), "BPFNIC_IFACE=%s", ifname);
}

int bpfnicd_log_internal(const char *file, int line, const char *func, int level, int err,
			 const char *message_id, const char *const *fields, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved_errno = errno;

	/* One convention: 0 or -errno. A positive one is a caller's bug, caught here. */
	assert(err <= 0);
	if (level > log_max_level)
		goto out;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(-err));
	}

	if (to_journal) {
		char m[sizeof(msg) + 16], prio[16], mid[64], errf[32], code_file[256], code_line[32];
		struct iovec iov[24];
		int n = 0;

#define ADD(s) do { iov[n].iov_base = (void *)(s); iov[n].iov_len = strlen(s); n++; } while (0)
		snprintf(m, sizeof(m), "MESSAGE=%s", msg);
		snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
		ADD(m);
		ADD(prio);
		ADD("SYSLOG_IDENTIFIER=bpfnicd");
		if (message_id) {
			snprintf(mid, sizeof(mid), "MESSAGE_ID=%s", message_id);
			ADD(mid);
		}
		if (err) {
			snprintf(errf, sizeof(errf), "ERRNO=%d", -err);
			ADD(errf);
		}
		if (iface_field[0])
			ADD(iface_field);
		for (unsigned i = 0; fields && fields[i] && n < 24; i++)
			ADD(fields[i]);
#undef ADD
		snprintf(code_file, sizeof(code_file), "CODE_FILE=%s", file);
		snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);
		if (sd_journal_sendv_with_location(code_file, code_line, func, iov, n) >= 0)
			goto out;
		/* journald unreachable: fall through to stderr rather than lose it. */
	}
	if (level <= LOG_WARNING)
		fprintf(stderr, "bpfnicd: %s: %s\n", level <= LOG_ERR ? "error" : "warning", msg);
	else
		fprintf(stderr, "bpfnicd: %s\n", msg);
out:
	errno = saved_errno;
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)level;
	if (log_max_level < LOG_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	bpfnicd_log_internal("libbpf", 0, "libbpf_print", LOG_DEBUG, 0, NULL, NULL, "libbpf: %s", buf);
	return 0;
}

void bpfnicd_log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
