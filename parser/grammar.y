/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stap grammar. Expression levels mirror stap's recursive descent
 * parser (parse.cxx) one nonterminal per level, so precedence and
 * associativity match it exactly, including where 'in', '=~' and '.'
 * bind. Statements need no separator (as in stap), which leaves
 * shift/reduce conflicts that bison resolves by shifting: the parser is
 * greedy, like stap's.
 */
%code top {
#include <config.h>
}

%code requires {
#include "parser/ast.h"
#include "parser/token.h"
struct parse_ctx;
struct nlist {
	struct node *head, *tail;
	int n;
	int pretty; /* target chains: '$'s of a pretty-print suffix */
};
struct pplist {
	struct probe_point *head, *tail;
};
struct fe_head {
	struct node *value;
	struct nlist keys;
	bool bracketed;
	int sort_dir, sort_key;
	struct loc dup_sort; /* where a second sort directive was, or line 0 */
};
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                          \
	do {                                                                 \
		if (N)                                                       \
			(Cur) = YYRHSLOC(Rhs, 1);                            \
		else                                                         \
			(Cur) = YYRHSLOC(Rhs, 0);                            \
	} while (0)
}

%code provides {
int etapyylex(ETAPYYSTYPE *lval, struct loc *lloc, struct parse_ctx *ctx);
}

