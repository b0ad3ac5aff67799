// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IR back end: instruction encodings, the listing, and programs run in
 * the kernel (socket filters through BPF_PROG_TEST_RUN), including random
 * programs checked against a simulation in C, to exercise liveness across
 * loops, calls and spilling under register pressure.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "codegen/ir.h"
#include "parser/diag.h"

/* ---- helpers ---- */

static struct bpf_prog_code finalize_ok(struct ir_func *f)
{
	struct bpf_prog_code p;
	char *err = NULL;

	if (ir_func_finalize(f, &p, &err) < 0) {
		fprintf(stderr, "finalize: %s\n", err);
		free(err);
		fail();
	}
	ir_func_free(f);
	return p;
}

static char *finalize_err(struct ir_func *f)
{
	struct bpf_prog_code p;
	char *err = NULL;

	assert_int_equal(ir_func_finalize(f, &p, &err), -1);
	assert_non_null(err);
	ir_func_free(f);
	return err;
}

static void expect_insn(const struct bpf_insn *in, uint8_t code, int dst,
			int src, int16_t off, int32_t imm)
{
	assert_int_equal(in->code, code);
	assert_int_equal(in->dst_reg, dst);
	assert_int_equal(in->src_reg, src);
	assert_int_equal(in->off, off);
	assert_int_equal(in->imm, imm);
}

static void dump_listing(const struct bpf_prog_code *p)
{
	bpf_print_listing(stderr, p, NULL);
}

/* Patch relocations the way the loader would: map_fds[map_idx]. */
static void patch_relocs(struct bpf_prog_code *p, const int *map_fds)
{
	for (size_t i = 0; i < p->nrelocs; i++) {
		struct bpf_insn *in = &p->insns[p->relocs[i].insn_idx];

		in->imm = map_fds[p->relocs[i].map_idx];
		in->src_reg = p->relocs[i].kind == RELOC_MAP_VALUE
				  ? BPF_PSEUDO_MAP_VALUE
				  : BPF_PSEUDO_MAP_FD;
	}
}

/* Load p as a socket filter, run it once on a 64-byte packet, return R0. */
static uint32_t run_prog(struct bpf_prog_code *p, const int *map_fds)
{
	static char log[1 << 20];
	unsigned char pkt[64] = {0};
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);
	int fd, err;

	patch_relocs(p, map_fds);
	log[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "etap_test", "GPL",
			   p->insns, p->ninsns, &lopts);
	if (fd < 0) {
		fprintf(stderr, "load failed (%d); listing:\n", fd);
		dump_listing(p);
		fprintf(stderr, "verifier log:\n%s\n", log);
		fail();
	}
	err = bpf_prog_test_run_opts(fd, &topts);
	close(fd);
	assert_int_equal(err, 0);
	return topts.retval;
}

static uint32_t run_ir(struct ir_func *f, const int *map_fds)
{
	struct bpf_prog_code p = finalize_ok(f);
	uint32_t r;

	if (getenv("TEST_IR_LISTING"))
		dump_listing(&p);
	r = run_prog(&p, map_fds);

	bpf_prog_code_free(&p);
	return r;
}

/* ---- encodings ---- */

static void test_encode_alu(void **state)
{
	struct ir_func *f = ir_func_new("alu");
	struct bpf_prog_code p;

	ir_mov_imm(f, IR_R0, 7);
	ir_alu_reg(f, BPF_ADD, IR_R0, IR_R0);
	ir_alu_imm(f, BPF_LSH, IR_R0, 3);
	ir_alu32_imm(f, BPF_AND, IR_R0, -1);
	ir_alu32_reg(f, BPF_MOV, IR_R0, IR_R0); /* kept: zero-extends */
	ir_alu_imm(f, BPF_NEG, IR_R0, 0);
	ir_mov_reg(f, IR_R0, IR_R0); /* dropped: no-op */
	ir_exit(f);
	p = finalize_ok(f);
	assert_int_equal(p.ninsns, 7);
	expect_insn(&p.insns[0], BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 7);
	expect_insn(&p.insns[1], BPF_ALU64 | BPF_ADD | BPF_X, 0, 0, 0, 0);
	expect_insn(&p.insns[2], BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 3);
	expect_insn(&p.insns[3], BPF_ALU | BPF_AND | BPF_K, 0, 0, 0, -1);
	expect_insn(&p.insns[4], BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0);
	expect_insn(&p.insns[5], BPF_ALU64 | BPF_NEG | BPF_K, 0, 0, 0, 0);
	assert_int_equal(p.insns[4].code, 0xbc);
	assert_int_equal(p.insns[0].code, 0xb7);
	bpf_prog_code_free(&p);
}

