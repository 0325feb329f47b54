/* event.c: small accessors over the normalized event. */
#include "core/event.h"
#include <string.h>

const char *et_event_field(const et_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nfields; i++)
        if (strcmp(ev->fields[i].name, name) == 0)
            return ev->fields[i].value;
    return NULL;
}
