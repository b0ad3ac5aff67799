// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Classic tracepoints through tracefs. Reading is lazy and cached: format
 * files only for events a script names, directory names only for listing
 * and suggestions, because a cold tracefs walk costs tens of milliseconds.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semantic/tracefs.h"

#define TRACEFS_PATH "/sys/kernel/tracing"
#define TRACEFS_DEBUG_PATH "/sys/kernel/debug/tracing"

static const char *tracefs_mounted;

static bool tracefs_has_events(const char *root)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events", root);
	return access(path, F_OK) == 0;
}

static const char *tracefs_hint_for(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return "mounting tracefs needs CAP_SYS_ADMIN: run etap as root "
		       "(sudo), or mount it once with 'mount -t tracefs "
		       "nodev " TRACEFS_PATH "'";
	case ENODEV:
		return "this kernel has no tracefs (CONFIG_TRACING is off); "
		       "classic tracepoints are unavailable";
	case ENOENT:
		return "/sys/kernel/tracing does not exist: is sysfs mounted "
		       "on /sys?";
	default:
		return "mount tracefs with 'mount -t tracefs "
		       "nodev " TRACEFS_PATH "'";
	}
}

const char *tracefs_root(const char **hint)
{
	int err;

	if (tracefs_mounted)
		return tracefs_mounted;
	if (tracefs_has_events(TRACEFS_PATH))
		return tracefs_mounted = TRACEFS_PATH;
	if (mount("nodev", TRACEFS_PATH, "tracefs", 0, NULL) == 0 &&
	    tracefs_has_events(TRACEFS_PATH))
		return tracefs_mounted = TRACEFS_PATH;
	err = errno;
	/* Older setups only have it under debugfs, which automounts it. */
	if (tracefs_has_events(TRACEFS_DEBUG_PATH))
		return tracefs_mounted = TRACEFS_DEBUG_PATH;
	if (hint)
		*hint = tracefs_hint_for(err);
	errno = err;
	return NULL;
}

/* ---- format files ---- */

#define FORMAT_BUCKETS 512

struct format_entry {
	struct format_entry *next;
	struct tp_format fmt;
};

static struct format_entry *format_cache[FORMAT_BUCKETS];

static unsigned int format_hash(const char *system, const char *event)
{
	unsigned int h = 5381;

	for (const char *p = system; *p; p++)
		h = h * 33 + (unsigned char)*p;
	h = h * 33 + ':';
	for (const char *p = event; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h % FORMAT_BUCKETS;
}

static char *tracefs_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Read a whole small file. tracefs reports size 0, so read until EOF. */
static char *tracefs_read_file(const char *path)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap), *nbuf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	n = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = n;
	return NULL;
}

/* The integer after "key:" inside [p, end), or -1. */
static int format_attr(const char *p, const char *end, const char *key)
{
	size_t klen = strlen(key);

	for (; p + klen < end; p++)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return atoi(p + klen + 1);
	return -1;
}

static bool type_is_char(const char *t, size_t n)
{
	return (n == 4 && !memcmp(t, "char", 4)) ||
	       (n == 10 && !memcmp(t, "const char", 10)) ||
	       (n == 11 && !memcmp(t, "signed char", 11));
}

/*
 * One declaration as the kernel prints it: "unsigned int fd",
 * "char prev_comm[16]", "__data_loc char[] filename", "const char * name".
 * The name is the last identifier before any [N].
 */
