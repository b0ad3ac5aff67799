/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Located diagnostics: "FILE:LINE:COL: KIND: message", the source line and a
 * caret under the column. Every pass reports through here so that users see
 * one format, and so tests can count errors.
 */
#ifndef ETAP_DIAG_H
#define ETAP_DIAG_H

#include <stdio.h>
#include "ast.h"

/* Remember a file's text so diagnostics can quote its lines. */
void diag_register_source(const char *file, const char *text);
/* The text registered for file, or NULL. */
const char *diag_source(const char *file);

/* kind is e.g. "parse error", "semantic error", "error", "warning". */
void diag_report(const char *kind, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A "hint: ..." line attached to the previous report. */
void diag_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Errors reported so far (kinds other than "warning"). */
int diag_error_count(void);
/* While muted (delta +1 to mute, -1 to unmute), reports print nothing and
 * count apart: @defined() tries a resolution this way. */
void diag_mute(int delta);
int diag_muted_errors(void);
/* Where reports go (default stderr); tests redirect it. */
void diag_set_stream(FILE *f);

#endif
