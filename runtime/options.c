// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap's command line. Option letters and their meaning follow stap(1);
 * messages for bad usage end with a pointer to --help, as stap's do.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "options.h"

#define OPTIONS_RINGBUF_MAX_MB 1024

void options_print_usage(FILE *out)
{
	fprintf(out,
		"Usage: etap [OPTIONS] FILENAME [ARGUMENTS]\n"
		"       etap [OPTIONS] - [ARGUMENTS]\n"
		"       etap [OPTIONS] -e SCRIPT [ARGUMENTS]\n"
		"Run a SystemTap script as eBPF programs.\n"
		"\n"
		"Options:\n"
		"   --         end of options; the rest are script arguments\n"
		"   -h --help  show this help\n"
		"   -V --version  show version\n"
		"   -v         add verbosity to all passes\n"
		"   -p NUM     stop after pass NUM 1-5, instead of 5\n"
		"              (1 parse, 2 elaborate, 3 translate to BPF,\n"
		"               4 write NAME.bpf.o, 5 run)\n"
		"   -e SCRIPT  run given script instead of one from a file\n"
		"   -D NM=VAL  set a limit: MAXSTRINGLEN, MAXMAPENTRIES,\n"
		"              MAXACTION, MAXERRORS, MAXNESTING, HIST_ELISION\n"
		"   -G VAR=VAL set global variable VAR to VAL\n"
		"   -m MODULE  set the object name to MODULE (default etap_PID)\n"
		"   -o FILE    send script output to FILE\n"
		"   -s NUM     use a NUM megabyte ring buffer for kernel output\n"
		"   -c CMD     start the probes, run CMD, and exit when it finishes\n"
		"   -x PID     set target() to PID; exit when it finishes\n"
		"   -T TIME    terminate the script after TIME seconds\n"
		"   -I DIR     look in DIR for additional .stp tapset files\n"
		"   -l PROBE   list probe points matching PROBE\n"
		"   -L PROBE   list probe points matching PROBE, with their\n"
		"              variables\n"
		"\n"
		"Script arguments are available as $1, $2, ... (numbers)\n"
		"and @1, @2, ... (strings).\n");
}

static int options_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int options_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("etap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'etap --help' for more information.\n", stderr);
	return OPTIONS_USAGE;
}

/* A whole-string decimal integer; false on junk or overflow. */
static bool options_parse_long(const char *s, long long *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static int options_parse_define(struct etap_options *o, const char *arg)
{
	static const struct {
		const char *name;
		size_t off;
		long long min;
	} limits[] = {
		{ "MAXSTRINGLEN", offsetof(struct sem_options, maxstringlen), 1 },
		{ "MAXMAPENTRIES", offsetof(struct sem_options, maxmapentries), 1 },
		{ "MAXACTION", offsetof(struct sem_options, maxaction), 1 },
		{ "MAXERRORS", offsetof(struct sem_options, maxerrors), 0 },
		{ "MAXNESTING", offsetof(struct sem_options, maxnesting), 1 },
		/* negative: never elide zero rows of histograms */
		{ "HIST_ELISION", offsetof(struct sem_options, hist_elision),
		  INT64_MIN },
	};
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	long long v;

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (strlen(limits[i].name) != nlen ||
		    strncmp(limits[i].name, arg, nlen))
			continue;
		if (!eq || !options_parse_long(eq + 1, &v))
			return options_usage_error(
				"-D %s needs an integer value: -D %s=NUM",
				limits[i].name, limits[i].name);
		if (v < limits[i].min)
			return options_usage_error(
				"-D %s=%lld: the value must be at least %lld",
				limits[i].name, v, limits[i].min);
		*(int64_t *)((char *)&o->sem + limits[i].off) = v;
		return OPTIONS_RUN;
	}
	/* stap hands any -D to the C compiler; scripts written for it often
	 * carry tuning macros that mean nothing here. Say so, go on. */
	fprintf(stderr, "WARNING: -D %.*s has no effect in etap\n", (int)nlen,
		arg);
	return OPTIONS_RUN;
}

