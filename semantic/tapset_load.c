// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding and loading tapset files. Startup time matters more than
 * completeness of the index: each file's text is scanned once for the
 * names it declares at top level (`probe A.B = ...` gives "A",
 * `function f` gives "f"), and only files that provide a name the script
 * uses are parsed, repeated until the loaded tapsets want nothing new.
 */
#define _GNU_SOURCE
#include "tapset.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alias.h"

/* config.h's ETAP_TAPSET_DIR keeps ${datadir} unexpanded: the
 * Makefile passes the expanded directory. */
#ifndef ETAP_INSTALLED_TAPSETS
#define ETAP_INSTALLED_TAPSETS "/usr/local/share/etap/tapset"
#endif
#ifndef ETAP_BINDIR
#define ETAP_BINDIR "/usr/local/bin"
#endif

struct tapset_file {
	char *path;
	char **probes; /* first components of alias names */
	int nprobes;
	char **funcs;
	int nfuncs;
	bool loaded;
};

static const char **dirs;
static int ndirs;
static bool dirs_done;

void tapset_add_dir(const char *dir)
{
	dirs = realloc(dirs, (ndirs + 2) * sizeof(*dirs));
	if (!dirs)
		abort();
	dirs[ndirs++] = dir;
	dirs[ndirs] = NULL;
}

/* Installed binaries use the installed tapsets; a binary run from the
 * build tree uses the tapsets beside its sources, so a developer never
 * runs stale installed ones. */
static const char *tapset_default_dir(void)
{
	static char exe[PATH_MAX];
	const char *env = getenv("ETAP_TAPSET");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ETAP_INSTALLED_TAPSETS;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (strcmp(exe, ETAP_BINDIR) == 0)
		return ETAP_INSTALLED_TAPSETS;
#ifdef ETAP_SRCDIR
	return ETAP_SRCDIR "/tapset";
#else
	return ETAP_INSTALLED_TAPSETS;
#endif
}

const char *const *tapset_dirs(void)
{
	if (!dirs_done) {
		tapset_add_dir(tapset_default_dir());
		dirs_done = true;
	}
	return dirs;
}

/* ---- the index ---- */

static void strv_add(char ***v, int *n, const char *s, size_t len)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[(*n)++] = strndup(s, len);
}

static const char *skip_space(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p = strchrnul(p, '\n');
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* After `probe`: names up to '=' / '+=' (an alias) or '{' (a probe). */
static const char *scan_probe(struct tapset_file *f, const char *p)
{
	const char *firsts[64];
	size_t lens[64];
	int n = 0, paren = 0;
	bool at_name = true;

	for (p = skip_space(p); *p; p = skip_space(p)) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			paren += *p == '(' ? 1 : -1;
			p++;
			continue;
		}
		if (paren == 0 && *p == ',') {
			at_name = true;
			p++;
			continue;
		}
		if (paren == 0 && (*p == '{' || (*p == '=' && p[1] != '=') ||
				   (p[0] == '+' && p[1] == '='))) {
			if (*p != '{')
				for (int i = 0; i < n; i++)
					strv_add(&f->probes, &f->nprobes,
						 firsts[i], lens[i]);
			return p;
		}
		if (at_name && paren == 0 && n < 64) {
			const char *s = p;

			while (is_word(*p) || strchr("*?[]{}", *p))
				p++;
			if (p == s) {
				p++;
				continue;
			}
			firsts[n] = s;
			lens[n++] = p - s;
			at_name = false;
			continue;
		}
		p++;
	}
	return p;
}

static void index_text(struct tapset_file *f, const char *text)
{
	int depth = 0;

	for (const char *p = skip_space(text); *p; p = skip_space(p)) {
		if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; *p && *p != q; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else if (p[0] == '%' && p[1] == '{') {
			const char *e = strstr(p, "%}");

			p = e ? e + 2 : p + strlen(p);
		} else if (*p == '{' || *p == '}') {
			depth += *p == '{' ? 1 : -1;
			p++;
		} else if (is_word(*p)) {
			const char *s = p;

			while (is_word(*p))
				p++;
			if (depth != 0)
				continue;
			if (p - s == 5 && strncmp(s, "probe", 5) == 0) {
				p = scan_probe(f, p);
			} else if (p - s == 8 && strncmp(s, "function", 8) == 0) {
				p = skip_space(p);
				s = p;
				while (is_word(*p))
					p++;
				if (p > s)
					strv_add(&f->funcs, &f->nfuncs, s, p - s);
			}
		} else {
			p++;
		}
	}
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return NULL;
	if (getdelim(&buf, &len, '\0', fp) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tapset_file *)a)->path,
		      ((const struct tapset_file *)b)->path);
}

static struct tapset_file *index_dirs(int *nfiles)
{
	struct tapset_file *files = NULL;
	int n = 0;

	for (const char *const *d = tapset_dirs(); *d; d++) {
		DIR *dir = opendir(*d);
		struct dirent *de;
		int first = n;

		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			struct tapset_file *f;
			char *text;

			if (l < 5 || strcmp(de->d_name + l - 4, ".stp"))
				continue;
			files = realloc(files, (n + 1) * sizeof(*files));
			if (!files)
				abort();
			f = &files[n];
			memset(f, 0, sizeof(*f));
			if (asprintf(&f->path, "%s/%s", *d, de->d_name) < 0)
				abort();
			text = read_all(f->path);
			if (!text) {
				free(f->path);
				continue;
			}
			index_text(f, text);
			free(text);
			n++;
		}
		closedir(dir);
		/* Within a directory, a stable order. */
		qsort(files + first, n - first, sizeof(*files), path_cmp);
	}
	*nfiles = n;
	return files;
}

