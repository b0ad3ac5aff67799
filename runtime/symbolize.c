// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Symbol lookup for stacks. The kernel table is /proc/kallsyms sorted by
 * address (a symbol's size is the distance to the next one, as stap's
 * runtime takes it from the same table). A user address is found in the
 * process's maps, turned into an offset in the mapped file, and looked up
 * among the file's functions by file offset (semantic/elf_funcs.h), so
 * PIEs and shared libraries need no load-bias arithmetic.
 */
#define _GNU_SOURCE
#include "symbolize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../semantic/elf_funcs.h"

struct ksym {
	uint64_t addr;
	char *name, *module;
};

static struct ksym *ksyms;
static size_t nksyms;
static bool ksyms_loaded;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	size_t cap = 0;

	ksyms_loaded = true;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], mod[128] = "kernel";
		uint64_t addr;
		int n = sscanf(line, "%" SCNx64 " %c %255s [%127[^]]]", &addr,
			       &type, name, mod);

		if (n < 3 || !addr || !strchr("tTwW", type))
			continue;
		if (nksyms == cap) {
			cap = cap ? 2 * cap : 65536;
			ksyms = realloc(ksyms, cap * sizeof(*ksyms));
			if (!ksyms)
				abort();
		}
		ksyms[nksyms].addr = addr;
		ksyms[nksyms].name = strdup(name);
		ksyms[nksyms].module = strdup(mod);
		nksyms++;
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), ksym_cmp);
}

bool symbolize_kernel(uint64_t addr, struct sym_info *si)
{
	size_t lo = 0, hi;

	if (!ksyms_loaded)
		ksyms_load();
	hi = nksyms;
	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	lo--;
	si->name = ksyms[lo].name;
	si->off = addr - ksyms[lo].addr;
	si->size = lo + 1 < nksyms ? ksyms[lo + 1].addr - ksyms[lo].addr : 0;
	si->module = ksyms[lo].module;
	return true;
}

/* ---- user space ---- */

struct ufile {
	char *path;
	struct elf_func_list funcs; /* sorted by file offset */
	struct ufile *next;
};

static struct ufile *ufiles;

static int func_off_cmp(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static struct ufile *ufile_get(const char *path)
{
	struct ufile *u;
	const char *why;

	for (u = ufiles; u; u = u->next)
		if (strcmp(u->path, path) == 0)
			return u;
	u = calloc(1, sizeof(*u));
	if (!u)
		abort();
	u->path = strdup(path);
	if (elf_funcs_match(path, "*", &u->funcs, &why) == 0 && u->funcs.n)
		qsort(u->funcs.v, u->funcs.n, sizeof(*u->funcs.v),
		      func_off_cmp);
	u->next = ufiles;
	ufiles = u;
	return u;
}

/* A process's file mappings, read the first time one of its addresses is
 * named and kept: a record often arrives after its process exited. */
struct umap {
	uint64_t lo, hi, off;
	char *path;
};

struct upid {
	int pid;
	struct umap *v;
	int n;
	struct upid *next;
};

static struct upid *upids;

static struct upid *upid_get(int pid)
{
	char fn[64], line[1024];
	struct upid *u;
	FILE *f;

	for (u = upids; u; u = u->next)
		if (u->pid == pid)
			return u;
	snprintf(fn, sizeof(fn), "/proc/%d/maps", pid);
	f = fopen(fn, "re");
	if (!f)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		abort();
	u->pid = pid;
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, off;
		char perms[8], p[512] = "";

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64
				 " %*s %*s %511[^\n]",
			   &lo, &hi, perms, &off, p) < 4 ||
		    p[0] != '/' || perms[2] != 'x')
			continue;
		u->v = realloc(u->v, (u->n + 1) * sizeof(*u->v));
		if (!u->v)
			abort();
		u->v[u->n++] = (struct umap){ lo, hi, off, strdup(p) };
	}
	fclose(f);
	u->next = upids;
	upids = u;
	return u;
}

/* The mapping of pid holding addr: its file and the file offset. */
static bool umap_find(int pid, uint64_t addr, char *path, size_t n,
		      uint64_t *foff)
{
	struct upid *u = upid_get(pid);

	for (int i = 0; u && i < u->n; i++)
		if (addr >= u->v[i].lo && addr < u->v[i].hi) {
			snprintf(path, n, "%s", u->v[i].path);
			*foff = addr - u->v[i].lo + u->v[i].off;
			return true;
		}
	return false;
}

bool symbolize_user(int pid, uint64_t addr, struct sym_info *si)
{
	char path[512];
	uint64_t foff;
	struct ufile *u;
	size_t lo = 0, hi;

	if (pid <= 0 || !umap_find(pid, addr, path, sizeof(path), &foff))
		return false;
	u = ufile_get(path);
	hi = (size_t)u->funcs.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->funcs.v[mid].offset <= foff)
			lo = mid + 1;
		else
			hi = mid;
	}
	si->module = u->path;
	if (!lo)
		return false;
	lo--;
	if (u->funcs.v[lo].size && foff >= u->funcs.v[lo].offset +
						   u->funcs.v[lo].size)
		return false;
	si->name = u->funcs.v[lo].name;
	si->off = foff - u->funcs.v[lo].offset;
	si->size = u->funcs.v[lo].size;
	return true;
}

static bool symbolize(bool user, int pid, uint64_t addr, struct sym_info *si)
{
	memset(si, 0, sizeof(*si));
	return user ? symbolize_user(pid, addr, si)
		    : symbolize_kernel(addr, si);
}

void symbolize_name(bool user, int pid, uint64_t addr, char *buf, size_t n)
{
	struct sym_info si;

	if (symbolize(user, pid, addr, &si))
		snprintf(buf, n, "%s", si.name);
	else
		snprintf(buf, n, "0x%" PRIx64, addr);
}

void symbolize_data(bool user, int pid, uint64_t addr, char *buf, size_t n)
{
	struct sym_info si;

	if (symbolize(user, pid, addr, &si))
		snprintf(buf, n, "%s+0x%" PRIx64 "/0x%" PRIx64 " [%s]", si.name,
			 si.off, si.size, si.module);
	else
		snprintf(buf, n, "0x%" PRIx64, addr);
}

void symbolize_line(bool user, int pid, uint64_t addr, char *buf, size_t n)
{
	char data[768];

	symbolize_data(user, pid, addr, data, sizeof(data));
	if (strncmp(data, "0x", 2) == 0)
		snprintf(buf, n, " 0x%016" PRIx64, addr);
	else
		snprintf(buf, n, " 0x%016" PRIx64 " : %s", addr, data);
}

void symbolize_reset(void)
{
	for (size_t i = 0; i < nksyms; i++) {
		free(ksyms[i].name);
		free(ksyms[i].module);
	}
	free(ksyms);
	ksyms = NULL;
	nksyms = 0;
	ksyms_loaded = false;
	while (upids) {
		struct upid *u = upids;

		upids = u->next;
		for (int i = 0; i < u->n; i++)
			free(u->v[i].path);
		free(u->v);
		free(u);
	}
	while (ufiles) {
		struct ufile *u = ufiles;

		ufiles = u->next;
		elf_funcs_free(&u->funcs);
		free(u->path);
		free(u);
	}
}
