// SPDX-License-Identifier: GPL-2.0-or-later
/* Pass 2 driver and its -p2 report. */
#include "sem_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "../parser/diag.h"
#include "../parser/parser.h"
#include "entry.h"
#include "raw_tp.h"
#include "stats.h"

const char *etype_name(enum etype t)
{
	switch (t) {
	case T_LONG:
		return "long";
	case T_STRING:
		return "string";
	case T_STATS:
		return "stats";
	case T_VOID:
		return "void";
	default:
		return "unknown";
	}
}

struct program *sem_elaborate(struct script *s, const struct sem_options *opt)
{
	struct program *p = calloc(1, sizeof(*p));
	int before = diag_error_count();

	if (!p)
		abort();
	p->script = s;
	p->opt = *opt;
	if (sem_resolve_probes(p) == 0 && !p->probes) {
		struct loc loc = { s->file, 1, 1 };

		diag_report("semantic error", loc, "no probes found");
		diag_hint("a script needs at least one probe, such as "
			  "'probe begin { ... }'");
	}
	if (diag_error_count() > before || sem_entry_rewrite(p) < 0)
		return NULL;
	if (sem_resolve_symbols(p) < 0)
		return NULL;
	if (sem_stats_analyse(p) < 0)
		return NULL;
	sem_choose_mechanisms(p);
	sem_choose_raw_tracepoints(p);
	sem_layout_storage(p);
	return p;
}

static void print_symbol_type(FILE *out, const struct symbol *g)
{
	fprintf(out, "%s", etype_name(g->type));
	if (g->nkeys == 0)
		return;
	fputc('[', out);
	for (int i = 0; i < g->nkeys; i++)
		fprintf(out, "%s%s", i ? ", " : "", etype_name(g->keytypes[i]));
	fputc(']', out);
}

void sem_print_program(FILE *out, const struct program *p)
{
	fprintf(out, "# globals\n");
	for (const struct symbol *g = p->globals; g; g = g->next) {
		fprintf(out, "%s:", g->name);
		print_symbol_type(out, g);
		if (g->type == T_STATS && !g->has_map)
			fprintf(out, "  (aggregate collected in user context, "
				     "%u bytes)\n",
				g->value_size);
		else if (g->type == T_STATS && !g->nkeys)
			fprintf(out, "  (aggregate, per-CPU array map, value "
				     "%u bytes)\n",
				g->value_size);
		else if (g->nkeys)
			fprintf(out, "  (%shash map, key %u bytes, value %u "
				     "bytes, %u entries%s)\n",
				g->percpu ? "per-CPU " : "", g->key_size,
				g->value_size, g->maxentries,
				g->wrap ? ", wrapping" : "");
		else
			fprintf(out, "  (global data +%u)\n", g->gd_off);
	}
	if (p->functions)
		fprintf(out, "# functions\n");
	for (const struct symbol *f = p->functions; f; f = f->next) {
		struct symbol **fl = f->locals;

		fprintf(out, "%s:%s (", f->name, etype_name(f->type));
		for (int i = 0; i < f->fn->nparams; i++)
			fprintf(out, "%s%s:%s", i ? ", " : "", fl[i]->name,
				etype_name(fl[i]->type));
		fprintf(out, ")\n");
	}
	fprintf(out, "# probes\n");
	for (const struct rprobe *rp = p->probes; rp; rp = rp->next) {
		fprintf(out, "%s /* ", rp->name);
		if (rp->type == PT_TRACEPOINT && (rp->mech == MECH_TP_BTF ||
						 rp->mech == MECH_RAW_TP))
			fprintf(out, "kernel context, %s %s",
				sem_mech_name(rp->mech), rp->tp->event);
		else if (rp->type == PT_TRACEPOINT &&
			 rp->mech == MECH_SYSCALL_TAIL)
			fprintf(out, "kernel context, %s (raw_syscalls:%s, "
				     "syscall %d)",
				sem_mech_name(rp->mech),
				rp->is_return ? "sys_exit" : "sys_enter",
				rp->syscall_nr);
		else if (rp->type == PT_TRACEPOINT)
			fprintf(out, "kernel context, classic tracepoint "
				     "%s:%s",
				rp->tp->system, rp->tp->event);
		else if (rp->type == PT_PERF)
			fprintf(out, "kernel context, %s (type %u, config "
				     "%llu, %s %llu)",
				sem_mech_name(rp->mech), rp->perf_type,
				(unsigned long long)rp->perf_config,
				rp->perf_freq ? "frequency" : "period",
				(unsigned long long)rp->perf_sample);
		else if (rp->type == PT_KFUNC)
			fprintf(out, "kernel context, %s %s",
				sem_mech_name(rp->mech), rp->kfunc);
		else if (rp->type == PT_UPROBE)
			fprintf(out, "kernel context, %s at %s+%#llx",
				sem_mech_name(rp->mech), rp->upath,
				(unsigned long long)rp->uoffset);
		else if (rp->type == PT_TIMER)
			fprintf(out, "user context, every %llu ns",
				(unsigned long long)rp->period_ns);
		else
			fprintf(out, "user context");
		fprintf(out, " */\n");
		for (int i = 0; i < rp->nlocals; i++)
			fprintf(out, "  local %s:%s\n", rp->locals[i]->name,
				etype_name(rp->locals[i]->type));
	}
}