/* ---- what the script wants ---- */

struct wants {
	char **v;
	int n;
};

static void want_add(struct wants *w, const char *s)
{
	for (int i = 0; i < w->n; i++)
		if (strcmp(w->v[i], s) == 0)
			return;
	strv_add(&w->v, &w->n, s, strlen(s));
}

static void want_points(struct wants *w, const struct probe_point *pp)
{
	for (; pp; pp = pp->next)
		if (pp->comps)
			want_add(w, pp->comps->name);
}

static void want_calls(struct wants *w, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == E_CALL)
			want_add(w, n->str);
		/* syscall.* argstr/retstr call the decoders (syscall_vars.c) */
		if (n->kind == E_IDENT && (strcmp(n->str, "argstr") == 0 ||
					   strcmp(n->str, "retstr") == 0))
			want_add(w, "_sys_retstr");
		want_calls(w, n->a);
		want_calls(w, n->b);
		want_calls(w, n->c);
		want_calls(w, n->d);
		want_calls(w, n->args);
		if (n->fe) {
			want_calls(w, n->fe->array);
			want_calls(w, n->fe->limit);
			want_calls(w, n->fe->body);
		}
	}
}

static void want_script(struct wants *w, const struct script *s)
{
	for (const struct probe *pr = s->probes; pr; pr = pr->next) {
		want_points(w, pr->points);
		want_calls(w, pr->body);
	}
	for (const struct probe *pr = s->aliases; pr; pr = pr->next) {
		want_points(w, pr->targets);
		want_calls(w, pr->body);
	}
	for (const struct function *fn = s->functions; fn; fn = fn->next)
		want_calls(w, fn->body);
}

static bool script_defines(const struct script *s, const char *fname)
{
	for (const struct function *fn = s->functions; fn; fn = fn->next)
		if (strcmp(fn->name, fname) == 0)
			return true;
	return false;
}

/* Does a wanted first component (maybe a glob or {a,b}) name one of f's
 * alias roots? */
static bool file_provides(const struct tapset_file *f, const struct wants *w,
			  const struct script *user)
{
	for (int i = 0; i < w->n; i++) {
		char **alts;
		int nalts;
		bool hit = false;

		for (int j = 0; j < f->nfuncs; j++)
			if (strcmp(f->funcs[j], w->v[i]) == 0 &&
			    !script_defines(user, w->v[i]))
				return true;
		alts = pp_brace_expand(w->v[i], &nalts);
		for (int a = 0; a < nalts; a++) {
			for (int j = 0; !hit && j < f->nprobes; j++)
				hit = pp_glob_match(alts[a], f->probes[j]);
			free(alts[a]);
		}
		free(alts);
		if (hit)
			return true;
	}
	return false;
}

int tapset_load(const struct script *user, const char *want,
		const struct parse_env *env, struct script **lib)
{
	static struct tapset_file *files;
	static int nfiles = -1;
	int loaded = 0;
	bool more = true;

	if (nfiles < 0)
		files = index_dirs(&nfiles);
	while (more) {
		struct wants w = { 0 };

		more = false;
		want_script(&w, user);
		if (*lib)
			want_script(&w, *lib);
		if (want) {
			char *first = strndup(want, strcspn(want, ".("));

			want_add(&w, first);
			free(first);
		}
		for (int i = 0; i < nfiles; i++) {
			struct script *s;

			if (files[i].loaded || !file_provides(&files[i], &w,
							      user))
				continue;
			files[i].loaded = true;
			s = parse_file(files[i].path, env, *lib);
			if (!s)
				return -1;
			*lib = s;
			loaded++;
			more = true;
		}
		for (int i = 0; i < w.n; i++)
			free(w.v[i]);
		free(w.v);
	}
	return loaded;
}

/* Is fname among the first n functions of the list? */
static bool functions_define(const struct function *fn, int n,
			     const char *fname)
{
	for (; fn && n > 0; fn = fn->next, n--)
		if (strcmp(fn->name, fname) == 0)
			return true;
	return false;
}

void tapset_merge(struct script *s, struct script *lib)
{
	struct probe **pt = &s->aliases;
	struct function **ft = &s->functions;
	struct global **gt = &s->globals;
	struct probe **prt = &s->probes;
	int nuser = 0;

	if (!lib)
		return;
	for (struct function *fn = s->functions; fn; fn = fn->next)
		nuser++;
	while (*pt)
		pt = &(*pt)->next;
	*pt = lib->aliases;
	while (*ft)
		ft = &(*ft)->next;
	/* A script's own function hides the tapset's of that name; the
	 * tapset's overloads (same name, other arities) all come in. */
	for (struct function *fn = lib->functions, *nx; fn; fn = nx) {
		nx = fn->next;
		fn->next = NULL;
		if (functions_define(s->functions, nuser, fn->name))
			continue;
		*ft = fn;
		ft = &fn->next;
	}
	while (*gt)
		gt = &(*gt)->next;
	*gt = lib->globals;
	while (*prt)
		prt = &(*prt)->next;
	*prt = lib->probes;
}
