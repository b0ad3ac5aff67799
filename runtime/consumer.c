// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel probes do not format text: a record carries a descriptor id and
 * the raw arguments, and the format string stays here (codegen.h). So the
 * consumer is where kernel-context printf output is made, and it must
 * format exactly as user-context printf does: both use printf_fmt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "consumer.h"
#include "symbolize.h"
#include "consumer_fast.h"
#include "errloc.h"

#define CONSUMER_BATCH 65536

static const struct fmt *consumer_get_fmt(struct consumer *cs, uint32_t id)
{
	const struct rec_desc *d = &cs->c->recs[id];
	const char *err = NULL;
	int pos = 0;

	if (cs->fmts[id] || cs->fmt_bad[id])
		return cs->fmts[id];
	cs->fmts[id] = calloc(1, sizeof(struct fmt));
	if (!cs->fmts[id] || fmt_parse(d->format ? d->format : "", cs->fmts[id],
				       &err, &pos)) {
		/* The semantic pass checked every format; reaching this is an
		 * etap bug, worth saying once rather than per record. */
		fprintf(stderr, "etap: internal error: format \"%s\" at %s:%d: %s\n",
			d->format ? d->format : "", d->loc.file ? d->loc.file : "?",
			d->loc.line, err ? err : "out of memory");
		free(cs->fmts[id]);
		cs->fmts[id] = NULL;
		cs->fmt_bad[id] = true;
	}
	return cs->fmts[id];
}

/* Read argument i of a record into a fmt_arg. Strings are NUL-terminated
 * within their slot by the kernel side; a slot filled to the brim is
 * copied and cut rather than read past (the ring buffer is mapped
 * read-only, so it cannot be terminated in place). *copy is set to the
 * malloc'd copy, if any. */
static void consumer_read_arg(const struct rec_desc *d, int i,
			      const uint8_t *rec, struct fmt_arg *a,
			      char **copy)
{
	const uint8_t *slot = rec + d->argoff[i];
	size_t n;

	memset(a, 0, sizeof(*a));
	*copy = NULL;
	if (d->argtype[i] != T_STRING) {
		memcpy(&a->l, slot, sizeof(a->l));
		return;
	}
	a->is_string = true;
	a->s = (const char *)slot;
	n = strnlen((const char *)slot, d->argsize[i]);
	if (n == d->argsize[i]) {
		*copy = strndup((const char *)slot, n);
		a->s = *copy ? *copy : "";
	}
}

static void consumer_emit(struct consumer *cs, uint32_t id,
			  const struct fmt_arg *args, int nargs);

/* print_backtrace()/print_ubacktrace(): one named frame a line. */
static void consumer_print_stack(struct consumer *cs, const struct rec_desc *d,
				 const uint8_t *rec)
{
	uint32_t pid;
	int32_t bytes;
	char line[1024];

	memcpy(&pid, rec + STACK_REC_PID, 4);
	memcpy(&bytes, rec + STACK_REC_BYTES, 4);
	for (int i = 0; bytes > 0 && i < bytes / 8 && i < STACK_MAX_FRAMES;
	     i++) {
		uint64_t a;

		memcpy(&a, rec + STACK_REC_ADDRS + 8 * i, 8);
		symbolize_line(d->user_stack, (int)pid, a, line, sizeof(line));
		fprintf(cs->out, "%s\n", line);
	}
}

static void consumer_print_record(struct consumer *cs, uint32_t id,
				  const uint8_t *rec)
{
	const struct rec_desc *d = &cs->c->recs[id];
	struct fmt_arg args[REC_MAXARGS];
	char *copies[REC_MAXARGS];
	int nargs = d->nargs < REC_MAXARGS ? d->nargs : REC_MAXARGS;

	if (d->kind == REC_STACK) {
		consumer_print_stack(cs, d, rec);
		return;
	}
	for (int i = 0; i < nargs; i++)
		consumer_read_arg(d, i, rec, &args[i], &copies[i]);
	consumer_emit(cs, id, args, nargs);
	for (int i = 0; i < nargs; i++)
		free(copies[i]);
}

