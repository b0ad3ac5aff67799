// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel-context strings: concatenation, sprintf with stap's conversions
 * (the kernel's bpf_snprintf has no precision, '#', '*', %o or %b, so the
 * formatting is our own code), strlen and the other string builtins.
 *
 * The verifier accepts a store at a variable offset only when it can prove
 * the bounds, and it explores every path separately: so the running length
 * of a string being built lives in a scratch slot (a load from a map value
 * is an unknown scalar: paths of different lengths converge there) and is
 * clamped to [0, MAXSTRINGLEN-1] each time it is read; buffers are twice
 * MAXSTRINGLEN so that one more piece always fits; the result is cut at
 * MAXSTRINGLEN-1 bytes with a NUL.
 */
#include "lower_int.h"

#include <string.h>

#include "../parser/diag.h"
#include "../runtime/printf_fmt.h"

static struct ir_func *F(struct lower *L)
{
	return L->f;
}

static int clamp_max(struct lower *L, int strmax)
{
	int m = lw_maxstr(L);

	return strmax <= 0 || strmax > m ? m : strmax;
}

/* The smallest 2^k - 1 >= hi. */
static int32_t mask_above(int32_t hi)
{
	int32_t m = 0;

	while (m < hi && m < INT32_MAX / 2)
		m = 2 * m + 1;
	return m;
}

/* Unsigned clamp of reg to [0, hi] in place (a negative value becomes
 * hi: callers only pass lengths that cannot be negative, or counts where a
 * negative one was already zeroed). */
static void clamp_reg(struct lower *L, int reg, int32_t hi)
{
	int ok = ir_label_new(F(L));

	ir_jcond_imm(F(L), BPF_JLE, reg, hi, ok);
	ir_mov_imm(F(L), reg, hi);
	ir_label_place(F(L), ok);
	/* The value is <= hi now; the mask changes nothing but tells older
	 * verifiers (6.1's) a bound when reg lives in a spill slot: they do
	 * not narrow the spilled copy on the branch above, and a fill would
	 * bring back the unbounded value of the path that jumped. */
	ir_alu_imm(F(L), BPF_AND, reg, mask_above(hi));
}

/* Zero when negative. */
static void floor0(struct lower *L, int reg)
{
	int ok = ir_label_new(F(L));

	ir_jcond_imm(F(L), BPF_JSGE, reg, 0, ok);
	ir_mov_imm(F(L), reg, 0);
	ir_label_place(F(L), ok);
}

/* ---- concatenation ---- */

struct val lower_str_cat(struct lower *L, struct val a, struct val b,
			 struct loc loc)
{
	int m = lw_maxstr(L);
	int A = (int)((clamp_max(L, a.strmax) + 7) & ~7);
	int B = clamp_max(L, b.strmax);
	uint32_t off = lw_scratch_alloc(L, (uint32_t)(A + B), loc);
	int buf = lw_scratch_ptr(L, off);
	int n = lw_vr(L), dst;

	lw_str_copy(L, buf, A, a.reg);
	/* length of a: its copy's size without the NUL */
	n = lw_call(L, BPF_FUNC_probe_read_kernel_str, buf, lw_imm(L, A),
		    a.reg, -1);
	ir_alu_imm(F(L), BPF_ADD, n, -1);
	floor0(L, n);
	clamp_reg(L, n, A - 1);
	dst = lw_vr(L);
	ir_mov_reg(F(L), dst, buf);
	ir_alu_reg(F(L), BPF_ADD, dst, n);
	lw_str_copy(L, dst, B, b.reg);
	if (A + B > m)
		ir_store_imm(F(L), 1, buf, (int16_t)(m - 1), 0);
	return (struct val){ .type = T_STRING, .reg = buf,
			     .strmax = A + B > m ? m : A + B };
}

/* ---- a string being built (sprintf) ---- */

enum { PAD_SPACE, PAD_ZERO, PAD_NUL, NPADS };

struct sbuf {
	int buf;	   /* vreg: 2 * MAXSTRINGLEN bytes of scratch */
	int slot;	   /* vreg: the 8-byte length slot */
	int pad[NPADS];	   /* vreg: MAXSTRINGLEN bytes of one char, or -1 */
	struct loc loc;
};

