// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * printf formatting: where stap follows C, compare against snprintf over
 * many flag/width/precision/value combinations; where stap's runtime
 * differs from C, pin its behaviour with explicit cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/printf_fmt.h"

static struct fmt_arg num(int64_t v)
{
	return (struct fmt_arg){.l = v};
}

static struct fmt_arg str(const char *s)
{
	return (struct fmt_arg){.is_string = true, .s = s};
}

/* Format with fmt and args; returns the malloc'd output in *out. */
static size_t format(const char *f, const struct fmt_arg *args, int nargs,
		     char **out)
{
	struct fmt pf;
	struct strbuf sb;
	const char *err = NULL;
	int pos = -1;
	size_t n;

	assert_int_equal(fmt_parse(f, &pf, &err, &pos), 0);
	assert_int_equal(pf.nargs, nargs);
	strbuf_init(&sb);
	fmt_format(&sb, &pf, args);
	fmt_free(&pf);
	*out = malloc(sb.len + 1);
	memcpy(*out, sb.buf, sb.len + 1);
	n = sb.len;
	strbuf_free(&sb);
	return n;
}

#define CHECK(expect, f, ...)                                                  \
	do {                                                                   \
		struct fmt_arg a_[] = {__VA_ARGS__};                           \
		char *o_;                                                      \
		size_t n_ = format(f, a_, sizeof(a_) / sizeof(a_[0]), &o_);    \
		assert_string_equal(o_, expect);                               \
		assert_int_equal(n_, strlen(expect));                          \
		free(o_);                                                      \
	} while (0)

static void check0(const char *expect, const char *f)
{
	char *o;

	format(f, NULL, 0, &o);
	assert_string_equal(o, expect);
	free(o);
}

static void test_literals(void **state)
{
	check0("", "");
	check0("hello", "hello");
	check0("100%", "100%%");
	check0("%%", "%%%%");
	check0("a%b\n", "a%%b\n");
}

static const int64_t values[] = {
    0,	       1,	  -1,	      7,	 8,	    42,
    -42,       255,	  256,	      1234567,	 -987654,   0x7f,
    INT32_MAX, INT32_MIN, UINT32_MAX, INT64_MAX, INT64_MIN, INT64_MIN + 1,
};

/* Does stap's runtime print this the way C does? */
static bool same_as_c(char conv, const char *flags, int width, int prec,
		      int64_t v)
{
	bool zero = strchr(flags, '0'), alt = strchr(flags, '#');

	if (prec >= 0 && zero && !strchr(flags, '-'))
		return false; /* stap keeps zero padding */
	if (prec == 0 && v == 0)
		return false; /* stap prints "0" */
	if (alt && conv == 'o')
		return false; /* stap always prefixes 0 */
	if (alt && (conv == 'x' || conv == 'X') && v == 0)
		return false; /* stap prints 0x0 */
	if (alt && strchr("diu", conv))
		return false; /* undefined in C */
	(void)width;
	return true;
}

