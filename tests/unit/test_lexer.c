// SPDX-License-Identifier: GPL-2.0-or-later
/* Lexer tests: token kinds, literal values, escapes, locations, comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parser/diag.h"
#include "parser/grammar.h"
#include "parser/token.h"

static char *diag_buf;
static size_t diag_len;
static FILE *diag_mem;

static void capture_start(void)
{
	diag_mem = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_mem);
}

static const char *capture_end(void)
{
	fflush(diag_mem);
	fclose(diag_mem);
	diag_set_stream(NULL);
	return diag_buf;
}

static int lex(const char *src, struct token_vec *tv)
{
	memset(tv, 0, sizeof(*tv));
	diag_register_source("t.stp", src);
	return lexer_scan("t.stp", src, strlen(src), tv);
}

static void test_basic_tokens(void **state)
{
	struct token_vec tv;
	static const int want[] = { TOK_PROBE, TOK_IDENT, '.', TOK_IDENT, '{',
				    TOK_IDENT, '=', TOK_NUMBER, '}' };

	assert_int_equal(lex("probe syscall.read { x = 1 }", &tv), 0);
	assert_int_equal(tv.n, 9);
	for (int i = 0; i < 9; i++)
		assert_int_equal(tv.v[i].type, want[i]);
	assert_string_equal(tv.v[3].text, "read");
}

static void test_keywords(void **state)
{
	struct token_vec tv;
	static const int want[] = { TOK_GLOBAL, TOK_FUNCTION, TOK_IF, TOK_ELSE,
				    TOK_FOREACH, TOK_IN, TOK_LIMIT, TOK_RETURN,
				    TOK_DELETE, TOK_NEXT, TOK_TRY, TOK_CATCH,
				    TOK_PRIVATE, TOK_STRING_KW, TOK_LONG_KW,
				    TOK_IDENT };

	assert_int_equal(lex("global function if else foreach in limit return "
			     "delete next try catch private string long "
			     "probes", &tv), 0);
	assert_int_equal(tv.n, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(tv.v[i].type, want[i]);
}

static void test_numbers(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("0 42 0x1F 017 9223372036854775807 "
			     "9223372036854775808 18446744073709551615", &tv), 0);
	assert_int_equal(tv.n, 7);
	assert_int_equal(tv.v[0].num, 0);
	assert_int_equal(tv.v[1].num, 42);
	assert_int_equal(tv.v[2].num, 31);
	assert_int_equal(tv.v[3].num, 15);
	assert_true(tv.v[4].num == INT64_MAX);
	assert_true(tv.v[5].num == INT64_MIN);
	assert_true(tv.v[6].num == -1);
}

static void test_bad_numbers(void **state)
{
	struct token_vec tv;
	const char *out;

	capture_start();
	assert_int_equal(lex("18446744073709551616 08 12abc", &tv), 3);
	out = capture_end();
	assert_non_null(strstr(out, "t.stp:1:1: parse error: number "
				    "'18446744073709551616' invalid or out of range"));
	assert_non_null(strstr(out, "t.stp:1:22:"));
	assert_non_null(strstr(out, "leading 0 makes the number octal"));
	assert_non_null(strstr(out, "t.stp:1:25:"));
}

static void test_string_escapes(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("\"a\\n\\t\\\\\\\"\\101\\x41\\q\\0z\" \"\"", &tv), 0);
	assert_int_equal(tv.n, 2);
	assert_int_equal(tv.v[0].type, TOK_STRING);
	assert_int_equal(tv.v[0].len, 10);
	assert_memory_equal(tv.v[0].text, "a\n\t\\\"AAq\0z", 10);
	assert_int_equal(tv.v[1].len, 0);
}

static void test_string_more_escapes(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("\"\\a\\b\\f\\r\\v\\7\\77\\777\\xff\\x4g\"", &tv), 0);
	assert_int_equal(tv.n, 1);
	assert_memory_equal(tv.v[0].text, "\a\b\f\r\v\a?\377\377\004g", 11);
}

static void test_unterminated_string(void **state)
{
	struct token_vec tv;
	const char *out;

	capture_start();
	assert_int_equal(lex("x = \"abc\ny = 1", &tv), 1);
	out = capture_end();
	assert_non_null(strstr(out, "t.stp:1:5: parse error: unterminated string"));
	/* lexing goes on after the broken line */
	assert_int_equal(tv.v[tv.n - 1].type, TOK_NUMBER);
	assert_int_equal(tv.v[tv.n - 1].loc.line, 2);
}

