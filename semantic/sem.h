/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The elaborated program: resolved probes, symbols with types and storage,
 * options. Produced by sem_elaborate() (pass 2), consumed by the code
 * generator (kernel-context probes) and the user-context evaluator.
 *
 * Annotations the semantic pass leaves on the AST (struct node):
 *  - every expression gets ->type (T_LONG, T_STRING, T_STATS or T_VOID);
 *  - E_IDENT: ->sym is the local, global or context variable (SYM_*);
 *    for an array name used bare (foreach, delete, in) ->sym is the array;
 *  - E_INDEX: ->sym is the array symbol (also on its ->a);
 *  - E_TARGET: ->sym is a SYM_CONTEXT symbol (tracepoint field, $return);
 *  - E_CALL: ->sym is a SYM_FUNCTION (user function) or NULL with
 *    ->op = the builtin id (enum builtin) for builtins;
 *  - E_STR / string expressions: ->strmax = largest length incl. NUL;
 *  - S_FOREACH: fe->keys[i]->sym and fe->value->sym are locals.
 */
#ifndef ETAP_SEM_H
#define ETAP_SEM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../parser/ast.h"
#include "tracefs.h"

#define SEM_MAXKEYS 9

enum sym_kind {
	SYM_GLOBAL,
	SYM_LOCAL,	/* probe or function local, or function parameter */
	SYM_FUNCTION,
	SYM_CONTEXT,	/* a probe's context variable */
};

/* What a SYM_CONTEXT symbol reads. */
enum ctx_kind {
	CTX_TP_FIELD,	  /* tracefs format field at field->offset */
	CTX_SYSCALL_NAME, /* syscall probes' `name`: constant string */
	CTX_RETURN,	  /* $return / retval of syscall returns: the `ret`
			   * field of sys_exit_* */
	CTX_TARGET,	  /* typed argument or @cast chain: ->access
			   * (semantic/target_vars.h) */
	CTX_SYSCALL_NR,	  /* syscall_any's syscall_nr: the raw id */
	CTX_SYSCALL_ANY_NAME, /* syscall_any's name: looked up by number */
};

struct tgt_access;
struct tgt_probe;
struct usdt_site;

struct regex_prog;
struct stats_info;

struct symbol {
	enum sym_kind kind;
	const char *name;
	struct loc loc;
	enum etype type;		   /* value type */
	int nkeys;			   /* 0: scalar, > 0: array */
	enum etype keytypes[SEM_MAXKEYS];
	int keysize[SEM_MAXKEYS];	   /* bytes of each key slot: 8 for
					    * longs, a multiple of 8 for
					    * strings (NUL padded) */
	int keyoff[SEM_MAXKEYS];	   /* offset of each slot in the key */

	/* SYM_GLOBAL */
	struct global *decl;
	int map_idx;	      /* arrays: index into the object's maps */
	uint32_t gd_off;      /* scalars: offset in the global-data value */
	uint32_t key_size;    /* arrays: total key bytes */
	uint32_t value_size;  /* arrays: 8 for long, maxstringlen for
			       * strings */
	uint32_t maxentries;  /* arrays */
	bool wrap;

	/* SYM_LOCAL: slot in its probe's or function's frame */
	int slot;
	bool is_param;

	/* SYM_FUNCTION */
	struct function *fn;
	int nlocals; /* frame size in slots, parameters first */
	struct symbol **locals; /* slot -> symbol */

	/* SYM_CONTEXT */
	enum ctx_kind ctx;
	const struct tp_field *field;
	const char *const_str; /* CTX_SYSCALL_NAME */
	const struct tgt_access *access; /* CTX_TARGET */

	/* usage, for storage choices and the exit-time dump */
	bool read, written;
	bool used_in_kernel, used_in_user;
	/* statistics and per-CPU storage (semantic/stats.c) */
	struct stats_info *stats; /* T_STATS globals: what they keep */
	bool has_map;		  /* stored in map map_idx */
	bool percpu;		  /* per-CPU map: user context merges CPUs */
	struct symbol *next; /* in the program's list of this kind */
};