static int format_parse_decl(struct tp_field *f, const char *d, size_t n)
{
	const char *end = d + n, *name_end, *name, *br = NULL, *base_end;
	size_t tlen;

	while (n && isspace((unsigned char)*d))
		d++, n--;
	while (end > d && isspace((unsigned char)end[-1]))
		end--;
	name_end = end;
	if (end > d && end[-1] == ']') {
		br = memchr(d, '[', end - d);
		/* "__data_loc char[] x" has its brackets in the type. */
		while (br) {
			const char *next = memchr(br + 1, '[', end - br - 1);
			if (!next)
				break;
			br = next;
		}
		name_end = br;
	}
	name = name_end;
	while (name > d &&
	       (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
		name--;
	if (name == name_end)
		return -1;
	base_end = name;
	while (base_end > d && isspace((unsigned char)base_end[-1]))
		base_end--;
	tlen = base_end - d;
	f->name = tracefs_strndup(name, name_end - name);
	if (br) {
		/* type "char[16]": base type then the brackets */
		f->type = malloc(tlen + (end - br) + 1);
		if (f->type) {
			memcpy(f->type, d, tlen);
			memcpy(f->type + tlen, br, end - br);
			f->type[tlen + (end - br)] = '\0';
		}
		f->array_len = atoi(br + 1);
	} else {
		f->type = tracefs_strndup(d, tlen);
	}
	if (!f->name || !f->type)
		return -1;
	if (!strncmp(f->type, "__data_loc ", 11)) {
		const char *t = f->type + 11;
		size_t l = strlen(t);

		f->is_data_loc = true;
		f->is_string =
		    l > 2 && !strcmp(t + l - 2, "[]") && type_is_char(t, l - 2);
	} else if (br) {
		f->is_string = type_is_char(d, tlen);
	} else {
		f->is_pointer = strchr(f->type, '*') != NULL;
	}
	f->is_common = !strncmp(f->name, "common_", 7);
	return 0;
}

static void format_release(struct tp_format *fmt)
{
	for (int i = 0; i < fmt->nfields; i++) {
		free(fmt->fields[i].name);
		free(fmt->fields[i].type);
	}
	free(fmt->fields);
	free(fmt->system);
	free(fmt->event);
}

/* Parse the text of a format file into fmt (system/event already set). */
static int format_parse_text(struct tp_format *fmt, const char *text)
{
	const char *p = text, *id = strstr(text, "\nID:");
	int cap = 0;

	fmt->id =
	    id ? atoi(id + 4) : (strncmp(text, "ID:", 3) ? -1 : atoi(text + 3));
	while ((p = strstr(p, "field:"))) {
		const char *semi = strchr(p, ';'), *eol = strchr(p, '\n');
		struct tp_field *f;

		if (!eol)
			eol = p + strlen(p);
		if (!semi || semi > eol)
			return -1;
		if (fmt->nfields == cap) {
			struct tp_field *nf;

			cap = cap ? 2 * cap : 16;
			nf = realloc(fmt->fields, cap * sizeof(*nf));
			if (!nf)
				return -1;
			fmt->fields = nf;
		}
		f = &fmt->fields[fmt->nfields];
		memset(f, 0, sizeof(*f));
		fmt->nfields++;
		if (format_parse_decl(f, p + 6, semi - (p + 6)) < 0)
			return -1;
		f->offset = format_attr(semi, eol, "offset");
		f->size = format_attr(semi, eol, "size");
		f->is_signed = format_attr(semi, eol, "signed") == 1;
		if (f->offset < 0 || f->size < 0)
			return -1;
		/* "char comm[TASK_COMM_LEN]" on old kernels: take the
		 * length from the size. */
		if (f->type[strlen(f->type) - 1] == ']' && !f->is_data_loc &&
		    !f->array_len && f->is_string)
			f->array_len = f->size;
		p = eol;
	}
	return 0;
}

const struct tp_format *tracefs_format(const char *system, const char *event)
{
	unsigned int h = format_hash(system, event);
	struct format_entry *e;
	const char *root;
	char path[PATH_MAX], *text;
	int err;

	for (e = format_cache[h]; e; e = e->next)
		if (!strcmp(e->fmt.system, system) &&
		    !strcmp(e->fmt.event, event))
			return &e->fmt;
	root = tracefs_root(NULL);
	if (!root)
		return NULL;
	/* Names come from scripts: keep them from walking out of events/. */
	if (strchr(system, '/') || strchr(event, '/') || !*system || !*event ||
	    !strcmp(system, "..") || !strcmp(event, "..")) {
		errno = ENOENT;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", root, system,
		 event);
	text = tracefs_read_file(path);
	if (!text)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(text);
		errno = ENOMEM;
		return NULL;
	}
	e->fmt.system = strdup(system);
	e->fmt.event = strdup(event);
	if (!e->fmt.system || !e->fmt.event ||
	    format_parse_text(&e->fmt, text) < 0) {
		err = e->fmt.system && e->fmt.event ? EINVAL : ENOMEM;
		format_release(&e->fmt);
		free(e);
		free(text);
		errno = err;
		return NULL;
	}
	free(text);
	e->next = format_cache[h];
	format_cache[h] = e;
	return &e->fmt;
}

const struct tp_field *tp_format_field(const struct tp_format *f,
				       const char *name)
{
	for (int i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

/* ---- listing ---- */

struct name_list {
	char **names;
	int n;
};

struct tp_system {
	char *name;
	struct name_list events;
	bool loaded;
};

static struct tp_system *tp_systems;
static int tp_nsystems = -1; /* -1: events/ not read yet */

static int tracefs_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Subdirectory names of path, sorted. Only d_type is consulted (tracefs
 * fills it in): a stat per entry would double the cost of a walk. */
static int tracefs_read_dirs(const char *path, struct name_list *out)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int cap = 0;

	out->names = NULL;
	out->n = 0;
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR) {
			struct stat st;
			char sub[PATH_MAX];

			if (de->d_type != DT_UNKNOWN)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (stat(sub, &st) || !S_ISDIR(st.st_mode))
				continue;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			nn = realloc(out->names, cap * sizeof(*nn));
			if (!nn)
				break;
			out->names = nn;
		}
		out->names[out->n] = strdup(de->d_name);
		if (out->names[out->n])
			out->n++;
	}
	closedir(dir);
	qsort(out->names, out->n, sizeof(char *), tracefs_cmp_str);
	return 0;
}

