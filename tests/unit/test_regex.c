// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The regex compiler and its table runner against glibc's regcomp/regexec
 * (REG_EXTENDED), used here as an oracle only: every pattern runs on every
 * subject, and match, overall span and every group's span must agree.
 * Random patterns over a small alphabet then look for disagreements the
 * hand-written list misses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <cmocka.h>

#include "semantic/regex.h"

static const char *patterns[] = {
	"a", "abc", "a|b", "ab|cd", "a*", "a+", "a?", "(a)", "(a)(b)",
	"(a*)(a*)", "(a|ab)(c|bcd)(d*)", "a(b*)c", "^abc", "abc$", "^$",
	"^a*$", "x*", "(a|b)*c", "((a)|b)*", "[abc]+", "[^abc]+", "[a-z]+",
	"[[:digit:]]+", "[[:alpha:]][[:alnum:]]*", "[[:space:]]+",
	"[[:upper:]]", "[[:punct:]]+", "a{2}", "a{2,}", "a{1,3}", "(ab){2}",
	"(a|b){2,3}", ".", ".*", "a.c", "a.*c", "\\.", "\\(a\\)", "a\\*",
	"(^a|b$)", "^(foo|bar)+$", "([0-9]+)\\.([0-9]+)", "(a)|(b)",
	"((a)(b))", "(a*)*", "(a*)+b", "(a|)+", "()", "(x)?y", "([ab]*)(b)",
	"(.*)/(.*)", "^([^=]+)=(.*)$", "(sys_)?(open|close)(at)?",
	"[]a]", "[a-]", "[]-b]+", "a|b|c|d", "(a+)(a+)", "(a+|b+)*",
	"(ab|a)(bc|c)", "[[:xdigit:]]{2}", "a{0}b", "a{0,1}b", "(a{2})*",
	"^.{3}$", "(a|b|c)+(c)", "[.]", "[*+?]+", "b*$", "(^|x)a",
};

static const char *subjects[] = {
	"", "a", "b", "ab", "abc", "aaa", "abcd", "xabcx", "aab", "bba",
	"foobar", "foobaz", "12.345", "a.c", "abbbc", "ac", "hello world",
	"  x ", "A1b2", "key=value=x", "/usr/bin/ls", "sys_openat",
	"close", "]a-", "a*b", "(a)", "ababab", "ccc", "xa", "abab",
	"12ab", "a+b?", "bcbc", "aaaaab", "x/y/z", "ba", "cab",
};

static void check_one(const char *pat, const struct regex_prog *rp,
		      const char *s)
{
	regex_t re;
	regmatch_t m[RX_MAXGROUPS + 1];
	int64_t tags[2 * (RX_MAXGROUPS + 1)];
	int ours, theirs;

	assert_int_equal(regcomp(&re, pat, REG_EXTENDED), 0);
	theirs = regexec(&re, s, RX_MAXGROUPS + 1, m, 0) == 0;
	ours = regex_exec(rp, s, strlen(s), tags);
	if (ours != theirs)
		fail_msg("/%s/ on \"%s\": ours %d, glibc %d", pat, s, ours,
			 theirs);
	for (int g = 0; ours && g < rp->ngroups; g++)
		if (tags[2 * g] != m[g].rm_so || tags[2 * g + 1] != m[g].rm_eo)
			fail_msg("/%s/ on \"%s\": group %d ours (%lld,%lld), "
				 "glibc (%d,%d)",
				 pat, s, g, (long long)tags[2 * g],
				 (long long)tags[2 * g + 1], (int)m[g].rm_so,
				 (int)m[g].rm_eo);
	regfree(&re);
}

static void test_patterns_against_glibc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++) {
		struct regex_error err;
		struct regex_prog *rp = regex_compile(patterns[i], &err);

		if (!rp)
			fail_msg("/%s/: %s", patterns[i], err.msg);
		assert_int_equal(rp->ngroups - 1,
				 (int)({
					 regex_t re;
					 size_t n;
					 regcomp(&re, patterns[i], REG_EXTENDED);
					 n = re.re_nsub;
					 regfree(&re);
					 n;
				 }));
		for (size_t j = 0; j < sizeof(subjects) / sizeof(*subjects); j++)
			check_one(patterns[i], rp, subjects[j]);
		regex_free(rp);
	}
}