static void sb_init(struct lower *L, struct sbuf *sb, struct loc loc)
{
	int m = lw_maxstr(L);

	sb->loc = loc;
	sb->buf = lw_scratch_ptr(L, lw_scratch_alloc(L, 2 * m + 8, loc));
	sb->slot = lw_scratch_ptr(L, lw_scratch_alloc(L, 8, loc));
	ir_store_imm(F(L), 8, sb->slot, 0, 0);
	ir_store_imm(F(L), 1, sb->buf, 0, 0);
	for (int i = 0; i < NPADS; i++)
		sb->pad[i] = -1;
}

/* The current length, proven to be in [0, MAXSTRINGLEN-1]. */
static int sb_len(struct lower *L, struct sbuf *sb)
{
	int len = lw_vr(L);

	ir_load(F(L), 8, len, sb->slot, 0);
	clamp_reg(L, len, lw_maxstr(L) - 1);
	return len;
}

static void sb_grow(struct lower *L, struct sbuf *sb, int len, int n)
{
	int nl = lw_vr(L);

	ir_mov_reg(F(L), nl, len);
	ir_alu_reg(F(L), BPF_ADD, nl, n);
	ir_store_reg(F(L), 8, sb->slot, 0, nl);
}

static int sb_end(struct lower *L, struct sbuf *sb, int len)
{
	int p = lw_vr(L);

	ir_mov_reg(F(L), p, sb->buf);
	ir_alu_reg(F(L), BPF_ADD, p, len);
	return p;
}

/* Append the string at src (a buffer of size bytes). */
static void sb_add_str(struct lower *L, struct sbuf *sb, int src, int size)
{
	int len = sb_len(L, sb);
	int n = lw_call(L, BPF_FUNC_probe_read_kernel_str, sb_end(L, sb, len),
			lw_imm(L, clamp_max(L, size)), src, -1);

	ir_alu_imm(F(L), BPF_ADD, n, -1);
	floor0(L, n);
	sb_grow(L, sb, len, n);
}

/* Append n bytes from src; n is clamped to [0, MAXSTRINGLEN-1]. */
static void sb_add_bytes(struct lower *L, struct sbuf *sb, int src, int n)
{
	int len = sb_len(L, sb);
	int cnt = lw_vr(L);

	ir_mov_reg(F(L), cnt, n);
	floor0(L, cnt);
	clamp_reg(L, cnt, lw_maxstr(L) - 1);
	lw_call(L, BPF_FUNC_probe_read_kernel, sb_end(L, sb, len), cnt, src,
		-1);
	sb_grow(L, sb, len, cnt);
}

static void sb_add_char(struct lower *L, struct sbuf *sb, int c)
{
	int len = sb_len(L, sb);

	ir_store_reg(F(L), 1, sb_end(L, sb, len), 0, c);
	sb_grow(L, sb, len, lw_imm(L, 1));
}

static void sb_add_text(struct lower *L, struct sbuf *sb, const char *s,
			size_t n)
{
	struct val v;

	if (n == 1) {
		sb_add_char(L, sb, lw_imm(L, (uint8_t)s[0]));
		return;
	}
	v = lw_str_literal(L, s, (int64_t)n, sb->loc);
	sb_add_str(L, sb, v.reg, v.strmax);
}

/* Append count (a vreg, may be <= 0) copies of a pad character. */
static void sb_pad(struct lower *L, struct sbuf *sb, int which, int count)
{
	static const uint64_t fill[NPADS] = { 0x2020202020202020ull,
					      0x3030303030303030ull, 0 };
	int m = lw_maxstr(L);

	/* Filled at each use: a fill shared by the pads of one sprintf
	 * would have to dominate all of them. */
	{
		int p = lw_scratch_ptr(L, lw_scratch_alloc(L, m, sb->loc));
		int w = lw_vr(L);

		ir_ld_imm64(F(L), w, fill[which]);
		for (int i = 0; i + 8 <= ((m + 7) & ~7); i += 8)
			ir_store_reg(F(L), 8, p, (int16_t)i, w);
		sb->pad[which] = p;
	}
	sb_add_bytes(L, sb, sb->pad[which], count);
}

