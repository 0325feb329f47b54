/* replay.h: a scenario as the events a customer's upload of it would yield: written as EVTX to
 * a private temporary folder, read back through the reader, folder removed. Rule tests use it
 * so that rules are proved on real EVTX bytes. */
#ifndef EVTRIAGE_REPLAY_H
#define EVTRIAGE_REPLAY_H
#include <stddef.h>
#include "core/event.h"

/* Calls each(ev, each_ctx) for every record of every file of the scenario, files in scenario
 * order. Returns 0, or -1 with why in err (a bad scenario, a write or read problem). The
 * signature is et_scenario_fn's (rules/rules.h); ctx is unused. */
int sy_replay(const char *path, void (*each)(const et_event *ev, void *each_ctx), void *each_ctx, void *ctx,
              char *err, size_t errlen);

#endif
