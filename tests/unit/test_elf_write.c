// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ELF writer against the real libbpf and kernel: objects built from
 * hand-written instructions must open, load with func and line info, run on
 * a tracepoint, and be readable by llvm-objdump and bpftool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "codegen/elf_write.h"
#include "parser/diag.h"

#define TP_SEC "tracepoint/syscalls/sys_enter_getpid"

/* Instruction builders (the IR's convention for map loads: src_reg says
 * fd or value, imm the map index, the second imm the value offset). */
#define I(c, d, s, o, i)                                                       \
	((struct bpf_insn){.code = (c),                                        \
			   .dst_reg = (d),                                     \
			   .src_reg = (s),                                     \
			   .off = (o),                                         \
			   .imm = (i)})
#define MOV_IMM(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i) I(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define ST_W(d, o, i) I(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i) I(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define STX_DW(d, o, s) I(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define XADD_DW(d, o, s) I(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define JEQ_IMM(d, i, o) I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(h) I(BPF_JMP | BPF_CALL, 0, 0, 0, h)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, idx)                                                         \
	I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, idx),            \
	    I(0, 0, 0, 0, 0)
#define LD_MAP_VALUE(d, idx, off)                                              \
	I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, idx),         \
	    I(0, 0, 0, 0, off)

static const char *src_file = "test_elf_write.stp";
static const char src_text[] = "global counts, total\n"
			       "probe syscall.getpid {\n"
			       "\tcounts[0]++\n"
			       "\ttotal += 1\n"
			       "}\n";

static struct loc at(int line, int col)
{
	return (struct loc){.file = src_file, .line = line, .col = col};
}

enum { M_COUNTS, M_GD, M_RB, M_PCPU, NMAPS };

