/* event_json.c: the JSON Lines / CSV shape of one event, shared by dump and the timeline. */
#include "output/event_json.h"
#include "core/timeutil.h"
#include "output/csv.h"
#include <inttypes.h>
#include <string.h>

static void json_opt_str(et_buf *b, const char *key, const char *v)
{
    et_buf_printf(b, ",\"%s\":", key);
    if (v) et_buf_json_str(b, v);
    else et_buf_puts(b, "null");
}

static void json_opt_num(et_buf *b, const char *key, bool has, uint64_t v)
{
    if (has) et_buf_printf(b, ",\"%s\":%" PRIu64, key, v);
    else et_buf_printf(b, ",\"%s\":null", key);
}

void et_event_to_json(et_buf *b, const et_event *ev)
{
    char iso[32];
    et_filetime_to_iso(ev->timestamp, iso);
    et_buf_puts(b, "{\"file\":");
    et_buf_json_str(b, ev->file ? ev->file : "");
    et_buf_printf(b, ",\"record_id\":%" PRIu64 ",\"timestamp\":\"%s\",\"event_id\":%" PRIu32,
                  ev->record_id, iso, ev->event_id);
    json_opt_num(b, "qualifiers", ev->has_qualifiers, ev->qualifiers);
    json_opt_num(b, "version", ev->has_version, ev->version);
    json_opt_num(b, "level", ev->has_level, ev->level);
    json_opt_num(b, "task", ev->has_task, ev->task);
    json_opt_num(b, "opcode", ev->has_opcode, ev->opcode);
    if (ev->has_keywords) et_buf_printf(b, ",\"keywords\":\"0x%016" PRIx64 "\"", ev->keywords);
    else et_buf_puts(b, ",\"keywords\":null");
    json_opt_str(b, "provider", ev->provider);
    json_opt_str(b, "provider_guid", ev->provider_guid);
    json_opt_str(b, "channel", ev->channel);
    json_opt_str(b, "computer", ev->computer);
    json_opt_str(b, "user_sid", ev->user_sid);
    json_opt_num(b, "process_id", ev->has_process_id, ev->process_id);
    json_opt_num(b, "thread_id", ev->has_thread_id, ev->thread_id);
    et_buf_printf(b, ",\"recovered\":%s,\"fields\":{", ev->recovered ? "true" : "false");
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i) et_buf_putc(b, ',');
        et_buf_json_str(b, ev->fields[i].name);
        et_buf_putc(b, ':');
        et_buf_json_str(b, ev->fields[i].value);
    }
    et_buf_puts(b, "}}");
}

static void num_col(et_buf *b, bool has, uint64_t v)
{
    if (has) et_buf_printf(b, "%" PRIu64, v);
}

int et_event_column(et_buf *b, const et_event *ev, const char *c, bool clean)
{
    char iso[32];
    if (!strcmp(c, "file")) et_csv_cell(b, ev->file, clean);
    else if (!strcmp(c, "record_id")) et_buf_printf(b, "%" PRIu64, ev->record_id);
    else if (!strcmp(c, "timestamp")) { et_filetime_to_iso(ev->timestamp, iso); et_buf_puts(b, iso); }
    else if (!strcmp(c, "event_id")) et_buf_printf(b, "%" PRIu32, ev->event_id);
    else if (!strcmp(c, "qualifiers")) num_col(b, ev->has_qualifiers, ev->qualifiers);
    else if (!strcmp(c, "version")) num_col(b, ev->has_version, ev->version);
    else if (!strcmp(c, "level")) num_col(b, ev->has_level, ev->level);
    else if (!strcmp(c, "task")) num_col(b, ev->has_task, ev->task);
    else if (!strcmp(c, "opcode")) num_col(b, ev->has_opcode, ev->opcode);
    else if (!strcmp(c, "keywords")) { if (ev->has_keywords) et_buf_printf(b, "0x%016" PRIx64, ev->keywords); }
    else if (!strcmp(c, "provider")) et_csv_cell(b, ev->provider, clean);
    else if (!strcmp(c, "provider_guid")) et_csv_cell(b, ev->provider_guid, clean);
    else if (!strcmp(c, "channel")) et_csv_cell(b, ev->channel, clean);
    else if (!strcmp(c, "computer")) et_csv_cell(b, ev->computer, clean);
    else if (!strcmp(c, "user_sid")) et_csv_cell(b, ev->user_sid, clean);
    else if (!strcmp(c, "process_id")) num_col(b, ev->has_process_id, ev->process_id);
    else if (!strcmp(c, "thread_id")) num_col(b, ev->has_thread_id, ev->thread_id);
    else if (!strcmp(c, "recovered")) et_buf_puts(b, ev->recovered ? "true" : "false");
    else if (!strcmp(c, "fields")) {
        et_buf tmp = {0};
        et_buf_putc(&tmp, '{');
        for (size_t i = 0; i < ev->nfields; i++) {
            if (i) et_buf_putc(&tmp, ',');
            et_buf_json_str(&tmp, ev->fields[i].name);
            et_buf_putc(&tmp, ':');
            et_buf_json_str(&tmp, ev->fields[i].value);
        }
        et_buf_putc(&tmp, '}');
        et_csv_cell(b, tmp.data, clean);
        et_buf_free(&tmp);
    } else {
        const char *v = et_event_field(ev, c);
        if (!v) return 0;
        et_csv_cell(b, v, clean);
    }
    return 1;
}
