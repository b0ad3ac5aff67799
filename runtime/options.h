/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line, parsed the way stap reads it: options (GNU-permuted,
 * so `etap script.stp -T 5` works), then the script file (or -e SCRIPT),
 * then the script's own arguments ($1, $2, ...).
 */
#ifndef ETAP_OPTIONS_H
#define ETAP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "../semantic/sem.h"

struct etap_options {
	const char *script_file; /* file, "-" for stdin, NULL with -e */
	const char *script_text; /* -e SCRIPT */
	char **script_argv;	 /* $1...: points into argv */
	int script_argc;
	const char *cmd;	 /* -c CMD */
	pid_t target_pid;	 /* -x PID, 0 when unset */
	const char *output_file; /* -o FILE */
	char module_name[64];	 /* -m NAME, default etap_PID */
	double timeout_s;	 /* -T SECS, 0 when unset */
	int verbose;		 /* -v count */
	int last_pass;		 /* -p N, 5 by default */
	struct sem_options sem;	 /* -D limits */
	const char *gvars[64]; /* -G NAME=VALUE */
	int ngvars;
	uint32_t ringbuf_bytes;	 /* -s MB, 0 for the default */
	const char *list_pattern; /* -l/-L PATTERN: list probe points */
	bool list_vars;		  /* -L: with their variables */
	const char *include_dirs[16]; /* -I DIR: more tapset directories */
	int ninclude_dirs;
};

enum {
	OPTIONS_RUN = 0,  /* go on with the passes */
	OPTIONS_DONE = 1, /* --help or --version printed: exit 0 */
	OPTIONS_USAGE = 2 /* usage error reported: exit 1 */
};

/* Fill o from argv. Reports usage errors itself. */
int options_parse(int argc, char **argv, struct etap_options *o);
void options_print_usage(FILE *out);

#endif
