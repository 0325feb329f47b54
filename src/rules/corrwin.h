/* corrwin.h: one correlation's windows. Matches arrive in evaluation order (corrstore.h); each
 * goes to its group (the group-by values) and stays only while a window can still use it: a
 * window is evaluated as soon as time has moved past its end, then its members are let go, and
 * a group with nothing left goes too. What is held is what open windows hold, not the input.
 * The results are those of evaluating each group's whole sorted history at once. */
#ifndef EVTRIAGE_CORRWIN_H
#define EVTRIAGE_CORRWIN_H
#include "rules/corrstore.h"
#include "rules/rule_int.h"

typedef struct cwin_member { citem *it; int slot; } cwin_member;   /* slot: its rule's place in the correlation */
/* A hit: its members in order, and the count the condition was checked against. */
typedef void (*cwin_emit_fn)(void *ctx, const et_rule *rule, const cwin_member *m, size_t n, uint64_t count);

/* Members one correlation's windows hold at most (about 20-40 MiB); beyond, a group's oldest
 * member is let go unevaluated and counted (cwin_overflowed). */
#define CWIN_MAX_HELD 100000

typedef struct cwin cwin;
cwin *cwin_new(const et_rule *rule, cwin_emit_fn emit, void *ctx);
void cwin_free(cwin *w);
/* A member (slot in the correlation's rule list); its time is taken as the time now. Members
 * without every group-by value are left out. Takes its own reference. */
void cwin_add(cwin *w, citem *it, int slot);
/* Evaluates every window that ended before now, in every group. */
void cwin_expire(cwin *w, int64_t now);
/* The input is through: every window left is evaluated (an `absent` whose window runs past
 * end_of_input is undecided and gives no hit), and everything is let go. */
void cwin_finish(cwin *w, int64_t end_of_input);
/* Events before start were not observed (et_correlator_set_start): an `absent` whose answer
 * may lie before it is undecided and gives no hit. Default: INT64_MIN. */
void cwin_set_start(cwin *w, int64_t start);
/* Members held now, groups open, members let go over the bound (for tests and warnings). */
size_t cwin_held(const cwin *w);
size_t cwin_groups(const cwin *w);
size_t cwin_overflowed(const cwin *w);
/* Another bound (tests; 0: CWIN_MAX_HELD). */
void cwin_set_max_held(cwin *w, size_t n);
/* The event field group-by value g comes from in a member of rule slot (aliases resolved). */
const char *cwin_group_field(const et_corr *k, size_t g, int slot);

#endif
