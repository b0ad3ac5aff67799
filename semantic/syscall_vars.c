// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap's variables on syscall.NAME probes. The probes themselves are
 * resolved from the tracefs formats (probes.c); this writes, per probe, a
 * prologue in the script language from the same format: each argument
 * field under its own name (pointers also as NAME_uaddr, "buf" as
 * buf_uaddr), file names as strings through user_string(), argstr in
 * strace style (strings quoted, pointers in hex, symbolic flags through
 * tapset/syscall_decode.stp) and retstr on .return ("-2 (ENOENT)").
 * Only the variables the handler names are written, so a handler that
 * reads none costs nothing; script code works in both contexts.
 */
#define _GNU_SOURCE
#include "syscall_vars.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parser/parser.h"
#include "sem_internal.h"
#include "tracefs.h"

struct idents {
	const char **v;
	int n;
};

static void idents_collect(struct idents *ids, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == E_IDENT) {
			ids->v = realloc(ids->v, (ids->n + 1) * sizeof(char *));
			if (!ids->v)
				abort();
			ids->v[ids->n++] = n->str;
		}
		/* The target of a plain assignment is written, not read
		 * (an alias prologue assigning its own argstr). */
		if (n->kind == E_ASSIGN && n->op == OP_ASSIGN && n->a &&
		    n->a->kind == E_IDENT) {
			idents_collect(ids, n->b);
			continue;
		}
		idents_collect(ids, n->a);
		idents_collect(ids, n->b);
		idents_collect(ids, n->c);
		idents_collect(ids, n->d);
		idents_collect(ids, n->args);
		if (n->fe) {
			idents_collect(ids, n->fe->array);
			idents_collect(ids, n->fe->slice);
			idents_collect(ids, n->fe->limit);
			idents_collect(ids, n->fe->body);
		}
	}
}

static bool idents_has(const struct idents *ids, const char *s)
{
	for (int i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i], s) == 0)
			return true;
	return false;
}

static bool is_path_field(const struct tp_field *f)
{
	static const char *const names[] = { "filename", "pathname", "oldname",
					     "newname", "path", "specialfile",
					     "dev_name", "dir_name", NULL };

	if (!f->is_pointer || !strstr(f->type, "char"))
		return false;
	for (int i = 0; names[i]; i++)
		if (strcmp(f->name, names[i]) == 0)
			return true;
	return false;
}

/* stap's names where they differ from the kernel's field name: the
 * variable is offered under both (and NAME_uaddr for pointers). NULL
 * syscall: every syscall with that field. */
static const struct {
	const char *sc, *field, *stap;
} sc_aliases[] = {
	{ NULL, "oldname", "oldpath" },	       { NULL, "newname", "newpath" },
	{ "access", "filename", "pathname" },  { "faccessat", "filename", "pathname" },
	{ "faccessat2", "filename", "pathname" },
	{ "chdir", "filename", "path" },       { "chroot", "filename", "path" },
	{ "chmod", "filename", "path" },       { "chown", "filename", "path" },
	{ "lchown", "filename", "path" },      { "chown", "user", "owner" },
	{ "lchown", "user", "owner" },	       { "fchown", "user", "owner" },
	{ "fchownat", "user", "owner" },       { "stat", "statbuf", "buf" },
	{ "lstat", "statbuf", "buf" },	       { "fstat", "statbuf", "buf" },
	{ "fstatat", "statbuf", "buf" },       { "connect", "fd", "sockfd" },
	{ "connect", "uservaddr", "serv_addr" },
	{ "accept", "fd", "sockfd" },	       { "accept", "upeer_sockaddr", "addr" },
	{ "accept", "upeer_addrlen", "addrlen" },
	{ "accept4", "fd", "sockfd" },	       { "accept4", "upeer_sockaddr", "addr" },
	{ "accept4", "upeer_addrlen", "addrlen" },
	{ "bind", "fd", "sockfd" },	       { "bind", "umyaddr", "my_addr" },
	{ "listen", "fd", "sockfd" },	       { "getsockname", "fd", "sockfd" },
	{ "getpeername", "fd", "sockfd" },     { "mmap", "addr", "start" },
	{ "mmap", "off", "offset" },	       { "munmap", "addr", "start" },
	{ "munmap", "len", "length" },	       { "mprotect", "start", "addr" },
	{ "mkdirat", "dfd", "dirfd" },	       { "mmap", "len", "length" },
	{ "fstat", "fd", "filedes" },	       { "fstatat", "dfd", "dirfd" },
	{ "fstatat", "filename", "path" },     { "fstatat", "flag", "flags" },
	{ "pread64", "pos", "offset" },	       { "pwrite64", "pos", "offset" },
	{ "readv", "vec", "vector" },	       { "readv", "vlen", "count" },
	{ "writev", "vec", "vector" },	       { "writev", "vlen", "count" },
	{ "dup", "fildes", "oldfd" },	       { "clone", "newsp", "stack_start" },
	{ "clone", "parent_tidptr", "parent_tid" },
	{ "clone", "child_tidptr", "child_tid" },
	{ "utimes", "utimes", "tvp" },
};

