// SPDX-License-Identifier: GPL-2.0-or-later
/* AST constructors and small helpers shared by every pass. */
#include "parser/ast.h"

#include <stdlib.h>
#include <string.h>

struct node *ast_node_new(enum node_kind kind, struct loc loc)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->kind = kind;
	n->loc = loc;
	return n;
}

/* Appends in O(length); lists are short (arguments, statements of one
 * block), and keeping only a head pointer keeps struct node simple. */
struct node *ast_list_append(struct node *head, struct node *item)
{
	struct node *p;

	if (!head)
		return item;
	for (p = head; p->next; p = p->next)
		;
	p->next = item;
	return head;
}

int ast_list_length(const struct node *head)
{
	int n = 0;

	for (; head; head = head->next)
		n++;
	return n;
}

/* Interned strings live in a simple chained hash table; file names and
 * identifiers repeat a lot across tapsets. */
#define INTERN_BUCKETS 4096

struct interned {
	struct interned *next;
	char s[];
};

static struct interned *intern_table[INTERN_BUCKETS];

const char *ast_intern(const char *s)
{
	unsigned h = 5381;
	struct interned *e;
	size_t len;

	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		h = h * 33 + (unsigned char)*p;
	h %= INTERN_BUCKETS;
	for (e = intern_table[h]; e; e = e->next)
		if (strcmp(e->s, s) == 0)
			return e->s;
	len = strlen(s);
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		abort();
	memcpy(e->s, s, len + 1);
	e->next = intern_table[h];
	intern_table[h] = e;
	return e->s;
}

const char *ast_op_str(int op)
{
	switch ((enum op)op) {
	case OP_NONE: return "";
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_MOD: return "%";
	case OP_SHL: return "<<";
	case OP_SHR: return ">>";
	case OP_USHR: return ">>>";
	case OP_BAND: return "&";
	case OP_BOR: return "|";
	case OP_BXOR: return "^";
	case OP_LAND: return "&&";
	case OP_LOR: return "||";
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	case OP_CAT: return ".";
	case OP_MATCH: return "=~";
	case OP_NMATCH: return "!~";
	case OP_NEG: return "-";
	case OP_NOT: return "!";
	case OP_BNOT: return "~";
	case OP_PLUS: return "+";
	case OP_PREINC: return "++";
	case OP_PREDEC: return "--";
	case OP_POSTINC: return "++";
	case OP_POSTDEC: return "--";
	case OP_ASSIGN: return "=";
	case OP_ADD_ASSIGN: return "+=";
	case OP_SUB_ASSIGN: return "-=";
	case OP_MUL_ASSIGN: return "*=";
	case OP_DIV_ASSIGN: return "/=";
	case OP_MOD_ASSIGN: return "%=";
	case OP_SHL_ASSIGN: return "<<=";
	case OP_SHR_ASSIGN: return ">>=";
	case OP_USHR_ASSIGN: return ">>>=";
	case OP_BAND_ASSIGN: return "&=";
	case OP_BOR_ASSIGN: return "|=";
	case OP_BXOR_ASSIGN: return "^=";
	case OP_CAT_ASSIGN: return ".=";
	case OP_AGG: return "<<<";
	case OP_ADDR: return "&";
	}
	return "?";
}

const char *ast_statop_str(int statop)
{
	switch ((enum statop)statop) {
	case STAT_NONE: return "";
	case STAT_COUNT: return "count";
	case STAT_SUM: return "sum";
	case STAT_MIN: return "min";
	case STAT_MAX: return "max";
	case STAT_AVG: return "avg";
	case STAT_VARIANCE: return "variance";
	case STAT_HIST_LOG: return "hist_log";
	case STAT_HIST_LINEAR: return "hist_linear";
	}
	return "?";
}

int ast_assign_binop(int op)
{
	switch (op) {
	case OP_ADD_ASSIGN: return OP_ADD;
	case OP_SUB_ASSIGN: return OP_SUB;
	case OP_MUL_ASSIGN: return OP_MUL;
	case OP_DIV_ASSIGN: return OP_DIV;
	case OP_MOD_ASSIGN: return OP_MOD;
	case OP_SHL_ASSIGN: return OP_SHL;
	case OP_SHR_ASSIGN: return OP_SHR;
	case OP_USHR_ASSIGN: return OP_USHR;
	case OP_BAND_ASSIGN: return OP_BAND;
	case OP_BOR_ASSIGN: return OP_BOR;
	case OP_BXOR_ASSIGN: return OP_BXOR;
	default: return OP_NONE;
	}
}
