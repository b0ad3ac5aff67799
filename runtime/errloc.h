/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runtime error lines in stap's words:
 *   ERROR: division by 0 near operator '/' at t.stp:3:15
 * The token is recovered from the registered source text at the error's
 * location, so kernel records need to carry only the location.
 */
#ifndef ETAP_ERRLOC_H
#define ETAP_ERRLOC_H

#include <stddef.h>
#include <stdio.h>
#include "../parser/ast.h"

/* "operator '/'", "identifier 'c'", "number '5'", "keyword", ... for the
 * token at loc; "" when the source is unknown. */
void errloc_describe_token(char *buf, size_t len, struct loc loc);
/* Print "ERROR: <message>[ near <token>][ at FILE:LINE:COL]\n" to f. */
void errloc_print_error(FILE *f, const char *message, struct loc loc);

#endif
