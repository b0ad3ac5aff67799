/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pass 5: load and attach the compiled probes, run begin probes, consume
 * kernel output and run timer probes until the script ends, then detach,
 * run end (or error) probes and report what went wrong.
 */
#ifndef ETAP_RUN_H
#define ETAP_RUN_H

#include "../codegen/codegen.h"
#include "../semantic/sem.h"
#include "options.h"

/* Returns the process exit status: 0, or 1 when startup failed or a
 * runtime error happened. Nothing stays loaded or attached afterwards. */
int run_program(const struct etap_options *o, const struct program *p,
		const struct compiled *c);

#endif
