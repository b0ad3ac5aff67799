/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ETAP_CLONE_H
#define ETAP_CLONE_H

#include "../parser/ast.h"

/* Deep copy of a node and its children (not its siblings). */
struct node *sem_clone_node(const struct node *n);

#endif
