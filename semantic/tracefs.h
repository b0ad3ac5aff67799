/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classic tracepoints through tracefs: mount it when missing, read event
 * format files, list events. Read only when a script needs them (startup
 * budget: ~15 ms warm).
 */
#ifndef ETAP_TRACEFS_H
#define ETAP_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

struct tp_field {
	char *name;	/* "count", "filename", "prev_comm" */
	char *type;	/* as written: "size_t", "__data_loc char[]", "char[16]" */
	int offset;	/* bytes from the start of the record (the BPF ctx) */
	int size;	/* bytes */
	bool is_signed;
	bool is_data_loc; /* __data_loc: u32 at offset = (len << 16) | off */
	bool is_string;	  /* char[N] array or __data_loc char[] */
	bool is_pointer;  /* type ends in '*' */
	bool is_common;	  /* common_* fields */
	int array_len;	  /* N for char[N], else 0 */
};

struct tp_format {
	char *system;
	char *event;
	int id;
	struct tp_field *fields; /* common fields first, as in the file */
	int nfields;
};

/* Mount tracefs at /sys/kernel/tracing if needed; returns the tracefs root
 * ("/sys/kernel/tracing" or "/sys/kernel/debug/tracing") or NULL with errno
 * set (then *hint says what to do). */
const char *tracefs_root(const char **hint);
/* Read events/SYSTEM/EVENT/format. NULL with errno = ENOENT when the event
 * does not exist. Results are cached; do not free. */
const struct tp_format *tracefs_format(const char *system, const char *event);
/* Find a field by name (NULL if absent). */
const struct tp_field *tp_format_field(const struct tp_format *f,
				       const char *name);
/* Events matching glob patterns (fnmatch) on system and event:
 * calls fn(system, event, arg) for each, sorted; returns the count. */
int tracefs_list_events(const char *sys_glob, const char *event_glob,
			void (*fn)(const char *system, const char *event,
				   void *arg),
			void *arg);
/* The event name nearest to `event` (edit distance) among events of
 * `system` (or all systems when system is NULL); NULL if none is close.
 * Returned as "system:event" in static storage. */
const char *tracefs_suggest(const char *system, const char *event);
/* Levenshtein distance, shared by every "did you mean" suggestion. */
int edit_distance(const char *a, const char *b);

#endif
