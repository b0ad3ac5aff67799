/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POSIX ERE compiled at translate time into tables that both execution
 * contexts run: BPF code emitted by codegen/lower_regex.c and the C runner
 * in runtime/eval_regex.c read the very same struct regex_prog (kernel
 * probes through a copy of regex_prog.blob in the read-only "etap_regex"
 * map).
 *
 * Why this shape: BPF needs loops with a bound the verifier can see and
 * table lookups without pointers, so matching is three linear scans, each
 * one table lookup per byte, each bounded by the string length:
 *
 *  1. the reverse DFA (the reversed pattern, unanchored) runs from the end
 *     of the subject to its start; the lowest position where it accepts is
 *     the leftmost start s of any match (no accepting position: no match);
 *  2. the forward DFA (anchored) runs from s; the last position where it
 *     accepts is the end e of the longest match starting at s (POSIX
 *     leftmost-longest), and the DFA state at each position of [s, e] is
 *     kept in a trail;
 *  3. the submatch tags are recovered by walking the trail backwards: the
 *     "back" table maps (DFA state at i, NFA kernel state chosen at i + 1,
 *     byte class of byte i) to the NFA kernel state chosen at i and the
 *     set of tags (group open/close) crossed in between. The first time a
 *     tag is seen walking backwards is its last position going forward,
 *     which gives repeated groups their last iteration as POSIX wants.
 *
 * This is a tagged DFA whose tag bookkeeping is done after the fact rather
 * than in registers during the forward scan: the forward scan stays a plain
 * DFA, and the backward scan is one lookup per byte plus an unrolled update
 * of at most RX_MAXTAGS tags. Where several NFA paths explain the same
 * match, the back table prefers the kernel state that comes first in the
 * pattern, which makes earlier subexpressions greedy (as POSIX does for
 * (a*)(a*)); for patterns like (a|ab)(c|bcd)(d*) POSIX's global
 * leftmost-longest rule for subexpressions can pick differently.
 *
 * Kernel states are the NFA start and the targets of byte transitions;
 * DFA states are sets of them (plus, for the first state only, the "at
 * the beginning of the subject" flag that lets ^ pass).
 */
#ifndef ETAP_REGEX_H
#define ETAP_REGEX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define RX_MAXGROUPS 23	  /* capture groups besides group 0 */
#define RX_MAXTAGS (2 * RX_MAXGROUPS)
#define RX_MAXSTATES 4000 /* per DFA; state 0 is the dead state */
#define RX_MAXNFA 4000
#define RX_MAXBLOB (1u << 20)

/* Per DFA state flags. */
enum {
	RX_ACC = 1,	/* a match ends here (not at the subject's end) */
	RX_ACC_END = 2, /* a match ends here when here is the subject's end
			 * (forward: $ may pass; reverse: ^ may pass) */
};

/* Back table entry: low 16 bits kernel state, tag bit t at bit 16 + t. */
#define RX_BACK_KSHIFT 16

struct regex_prog {
	const char *pattern;
	int ngroups;  /* capture groups including group 0 */
	int nclasses; /* byte classes */
	int nkern;    /* NFA kernel states */
	int nfwd, nrev; /* DFA states (0 = dead) */
	uint16_t fwd_start[2]; /* [at the subject's beginning] */
	uint16_t rev_start;    /* at the subject's end */

	/* The tables, all inside blob (one allocation, copied as is into
	 * the kernel's map) at the offsets below. */
	uint8_t *blob;
	uint32_t blob_size;
	uint32_t off_class;	/* u8[256]: byte -> class */
	uint32_t off_fwd;	/* u16[nfwd * nclasses] */
	uint32_t off_fwd_flags; /* u8[nfwd] */
	uint32_t off_rev;	/* u16[nrev * nclasses] */
	uint32_t off_rev_flags; /* u8[nrev] */
	uint32_t off_back;	/* u64[(nfwd * nkern + k) * nclasses + c] */
	uint32_t off_back_end;	/* u64[nfwd * 2 + at_end] */
	uint32_t map_off;	/* where blob sits in the etap_regex map */
};

/* A compile error: message and byte offset in the pattern. */
struct regex_error {
	char msg[128];
	int pos;
};

/* Parse and compile pattern (POSIX ERE). Returns NULL and fills err. */
struct regex_prog *regex_compile(const char *pattern, struct regex_error *err);
void regex_free(struct regex_prog *rp);

/* Run rp on s (len bytes). On a match returns 1 and fills
 * tags[0 .. 2 * ngroups - 1] with start/end offsets (-1: group unset);
 * otherwise returns 0. The same algorithm as the emitted BPF. */
int regex_exec(const struct regex_prog *rp, const char *s, size_t len,
	       int64_t *tags);

/* ---- internal to regex_parse.c / regex_compile.c ---- */
enum rx_kind { RX_SET, RX_CAT, RX_ALT, RX_REP, RX_GROUP, RX_EMPTY, RX_BOL,
	       RX_EOL };

struct rx_node {
	enum rx_kind kind;
	struct rx_node *l, *r; /* CAT, ALT; REP and GROUP use l */
	int min, max;	       /* REP: max -1 = unbounded */
	int group;	       /* GROUP: 1-based index */
	uint64_t set[4];       /* SET: bytes */
};

struct rx_node *regex_parse(const char *pattern, int *ngroups,
			    struct regex_error *err);
void regex_tree_free(struct rx_node *n);

#endif
