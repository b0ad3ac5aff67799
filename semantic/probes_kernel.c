// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel probe points beyond tracepoints: kernel.function (fentry/fexit,
 * else kprobes, else an error that names what is missing and what covers
 * the same ground), timer.profile and perf.* (per-CPU perf events),
 * syscall_any (the raw_syscalls tracepoints); and, once every handler is
 * typed, the choice of the syscall dispatcher for scripts with many
 * syscall probes.
 */
#define _GNU_SOURCE
#include "sem_internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "../parser/diag.h"
#include "btf_types.h"
#include "kfeatures.h"
#include "syscall_nr.h"

/* timer.profile fires at every scheduler tick; Debian kernels tick at
 * 250 Hz. */
#define PROFILE_PERIOD_NS 4000000ull
/* stap's default sample period of perf probes. */
#define PERF_DEFAULT_SAMPLE 1000000ull
/* Syscall probes of one direction from which one dispatcher on
 * raw_syscalls beats one classic tracepoint each. */
#define SYSCALL_TAIL_MIN 8

static bool is(const struct pp_comp *c, const char *name)
{
	return c && strcmp(c->name, name) == 0;
}

static bool num_arg(const struct pp_comp *c, int64_t *v)
{
	if (!c->has_arg || !c->arg || c->arg->kind != E_NUM)
		return false;
	*v = c->arg->num;
	return true;
}

static char *pp_name(const struct probe_point *pp)
{
	return sem_probe_point_str(pp);
}

/* ---- syscall_any ---- */

static int resolve_syscall_any(struct resolve_ctx *rc)
{
	const struct pp_comp *c1 = rc->pp->comps->next;
	bool ret = is(c1, "return");
	const struct tp_format *f;
	struct rprobe *rp;

	if ((c1 && !ret) || (c1 && c1->next) || rc->pp->comps->has_arg)
		return 0;
	f = tracefs_format("raw_syscalls", ret ? "sys_exit" : "sys_enter");
	if (!f) {
		diag_report("error", rc->pp->loc,
			    "cannot read the format of raw_syscalls:%s: %s",
			    ret ? "sys_exit" : "sys_enter", strerror(errno));
		return -1;
	}
	rp = sem_probe_add(rc, PT_TRACEPOINT,
			   strdup(ret ? "syscall_any.return" : "syscall_any"));
	rp->tp = f;
	rp->syscall_any = true;
	rp->is_return = ret;
	return 1;
}

/* ---- perf ---- */