static const struct obj_map maps[NMAPS] = {
    [M_COUNTS] = {"etap_counts", BPF_MAP_TYPE_HASH, 4, 8, 1024,
		  BPF_F_NO_PREALLOC},
    [M_GD] = {"etap_gd", BPF_MAP_TYPE_ARRAY, 4, 64, 1, BPF_F_MMAPABLE},
    [M_RB] = {"etap_rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 256 * 1024, 0},
    [M_PCPU] = {"etap_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4096, 1, 0},
};

/* Build, open and (optionally) load an object of one program. */
struct fixture {
	struct bpf_prog_code code;
	struct obj_prog prog;
	struct obj_desc desc;
	void *elf;
	size_t len;
	struct bpf_object *obj;
	struct bpf_link *link;
};

static void fixture_build(struct fixture *f, const char *name,
			  struct bpf_insn *insns, size_t n,
			  struct bpf_line *lines, size_t nlines,
			  struct bpf_map_reloc *relocs, size_t nrelocs)
{
	char *err = NULL;

	memset(f, 0, sizeof(*f));
	f->code = (struct bpf_prog_code){.name = (char *)name,
					 .insns = insns,
					 .ninsns = n,
					 .lines = lines,
					 .nlines = nlines,
					 .relocs = relocs,
					 .nrelocs = nrelocs};
	f->prog = (struct obj_prog){TP_SEC, &f->code};
	f->desc = (struct obj_desc){"GPL", maps, NMAPS, &f->prog, 1};
	if (elf_write_object(&f->desc, &f->elf, &f->len, &err) < 0)
		fail_msg("elf_write_object: %s", err);
	f->obj = bpf_object__open_mem(f->elf, f->len, NULL);
	assert_non_null(f->obj);
	assert_int_equal(libbpf_get_error(f->obj), 0);
}

static void fixture_close(struct fixture *f)
{
	bpf_link__destroy(f->link);
	bpf_object__close(f->obj);
	free(f->elf);
}

static void tracefs_ensure(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0)
		return;
	mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

/* Attach the object's only program to sys_enter_getpid and call getpid. */
static void fixture_run(struct fixture *f, int times)
{
	struct bpf_program *p =
	    bpf_object__find_program_by_name(f->obj, f->code.name);

	assert_non_null(p);
	tracefs_ensure();
	f->link =
	    bpf_program__attach_tracepoint(p, "syscalls", "sys_enter_getpid");
	assert_non_null(f->link);
	assert_int_equal(libbpf_get_error(f->link), 0);
	while (times--)
		syscall(SYS_getpid);
}

static void test_minimal_loads_with_btf_ext(void **state)
{
	struct bpf_insn insns[] = {MOV_IMM(0, 0), EXIT()};
	struct bpf_line lines[] = {{0, at(2, 1)}, {1, at(5, 1)}};
	struct bpf_prog_info info = {0};
	uint32_t ilen = sizeof(info);
	struct bpf_program *p;
	struct fixture f;

	fixture_build(&f, "etap_minimal", insns, 2, lines, 2, NULL, 0);
	p = bpf_object__find_program_by_name(f.obj, "etap_minimal");
	assert_non_null(p);
	assert_string_equal(bpf_program__section_name(p), TP_SEC);
	assert_int_equal(bpf_program__type(p), BPF_PROG_TYPE_TRACEPOINT);
	assert_int_equal(bpf_program__insn_cnt(p), 2);
	assert_int_equal(bpf_object__load(f.obj), 0);
	assert_int_equal(
	    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &ilen), 0);
	assert_int_equal(info.nr_func_info, 1);
	assert_int_equal(info.nr_line_info, 2);
	assert_true(info.btf_id != 0);
	fixture_close(&f);
}

static void test_map_definitions(void **state)
{
	struct bpf_insn insns[] = {MOV_IMM(0, 0), EXIT()};
	struct bpf_map *m;
	struct fixture f;
	int i;

	fixture_build(&f, "etap_maps", insns, 2, NULL, 0, NULL, 0);
	for (i = 0; i < NMAPS; i++) {
		if (i == M_GD)
			continue;
		m = bpf_object__find_map_by_name(f.obj, maps[i].name);
		assert_non_null(m);
		assert_int_equal(bpf_map__type(m), maps[i].type);
		assert_int_equal(bpf_map__key_size(m), maps[i].key_size);
		assert_int_equal(bpf_map__value_size(m), maps[i].value_size);
		assert_int_equal(bpf_map__max_entries(m), maps[i].max_entries);
		assert_int_equal(bpf_map__map_flags(m), maps[i].flags);
	}
	/* global data becomes libbpf's internal map of section .data.NAME */
	m = bpf_object__find_map_by_name(f.obj, ".data.etap_gd");
	assert_non_null(m);
	assert_true(bpf_map__is_internal(m));
	assert_int_equal(bpf_map__type(m), BPF_MAP_TYPE_ARRAY);
	assert_int_equal(bpf_map__key_size(m), 4);
	assert_int_equal(bpf_map__value_size(m), 64);
	assert_int_equal(bpf_map__max_entries(m), 1);
	assert_true(bpf_map__map_flags(m) & BPF_F_MMAPABLE);
	assert_int_equal(bpf_object__load(f.obj), 0);
	for (i = 0; i < NMAPS; i++) {
		struct bpf_map_info mi = {0};
		uint32_t mlen = sizeof(mi);

		m = i == M_GD
			? bpf_object__find_map_by_name(f.obj, ".data.etap_gd")
			: bpf_object__find_map_by_name(f.obj, maps[i].name);
		assert_int_equal(
		    bpf_obj_get_info_by_fd(bpf_map__fd(m), &mi, &mlen), 0);
		assert_int_equal(mi.type, maps[i].type);
		assert_int_equal(mi.max_entries, maps[i].max_entries);
		assert_int_equal(mi.map_flags, maps[i].flags);
	}
	fixture_close(&f);
}

/* counts[0]++ for the test's own pid: lookup, atomic add or insert. */
static void test_hash_counter_runs(void **state)
{
	int pid = getpid();
	struct bpf_insn insns[] = {
	    /* 0 */ CALL(BPF_FUNC_get_current_pid_tgid),
	    /* 1 */ RSH_IMM(0, 32),
	    /* 2 */ JNE_IMM(0, pid, 19),
	    /* 3 */ ST_W(10, -4, 0),
	    /* 4 */ MOV_REG(2, 10),
	    /* 5 */ ADD_IMM(2, -4),
	    /* 6 */ LD_MAP(1, M_COUNTS),
	    /* 8 */ CALL(BPF_FUNC_map_lookup_elem),
	    /* 9 */ JEQ_IMM(0, 0, 3),
	    /* 10 */ MOV_IMM(1, 1),
	    /* 11 */ XADD_DW(0, 0, 1),
	    /* 12 */ JA(9),
	    /* 13 */ ST_DW(10, -16, 1),
	    /* 14 */ LD_MAP(1, M_COUNTS),
	    /* 16 */ MOV_REG(2, 10),
	    /* 17 */ ADD_IMM(2, -4),
	    /* 18 */ MOV_REG(3, 10),
	    /* 19 */ ADD_IMM(3, -16),
	    /* 20 */ MOV_IMM(4, 0),
	    /* 21 */ CALL(BPF_FUNC_map_update_elem),
	    /* 22 */ MOV_IMM(0, 0),
	    /* 23 */ EXIT(),
	};
	struct bpf_line lines[] = {
	    {0, at(2, 1)}, {3, at(3, 2)}, {22, at(5, 1)}};
	struct bpf_map_reloc relocs[] = {{6, M_COUNTS, RELOC_MAP_FD},
					 {14, M_COUNTS, RELOC_MAP_FD}};
	struct bpf_prog_info info = {0};
	uint32_t ilen = sizeof(info), key = 0;
	uint64_t val = 0;
	struct fixture f;

	assert_int_equal(sizeof(insns) / sizeof(insns[0]), 24);
	fixture_build(&f, "etap_counter", insns, 24, lines, 3, relocs, 2);
	assert_int_equal(bpf_object__load(f.obj), 0);
	assert_int_equal(bpf_obj_get_info_by_fd(
			     bpf_program__fd(bpf_object__find_program_by_name(
				 f.obj, "etap_counter")),
			     &info, &ilen),
			 0);
	assert_int_equal(info.nr_func_info, 1);
	assert_int_equal(info.nr_line_info, 3);
	fixture_run(&f, 5);
	assert_int_equal(bpf_map__lookup_elem(
			     bpf_object__find_map_by_name(f.obj, "etap_counts"),
			     &key, 4, &val, 8, 0),
			 0);
	/* at least our calls (tools such as valgrind call getpid too) */
	assert_true(val >= 5);
	fixture_close(&f);
}

/* total += 1 in global data at offset 8, and the pid stored at offset 16,
 * through direct value addressing (BPF_PSEUDO_MAP_VALUE). */
static void test_global_data_value_access(void **state)
{
	int pid = getpid();
	struct bpf_insn insns[] = {
	    /* 0 */ CALL(BPF_FUNC_get_current_pid_tgid),
	    /* 1 */ RSH_IMM(0, 32),
	    /* 2 */ JNE_IMM(0, pid, 7),
	    /* 3 */ LD_MAP_VALUE(1, M_GD, 8),
	    /* 5 */ MOV_IMM(2, 1),
	    /* 6 */ XADD_DW(1, 0, 2),
	    /* 7 */ LD_MAP_VALUE(1, M_GD, 16),
	    /* 9 */ STX_DW(1, 0, 0),
	    /* 10 */ MOV_IMM(0, 0),
	    /* 11 */ EXIT(),
	};
	struct bpf_line lines[] = {{0, at(2, 1)}, {3, at(4, 2)}};
	struct bpf_map_reloc relocs[] = {{3, M_GD, RELOC_MAP_VALUE},
					 {7, M_GD, RELOC_MAP_VALUE}};
	uint64_t val[8] = {0}, *mm;
	uint32_t key = 0;
	struct bpf_map *m;
	struct fixture f;

	fixture_build(&f, "etap_gdata", insns, 12, lines, 2, relocs, 2);
	assert_int_equal(bpf_object__load(f.obj), 0);
	fixture_run(&f, 3);
	m = bpf_object__find_map_by_name(f.obj, ".data.etap_gd");
	assert_int_equal(bpf_map__lookup_elem(m, &key, 4, val, 64, 0), 0);
	assert_int_equal(val[0], 0);
	assert_true(val[1] >= 3);
	assert_int_equal(val[2], pid);
	/* user context reads the same bytes through a mapping */
	mm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		  bpf_map__fd(m), 0);
	assert_true(mm != MAP_FAILED);
	assert_int_equal(mm[1], val[1]);
	munmap(mm, 4096);
	fixture_close(&f);
}

