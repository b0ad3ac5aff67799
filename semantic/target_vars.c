// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Typed target variables from kernel BTF (see target_vars.h).
 *
 * In a kernel.trace handler a name may be a prototype argument (read
 * through the BTF tracepoint), a tracefs format field (read through the
 * classic tracepoint), or both (sched_switch's prev_state). Names that are
 * only one kind decide the handler's mechanism; a name that is both follows
 * whatever else the handler uses, and a handler using names that are only
 * one kind each of both kinds is an error.
 */
#define _GNU_SOURCE
#include "target_vars.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "../parser/diag.h"
#include "btf_types.h"
#include "sem_internal.h"

/* x86-64 struct pt_regs offsets of the first six integer arguments. */
static const int x86_64_arg_regs[] = { 112, 104, 96, 88, 72, 64 };
#define X86_64_RAX 80

static struct tgt_probe *probe_state(struct rprobe *rp)
{
	struct btf_proto *pr;

	if (!rp->tgt) {
		rp->tgt = calloc(1, sizeof(*rp->tgt));
		if (!rp->tgt)
			abort();
	}
	if (rp->tgt->loaded)
		return rp->tgt;
	rp->tgt->loaded = true;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		abort();
	if (rp->type == PT_TRACEPOINT && rp->tp && !rp->syscall)
		rp->tgt->err = btf_tracepoint_proto(rp->tp->event, pr);
	else if (rp->type == PT_KFUNC && rp->kfunc)
		rp->tgt->err = btf_function_proto(rp->kfunc, pr);
	else
		rp->tgt->err = -ENOENT;
	if (rp->tgt->err) {
		free(pr);
		return rp->tgt;
	}
	rp->tgt->proto = pr;
	rp->tgt->arg_regs = rp->mech == MECH_KPROBE ||
			    rp->mech == MECH_KRETPROBE;
	return rp->tgt;
}

static const struct btf_type *type_at(uint32_t id)
{
	struct btf *b = btf_kernel();

	return b && id ? btf__type_by_id(b, id) : NULL;
}

static void tgt_step_add(struct tgt_access *a, struct tgt_step s)
{
	if (s.kind == TS_ADD && a->nsteps &&
	    a->steps[a->nsteps - 1].kind == TS_ADD) {
		a->steps[a->nsteps - 1].off += s.off;
		return;
	}
	if (s.kind == TS_ADD && s.off == 0)
		return;
	a->steps = realloc(a->steps, (a->nsteps + 1) * sizeof(*a->steps));
	if (!a->steps)
		abort();
	a->steps[a->nsteps++] = s;
}

/* A member by name, looking through anonymous structs and unions. */
static bool member_find(uint32_t sid, const char *name, uint32_t *bit_off,
			uint32_t *bit_size, uint32_t *mtype)
{
	struct btf *b = btf_kernel();
	const struct btf_type *t = type_at(sid);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t))
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf__name_by_offset(b, m[i].name_off);
		uint32_t off = btf_member_bit_offset(t, i);

		if (mn && *mn) {
			if (strcmp(mn, name) != 0)
				continue;
			*bit_off = off;
			*bit_size = btf_member_bitfield_size(t, i);
			*mtype = m[i].type;
			return true;
		}
		if (member_find(btf_type_skip_mods(m[i].type), name, bit_off,
				bit_size, mtype)) {
			*bit_off += off;
			return true;
		}
	}
	return false;
}

static void chain_error(bool checking, struct loc loc, const char *fmt,
			const char *a, uint32_t tid)
{
	char tn[256];

	if (!checking)
		return;
	btf_type_name(tid, tn, sizeof(tn));
	diag_report("semantic error", loc, fmt, a, tn);
}

static bool is_char(uint32_t id)
{
	const struct btf_type *t = type_at(btf_type_skip_mods(id));

	return t && btf_is_int(t) && t->size == 1;
}