static bool options_valid_module_name(const char *s)
{
	if (!*s || strlen(s) >= sizeof(((struct etap_options *)0)->module_name))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

int options_parse(int argc, char **argv, struct etap_options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	double d;
	char *end;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->last_pass = 5;
	o->sem.maxstringlen = 512;
	o->sem.maxmapentries = 2048;
	o->sem.maxaction = 1000;
	o->sem.maxerrors = 0;
	o->sem.hist_elision = 2;
	o->sem.maxnesting = 10;
	snprintf(o->module_name, sizeof(o->module_name), "etap_%d",
		 (int)getpid());

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hVvp:e:D:G:m:o:s:c:x:T:I:l:L:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			options_print_usage(stdout);
			return OPTIONS_DONE;
		case 'V':
			printf("etap %s: SystemTap scripts as eBPF "
			       "(language of SystemTap 5.0, runtime bpf)\n"
			       "This is free software under the GNU GPL, "
			       "version 2 or later.\n",
			       PACKAGE_VERSION);
			return OPTIONS_DONE;
		case 'v':
			o->verbose++;
			break;
		case 'p':
			if (!options_parse_long(optarg, &v) || v < 1 || v > 5)
				return options_usage_error(
					"Invalid pass number '%s' (should be 1-5).",
					optarg);
			o->last_pass = (int)v;
			break;
		case 'e':
			if (o->script_text)
				return options_usage_error(
					"only one -e SCRIPT may be given");
			o->script_text = optarg;
			break;
		case 'D':
			rc = options_parse_define(o, optarg);
			if (rc != OPTIONS_RUN)
				return rc;
			break;
		case 'm':
			if (!options_valid_module_name(optarg))
				return options_usage_error(
					"invalid module name '%s': use up to 63 "
					"letters, digits and underscores",
					optarg);
			strcpy(o->module_name, optarg);
			break;
		case 'o':
			o->output_file = optarg;
			break;
		case 's':
			/* Fractions are allowed (-s 0.0625 is 64 KiB), so a
			 * test can flood a tiny buffer; the size is rounded
			 * up to a power of two of at least one page. */
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(d > 0) ||
			    d > OPTIONS_RINGBUF_MAX_MB)
				return options_usage_error(
					"Invalid buffer size '%s' (should be 1-%d MB; "
					"fractions such as 0.0625 are allowed).",
					optarg, OPTIONS_RINGBUF_MAX_MB);
			o->ringbuf_bytes = (uint32_t)(d * (1 << 20) + 0.5);
			break;
		case 'G':
			if (o->ngvars == 64)
				return options_usage_error(
					"too many -G settings (at most 64)");
			o->gvars[o->ngvars++] = optarg;
			break;
		case 'c':
			o->cmd = optarg;
			break;
		case 'I':
			if (o->ninclude_dirs == 16)
				return options_usage_error(
					"too many -I directories (at most 16)");
			o->include_dirs[o->ninclude_dirs++] = optarg;
			break;
		case 'l':
		case 'L':
			o->list_pattern = optarg;
			o->list_vars = c == 'L';
			break;
		case 'x':
			if (!options_parse_long(optarg, &v) || v < 1 ||
			    v > INT_MAX)
				return options_usage_error(
					"Invalid target process ID number '%s'.",
					optarg);
			o->target_pid = (pid_t)v;
			break;
		case 'T':
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(d > 0) ||
			    !isfinite(d) || d > 1e9)
				return options_usage_error(
					"Invalid timeout '%s': give a positive "
					"number of seconds.",
					optarg);
			o->timeout_s = d;
			break;
		case ':':
			return options_usage_error("option requires an argument -- '%c'",
						   optopt);
		default:
			if (optopt)
				return options_usage_error("invalid option -- '%c'",
							   optopt);
			return options_usage_error("unrecognized option '%s'",
						   argv[optind - 1]);
		}
	}

	if (o->cmd && o->target_pid)
		return options_usage_error(
			"You can't specify -c and -x options together.");
	if (o->list_pattern)
		return OPTIONS_RUN;
	if (!o->script_text) {
		if (optind >= argc)
			return options_usage_error(
				"A script must be specified: give a FILENAME, "
				"'-' for standard input, or -e SCRIPT.");
		o->script_file = argv[optind++];
	}
	o->script_argv = argv + optind;
	o->script_argc = argc - optind;
	return OPTIONS_RUN;
}
