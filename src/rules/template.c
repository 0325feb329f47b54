/* template.c: {placeholders} of a rule's rca texts filled from the events: prose (titles,
 * messages, steps) and commands for one shell, each value put the way the place it lands in
 * allows (shell.c quotes); [[ optional clauses ]] left out when a value is missing. */
#include "rules/shell_int.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct walk {
    et_lookup_fn lookup;
    void *ctx;
    bool command;             /* a command of shell sh, else prose */
    et_shell sh;
} walk;

/* Where the walk stands: inside a `code span` (prose), inside quotes (commands). */
typedef struct wstate { bool code; shq q; } wstate;

/* name added to the ", "-separated list, unless it is there already. */
static void add_name(et_buf *list, const char *name)
{
    if (!list) return;
    size_t n = strlen(name);
    for (const char *p = list->data; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 2 : 0))
        if (strcspn(p, ",") == n && !strncmp(p, name, n)) return;
    et_buf_printf(list, "%s%s", list->len ? ", " : "", name);
}

void et_names_add(et_buf *list, const char *names)
{
    for (const char *p = names ? names : ""; *p;) {
        size_t n = strcspn(p, ",");
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), p);
        add_name(list, name);
        p += n;
        while (*p == ',' || *p == ' ') p++;
    }
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

/* The template character before position i, past an optional clause's opening [[. */
static int before(const char *t, size_t i)
{
    if (i >= 2 && t[i - 1] == '[' && t[i - 2] == '[') i -= 2;
    return i ? (unsigned char)t[i - 1] : -1;
}

static int after(const char *t)
{
    if (t[0] == ']' && t[1] == ']') t += 2;
    return (unsigned char)*t;
}

/* Where the placeholder {...} at t[i..close] stands in its word (commands). */
static shq_place place_of(const char *t, size_t i, size_t close, shq q)
{
    shq_place pl = {false, false};
    int b = before(t, i);
    if (b < 0 || blank((char)b) || strchr("(,;|", b)) pl.starts_word = true;
    else if (q != SHQ_BARE && (b == '\'' || b == '"')) {   /* the quote that opened this literal */
        size_t j = i - 1;
        int bb = before(t, j);
        pl.starts_word = bb < 0 || blank((char)bb) || strchr("(,;|=", bb);
    }
    int a = after(t + close + 1);
    pl.whole_word = pl.starts_word && (b < 0 || blank((char)b)) && (!a || blank((char)a) || strchr(",);", a));
    return pl;
}

/* Plain enough to stand inside a code span of prose, which reads like something to copy:
 * letters and digits (of any script), spaces and . _ - : \ / @ */
static bool code_plain(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x80 && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                           strchr(" ._-:\\/@", *p)))
            return false;
    return true;
}

/* Puts a prose value: backticks become ' (one cannot open a code span), control characters
 * spaces (one cannot break the line). Inside a code span (a name the reader may copy: `cifs/HV02`)
 * only a plain value goes in. */
static bool put_prose(et_buf *out, const char *v, bool code, const char **why)
{
    if (code && !code_plain(v)) { *why = "characters other than letters, digits and . _ - : \\ / @ inside a code span"; return false; }
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '`') et_buf_putc(out, '\'');
        else if (*c < 0x20 || *c == 0x7F) et_buf_putc(out, ' ');
        else et_buf_putc(out, (char)*c);
    }
    return true;
}

static void record(et_tpl_gaps *g, const char *name, bool refused, const char *why)
{
    if (!g) return;
    add_name(refused ? g->refused : g->missing, name);
    if (refused && why && !g->why[0]) {
        size_t n = strlen(why);
        if (n >= sizeof g->why) n = sizeof g->why - 1;
        memcpy(g->why, why, n);
        g->why[n] = 0;
    }
}

static size_t render_span(const walk *w, et_buf *out, const char *t, size_t len, wstate *st, et_tpl_gaps *gaps);

/* The optional clause whose text is t[0..len): kept only when every placeholder in it is filled. */
static void render_clause(const walk *w, et_buf *out, const char *t, size_t len, wstate *st)
{
    et_buf tmp = {0};
    wstate in = *st;
    if (!render_span(w, &tmp, t, len, &in, NULL)) {
        et_buf_put(out, tmp.data ? tmp.data : "", tmp.len);
        *st = in;
    }
    et_buf_free(&tmp);
}

/* Renders the placeholder whose name is t[i+1..close); returns false when it stays unfilled. */
static bool render_placeholder(const walk *w, et_buf *out, const char *t, size_t i, size_t close, const wstate *st,
                               et_tpl_gaps *gaps)
{
    char name[128];
    size_t n = close - i - 1;
    memcpy(name, t + i + 1, n);
    name[n] = 0;
    const char *v = w->lookup ? w->lookup(name, w->ctx) : NULL;
    const char *why = NULL;
    size_t mark = out->len;
    bool ok = false;
    if (v && *v) {
        if (w->command) {
            shq_place pl = place_of(t, i, close, st->q);
            ok = shq_put(w->sh, st->q, &pl, v, out, &why);
        } else {
            ok = put_prose(out, v, st->code, &why);
        }
    }
    if (ok) return true;
    out->len = mark;
    if (out->data) out->data[mark] = 0;
    name[strcspn(name, "|")] = 0;   /* {code|name} shows as <code> */
    et_buf_printf(out, "<%s>", name);
    record(gaps, name, v && *v, why);
    return false;
}

static size_t render_span(const walk *w, et_buf *out, const char *t, size_t len, wstate *st, et_tpl_gaps *gaps)
{
    size_t unfilled = 0;
    for (size_t i = 0; i < len;) {
        if (i + 1 < len && ((t[i] == '{' && t[i + 1] == '{') || (t[i] == '}' && t[i + 1] == '}'))) {
            et_buf_putc(out, t[i]);
            i += 2;
            continue;
        }
        if (i + 1 < len && t[i] == '[' && t[i + 1] == '[') {
            const char *end = strstr(t + i + 2, "]]");
            if (end && (size_t)(end - t) < len) {
                render_clause(w, out, t + i + 2, (size_t)(end - t) - i - 2, st);
                i = (size_t)(end - t) + 2;
                continue;
            }
        }
        const char *close = t[i] == '{' ? memchr(t + i + 1, '}', len - i - 1) : NULL;
        if (close && (size_t)(close - t) - i - 1 > 0 && (size_t)(close - t) - i - 1 < 128) {
            if (!render_placeholder(w, out, t, i, (size_t)(close - t), st, gaps)) unfilled++;
            i = (size_t)(close - t) + 1;
            continue;
        }
        size_t step = 1;
        if (w->command) step = shq_step(w->sh, &st->q, t + i);
        else if (t[i] == '`') st->code = !st->code;
        if (step > len - i) step = len - i;
        et_buf_put(out, t + i, step);
        i += step;
    }
    return unfilled;
}

size_t et_template_render(et_buf *out, const char *t, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps)
{
    walk w = {lookup, ctx, false, ET_SHELL_TEXT};
    wstate st = {false, SHQ_BARE};
    size_t n = render_span(&w, out, t, strlen(t), &st, gaps);
    if (!out->data) et_buf_puts(out, "");
    return n;
}

bool et_command_render(et_buf *out, const char *t, et_shell sh, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps)
{
    walk w = {lookup, ctx, true, sh};
    wstate st = {false, SHQ_BARE};
    size_t n = render_span(&w, out, t, strlen(t), &st, gaps);
    if (!out->data) et_buf_puts(out, "");
    return n == 0;
}
