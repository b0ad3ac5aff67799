/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -l / -L: the probe points a pattern matches, as stap lists them. */
#ifndef ETAP_LISTING_H
#define ETAP_LISTING_H

#include <stdbool.h>
#include <stdio.h>
#include "../parser/parser.h"
#include "sem.h"

/* Print each probe point matching pattern, one per line, sorted; with
 * vars, followed by its variables as NAME:TYPE (alias variables) and
 * $NAME:TYPE (target variables). Returns the exit status: 0 when
 * something matched, 1 otherwise. */
int listing_run(FILE *out, const char *pattern, bool vars,
		const struct parse_env *env, const struct sem_options *opt);

#endif
