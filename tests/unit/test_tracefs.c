// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracefs against the running kernel: mounting, format parsing of events
 * every kernel etap supports has, listing by glob, suggestions. Skips when
 * tracefs cannot be had (not root, no tracefs).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "semantic/tracefs.h"

static int setup_root(void **state)
{
	const char *hint = NULL;

	if (!tracefs_root(&hint)) {
		print_message("tracefs unavailable: %s (%s)\n", strerror(errno),
			      hint ? hint : "");
		return -1;
	}
	return 0;
}

static void test_root(void **state)
{
	const char *root = tracefs_root(NULL);

	assert_non_null(root);
	assert_true(!strcmp(root, "/sys/kernel/tracing") ||
		    !strcmp(root, "/sys/kernel/debug/tracing"));
	/* cached: the same pointer */
	assert_ptr_equal(root, tracefs_root(NULL));
}

static const struct tp_field *field(const struct tp_format *f, const char *name)
{
	const struct tp_field *fl = tp_format_field(f, name);

	if (!fl)
		fail_msg("%s:%s has no field %s", f->system, f->event, name);
	return fl;
}

static void test_sys_enter_read(void **state)
{
	const struct tp_format *f =
	    tracefs_format("syscalls", "sys_enter_read");
	const struct tp_field *fd, *buf, *count, *ct, *nr;

	assert_non_null(f);
	assert_string_equal(f->system, "syscalls");
	assert_string_equal(f->event, "sys_enter_read");
	assert_true(f->id > 0);
	assert_true(f->nfields >= 8);
	/* common fields first, as in the file */
	assert_string_equal(f->fields[0].name, "common_type");
	ct = field(f, "common_type");
	assert_true(ct->is_common);
	assert_int_equal(ct->offset, 0);
	assert_int_equal(ct->size, 2);
	assert_string_equal(ct->type, "unsigned short");
	assert_true(field(f, "common_pid")->is_signed);

	nr = field(f, "__syscall_nr");
	assert_false(nr->is_common);
	assert_int_equal(nr->size, 4);
	assert_true(nr->is_signed);

	fd = field(f, "fd");
	assert_int_equal(fd->offset, 16);
	assert_int_equal(fd->size, 8);
	assert_string_equal(fd->type, "unsigned int");
	assert_false(fd->is_signed || fd->is_pointer || fd->is_string);

	buf = field(f, "buf");
	assert_int_equal(buf->offset, 24);
	assert_int_equal(buf->size, 8);
	assert_true(buf->is_pointer);
	assert_false(buf->is_string || buf->is_data_loc);
	assert_string_equal(buf->type, "char *");

	count = field(f, "count");
	assert_int_equal(count->offset, 32);
	assert_int_equal(count->size, 8);
	assert_string_equal(count->type, "size_t");
	assert_int_equal(count->array_len, 0);

	assert_null(tp_format_field(f, "nosuch"));
	/* cached: the same object */
	assert_ptr_equal(f, tracefs_format("syscalls", "sys_enter_read"));
}

static void test_openat_pointer(void **state)
{
	const struct tp_format *f =
	    tracefs_format("syscalls", "sys_enter_openat");
	const struct tp_field *fn;

	assert_non_null(f);
	fn = field(f, "filename");
	assert_string_equal(fn->type, "const char *");
	assert_true(fn->is_pointer);
	assert_false(fn->is_string);
	assert_int_equal(fn->size, 8);
}

static void test_process_exec_data_loc(void **state)
{
	const struct tp_format *f =
	    tracefs_format("sched", "sched_process_exec");
	const struct tp_field *fn, *pid;

	assert_non_null(f);
	fn = field(f, "filename");
	assert_string_equal(fn->type, "__data_loc char[]");
	assert_true(fn->is_data_loc);
	assert_true(fn->is_string);
	assert_false(fn->is_pointer);
	assert_int_equal(fn->size, 4);
	assert_int_equal(fn->array_len, 0);
	pid = field(f, "pid");
	assert_string_equal(pid->type, "pid_t");
	assert_true(pid->is_signed);
	assert_int_equal(pid->size, 4);
	assert_true(pid->offset > fn->offset);
}

static void test_sched_switch_arrays(void **state)
{
	const struct tp_format *f = tracefs_format("sched", "sched_switch");
	const struct tp_field *pc, *nc;

	assert_non_null(f);
	pc = field(f, "prev_comm");
	assert_string_equal(pc->type, "char[16]");
	assert_true(pc->is_string);
	assert_false(pc->is_data_loc || pc->is_pointer);
	assert_int_equal(pc->array_len, 16);
	assert_int_equal(pc->size, 16);
	assert_int_equal(pc->offset, 8);
	nc = field(f, "next_comm");
	assert_int_equal(nc->array_len, 16);
	assert_true(nc->is_string);
	assert_true(field(f, "prev_state")->is_signed);
	assert_int_equal(field(f, "next_pid")->size, 4);
}

