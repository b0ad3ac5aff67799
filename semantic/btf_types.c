// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmlinux BTF for the semantic pass. The tracepoint typedef
 * btf_trace_EVENT has anonymous parameters; the kernel's __bpf_trace_EVENT
 * (or, on newer kernels, __probestub_EVENT) functions share its prototype
 * and keep the names, so names come from those.
 */
#include "btf_types.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static struct btf *kbtf;
static int kbtf_err;

struct btf *btf_kernel(void)
{
	if (kbtf || kbtf_err) {
		errno = kbtf_err;
		return kbtf;
	}
	kbtf = btf__load_vmlinux_btf();
	if (!kbtf)
		kbtf_err = errno ? errno : ENOENT;
	return kbtf;
}

uint32_t btf_type_skip_mods(uint32_t id)
{
	struct btf *b = btf_kernel();
	const struct btf_type *t;

	while (b && id && (t = btf__type_by_id(b, id)) &&
	       (btf_is_mod(t) || btf_is_typedef(t)))
		id = t->type;
	return id;
}

static int proto_from_func(struct btf *b, int fid, int skip,
			   struct btf_proto *out)
{
	const struct btf_type *fn = btf__type_by_id(b, fid);
	const struct btf_type *pr;
	const struct btf_param *pa;
	int n;

	if (!fn || !btf_is_func(fn))
		return -ENOENT;
	pr = btf__type_by_id(b, fn->type);
	if (!pr || !btf_is_func_proto(pr))
		return -ENOENT;
	n = btf_vlen(pr) - skip;
	if (n < 0)
		return -ENOENT;
	pa = btf_params(pr) + skip;
	out->nargs = n;
	out->ret_type = pr->type;
	out->args = calloc(n + 1, sizeof(*out->args));
	if (!out->args)
		abort();
	for (int i = 0; i < n; i++) {
		out->args[i].name = btf__name_by_offset(b, pa[i].name_off);
		out->args[i].type_id = pa[i].type;
	}
	return 0;
}

int btf_tracepoint_proto(const char *event, struct btf_proto *out)
{
	static const char *const prefixes[] = { "__bpf_trace_",
						"__probestub_" };
	struct btf *b = btf_kernel();
	char name[256];

	if (!b)
		return -errno;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		int id;

		snprintf(name, sizeof(name), "%s%s", prefixes[i], event);
		id = btf__find_by_name_kind(b, name, BTF_KIND_FUNC);
		if (id > 0)
			return proto_from_func(b, id, 1, out);
	}
	return -ENOENT;
}

int btf_function_proto(const char *fname, struct btf_proto *out)
{
	struct btf *b = btf_kernel();
	int id;

	if (!b)
		return -errno;
	id = btf__find_by_name_kind(b, fname, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	return proto_from_func(b, id, 0, out);
}

int btf_function_list(const char *glob, void (*fn)(const char *, void *),
		      void *arg)
{
	struct btf *b = btf_kernel();
	int n = 0;

	if (!b)
		return 0;
	for (uint32_t i = 1; i < btf__type_cnt(b); i++) {
		const struct btf_type *t = btf__type_by_id(b, i);
		const char *name;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(b, t->name_off);
		if (fnmatch(glob, name, 0) == 0) {
			fn(name, arg);
			n++;
		}
	}
	return n;
}

uint32_t btf_struct_find(const char *name)
{
	struct btf *b = btf_kernel();
	int id;

	if (!b)
		return 0;
	if (strncmp(name, "struct ", 7) == 0)
		name += 7;
	else if (strncmp(name, "union ", 6) == 0)
		name += 6;
	id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
	if (id <= 0)
		id = btf__find_by_name_kind(b, name, BTF_KIND_UNION);
	if (id <= 0)
		id = btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF);
	return id > 0 ? (uint32_t)id : 0;
}

void btf_type_name(uint32_t id, char *buf, size_t len)
{
	struct btf *b = btf_kernel();
	const struct btf_type *t = b ? btf__type_by_id(b, id) : NULL;
	const char *kw = "";
	char inner[200];

	if (!id || !t) {
		snprintf(buf, len, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		btf_type_name(t->type, inner, sizeof(inner));
		snprintf(buf, len, "%s *", inner);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		btf_type_name(t->type, buf, len);
		return;
	case BTF_KIND_ARRAY:
		btf_type_name(btf_array(t)->type, inner, sizeof(inner));
		snprintf(buf, len, "%s[%u]", inner, btf_array(t)->nelems);
		return;
	case BTF_KIND_STRUCT:
		kw = "struct ";
		break;
	case BTF_KIND_UNION:
		kw = "union ";
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		kw = "enum ";
		break;
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, len, "function");
		return;
	default:
		break;
	}
	snprintf(buf, len, "%s%s", kw, btf__name_by_offset(b, t->name_off));
}