%code {
/* The feeder caps nesting and operators per statement; let the parser
 * stack grow far enough for those limits to be what stops a parse. */
#define YYMAXDEPTH 200000
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser/diag.h"
#include "parser/parse_ctx.h"
#include "parser/parser.h"

static struct node *mk(enum node_kind k, struct loc l)
{
	return ast_node_new(k, l);
}

static char *istr(const char *s)
{
	return (char *)ast_intern(s);
}

static struct nlist nl_one(struct node *n)
{
	struct nlist l = { n, n, 1, 0 };

	return l;
}

static struct nlist nl_add(struct nlist l, struct node *n)
{
	if (!l.head)
		return nl_one(n);
	l.tail->next = n;
	l.tail = n;
	l.n++;
	return l;
}

static struct node *bin(enum node_kind k, int op, struct node *a,
			struct node *b, struct loc l)
{
	struct node *n = mk(k, l);

	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

static struct node *un(enum node_kind k, int op, struct node *a, struct loc l)
{
	struct node *n = mk(k, l);

	n->op = op;
	n->a = a;
	return n;
}

static void perr(struct loc l, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	diag_report("parse error", l, "%s", msg);
}

/* "bar$" after '->' asks for pretty printing; split it off. */
static int strip_dollars(char *s)
{
	size_t n = strlen(s);
	int k = 0;

	while (n > 0 && s[n - 1] == '$') {
		s[--n] = '\0';
		k++;
	}
	return k;
}

static void set_pretty(struct node *n, int k, struct loc l)
{
	if (k > 2) {
		perr(l, "%s", "too many '$' in a pretty-print suffix");
		k = 2;
	}
	n->op = k ? 1 : 0;
	n->num = k;
}


static struct node *num_node(const struct token *t, bool neg, struct loc l)
{
	struct node *n = mk(E_NUM, l);

	/* Unsigned negation: wraps like stap instead of overflowing. */
	n->num = neg ? (int64_t)(0 - (uint64_t)t->num) : t->num;
	return n;
}

static struct node *str_node(const struct token *t, struct loc l)
{
	struct node *n = mk(E_STR, l);

	n->str = t->text;
	n->num = t->len;
	return n;
}

/* Adjacent string literals concatenate ("a" "b"), as in stap. */
static struct node *str_concat(struct node *s, const struct token *t)
{
	char *p = malloc((size_t)(s->num + t->len + 1));

	if (!p)
		abort();
	memcpy(p, s->str, (size_t)s->num);
	memcpy(p + s->num, t->text, (size_t)t->len);
	p[s->num + t->len] = '\0';
	s->str = p;
	s->num += t->len;
	return s;
}

static struct pp_comp *comp_new(const char *name)
{
	struct pp_comp *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->name = istr(name);
	return c;
}

static char *comp_glue(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (!s)
		abort();
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

/* {a,b.c} is kept verbatim (in canonical spelling) as one component
 * name; the semantic pass expands it. */
static char *brace_name(struct probe_point *pps)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fputc('{', f);
	for (struct probe_point *p = pps; p; p = p->next) {
		ast_print_probe_point(f, p);
		if (p->next)
			fputc(',', f);
	}
	fputc('}', f);
	fclose(f);
	return buf;
}

static void add_probe(struct parse_ctx *ctx, struct probe *p, bool alias)
{
	struct probe ***tail = alias ? &ctx->alias_tail : &ctx->probe_tail;

	**tail = p;
	*tail = &p->next;
	ctx->last_probe = p;
}

static void add_global(struct parse_ctx *ctx, struct global *g)
{
	*ctx->global_tail = g;
	ctx->global_tail = &g->next;
}

static void set_fe_sort(struct fe_head *h, int dir, int key, struct loc l)
{
	if (!dir)
		return;
	if (h->sort_dir)
		h->dup_sort = l;
	h->sort_dir = dir;
	h->sort_key = key;
}

static void etapyyerror(struct loc *l, struct parse_ctx *ctx, const char *msg);
}

%define api.pure full
%define api.prefix {etapyy}
%define api.token.prefix {TOK_}
%define api.location.type {struct loc}
%define parse.error custom
%locations
%param {struct parse_ctx *ctx}
%expect 45


%union {
	const struct token *tok;
	struct node *node;
	struct nlist list;
	struct pplist pps;
	struct probe_point *pp;
	struct pp_comp *comp;
	struct param *param;
	struct global *global;
	struct probe *probe;
	struct fe_head fe;
	int ival;
	char *name;
}

%token <tok> IDENT "identifier" NUMBER "number" STRING "string"
%token <tok> EMBEDDED "'%{ %}' code"
%token <tok> TARGET "$variable" DOLLARS "$$vars" PPRINT "'$'"
%token <tok> ARG "$N" ARG_STR "@N" ARGC "$#" ARGC_STR "@#"
%token <tok> AT_CAST "@cast" AT_VAR "@var" AT_DEFINED "@defined"
%token <tok> AT_ENTRY "@entry" AT_CHOOSE "@choose_defined"
%token <tok> AT_STAT "statistical operator" AT_HIST "histogram"
%token <tok> AT_DEFINE "@define" AT_MACRO "macro"
%token <tok> PROBE "'probe'" GLOBAL "'global'" PRIVATE "'private'"
%token <tok> FUNCTION "'function'" IF "'if'" ELSE "'else'" FOR "'for'"
%token <tok> FOREACH "'foreach'" IN "'in'" LIMIT "'limit'"
%token <tok> RETURN "'return'" DELETE "'delete'" WHILE "'while'"
%token <tok> BREAK "'break'" CONTINUE "'continue'" NEXT "'next'"
%token <tok> STRING_KW "'string'" LONG_KW "'long'" TRY "'try'"
%token <tok> CATCH "'catch'"
%token <tok> ASSIGNOP "assignment operator" ADD_ASSIGN "'+='"
%token <tok> OROR "'||'" ANDAND "'&&'" EQ "'=='" NE "'!='" LE "'<='"
%token <tok> GE "'>='" MATCH "'=~'" NMATCH "'!~'" SHL "'<<'" SHR "'>>'"
%token <tok> USHR "'>>>'" INC "'++'" DEC "'--'" ARROW "'->'"
%token <tok> PP_IF "'%('" PP_THEN "'%?'" PP_ELSE "'%:'" PP_END "'%)'"

%precedence LOWER_THAN_ELSE
%precedence ELSE

%type <node> expr ternary lor land bor bxor band inexpr cmp cmpc shift cat
%type <node> add mul unary crement dvalue value target hist_op indexable
%type <node> strings literal index_item index_item_in call_arg block stmt simple_stmt
%type <node> opt_expr pp_cond fe_limit fbody signed_num foreach
%type <list> stmts index_list call_args in_keys opt_slice
%type <list> chain
%type <ival> assignop cmpop opt_sort opt_type opt_pprint fe_sort
%type <pps> pp_list alias_head
%type <pp> pp
%type <comp> comps comp
%type <name> comp_name member
%type <tok> comp_first comp_word kw_noif
%type <param> params param_list param
%type <global> global_item global_list
%type <fe> fe_head fe_keys fe_keylist
%type <ival> pp_suffix opt_wrap
%type <node> opt_init
%type <tok> opt_size fname

%%

script:
	  %empty
	| script decl
	;

decl:
	  probe_decl
	| PRIVATE probe_decl
		{ if (ctx->last_probe) ctx->last_probe->is_private = true; }
	| GLOBAL global_list opt_semi
	| PRIVATE GLOBAL global_list opt_semi
		{ for (struct global *g = $3; g; g = g->next)
			g->is_private = true; }
	| PRIVATE global_list opt_semi
		{ for (struct global *g = $2; g; g = g->next)
			g->is_private = true; }
	| function_decl
	| PRIVATE function_decl
		{ if (ctx->last_function)
			ctx->last_function->is_private = true; }
	| EMBEDDED
		{ struct node *n = mk(S_EMBEDDED, @1);
		  n->str = $1->text;
		  *ctx->embedded_tail = n;
		  ctx->embedded_tail = &n->next; }
	| error
	;

opt_semi:
	  %empty
	| ';'
	;

/* ---- probes ---- */

probe_decl:
	  PROBE pp_list block
		{ struct probe *p = calloc(1, sizeof(*p));
		  if (!p) abort();
		  p->loc = @1;
		  p->points = $2.head;
		  p->body = $3;
		  add_probe(ctx, p, false); }
	| PROBE alias_head pp_list block
		{ struct probe *p = calloc(1, sizeof(*p));
		  if (!p) abort();
		  p->loc = @1;
		  p->points = $2.head;
		  p->targets = $3.head;
		  p->body = $4;
		  p->alias = ALIAS_PROLOGUE;
		  /* the alias kind rides on the names' `sufficient` bit
		   * until here, see alias_head */
		  for (struct probe_point *a = $2.head; a; a = a->next)
			if (a->sufficient) {
				p->alias = ALIAS_EPILOGUE;
				a->sufficient = false;
			}
		  add_probe(ctx, p, true); }
	;

alias_head:
	  pp '='		{ $$.head = $$.tail = $1; }
	| pp ADD_ASSIGN		{ $$.head = $$.tail = $1; $1->sufficient = true; }
	| alias_head pp '='	{ $$ = $1; $$.tail->next = $2; $$.tail = $2; }
	| alias_head pp ADD_ASSIGN
		{ $$ = $1; $$.tail->next = $2; $$.tail = $2;
		  $2->sufficient = true; }
	;

pp_list:
	  pp			{ $$.head = $$.tail = $1; }
	| pp_list ',' pp	{ $$ = $1; $$.tail->next = $3; $$.tail = $3; }
	;

pp:
	  comps pp_suffix pp_cond
		{ $$ = calloc(1, sizeof(*$$));
		  if (!$$) abort();
		  $$->loc = @1;
		  $$->comps = $1;
		  $$->optional = $2 != 0;
		  $$->sufficient = $2 == 2;
		  $$->cond = $3; }
	;

pp_suffix:
	  %empty		{ $$ = 0; }
	| '?'			{ $$ = 1; }
	| '!'			{ $$ = 2; }
	;

pp_cond:
	  %empty		{ $$ = NULL; }
	| IF '(' expr ')'	{ $$ = $3; }
	;

comps:
	  comp
	| comps '.' comp
		{ struct pp_comp *c = $1;
		  while (c->next) c = c->next;
		  c->next = $3;
		  $$ = $1; }
	;

comp:
	  comp_name		{ $$ = comp_new($1); }
	| comp_name '(' literal ')'
		{ $$ = comp_new($1); $$->arg = $3; $$->has_arg = true; }
	| '{' pp_list '}'	{ $$ = comp_new(brace_name($2.head)); }
	;

comp_name:
	  comp_first		{ $$ = $1->text; }
	| comp_name comp_word
		{ if ($2->space_before)
			perr(@2, "unexpected %s in a probe point; components "
			     "are joined with '.', points with ','",
			     $2->text);
		  $$ = comp_glue($1, $2->text); }
	;

/* A component is glued from adjacent words and '*' (sys_*, **); 'if'
 * after a name starts a condition, so it can only come first. */
comp_first:
	  comp_word
	| IF
	;

comp_word:
	  IDENT
	| '*'			{ $$ = $<tok>1; }
	| kw_noif
	;

literal:
	  strings
	| signed_num
	;

signed_num:
	  NUMBER		{ $$ = num_node($1, false, @1); }
	| '-' NUMBER		{ $$ = num_node($2, true, @1); }
	;

strings:
	  STRING		{ $$ = str_node($1, @1); }
	| strings STRING	{ $$ = str_concat($1, $2); }
	;

/* ---- globals ---- */

global_list:
	  global_item
		{ $$ = $1; add_global(ctx, $1); }
	| global_list ',' global_item
		{ $$ = $1; add_global(ctx, $3); }
	;

global_item:
	  IDENT opt_wrap opt_size opt_init
		{ $$ = calloc(1, sizeof(*$$));
		  if (!$$) abort();
		  $$->loc = @1;
		  $$->name = $1->text;
		  $$->wrap = $2 != 0;
		  if ($3) {
			$$->size = $3->num;
			if ($3->op) $$->wrap = true;
			if ($3->num <= 0 || $3->num > 0x7fffffff)
				perr(@3, "%s", "array size out of range");
		  }
		  $$->init = $4;
		  if ($4 && $3)
			perr(@4, "%s", "only scalar globals can be initialized"); }
	;

opt_wrap:
	  %empty	{ $$ = 0; }
	| '%'		{ $$ = 1; }
	;

/* [N] or [N%]; the token's op field carries the '%' */
opt_size:
	  %empty		{ $$ = NULL; }
	| '[' NUMBER ']'	{ $$ = $2; }
	| '[' NUMBER '%' ']'
		{ struct token *t = malloc(sizeof(*t));
		  if (!t) abort();
		  *t = *$2;
		  t->op = 1;
		  $$ = t; }
	;

opt_init:
	  %empty		{ $$ = NULL; }
	| '=' literal		{ $$ = $2; }
	;

/* ---- functions ---- */

function_decl:
	  FUNCTION fname opt_type '(' params ')' fbody
		{ struct function *f = calloc(1, sizeof(*f));
		  if (!f) abort();
		  f->loc = @2;
		  f->name = $2->text;
		  f->ret = $3;
		  f->params = $5;
		  for (struct param *p = $5; p; p = p->next) f->nparams++;
		  f->body = $7;
		  ctx->last_function = f;
		  *ctx->function_tail = f;
		  ctx->function_tail = &f->next; }
	| FUNCTION fname opt_type '(' params ')' ':' signed_num fbody
		{ struct function *f = calloc(1, sizeof(*f));
		  if (!f) abort();
		  f->loc = @2;
		  f->name = $2->text;
		  f->ret = $3;
		  f->params = $5;
		  for (struct param *p = $5; p; p = p->next) f->nparams++;
		  f->priority = $8->num;
		  if ($8->num < 1)
			perr(@8, "%s", "function priority must be > 0");
		  f->body = $9;
		  ctx->last_function = f;
		  *ctx->function_tail = f;
		  ctx->function_tail = &f->next; }
	;

fname:
	  IDENT | STRING_KW | LONG_KW
	;

fbody:
	  block
	| EMBEDDED		{ $$ = mk(S_EMBEDDED, @1); $$->str = $1->text; }
	;

opt_type:
	  %empty		{ $$ = T_UNKNOWN; }
	| ':' STRING_KW		{ $$ = T_STRING; }
	| ':' LONG_KW		{ $$ = T_LONG; }
	;

params:
	  %empty		{ $$ = NULL; }
	| param_list
	;

param_list:
	  param
	| param_list ',' param
		{ struct param *p = $1;
		  while (p->next) p = p->next;
		  for (struct param *q = $1; q; q = q->next)
			if (strcmp(q->name, $3->name) == 0)
				perr($3->loc, "duplicate parameter '%s'",
				     $3->name);
		  p->next = $3;
		  $$ = $1; }
	;

param:
	  IDENT opt_type
		{ $$ = calloc(1, sizeof(*$$));
		  if (!$$) abort();
		  $$->loc = @1;
		  $$->name = $1->text;
		  $$->type = $2; }
	;

/* ---- statements ---- */

block:
	  '{' stmts '}'
		{ $$ = mk(S_BLOCK, @1);
		  $$->args = $2.head;
		  $$->nargs = $2.n; }
	;

stmts:
	  %empty		{ $$.head = $$.tail = NULL; $$.n = 0; }
	| stmts stmt		{ $$ = $2 ? nl_add($1, $2) : $1; }
	;

stmt:
	  block
	| ';'			{ $$ = mk(S_NULL, @1); }
	| IF '(' expr ')' stmt %prec LOWER_THAN_ELSE
		{ $$ = mk(S_IF, @1); $$->a = $3; $$->b = $5; }
	| IF '(' expr ')' stmt ELSE stmt
		{ $$ = mk(S_IF, @1); $$->a = $3; $$->b = $5; $$->c = $7; }
	| WHILE '(' expr ')' stmt
		{ $$ = mk(S_WHILE, @1); $$->a = $3; $$->b = $5; }
	| FOR '(' opt_expr ';' opt_expr ';' opt_expr ')' stmt
		{ $$ = mk(S_FOR, @1);
		  $$->a = $3; $$->b = $5; $$->c = $7; $$->d = $9; }
	| foreach
	| TRY block CATCH block
		{ $$ = mk(S_TRY, @1); $$->a = $2; $$->b = $4; }
	| TRY block CATCH '(' IDENT ')' block
		{ $$ = mk(S_TRY, @1); $$->a = $2; $$->b = $7;
		  $$->str = $5->text; }
	| simple_stmt
	| simple_stmt ';'
	| error			{ $$ = NULL; }
	;

simple_stmt:
	  expr
		{ if ($1->kind == E_EMBEDDED) {
			$$ = $1;
			$$->kind = S_EMBEDDED;
		  } else {
			$$ = mk(S_EXPR, @1);
			$$->a = $1;
		  } }
	| RETURN		{ $$ = mk(S_RETURN, @1); }
	| RETURN expr		{ $$ = mk(S_RETURN, @1); $$->a = $2; }
	| DELETE expr		{ $$ = mk(S_DELETE, @1); $$->a = $2; }
	| BREAK			{ $$ = mk(S_BREAK, @1); }
	| CONTINUE		{ $$ = mk(S_CONTINUE, @1); }
	| NEXT			{ $$ = mk(S_NEXT, @1); }
	;

opt_expr:
	  %empty		{ $$ = NULL; }
	| expr
	;

foreach:
	  FOREACH '(' fe_head IN indexable opt_slice fe_sort fe_limit ')' stmt
		{ struct foreach_info *fe = calloc(1, sizeof(*fe));
		  if (!fe) abort();
		  $$ = mk(S_FOREACH, @1);
		  $$->fe = fe;
		  fe->value = $3.value;
		  fe->keys = $3.keys.head;
		  fe->nkeys = $3.keys.n;
		  fe->keys_bracketed = $3.bracketed;
		  fe->sort_dir = $3.sort_dir;
		  fe->sort_key = $3.sort_key;
		  fe->array = $5;
		  fe->slice = $6.head;
		  if ($7) {
			if ($3.sort_dir)
				perr(@7, "%s", "multiple sort directives");
			fe->sort_dir = $7 > 0 ? 1 : -1;
			fe->sort_key = 0;
			fe->sort_agg = $7 > 0 ? $7 - 1 : -$7 - 1;
		  }
		  if ($3.dup_sort.line)
			perr($3.dup_sort, "%s", "multiple sort directives");
		  fe->limit = $8;
		  fe->body = $10; }
	;

fe_head:
	  fe_keys
	| IDENT opt_sort '=' fe_keys
		{ $$ = $4;
		  $$.value = mk(E_IDENT, @1);
		  $$.value->str = $1->text;
		  if ($2) {
			if ($$.sort_dir)
				$$.dup_sort = @2;
			$$.sort_dir = $2;
			$$.sort_key = 0;
		  } }
	;

fe_keys:
	  IDENT opt_sort
		{ memset(&$$, 0, sizeof($$));
		  struct node *k = mk(E_IDENT, @1);
		  k->str = $1->text;
		  $$.keys = nl_one(k);
		  set_fe_sort(&$$, $2, 1, @2); }
	| '[' fe_keylist ']'	{ $$ = $2; $$.bracketed = true; }
	;

fe_keylist:
	  IDENT opt_sort
		{ memset(&$$, 0, sizeof($$));
		  struct node *k = mk(E_IDENT, @1);
		  k->str = $1->text;
		  $$.keys = nl_one(k);
		  set_fe_sort(&$$, $2, 1, @2); }
	| fe_keylist ',' IDENT opt_sort
		{ struct node *k = mk(E_IDENT, @3);
		  $$ = $1;
		  k->str = $3->text;
		  $$.keys = nl_add($$.keys, k);
		  set_fe_sort(&$$, $4, $$.keys.n, @4); }
	;

opt_sort:
	  %empty	{ $$ = 0; }
	| '+'		{ $$ = 1; }
	| '-'		{ $$ = -1; }
	;

opt_slice:
	  %empty		{ $$.head = $$.tail = NULL; $$.n = 0; }
	| '[' index_list ']'	{ $$ = $2; }
	;

/* value: (statop + 1) * direction, 0 for none */
fe_sort:
	  %empty		{ $$ = 0; }
	| '+'			{ $$ = 1; }
	| '-'			{ $$ = -1; }
	| AT_STAT '+'		{ $$ = $1->op + 1; }
	| AT_STAT '-'		{ $$ = -($1->op + 1); }
	;

fe_limit:
	  %empty		{ $$ = NULL; }
	| LIMIT expr		{ $$ = $2; }
	;

/* ---- expressions, loosest first ---- */

expr:
	  ternary
	| ternary assignop expr	{ $$ = bin(E_ASSIGN, $2, $1, $3, @2); }
	;

assignop:
	  '='			{ $$ = OP_ASSIGN; }
	| ADD_ASSIGN		{ $$ = OP_ADD_ASSIGN; }
	| ASSIGNOP		{ $$ = $1->op; }
	;

ternary:
	  lor
	| lor '?' expr ':' ternary
		{ $$ = mk(E_TERNARY, @2); $$->a = $1; $$->b = $3; $$->c = $5; }
	;

lor:
	  land
	| lor OROR land		{ $$ = bin(E_BINARY, OP_LOR, $1, $3, @2); }
	;

land:
	  bor
	| land ANDAND bor	{ $$ = bin(E_BINARY, OP_LAND, $1, $3, @2); }
	;

bor:
	  bxor
	| bor '|' bxor		{ $$ = bin(E_BINARY, OP_BOR, $1, $3, @2); }
	;

bxor:
	  band
	| bxor '^' band		{ $$ = bin(E_BINARY, OP_BXOR, $1, $3, @2); }
	;

band:
	  inexpr
	| band '&' inexpr	{ $$ = bin(E_BINARY, OP_BAND, $1, $3, @2); }
	;

inexpr:
	  cmp
	| cmp IN indexable
		{ $$ = mk(E_IN, @2); $$->args = $1; $$->nargs = 1; $$->a = $3; }
	| '[' in_keys ']' IN indexable
		{ $$ = mk(E_IN, @4); $$->args = $2.head; $$->nargs = $2.n;
		  $$->a = $5; }
	;

in_keys:
	  index_item_in		{ $$ = nl_one($1); }
	| in_keys ',' index_item_in { $$ = nl_add($1, $3); }
	;

index_item_in:
	  cmp
	| '*'			{ $$ = mk(E_STAR, @1); }
	;

indexable:
	  IDENT			{ $$ = mk(E_IDENT, @1); $$->str = $1->text; }
	| hist_op
	;

cmp:
	  cmpc
	| shift MATCH strings	{ $$ = bin(E_REGEX, OP_MATCH, $1, $3, @2); }
	| shift NMATCH strings	{ $$ = bin(E_REGEX, OP_NMATCH, $1, $3, @2); }
	;

cmpc:
	  shift
	| cmpc cmpop shift	{ $$ = bin(E_BINARY, $2, $1, $3, @2); }
	;

cmpop:
	  EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | '<' { $$ = OP_LT; }
	| LE { $$ = OP_LE; } | '>' { $$ = OP_GT; } | GE { $$ = OP_GE; }
	;

shift:
	  cat
	| shift SHL cat		{ $$ = bin(E_BINARY, OP_SHL, $1, $3, @2); }
	| shift SHR cat		{ $$ = bin(E_BINARY, OP_SHR, $1, $3, @2); }
	| shift USHR cat	{ $$ = bin(E_BINARY, OP_USHR, $1, $3, @2); }
	;

cat:
	  add
	| cat '.' add		{ $$ = bin(E_BINARY, OP_CAT, $1, $3, @2); }
	;

add:
	  mul
	| add '+' mul		{ $$ = bin(E_BINARY, OP_ADD, $1, $3, @2); }
	| add '-' mul		{ $$ = bin(E_BINARY, OP_SUB, $1, $3, @2); }
	;

mul:
	  unary
	| mul '*' unary		{ $$ = bin(E_BINARY, OP_MUL, $1, $3, @2); }
	| mul '/' unary		{ $$ = bin(E_BINARY, OP_DIV, $1, $3, @2); }
	| mul '%' unary		{ $$ = bin(E_BINARY, OP_MOD, $1, $3, @2); }
	;

unary:
	  crement
	| '+' unary		{ $$ = un(E_UNARY, OP_PLUS, $2, @1); }
	| '-' unary		{ $$ = un(E_UNARY, OP_NEG, $2, @1); }
	| '!' unary		{ $$ = un(E_UNARY, OP_NOT, $2, @1); }
	| '~' unary		{ $$ = un(E_UNARY, OP_BNOT, $2, @1); }
	;

crement:
	  dvalue
	| INC dvalue		{ $$ = un(E_INCDEC, OP_PREINC, $2, @1); }
	| DEC dvalue		{ $$ = un(E_INCDEC, OP_PREDEC, $2, @1); }
	| dvalue INC		{ $$ = un(E_INCDEC, OP_POSTINC, $1, @2); }
	| dvalue DEC		{ $$ = un(E_INCDEC, OP_POSTDEC, $1, @2); }
	;

dvalue:
	  value
	| target
	| '&' target		{ $$ = un(E_UNARY, OP_ADDR, $2, @1); }
	;

/* $var->a[1]->b$, @cast(p, "type"[, "module"])->f, @var("x")->f */
target:
	  TARGET chain opt_pprint
		{ $$ = mk(E_TARGET, @1);
		  $$->str = $1->text;
		  $$->a = $2.head;
		  if ($1->num && ($2.head || $2.pretty))
			perr(@2, "%s", "'->' and '[' are not accepted after "
			     "a pretty-printing '$'");
		  set_pretty($$, (int)$1->num + $2.pretty + $3, @1); }
	| AT_CAST '(' expr ',' strings ')' chain opt_pprint
		{ $$ = mk(E_CAST, @1);
		  $$->a = $3;
		  $$->str = $5->str;
		  $$->c = $7.head;
		  set_pretty($$, $7.pretty + $8, @1);
		  if (!$5->num)
			perr(@5, "%s", "expected a non-empty type name"); }
	| AT_CAST '(' expr ',' strings ',' strings ')' chain opt_pprint
		{ $$ = mk(E_CAST, @1);
		  $$->a = $3;
		  $$->str = $5->str;
		  $$->b = $7;
		  $$->c = $9.head;
		  set_pretty($$, $9.pretty + $10, @1);
		  if (!$5->num)
			perr(@5, "%s", "expected a non-empty type name"); }
	| AT_VAR '(' strings ')' chain opt_pprint
		{ $$ = mk(E_VAR, @1);
		  $$->str = $3->str;
		  $$->c = $5.head;
		  set_pretty($$, $5.pretty + $6, @1); }
	| AT_VAR '(' strings ',' strings ')' chain opt_pprint
		{ $$ = mk(E_VAR, @1);
		  $$->str = $3->str;
		  $$->b = $5;
		  $$->c = $7.head;
		  set_pretty($$, $7.pretty + $8, @1); }
	;

/* A member spelled "f$" keeps its '$' count in op until the target
 * takes it; anything after a pretty-print suffix is an error. */
chain:
	  %empty		{ memset(&$$, 0, sizeof($$)); }
	| chain ARROW member
		{ int k = strip_dollars($3);
		  $$ = $1;
		  if ($1.pretty)
			perr(@2, "%s", "'->' and '[' are not accepted after "
			     "a pretty-printing '$'");
		  if (!*$3 && !k)
			perr(@3, "%s", "expected a member name after '->'");
		  if (*$3) {
			struct node *m = mk(E_MEMBER, @3);

			m->str = istr($3);
			$$ = nl_add($$, m);
			$$.pretty = $1.pretty;
		  }
		  $$.pretty += k; }
	| chain '[' expr ']'
		{ struct node *s = mk(E_SUBSCRIPT, @2);
		  s->a = $3;
		  if ($1.pretty)
			perr(@2, "%s", "'->' and '[' are not accepted after "
			     "a pretty-printing '$'");
		  $$ = nl_add($1, s);
		  $$.pretty = $1.pretty; }
	;

member:
	  IDENT			{ $$ = strdup($1->text); }
	| PPRINT		{ $$ = strdup($1->text); }
	| kw_noif		{ $$ = strdup($1->text); }
	| IF			{ $$ = strdup($1->text); }
	;

kw_noif:
	  PROBE | GLOBAL | PRIVATE | FUNCTION | ELSE | FOR | FOREACH
	| IN | LIMIT | RETURN | DELETE | WHILE | BREAK | CONTINUE | NEXT
	| STRING_KW | LONG_KW | TRY | CATCH
	;

opt_pprint:
	  %empty		{ $$ = 0; }
	| PPRINT		{ $$ = (int)$1->num; }
	;

hist_op:
	  AT_HIST '(' expr ')'
		{ $$ = mk(E_HIST, @1); $$->op = $1->op; $$->a = $3;
		  if ($1->op == STAT_HIST_LINEAR)
			perr(@1, "%s", "@hist_linear needs 3 parameters: "
			     "low, high and bucket width"); }
	| AT_HIST '(' expr ',' signed_num ',' signed_num ',' signed_num ')'
		{ $$ = mk(E_HIST, @1); $$->op = $1->op; $$->a = $3;
		  $5->next = $7;
		  $7->next = $9;
		  $$->args = $5;
		  $$->nargs = 3;
		  if ($1->op == STAT_HIST_LOG)
			perr(@1, "%s", "@hist_log takes no parameters"); }
	;

value:
	  '(' expr ')'		{ $$ = $2; }
	| NUMBER		{ $$ = num_node($1, false, @1); }
	| strings
	| EMBEDDED		{ $$ = mk(E_EMBEDDED, @1); $$->str = $1->text; }
	| IDENT			{ $$ = mk(E_IDENT, @1); $$->str = $1->text; }
	| IDENT '[' index_list ']'
		{ struct node *a = mk(E_IDENT, @1);
		  a->str = $1->text;
		  $$ = mk(E_INDEX, @1);
		  $$->a = a;
		  $$->args = $3.head;
		  $$->nargs = $3.n; }
	| IDENT '(' ')'		{ $$ = mk(E_CALL, @1); $$->str = $1->text; }
	| IDENT '(' call_args ')'
		{ $$ = mk(E_CALL, @1); $$->str = $1->text;
		  $$->args = $3.head; $$->nargs = $3.n; }
	| hist_op '[' expr ']'
		{ $$ = mk(E_HIST_INDEX, @1); $$->a = $1; $$->b = $3; }
	| AT_STAT '(' expr ')'
		{ $$ = mk(E_STATOP, @1); $$->op = $1->op; $$->a = $3; }
	| AT_STAT '(' expr ',' signed_num ')'
		{ $$ = mk(E_STATOP, @1); $$->op = $1->op; $$->a = $3;
		  $$->args = $5; $$->nargs = 1;
		  if ($1->op != STAT_VARIANCE)
			perr(@5, "%s", "only @variance takes a parameter"); }
	| AT_ENTRY '(' expr ')'	{ $$ = un(E_ENTRY, 0, $3, @1); }
	| AT_DEFINED '(' expr ')' { $$ = un(E_DEFINED, 0, $3, @1); }
	| AT_CHOOSE '(' expr ',' expr ')'
		{ $$ = bin(E_CHOOSE_DEFINED, 0, $3, $5, @1); }
	| DOLLARS
		{ $$ = mk(E_DOLLARS, @1); $$->str = $1->text;
		  $$->op = (int)$1->num; }
	| ARG	{ $$ = mk(E_ARG, @1); $$->num = $1->num; }
	| ARG_STR { $$ = mk(E_ARG, @1); $$->num = $1->num; $$->op = 1; }
	| ARGC	{ $$ = mk(E_ARGC, @1); }
	| ARGC_STR { $$ = mk(E_ARGC, @1); $$->op = 1; }
	;

index_list:
	  index_item		{ $$ = nl_one($1); }
	| index_list ',' index_item { $$ = nl_add($1, $3); }
	;

index_item:
	  expr
	| '*'			{ $$ = mk(E_STAR, @1); }
	;

call_args:
	  call_arg		{ $$ = nl_one($1); }
	| call_args ',' call_arg { $$ = nl_add($1, $3); }
	;

call_arg:
	  expr
	| hist_op
	;

%%

/* Report "expected X or Y but found Z" instead of bison's generic text;
 * sets of expression starters collapse into "an expression". */
static int yyreport_syntax_error(const yypcontext_t *yyctx,
				 struct parse_ctx *ctx)
{
	yysymbol_kind_t exp[YYNTOKENS];
	int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
	char found[128], list[512] = "";
	bool is_expr = false;
	int shown = 0, kept = 0;

	if (ctx->aborted)
		return 0;
	token_describe(yypcontext_token(yyctx) == YYSYMBOL_YYEOF ? NULL
								 : ctx->cur,
		       found, sizeof(found));
	for (int i = 0; i < n; i++)
		if (exp[i] == YYSYMBOL_NUMBER)
			is_expr = true;
	for (int i = 0; i < n; i++) {
		const char *name = yysymbol_name(exp[i]);
		size_t len = strlen(name);
		char one[64];

		/* Expression starters are summarised below; keep only the
		 * punctuation that could also end or separate something. */
		if (is_expr && !(len == 3 && strchr(";}),]:", name[1])))
			continue;
		if (len >= 2 && name[0] == '"')
			snprintf(one, sizeof(one), "%.*s", (int)len - 2,
				 name + 1);
		else
			snprintf(one, sizeof(one), "%s", name);
		kept++;
		if (shown < 5) {
			size_t l = strlen(list);

			snprintf(list + l, sizeof(list) - l, "%s%s",
				 shown ? ", " : "", one);
			shown++;
		}
	}
	if (is_expr) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%san expression",
			 shown ? " or " : "");
		shown++;
		kept++;
	} else if (shown > 1) {
		/* Turn the last ", " into " or ". */
		char *comma = strrchr(list, ',');

		if (comma) {
			char tail[512];

			snprintf(tail, sizeof(tail), " or%s", comma + 1);
			snprintf(comma, sizeof(list) - (size_t)(comma - list),
				 "%s", tail);
		}
	}
	if (kept == 0 || kept > 6)
		diag_report("parse error", *yypcontext_location(yyctx),
			    "unexpected %s", found);
	else
		diag_report("parse error", *yypcontext_location(yyctx),
			    "expected %s but found %s", list, found);
	if (ctx->cur && yypcontext_token(yyctx) != YYSYMBOL_YYEOF) {
		int t = ctx->cur->type;

		if (t >= TOK_PROBE && t <= TOK_CATCH && is_expr)
			diag_hint("'%s' is a reserved word and cannot name a "
				  "variable", ctx->cur->text);
		else if (t == '=' && is_expr)
			diag_hint("use '==' to compare");
	} else if (ctx->nest > 0) {
		diag_hint("an opening '{', '(' or '[' is never closed");
	}
	return 0;
}

/* Only reached for "memory exhausted" (syntax errors go through
 * yyreport_syntax_error). */
static void etapyyerror(struct loc *l, struct parse_ctx *ctx, const char *msg)
{
	if (!ctx->aborted)
		diag_report("parse error", *l, "%s", msg);
	ctx->aborted = true;
}