static void test_missing(void **state)
{
	errno = 0;
	assert_null(tracefs_format("sched", "sched_proces_exec"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(tracefs_format("nosuchsystem", "x"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(tracefs_format("..", "sched"));
	assert_int_equal(errno, ENOENT);
	assert_null(tracefs_format("sched/../sched", "sched_switch"));
}

struct collect {
	char names[1024][96];
	int n;
};

static void collect_one(const char *system, const char *event, void *arg)
{
	struct collect *c = arg;

	if (c->n < 1024)
		snprintf(c->names[c->n++], 96, "%s:%s", system, event);
}

static void test_list_stat(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	bool has_statx = false;
	int n;

	n = tracefs_list_events("syscalls", "sys_enter_*stat*", collect_one, c);
	assert_int_equal(n, c->n);
	assert_true(n >= 3);
	for (int i = 0; i < n; i++) {
		assert_non_null(strstr(c->names[i], "syscalls:sys_enter_"));
		assert_non_null(strstr(strchr(c->names[i], ':'), "stat"));
		if (!strcmp(c->names[i], "syscalls:sys_enter_statx"))
			has_statx = true;
		if (i)
			assert_true(strcmp(c->names[i - 1], c->names[i]) < 0);
	}
	assert_true(has_statx);
	/* no exit events, no "enable"/"filter" files */
	for (int i = 0; i < n; i++)
		assert_null(strstr(c->names[i], "sys_exit"));
	free(c);
}

static void test_list_globs(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	int n;

	n = tracefs_list_events("sched", "sched_process_*", collect_one, c);
	assert_true(n >= 4);
	assert_int_equal(
	    tracefs_list_events("sched", "sched_switch", NULL, NULL), 1);
	assert_int_equal(tracefs_list_events("nosuch*", "*", NULL, NULL), 0);
	assert_int_equal(tracefs_list_events("sched", "enable", NULL, NULL), 0);
	/* across systems, sorted by system then event */
	c->n = 0;
	n = tracefs_list_events("s*", "*switch*", collect_one, c);
	assert_true(n >= 1);
	for (int i = 1; i < c->n; i++)
		assert_true(strcmp(c->names[i - 1], c->names[i]) < 0);
	free(c);
}

static void test_suggest(void **state)
{
	const char *s = tracefs_suggest("sched", "sched_proces_exec");

	assert_non_null(s);
	assert_string_equal(s, "sched:sched_process_exec");
	s = tracefs_suggest(NULL, "sched_swich");
	assert_non_null(s);
	assert_string_equal(s, "sched:sched_switch");
	s = tracefs_suggest("syscalls", "sys_enter_opnat");
	assert_non_null(s);
	assert_string_equal(s, "syscalls:sys_enter_openat");
	assert_null(tracefs_suggest("sched", "completely_unrelated_name"));
	assert_null(tracefs_suggest("nosuchsystem", "sched_switch"));
}

static void test_edit_distance(void **state)
{
	char a[200], b[200];

	assert_int_equal(edit_distance("", ""), 0);
	assert_int_equal(edit_distance("abc", ""), 3);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_int_equal(edit_distance("kitten", "sitting"), 3);
	assert_int_equal(
	    edit_distance("sched_proces_exec", "sched_process_exec"), 1);
	assert_int_equal(edit_distance("flaw", "lawn"), 2);
	assert_int_equal(edit_distance("same", "same"), 0);
	/* longer than the on-stack row */
	memset(a, 'a', 150);
	a[150] = '\0';
	memcpy(b, a, 151);
	b[75] = 'b';
	assert_int_equal(edit_distance(a, b), 1);
	assert_int_equal(edit_distance(a, "a"), 149);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pick_one(const char *system, const char *event, void *arg)
{
	struct collect *c = arg;

	if (c->n < 64)
		snprintf(c->names[c->n++], 96, "%s", event);
}

/* The startup budget: a format file well under 1 ms each. */
static void test_speed(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	double t0, per;

	tracefs_list_events("syscalls", "sys_exit_*", pick_one, c);
	assert_true(c->n >= 32);
	t0 = now_ms();
	for (int i = 0; i < c->n; i++)
		assert_non_null(tracefs_format("syscalls", c->names[i]));
	per = (now_ms() - t0) / c->n;
	print_message("%.3f ms per format file (%d files)\n", per, c->n);
	assert_true(per < 0.5);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_sys_enter_read),
	    cmocka_unit_test(test_openat_pointer),
	    cmocka_unit_test(test_process_exec_data_loc),
	    cmocka_unit_test(test_sched_switch_arrays),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_list_stat),
	    cmocka_unit_test(test_list_globs),
	    cmocka_unit_test(test_suggest),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, setup_root, NULL);
}