static void test_locations_and_comments(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("# shell comment\n"
			     "  a // c++ comment\n"
			     "\tb /* multi\n line */ c\n"
			     "d", &tv), 0);
	assert_int_equal(tv.n, 4);
	assert_int_equal(tv.v[0].loc.line, 2);
	assert_int_equal(tv.v[0].loc.col, 3);
	assert_int_equal(tv.v[1].loc.line, 3);
	assert_int_equal(tv.v[1].loc.col, 2);
	assert_int_equal(tv.v[2].loc.line, 4);
	assert_int_equal(tv.v[2].loc.col, 10);
	assert_int_equal(tv.v[3].loc.line, 5);
	assert_int_equal(tv.v[3].loc.col, 1);
	assert_string_equal(tv.v[0].loc.file, "t.stp");
}

static void test_space_before(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("sys_*call **  x/**/y", &tv), 0);
	assert_int_equal(tv.n, 7);
	assert_true(tv.v[0].space_before);
	assert_false(tv.v[1].space_before);
	assert_false(tv.v[2].space_before);
	assert_true(tv.v[3].space_before);
	assert_false(tv.v[4].space_before);
	assert_true(tv.v[5].space_before);
	assert_true(tv.v[6].space_before);
}

static void test_unterminated_comment(void **state)
{
	struct token_vec tv;
	const char *out;

	capture_start();
	assert_int_equal(lex("a /* never\nclosed", &tv), 1);
	out = capture_end();
	assert_non_null(strstr(out, "t.stp:1:3: parse error: unterminated comment"));
	assert_int_equal(tv.n, 1);
}

static void test_operators(void **state)
{
	struct token_vec tv;
	static const struct {
		int type, op;
	} want[] = {
		{ TOK_ASSIGNOP, OP_AGG }, { TOK_ASSIGNOP, OP_USHR_ASSIGN },
		{ TOK_USHR, OP_USHR }, { TOK_ASSIGNOP, OP_SHL_ASSIGN },
		{ TOK_SHR, OP_SHR }, { TOK_ASSIGNOP, OP_CAT_ASSIGN },
		{ TOK_NMATCH, OP_NMATCH }, { TOK_MATCH, OP_MATCH },
		{ TOK_ARROW, 0 }, { TOK_INC, 0 }, { TOK_DEC, 0 },
		{ TOK_ADD_ASSIGN, OP_ADD_ASSIGN }, { TOK_ANDAND, OP_LAND },
		{ TOK_OROR, OP_LOR }, { '&', OP_BAND }, { '%', OP_MOD },
		{ TOK_PP_IF, 0 }, { TOK_PP_THEN, 0 }, { TOK_PP_ELSE, 0 },
		{ TOK_PP_END, 0 }, { '.', 0 }, { TOK_LE, OP_LE },
		{ '<', OP_LT },
	};

	assert_int_equal(lex("<<< >>>= >>> <<= >> .= !~ =~ -> ++ -- += && || "
			     "& % %( %? %: %) . <= <", &tv), 0);
	assert_int_equal(tv.n, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < tv.n; i++) {
		assert_int_equal(tv.v[i].type, want[i].type);
		assert_int_equal(tv.v[i].op, want[i].op);
	}
}