/*
 * Walk the chain from a value (addr = false) or an object at an address
 * (addr = true) of type tid, appending steps; then choose how the result
 * is read. Returns false after reporting an error.
 */
static bool chain_build(struct tgt_access *a, uint32_t tid, bool addr,
			struct node *chain, const char *what, bool checking,
			int maxstr, bool want_addr)
{
	uint32_t bit_off = 0, bit_size = 0;
	const struct btf_type *t;

	for (struct node *c = chain; c; c = c->next) {
		uint32_t rid = btf_type_skip_mods(tid);

		t = type_at(rid);
		bit_size = 0;
		if (c->kind == E_MEMBER) {
			uint32_t mt, boff, bsz;

			if (t && btf_is_ptr(t)) {
				if (addr)
					tgt_step_add(a, (struct tgt_step){
								.kind = TS_DEREF });
				rid = btf_type_skip_mods(t->type);
				t = type_at(rid);
				addr = true;
			}
			if (!t || !btf_is_composite(t) || !addr) {
				chain_error(checking, c->loc,
					    "'%s' has type %s: no member to "
					    "take with '->'",
					    what, rid ? rid : tid);
				return false;
			}
			if (!member_find(rid, c->str, &boff, &bsz, &mt)) {
				if (checking) {
					char tn[256];

					btf_type_name(rid, tn, sizeof(tn));
					diag_report("semantic error", c->loc,
						    "%s has no member '%s'", tn,
						    c->str);
				}
				return false;
			}
			if (bsz) {
				tgt_step_add(a, (struct tgt_step){
							.kind = TS_ADD,
							.off = boff / 8 });
				bit_off = boff % 8;
				bit_size = bsz;
			} else {
				tgt_step_add(a, (struct tgt_step){
							.kind = TS_ADD,
							.off = boff / 8 });
			}
			tid = mt;
			what = c->str;
			continue;
		}
		/* E_SUBSCRIPT */
		if (t && btf_is_array(t) && addr) {
			uint32_t et = btf_array(t)->type;
			int64_t es = btf__resolve_size(btf_kernel(), et);

			tgt_step_add(a, (struct tgt_step){ .kind = TS_INDEX,
							   .elem_size = (uint32_t)es,
							   .idx = c->a });
			tid = et;
			continue;
		}
		if (t && btf_is_ptr(t)) {
			int64_t es = btf__resolve_size(btf_kernel(), t->type);

			if (addr)
				tgt_step_add(a, (struct tgt_step){ .kind = TS_DEREF });
			if (es <= 0)
				es = 1;
			tgt_step_add(a, (struct tgt_step){ .kind = TS_INDEX,
							   .elem_size = (uint32_t)es,
							   .idx = c->a });
			tid = t->type;
			addr = true;
			continue;
		}
		chain_error(checking, c->loc,
			    "'%s' has type %s: it cannot be indexed", what, tid);
		return false;
	}

	/* &chain: the address the chain ends at, whatever its type */
	if (want_addr) {
		if (!addr || bit_size) {
			chain_error(checking,
				    chain ? chain->loc : (struct loc){ 0 },
				    "'&' needs a member or element in memory, "
				    "not '%s' of type %s",
				    what, tid);
			return false;
		}
		a->type_id = tid;
		a->end = TE_VALUE;
		a->size = 8;
		a->is_signed = false;
		return true;
	}
	/* How the result is read. */
	a->type_id = tid;
	tid = btf_type_skip_mods(tid);
	t = type_at(tid);
	if (t && btf_is_array(t) && addr && is_char(btf_array(t)->type)) {
		a->end = TE_STRING;
		a->strsize = btf_array(t)->nelems + 1;
		if ((int)a->strsize > maxstr)
			a->strsize = (uint32_t)maxstr;
		return true;
	}
	if (!t || !(btf_is_int(t) || btf_is_ptr(t) || btf_is_any_enum(t))) {
		chain_error(checking, chain ? chain->loc : a->base ? a->base->loc
								   : (struct loc){ 0 },
			    "'%s' has type %s: only integers, pointers, enums "
			    "and char arrays can be read",
			    what, tid);
		return false;
	}
	a->size = btf_is_ptr(t) ? 8 : t->size;
	if (a->size > 8)
		a->size = 8;
	a->is_signed = (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED)) ||
		       (btf_is_any_enum(t) && btf_kflag(t));
	a->end = addr ? TE_LOAD : TE_VALUE;
	a->bit_off = bit_off;
	a->bit_size = bit_size;
	return true;
}