static struct val sb_finish(struct lower *L, struct sbuf *sb)
{
	int len = sb_len(L, sb);

	ir_store_imm(F(L), 1, sb_end(L, sb, len), 0, 0);
	return (struct val){ .type = T_STRING, .reg = sb->buf,
			     .strmax = lw_maxstr(L) };
}

/* ---- conversions ---- */

struct spec {
	bool left, zero, plus, space, alt;
	int width; /* vreg, or -1 for none */
	int prec;  /* vreg, or -1 for none */
};

/* Digits of num (unsigned) in base, into a 64-byte scratch area; returns
 * the vreg of the first digit's position (the digits run to offset 32). */
static int put_digits(struct lower *L, struct sbuf *sb, int num, int base,
		      bool upper, int tmp)
{
	int pos = lw_vr(L), d = lw_vr(L), p = lw_vr(L), v = lw_vr(L);
	int loop = ir_label_new(F(L)), letter = ir_label_new(F(L));
	int put = ir_label_new(F(L)), done = ir_label_new(F(L));
	int slot = lw_scratch_ptr(L, lw_scratch_alloc(L, 8, sb->loc));
	int res = lw_vr(L);

	ir_mov_reg(F(L), v, num);
	ir_mov_imm(F(L), pos, 32);
	ir_label_place(F(L), loop);
	ir_alu_imm(F(L), BPF_ADD, pos, -1);
	ir_mov_reg(F(L), d, v);
	ir_alu_imm(F(L), BPF_MOD, d, base);
	ir_alu_imm(F(L), BPF_DIV, v, base);
	ir_jcond_imm(F(L), BPF_JGE, d, 10, letter);
	ir_alu_imm(F(L), BPF_ADD, d, '0');
	ir_jmp(F(L), put);
	ir_label_place(F(L), letter);
	ir_alu_imm(F(L), BPF_ADD, d, (upper ? 'A' : 'a') - 10);
	ir_label_place(F(L), put);
	ir_mov_reg(F(L), p, tmp);
	ir_alu_reg(F(L), BPF_ADD, p, pos);
	ir_store_reg(F(L), 1, p, 0, d);
	ir_jcond_imm(F(L), BPF_JEQ, v, 0, done);
	ir_jcond_imm(F(L), BPF_JGT, pos, 0, loop);
	ir_label_place(F(L), done);
	/* Through memory: the paths of each digit count meet again. */
	ir_store_reg(F(L), 8, slot, 0, pos);
	ir_load(F(L), 8, res, slot, 0);
	clamp_reg(L, res, 31);
	return res;
}

