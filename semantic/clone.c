// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Deep copies of statement and expression trees. A probe with several
 * points (or a wildcard) resolves each point to its own context variables,
 * so each instance gets its own copy of the body to annotate.
 */
#include "clone.h"

#include <stdlib.h>
#include <string.h>

static struct node *clone_list(const struct node *head)
{
	struct node *out = NULL, **tail = &out;

	for (const struct node *n = head; n; n = n->next) {
		*tail = sem_clone_node(n);
		tail = &(*tail)->next;
	}
	return out;
}

struct node *sem_clone_node(const struct node *n)
{
	struct node *c;

	if (!n)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c)
		abort();
	*c = *n;
	c->next = NULL;
	c->a = n->kind == E_TARGET || n->kind == E_CAST ? clone_list(n->a)
							: sem_clone_node(n->a);
	c->b = sem_clone_node(n->b);
	c->c = n->kind == E_CAST ? clone_list(n->c) : sem_clone_node(n->c);
	c->d = sem_clone_node(n->d);
	c->args = clone_list(n->args);
	if (n->fe) {
		struct foreach_info *fe = malloc(sizeof(*fe));

		if (!fe)
			abort();
		*fe = *n->fe;
		fe->value = sem_clone_node(n->fe->value);
		fe->keys = clone_list(n->fe->keys);
		fe->array = sem_clone_node(n->fe->array);
		fe->slice = clone_list(n->fe->slice);
		fe->limit = sem_clone_node(n->fe->limit);
		fe->body = sem_clone_node(n->fe->body);
		c->fe = fe;
	}
	return c;
}