/* Format v with stap's conversion and with C's "ll" equivalent. */
static bool check_number(char conv, const char *fl, int w, int p, int64_t v)
{
	char sf[64], cf[64], ws[16] = "", ps[16] = "", want[128], *got;
	struct fmt_arg a = num(v);

	if (!same_as_c(conv, fl, w, p, v))
		return false;
	if (w >= 0)
		snprintf(ws, sizeof(ws), "%d", w);
	if (p >= 0)
		snprintf(ps, sizeof(ps), ".%d", p);
	snprintf(sf, sizeof(sf), "%%%s%s%s%c", fl, ws, ps, conv);
	snprintf(cf, sizeof(cf), "%%%s%s%sll%c", fl, ws, ps, conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strchr("di", conv))
		snprintf(want, sizeof(want), cf, (long long)v);
	else
		snprintf(want, sizeof(want), cf, (unsigned long long)v);
#pragma GCC diagnostic pop
	format(sf, &a, 1, &got);
	if (strcmp(got, want))
		fail_msg("%s of %lld: got '%s', C '%s'", sf, (long long)v, got,
			 want);
	free(got);
	return true;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_numbers_vs_snprintf(void **state)
{
	static const char *flagsets[] = {
	    "",	  "-",	"0",  "+",  " ",  "#",	"-0",	 "+0",
	    "-+", "- ", "+ ", "0 ", "#0", "-#", "#0-+ ", "00",
	};
	static const int widths[] = {-1, 0, 1, 3, 8, 21, 30};
	static const int precs[] = {-1, 0, 1, 4, 19, 25};
	static const char convs[] = "diuoxX";
	int checked = 0;

	for (const char *c = convs; *c; c++)
		for (size_t f = 0; f < NELEM(flagsets); f++)
			for (size_t w = 0; w < NELEM(widths); w++)
				for (size_t p = 0; p < NELEM(precs); p++)
					for (size_t v = 0; v < NELEM(values);
					     v++)
						checked += check_number(
						    *c, flagsets[f], widths[w],
						    precs[p], values[v]);
	assert_true(checked > 20000);
}

static void check_string(const char *s, const char *fl, int w, int p)
{
	char sf[64], ws[16] = "", ps[16] = "", want[128], *got;
	struct fmt_arg a = str(s);

	if (w >= 0)
		snprintf(ws, sizeof(ws), "%d", w);
	if (p >= 0)
		snprintf(ps, sizeof(ps), ".%d", p);
	snprintf(sf, sizeof(sf), "[%%%s%s%ss]", fl, ws, ps);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(want, sizeof(want), sf, s);
#pragma GCC diagnostic pop
	format(sf, &a, 1, &got);
	assert_string_equal(got, want);
	free(got);
}

static void test_strings_vs_snprintf(void **state)
{
	static const char *strs[] = {"", "a", "hello", "hello, world!"};
	static const char *flagsets[] = {"", "-"};
	/* no width 0: "%0s" is the 0 flag, which appends a NUL */
	static const int widths[] = {-1, 1, 2, 5, 13, 20};
	static const int precs[] = {-1, 0, 1, 5, 40};

	for (size_t s = 0; s < NELEM(strs); s++)
		for (size_t f = 0; f < NELEM(flagsets); f++)
			for (size_t w = 0; w < NELEM(widths); w++)
				for (size_t p = 0; p < NELEM(precs); p++)
					check_string(strs[s], flagsets[f],
						     widths[w], precs[p]);
}

static void test_chars_vs_snprintf(void **state)
{
	static const char *fmts[] = {"%c", "%5c", "%-5c", "%1c", "[%-3c]"};

	for (size_t i = 0; i < 5; i++)
		for (int ch = 'A'; ch < 'A' + 5; ch++) {
			char want[32], *got;
			struct fmt_arg a = num(ch);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(want, sizeof(want), fmts[i], ch);
#pragma GCC diagnostic pop
			format(fmts[i], &a, 1, &got);
			assert_string_equal(got, want);
			free(got);
		}
}

static void test_edges(void **state)
{
	CHECK("-9223372036854775808", "%d", num(INT64_MIN));
	CHECK("9223372036854775807", "%i", num(INT64_MAX));
	CHECK("18446744073709551615", "%u", num(-1));
	CHECK("9223372036854775808", "%u", num(INT64_MIN));
	CHECK("ffffffffffffffff", "%x", num(-1));
	CHECK("FFFFFFFFFFFFFFD6", "%X", num(-42));
	CHECK("1777777777777777777777", "%o", num(-1));
	CHECK("8000000000000000", "%x", num(INT64_MIN));
	CHECK("+0", "%+d", num(0));
	CHECK(" 0", "% d", num(0));
	CHECK("-0000042", "%08d", num(-42));
	CHECK("-42     |", "%-08d|", num(-42));
}

/* Where stap's runtime parts ways with C printf. */
static void test_stap_differences(void **state)
{
	CHECK("0x0", "%#x", num(0));
	CHECK("0X0", "%#X", num(0));
	CHECK("00", "%#o", num(0));
	CHECK("010", "%#o", num(8));
	CHECK("00010", "%#.4o", num(8));
	CHECK("0", "%.0d", num(0));
	CHECK("0", "%.0x", num(0));
	CHECK("00000005", "%08.3d", num(5));
	CHECK("-0000005", "%08.3d", num(-5));
	CHECK("005     |", "%-08.3d|", num(5));
	CHECK("005     |", "%-8.3d|", num(5));
}

static void test_pointer(void **state)
{
	CHECK("0x1234", "%p", num(0x1234));
	CHECK("0x0", "%p", num(0));
	CHECK("0xffffffffffffffff", "%p", num(-1));
	CHECK("    0x1234", "%10p", num(0x1234));
	CHECK("0x1234    |", "%-10p|", num(0x1234));
	CHECK("0x00001234", "%010p", num(0x1234));
	CHECK("0x00001234", "%.8p", num(0x1234));
	CHECK("0xffffffff81000000", "%p", num((int64_t)0xffffffff81000000ULL));
}

static void test_char(void **state)
{
	CHECK("A", "%c", num('A'));
	CHECK("A", "%c", num(0x141)); /* the low byte */
	CHECK("    A", "%05c", num('A'));
	CHECK("\\n", "%#c", num('\n'));
	CHECK("\\\\", "%#c", num('\\'));
	CHECK("\\'", "%#c", num('\''));
	CHECK("\\001", "%#c", num(1));
	CHECK("\\377", "%#c", num(0xff));
	CHECK("  \\t", "%#4c", num('\t'));
	CHECK("x", "%#c", num('x'));
	{
		struct fmt_arg a = num(0);
		char *o;

		assert_int_equal(format("%c", &a, 1, &o), 1);
		assert_int_equal(o[0], '\0');
		free(o);
	}
}

static void test_string_special(void **state)
{
	CHECK("a\\tb\\n", "%#s", str("a\tb\n"));
	CHECK("   a\\\\", "%#6s", str("a\\"));
	CHECK("", "%s", (struct fmt_arg){.is_string = true, .s = NULL});
	CHECK("hel", "%.3s", str("hello"));
	CHECK("  hel", "%5.3s", str("hello"));
	{
		struct fmt_arg a = str("ab");
		char *o;

		/* %0s: NUL-terminated, for binary output. */
		assert_int_equal(format("%0s", &a, 1, &o), 3);
		assert_memory_equal(o, "ab\0", 3);
		free(o);
		assert_int_equal(format("%04s", &a, 1, &o), 5);
		assert_memory_equal(o, "  ab\0", 5);
		free(o);
	}
}

static void check_binary(const char *f, int64_t v, const void *expect, size_t n)
{
	struct fmt_arg a = num(v);
	char *o;

	assert_int_equal(format(f, &a, 1, &o), n);
	assert_memory_equal(o, expect, n);
	free(o);
}

static void test_binary(void **state)
{
	int64_t v = 0x0102030405060708LL;
	uint32_t v4 = 0x05060708;
	uint16_t v2 = 0x0708;
	uint8_t v1 = 0x08;
	char buf[16];

	check_binary("%b", v, &v, 8);
	check_binary("%8b", v, &v, 8);
	check_binary("%4b", v, &v4, 4);
	check_binary("%2b", v, &v2, 2);
	check_binary("%1b", v, &v1, 1);
	check_binary("%.4b", v, &v4, 4);
	/* width 3 is no size: 8 bytes, no padding */
	check_binary("%3b", v, &v, 8);
	/* precision picks the size, a wider width pads with NULs */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 4, &v4, 4);
	check_binary("%8.4b", v, buf, 8);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &v4, 4);
	check_binary("%-8.4b", v, buf, 8);
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 8, &v, 8);
	check_binary("%16b", v, buf, 16);
	check_binary("%.3b", v, &v, 8);
}

