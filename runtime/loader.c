// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel side of a run: libbpf loads the object codegen wrote, this
 * file finds its maps, maps the global data into our address space and
 * attaches the programs.
 *
 * libbpf's own messages are noise for a stap user unless something fails,
 * so they are captured and shown only with -v, or trimmed to the verifier
 * log when the kernel rejects a program.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../semantic/tracefs.h"
#include "loader.h"

#define LOADER_LOG_TAIL_LINES 60
#define LOADER_DETACH_THREADS 16

static int loader_verbose;
/* libbpf output of the current load, kept to explain a failure. */
static char *loader_log;
static size_t loader_log_len, loader_log_cap;
static bool loader_capturing;

static int loader_libbpf_print(enum libbpf_print_level level, const char *fmt,
			       va_list ap)
{
	va_list aq;
	int n;

	if (loader_capturing && level != LIBBPF_DEBUG) {
		va_copy(aq, ap);
		n = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (n > 0 && loader_log_len + n + 1 > loader_log_cap) {
			size_t cap = (loader_log_len + n + 1) * 2;
			char *p = realloc(loader_log, cap);

			if (p) {
				loader_log = p;
				loader_log_cap = cap;
			}
		}
		if (n > 0 && loader_log_len + n + 1 <= loader_log_cap) {
			va_copy(aq, ap);
			vsnprintf(loader_log + loader_log_len, n + 1, fmt, aq);
			va_end(aq);
			loader_log_len += n;
		}
	}
	if (loader_verbose >= 3 || (loader_verbose >= 1 && level != LIBBPF_DEBUG))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void loader_set_verbosity(int verbose)
{
	loader_verbose = verbose;
	/* libbpf >= 1.0 semantics everywhere (NULL + errno on failure). The
	 * RLIMIT_MEMLOCK bump libbpf attempts is skipped on kernels with memcg
	 * accounting of BPF memory, and a refusal elsewhere only warns. */
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(loader_libbpf_print);
}

static void loader_log_reset(void)
{
	loader_log_len = 0;
	if (loader_log)
		loader_log[0] = '\0';
}

static void loader_explain_permission(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		n = snprintf(self, sizeof(self), "etap");
	self[n] = '\0';
	fprintf(stderr,
		"etap: loading BPF programs needs CAP_BPF and CAP_PERFMON "
		"(or CAP_SYS_ADMIN): run etap as root, or grant them with\n"
		"      setcap cap_bpf,cap_perfmon+ep %s\n",
		self);
}

/* The program libbpf was loading when it failed: its messages read
 * "prog 'NAME': ...". */
static const struct compiled_prog *loader_failed_prog(const struct loader *l)
{
	const char *p, *last = NULL;
	char name[128];
	size_t n;

	for (p = loader_log; p && (p = strstr(p, "prog '")); p += 6)
		last = p + 6;
	if (!last)
		return NULL;
	n = strcspn(last, "'");
	if (n >= sizeof(name))
		return NULL;
	memcpy(name, last, n);
	name[n] = '\0';
	for (int i = 0; i < l->c->nprogs; i++)
		if (!strcmp(l->c->progs[i].code.name, name))
			return &l->c->progs[i];
	return NULL;
}

/* Print the last lines of the verifier log libbpf reported, which is
 * where the verifier says why it gave up. */
static void loader_print_verifier_tail(void)
{
	const char *begin, *end, *p;
	int lines = 0;

	if (!loader_log)
		return;
	begin = strstr(loader_log, "-- BEGIN PROG LOAD LOG --");
	if (!begin)
		return;
	begin = strchr(begin, '\n');
	if (!begin)
		return;
	begin++;
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	for (p = end; p > begin; p--) {
		if (p[-1] == '\n' && p != end && ++lines >= LOADER_LOG_TAIL_LINES)
			break;
	}
	fprintf(stderr, "verifier log%s:\n", p > begin ? " (last lines)" : "");
	fwrite(p, 1, end - p, stderr);
}

static void loader_report_load_error(const struct loader *l, int err)
{
	const struct compiled_prog *cp = loader_failed_prog(l);

	if (err == -EPERM || err == -EACCES) {
		if (cp && strstr(loader_log, "BEGIN PROG LOAD LOG")) {
			/* The verifier refused it: not a privilege problem. */
		} else {
			fprintf(stderr, "etap: cannot load BPF programs: %s\n",
				strerror(-err));
			loader_explain_permission();
			return;
		}
	}
	if (cp) {
		fprintf(stderr, "etap: the kernel rejected probe %s (program %s): %s\n",
			cp->probe ? cp->probe->name : "?", cp->code.name,
			strerror(-err));
		loader_print_verifier_tail();
		return;
	}
	fprintf(stderr, "etap: cannot load the BPF object: %s\n", strerror(-err));
	if (loader_log_len && !loader_verbose)
		fputs(loader_log, stderr);
}

/* A map of the object by the name codegen gave it. The global data may be
 * a ".data.NAME" section, which libbpf turns into an internal map found
 * only under its section name. */
static struct bpf_map *loader_find_map(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	char sec[128];

	if (!m) {
		snprintf(sec, sizeof(sec), ".data.%s", name);
		m = bpf_object__find_map_by_name(obj, sec);
	}
	if (!m)
		fprintf(stderr, "etap: internal error: map %s missing from the object\n",
			name);
	return m;
}

static int loader_find_maps(struct loader *l)
{
	const struct compiled *c = l->c;
	struct bpf_map *m;
	int n = c->map_gd < c->nmaps ? c->map_gd : 0;

	/* Array maps come first, up to the global-data map (codegen.h). */
	l->nmap_fds = n;
	l->map_fds = calloc(n ? n : 1, sizeof(int));
	if (!l->map_fds)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		m = loader_find_map(l->obj, c->map_names[i]);
		if (!m)
			return -ENOENT;
		l->map_fds[i] = bpf_map__fd(m);
	}
	m = loader_find_map(l->obj, "etap_gd");
	if (!m)
		return -ENOENT;
	l->gd_fd = bpf_map__fd(m);
	m = loader_find_map(l->obj, "etap_rb");
	if (!m)
		return -ENOENT;
	l->rb_fd = bpf_map__fd(m);
	return 0;
}