struct symbol *target_access_symbol(struct tgt_access *a, const char *name,
				    struct loc loc)
{
	struct symbol *s = sym_new(SYM_CONTEXT, name, loc);

	s->ctx = CTX_TARGET;
	s->access = a;
	s->type = a->end == TE_STRING ? T_STRING : T_LONG;
	return s;
}

static bool is_format_field(struct rprobe *rp, const char *name)
{
	return rp->tp && !rp->syscall && tp_format_field(rp->tp, name);
}

static int proto_find(const struct btf_proto *pr, const char *name)
{
	for (int i = 0; pr && i < pr->nargs; i++)
		if (pr->args[i].name && strcmp(pr->args[i].name, name) == 0)
			return i;
	return -1;
}

char *target_var_list(struct rprobe *rp)
{
	struct tgt_probe *tp = probe_state(rp);
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!tp->proto)
		return NULL;
	m = open_memstream(&buf, &len);
	if (!m)
		abort();
	for (int i = 0; i < tp->proto->nargs; i++)
		fprintf(m, "%s$%s", i ? " " : "", tp->proto->args[i].name);
	fclose(m);
	return buf;
}

static char *format_field_list(struct rprobe *rp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		abort();
	for (int i = 0; rp->tp && i < rp->tp->nfields; i++)
		if (!rp->tp->fields[i].is_common)
			fprintf(m, "%s$%s", len || ftell(m) ? " " : "",
				rp->tp->fields[i].name);
	fclose(m);
	return buf;
}

static void mix_report(struct rprobe *rp, struct loc loc)
{
	struct tgt_probe *tp = rp->tgt;
	char *typed, *fields;

	if (tp->mix_reported)
		return;
	tp->mix_reported = true;
	diag_report("semantic error", loc,
		    "this handler mixes the two kinds of variables of %s: "
		    "'$%s' is a format field (classic tracepoint) and '$%s' "
		    "a typed prototype argument (BTF tracepoint, line %d)",
		    rp->name, tp->fmt_name, tp->btf_name, tp->btf_loc.line);
	typed = target_var_list(rp);
	fields = format_field_list(rp);
	diag_hint("use one kind per handler; typed arguments: %s; format "
		  "fields: %s (e.g. $next->pid instead of $next_pid)",
		  typed ? typed : "none", fields ? fields : "none");
	free(typed);
	free(fields);
}

static void note_btf(struct rprobe *rp, struct node *e, bool checking)
{
	struct tgt_probe *tp = rp->tgt;

	if (!tp->btf_name) {
		tp->btf_name = e->str;
		tp->btf_loc = e->loc;
	}
	if (rp->type == PT_TRACEPOINT)
		rp->mech = MECH_TP_BTF;
	if (checking && tp->fmt_name && proto_find(tp->proto, tp->fmt_name) < 0)
		mix_report(rp, e->loc);
}

void target_var_note_field(struct rprobe *rp, struct node *e, bool checking)
{
	struct tgt_probe *tp;

	if (!rp || !rp->tp || rp->syscall)
		return;
	if (!rp->tgt) {
		rp->tgt = calloc(1, sizeof(*rp->tgt));
		if (!rp->tgt)
			abort();
	}
	tp = rp->tgt;
	/* A name both kinds have follows the rest of the handler. */
	if (tp->proto && proto_find(tp->proto, e->str) >= 0)
		return;
	if (!tp->fmt_name || (tp->proto && proto_find(tp->proto, tp->fmt_name) >= 0)) {
		tp->fmt_name = e->str;
		tp->fmt_loc = e->loc;
	}
	if (checking && tp->btf_name)
		mix_report(rp, e->loc);
}

