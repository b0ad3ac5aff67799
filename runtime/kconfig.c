// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel configuration from /proc/config.gz, or /boot/config-RELEASE when
 * the kernel does not export it. Read once, on the first lookup, since
 * most scripts never ask.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "kconfig.h"

struct kconfig_entry {
	char *name; /* without CONFIG_ */
	char *value;
};

static struct kconfig_entry *kconfig_entries;
static int kconfig_n, kconfig_cap;
static bool kconfig_loaded;

static void kconfig_add_line(char *line)
{
	char *eq, *v;
	size_t n;

	if (strncmp(line, "CONFIG_", 7))
		return;
	eq = strchr(line, '=');
	if (!eq)
		return;
	*eq = '\0';
	v = eq + 1;
	n = strcspn(v, "\r\n");
	v[n] = '\0';
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		v++;
	}
	if (kconfig_n == kconfig_cap) {
		int cap = kconfig_cap ? 2 * kconfig_cap : 1024;
		struct kconfig_entry *e = realloc(kconfig_entries, cap * sizeof(*e));

		if (!e)
			return;
		kconfig_entries = e;
		kconfig_cap = cap;
	}
	kconfig_entries[kconfig_n].name = strdup(line + 7);
	kconfig_entries[kconfig_n].value = strdup(v);
	if (kconfig_entries[kconfig_n].name && kconfig_entries[kconfig_n].value)
		kconfig_n++;
}

/* gzopen reads plain files too, so one reader serves both sources. */
static bool kconfig_read(const char *path)
{
	char line[4096];
	gzFile f = gzopen(path, "rb");

	if (!f)
		return false;
	while (gzgets(f, line, sizeof(line)))
		kconfig_add_line(line);
	gzclose(f);
	return true;
}

static void kconfig_load(void)
{
	struct utsname u;
	char path[512];

	kconfig_loaded = true;
	if (kconfig_read("/proc/config.gz"))
		return;
	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		kconfig_read(path);
	}
}

const char *kconfig_lookup(const char *name)
{
	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	if (!kconfig_loaded)
		kconfig_load();
	for (int i = 0; i < kconfig_n; i++)
		if (!strcmp(kconfig_entries[i].name, name))
			return kconfig_entries[i].value;
	return NULL;
}