static void test_encode_mem_ld64_call(void **state)
{
	struct ir_func *f = ir_func_new("mem");
	struct bpf_prog_code p;

	ir_load(f, 4, IR_R2, IR_R1, 16);
	ir_store_reg(f, 8, IR_FP, -8, IR_R2);
	ir_store_imm(f, 2, IR_FP, -16, 0x1234);
	ir_atomic_add(f, 8, IR_FP, -8, IR_R2);
	ir_ld_imm64(f, IR_R3, 0x1122334455667788ull);
	ir_ld_map(f, IR_R1, 3);
	ir_ld_map_value(f, IR_R4, 1, 24);
	ir_call_helper(f, BPF_FUNC_map_lookup_elem);
	ir_exit(f);
	p = finalize_ok(f);
	assert_int_equal(p.ninsns, 12);
	expect_insn(&p.insns[0], 0x61, 2, 1, 16, 0);
	expect_insn(&p.insns[1], 0x7b, 10, 2, -8, 0);
	expect_insn(&p.insns[2], 0x6a, 10, 0, -16, 0x1234);
	expect_insn(&p.insns[3], 0xdb, 10, 2, -8, BPF_ADD);
	expect_insn(&p.insns[4], 0x18, 3, 0, 0, 0x55667788);
	expect_insn(&p.insns[5], 0, 0, 0, 0, 0x11223344);
	expect_insn(&p.insns[6], 0x18, 1, BPF_PSEUDO_MAP_FD, 0, 0);
	expect_insn(&p.insns[7], 0, 0, 0, 0, 0);
	expect_insn(&p.insns[8], 0x18, 4, BPF_PSEUDO_MAP_VALUE, 0, 0);
	expect_insn(&p.insns[9], 0, 0, 0, 0, 24);
	expect_insn(&p.insns[10], 0x85, 0, 0, 0, 1);
	expect_insn(&p.insns[11], 0x95, 0, 0, 0, 0);
	assert_int_equal(p.nrelocs, 2);
	assert_int_equal(p.relocs[0].insn_idx, 6);
	assert_int_equal(p.relocs[0].map_idx, 3);
	assert_int_equal(p.relocs[0].kind, RELOC_MAP_FD);
	assert_int_equal(p.relocs[1].insn_idx, 8);
	assert_int_equal(p.relocs[1].map_idx, 1);
	assert_int_equal(p.relocs[1].kind, RELOC_MAP_VALUE);
	assert_int_equal(p.stack_size, 0);
	bpf_prog_code_free(&p);
}

static void test_encode_jumps(void **state)
{
	struct ir_func *f = ir_func_new("jmp");
	struct bpf_prog_code p;
	int top = ir_label_new(f), out = ir_label_new(f),
	    next = ir_label_new(f);

	ir_mov_imm(f, IR_R0, 0); /* 0 */
	ir_label_place(f, top);
	ir_jcond_imm(f, BPF_JGT, IR_R0, 9, out); /* 1 */
	ir_alu_imm(f, BPF_ADD, IR_R0, 1);	 /* 2 */
	ir_jmp(f, next);			 /* dropped: jumps to next */
	ir_label_place(f, next);
	ir_jcond_reg(f, BPF_JSLT, IR_R0, IR_R0, top); /* 3 */
	ir_jmp(f, top);				      /* 4 */
	ir_label_place(f, out);
	ir_exit(f); /* 5 */
	p = finalize_ok(f);
	assert_int_equal(p.ninsns, 6);
	expect_insn(&p.insns[1], BPF_JMP | BPF_JGT | BPF_K, 0, 0, 3, 9);
	expect_insn(&p.insns[3], BPF_JMP | BPF_JSLT | BPF_X, 0, 0, -3, 0);
	expect_insn(&p.insns[4], BPF_JMP | BPF_JA, 0, 0, -4, 0);
	bpf_prog_code_free(&p);
}

/* ---- listing ---- */

static void expect_format(const struct bpf_insn *in, const char *want)
{
	static const char *const names[] = {"globals", "counts"};
	char buf[128];

	bpf_insn_format(buf, sizeof(buf), in, names);
	assert_string_equal(buf, want);
}