static int loader_map_global_data(struct loader *l)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t size = l->c->maps[l->c->map_gd].value_size;
	void *p;

	l->gd_len = ((size_t)size + page - 1) / page * page;
	p = mmap(NULL, l->gd_len, PROT_READ | PROT_WRITE, MAP_SHARED, l->gd_fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		fprintf(stderr, "etap: cannot map the global data: %s\n",
			strerror(errno));
		l->gd_len = 0;
		return err;
	}
	l->gd = p;
	return 0;
}

/*
 * A script with only begin/end/timer probes has nothing to load, but its
 * globals still live in maps the evaluator reads. Creating the maps
 * directly skips libbpf's object handling (and an object without
 * programs, which libbpf refuses for want of func info).
 */
static int loader_create_maps(struct loader *l)
{
	const struct compiled *c = l->c;
	int *fds = calloc(c->nmaps + 1, sizeof(int));
	int err = 0;

	if (!fds)
		return -ENOMEM;
	for (int i = 0; i < c->nmaps; i++)
		fds[i] = -1;
	for (int i = 0; i < c->nmaps && !err; i++) {
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = c->maps[i].flags);
		const struct obj_map *m = &c->maps[i];
		/* Nothing writes to the ring buffer: the smallest will do. */
		uint32_t max = m->type == BPF_MAP_TYPE_RINGBUF ? 4096 : m->max_entries;
		char name[BPF_OBJ_NAME_LEN];

		snprintf(name, sizeof(name), "%s", c->map_names[i]);
		fds[i] = bpf_map_create(m->type, name, m->key_size, m->value_size,
					max, &mo);
		if (fds[i] < 0) {
			err = -errno;
			fprintf(stderr, "etap: cannot create map %s: %s\n",
				c->map_names[i], strerror(errno));
			if (err == -EPERM || err == -EACCES)
				loader_explain_permission();
		}
	}
	if (!err) {
		l->nmap_fds = c->map_gd;
		l->map_fds = fds;
		l->gd_fd = fds[c->map_gd];
		l->rb_fd = fds[c->map_ringbuf];
		l->own_fds = fds;
		return 0;
	}
	for (int i = 0; i < c->nmaps; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return err;
}

