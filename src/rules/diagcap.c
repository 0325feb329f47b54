/* diagcap.c: the diagnostics of rule loading, at most ET_DIAG_CAP errors and ET_DIAG_CAP
 * warnings a file; past them, one line for the file says how many more there were (a file of
 * thousands of broken rules stays readable, and nothing goes uncounted). */
#include "rules/compile.h"
#include <stdio.h>
#include <string.h>

/* Says how many diagnostics of the file counted so far were not passed on. */
static void say_more(et_diagcap *c)
{
    if (!c->file || (!c->more_errors && !c->more_warnings)) return;
    char msg[200];
    if (c->more_errors && c->more_warnings)
        snprintf(msg, sizeof msg, "%d more error(s) and %d more warning(s) in this file not shown (at most %d of each are)",
                 c->more_errors, c->more_warnings, ET_DIAG_CAP);
    else
        snprintf(msg, sizeof msg, "%d more %s(s) in this file not shown (at most %d are)",
                 c->more_errors ? c->more_errors : c->more_warnings, c->more_errors ? "error" : "warning", ET_DIAG_CAP);
    et_diag d = {c->file, 0, 0, c->more_errors ? ET_DIAG_ERROR : ET_DIAG_WARNING, msg, c->more_errors, c->more_warnings};
    c->fn(&d, c->ctx);
}

void et_diagcap_say(const et_diag *d, void *ctx)
{
    et_diagcap *c = ctx;
    if (!c->file || strcmp(c->file, d->file)) {   /* another file: the one before is done */
        say_more(c);
        snprintf(c->file_buf, sizeof c->file_buf, "%s", d->file);
        c->file = c->file_buf;
        c->errors = c->warnings = c->more_errors = c->more_warnings = 0;
    }
    bool err = d->level == ET_DIAG_ERROR;
    int *said = err ? &c->errors : &c->warnings;
    if (*said < ET_DIAG_CAP) {
        ++*said;
        c->fn(d, c->ctx);
    } else {
        ++*(err ? &c->more_errors : &c->more_warnings);
    }
}

void et_diagcap_end(et_diagcap *c)
{
    say_more(c);
    c->file = NULL;
}