static void test_listing_format(void **state)
{
	struct bpf_insn ld[2] = {
	    {.code = 0x18,
	     .dst_reg = 1,
	     .src_reg = BPF_PSEUDO_MAP_FD,
	     .imm = 1},
	    {0},
	};
	struct bpf_insn ldv[2] = {
	    {.code = 0x18,
	     .dst_reg = 2,
	     .src_reg = BPF_PSEUDO_MAP_VALUE,
	     .imm = 0},
	    {.imm = 8},
	};
	struct bpf_insn k64[2] = {
	    {.code = 0x18, .dst_reg = 3, .imm = 0x55667788},
	    {.imm = 0x11223344},
	};

	expect_format(
	    &(struct bpf_insn){
		.code = 0x61, .dst_reg = 1, .src_reg = 6, .off = 16},
	    "r1 = *(u32 *)(r6 +16)");
	expect_format(
	    &(struct bpf_insn){
		.code = 0x7b, .dst_reg = 10, .src_reg = 1, .off = -8},
	    "*(u64 *)(r10 -8) = r1");
	expect_format(
	    &(struct bpf_insn){
		.code = 0x62, .dst_reg = 10, .off = -4, .imm = 3},
	    "*(u32 *)(r10 -4) = 3");
	expect_format(
	    &(struct bpf_insn){.code = 0x55, .dst_reg = 1, .off = 3, .imm = 7},
	    "if r1 != 0x7 goto +3");
	expect_format(
	    &(struct bpf_insn){
		.code = 0xcd, .dst_reg = 1, .src_reg = 2, .off = -5},
	    "if r1 s< r2 goto -5");
	expect_format(&(struct bpf_insn){.code = 0x05, .off = 2}, "goto +2");
	expect_format(&(struct bpf_insn){.code = 0x85, .imm = 1},
		      "call bpf_map_lookup_elem#1");
	expect_format(&(struct bpf_insn){.code = 0x85, .imm = 5},
		      "call bpf_ktime_get_ns#5");
	expect_format(&(struct bpf_insn){.code = 0x95}, "exit");
	expect_format(
	    &(struct bpf_insn){.code = 0x0f, .dst_reg = 1, .src_reg = 2},
	    "r1 += r2");
	expect_format(&(struct bpf_insn){.code = 0xc7, .dst_reg = 1, .imm = 63},
		      "r1 s>>= 63");
	expect_format(&(struct bpf_insn){.code = 0xb7, .dst_reg = 0, .imm = -1},
		      "r0 = -1");
	expect_format(
	    &(struct bpf_insn){.code = 0xbc, .dst_reg = 3, .src_reg = 4},
	    "w3 = w4");
	expect_format(&(struct bpf_insn){.code = 0x87, .dst_reg = 3},
		      "r3 = -r3");
	expect_format(
	    &(struct bpf_insn){
		.code = 0xdb, .dst_reg = 1, .src_reg = 2, .imm = BPF_ADD},
	    "lock *(u64 *)(r1 +0) += r2");
	expect_format(ld, "r1 = map[counts] ll");
	expect_format(ldv, "r2 = map[globals][0]+8 ll");
	expect_format(k64, "r3 = 0x1122334455667788 ll");
}

static void test_listing_lines(void **state)
{
	static const char src[] = "probe begin {\n"
				  "\tx = 1\n"
				  "\ty = x + counts[2]\n"
				  "}\n";
	struct ir_func *f = ir_func_new("lines");
	struct bpf_prog_code p;
	const char *names[] = {"counts"};
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int v = ir_vreg_new(f);

	diag_register_source("t.stp", src);
	ir_set_loc(f, (struct loc){"t.stp", 2, 2});
	ir_comment(f, "x = 1");
	ir_mov_imm(f, v, 1);
	ir_set_loc(f, (struct loc){"t.stp", 3, 2});
	ir_ld_map(f, IR_R1, 0);
	ir_set_loc(f, (struct loc){"t.stp", 3, 6});
	ir_alu_imm(f, BPF_ADD, v, 2);
	ir_mov_reg(f, IR_R0, v);
	ir_exit(f);
	p = finalize_ok(f);

	assert_int_equal(p.nlines, 3);
	assert_int_equal(p.lines[0].insn_off, 0);
	assert_int_equal(p.lines[0].loc.line, 2);
	assert_int_equal(p.lines[1].insn_off, 1);
	assert_int_equal(p.lines[1].loc.line, 3);
	assert_int_equal(p.lines[2].insn_off, 3);
	assert_int_equal(p.lines[2].loc.col, 6);
	assert_string_equal(p.comments[0], "x = 1");

	mem = open_memstream(&text, &len);
	bpf_print_listing(mem, &p, names);
	fclose(mem);
	/* One header per script line, even though line 3 has two entries. */
	assert_non_null(strstr(text, "# t.stp:2: x = 1\n"));
	assert_non_null(strstr(text, "# t.stp:3: y = x + counts[2]\n"));
	assert_null(strstr(strstr(text, "# t.stp:3:") + 1, "# t.stp:3:"));
	assert_non_null(strstr(text, "    1: r1 = map[counts] ll\n"));
	assert_non_null(strstr(text, "; x = 1\n"));
	assert_non_null(strstr(text, "exit\n"));
	free(text);
	bpf_prog_code_free(&p);
}

/* ---- errors ---- */

static void test_error_stack(void **state)
{
	struct ir_func *f = ir_func_new("big");
	char *err;

	ir_stack_alloc(f, 500, 8);
	ir_stack_alloc(f, 16, 8);
	ir_mov_imm(f, IR_R0, 0);
	ir_exit(f);
	err = finalize_err(f);
	assert_string_equal(err,
			    "program needs 520 bytes of stack, BPF allows 512");
	free(err);
}

