# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests (cmocka). Each test_X binary links the libraries it needs.
# tests/run reads this list through `make print-unit-tests`.
UNIT_TESTS =
if HAVE_CMOCKA
check_PROGRAMS += $(UNIT_TESTS)
endif
print-unit-tests:
	@echo $(UNIT_TESTS)
UNIT_TESTS += tests/unit/test_printf_fmt
tests_unit_test_printf_fmt_SOURCES = tests/unit/test_printf_fmt.c
tests_unit_test_printf_fmt_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_printf_fmt_LDADD = libetap_runtime.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_tracefs
tests_unit_test_tracefs_SOURCES = tests/unit/test_tracefs.c
tests_unit_test_tracefs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tracefs_LDADD = libetap_semantic.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_elf_write
tests_unit_test_elf_write_SOURCES = tests/unit/test_elf_write.c
tests_unit_test_elf_write_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_elf_write_LDADD = libetap_codegen.a libetap_parser.a $(LIBBPF_LIBS) $(LIBELF_LIBS) -lz $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_child
tests_unit_test_child_SOURCES = tests/unit/test_child.c
tests_unit_test_child_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_child_LDADD = libetap_runtime.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_ir
tests_unit_test_ir_SOURCES = tests/unit/test_ir.c
tests_unit_test_ir_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_ir_LDADD = libetap_codegen.a libetap_parser.a $(LIBBPF_LIBS) $(LIBELF_LIBS) -lz $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_eval
tests_unit_test_eval_SOURCES = tests/unit/test_eval.c
tests_unit_test_eval_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_eval_LDADD = libetap_runtime.a libetap_semantic.a libetap_parser.a $(LIBBPF_LIBS) $(LIBELF_LIBS) -lz $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_lexer
tests_unit_test_lexer_SOURCES = tests/unit/test_lexer.c
tests_unit_test_lexer_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lexer_LDADD = libetap_parser.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_parser
tests_unit_test_parser_SOURCES = tests/unit/test_parser.c
tests_unit_test_parser_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_parser_LDADD = libetap_parser.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_hist_print
tests_unit_test_hist_print_SOURCES = tests/unit/test_hist_print.c
tests_unit_test_hist_print_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hist_print_LDADD = libetap_runtime.a $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_regex
tests_unit_test_regex_SOURCES = tests/unit/test_regex.c
tests_unit_test_regex_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_regex_LDADD = libetap_runtime.a libetap_semantic.a libetap_parser.a $(LIBBPF_LIBS) $(LIBELF_LIBS) -lz $(CMOCKA_LIBS)
