// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attachment beyond one link per program: syscall handlers go into the
 * dispatchers' program arrays (and are never attached themselves),
 * syscall_any's name table is filled, and perf-event programs get one
 * perf event, and one link, per CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../semantic/syscall_nr.h"
#include "../semantic/usdt.h"
#include "loader.h"

#define SYSNAME_SIZE 32

static int map_fd_of(struct loader *l, int idx)
{
	struct bpf_map *m = bpf_object__find_map_by_name(l->obj,
							 l->c->map_names[idx]);

	return m ? bpf_map__fd(m) : -1;
}

int loader_fill_tables(struct loader *l)
{
	const struct compiled *c = l->c;

	for (int i = 0; i < c->nprogs; i++) {
		const struct compiled_prog *cp = &c->progs[i];
		uint32_t key = (uint32_t)cp->tail_key;
		int fd, pfd;

		if (cp->tail_map < 0 || !cp->section)
			continue;
		fd = map_fd_of(l, cp->tail_map);
		pfd = bpf_program__fd(l->progs[i]);
		if (fd < 0 || pfd < 0 ||
		    bpf_map_update_elem(fd, &key, &pfd, BPF_ANY)) {
			fprintf(stderr,
				"etap: cannot route syscall %u to probe %s: "
				"%s\n",
				key, cp->probe->name, strerror(errno));
			return -errno;
		}
	}
	if (c->map_sysnames >= 0) {
		int fd = map_fd_of(l, c->map_sysnames);
		int max = syscall_nr_max();

		for (int nr = 0; fd >= 0 && nr < max; nr++) {
			char v[SYSNAME_SIZE] = { 0 };
			const char *n = syscall_name_of(nr);
			uint32_t key = (uint32_t)nr;

			if (!n)
				continue;
			snprintf(v, sizeof(v), "%s", n);
			bpf_map_update_elem(fd, &key, v, BPF_ANY);
		}
	}
	/* The regex tables: programs only read them (BPF_F_RDONLY_PROG);
	 * frozen, nothing changes them afterwards. */
	if (c->map_regex >= 0) {
		int fd = map_fd_of(l, c->map_regex);
		uint32_t key = 0;

		if (fd < 0 ||
		    bpf_map_update_elem(fd, &key, c->regex_value, BPF_ANY) ||
		    bpf_map_freeze(fd)) {
			fprintf(stderr,
				"etap: cannot load the regular expression "
				"tables: %s\n",
				strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int perf_attach(struct loader *l, int i)
{
	const struct rprobe *rp = l->c->progs[i].probe;
	int ncpus = libbpf_num_possible_cpus();
	int attached = 0, err = 0;

	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct perf_event_attr a;
		struct bpf_link *link;
		int fd;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = rp->perf_type;
		a.config = rp->perf_config;
		if (rp->perf_freq) {
			a.freq = 1;
			a.sample_freq = rp->perf_sample;
		} else {
			a.sample_period = rp->perf_sample;
		}
		fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1,
				  PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV) /* offline CPU */
				continue;
			err = -errno;
			fprintf(stderr,
				"etap: cannot open the perf event of probe %s "
				"on cpu %d: %s\n",
				rp->name, cpu, strerror(errno));
			if (errno == ENOENT || errno == EOPNOTSUPP)
				fprintf(stderr, "etap: this kernel or machine "
						"does not offer that event\n");
			return err;
		}
		link = bpf_program__attach_perf_event(l->progs[i], fd);
		if (!link) {
			err = -errno;
			close(fd);
			fprintf(stderr,
				"etap: cannot attach probe %s on cpu %d: %s\n",
				rp->name, cpu, strerror(-err));
			return err;
		}
		l->xlinks = realloc(l->xlinks,
				    (l->nxlinks + 1) * sizeof(*l->xlinks));
		if (!l->xlinks)
			abort();
		l->xlinks[l->nxlinks++] = link;
		attached++;
	}
	return attached ? 0 : -ENODEV;
}

/* process("PATH").function: a uprobe at the function's file offset, for
 * every process that maps the file. */
static int uprobe_attach(struct loader *l, int i)
{
	const struct rprobe *rp = l->c->progs[i].probe;
	LIBBPF_OPTS(bpf_uprobe_opts, o, .retprobe = rp->mech == MECH_URETPROBE);

	/* a USDT site guarded by a semaphore: the kernel counts us in it
	 * while attached, so the program evaluates the probe's arguments */
	if (rp->usdt)
		o.ref_ctr_offset = (size_t)rp->usdt->sem_offset;
	l->links[i] = bpf_program__attach_uprobe_opts(
		l->progs[i], -1, rp->upath, (size_t)rp->uoffset, &o);
	if (l->links[i])
		return 0;
	fprintf(stderr, "etap: cannot attach probe %s (uprobe at %s+%#llx): "
			"%s\n",
		rp->name, rp->upath, (unsigned long long)rp->uoffset,
		strerror(errno));
	return -errno;
}

bool loader_attach_special(struct loader *l, int i, int *err)
{
	const struct compiled_prog *cp = &l->c->progs[i];

	*err = 0;
	if (cp->tail_map >= 0)
		return true;
	if (cp->probe && cp->probe->type == PT_UPROBE) {
		*err = uprobe_attach(l, i);
		return true;
	}
	if (cp->probe && cp->probe->type == PT_PERF &&
	    strcmp(cp->section, "perf_event") == 0) {
		*err = perf_attach(l, i);
		return true;
	}
	return false;
}

void loader_detach_extra(struct loader *l)
{
	for (int i = 0; i < l->nxlinks; i++)
		bpf_link__destroy(l->xlinks[i]);
	free(l->xlinks);
	l->xlinks = NULL;
	l->nxlinks = 0;
}