static void test_star(void **state)
{
	CHECK("   42", "%*d", num(5), num(42));
	CHECK("42   |", "%*d|", num(-5), num(42));
	CHECK("00042", "%.*d", num(5), num(42));
	CHECK("  00042", "%*.*d", num(7), num(5), num(42));
	CHECK("he", "%.*s", num(2), str("hello"));
	/* negative precision from '*' is 0, as stap clamps it */
	CHECK("", "%.*s", num(-1), str("hello"));
	CHECK("42", "%*d", num(0), num(42));
	{
		struct fmt pf;
		const char *err;
		int pos;

		assert_int_equal(fmt_parse("%*.*s %d", &pf, &err, &pos), 0);
		assert_int_equal(pf.nargs, 4);
		assert_false(pf.arg_is_string[0]);
		assert_false(pf.arg_is_string[1]);
		assert_true(pf.arg_is_string[2]);
		assert_false(pf.arg_is_string[3]);
		fmt_free(&pf);
	}
}

static void test_width_caps(void **state)
{
	struct fmt_arg a[2] = {num(INT64_MAX), num(1)};
	struct fmt_arg m[2] = {num(INT64_MIN), num(1)};
	struct fmt_arg b = num(1);
	char *o;

	assert_int_equal(format("%*d", a, 2, &o), FMT_MAX_WIDTH);
	free(o);
	assert_int_equal(format("%*d", m, 2, &o), FMT_MAX_WIDTH);
	assert_int_equal(o[0], '1');
	free(o);
	assert_int_equal(format("%99999999999999999999d", &b, 1, &o),
			 FMT_MAX_WIDTH);
	free(o);
	assert_int_equal(format("%.100000d", &b, 1, &o), FMT_MAX_WIDTH);
	free(o);
}