bool target_var_resolve(struct program *p, struct rprobe *rp, struct node *e,
			bool checking, struct symbol **out)
{
	struct tgt_probe *tp;
	struct tgt_access *a;
	bool is_return = false;
	int i;

	*out = NULL;
	if (!rp || !(rp->type == PT_KFUNC ||
		     (rp->type == PT_TRACEPOINT && rp->tp && !rp->syscall)))
		return false;
	/* A plain format field needs no BTF unless the handler already
	 * reads typed arguments. */
	if (!e->a && is_format_field(rp, e->str) &&
	    !(rp->tgt && rp->tgt->btf_name))
		return false;
	tp = probe_state(rp);
	if (rp->type == PT_KFUNC && rp->is_return &&
	    strcmp(e->str, "return") == 0)
		is_return = true;
	i = is_return ? -1 : proto_find(tp->proto, e->str);
	if (i < 0 && !is_return) {
		if (!e->a || !checking)
			return false;
		if (!tp->proto) {
			diag_report("semantic error", e->loc,
				    "'$%s->...' needs the typed arguments of "
				    "%s, but kernel BTF has no prototype for "
				    "it: %s",
				    e->str, rp->name, strerror(-tp->err));
			diag_hint("read the tracepoint's format fields "
				  "instead (etap -L '%s')",
				  rp->name);
		} else {
			char *typed = target_var_list(rp);

			diag_report("semantic error", e->loc,
				    "'$%s' is not a typed argument of %s",
				    e->str, rp->name);
			diag_hint("typed arguments: %s", typed);
			free(typed);
		}
		return true;
	}
	if (rp->type == PT_TRACEPOINT)
		note_btf(rp, e, checking);
	a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	if (tp->arg_regs) {
		if (is_return) {
			a->ctx_off = X86_64_RAX;
		} else if (i >= 6) {
			if (checking)
				diag_report("semantic error", e->loc,
					    "'$%s' is argument %d: kprobes "
					    "read only the first six",
					    e->str, i + 1);
			free(a);
			return true;
		} else {
			a->ctx_off = x86_64_arg_regs[i];
		}
	} else {
		a->ctx_off = 8 * (is_return ? tp->proto->nargs : i);
	}
	if (!chain_build(a, is_return ? tp->proto->ret_type
				      : tp->proto->args[i].type_id,
			 false, e->a, e->str, checking,
			 (int)p->opt.maxstringlen, e->addr_of)) {
		free(a);
		return true;
	}
	*out = target_access_symbol(a, e->str, e->loc);
	return true;
}

struct symbol *target_cast_resolve(struct program *p, struct rprobe *rp,
				   struct node *e, bool checking)
{
	struct tgt_access *a;
	uint32_t sid;

	(void)rp;
	if (!btf_kernel()) {
		if (checking)
			diag_report("semantic error", e->loc,
				    "@cast needs kernel BTF (%s)",
				    strerror(errno));
		return NULL;
	}
	sid = btf_struct_find(e->str);
	if (!sid) {
		if (checking) {
			diag_report("semantic error", e->loc,
				    "kernel BTF has no type '%s'", e->str);
			diag_hint("name a struct or union of the kernel, "
				  "e.g. @cast(p, \"task_struct\")");
		}
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->base = e->a;
	if (!chain_build(a, sid, true, e->c, e->str, checking,
			 (int)p->opt.maxstringlen, e->addr_of)) {
		free(a);
		return NULL;
	}
	return target_access_symbol(a, "@cast", e->loc);
}

uint32_t target_strsize(const struct symbol *s)
{
	return s->access ? (s->access->strsize + 7) & ~7u : 8;
}