static void conv_number(struct lower *L, struct sbuf *sb, int num, int base,
			bool is_signed, bool upper, const struct spec *sp)
{
	int tmp = lw_scratch_ptr(L, lw_scratch_alloc(L, 64, sb->loc));
	int u = lw_vr(L), size = lw_vr(L), sign = lw_vr(L), pos, ndig;
	int prec = lw_vr(L), t;
	bool zero = sp->zero && !sp->left;
	int altlen = sp->alt && base == 16 ? 2 : sp->alt && base == 8 ? 1 : 0;
	int nosign = ir_label_new(F(L)), l;

	ir_mov_reg(F(L), u, num);
	ir_mov_imm(F(L), sign, 0);
	if (sp->width >= 0)
		ir_mov_reg(F(L), size, sp->width);
	else
		ir_mov_imm(F(L), size, -1);
	if (is_signed) {
		int pos_l = ir_label_new(F(L));

		ir_jcond_imm(F(L), BPF_JSGE, u, 0, pos_l);
		ir_alu_imm(F(L), BPF_NEG, u, 0);
		ir_mov_imm(F(L), sign, '-');
		ir_jmp(F(L), nosign);
		ir_label_place(F(L), pos_l);
		if (sp->plus)
			ir_mov_imm(F(L), sign, '+');
		else if (sp->space)
			ir_mov_imm(F(L), sign, ' ');
	}
	ir_label_place(F(L), nosign);
	l = ir_label_new(F(L));
	ir_jcond_imm(F(L), BPF_JEQ, sign, 0, l);
	ir_alu_imm(F(L), BPF_ADD, size, -1);
	ir_label_place(F(L), l);
	if (altlen)
		ir_alu_imm(F(L), BPF_ADD, size, -altlen);
	pos = put_digits(L, sb, u, base, upper, tmp);
	ndig = lw_vr(L);
	ir_mov_imm(F(L), ndig, 32);
	ir_alu_reg(F(L), BPF_SUB, ndig, pos);
	/* prec = max(prec, ndig) */
	if (sp->prec >= 0)
		ir_mov_reg(F(L), prec, sp->prec);
	else
		ir_mov_imm(F(L), prec, -1);
	l = ir_label_new(F(L));
	ir_jcond_reg(F(L), BPF_JSGE, prec, ndig, l);
	ir_mov_reg(F(L), prec, ndig);
	ir_label_place(F(L), l);
	ir_alu_reg(F(L), BPF_SUB, size, prec);
	if (!zero && !sp->left) {
		sb_pad(L, sb, PAD_SPACE, size);
		floor0(L, size);
		ir_mov_imm(F(L), size, 0);
	}
	l = ir_label_new(F(L));
	ir_jcond_imm(F(L), BPF_JEQ, sign, 0, l);
	sb_add_char(L, sb, sign);
	ir_label_place(F(L), l);
	if (altlen == 2)
		sb_add_text(L, sb, upper ? "0X" : "0x", 2);
	else if (altlen == 1)
		sb_add_char(L, sb, lw_imm(L, '0'));
	if (zero) {
		sb_pad(L, sb, PAD_ZERO, size);
		ir_mov_imm(F(L), size, 0);
	}
	t = lw_vr(L);
	ir_mov_reg(F(L), t, prec);
	ir_alu_reg(F(L), BPF_SUB, t, ndig);
	sb_pad(L, sb, PAD_ZERO, t);
	{
		int src = lw_vr(L);

		ir_mov_reg(F(L), src, tmp);
		ir_alu_reg(F(L), BPF_ADD, src, pos);
		sb_add_bytes(L, sb, src, ndig);
	}
	if (sp->left)
		sb_pad(L, sb, PAD_SPACE, size);
}

static void conv_string(struct lower *L, struct sbuf *sb, struct val s,
			const struct spec *sp)
{
	int m = lw_maxstr(L);
	int tmp, n, pad;

	if (sp->width < 0 && sp->prec < 0) {
		sb_add_str(L, sb, s.reg, s.strmax);
	} else {
		tmp = lw_scratch_ptr(L, lw_scratch_alloc(L, m, sb->loc));
		n = lw_call(L, BPF_FUNC_probe_read_kernel_str, tmp,
			    lw_imm(L, clamp_max(L, s.strmax)), s.reg, -1);
		ir_alu_imm(F(L), BPF_ADD, n, -1);
		floor0(L, n);
		if (sp->prec >= 0) {
			int l = ir_label_new(F(L));

			ir_jcond_reg(F(L), BPF_JLE, n, sp->prec, l);
			ir_mov_reg(F(L), n, sp->prec);
			ir_label_place(F(L), l);
		}
		pad = lw_vr(L);
		if (sp->width >= 0)
			ir_mov_reg(F(L), pad, sp->width);
		else
			ir_mov_imm(F(L), pad, 0);
		ir_alu_reg(F(L), BPF_SUB, pad, n);
		if (!sp->left)
			sb_pad(L, sb, PAD_SPACE, pad);
		sb_add_bytes(L, sb, tmp, n);
		if (sp->left)
			sb_pad(L, sb, PAD_SPACE, pad);
	}
	if (sp->zero)
		sb_add_char(L, sb, lw_imm(L, 0));
}

static void conv_char(struct lower *L, struct sbuf *sb, int c,
		      const struct spec *sp)
{
	int pad = lw_vr(L);

	if (sp->width >= 0)
		ir_mov_reg(F(L), pad, sp->width);
	else
		ir_mov_imm(F(L), pad, 0);
	ir_alu_imm(F(L), BPF_ADD, pad, -1);
	if (!sp->left)
		sb_pad(L, sb, PAD_SPACE, pad);
	sb_add_char(L, sb, c);
	if (sp->left)
		sb_pad(L, sb, PAD_SPACE, pad);
}

