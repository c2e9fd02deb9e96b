/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/control: the control socket's connection handling on a real sd-event loop and
 * a real Unix socket (in a temporary directory), with a stub dispatcher: framing,
 * pipelining, every malformed-message kind, oneway, Monitor streaming, the client
 * limit, the idle timeout, stale sockets and the missing-group fallback.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/control.h"
#include "daemon/log.h"

static char dir[64], path[128];
static sd_event *event;
static struct bpfnicd_control *ctl;

/* Echo the method and the caller; "M" subscribes to Monitor. */
static struct json_object *dispatch(void *userdata, const struct bpfnicd_caller *who,
				    const struct bpfnic_vl_call *call, bool *start_monitor)
{
	struct json_object *p = json_object_new_object();

	(void)userdata;
	if (strcmp(call->method, "M") == 0)
		*start_monitor = true;
	json_object_object_add(p, "method", json_object_new_string(call->method));
	json_object_object_add(p, "uid", json_object_new_int64(who->uid));
	json_object_object_add(p, "admin", json_object_new_boolean(who->admin));
	return bpfnic_vl_reply_new(p, *start_monitor);
}

static int setup(void **state)
{
	(void)state;
	bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_ERR);
	snprintf(dir, sizeof(dir), "/tmp/bpfnic-test-control.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/control.sock", dir);
	assert_int_equal(sd_event_new(&event), 0);
	assert_int_equal(bpfnicd_control_new(event, path, 0660, "root", "root", dispatch, NULL, &ctl), 0);
	return 0;
}

static int teardown(void **state)
{
	char sub[160];

	(void)state;
	bpfnicd_control_free(ctl);
	sd_event_unref(event);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
	return 0;
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Run the loop until fd is readable or timeout_ms passed. */
static bool pump_until_readable(int fd, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 5) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) == 1)
			return true;
		sd_event_run(event, 5000);
	}
	return false;
}