static void test_dollar_tokens(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("$var $var$ $p$$ $$vars $$parms$ $$return $1 $# "
			     "@1 @# $ $$", &tv), 0);
	assert_int_equal(tv.n, 12);
	assert_int_equal(tv.v[0].type, TOK_TARGET);
	assert_string_equal(tv.v[0].text, "var");
	assert_int_equal(tv.v[0].num, 0);
	assert_int_equal(tv.v[1].type, TOK_TARGET);
	assert_string_equal(tv.v[1].text, "var");
	assert_int_equal(tv.v[1].num, 1);
	assert_int_equal(tv.v[2].num, 2);
	assert_int_equal(tv.v[3].type, TOK_DOLLARS);
	assert_string_equal(tv.v[3].text, "vars");
	assert_int_equal(tv.v[4].type, TOK_DOLLARS);
	assert_int_equal(tv.v[4].num, 1);
	assert_string_equal(tv.v[5].text, "return");
	assert_int_equal(tv.v[6].type, TOK_ARG);
	assert_int_equal(tv.v[6].num, 1);
	assert_int_equal(tv.v[7].type, TOK_ARGC);
	assert_int_equal(tv.v[8].type, TOK_ARG_STR);
	assert_int_equal(tv.v[9].type, TOK_ARGC_STR);
	assert_int_equal(tv.v[10].type, TOK_PPRINT);
	assert_int_equal(tv.v[11].num, 2);
}

static void test_at_words(void **state)
{
	struct token_vec tv;

	assert_int_equal(lex("@count @sum @hist_log @hist_linear @cast @var "
			     "@entry @defined @define @mymacro", &tv), 0);
	assert_int_equal(tv.n, 10);
	assert_int_equal(tv.v[0].type, TOK_AT_STAT);
	assert_int_equal(tv.v[0].op, STAT_COUNT);
	assert_int_equal(tv.v[1].op, STAT_SUM);
	assert_int_equal(tv.v[2].type, TOK_AT_HIST);
	assert_int_equal(tv.v[3].op, STAT_HIST_LINEAR);
	assert_int_equal(tv.v[4].type, TOK_AT_CAST);
	assert_int_equal(tv.v[5].type, TOK_AT_VAR);
	assert_int_equal(tv.v[6].type, TOK_AT_ENTRY);
	assert_int_equal(tv.v[7].type, TOK_AT_DEFINED);
	assert_int_equal(tv.v[8].type, TOK_AT_DEFINE);
	assert_int_equal(tv.v[9].type, TOK_AT_MACRO);
	assert_string_equal(tv.v[9].text, "@mymacro");
}

static void test_embedded(void **state)
{
	struct token_vec tv;
	const char *out;

	assert_int_equal(lex("%{ int x = 5 % 2; /* } */ %} y", &tv), 0);
	assert_int_equal(tv.n, 2);
	assert_int_equal(tv.v[0].type, TOK_EMBEDDED);
	assert_string_equal(tv.v[0].text, " int x = 5 % 2; /* } */ ");
	capture_start();
	assert_int_equal(lex("%{ never closed", &tv), 1);
	out = capture_end();
	assert_non_null(strstr(out, "unterminated embedded code"));
}

static void test_bad_characters(void **state)
{
	struct token_vec tv;
	const char src[] = "a \x01 b ` c \xff";
	const char *out;

	capture_start();
	assert_int_equal(lex(src, &tv), 3);
	out = capture_end();
	assert_non_null(strstr(out, "t.stp:1:3: parse error: unexpected "
				    "character '\\x01'"));
	assert_non_null(strstr(out, "t.stp:1:7: parse error: unexpected "
				    "character '`'"));
	assert_non_null(strstr(out, "'\\xff'"));
	assert_int_equal(tv.n, 3);
}

static void test_nul_byte(void **state)
{
	struct token_vec tv = { 0 };
	const char src[] = { 'a', ' ', '\0', ' ', 'b' };

	capture_start();
	assert_int_equal(lexer_scan("n.stp", src, sizeof(src), &tv), 1);
	assert_non_null(strstr(capture_end(), "'\\x00'"));
	assert_int_equal(tv.n, 2);
	assert_string_equal(tv.v[1].text, "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_tokens),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_string_more_escapes),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_locations_and_comments),
		cmocka_unit_test(test_space_before),
		cmocka_unit_test(test_unterminated_comment),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_dollar_tokens),
		cmocka_unit_test(test_at_words),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_bad_characters),
		cmocka_unit_test(test_nul_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
