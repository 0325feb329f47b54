/* steps.h: a finding's remediation steps filled from the events (internal to src/analyze). */
#ifndef EVTRIAGE_STEPS_H
#define EVTRIAGE_STEPS_H
#include "report/report.h"
#include "rules/rules.h"

/* Fills f's remediation from the rule's steps: values through lookup, the names not filled added
 * to gaps (for the finding's notes). */
void et_steps_fill(et_finding *f, const et_rca *rca, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps);

/* Do the finding's values (through lookup) satisfy every entry of when (a step's `when:`, a
 * rule's `rca.require`)? */
bool et_when_holds(const et_when *when, size_t n, et_lookup_fn lookup, void *ctx);

#endif