/* Builtin functions (E_CALL with ->sym == NULL: ->op holds one of these). */
enum builtin {
	BI_NONE = 0,
	BI_PRINTF,   /* printf(fmt, ...) */
	BI_SPRINTF,  /* sprintf(fmt, ...) */
	BI_PRINT,    /* print(x, ...) */
	BI_PRINTLN,  /* println(x, ...) */
	BI_SPRINT,   /* sprint(x) */
	BI_EXIT,     /* exit() */
	BI_PID, BI_TID, BI_PPID, BI_UID, BI_EXECNAME, BI_CPU, BI_TARGET,
	BI_GETTIMEOFDAY_S, BI_GETTIMEOFDAY_MS, BI_GETTIMEOFDAY_US,
	BI_GETTIMEOFDAY_NS,
	BI_STRLEN,
	BI_ERROR,    /* error(msg) */
	BI_LOG,	     /* log(msg) */
	BI_WARN,     /* warn(msg) */
	BI_ABORT,    /* abort(): end the run now, without end probes */
	BI_PP,	     /* pp(): the probe point string */
	/* current task (kernel context: codegen/lower_task.c) */
	BI_GID, BI_EUID, BI_EGID, BI_PEXECNAME, BI_LOCAL_CLOCK_NS,
	BI_MATCHED,  /* matched(n): group n of the last =~ */
	BI_NGROUPS,  /* ngroups(): groups of the last =~ */
	BI_USER_STRING, BI_USER_STRING_N, BI_KERNEL_STRING,
	BI_TASK_CURRENT, /* task_current(): the task_struct address */
	/* probe names and raw memory (kernel context: codegen/lower_context.c) */
	BI_PN, BI_PROBEFUNC, BI_REGISTER, BI_U_REGISTER, BI_BACKTRACE,
	BI_UBACKTRACE, BI_PRINT_BACKTRACE, BI_PRINT_UBACKTRACE,
	BI_SPRINT_BACKTRACE, BI_SPRINT_UBACKTRACE, BI_SYMNAME, BI_SYMDATA,
	BI_USYMNAME, BI_USYMDATA, BI_PRINT_STACK, BI_SPRINT_STACK,
	BI_PRINT_USTACK, BI_SPRINT_USTACK, BI_UADDR, BI_TEXT_STR, BI_USER_LONG, BI_USER_INT, BI_USER_SHORT,
	BI_USER_CHAR, BI_KERNEL_LONG, BI_KERNEL_INT, BI_RETURNVAL,
	BI_MAX
};

enum probe_type {
	PT_BEGIN,
	PT_END,
	PT_ERROR,
	PT_TIMER,      /* timer.s/ms/...: user context */
	PT_TRACEPOINT, /* classic tracepoint: kernel context */
	PT_PERF,       /* perf event (timer.profile, perf.*): kernel context */
	PT_KFUNC,      /* kernel.function: kernel context */
	PT_UPROBE,     /* process("PATH").function: kernel context */
};

/* How a kernel-context probe attaches (-p2 prints it). */
enum probe_mech {
	MECH_NONE = 0,	    /* user context */
	MECH_TRACEPOINT,    /* classic tracepoint, tracefs format fields */
	MECH_TP_BTF,	    /* BTF raw tracepoint, typed arguments */
	MECH_SYSCALL_TAIL,  /* tail call from the raw_syscalls dispatcher */
	MECH_PERF,	    /* per-CPU perf events */
	MECH_FENTRY, MECH_FEXIT, MECH_KPROBE, MECH_KRETPROBE,
	MECH_RAW_TP,	    /* raw tracepoint: handler reads no field */
	MECH_UPROBE, MECH_URETPROBE, /* user-space function entry/return */
};
const char *sem_mech_name(enum probe_mech m);

