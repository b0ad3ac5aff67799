// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * @hist_log / @hist_linear rendering, byte for byte. Every expected text
 * below was worked out by hand from stap's layout rules (range widened by
 * two rows, scale to 50 columns, label and count widths, elision), not
 * taken from etap's own output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/hist_print.h"

static const char golden_log_4096[] =
	"value |-------------------------------------------------- count\n"
	" 1024 |                                                      0\n"
	" 2048 |                                                      0\n"
	" 4096 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1000\n"
	" 8192 |                                                      0\n"
	"16384 |                                                      0\n"
	"\n";

static const char golden_log_zero[] =
	"value |-------------------------------------------------- count\n"
	"    0 |@                                                  1\n"
	"    1 |                                                   0\n"
	"    2 |                                                   0\n"
	"\n";

static const char golden_log_one[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                   0\n"
	"    1 |@@@                                                3\n"
	"    2 |                                                   0\n"
	"    4 |                                                   0\n"
	"\n";

static const char golden_log_scaled[] =
	"value |-------------------------------------------------- count\n"
	"    2 |                                                     0\n"
	"    4 |                                                     0\n"
	"    8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 100\n"
	"   16 |                                                     0\n"
	"   32 |                                                     0\n"
	"   64 |@@@@@@@@@@@@@@@                                     30\n"
	"  128 |                                                     0\n"
	"  256 |                                                     0\n"
	"\n";

static const char golden_log_gap[] =
	"  value |-------------------------------------------------- count\n"
	"      0 |                                                   0\n"
	"      1 |@                                                  1\n"
	"      2 |                                                   0\n"
	"      4 |                                                   0\n"
	"        ~\n"
	" 262144 |                                                   0\n"
	" 524288 |                                                   0\n"
	"1048576 |@                                                  1\n"
	"2097152 |                                                   0\n"
	"4194304 |                                                   0\n"
	"\n";

static const char golden_log_elide0[] =
	"value |-------------------------------------------------- count\n"
	"      ~\n"
	"    1 |@                                                  1\n"
	"      ~\n"
	"   16 |@                                                  1\n"
	"\n";

static const char golden_log_noelide[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                   0\n"
	"    1 |@                                                  1\n"
	"    2 |                                                   0\n"
	"    4 |                                                   0\n"
	"    8 |                                                   0\n"
	"   16 |                                                   0\n"
	"   32 |                                                   0\n"
	"   64 |                                                   0\n"
	"  128 |                                                   0\n"
	"  256 |@                                                  1\n"
	"  512 |                                                   0\n"
	" 1024 |                                                   0\n"
	"\n";

static const char golden_log_gap_small[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                   0\n"
	"    1 |@                                                  1\n"
	"    2 |                                                   0\n"
	"    4 |                                                   0\n"
	"      ~\n"
	"   64 |                                                   0\n"
	"  128 |                                                   0\n"
	"  256 |@                                                  1\n"
	"  512 |                                                   0\n"
	" 1024 |                                                   0\n"
	"\n";

static const char golden_log_neg[] =
	"value |-------------------------------------------------- count\n"
	"  -16 |                                                   0\n"
	"   -8 |                                                   0\n"
	"   -4 |@                                                  1\n"
	"   -2 |                                                   0\n"
	"   -1 |@@                                                 2\n"
	"    0 |                                                   0\n"
	"    1 |                                                   0\n"
	"\n";

static const char golden_log_negpos[] =
	"value |-------------------------------------------------- count\n"
	"-2048 |                                                   0\n"
	"-1024 |                                                   0\n"
	" -512 |@                                                  1\n"
	" -256 |                                                   0\n"
	" -128 |                                                   0\n"
	"      ~\n"
	"   -2 |                                                   0\n"
	"   -1 |                                                   0\n"
	"    0 |@@                                                 2\n"
	"    1 |                                                   0\n"
	"    2 |                                                   0\n"
	"      ~\n"
	"  128 |                                                   0\n"
	"  256 |                                                   0\n"
	"  512 |@                                                  1\n"
	" 1024 |                                                   0\n"
	" 2048 |                                                   0\n"
	"\n";

static const char golden_lin_under_over[] =
	"value |-------------------------------------------------- count\n"
	"   <0 |@                                                  1\n"
	"    0 |                                                   0\n"
	"   10 |                                                   0\n"
	"      ~\n"
	"   30 |                                                   0\n"
	"   40 |                                                   0\n"
	"   50 |@@@                                                3\n"
	"   60 |                                                   0\n"
	"   70 |                                                   0\n"
	"      ~\n"
	"   90 |                                                   0\n"
	"  100 |                                                   0\n"
	" >100 |@@                                                 2\n"
	"\n";

static const char golden_lin_middle[] =
	"value |-------------------------------------------------- count\n"
	"   30 |                                                   0\n"
	"   40 |                                                   0\n"
	"   50 |@                                                  1\n"
	"   60 |                                                   0\n"
	"   70 |                                                   0\n"
	"\n";

static const char golden_lin_low_edge[] =
	"value |-------------------------------------------------- count\n"
	"    0 |@                                                  1\n"
	"   10 |                                                   0\n"
	"   20 |                                                   0\n"
	"\n";

static const char golden_lin_high_edge[] =
	"value |-------------------------------------------------- count\n"
	"   70 |                                                   0\n"
	"   80 |                                                   0\n"
	"   90 |@                                                  1\n"
	"  100 |                                                   0\n"
	"\n";

static const char golden_log_million[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                         0\n"
	"    1 |                                                         0\n"
	"    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1000000\n"
	"    4 |                                                         0\n"
	"    8 |                                                         0\n"
	"\n";

static const char golden_lin_negative[] =
	"value |-------------------------------------------------- count\n"
	" <-50 |@                                                  1\n"
	"  -50 |@                                                  1\n"
	"  -25 |                                                   0\n"
	"    0 |                                                   0\n"
	"   25 |@                                                  1\n"
	"   50 |                                                   0\n"
	"\n";

static const char golden_log_wide[] =
	"        value |-------------------------------------------------- count\n"
	" 274877906944 |                                                   0\n"
	" 549755813888 |                                                   0\n"
	"1099511627776 |@                                                  1\n"
	"2199023255552 |                                                   0\n"
	"4398046511104 |                                                   0\n"
	"\n";

static const char golden_log_scale2[] =
	"value |-------------------------------------------------- count\n"
	"    1 |                                                    0\n"
	"    2 |                                                    0\n"
	"    4 |@@@@@@@@@@@@@@@@@@@@@@@@@                          51\n"
	"    8 |                                                    0\n"
	"   16 |                                                    0\n"
	"\n";

static const char golden_log_elide1[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                   0\n"
	"    1 |@                                                  1\n"
	"    2 |                                                   0\n"
	"      ~\n"
	"   32 |                                                   0\n"
	"   64 |@                                                  1\n"
	"  128 |                                                   0\n"
	"\n";

static const char golden_log_fifty[] =
	"value |-------------------------------------------------- count\n"
	"    0 |                                                    0\n"
	"    1 |                                                    0\n"
	"    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 50\n"
	"    4 |                                                    0\n"
	"    8 |                                                    0\n"
	"\n";

static const char golden_lin_over_only[] =
	"value |-------------------------------------------------- count\n"
	"    0 |@                                                  1\n"
	"  500 |                                                   0\n"
	" 1000 |                                                   0\n"
	">1000 |@                                                  1\n"
	"\n";

static const char golden_log_extremes[] =
	"               value |-------------------------------------------------- count\n"
	"-9223372036854775808 |@                                                  1\n"
	"-4611686018427387904 |                                                   0\n"
	"-2305843009213693952 |                                                   0\n"
	"                     ~\n"
	" 1152921504606846976 |                                                   0\n"
	" 2305843009213693952 |                                                   0\n"
	" 4611686018427387904 |@                                                  1\n"
	"\n";

static const char golden_log_minus_one[] =
	"value |-------------------------------------------------- count\n"
	"   -4 |                                                   0\n"
	"   -2 |                                                   0\n"
	"   -1 |@                                                  1\n"
	"    0 |                                                   0\n"
	"    1 |                                                   0\n"
	"\n";

static const struct hist_shape log_shape = { .linear = false,
					     .nbuckets = HIST_LOG_BUCKETS };

/* Samples as (value, times) pairs, ended by times == 0. */
struct sample {
	int64_t v;
	int64_t n;
};

static void check(const struct hist_shape *h, const struct sample *s,
		  int64_t elision, const char *want)
{
	int64_t b[HIST_LOG_BUCKETS] = { 0 };
	struct strbuf sb;

	for (; s->n; s++)
		b[h->linear ? hist_linear_bucket(h, s->v)
			    : hist_log_bucket(s->v)] += s->n;
	strbuf_init(&sb);
	hist_render(&sb, h, b, elision);
	strbuf_addc(&sb, '\0');
	assert_string_equal(sb.buf, want);
	strbuf_free(&sb);
}

static struct hist_shape linear(int64_t low, int64_t high, int64_t width)
{
	struct hist_shape h = { .linear = true, .low = low, .width = width };

	h.nbuckets = hist_linear_nbuckets(low, high, width);
	return h;
}

#define LOG(name, el, ...)                                                   \
	static void test_##name(void **state)                                \
	{                                                                    \
		const struct sample s[] = { __VA_ARGS__, { 0, 0 } };         \
		(void)state;                                                 \
		check(&log_shape, s, el, golden_##name);                     \
	}
#define LIN(name, lo, hi, w, el, ...)                                        \
	static void test_##name(void **state)                                \
	{                                                                    \
		const struct sample s[] = { __VA_ARGS__, { 0, 0 } };         \
		struct hist_shape h = linear(lo, hi, w);                     \
		(void)state;                                                 \
		check(&h, s, el, golden_##name);                             \
	}

LOG(log_4096, 2, { 4096, 1000 })
LOG(log_zero, 2, { 0, 1 })
LOG(log_one, 2, { 1, 3 })
LOG(log_scaled, 2, { 8, 100 }, { 64, 30 })
LOG(log_gap, 2, { 1, 1 }, { 1048576, 1 })
LOG(log_elide0, 0, { 1, 1 }, { 16, 1 })
LOG(log_noelide, -1, { 1, 1 }, { 256, 1 })
LOG(log_gap_small, 2, { 1, 1 }, { 256, 1 })
LOG(log_neg, 2, { -1, 2 }, { -4, 1 })
LOG(log_negpos, 2, { -1000, 1 }, { 0, 2 }, { 1000, 1 })
LIN(lin_under_over, 0, 100, 10, 2, { -5, 1 }, { 55, 3 }, { 150, 2 })
LIN(lin_middle, 0, 100, 10, 2, { 55, 1 })
LIN(lin_low_edge, 0, 100, 10, 2, { 5, 1 })
LIN(lin_high_edge, 0, 100, 10, 2, { 95, 1 })
LOG(log_million, 2, { 3, 1000000 })
LIN(lin_negative, -50, 50, 25, 2, { -51, 1 }, { -50, 1 }, { 49, 1 })
LOG(log_wide, 2, { INT64_C(1) << 40, 1 })
LOG(log_scale2, 2, { 7, 51 })
LOG(log_elide1, 1, { 1, 1 }, { 64, 1 })
LOG(log_fifty, 2, { 2, 50 })
LIN(lin_over_only, 0, 1000, 500, 2, { 0, 1 }, { 5000, 1 })
LOG(log_extremes, 2, { INT64_MIN, 1 }, { INT64_MAX, 1 })
LOG(log_minus_one, 2, { -1, 1 })

/* An elision wider than the histogram elides nothing. */
static void test_log_elision_huge(void **state)
{
	const struct sample s[] = { { 1, 1 }, { 256, 1 }, { 0, 0 } };

	(void)state;
	check(&log_shape, s, 1000, golden_log_noelide);
}

static void test_buckets(void **state)
{
	struct hist_shape h = linear(0, 100, 10);

	(void)state;
	assert_int_equal(hist_log_bucket(0), 64);
	assert_int_equal(hist_log_bucket(1), 65);
	assert_int_equal(hist_log_bucket(4095), 65 + 11);
	assert_int_equal(hist_log_bucket(4096), 65 + 12);
	assert_int_equal(hist_log_bucket(-1), 63);
	assert_int_equal(hist_log_bucket(-3), 62);
	assert_int_equal(hist_log_bucket(INT64_MAX), 127);
	assert_int_equal(hist_log_bucket(INT64_MIN), 0);
	assert_true(hist_log_label(0) == INT64_MIN);
	assert_int_equal(hist_log_label(63), -1);
	assert_int_equal(hist_log_label(77), 4096);
	assert_int_equal(h.nbuckets, 13);
	assert_int_equal(hist_linear_bucket(&h, -1), 0);
	assert_int_equal(hist_linear_bucket(&h, 0), 1);
	assert_int_equal(hist_linear_bucket(&h, 99), 10);
	assert_int_equal(hist_linear_bucket(&h, 100), 11);
	assert_int_equal(hist_linear_bucket(&h, 110), 12);
	assert_int_equal(hist_linear_bucket(&h, INT64_MAX), 12);
	assert_int_equal(hist_linear_bucket(&h, INT64_MIN), 0);
	assert_int_equal(hist_linear_nbuckets(0, 126, 1), 129);
	assert_int_equal(hist_linear_nbuckets(0, 127, 1), -1);
	assert_int_equal(hist_linear_nbuckets(0, 0, 1), -1);
	assert_int_equal(hist_linear_nbuckets(0, 10, 0), -1);
	assert_int_equal(hist_linear_nbuckets(0, 10, -1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_log_4096),
		cmocka_unit_test(test_log_zero),
		cmocka_unit_test(test_log_one),
		cmocka_unit_test(test_log_scaled),
		cmocka_unit_test(test_log_gap),
		cmocka_unit_test(test_log_elide0),
		cmocka_unit_test(test_log_noelide),
		cmocka_unit_test(test_log_gap_small),
		cmocka_unit_test(test_log_neg),
		cmocka_unit_test(test_log_negpos),
		cmocka_unit_test(test_lin_under_over),
		cmocka_unit_test(test_lin_middle),
		cmocka_unit_test(test_lin_low_edge),
		cmocka_unit_test(test_lin_high_edge),
		cmocka_unit_test(test_log_million),
		cmocka_unit_test(test_lin_negative),
		cmocka_unit_test(test_log_wide),
		cmocka_unit_test(test_log_scale2),
		cmocka_unit_test(test_log_elide1),
		cmocka_unit_test(test_log_fifty),
		cmocka_unit_test(test_lin_over_only),
		cmocka_unit_test(test_log_extremes),
		cmocka_unit_test(test_log_minus_one),
		cmocka_unit_test(test_log_elision_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
