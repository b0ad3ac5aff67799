// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * etap: run SystemTap scripts as eBPF. The driver walks stap's passes
 * (parse, elaborate, translate, compile, run), stopping after the one -p
 * names, and reports each with -v the way stap does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "../codegen/codegen.h"
#include "../parser/diag.h"
#include "../parser/parser.h"
#include "../semantic/listing.h"
#include "../semantic/sem.h"
#include "../semantic/tapset.h"
#include "gopt.h"
#include "kconfig.h"
#include "options.h"
#include "pass_stats.h"
#include "run.h"

static const char *const main_pass_failed[] = {
	NULL, "parse failed", "analysis failed", "translation failed",
	"compilation failed", "run failed",
};

static int main_fail(int pass)
{
	fprintf(stderr, "Pass %d: %s.\n", pass, main_pass_failed[pass]);
	return 1;
}

static const char *main_plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static char *main_read_stdin(void)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *p;
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (cap - len < 2) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static struct script *main_parse(const struct etap_options *o,
				 const struct parse_env *env)
{
	char *text;

	if (o->script_text)
		return parse_text("<input>", o->script_text, env, NULL);
	if (strcmp(o->script_file, "-"))
		return parse_file(o->script_file, env, NULL);
	text = main_read_stdin();
	if (!text) {
		fprintf(stderr, "etap: cannot read the script from standard input: %s\n",
			strerror(errno));
		return NULL;
	}
	return parse_text("<input>", text, env, NULL);
}

static int main_count_symbols(const struct symbol *s)
{
	int n = 0;

	for (; s; s = s->next)
		n++;
	return n;
}

static size_t main_count_insns(const struct compiled *c)
{
	size_t n = 0;

	for (int i = 0; i < c->nprogs; i++)
		n += c->progs[i].code.ninsns;
	return n;
}

/* -p4: the object as a file others' tools can read (bpftool,
 * llvm-objdump). */
static int main_write_object(const struct etap_options *o,
			     const struct compiled *c, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s.bpf.o", o->module_name);
	f = fopen(path, "wb");
	if (!f || fwrite(c->elf, 1, c->elf_len, f) != c->elf_len) {
		fprintf(stderr, "etap: cannot write %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f)) {
		fprintf(stderr, "etap: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static uint32_t main_ringbuf_size(const struct etap_options *o)
{
	uint32_t want = o->ringbuf_bytes ? o->ringbuf_bytes : 16u << 20;
	uint32_t size = 4096;

	/* The kernel wants a power of two, at least a page. */
	while (size < want && size < (1u << 30))
		size <<= 1;
	return size;
}

int main(int argc, char **argv)
{
	struct etap_options o;
	struct parse_env env = { 0 };
	struct codegen_options co = { 0 };
	struct compiled c;
	struct pass_clock clk;
	struct program *p;
	struct script *s, *lib = NULL;
	struct utsname u;
	int nlib;
	char what[256], path[128];
	int rc;

	rc = options_parse(argc, argv, &o);
	if (rc == OPTIONS_DONE)
		return 0;
	if (rc != OPTIONS_RUN)
		return 1;

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	env.argv = (const char *const *)o.script_argv;
	env.argc = o.script_argc;
	env.kernel_release = u.release;
	env.arch = u.machine;
	env.runtime = "bpf";
	env.systemtap_v = "5.0";
	env.config = kconfig_lookup;
	for (int i = 0; i < o.ninclude_dirs; i++)
		tapset_add_dir(o.include_dirs[i]);
	if (o.list_pattern)
		return listing_run(stdout, o.list_pattern, o.list_vars, &env,
				   &o.sem);

	/* Pass 1: the script, then the tapset files it can reach */
	pass_clock_start(&clk);
	s = main_parse(&o, &env);
	if (!s || diag_error_count())
		return main_fail(1);
	nlib = tapset_load(s, NULL, &env, &lib);
	if (nlib < 0 || diag_error_count())
		return main_fail(1);
	if (o.verbose) {
		snprintf(what, sizeof(what),
			 "parsed user script and %d library %s", nlib,
			 main_plural(nlib, "script", "scripts"));
		pass_report(1, &clk, what);
	}
	if (o.last_pass == 1) {
		ast_print_script(stdout, s);
		return fflush(stdout) ? 1 : 0;
	}
	tapset_merge(s, lib);

	/* Pass 2 */
	pass_clock_start(&clk);
	p = sem_elaborate(s, &o.sem);
	if (!p || diag_error_count())
		return main_fail(2);
	if (gopt_apply(p, o.gvars, o.ngvars) < 0 || gopt_apply_tz(p) < 0)
		return main_fail(2);
	if (o.verbose) {
		int nf = main_count_symbols(p->functions);

		snprintf(what, sizeof(what),
			 "analyzed script: %d %s, %d %s, 0 embeds, %d %s",
			 p->nprobes, main_plural(p->nprobes, "probe", "probes"),
			 nf, main_plural(nf, "function", "functions"),
			 p->nglobals, main_plural(p->nglobals, "global", "globals"));
		pass_report(2, &clk, what);
	}
	if (o.last_pass == 2) {
		sem_print_program(stdout, p);
		return fflush(stdout) ? 1 : 0;
	}

	/* Pass 3 (the object is built here too: pass 4 only writes it) */
	pass_clock_start(&clk);
	memset(&c, 0, sizeof(c));
	co.ringbuf_size = main_ringbuf_size(&o);
	if (codegen_program(p, &co, &c) < 0 || diag_error_count())
		return main_fail(3);
	if (o.verbose) {
		snprintf(what, sizeof(what),
			 "translated to BPF: %d %s, %zu instructions, %d maps",
			 c.nprogs, main_plural(c.nprogs, "program", "programs"),
			 main_count_insns(&c), c.nmaps);
		pass_report(3, &clk, what);
	}
	if (o.last_pass == 3) {
		codegen_print_listing(stdout, &c);
		return fflush(stdout) ? 1 : 0;
	}

	/* Pass 4 */
	pass_clock_start(&clk);
	if (o.last_pass == 4) {
		if (main_write_object(&o, &c, path, sizeof(path)) < 0)
			return main_fail(4);
		if (o.verbose) {
			snprintf(what, sizeof(what), "compiled BPF into \"%s\"", path);
			pass_report_time(4, &clk, what);
		}
		printf("%s\n", path);
		return fflush(stdout) ? 1 : 0;
	}
	if (o.verbose) {
		snprintf(what, sizeof(what), "built BPF object \"%s\" (%zu bytes)",
			 o.module_name, c.elf_len);
		pass_report_time(4, &clk, what);
	}

	/* Pass 5 */
	if (o.verbose)
		fprintf(stderr, "Pass 5: starting run.\n");
	pass_clock_start(&clk);
	rc = run_program(&o, p, &c);
	if (rc)
		return main_fail(5);
	if (o.verbose)
		pass_report_time(5, &clk, "run completed");
	return 0;
}