/* The i-th stap name of field f of syscall sc after the first (start
 * with *i = 0); NULL when there is none. */
static const char *sc_alias_next(const char *sc, const char *field, size_t *i)
{
	for (; *i < sizeof(sc_aliases) / sizeof(sc_aliases[0]); (*i)++)
		if ((!sc_aliases[*i].sc || strcmp(sc_aliases[*i].sc, sc) == 0) &&
		    strcmp(sc_aliases[*i].field, field) == 0)
			return sc_aliases[(*i)++].stap;
	return NULL;
}

/* The names field f of syscall sc goes by: the field's own, then stap's
 * (start with *k = 0; NULL after the last). */
static const char *sc_name_next(const char *sc, const char *field, size_t *k)
{
	size_t i;
	const char *r;

	if (*k == 0) {
		*k = 1;
		return field;
	}
	i = *k - 1;
	r = sc_alias_next(sc, field, &i);
	*k = i + 1;
	return r;
}

static bool sc_is(const char *sc, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(sc, *list) == 0)
			return true;
	return false;
}

/* The argstr piece of one field: a format and its argument. */
static void field_fmt(const char *sc, const struct tp_field *f, char **fmt,
		      char **arg)
{
	static const char *const opens[] = { "open", "openat", "creat", NULL };
	static const char *const access[] = { "access", "faccessat",
					      "faccessat2", NULL };
	static const char *const kills[] = { "kill", "tkill", "tgkill",
					     "rt_sigqueueinfo", NULL };
	const char *n = f->name;
	const char *fn = NULL;

	if (is_path_field(f)) {
		*fmt = strdup("\\\"%s\\\"");
		if (asprintf(arg, "user_string($%s, \"\")", n) < 0)
			abort();
		return;
	}
	if (f->is_pointer) {
		*fmt = strdup("%p");
		if (asprintf(arg, "$%s", n) < 0)
			abort();
		return;
	}
	if (strcmp(n, "dfd") == 0 || strcmp(n, "olddfd") == 0 ||
	    strcmp(n, "newdfd") == 0)
		fn = "_dfd_str";
	else if (sc_is(sc, opens) && strcmp(n, "flags") == 0)
		fn = "_sys_open_flag_str";
	else if (sc_is(sc, access) && strcmp(n, "mode") == 0)
		fn = "_access_mode_str";
	else if ((strcmp(sc, "mmap") == 0 || strcmp(sc, "mprotect") == 0) &&
		 strcmp(n, "prot") == 0)
		fn = "_mprotect_prot_str";
	else if (strcmp(sc, "mmap") == 0 && strcmp(n, "flags") == 0)
		fn = "_mmap_flags_str";
	else if (strcmp(sc, "clone") == 0 && strcmp(n, "clone_flags") == 0)
		fn = "_clone_flags_str";
	else if (strcmp(sc, "fcntl") == 0 && strcmp(n, "cmd") == 0)
		fn = "_fcntl_cmd_str";
	else if (strcmp(sc, "socket") == 0 && strcmp(n, "family") == 0)
		fn = "_sock_family_str";
	else if (strcmp(sc, "socket") == 0 && strcmp(n, "type") == 0)
		fn = "_sock_type_str";
	else if (sc_is(sc, kills) && strcmp(n, "sig") == 0)
		fn = "_signal_arg_str";
	if (fn) {
		*fmt = strdup("%s");
		if (asprintf(arg, "%s($%s)", fn, n) < 0)
			abort();
		return;
	}
	if (sc_is(sc, opens) && strcmp(n, "mode") == 0) {
		*fmt = strdup("%#o");
	} else {
		*fmt = strdup("%d");
	}
	if (asprintf(arg, "$%s", n) < 0)
		abort();
}