static int binary_size(int n)
{
	return (n == 1 || n == 2 || n == 4 || n == 8) ? n : -1;
}

static void conv_binary(struct lower *L, struct sbuf *sb, int v, int width,
			int prec)
{
	int nbytes = binary_size(prec);
	int tmp = lw_scratch_ptr(L, lw_scratch_alloc(L, 8, sb->loc));

	if (width < 0) {
		if (nbytes < 0)
			nbytes = 8;
		width = nbytes;
	} else if (nbytes < 0) {
		nbytes = binary_size(width);
		if (nbytes < 0)
			nbytes = 8;
	}
	ir_store_reg(F(L), 8, tmp, 0, v);
	/* NUL padding ends the string there, as in user context */
	if (width > nbytes)
		sb_pad(L, sb, PAD_NUL, lw_imm(L, width - nbytes));
	sb_add_bytes(L, sb, tmp, lw_imm(L, nbytes));
}

/* A literal '*' width or precision value, clamped like fmt_clamp. */
static int star_value(struct lower *L, int reg, bool *left, bool is_width)
{
	int r = lw_vr(L), ok = ir_label_new(F(L));

	ir_mov_reg(F(L), r, reg);
	if (is_width) {
		/* negative: left-justify with the absolute value; the flag is
		 * then a runtime value, which we do not track: such widths
		 * are rejected at compile time instead (see below). */
	}
	ir_jcond_imm(F(L), BPF_JSGE, r, 0, ok);
	ir_mov_imm(F(L), r, 0);
	ir_label_place(F(L), ok);
	clamp_reg(L, r, FMT_MAX_WIDTH);
	(void)left;
	return r;
}

struct val lower_sprintf(struct lower *L, struct node *e)
{
	struct node *fa = e->args, *a;
	struct fmt f;
	const char *err;
	int errpos;
	struct sbuf sb;

