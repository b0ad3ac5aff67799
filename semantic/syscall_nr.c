// SPDX-License-Identifier: GPL-2.0-or-later
/* Syscall number <-> name (see syscall_nr.h). */
#include "syscall_nr.h"

#include <string.h>

struct nr_entry {
	const char *name;
	int nr;
};

static const struct nr_entry nr_table[] = {
#include "syscall_nrs.inc"
};

/* Tracepoint names that differ from the __NR_ names. */
static const struct {
	const char *event, *nr_name;
} nr_aliases[] = {
	{ "newstat", "stat" },	 { "newlstat", "lstat" },
	{ "newfstat", "fstat" }, { "newuname", "uname" },
	{ "sendfile64", "sendfile" }, { "umount", "umount2" },
};

static int nr_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(nr_table) / sizeof(nr_table[0]); i++)
		if (strcmp(nr_table[i].name, name) == 0)
			return nr_table[i].nr;
	return -1;
}

int syscall_nr_of(const char *event_name)
{
	for (size_t i = 0; i < sizeof(nr_aliases) / sizeof(nr_aliases[0]); i++)
		if (strcmp(nr_aliases[i].event, event_name) == 0)
			return nr_lookup(nr_aliases[i].nr_name);
	return nr_lookup(event_name);
}

const char *syscall_name_of(int nr)
{
	for (size_t i = 0; i < sizeof(nr_table) / sizeof(nr_table[0]); i++)
		if (nr_table[i].nr == nr)
			return nr_table[i].name;
	return NULL;
}

int syscall_nr_max(void)
{
	int m = 0;

	for (size_t i = 0; i < sizeof(nr_table) / sizeof(nr_table[0]); i++)
		if (nr_table[i].nr >= m)
			m = nr_table[i].nr + 1;
	return m;
}