/* Line info strings are the quoted source lines; bpftool shows them. */
static void test_line_info_quotes_source(void **state)
{
	struct bpf_insn insns[] = {MOV_IMM(0, 0), MOV_IMM(1, 1), EXIT()};
	struct bpf_line lines[] = {
	    {0, at(2, 7)}, {1, at(3, 2)}, {1, at(4, 2)}, {2, at(5, 1)}};
	struct bpf_line_info li[3];
	struct bpf_prog_info info = {0};
	uint32_t ilen = sizeof(info);
	struct btf *btf;
	struct fixture f;
	char cmd[128], out[4096];
	size_t n;
	FILE *pf;

	fixture_build(&f, "etap_lines", insns, 3, lines, 4, NULL, 0);
	assert_int_equal(bpf_object__load(f.obj), 0);
	info.nr_line_info = 3;
	info.line_info_rec_size = sizeof(li[0]);
	info.line_info = (uintptr_t)li;
	assert_int_equal(bpf_obj_get_info_by_fd(
			     bpf_program__fd(bpf_object__find_program_by_name(
				 f.obj, "etap_lines")),
			     &info, &ilen),
			 0);
	/* lines 3 and 4 share instruction 1: the later one owns it */
	assert_int_equal(info.nr_line_info, 3);
	btf = btf__load_from_kernel_by_id(info.btf_id);
	assert_non_null(btf);
	assert_int_equal(li[0].insn_off, 0);
	assert_int_equal(li[0].line_col, (2 << 10) | 7);
	assert_string_equal(btf__name_by_offset(btf, li[0].file_name_off),
			    src_file);
	assert_string_equal(btf__name_by_offset(btf, li[0].line_off),
			    "probe syscall.getpid {");
	assert_int_equal(li[1].insn_off, 1);
	assert_string_equal(btf__name_by_offset(btf, li[1].line_off),
			    "\ttotal += 1");
	assert_int_equal(li[2].line_col >> 10, 5);
	btf__free(btf);

	snprintf(cmd, sizeof(cmd), "bpftool prog dump xlated id %u linum",
		 info.id);
	pf = popen(cmd, "r");
	assert_non_null(pf);
	n = fread(out, 1, sizeof(out) - 1, pf);
	out[n] = 0;
	assert_int_equal(pclose(pf), 0);
	assert_non_null(strstr(out, "total += 1"));
	assert_non_null(strstr(out, "file:test_elf_write.stp line_num:4"));
	fixture_close(&f);
}