static const struct {
	const char *name;
	uint64_t config;
} sw_events[] = {
	{ "cpu_clock", PERF_COUNT_SW_CPU_CLOCK },
	{ "task_clock", PERF_COUNT_SW_TASK_CLOCK },
	{ "page_faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "context_switches", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu_migrations", PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "page_faults_min", PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "page_faults_maj", PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "alignment_faults", PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation_faults", PERF_COUNT_SW_EMULATION_FAULTS },
}, hw_events[] = {
	{ "cpu_cycles", PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache_references", PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache_misses", PERF_COUNT_HW_CACHE_MISSES },
	{ "branch_instructions", PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch_misses", PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus_cycles", PERF_COUNT_HW_BUS_CYCLES },
	{ "stalled_cycles_frontend", PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "stalled_cycles_backend", PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "ref_cpu_cycles", PERF_COUNT_HW_REF_CPU_CYCLES },
};

static int perf_add(struct resolve_ctx *rc, uint32_t type, uint64_t config,
		    const struct pp_comp *rate)
{
	const char *why;
	struct rprobe *rp;
	int64_t v = 0;

	if (type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE) {
		if (!kfeature_hw_pmu(&why)) {
			char *s = pp_name(rc->pp);

			diag_report("semantic error", rc->pp->loc,
				    "cannot use %s: hardware perf events need "
				    "a CPU PMU, and %s",
				    s, why);
			diag_hint("software events still work: timer.profile "
				  "or perf.sw.cpu_clock.sample(N)");
			free(s);
			return -1;
		}
	}
	if (rate && ((!is(rate, "sample") && !is(rate, "hz")) ||
		     !num_arg(rate, &v) || v <= 0 || rate->next)) {
		diag_report("semantic error", rc->pp->loc,
			    "a perf probe ends in .sample(N) or .hz(N) with "
			    "a positive N");
		return -1;
	}
	rp = sem_probe_add(rc, PT_PERF, pp_name(rc->pp));
	rp->mech = MECH_PERF;
	rp->perf_type = type;
	rp->perf_config = config;
	rp->perf_sample = rate ? (uint64_t)v : PERF_DEFAULT_SAMPLE;
	rp->perf_freq = rate && is(rate, "hz");
	return 1;
}

static int resolve_perf(struct resolve_ctx *rc)
{
	const struct pp_comp *c1 = rc->pp->comps->next;
	const struct pp_comp *c2 = c1 ? c1->next : NULL;
	int64_t type, config;

	if (is(c1, "type") && is(c2, "config")) {
		if (!num_arg(c1, &type) || !num_arg(c2, &config) || type < 0) {
			diag_report("semantic error", rc->pp->loc,
				    "perf.type(T).config(C) takes numbers");
			return -1;
		}
		return perf_add(rc, (uint32_t)type, (uint64_t)config,
				c2->next);
	}
	if ((is(c1, "sw") || is(c1, "hw")) && c2 && !c2->has_arg) {
		bool sw = is(c1, "sw");
		size_t n = sw ? sizeof(sw_events) / sizeof(sw_events[0])
			      : sizeof(hw_events) / sizeof(hw_events[0]);

		for (size_t i = 0; i < n; i++) {
			const char *name = sw ? sw_events[i].name
					      : hw_events[i].name;

			if (strcmp(name, c2->name) == 0)
				return perf_add(rc,
						sw ? PERF_TYPE_SOFTWARE
						   : PERF_TYPE_HARDWARE,
						sw ? sw_events[i].config
						   : hw_events[i].config,
						c2->next);
		}
	}
	return 0;
}

static int resolve_timer_profile(struct resolve_ctx *rc)
{
	struct rprobe *rp;

	rp = sem_probe_add(rc, PT_PERF, strdup("timer.profile"));
	rp->mech = MECH_PERF;
	rp->perf_type = PERF_TYPE_SOFTWARE;
	rp->perf_config = PERF_COUNT_SW_CPU_CLOCK;
	rp->perf_sample = PROFILE_PERIOD_NS;
	return 1;
}

/* ---- kernel.function ---- */

struct name_list {
	char **v;
	int n;
};

static void name_collect(const char *name, void *arg)
{
	struct name_list *l = arg;

	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		abort();
	l->v[l->n++] = strdup(name);
}

static bool event_exists(const char *system, const char *event)
{
	char path[512];
	const char *hint;
	const char *root = tracefs_root(&hint);

	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s", root, system, event);
	return access(path, F_OK) == 0;
}

/* What covers the ground of kernel function fn without probing it. */
static void kfunc_suggest(const char *fn, char *buf, size_t len)
{
	static const char *const prefixes[] = { "__x64_sys_", "__do_sys_",
						 "__se_sys_", "do_sys_",
						 "ksys_", "sys_", "vfs_",
						 "do_", "__", NULL };
	const char *base = fn;
	char ev[256];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; prefixes[i]; i++)
		if (strncmp(fn, prefixes[i], strlen(prefixes[i])) == 0) {
			base = fn + strlen(prefixes[i]);
			break;
		}
	snprintf(ev, sizeof(ev), "sys_enter_%s", base);
	if (event_exists("syscalls", ev))
		used += snprintf(buf + used, len - used, "syscall.%s", base);
	if (strncmp(fn, "vfs_", 4) == 0 && used < len)
		used += snprintf(buf + used, len - used, "%svfs.%s",
				 used ? " / " : "", base);
	if (!used) {
		const char *s = tracefs_suggest(NULL, fn);

		if (s)
			used += snprintf(buf + used, len - used,
					 "kernel.trace(\"%s\")", s);
	}
}