static void test_error_jump_range(void **state)
{
	struct ir_func *f = ir_func_new("far");
	int l = ir_label_new(f);
	char *err;

	ir_mov_imm(f, IR_R0, 0);
	ir_jcond_imm(f, BPF_JEQ, IR_R0, 0, l);
	for (int i = 0; i < 40000; i++)
		ir_alu_imm(f, BPF_ADD, IR_R0, 1);
	ir_label_place(f, l);
	ir_exit(f);
	err = finalize_err(f);
	assert_non_null(strstr(err, "16-bit"));
	free(err);
}

static void test_error_unplaced_label(void **state)
{
	struct ir_func *f = ir_func_new("nolabel");
	int l = ir_label_new(f);
	char *err;

	ir_mov_imm(f, IR_R0, 0);
	ir_jmp(f, l);
	ir_exit(f);
	err = finalize_err(f);
	assert_non_null(strstr(err, "never placed"));
	free(err);
}

static void test_error_bad_size(void **state)
{
	struct ir_func *f = ir_func_new("size");
	char *err;

	ir_load(f, 3, IR_R0, IR_FP, -8);
	ir_exit(f);
	err = finalize_err(f);
	assert_non_null(strstr(err, "3 bytes"));
	free(err);
}

/* ---- in the kernel ---- */

static void test_run_arith(void **state)
{
	struct ir_func *f = ir_func_new("arith");
	int a = ir_vreg_new(f), b = ir_vreg_new(f), c = ir_vreg_new(f);

	ir_mov_imm(f, a, 1000);
	ir_mov_imm(f, b, 7);
	ir_mov_reg(f, c, a);
	ir_alu_reg(f, BPF_MUL, c, b);	/* 7000 */
	ir_alu_imm(f, BPF_SUB, c, 58);	/* 6942 */
	ir_alu_reg(f, BPF_DIV, c, b);	/* 991 */
	ir_alu_imm(f, BPF_MOD, a, 300); /* 100 */
	ir_alu_reg(f, BPF_ADD, c, a);	/* 1091 */
	ir_alu_imm(f, BPF_LSH, c, 40);
	ir_alu_imm(f, BPF_RSH, c, 38);	 /* 4364 */
	ir_alu_imm(f, BPF_NEG, b, 0);	 /* -7 */
	ir_alu_imm(f, BPF_ARSH, b, 1);	 /* -4 */
	ir_alu_reg(f, BPF_ADD, c, b);	 /* 4360 */
	ir_alu_imm(f, BPF_XOR, c, 0xff); /* 4360 ^ 255 = 4599 */
	ir_mov_reg(f, IR_R0, c);
	ir_exit(f);
	assert_int_equal(run_ir(f, NULL), 4599);
}

static void test_run_loop(void **state)
{
	struct ir_func *f = ir_func_new("loop");
	int i = ir_vreg_new(f), sum = ir_vreg_new(f), k = ir_vreg_new(f);
	int t = ir_vreg_new(f);
	int top = ir_label_new(f), odd = ir_label_new(f),
	    skip = ir_label_new(f);

	/* 3 * (sum of odd i in 1..100): k and sum live around the back edge
	 * although textually they are last used inside the loop. */
	ir_mov_imm(f, k, 3);
	ir_mov_imm(f, sum, 0);
	ir_mov_imm(f, i, 1);
	ir_label_place(f, top);
	ir_jcond_imm(f, BPF_JSET, i, 1, odd);
	ir_jmp(f, skip);
	ir_label_place(f, odd);
	ir_mov_reg(f, t, i);
	ir_alu_reg(f, BPF_MUL, t, k);
	ir_alu_reg(f, BPF_ADD, sum, t);
	ir_label_place(f, skip);
	ir_alu_imm(f, BPF_ADD, i, 1);
	ir_jcond_imm(f, BPF_JLE, i, 100, top);
	ir_mov_reg(f, IR_R0, sum);
	ir_exit(f);
	assert_int_equal(run_ir(f, NULL), 7500);
}

/*
 * n values live at once across helper calls: only R6..R9 survive a call, so
 * most of them must be spilled, and the context pointer in R1 must survive
 * too (read skb->len at the end).
 */