	if (!fa || fa->kind != E_STR) {
		lw_fail(L, e, "a sprintf format that is not a literal string",
			"write the format as a string literal");
		return lw_str_literal(L, "", 0, e->loc);
	}
	if (fmt_parse(fa->str, &f, &err, &errpos) < 0) {
		diag_report("semantic error", fa->loc, "bad format: %s", err);
		L->errors++;
		return lw_str_literal(L, "", 0, e->loc);
	}
	sb_init(L, &sb, e->loc);
	a = fa->next;
	for (int i = 0; i < f.nsegs; i++) {
		const struct fmt_seg *sg = &f.segs[i];
		struct spec sp = { .left = sg->left, .zero = sg->zero,
				   .plus = sg->plus, .space = sg->space,
				   .alt = sg->alt, .width = -1, .prec = -1 };
		struct val v;

		if (sg->conv == FMT_LITERAL) {
			if (sg->textlen)
				sb_add_text(L, &sb, sg->text, sg->textlen);
			continue;
		}
		if (sg->conv == FMT_BINARY && (sg->width == -2 || sg->prec == -2)) {
			lw_fail(L, fa, "'*' with %b", NULL);
			break;
		}
		if ((sg->conv == FMT_STRING || sg->conv == FMT_CHAR) && sg->alt &&
		    sg->prec != -1) {
			lw_fail(L, fa, "a precision with '#' on %s or %c",
				"format it in an end or timer probe");
			break;
		}
		if (sg->width == -2) {
			if (!a)
				break;
			if (a->kind == E_NUM && a->num < 0) {
				sp.left = true;
				sp.width = lw_imm(L, a->num == INT64_MIN
							     ? FMT_MAX_WIDTH
							     : -a->num);
			} else {
				struct val w = lw_expr(L, a);
				int neg = ir_label_new(F(L));
				int wr = lw_vr(L);

				/* A negative width from a run-time value
				 * left-justifies; we take its absolute value
				 * but keep right justification only when it
				 * is not negative. */
				ir_mov_reg(F(L), wr, w.reg);
				ir_jcond_imm(F(L), BPF_JSGE, wr, 0, neg);
				if (!sp.left) {
					lw_emit_error(L, a->loc,
						      "negative '*' width is not "
						      "supported in kernel-context "
						      "sprintf");
				}
				ir_label_place(F(L), neg);
				sp.width = star_value(L, wr, &sp.left, true);
			}
			a = a->next;
		} else if (sg->width >= 0) {
			sp.width = lw_imm(L, sg->width);
		}
		if (sg->prec == -2) {
			if (!a)
				break;
			sp.prec = star_value(L, lw_expr(L, a).reg, NULL, false);
			a = a->next;
		} else if (sg->prec >= 0) {
			sp.prec = lw_imm(L, sg->prec);
		}
		if (!a)
			break;
		v = lw_expr(L, a);
		a = a->next;
		switch (sg->conv) {
		case FMT_SIGNED:
			conv_number(L, &sb, v.reg, 10, true, false, &sp);
			break;
		case FMT_UNSIGNED:
			conv_number(L, &sb, v.reg, 10, false, false, &sp);
			break;
		case FMT_OCTAL:
			conv_number(L, &sb, v.reg, 8, false, false, &sp);
			break;
		case FMT_HEX:
			conv_number(L, &sb, v.reg, 16, false, false, &sp);
			break;
		case FMT_HEX_UPPER:
			conv_number(L, &sb, v.reg, 16, false, true, &sp);
			break;
		case FMT_POINTER:
			sp.alt = true;
			conv_number(L, &sb, v.reg, 16, false, false, &sp);
			break;
		case FMT_STRING:
			if (v.type != T_STRING) {
				lw_fail(L, a ? a : fa, "%s of a number", NULL);
				break;
			}
			/* '#': C escapes (lower_escape.c), then as %s */
			if (sp.alt) {
				v = lower_str_escape(L, v, fa->loc);
				sp.alt = false;
			}
			conv_string(L, &sb, v, &sp);
			break;
		case FMT_CHAR:
			if (sp.alt) {
				int one = lw_scratch_ptr(
					L, lw_scratch_alloc(L, 8, fa->loc));

				ir_store_reg(F(L), 1, one, 0, v.reg);
				ir_store_imm(F(L), 1, one, 1, 0);
				v = lower_str_escape(
					L,
					(struct val){ .type = T_STRING,
						      .reg = one,
						      .strmax = 2 },
					fa->loc);
				sp.alt = false;
				conv_string(L, &sb, v, &sp);
				break;
			}
			conv_char(L, &sb, v.reg, &sp);
			break;
		case FMT_BINARY:
			conv_binary(L, &sb, v.reg, sg->width, sg->prec);
			break;
		default:
			lw_fail(L, fa, "this conversion", NULL);
			break;
		}
	}
	fmt_free(&f);
	return sb_finish(L, &sb);
}

/* strlen: the length of a copy, as the string is NUL-terminated within
 * its buffer. */
static struct val lower_strlen(struct lower *L, struct node *e)
{
	struct val s = lw_expr(L, e->args);
	int m = clamp_max(L, s.strmax);
	int tmp = lw_scratch_ptr(L, lw_scratch_alloc(L, m, e->loc));
	int n = lw_call(L, BPF_FUNC_probe_read_kernel_str, tmp, lw_imm(L, m),
			s.reg, -1);

	ir_alu_imm(F(L), BPF_ADD, n, -1);
	floor0(L, n);
	return (struct val){ .type = T_LONG, .reg = n };
}

bool lower_builtin_more(struct lower *L, struct node *e, struct val *out)
{
	switch (e->op) {
	case BI_STRLEN:
		*out = lower_strlen(L, e);
		return true;
	case BI_SPRINTF:
		*out = lower_sprintf(L, e);
		return true;
	case BI_SPRINT: {
		struct val v = lw_expr(L, e->args);
		struct sbuf sb;
		struct spec sp = { .width = -1, .prec = -1 };

		if (v.type == T_STRING) {
			*out = v;
			return true;
		}
		sb_init(L, &sb, e->loc);
		conv_number(L, &sb, v.reg, 10, true, false, &sp);
		*out = sb_finish(L, &sb);
		return true;
	}
	case BI_ERROR: {
		struct val v = lw_expr(L, e->args);

		lower_error_call(L, e, v);
		*out = (struct val){ .type = T_VOID, .reg = lw_imm(L, 0) };
		return true;
	}
	default:
		return false;
	}
}