static void test_length_modifiers(void **state)
{
	CHECK("-1 18446744073709551615 ff 7", "%ld %llu %lx %hd", num(-1),
	      num(-1), num(255), num(7));
	CHECK("5 6 7", "%zu %jd %Li", num(5), num(6), num(7));
	CHECK("4294967296", "%hhu", num(1LL << 32));
}

static void test_mixed(void **state)
{
	CHECK("pid 42 comm bash: 0x2a\n", "pid %d comm %s: %p\n", num(42),
	      str("bash"), num(42));
	CHECK("[  abc][-7  ][%]", "[%5s][%-4d][%%]", str("abc"), num(-7));
}

static void check_error(const char *f, const char *msg, int pos)
{
	struct fmt pf;
	const char *err = NULL;
	int errpos = -1;

	assert_int_equal(fmt_parse(f, &pf, &err, &errpos), -1);
	assert_non_null(err);
	if (msg)
		assert_non_null(strstr(err, msg));
	assert_int_equal(errpos, pos);
	assert_null(pf.segs);
	assert_int_equal(pf.nargs, 0);
}

static void test_errors(void **state)
{
	check_error("%", "incomplete", 0);
	check_error("abc %", "incomplete", 4);
	check_error("%d %-5", "incomplete", 3);
	check_error("%5.", "incomplete", 0);
	check_error("x %q", "invalid", 2);
	check_error("%d %y %d", "invalid", 3);
	check_error("%f", "invalid", 0);
	check_error("%n", "invalid", 0);
	check_error("%m", "%m", 0);
	check_error("ab %M", "%M", 3);
	check_error("%lq", "invalid", 0);
}

static void test_segments(void **state)
{
	struct fmt pf;
	const char *err;
	int pos;

	assert_int_equal(fmt_parse("a%%b%-+08.3xc", &pf, &err, &pos), 0);
	assert_int_equal(pf.nsegs, 3);
	assert_int_equal(pf.segs[0].conv, FMT_LITERAL);
	assert_int_equal(pf.segs[0].textlen, 3);
	assert_memory_equal(pf.segs[0].text, "a%b", 3);
	assert_int_equal(pf.segs[1].conv, FMT_HEX);
	assert_true(pf.segs[1].left && pf.segs[1].plus && pf.segs[1].zero);
	assert_false(pf.segs[1].space || pf.segs[1].alt);
	assert_int_equal(pf.segs[1].width, 8);
	assert_int_equal(pf.segs[1].prec, 3);
	assert_int_equal(pf.segs[2].conv, FMT_LITERAL);
	assert_int_equal(pf.nargs, 1);
	fmt_free(&pf);
}

static void test_strbuf(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_reset(&sb);
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	assert_string_equal(sb.buf + sb.len - 4, "999,");
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_addf(&sb, "%0300d", 7);
	assert_int_equal(sb.len, 300);
	strbuf_addc(&sb, 'x');
	strbuf_addpad(&sb, '-', 3);
	strbuf_add(&sb, "yz", 2);
	assert_string_equal(sb.buf + 300, "x---yz");
	strbuf_free(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literals),
	    cmocka_unit_test(test_numbers_vs_snprintf),
	    cmocka_unit_test(test_strings_vs_snprintf),
	    cmocka_unit_test(test_chars_vs_snprintf),
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_stap_differences),
	    cmocka_unit_test(test_pointer),
	    cmocka_unit_test(test_char),
	    cmocka_unit_test(test_string_special),
	    cmocka_unit_test(test_binary),
	    cmocka_unit_test(test_star),
	    cmocka_unit_test(test_width_caps),
	    cmocka_unit_test(test_length_modifiers),
	    cmocka_unit_test(test_mixed),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_segments),
	    cmocka_unit_test(test_strbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