static void send_raw(int fd, const void *buf, size_t n)
{
	assert_int_equal(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void send_str(int fd, const char *s)
{
	send_raw(fd, s, strlen(s) + 1); /* with the NUL */
}

/* The next message (NUL-terminated) from fd, or "EOF". Caller frees. */
static char *recv_msg(int fd, int timeout_ms)
{
	char *buf = malloc(BPFNIC_MAX_MESSAGE);
	size_t len = 0;

	for (;;) {
		ssize_t n;

		if (!pump_until_readable(fd, timeout_ms)) {
			strcpy(buf, "TIMEOUT");
			return buf;
		}
		n = recv(fd, buf + len, 1, 0); /* byte by byte: never read past one message */
		if (n <= 0) {
			strcpy(buf, "EOF");
			return buf;
		}
		if (buf[len] == '\0')
			return buf;
		len++;
		assert_true(len < BPFNIC_MAX_MESSAGE);
	}
}

static void expect(int fd, const char *substring)
{
	char *m = recv_msg(fd, 2000);

	if (!strstr(m, substring)) {
		print_message("# got: %.200s\n# want: %s\n", m, substring);
		free(m);
		fail();
	}
	free(m);
}

static void test_calls_and_pipelining(void **state)
{
	int fd = client();
	char uid[64];
	(void)state;

	send_str(fd, "{\"method\":\"a.B\"}");
	snprintf(uid, sizeof(uid), "\"uid\":%u,\"admin\":%s", (unsigned)getuid(),
		 getuid() == 0 ? "true" : "false");
	expect(fd, uid);
	/* Three calls in one write come back as three replies, in order. */
	static const char three[] = "{\"method\":\"x.One\"}\0{\"method\":\"x.Two\"}\0{\"method\":\"x.Three\"}";

	send_raw(fd, three, sizeof(three)); /* sizeof: the last NUL too */
	expect(fd, "x.One");
	expect(fd, "x.Two");
	expect(fd, "x.Three");
	/* oneway: nothing back; the next call is answered. */
	send_str(fd, "{\"method\":\"x.Quiet\",\"oneway\":true}");
	send_str(fd, "{\"method\":\"x.Loud\"}");
	expect(fd, "x.Loud");
	close(fd);
}

static void test_malformed_messages(void **state)
{
	int fd = client();
	(void)state;

	send_str(fd, "not json");
	expect(fd, "\"error\":\"io.bpfnic.InvalidMessage\"");
	send_str(fd, "[1,2]");
	expect(fd, "not a JSON object");
	send_str(fd, "{\"method\":\"\xc0\xaf\"}");
	expect(fd, "not valid UTF-8");
	send_str(fd, "{\"a\":[[[[[[[[[1]]]]]]]]]}");
	expect(fd, "nested too deep");
	send_str(fd, "{\"parameters\":{}}");
	expect(fd, "\\\"method\\\" must be a non-empty string");
	send_str(fd, "{\"method\":\"m\",\"parameters\":7}");
	expect(fd, "\\\"parameters\\\" must be an object");
	/* Still serving this very connection. */
	send_str(fd, "{\"method\":\"x.Fine\"}");
	expect(fd, "x.Fine");
	close(fd);
}

static void test_oversize_message_closes(void **state)
{
	int fd = client(), other = client();
	size_t n = BPFNIC_MAX_MESSAGE + 100;
	char *big = malloc(n);
	(void)state;

	memset(big, ' ', n);
	/* Written in pieces, as the daemon reads: refused at the limit, then closed. */
	for (size_t off = 0; off < n; off += 8192) {
		/* The last pieces may find the connection closed already: that is the point. */
		if (send(fd, big, n - off < 8192 ? n - off : 8192, MSG_NOSIGNAL) < 0)
			break;
		sd_event_run(event, 0);
	}
	expect(fd, "io.bpfnic.MessageTooLarge");
	expect(fd, "EOF");
	free(big);
	close(fd);
	send_str(other, "{\"method\":\"x.Other\"}");
	expect(other, "x.Other");
	close(other);
}

static void test_monitor_stream(void **state)
{
	int fd = client();
	struct json_object *p = json_object_new_object();
	(void)state;

	send_str(fd, "{\"method\":\"M\",\"more\":true}");
	expect(fd, "\"continues\":true");
	assert_int_equal(bpfnicd_control_n_monitors(ctl), 1);
	json_object_object_add(p, "tick", json_object_new_int(1));
	bpfnicd_control_monitor_send(ctl, p);
	expect(fd, "{\"parameters\":{\"tick\":1},\"continues\":true}");
	bpfnicd_control_monitor_send(ctl, p);
	expect(fd, "\"tick\":1");
	close(fd);
	for (int i = 0; i < 20 && bpfnicd_control_n_monitors(ctl); i++)
		sd_event_run(event, 10000);
	assert_int_equal(bpfnicd_control_n_monitors(ctl), 0);
	json_object_put(p);
}

static void test_client_limit(void **state)
{
	int fds[BPFNIC_MAX_CLIENTS + 1];
	(void)state;

	for (int i = 0; i < BPFNIC_MAX_CLIENTS; i++) {
		fds[i] = client();
		sd_event_run(event, 0);
	}
	for (int i = 0; i < 10; i++)
		sd_event_run(event, 1000);
	assert_int_equal(bpfnicd_control_n_clients(ctl), BPFNIC_MAX_CLIENTS);
	fds[BPFNIC_MAX_CLIENTS] = client();
	expect(fds[BPFNIC_MAX_CLIENTS], "too many clients");
	expect(fds[BPFNIC_MAX_CLIENTS], "EOF");
	/* Those in are still served, and a place frees up when one leaves. */
	send_str(fds[0], "{\"method\":\"x.In\"}");
	expect(fds[0], "x.In");
	for (int i = 0; i <= BPFNIC_MAX_CLIENTS; i++)
		close(fds[i]);
	for (int i = 0; i < 200 && bpfnicd_control_n_clients(ctl); i++)
		sd_event_run(event, 10000);
	assert_int_equal(bpfnicd_control_n_clients(ctl), 0);
}

static void test_idle_client_closed(void **state)
{
	int fd = client();
	struct timespec t0, t1;
	char *m;
	(void)state;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = recv_msg(fd, BPFNIC_CLIENT_IDLE_MS + 3000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(m, "idle"));
	free(m);
	expect(fd, "EOF");
	/* Not before the limit (the upper side is not checked: the machine may be slow). */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >=
		    BPFNIC_CLIENT_IDLE_MS - 50);
	close(fd);
}

static void test_socket_file(void **state)
{
	struct bpfnicd_control *second = NULL;
	struct stat st;
	char other[160];
	(void)state;

	/* Another daemon answering: refused, and the live socket is left alone. */
	assert_int_equal(bpfnicd_control_new(event, path, 0660, "root", "root", dispatch, NULL, &second),
			 -EADDRINUSE);
	assert_null(second);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);

	/*
	 * A socket group that does not exist: its group bits go (they would name root's
	 * group), the owner and other bits stay. A stale socket file is replaced.
	 */
	snprintf(other, sizeof(other), "%s/other.sock", dir);
	assert_int_equal(bpfnicd_control_new(event, other, 0660, "no-such-group-bpfnic",
					     "no-such-group-bpfnic", dispatch, NULL, &second), 0);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	bpfnicd_control_free(second);
	assert_int_equal(bpfnicd_control_new(event, other, 0666, "no-such-group-bpfnic", "",
					     dispatch, NULL, &second), 0);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0606);
	bpfnicd_control_free(second);
	assert_int_equal(stat(other, &st), -1); /* removed on free */
	{
		/* Leave a stale one behind by hand: bound, never listening. */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(sa.sun_path, other);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
	}
	assert_int_equal(bpfnicd_control_new(event, other, 0660, "root", "root", dispatch, NULL, &second), 0);
	bpfnicd_control_free(second);
}

/*
 * bind() is wrapped (-Wl,--wrap=bind): with race_path set, another "daemon" binds
 * and listens on that path just before ours tries, as if it won the race after
 * clear_stale() looked.
 */
static const char *race_path;
static int race_fd = -1;
int __real_bind(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (race_path) {
		struct sockaddr_un other = { .sun_family = AF_UNIX };

		strcpy(other.sun_path, race_path);
		race_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(race_fd >= 0);
		assert_int_equal(__real_bind(race_fd, (struct sockaddr *)&other, sizeof(other)), 0);
		assert_int_equal(listen(race_fd, 1), 0);
		race_path = NULL;
	}
	return __real_bind(fd, sa, len);
}

/* A bind that fails leaves the path alone: it may be another daemon's live socket. */
static void test_failed_bind_keeps_the_other_socket(void **state)
{
	struct bpfnicd_control *second = NULL;
	char other[160];
	struct stat st;
	(void)state;

	snprintf(other, sizeof(other), "%s/raced.sock", dir);
	race_path = other;
	assert_int_equal(bpfnicd_control_new(event, other, 0660, "root", "root", dispatch, NULL,
					     &second), -EADDRINUSE);
	assert_null(second);
	assert_int_equal(stat(other, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	close(race_fd);
	unlink(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_and_pipelining),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_oversize_message_closes),
		cmocka_unit_test(test_monitor_stream),
		cmocka_unit_test(test_client_limit),
		cmocka_unit_test(test_idle_client_closed),
		cmocka_unit_test(test_socket_file),
		cmocka_unit_test(test_failed_bind_keeps_the_other_socket),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