static void run_pressure(int n)
{
	struct ir_func *f = ir_func_new("pressure");
	int *v = calloc(n, sizeof(int));
	int ctx = ir_vreg_new(f), acc = ir_vreg_new(f), len = ir_vreg_new(f);
	int junk = ir_vreg_new(f);
	uint64_t want = 0;

	ir_mov_reg(f, ctx, IR_R1);
	for (int i = 0; i < n; i++) {
		v[i] = ir_vreg_new(f);
		ir_mov_imm(f, v[i], 1000 + 17 * i);
		if (i % 5 == 0) {
			ir_call_helper(f, BPF_FUNC_ktime_get_ns);
			/* r0 - r0 keeps the result in play but known */
			ir_mov_reg(f, junk, IR_R0);
			ir_alu_reg(f, BPF_SUB, junk, junk);
			ir_alu_reg(f, BPF_ADD, v[i], junk);
		}
	}
	ir_call_helper(f, BPF_FUNC_get_prandom_u32);
	ir_mov_imm(f, acc, 0);
	for (int i = 0; i < n; i++) {
		ir_alu_imm(f, BPF_MUL, acc, 3);
		ir_alu_reg(f, BPF_ADD, acc, v[i]);
		want = want * 3 + 1000 + 17 * i;
		if (i % 7 == 0)
			ir_call_helper(f, BPF_FUNC_ktime_get_ns);
	}
	/* use every value a second time after more calls */
	ir_call_helper(f, BPF_FUNC_get_smp_processor_id);
	for (int i = 0; i < n; i++) {
		ir_alu_reg(f, BPF_XOR, acc, v[i]);
		want ^= 1000 + 17 * i;
	}
	ir_load(f, 4, len, ctx, offsetof(struct __sk_buff, len));
	ir_alu_reg(f, BPF_ADD, acc, len);
	want += 64 - 14; /* test_run pulls the Ethernet header */
	ir_mov_reg(f, IR_R0, acc);
	ir_alu_imm(f, BPF_RSH, IR_R0, 32);
	ir_alu_reg(f, BPF_XOR, IR_R0, acc);
	ir_exit(f);
	assert_int_equal(run_ir(f, NULL), (uint32_t)(want ^ (want >> 32)));
	free(v);
}

static void test_run_pressure(void **state)
{
	run_pressure(4);
	run_pressure(12);
	run_pressure(40);
}

/*
 * 150 values across calls, 30 live at a time: only shared spill slots fit
 * them in 512 bytes of stack.
 */
static void test_run_spill_slot_sharing(void **state)
{
	struct ir_func *f = ir_func_new("window");
	int v[150], acc = ir_vreg_new(f);
	uint64_t want = 0;
	struct bpf_prog_code p;

	ir_mov_imm(f, acc, 0);
	for (int i = 0; i < 150; i++) {
		v[i] = ir_vreg_new(f);
		ir_mov_imm(f, v[i], 3 * i + 1);
		ir_call_helper(f, BPF_FUNC_ktime_get_ns);
		if (i >= 30) {
			ir_alu_imm(f, BPF_MUL, acc, 5);
			ir_alu_reg(f, BPF_ADD, acc, v[i - 30]);
			want = want * 5 + 3 * (i - 30) + 1;
		}
	}
	ir_mov_reg(f, IR_R0, acc);
	ir_alu_imm(f, BPF_RSH, IR_R0, 32);
	ir_alu_reg(f, BPF_XOR, IR_R0, acc);
	ir_exit(f);
	p = finalize_ok(f);
	assert_true(p.stack_size <= 8 * 32);
	assert_int_equal(run_prog(&p, NULL), (uint32_t)(want ^ (want >> 32)));
	bpf_prog_code_free(&p);
}

static void test_run_map(void **state)
{
	struct ir_func *f = ir_func_new("map");
	int fds[2], key = 2, out_key = 0;
	uint64_t val = 37, got;
	int slot, p = ir_vreg_new(f), x = ir_vreg_new(f), g = ir_vreg_new(f);
	int one = ir_vreg_new(f);
	int null = ir_label_new(f);

	fds[0] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "etap_arr", 4, 8, 4, NULL);
	fds[1] =
	    bpf_map_create(BPF_MAP_TYPE_ARRAY, "etap_glob", 4, 16, 1, NULL);
	assert_true(fds[0] >= 0 && fds[1] >= 0);
	assert_int_equal(bpf_map_update_elem(fds[0], &key, &val, 0), 0);

	/* x = arr[2]; arr[2] += 5 (atomically); glob.field_at_8 = x * 2 */
	slot = ir_stack_alloc(f, 4, 4);
	ir_store_imm(f, 4, IR_FP, slot, 2);
	ir_ld_map(f, IR_R1, 0);
	ir_mov_reg(f, IR_R2, IR_FP);
	ir_alu_imm(f, BPF_ADD, IR_R2, slot);
	ir_call_helper(f, BPF_FUNC_map_lookup_elem);
	ir_mov_reg(f, p, IR_R0);
	ir_mov_imm(f, IR_R0, 0);
	ir_jcond_imm(f, BPF_JEQ, p, 0, null);
	ir_load(f, 8, x, p, 0);
	ir_mov_imm(f, one, 5);
	ir_call_helper(f, BPF_FUNC_ktime_get_ns); /* p must survive this */
	ir_atomic_add(f, 8, p, 0, one);
	ir_ld_map_value(f, g, 1, 8);
	ir_mov_reg(f, IR_R0, x);
	ir_alu_imm(f, BPF_MUL, IR_R0, 2);
	ir_store_reg(f, 8, g, 0, IR_R0);
	ir_mov_reg(f, IR_R0, x);
	ir_label_place(f, null);
	ir_exit(f);
	assert_int_equal(run_ir(f, fds), 37);
	assert_int_equal(bpf_map_lookup_elem(fds[0], &key, &got), 0);
	assert_int_equal(got, 42);
	{
		uint64_t glob[2];

		assert_int_equal(bpf_map_lookup_elem(fds[1], &out_key, glob),
				 0);
		assert_int_equal(glob[1], 74);
	}
	close(fds[0]);
	close(fds[1]);
}