/* The ring buffer is only big (-s, 16 MiB by default) for scripts whose
 * kernel probes print. When they can only send exit(), errors, warn()
 * or abort() (rare, and errors are counted in global data even when
 * their record is lost), 64 KiB do: creating and zeroing 16 MiB costs
 * ~5 ms of startup, and the consumer's mapping of it (twice its size,
 * populated) would be 32 MiB of resident memory. */
static void loader_size_ringbuf(struct loader *l)
{
	const struct compiled *c = l->c;
	struct bpf_map *rb;
	uint32_t size = c->nrecs ? 64 * 1024 : 4096;

	for (int i = 0; i < c->nrecs; i++)
		if (c->recs[i].kind == REC_PRINTF || c->recs[i].kind == REC_PRINT)
			return;
	rb = bpf_object__find_map_by_name(l->obj, "etap_rb");
	if (rb && bpf_map__max_entries(rb) > size)
		bpf_map__set_max_entries(rb, size);
}

int loader_open(struct loader *l, const struct compiled *c, const char *name)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	int err;

	memset(l, 0, sizeof(*l));
	l->c = c;
	l->gd_fd = l->rb_fd = -1;
	l->nprogs = c->nprogs;
	l->progs = calloc(c->nprogs + 1, sizeof(*l->progs));
	l->links = calloc(c->nprogs + 1, sizeof(*l->links));
	if (!l->progs || !l->links) {
		err = -ENOMEM;
		goto fail;
	}
	if (c->nprogs == 0) {
		err = loader_create_maps(l);
		if (!err)
			err = loader_map_global_data(l);
		if (err)
			goto fail;
		return 0;
	}

	loader_log_reset();
	loader_capturing = true;
	l->obj = bpf_object__open_mem(c->elf, c->elf_len, &opts);
	if (!l->obj) {
		err = -errno;
		loader_capturing = false;
		fprintf(stderr, "etap: cannot open the BPF object: %s\n",
			strerror(-err));
		if (!loader_verbose && loader_log_len)
			fputs(loader_log, stderr);
		goto fail;
	}
	for (int i = 0; i < c->nprogs; i++) {
		l->progs[i] = bpf_object__find_program_by_name(l->obj,
							       c->progs[i].code.name);
		if (!l->progs[i]) {
			loader_capturing = false;
			fprintf(stderr, "etap: internal error: program %s missing from the object\n",
				c->progs[i].code.name);
			err = -ENOENT;
			goto fail;
		}
	}
	loader_size_ringbuf(l);
	err = bpf_object__load(l->obj);
	loader_capturing = false;
	if (err) {
		loader_report_load_error(l, err);
		goto fail;
	}
	err = loader_find_maps(l);
	if (!err)
		err = loader_fill_tables(l);
	if (!err)
		err = loader_map_global_data(l);
	if (err)
		goto fail;
	return 0;
fail:
	loader_close(l);
	return err;
}

void loader_set_target(struct loader *l, pid_t pid)
{
	uint64_t v = pid > 0 ? (uint64_t)pid : 0;

	if (l->gd)
		memcpy(l->gd + GD_TARGET, &v, sizeof(v));
}

static void loader_report_attach_error(const struct compiled_prog *cp, int err)
{
	const char *probe = cp->probe ? cp->probe->name : cp->section;

	fprintf(stderr, "etap: cannot attach probe %s (%s): %s\n", probe,
		cp->section, strerror(-err));
	if (err == -EPERM || err == -EACCES)
		fprintf(stderr,
			"etap: attaching to tracepoints needs CAP_PERFMON and "
			"CAP_BPF (or root), and a readable tracefs\n");
	else if (err == -ENOENT)
		fprintf(stderr, "etap: the kernel has no such event; list events "
				"with: ls /sys/kernel/tracing/events\n");
}