static int tracefs_load_systems(void)
{
	struct name_list l;
	const char *root;
	char path[PATH_MAX];

	if (tp_nsystems >= 0)
		return 0;
	root = tracefs_root(NULL);
	if (!root)
		return -1;
	snprintf(path, sizeof(path), "%s/events", root);
	if (tracefs_read_dirs(path, &l) < 0)
		return -1;
	tp_systems = calloc(l.n ? l.n : 1, sizeof(*tp_systems));
	if (!tp_systems) {
		for (int i = 0; i < l.n; i++)
			free(l.names[i]);
		free(l.names);
		return -1;
	}
	for (int i = 0; i < l.n; i++)
		tp_systems[i].name = l.names[i];
	free(l.names);
	tp_nsystems = l.n;
	return 0;
}

static const struct name_list *tracefs_system_events(struct tp_system *s)
{
	char path[PATH_MAX];

	if (!s->loaded) {
		snprintf(path, sizeof(path), "%s/events/%s", tracefs_root(NULL),
			 s->name);
		tracefs_read_dirs(path, &s->events);
		s->loaded = true;
	}
	return &s->events;
}

int tracefs_list_events(const char *sys_glob, const char *event_glob,
			void (*fn)(const char *system, const char *event,
				   void *arg),
			void *arg)
{
	int count = 0;

	if (tracefs_load_systems() < 0)
		return 0;
	/* Systems and events are each sorted, so walking them in order
	 * yields "system:event" order without another sort. */
	for (int i = 0; i < tp_nsystems; i++) {
		struct tp_system *s = &tp_systems[i];
		const struct name_list *ev;

		if (fnmatch(sys_glob, s->name, 0))
			continue;
		ev = tracefs_system_events(s);
		for (int j = 0; j < ev->n; j++) {
			if (fnmatch(event_glob, ev->names[j], 0))
				continue;
			if (fn)
				fn(s->name, ev->names[j], arg);
			count++;
		}
	}
	return count;
}

int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int small[64], *row = small, d;

	/* One row of the Levenshtein table; row[j] is the distance between
	 * the prefix of a seen so far and b[0..j). */
	if (lb + 1 > sizeof(small) / sizeof(small[0])) {
		row = malloc((lb + 1) * sizeof(int));
		if (!row)
			return INT_MAX;
	}
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	if (row != small)
		free(row);
	return d;
}

const char *tracefs_suggest(const char *system, const char *event)
{
	static char out[512];
	const char *best_sys = NULL, *best_ev = NULL;
	int best = INT_MAX, limit;

	if (tracefs_load_systems() < 0)
		return NULL;
	/* A third of the name may be wrong, at most 5 edits: closer than
	 * that, the suggestion is more likely noise than help. */
	limit = strlen(event) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 5)
		limit = 5;
	for (int i = 0; i < tp_nsystems; i++) {
		struct tp_system *s = &tp_systems[i];
		const struct name_list *ev;

		if (system && strcmp(system, s->name))
			continue;
		ev = tracefs_system_events(s);
		for (int j = 0; j < ev->n; j++) {
			int d = edit_distance(event, ev->names[j]);

			if (d < best) {
				best = d;
				best_sys = s->name;
				best_ev = ev->names[j];
			}
		}
	}
	if (!best_ev || best > limit)
		return NULL;
	snprintf(out, sizeof(out), "%s:%s", best_sys, best_ev);
	return out;
}