/*
 * A 64-bit result too wide for retval: store it into a map and read it back.
 * Also takes a pointer (the map value) through spill slots under pressure.
 */
static void test_run_wide_spilled_pointer(void **state)
{
	struct ir_func *f = ir_func_new("wide");
	int fd, zero = 0, n = 24;
	int g = ir_vreg_new(f), acc = ir_vreg_new(f);
	int v[24];
	uint64_t want = 0, got = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "etap_wide", 4, 8, 1, NULL);
	assert_true(fd >= 0);
	ir_ld_map_value(f, g, 0, 0);
	for (int i = 0; i < n; i++) {
		v[i] = ir_vreg_new(f);
		ir_ld_imm64(f, v[i], 0x0123456789abcdefull * (i + 1));
	}
	ir_call_helper(f, BPF_FUNC_ktime_get_ns);
	ir_mov_imm(f, acc, 0);
	for (int i = 0; i < n; i++) {
		ir_alu_reg(f, BPF_ADD, acc, v[i]);
		want += 0x0123456789abcdefull * (i + 1);
	}
	ir_store_reg(f, 8, g, 0, acc);
	ir_mov_imm(f, IR_R0, 1);
	ir_exit(f);
	assert_int_equal(run_ir(f, &fd), 1);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &got), 0);
	assert_true(got == want);
	close(fd);
}

/* ---- random programs against a simulation ---- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

/* Emit one random operation (unless f is NULL) and simulate it on val. */
static void random_op(struct ir_func *f, const int *v, uint64_t *val, int n,
		      int junk)
{
	static const int alu[] = {BPF_ADD, BPF_SUB, BPF_XOR, BPF_MUL};
	int d = rnd(n), s = rnd(n), which = rnd(11), op;
	int32_t imm = (int32_t)rnd(2000) - 1000;
	uint64_t x = val[s];

	switch (which) {
	case 0:
	case 1:
	case 2:
	case 3:
		op = alu[which];
		if (f)
			ir_alu_reg(f, op, v[d], v[s]);
		val[d] = op == BPF_ADD	 ? val[d] + x
			 : op == BPF_SUB ? val[d] - x
			 : op == BPF_XOR ? val[d] ^ x
					 : val[d] * x;
		break;
	case 4:
		if (f)
			ir_alu_imm(f, BPF_ADD, v[d], imm);
		val[d] += (uint64_t)(int64_t)imm;
		break;
	case 5:
		if (f)
			ir_alu_imm(f, BPF_RSH, v[d], imm & 63);
		val[d] >>= imm & 63;
		break;
	case 6:
		if (f)
			ir_alu_imm(f, BPF_LSH, v[d], imm & 63);
		val[d] <<= imm & 63;
		break;
	case 7:
		if (f)
			ir_mov_reg(f, v[d], v[s]);
		val[d] = x;
		break;
	case 8:
		if (f)
			ir_alu32_reg(f, BPF_ADD, v[d], v[s]);
		val[d] = (uint32_t)(val[d] + x);
		break;
	case 9:
		/* an unknown result folded to 0: the verifier cannot tell */
		op = rnd(2) ? BPF_FUNC_ktime_get_ns : BPF_FUNC_get_prandom_u32;
		if (!f)
			break;
		ir_call_helper(f, op);
		ir_mov_reg(f, junk, IR_R0);
		ir_alu_reg(f, BPF_XOR, junk, junk);
		ir_alu_reg(f, BPF_OR, v[d], junk);
		break;
	case 10:
		/* argument registers set around live values; the helper
		 * ignores them, the allocator must not */
		if (!f)
			break;
		ir_mov_reg(f, IR_R1, v[d]);
		ir_mov_reg(f, IR_R2, v[s]);
		ir_call_helper(f, BPF_FUNC_get_prandom_u32);
		break;
	}
}