static int run_quiet(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/* Two programs in one section, written to a file for the usual tools. */
static void test_tools_read_object(void **state)
{
	struct bpf_insn a[] = {MOV_IMM(0, 0), EXIT()};
	struct bpf_insn b[] = {LD_MAP(1, M_COUNTS), MOV_IMM(0, 1), EXIT()};
	struct bpf_line la[] = {{0, at(2, 1)}};
	struct bpf_line lb[] = {{0, at(3, 2)}, {2, at(5, 1)}};
	struct bpf_map_reloc rb[] = {{0, M_COUNTS, RELOC_MAP_FD}};
	struct bpf_prog_code ca = {.name = "etap_a",
				   .insns = a,
				   .ninsns = 2,
				   .lines = la,
				   .nlines = 1};
	struct bpf_prog_code cb = {.name = "etap_b",
				   .insns = b,
				   .ninsns = 4,
				   .lines = lb,
				   .nlines = 2,
				   .relocs = rb,
				   .nrelocs = 1};
	struct obj_prog progs[] = {{TP_SEC, &ca}, {TP_SEC, &cb}};
	struct obj_desc d = {"GPL", maps, NMAPS, progs, 2};
	char path[] = "/tmp/test_elf_write_XXXXXX";
	const char *objdump = "llvm-objdump";
	struct bpf_object *obj;
	struct bpf_program *p;
	char *err = NULL;
	size_t len;
	void *elf;
	FILE *fp;
	int fd;

	assert_int_equal(elf_write_object(&d, &elf, &len, &err), 0);
	obj = bpf_object__open_mem(elf, len, NULL);
	assert_int_equal(libbpf_get_error(obj), 0);
	assert_int_equal(bpf_object__load(obj), 0);
	p = bpf_object__find_program_by_name(obj, "etap_b");
	assert_non_null(p);
	assert_int_equal(bpf_program__insn_cnt(p), 4);
	bpf_object__close(obj);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_int_equal(fwrite(elf, 1, len, fp), len);
	fclose(fp);
	if (run_quiet("command -v llvm-objdump >/dev/null") != 0)
		objdump = "llvm-objdump-14";
	assert_int_equal(run_quiet("%s -d %s >/dev/null", objdump, path), 0);
	assert_int_equal(
	    run_quiet("%s -d %s | grep -q 'etap_b'", objdump, path), 0);
	assert_int_equal(
	    run_quiet("%s -r %s | grep -q 'R_BPF_64_64.*etap_counts'", objdump,
		      path),
	    0);
	assert_int_equal(run_quiet("bpftool btf dump file %s >/dev/null", path),
			 0);
	assert_int_equal(
	    run_quiet("bpftool btf dump file %s | grep -q \"DATASEC '.maps'\"",
		      path),
	    0);
	unlink(path);
	free(elf);
}

static void test_rejects_bad_relocations(void **state)
{
	struct bpf_insn insns[] = {LD_MAP_VALUE(1, M_COUNTS, 0), MOV_IMM(0, 0),
				   EXIT()};
	struct bpf_map_reloc value_of_hash = {0, M_COUNTS, RELOC_MAP_VALUE};
	struct bpf_map_reloc fd_of_data = {0, M_GD, RELOC_MAP_FD};
	struct bpf_map_reloc subprog = {0, 0, RELOC_SUBPROG};
	struct bpf_map_reloc not_ld = {2, M_COUNTS, RELOC_MAP_FD};
	struct bpf_map_reloc *cases[] = {&value_of_hash, &fd_of_data, &subprog,
					 &not_ld};
	struct bpf_prog_code c = {
	    .name = "etap_bad", .insns = insns, .ninsns = 4, .nrelocs = 1};
	struct obj_prog prog = {TP_SEC, &c};
	struct obj_desc d = {"GPL", maps, NMAPS, &prog, 1};
	size_t i, len;
	char *err;
	void *elf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.relocs = cases[i];
		assert_int_equal(elf_write_object(&d, &elf, &len, &err), -1);
		assert_non_null(err);
		assert_null(elf);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal_loads_with_btf_ext),
	    cmocka_unit_test(test_map_definitions),
	    cmocka_unit_test(test_hash_counter_runs),
	    cmocka_unit_test(test_global_data_value_access),
	    cmocka_unit_test(test_line_info_quotes_source),
	    cmocka_unit_test(test_tools_read_object),
	    cmocka_unit_test(test_rejects_bad_relocations),
	};

	diag_register_source(src_file, src_text);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