static void consumer_emit(struct consumer *cs, uint32_t id,
			  const struct fmt_arg *args, int nargs)
{
	const struct rec_desc *d = &cs->c->recs[id];
	const struct fmt *f;

	switch (d->kind) {
	case REC_PRINTF:
		f = consumer_get_fmt(cs, id);
		if (!f || f->nargs > nargs)
			return;
		strbuf_reset(&cs->sb);
		fmt_format(&cs->sb, f, args);
		fwrite(cs->sb.buf, 1, cs->sb.len, cs->out);
		break;
	case REC_PRINT:
		for (int i = 0; i < nargs; i++) {
			if (args[i].is_string)
				fputs(args[i].s, cs->out);
			else
				fprintf(cs->out, "%lld", (long long)args[i].l);
		}
		if (d->newline)
			fputc('\n', cs->out);
		break;
	case REC_EXIT:
		cs->exit_requested = true;
		break;
	case REC_ABORT:
		cs->exit_requested = true;
		cs->abort_requested = true;
		break;
	case REC_STACK: /* consumer_print_stack */
		break;
	case REC_WARN: {
		const char *m = nargs > 0 && args[0].is_string ? args[0].s : "";
		size_t len = strlen(m);

		fflush(cs->out);
		fprintf(stderr, "WARNING: %s%s", m,
			len && m[len - 1] == '\n' ? "" : "\n");
		break;
	}
	case REC_ERROR:
		cs->errors++;
		/* Keep the script's output and the error in the order they
		 * happened when both go to the same terminal. */
		fflush(cs->out);
		errloc_print_error(stderr,
				   nargs > 0 && args[0].is_string ? args[0].s
				   : d->message ? d->message : "runtime error",
				   d->loc);
		break;
	}
}

static int consumer_on_record(void *ctx, void *data, size_t size)
{
	struct consumer *cs = ctx;
	struct rec_hdr hdr;

	if (size < sizeof(hdr)) {
		cs->malformed++;
		return 0;
	}
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.id >= (uint32_t)cs->c->nrecs ||
	    size < cs->c->recs[hdr.id].size) {
		cs->malformed++;
		return 0;
	}
	cs->records++;
	/* Every record comes from a handler that started before the
	 * session went into error (handlers check the error count in
	 * global data on entry), so all of it is shown, as stap shows the
	 * output and errors of handlers that were already running. */
	if (!consumer_fast_print(cs, hdr.id, data))
		consumer_print_record(cs, hdr.id, data);
	/* libbpf keeps consuming while producers keep producing; stop after
	 * a batch so the run loop still sees signals, timers and exit. The
	 * record just handled counts as consumed. */
	if (++cs->batch >= CONSUMER_BATCH)
		return -ECANCELED;
	return 0;
}

int consumer_open(struct consumer *cs, const struct compiled *c, int rb_fd,
		  FILE *out)
{
	int err;

	memset(cs, 0, sizeof(*cs));
	cs->c = c;
	cs->out = out;
	strbuf_init(&cs->sb);
	cs->fmts = calloc(c->nrecs + 1, sizeof(*cs->fmts));
	cs->fmt_bad = calloc(c->nrecs + 1, sizeof(*cs->fmt_bad));
	if (!cs->fmts || !cs->fmt_bad) {
		consumer_close(cs);
		return -ENOMEM;
	}
	cs->rb = ring_buffer__new(rb_fd, consumer_on_record, cs, NULL);
	if (!cs->rb) {
		err = -errno;
		fprintf(stderr, "etap: cannot open the ring buffer: %s\n",
			strerror(errno));
		consumer_close(cs);
		return err;
	}
	return 0;
}

int consumer_epoll_fd(const struct consumer *cs)
{
	return cs->rb ? ring_buffer__epoll_fd(cs->rb) : -1;
}

int consumer_drain(struct consumer *cs)
{
	uint64_t before = cs->records;
	int err;

	if (!cs->rb)
		return 0;
	cs->batch = 0;
	err = ring_buffer__consume(cs->rb);
	if (err < 0 && err != -EINTR && err != -ECANCELED)
		return err;
	return (int)(cs->records - before);
}

void consumer_close(struct consumer *cs)
{
	if (cs->rb)
		ring_buffer__free(cs->rb);
	cs->rb = NULL;
	if (cs->fmts) {
		for (int i = 0; i < cs->c->nrecs; i++) {
			if (cs->fmts[i]) {
				fmt_free(cs->fmts[i]);
				free(cs->fmts[i]);
			}
		}
	}
	free(cs->fmts);
	free(cs->fmt_bad);
	cs->fmts = NULL;
	cs->fmt_bad = NULL;
	strbuf_free(&cs->sb);
}