/* Random patterns from a small grammar over {a, b}; subjects all strings
 * of a and b up to length 6. Only the match and group 0 are compared:
 * POSIX leaves glibc and this engine free to differ on subexpressions of
 * ambiguous patterns (see semantic/regex.h). */
static void gen(char *out, size_t *n, int depth, unsigned *seed)
{
	unsigned r = rand_r(seed) % (depth > 3 ? 3 : 8);

	switch (r) {
	case 0: out[(*n)++] = 'a'; break;
	case 1: out[(*n)++] = 'b'; break;
	case 2: out[(*n)++] = '.'; break;
	case 3: gen(out, n, depth + 1, seed); gen(out, n, depth + 1, seed); break;
	case 4:
		out[(*n)++] = '(';
		gen(out, n, depth + 1, seed);
		out[(*n)++] = '|';
		gen(out, n, depth + 1, seed);
		out[(*n)++] = ')';
		break;
	case 5:
		out[(*n)++] = '(';
		gen(out, n, depth + 1, seed);
		out[(*n)++] = ')';
		out[(*n)++] = "*+?"[rand_r(seed) % 3];
		break;
	case 6:
		memcpy(out + *n, "[ab]{1,2}", 9);
		*n += 9;
		break;
	default:
		/* no anchors here: glibc lets ^ match inside (^b)+ */
		out[(*n)++] = 'b';
		break;
	}
}

static void test_random_against_glibc(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int t = 0; t < 400; t++) {
		char pat[256];
		size_t n = 0;
		struct regex_error err;
		struct regex_prog *rp;
		regex_t re;

		gen(pat, &n, 0, &seed);
		pat[n] = 0;
		rp = regex_compile(pat, &err);
		if (!rp)
			fail_msg("/%s/: %s", pat, err.msg);
		assert_int_equal(regcomp(&re, pat, REG_EXTENDED), 0);
		for (int len = 0; len <= 6; len++)
			for (int bits = 0; bits < 1 << len; bits++) {
				char s[8];
				regmatch_t m[1];
				int64_t tags[2 * (RX_MAXGROUPS + 1)];
				int ours, theirs;

				for (int i = 0; i < len; i++)
					s[i] = bits >> i & 1 ? 'b' : 'a';
				s[len] = 0;
				theirs = regexec(&re, s, 1, m, 0) == 0;
				ours = regex_exec(rp, s, len, tags);
				if (ours != theirs ||
				    (ours && (tags[0] != m[0].rm_so ||
					      tags[1] != m[0].rm_eo)))
					fail_msg("/%s/ on \"%s\": ours %d "
						 "(%lld,%lld) glibc %d (%d,%d)",
						 pat, s, ours,
						 (long long)tags[0],
						 (long long)tags[1], theirs,
						 theirs ? m[0].rm_so : -1,
						 theirs ? m[0].rm_eo : -1);
			}
		regfree(&re);
		regex_free(rp);
	}
}

static void test_errors(void **state)
{
	static const char *bad[] = { "a(b", "a)b", "[abc", "*a", "a{2,1}",
				     "a{300}", "[[:nope:]]", "a\\", "[z-a]" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct regex_error err = { .pos = -2 };

		assert_null(regex_compile(bad[i], &err));
		assert_true(err.msg[0] != 0);
		assert_true(err.pos >= 0);
	}
}

static void test_long_subject(void **state)
{
	struct regex_error err;
	struct regex_prog *rp = regex_compile("(b+)c$", &err);
	char s[600];
	int64_t tags[8];

	(void)state;
	memset(s, 'a', sizeof(s));
	memset(s + 300, 'b', 298);
	s[598] = 'c';
	s[599] = 0;
	assert_int_equal(regex_exec(rp, s, 599, tags), 1);
	assert_int_equal(tags[0], 300);
	assert_int_equal(tags[2], 300);
	assert_int_equal(tags[3], 598);
	regex_free(rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_against_glibc),
		cmocka_unit_test(test_random_against_glibc),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