static void text_add(char **text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text_add(char **text, const char *fmt, ...)
{
	va_list ap;
	char *piece, *joined;

	va_start(ap, fmt);
	if (vasprintf(&piece, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&joined, "%s%s", *text ? *text : "", piece) < 0)
		abort();
	free(*text);
	free(piece);
	*text = joined;
}

static void entry_vars(char **text, const struct rprobe *rp,
		       const struct idents *ids)
{
	const struct tp_format *tp = rp->tp;
	char *fmt = NULL, *args = NULL;

	for (int i = 0; i < tp->nfields; i++) {
		const struct tp_field *f = &tp->fields[i];
		char *uaddr;

		if (f->is_common || strcmp(f->name, "__syscall_nr") == 0 ||
		    strcmp(f->name, "name") == 0)
			continue;
		const char *v;

		for (size_t k = 0; (v = sc_name_next(rp->syscall, f->name, &k));) {
			if (idents_has(ids, v)) {
				if (is_path_field(f))
					text_add(text,
						 "%s = user_string($%s, \"\")\n",
						 v, f->name);
				else
					text_add(text, "%s = $%s\n", v,
						 f->name);
			}
			if (asprintf(&uaddr, "%s_uaddr", v) < 0)
				abort();
			if (f->is_pointer && idents_has(ids, uaddr))
				text_add(text, "%s = $%s\n", uaddr, f->name);
			free(uaddr);
		}
		if (idents_has(ids, "argstr")) {
			char *ffmt, *farg;

			field_fmt(rp->syscall, f, &ffmt, &farg);
			if (strcmp(f->name, "mode") == 0 &&
			    (strcmp(rp->syscall, "open") == 0 ||
			     strcmp(rp->syscall, "openat") == 0)) {
				/* strace: the mode only with O_CREAT */
				free(ffmt);
				free(farg);
				ffmt = strdup("%s");
				farg = strdup("($flags & 64 ? "
					      "sprintf(\", %#o\", $mode) : \"\")");
				text_add(&fmt, "%s", ffmt);
			} else {
				text_add(&fmt, "%s%s", fmt ? ", " : "", ffmt);
			}
			text_add(&args, ", %s", farg);
			free(ffmt);
			free(farg);
		}
	}
	if (idents_has(ids, "argstr"))
		text_add(text, "argstr = sprintf(\"%s\"%s)\n", fmt ? fmt : "",
			 args ? args : "");
	free(fmt);
	free(args);
}

int syscall_vars_add(struct rprobe *rp, const struct script *script)
{
	static const struct parse_env env = { .runtime = "bpf",
					      .systemtap_v = "5.0" };
	struct idents ids = { 0 };
	char *text = NULL, *src;
	struct script *s;
	struct node *blk;

	if (!rp->syscall || !rp->tp)
		return 0;
	idents_collect(&ids, rp->body);
	/* A script's global of the same name (`n`, `fd`) is not ours. */
	for (int i = 0; i < ids.n; i++)
		for (const struct global *g = script->globals; g; g = g->next)
			if (strcmp(g->name, ids.v[i]) == 0)
				ids.v[i] = "";
	if (rp->is_return) {
		if (idents_has(&ids, "retstr"))
			text_add(&text, "retstr = _sys_retstr($ret)\n");
	} else {
		entry_vars(&text, rp, &ids);
	}
	free(ids.v);
	if (!text)
		return 0;
	if (asprintf(&src, "probe begin {\n%s}\n", text) < 0)
		abort();
	free(text);
	s = parse_text("<syscall variables>", src, &env, NULL);
	free(src);
	if (!s || !s->probes)
		return -1;
	blk = ast_node_new(S_BLOCK, rp->body->loc);
	blk->args = s->probes->body;
	s->probes->body->next = rp->body;
	blk->nargs = 2;
	rp->body = blk;
	return 0;
}

void syscall_vars_list(FILE *m, const struct rprobe *rp)
{
	const struct tp_format *tp = rp->tp;

	if (!rp->syscall || !tp)
		return;
	if (rp->is_return) {
		fputs(" retstr:string", m);
		return;
	}
	fputs(" argstr:string", m);
	for (int i = 0; i < tp->nfields; i++) {
		const struct tp_field *f = &tp->fields[i];

		if (f->is_common || strcmp(f->name, "__syscall_nr") == 0 ||
		    strcmp(f->name, "name") == 0)
			continue;
		const char *v;

		for (size_t k = 0; (v = sc_name_next(rp->syscall, f->name, &k));) {
			fprintf(m, " %s:%s", v,
				is_path_field(f) ? "string" : "long");
			if (f->is_pointer)
				fprintf(m, " %s_uaddr:long", v);
		}
	}
}