static void run_random(uint64_t seed)
{
	struct ir_func *f = ir_func_new("random");
	int n, v[64], junk, acc, cnt;
	uint64_t val[64], want = 0;
	int nops;

	rng_state = seed;
	n = 2 + rnd(60);
	nops = 20 + rnd(150);
	junk = ir_vreg_new(f);
	acc = ir_vreg_new(f);
	for (int i = 0; i < n; i++) {
		v[i] = ir_vreg_new(f);
		val[i] = rnd(100000);
		ir_mov_imm(f, v[i], (int32_t)val[i]);
	}
	for (int k = 0; k < nops; k++) {
		if (rnd(12) == 0) {
			/* a counted loop: the body runs `times` times */
			int top = ir_label_new(f), times = 1 + rnd(4);
			int body = 1 + rnd(6);
			uint64_t start_state;

			cnt = ir_vreg_new(f);
			ir_mov_imm(f, cnt, times);
			ir_label_place(f, top);
			start_state = rng_state;
			for (int t = 0; t < times; t++) {
				/* emit once, simulate `times` times */
				rng_state = start_state;
				for (int b = 0; b < body; b++)
					random_op(t ? NULL : f, v, val, n,
						  junk);
			}
			ir_alu_imm(f, BPF_SUB, cnt, 1);
			ir_jcond_imm(f, BPF_JNE, cnt, 0, top);
			k += body;
		} else {
			random_op(f, v, val, n, junk);
		}
	}
	ir_mov_imm(f, acc, 0);
	for (int i = 0; i < n; i++) {
		ir_alu_imm(f, BPF_MUL, acc, 31);
		ir_alu_reg(f, BPF_ADD, acc, v[i]);
		want = want * 31 + val[i];
	}
	ir_mov_reg(f, IR_R0, acc);
	ir_alu_imm(f, BPF_RSH, IR_R0, 32);
	ir_alu_reg(f, BPF_XOR, IR_R0, acc);
	ir_exit(f);
	if (run_ir(f, NULL) != (uint32_t)(want ^ (want >> 32))) {
		fprintf(stderr, "random program with seed %llu differs\n",
			(unsigned long long)seed);
		fail();
	}
}

static void test_run_random(void **state)
{
	for (uint64_t seed = 1; seed <= 60; seed++)
		run_random(seed);
}

/*
 * Structured random programs: nested counted loops, if/else diamonds on
 * values the verifier cannot predict, calls inside both. A tree of
 * statements is generated first, then emitted once and interpreted.
 */
enum rs_kind { RS_ALU, RS_CALL, RS_LOOP, RS_IF };

struct rs {
	enum rs_kind kind;
	int op, d, s, imm, times;
	struct rs *body, *orelse; /* arrays, terminated by count */
	int nbody, norelse;
	int cond;
};

static int rs_ifs;

static struct rs *rs_gen(int n, int depth, int *count)
{
	int len = 1 + rnd(depth ? 6 : 25);
	struct rs *b = calloc(len, sizeof(*b));
	static const int ops[] = {BPF_ADD, BPF_SUB, BPF_XOR, BPF_MUL,
				  BPF_OR,  BPF_AND, BPF_MOV};

	for (int i = 0; i < len; i++) {
		struct rs *x = &b[i];
		int k = rnd(20);

		x->d = rnd(n);
		x->s = rnd(n);
		x->imm = (int)rnd(2000) - 1000;
		if (k < 2 && depth < 3) {
			x->kind = RS_LOOP;
			x->times = 1 + rnd(4);
			x->body = rs_gen(n, depth + 1, &x->nbody);
		} else if (k < 4 && depth < 3 && rs_ifs < 5) {
			rs_ifs++;
			x->kind = RS_IF;
			x->cond = rnd(n);
			x->body = rs_gen(n, depth + 1, &x->nbody);
			if (rnd(2))
				x->orelse = rs_gen(n, depth + 1, &x->norelse);
		} else if (k < 6) {
			x->kind = RS_CALL;
		} else {
			x->kind = RS_ALU;
			x->op = ops[rnd(7)];
		}
	}
	*count = len;
	return b;
}

static void rs_free(struct rs *b, int n)
{
	for (int i = 0; i < n; i++) {
		rs_free(b[i].body, b[i].nbody);
		rs_free(b[i].orelse, b[i].norelse);
	}
	free(b);
}

/* Values become unknown to the verifier (OR with a helper's result & 0),
 * so branches on them stay real branches. */
