/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tapset libraries: `.stp` files of probe aliases, functions and globals.
 * Searched in -I directories first, then the default one (the source
 * tree's tapset/ when etap runs from its build tree, else the installed
 * ETAP_TAPSET_DIR; the ETAP_TAPSET environment variable overrides it).
 * Only files providing an alias or function the script can reach are
 * parsed: a cheap scan indexes each file by the first component of its
 * alias names and by its function names.
 */
#ifndef ETAP_TAPSET_H
#define ETAP_TAPSET_H

#include "../parser/ast.h"
#include "../parser/parser.h"

/* -I DIR: searched before the default directory, in order given. */
void tapset_add_dir(const char *dir);
/* Directories searched, in order (NULL-terminated; valid until exit). */
const char *const *tapset_dirs(void);

/* Parse every tapset file the user script can reference (transitively)
 * into *lib. `want` is an extra probe-point pattern whose first component
 * selects files too (for -l/-L; NULL otherwise). Returns the number of
 * files parsed, or -1 when one failed to parse. */
int tapset_load(const struct script *user, const char *want,
		const struct parse_env *env, struct script **lib);
/* Append lib's declarations to s, skipping functions s defines itself (a
 * script may override a tapset function). */
void tapset_merge(struct script *s, struct script *lib);

#endif
