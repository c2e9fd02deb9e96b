/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's logger: journald with structured fields when the journal is the target,
 * plain lines on stderr otherwise. Every event kind that matters to an operator has a
 * fixed MESSAGE_ID (journalctl MESSAGE_ID=...); libbpf's messages come through here
 * at debug level.
 */
#ifndef BPFNICD_LOG_H
#define BPFNICD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Fixed 128-bit ids, one per event kind: never change them. */
#define BPFNICD_MID_ATTACHED       "faeeac5e3c744186bbd5edd7d119fe59"
#define BPFNICD_MID_DETACHED       "7e102e5e96b44825b63d72a4be7bac57"
#define BPFNICD_MID_POLICY_CHANGED "858326bc82374389b494883e108e4e1e"
#define BPFNICD_MID_CORE_ADDED     "681798b79fd042999a4463222601cdbf"
#define BPFNICD_MID_CORE_REMOVED   "4e1b3c71a0c64592aecc072d0c050848"
#define BPFNICD_MID_RELOAD_FAILED  "607a2a6c23df43978a583c9312c3d281"
#define BPFNICD_MID_XDP_FALLBACK   "38353e736ea8458f9945f9fab251f823"
#define BPFNICD_MID_TX_DROPPING    "2dc3b73a0cc94b0a95c3f79a0204b3fe"
#define BPFNICD_MID_TX_RECOVERED   "8abc09a4d0994c678cd56e93dd27d787"
#define BPFNICD_MID_TAKEN_OVER     "e7defb7f9b454816aaf50c3a7ee290b0"
#define BPFNICD_MID_LEFT_RUNNING   "c3c86b8a1ff8439898bcb8e3935d6497"

enum bpfnicd_log_target {
	BPFNICD_LOG_AUTO = 0, /* the journal when stderr is connected to it, else stderr */
	BPFNICD_LOG_JOURNAL,
	BPFNICD_LOG_STDERR,
};

/* Parse "auto|journal|stderr" / a syslog level name or number. -EINVAL if unknown. */
int bpfnicd_log_target_from_string(const char *s, enum bpfnicd_log_target *t);
int bpfnicd_log_level_from_string(const char *s, int *level);

void bpfnicd_log_open(enum bpfnicd_log_target target, int max_level);
/* Added as BPFNIC_IFACE= to every journal entry once known. */
void bpfnicd_log_set_iface(const char *ifname);
/* Route libbpf's messages here at LOG_DEBUG. */
void bpfnicd_log_route_libbpf(void);

/*
 * Log one message. message_id may be NULL; fields is a NULL-terminated list of extra
 * "KEY=value" journal fields (may be NULL). err is 0 or a -errno, never positive
 * (asserted): when not 0 it is appended as ": strerror" and sent as ERRNO=. Returns
 * err, so callers can "return log_error_errno(r, ...)" and keep the callee's error.
 * Use the macros: they record the caller's CODE_FILE/CODE_LINE/CODE_FUNC.
 */
int bpfnicd_log_internal(const char *file, int line, const char *func, int level, int err,
			 const char *message_id, const char *const *fields, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

#define bpfnicd_log_struct(level, err, message_id, fields, ...) \
	bpfnicd_log_internal(__FILE__, __LINE__, __func__, level, err, message_id, fields, __VA_ARGS__)

#define log_debug(...)   bpfnicd_log_struct(LOG_DEBUG, 0, NULL, NULL, __VA_ARGS__)
#define log_info(...)    bpfnicd_log_struct(LOG_INFO, 0, NULL, NULL, __VA_ARGS__)
#define log_notice(...)  bpfnicd_log_struct(LOG_NOTICE, 0, NULL, NULL, __VA_ARGS__)
#define log_warning(...) bpfnicd_log_struct(LOG_WARNING, 0, NULL, NULL, __VA_ARGS__)
#define log_error(...)   bpfnicd_log_struct(LOG_ERR, 0, NULL, NULL, __VA_ARGS__)
#define log_error_errno(err, ...)   bpfnicd_log_struct(LOG_ERR, (err), NULL, NULL, __VA_ARGS__)
#define log_warning_errno(err, ...) bpfnicd_log_struct(LOG_WARNING, (err), NULL, NULL, __VA_ARGS__)

#endif
