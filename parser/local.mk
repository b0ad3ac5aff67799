# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LIBRARIES += libetap_parser.a
libetap_parser_a_SOURCES = parser/diag.c parser/diag.h parser/ast.h parser/parser.h