static int resolve_kernel_function(struct resolve_ctx *rc)
{
	const struct pp_comp *c1 = rc->pp->comps->next;
	const struct pp_comp *c2 = c1->next;
	bool ret = is(c2, "return");
	const char *why_f = "", *why_k = "";
	struct name_list l = { 0 };
	enum probe_mech mech;
	int made = 0;

	if (!c1->has_arg || !c1->arg || c1->arg->kind != E_STR ||
	    (c2 && !ret && !is(c2, "call")) || (c2 && c2->next)) {
		diag_report("semantic error", rc->pp->loc,
			    "kernel.function needs a function name: "
			    "kernel.function(\"NAME\")[.call|.return]");
		return -1;
	}
	if (!btf_kernel()) {
		diag_report("semantic error", rc->pp->loc,
			    "kernel.function needs kernel BTF to find "
			    "functions and their arguments: %s",
			    strerror(errno));
		return -1;
	}
	btf_function_list(c1->arg->str, name_collect, &l);
	if (!l.n)
		return 0;
	if (kfeature_fentry(&why_f))
		mech = ret ? MECH_FEXIT : MECH_FENTRY;
	else if (kfeature_kprobes(&why_k))
		mech = ret ? MECH_KRETPROBE : MECH_KPROBE;
	else if (rc->pp->optional) {
		/* an optional point (a tapset's first choice) matches
		 * nothing here, so its alias falls to the next one */
		for (int i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return 0;
	} else {
		char *s = pp_name(rc->pp);
		char sug[512];

		kfunc_suggest(l.v[0], sug, sizeof(sug));
		diag_report("semantic error", rc->pp->loc,
			    "cannot probe %s on this kernel: %s, and %s", s,
			    why_f, why_k);
		if (sug[0])
			diag_hint("%s covers the same ground with "
				  "tracepoints",
				  sug);
		else
			diag_hint("use a tracepoint instead: etap -l "
				  "'kernel.trace(\"*\")'");
		free(s);
		return -1;
	}
	for (int i = 0; i < l.n; i++) {
		struct rprobe *rp;
		char *name;

		if (asprintf(&name, "kernel.function(\"%s\")%s", l.v[i],
			     ret ? ".return" : c2 ? ".call" : "") < 0)
			abort();
		rp = sem_probe_add(rc, PT_KFUNC, name);
		rp->kfunc = l.v[i];
		rp->mech = mech;
		rp->is_return = ret;
		made++;
	}
	return made;
}

int sem_resolve_kernel_probes(struct resolve_ctx *rc)
{
	const struct pp_comp *c0 = rc->pp->comps;
	const struct pp_comp *c1 = c0->next;

	if (is(c0, "syscall_any"))
		return resolve_syscall_any(rc);
	if (is(c0, "perf"))
		return resolve_perf(rc);
	if (is(c0, "timer") && is(c1, "profile") && !c1->has_arg && !c1->next)
		return resolve_timer_profile(rc);
	if (is(c0, "kernel") && is(c1, "function"))
		return resolve_kernel_function(rc);
	return 0;
}

/* ---- the syscall dispatcher ---- */

/*
 * A script with many syscall probes of one direction gets one program on
 * raw_syscalls:sys_enter (or sys_exit) that tail-calls the handler of the
 * syscall's number. Each dispatcher's program array holds one handler per
 * number, so probes of the same syscall go to further dispatchers (groups).
 * A syscall whose number is unknown keeps its classic tracepoint.
 */
void sem_choose_mechanisms(struct program *p)
{
	int count[2] = { 0, 0 };
	int max = syscall_nr_max();
	int *used[2];

	for (struct rprobe *rp = p->probes; rp; rp = rp->next)
		if (rp->syscall && rp->mech == MECH_TRACEPOINT)
			count[rp->is_return]++;
	if (count[0] < SYSCALL_TAIL_MIN && count[1] < SYSCALL_TAIL_MIN)
		return;
	/* used[dir][nr]: groups taken for this number, as a bit mask */
	used[0] = calloc(max + 1, sizeof(int));
	used[1] = calloc(max + 1, sizeof(int));
	if (!used[0] || !used[1])
		abort();
	for (struct rprobe *rp = p->probes; rp; rp = rp->next) {
		int dir = rp->is_return, nr, g = 0;

		if (!rp->syscall || rp->mech != MECH_TRACEPOINT ||
		    count[dir] < SYSCALL_TAIL_MIN)
			continue;
		nr = syscall_nr_of(rp->tp->event + (dir ? 9 : 10));
		if (nr < 0 || nr >= max)
			continue;
		while (g < 30 && (used[dir][nr] & (1 << g)))
			g++;
		if (g == 30)
			continue;
		used[dir][nr] |= 1 << g;
		rp->mech = MECH_SYSCALL_TAIL;
		rp->syscall_nr = nr;
		rp->tail_group = 2 * g + dir;
	}
	free(used[0]);
	free(used[1]);
}

const char *sem_mech_name(enum probe_mech m)
{
	switch (m) {
	case MECH_TRACEPOINT:
		return "classic tracepoint";
	case MECH_TP_BTF:
		return "BTF tracepoint (tp_btf)";
	case MECH_RAW_TP:
		return "raw tracepoint (raw_tp, no fields read)";
	case MECH_SYSCALL_TAIL:
		return "tail call from the raw_syscalls dispatcher";
	case MECH_PERF:
		return "perf event on every CPU";
	case MECH_FENTRY:
		return "fentry";
	case MECH_FEXIT:
		return "fexit";
	case MECH_KPROBE:
		return "kprobe";
	case MECH_KRETPROBE:
		return "kretprobe";
	case MECH_UPROBE:
		return "uprobe";
	case MECH_URETPROBE:
		return "uretprobe";
	default:
		return "user context";
	}
}