static void rs_emit(struct ir_func *f, const struct rs *b, int n, const int *v,
		    int junk)
{
	for (int i = 0; i < n; i++) {
		const struct rs *x = &b[i];

		switch (x->kind) {
		case RS_ALU:
			ir_alu_reg(f, x->op, v[x->d], v[x->s]);
			break;
		case RS_CALL:
			ir_call_helper(f, BPF_FUNC_get_prandom_u32);
			ir_mov_reg(f, junk, IR_R0);
			ir_alu_imm(f, BPF_AND, junk, 0);
			ir_alu_reg(f, BPF_OR, v[x->d], junk);
			break;
		case RS_LOOP: {
			int cnt = ir_vreg_new(f), top = ir_label_new(f);

			ir_mov_imm(f, cnt, x->times);
			ir_label_place(f, top);
			rs_emit(f, x->body, x->nbody, v, junk);
			ir_alu_imm(f, BPF_SUB, cnt, 1);
			ir_jcond_imm(f, BPF_JNE, cnt, 0, top);
			break;
		}
		case RS_IF: {
			int els = ir_label_new(f), end = ir_label_new(f);

			ir_jcond_imm(f, BPF_JSET, v[x->cond], 1, els);
			rs_emit(f, x->body, x->nbody, v, junk);
			ir_jmp(f, end);
			ir_label_place(f, els);
			rs_emit(f, x->orelse, x->norelse, v, junk);
			ir_label_place(f, end);
			break;
		}
		}
	}
}

static void rs_exec(const struct rs *b, int n, uint64_t *val)
{
	for (int i = 0; i < n; i++) {
		const struct rs *x = &b[i];
		uint64_t *d = &val[x->d], s = val[x->s];

		switch (x->kind) {
		case RS_ALU:
			switch (x->op) {
			case BPF_ADD:
				*d += s;
				break;
			case BPF_SUB:
				*d -= s;
				break;
			case BPF_XOR:
				*d ^= s;
				break;
			case BPF_MUL:
				*d *= s;
				break;
			case BPF_OR:
				*d |= s;
				break;
			case BPF_AND:
				*d &= s;
				break;
			case BPF_MOV:
				*d = s;
				break;
			}
			break;
		case RS_CALL:
			break;
		case RS_LOOP:
			for (int t = 0; t < x->times; t++)
				rs_exec(x->body, x->nbody, val);
			break;
		case RS_IF:
			if (val[x->cond] & 1)
				rs_exec(x->orelse, x->norelse, val);
			else
				rs_exec(x->body, x->nbody, val);
			break;
		}
	}
}

static void run_structured(uint64_t seed)
{
	struct ir_func *f = ir_func_new("structured");
	int n, v[48], junk, acc, nb;
	uint64_t val[48], want = 0;
	struct rs *prog;

	rng_state = seed * 7919;
	rs_ifs = 0;
	n = 3 + rnd(45);
	prog = rs_gen(n, 0, &nb);
	junk = ir_vreg_new(f);
	acc = ir_vreg_new(f);
	for (int i = 0; i < n; i++) {
		v[i] = ir_vreg_new(f);
		val[i] = 1 + rnd(1000000);
		ir_mov_imm(f, v[i], (int32_t)val[i]);
	}
	rs_emit(f, prog, nb, v, junk);
	rs_exec(prog, nb, val);
	ir_mov_imm(f, acc, 0);
	for (int i = 0; i < n; i++) {
		ir_alu_imm(f, BPF_MUL, acc, 31);
		ir_alu_reg(f, BPF_ADD, acc, v[i]);
		want = want * 31 + val[i];
	}
	ir_mov_reg(f, IR_R0, acc);
	ir_alu_imm(f, BPF_RSH, IR_R0, 32);
	ir_alu_reg(f, BPF_XOR, IR_R0, acc);
	ir_exit(f);
	rs_free(prog, nb);
	if (run_ir(f, NULL) != (uint32_t)(want ^ (want >> 32))) {
		fprintf(stderr, "structured program with seed %llu differs\n",
			(unsigned long long)seed);
		fail();
	}
}

static void test_run_structured(void **state)
{
	int seeds =
	    getenv("TEST_IR_SEEDS") ? atoi(getenv("TEST_IR_SEEDS")) : 60;

	for (int seed = 1; seed <= seeds; seed++)
		run_structured(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_alu),
	    cmocka_unit_test(test_encode_mem_ld64_call),
	    cmocka_unit_test(test_encode_jumps),
	    cmocka_unit_test(test_listing_format),
	    cmocka_unit_test(test_listing_lines),
	    cmocka_unit_test(test_error_stack),
	    cmocka_unit_test(test_error_jump_range),
	    cmocka_unit_test(test_error_unplaced_label),
	    cmocka_unit_test(test_error_bad_size),
	    cmocka_unit_test(test_run_arith),
	    cmocka_unit_test(test_run_loop),
	    cmocka_unit_test(test_run_pressure),
	    cmocka_unit_test(test_run_spill_slot_sharing),
	    cmocka_unit_test(test_run_map),
	    cmocka_unit_test(test_run_wide_spilled_pointer),
	    cmocka_unit_test(test_run_random),
	    cmocka_unit_test(test_run_structured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