struct rprobe {
	struct probe *src;	/* the probe as written */
	struct probe_point *pp; /* the point this instance resolves */
	char *name;		/* canonical point, e.g. "syscall.read" or
				 * "kernel.trace(\"sched:sched_switch\")" */
	enum probe_type type;
	bool kernel;		/* runs in kernel context (BPF) */
	int64_t order;		/* begin(N)/end(N), else 0 */
	uint64_t period_ns;	/* timers */
	/* PT_TRACEPOINT */
	const struct tp_format *tp;
	const char *syscall; /* syscall.NAME: the stap-level name, else NULL */
	bool is_return;
	enum probe_mech mech;
	struct tgt_probe *tgt; /* typed arguments (semantic/target_vars.h) */
	int syscall_nr;	       /* MECH_SYSCALL_TAIL: slot in the prog array */
	int tail_group;	       /* MECH_SYSCALL_TAIL: which dispatcher */
	bool syscall_any;      /* syscall_any[.return] */
	const char *kfunc;     /* PT_KFUNC: the kernel function */
	/* PT_UPROBE: the ELF file, the function and its code's file offset */
	const char *upath, *ufunc;
	uint64_t uoffset;
	struct usdt_site *usdt; /* a .mark: the USDT site (semantic/usdt.h) */
	/* PT_PERF: perf_event_attr type/config, period or frequency */
	uint32_t perf_type;
	uint64_t perf_config;
	uint64_t perf_sample;
	bool perf_freq;
	struct node *cond;  /* probe-point condition or NULL */
	struct node *body;  /* S_BLOCK (alias bodies merged in) */
	struct symbol **locals; /* slot -> symbol */
	int nlocals;
	int index; /* position among the program's probes */
	struct rprobe *next;
};

struct sem_options {
	int64_t maxstringlen;  /* MAXSTRINGLEN, default 512 */
	int64_t maxmapentries; /* MAXMAPENTRIES, default 2048 */
	int64_t maxaction;     /* MAXACTION, default 1000 */
	int64_t maxerrors;     /* MAXERRORS, default 0 */
	int64_t hist_elision;  /* HIST_ELISION, default 2 */
	int64_t maxnesting;    /* MAXNESTING, default 10 (0 reads as 10) */
};

/* Fixed header of the global-data value (an mmap-able one-element array
 * map); script scalars follow at GD_SCALARS. */
enum {
	GD_TARGET = 0,	 /* u64: target() pid, set before attaching */
	GD_EXIT = 8,	 /* u64: set to 1 by kernel-context exit() */
	GD_DROPS = 16,	 /* u64: ring buffer records that could not be
			  * reserved */
	GD_ERRORS = 24,	 /* u64: kernel-context runtime errors */
	GD_SKIPPED = 32, /* u64: skipped probe hits */
	GD_ABORT = 40,	 /* u64: abort() was called (either context);
			  * kernel handlers then run no more */
	GD_SCALARS = 64,
};
/* abort() also adds this to GD_ERRORS, so a kernel handler's entry reads
 * one word to know whether to run: errors beyond MAXERRORS or an abort.
 * The error count is GD_ERRORS modulo it. */
#define GD_ERRORS_ABORTED (1ULL << 40)

struct program {
	struct script *script;
	struct sem_options opt;
	struct rprobe *probes; /* in script order */
	int nprobes;
	struct symbol *globals; /* list in declaration order */
	int nglobals;
	struct symbol *functions;
	uint32_t gd_size; /* bytes of global data */
	int nmaps_arrays; /* array maps are maps 0..nmaps_arrays-1 */
	uint32_t gd_stats_zero; /* zeros in global data that new per-CPU
				 * aggregate elements are created from */
	/* compiled regular expressions (semantic/regex.h), also on their
	 * E_REGEX nodes' ->sem */
	struct regex_prog **regexes;
	int nregexes;
};

/* Pass 2: resolve and type everything. Errors go through diag_report;
 * returns NULL when any was reported. */
struct program *sem_elaborate(struct script *s, const struct sem_options *opt);
/* The -p2 output. */
void sem_print_program(FILE *out, const struct program *p);
const char *etype_name(enum etype t);

#endif
