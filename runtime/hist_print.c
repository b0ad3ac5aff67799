// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * @hist_log / @hist_linear buckets and rendering. The layout rules (range
 * widened by two empty rows, scale to 50 columns, widths, elision of zero
 * runs with a "~" mark) are stap's, so that reports diff clean against
 * stap's output.
 */
#include "runtime/hist_print.h"

/* Characters %lld needs for v: a '-' counts as one. */
static int hist_digits(int64_t v)
{
	uint64_t u;
	int n = 0;

	if (v == 0)
		return 1;
	if (v < 0) {
		n++;
		u = 0 - (uint64_t)v;
	} else {
		u = (uint64_t)v;
	}
	for (; u; u /= 10)
		n++;
	return n;
}

static int hist_floor_log2(uint64_t u)
{
	int n = -1;

	for (; u; u >>= 1)
		n++;
	return n;
}

int hist_log_bucket(int64_t v)
{
	int b;

	if (v == 0)
		return HIST_LOG_BUCKET0;
	if (v > 0)
		b = HIST_LOG_BUCKET0 + 1 + hist_floor_log2((uint64_t)v);
	else
		b = HIST_LOG_BUCKET0 - 1 -
		    hist_floor_log2(0 - (uint64_t)v);
	if (b < 0)
		b = 0;
	if (b > HIST_LOG_BUCKETS - 1)
		b = HIST_LOG_BUCKETS - 1;
	return b;
}

int64_t hist_log_label(int bucket)
{
	if (bucket == HIST_LOG_BUCKET0)
		return 0;
	/* -2^(63 - bucket); bucket 0 is INT64_MIN */
	if (bucket < HIST_LOG_BUCKET0)
		return (int64_t)(0 - (UINT64_C(1) << (63 - bucket)));
	return (int64_t)(UINT64_C(1) << (bucket - HIST_LOG_BUCKET0 - 1));
}

int hist_linear_bucket(const struct hist_shape *h, int64_t v)
{
	int64_t d = (int64_t)((uint64_t)v - (uint64_t)h->low);
	uint64_t b;

	if (d < 0)
		return 0;
	b = (uint64_t)d / (uint64_t)h->width + 1;
	if (b >= (uint64_t)h->nbuckets - 1)
		b = (uint64_t)h->nbuckets - 1;
	return (int)b;
}

int hist_linear_nbuckets(int64_t low, int64_t high, int64_t width)
{
	int64_t n;

	if (width <= 0)
		return -1;
	n = (high - low) / width;
	if (n < 1 || n > HIST_LOG_BUCKETS - 2)
		return -1;
	return (int)n + 3;
}

static int64_t hist_row_label(const struct hist_shape *h, int i,
			      const char **prefix)
{
	*prefix = "";
	if (!h->linear)
		return hist_log_label(i);
	if (i == 0) {
		*prefix = "<";
		return h->low;
	}
	if (i == h->nbuckets - 1) {
		*prefix = ">";
		return h->low + (int64_t)(i - 2) * h->width;
	}
	return h->low + (int64_t)(i - 1) * h->width;
}

/* Is every bucket within n of i (inside [lo, hi]) zero? */
static bool hist_row_elided(const int64_t *b, int i, int lo, int hi,
			    int64_t n)
{
	int from = i - n > lo ? (int)(i - n) : lo;
	int to = i + n < hi ? (int)(i + n) : hi;

	for (int k = from; k <= to; k++)
		if (b[k] != 0)
			return false;
	return true;
}

static void hist_pad(struct strbuf *sb, char c, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		strbuf_addc(sb, c);
}

void hist_render(struct strbuf *sb, const struct hist_shape *h,
		 const int64_t *b, int64_t elision)
{
	int lo = -1, hi = 0, vspace, cspace;
	int64_t maxc = 0, scale;
	bool under = false, over = false, eliding = false;

	for (int i = 0; i < h->nbuckets; i++) {
		if (b[i] > 0 && lo < 0)
			lo = i;
		if (b[i] > 0)
			hi = i;
		if (b[i] > maxc)
			maxc = b[i];
	}
	if (lo < 0)
		return;
	/* two empty rows either side; a log histogram does not reach into
	 * negative buckets unless it has negative values */
	for (int k = 0; k < 2; k++) {
		if (lo > 0 && (h->linear || lo != HIST_LOG_BUCKET0))
			lo--;
		if (hi < h->nbuckets - 1)
			hi++;
	}
	if (h->linear) {
		if (lo == 0 && b[0] == 0)
			lo++;
		if (hi == h->nbuckets - 1 && b[hi] == 0)
			hi--;
		under = lo == 0;
		over = hi == h->nbuckets - 1;
	}
	scale = maxc <= HIST_WIDTH ? 1 : (maxc + HIST_WIDTH - 1) / HIST_WIDTH;
	cspace = hist_digits(maxc);
	if (h->linear) {
		int a = hist_digits(h->low) + under;
		int c = hist_digits(h->low + h->width * hi) + over;

		vspace = a > c ? a : c;
	} else {
		int a = hist_digits(hist_log_label(lo));
		int c = hist_digits(hist_log_label(hi));

		vspace = a > c ? a : c;
	}
	if (vspace < 5)
		vspace = 5;

	strbuf_addf(sb, "%*s |", vspace, "value");
	hist_pad(sb, '-', HIST_WIDTH);
	strbuf_addf(sb, " count\n");
	for (int i = lo; i <= hi; i++) {
		const char *prefix;
		int64_t label, bar;

		if (elision >= 0) {
			int64_t n = elision < h->nbuckets ? elision
							  : h->nbuckets;

			if (hist_row_elided(b, i, lo, hi, n)) {
				eliding = true;
				continue;
			}
			if (eliding) {
				hist_pad(sb, ' ', vspace);
				strbuf_addf(sb, " ~\n");
				eliding = false;
			}
		}
		label = hist_row_label(h, i, &prefix);
		strbuf_addf(sb, "%*s%lld |", vspace - hist_digits(label), prefix,
			    (long long)label);
		bar = b[i] / scale;
		hist_pad(sb, '@', bar);
		strbuf_addf(sb, "%*lld\n", (int)(HIST_WIDTH - bar + 1 + cspace),
			    (long long)b[i]);
	}
	strbuf_addc(sb, '\n');
}