int loader_attach(struct loader *l)
{
	const char *hint = NULL;
	int err;

	/* libbpf looks tracepoint ids up in tracefs; make sure it is there. */
	if (!tracefs_root(&hint)) {
		err = -errno;
		fprintf(stderr, "etap: tracefs is not available: %s\n",
			strerror(errno ? errno : ENOENT));
		if (hint)
			fprintf(stderr, "etap: %s\n", hint);
		return err ? err : -ENOENT;
	}
	for (int i = 0; i < l->nprogs; i++) {
		if (l->links[i])
			continue;
		if (loader_attach_special(l, i, &err)) {
			if (err)
				return err;
			continue;
		}
		loader_capturing = true;
		loader_log_reset();
		l->links[i] = bpf_program__attach(l->progs[i]);
		loader_capturing = false;
		if (!l->links[i]) {
			err = -errno;
			loader_report_attach_error(&l->c->progs[i], err);
			return err;
		}
	}
	return 0;
}

struct loader_detach_job {
	struct bpf_link **links;
	int from, to;
};

static void *loader_detach_range(void *arg)
{
	struct loader_detach_job *j = arg;

	for (int i = j->from; i < j->to; i++) {
		if (j->links[i]) {
			bpf_link__destroy(j->links[i]);
			j->links[i] = NULL;
		}
	}
	return NULL;
}

/*
 * Closing a tracepoint's perf event waits for an RCU grace period (about
 * 70 ms here), one after the other when done in a row. Closing from
 * several threads lets the waits overlap, so exit stays quick with many
 * probes. Anything a thread could not take is detached here.
 */
void loader_detach(struct loader *l)
{
	struct loader_detach_job jobs[LOADER_DETACH_THREADS];
	pthread_t tids[LOADER_DETACH_THREADS];
	bool started[LOADER_DETACH_THREADS] = { false };
	struct loader_detach_job all = { l->links, 0, l->nprogs };
	int n = 0, nthreads, per;

	loader_detach_extra(l);
	if (!l->links)
		return;
	for (int i = 0; i < l->nprogs; i++)
		n += l->links[i] != NULL;
	nthreads = n < LOADER_DETACH_THREADS ? n : LOADER_DETACH_THREADS;
	if (nthreads > 1) {
		per = (l->nprogs + nthreads - 1) / nthreads;
		for (int t = 0; t < nthreads; t++) {
			jobs[t].links = l->links;
			jobs[t].from = t * per;
			jobs[t].to = (t + 1) * per < l->nprogs ? (t + 1) * per : l->nprogs;
			started[t] = pthread_create(&tids[t], NULL,
						    loader_detach_range,
						    &jobs[t]) == 0;
		}
		for (int t = 0; t < nthreads; t++)
			if (started[t])
				pthread_join(tids[t], NULL);
	}
	loader_detach_range(&all);
}

uint64_t loader_recursion_misses(struct loader *l)
{
	uint64_t sum = 0;

	for (int i = 0; i < l->nprogs && l->progs; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = l->progs[i] ? bpf_program__fd(l->progs[i]) : -1;

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

void loader_close(struct loader *l)
{
	loader_detach(l);
	if (l->gd) {
		munmap(l->gd, l->gd_len);
		l->gd = NULL;
	}
	if (l->obj) {
		bpf_object__close(l->obj);
		l->obj = NULL;
	}
	if (l->own_fds) {
		for (int i = 0; i < l->c->nmaps; i++)
			if (l->own_fds[i] >= 0)
				close(l->own_fds[i]);
		/* map_fds is the same array */
		l->map_fds = NULL;
		free(l->own_fds);
		l->own_fds = NULL;
	}
	free(l->map_fds);
	free(l->links);
	free(l->progs);
	l->map_fds = NULL;
	l->links = NULL;
	l->progs = NULL;
	l->gd_fd = l->rb_fd = -1;
}
