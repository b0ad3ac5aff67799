// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -c CMD: shell-like word splitting, and a child that runs nothing until
 * released, with exit status, exec failure and signal state checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/child.h"

static void free_words(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Split cmd and compare with the expected words (NULL-terminated). */
static void check_split(const char *cmd, ...)
{
	const char *err = "unset";
	char **v = child_split_words(cmd, &err);
	const char *want;
	va_list ap;
	int i = 0;

	if (!v)
		fail_msg("'%s': %s", cmd, err);
	va_start(ap, cmd);
	while ((want = va_arg(ap, const char *))) {
		if (!v[i])
			fail_msg("'%s': word %d missing", cmd, i);
		assert_string_equal(v[i], want);
		i++;
	}
	va_end(ap);
	if (v[i])
		fail_msg("'%s': extra word '%s'", cmd, v[i]);
	free_words(v);
}

static void check_split_error(const char *cmd, const char *msg)
{
	const char *err = NULL;

	assert_null(child_split_words(cmd, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, msg));
}

static void test_split(void **state)
{
	check_split("ls", "ls", NULL);
	check_split("  ls  -l\t/tmp \n", "ls", "-l", "/tmp", NULL);
	check_split("echo 'a b'  c", "echo", "a b", "c", NULL);
	check_split("echo \"a b\"c'd e'f", "echo", "a bcd ef", NULL);
	check_split("echo '' \"\" x", "echo", "", "", "x", NULL);
	check_split("a''b", "ab", NULL);
	check_split("echo a\\ b", "echo", "a b", NULL);
	check_split("echo \\'x\\\"", "echo", "'x\"", NULL);
	check_split("echo \\\\", "echo", "\\", NULL);
	/* inside double quotes only \" \\ \$ \` are escapes */
	check_split("echo \"\\\" \\\\ \\$ \\` \\n \\a\"", "echo",
		    "\" \\ $ ` \\n \\a", NULL);
	/* inside single quotes nothing is */
	check_split("echo 'a\\b\"c'", "echo", "a\\b\"c", NULL);
	/* no expansion of any kind */
	check_split("echo $HOME `id` $(id) * ~ {a,b}", "echo", "$HOME", "`id`",
		    "$(id)", "*", "~", "{a,b}", NULL);
	check_split("sh -c 'exit 3'", "sh", "-c", "exit 3", NULL);
	check_split("a\\\nb", "ab", NULL);
	check_split("\"a\\\nb\"", "ab", NULL);
	check_split("tail\\", "tail\\", NULL);
	check_split("x=1 y", "x=1", "y", NULL);
	check_split("echo ';' '|' && x", "echo", ";", "|", "&&", "x", NULL);
}

static void test_split_errors(void **state)
{
	check_split_error("", "empty");
	check_split_error("   \t\n", "empty");
	check_split_error("echo 'abc", "single quote");
	check_split_error("echo \"abc", "double quote");
	check_split_error("echo \"abc\\\"", "double quote");
	check_split_error("'", "single quote");
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Poll until the child exits (10 s at most); returns its wait status. */
static int wait_exit(struct child *c)
{
	int status = -1;

	for (int i = 0; i < 10000; i++) {
		if (child_poll_exit(c, &status))
			return status;
		sleep_ms(1);
	}
	fail_msg("child %d did not exit", c->pid);
	return -1;
}

static void test_held_until_release(void **state)
{
	char dir[] = "/tmp/etap-child-XXXXXX", file[64];
	char *argv[] = {"touch", file, NULL};
	struct child c;
	int status;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/f", dir);
	assert_int_equal(child_spawn(&c, argv), 0);
	assert_true(c.pid > 0);
	assert_true(c.release_fd >= 0);
	sleep_ms(100);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(child_poll_exit(&c, &status), 0);
	assert_int_equal(child_release(&c), 0);
	assert_int_equal(c.release_fd, -1);
	status = wait_exit(&c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(file, F_OK), 0);
	assert_int_equal(c.pid, 0);
	/* reaped already: polling again is harmless */
	assert_int_equal(child_poll_exit(&c, &status), 1);
	unlink(file);
	rmdir(dir);
}

static void test_exit_status(void **state)
{
	char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	struct child c;
	int status;

	assert_int_equal(child_spawn(&c, argv), 0);
	sleep_ms(20);
	assert_int_equal(child_poll_exit(&c, &status), 0);
	assert_int_equal(child_release(&c), 0);
	status = wait_exit(&c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
}

static void test_split_then_spawn(void **state)
{
	const char *err;
	char **argv = child_split_words("sh -c 'exit $((6 * 7))'", &err);
	struct child c;
	int status;

	assert_non_null(argv);
	assert_int_equal(child_spawn(&c, argv), 0);
	free_words(argv); /* the child has its own copy */
	assert_int_equal(child_release(&c), 0);
	status = wait_exit(&c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_pidfd(void **state)
{
	char *argv[] = {"true", NULL};
	struct child c;

	assert_int_equal(child_spawn(&c, argv), 0);
	/* pidfd_open exists since 5.3; etap needs 5.8 */
	assert_true(c.pidfd >= 0);
	assert_int_equal(fcntl(c.pidfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(c.release_fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(child_release(&c), 0);
	assert_int_equal(WEXITSTATUS(wait_exit(&c)), 0);
	assert_int_equal(c.pidfd, -1);
}

static void test_exec_failure(void **state)
{
	char *argv[] = {"/nonexistent/etap-no-such-prog", "x", NULL};
	char path[] = "/tmp/etap-child-err-XXXXXX", buf[256] = "";
	struct child c;
	int fd, saved, status;
	ssize_t n;

	/* Catch the child's stderr in a file. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(child_spawn(&c, argv), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(child_release(&c), 0);
	status = wait_exit(&c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	assert_string_equal(buf, "etap: cannot run "
				 "'/nonexistent/etap-no-such-prog': "
				 "No such file or directory\n");
	close(fd);
	unlink(path);

	/* not found in PATH either */
	{
		char *argv2[] = {"etap-no-such-prog-in-path", NULL};

		fd = open("/dev/null", O_WRONLY);
		saved = dup(STDERR_FILENO);
		dup2(fd, STDERR_FILENO);
		assert_int_equal(child_spawn(&c, argv2), 0);
		dup2(saved, STDERR_FILENO);
		close(saved);
		close(fd);
		assert_int_equal(child_release(&c), 0);
		assert_int_equal(WEXITSTATUS(wait_exit(&c)), 127);
	}
}

static void test_kill_held(void **state)
{
	char *argv[] = {"touch", "/tmp/etap-child-never-created", NULL};
	struct child c;
	pid_t pid;

	unlink(argv[1]);
	assert_int_equal(child_spawn(&c, argv), 0);
	pid = c.pid;
	child_kill(&c);
	assert_int_equal(c.pid, 0);
	assert_int_equal(c.release_fd, -1);
	assert_int_equal(c.pidfd, -1);
	/* reaped: the pid no longer exists as our child */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	sleep_ms(20);
	assert_int_equal(access(argv[1], F_OK), -1);
	/* a second kill does nothing */
	child_kill(&c);
}

static void test_release_dead_child(void **state)
{
	char *argv[] = {"true", NULL};
	struct child c;

	assert_int_equal(child_spawn(&c, argv), 0);
	kill(c.pid, SIGKILL);
	sleep_ms(50);
	/* no SIGPIPE for etap, just an error */
	assert_true(child_release(&c) < 0);
	assert_true(WIFSIGNALED(wait_exit(&c)));
}

/* etap ignores and blocks signals it handles itself; the command must get
 * the default state back. sh cannot undo an ignored signal by itself. */
static void test_signals_restored(void **state)
{
	char *argv[] = {"/bin/sh", "-c", "kill -TERM $$; exit 0", NULL};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigset_t block, oldmask;
	struct child c;
	int status;

	sigaction(SIGTERM, &ign, &old);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	assert_int_equal(child_spawn(&c, argv), 0);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGTERM, &old, NULL);
	assert_int_equal(child_release(&c), 0);
	status = wait_exit(&c);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

static void test_spawn_errors(void **state)
{
	char *empty[] = {NULL};
	struct child c;

	assert_int_equal(child_spawn(&c, empty), -EINVAL);
	assert_int_equal(child_spawn(&c, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_split_errors),
	    cmocka_unit_test(test_held_until_release),
	    cmocka_unit_test(test_exit_status),
	    cmocka_unit_test(test_split_then_spawn),
	    cmocka_unit_test(test_pidfd),
	    cmocka_unit_test(test_exec_failure),
	    cmocka_unit_test(test_kill_held),
	    cmocka_unit_test(test_release_dead_child),
	    cmocka_unit_test(test_signals_restored),
	    cmocka_unit_test(test_spawn_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
