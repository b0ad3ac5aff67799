# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_parser.a
libetap_parser_a_SOURCES = parser/diag.c parser/diag.h parser/ast.h parser/parser.h \
	parser/ast.c parser/ast_print.c parser/token.h parser/token.c \
	parser/lexer.l parser/grammar.y parser/preproc.c parser/parse.c \
	parser/parse_ctx.h
BUILT_SOURCES += parser/grammar.h
