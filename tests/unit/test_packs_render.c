/* test_packs_render.c: every text of every bundled rule pack, rendered as a report renders it:
 * with hostile values (backticks, quotes of each kind, ; | & % $( ), line breaks, a leading
 * dash...) every value of a runnable command stays one literal token of the step's shell (read
 * back by a tokenizer of that shell), and with each of a rule's fields missing no text shows an
 * unfilled {placeholder} and no command holding it is offered to run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "rules/rules.h"

#define BENIGN "VALUEX"

static const char *const hostile[] = {
    "x` and `Remove-Item -Recurse -Force C:\\Users` and `y", "Bob's VM", "a\"b", "\xE2\x80\x98q\xE2\x80\x99",
    "\xE2\x80\x9C" "q\xE2\x80\x9D", "a;b", "a|b", "$(calc)", "a\nb", "a&b", "100%", "%PATH%", "-Force", "/D",
    "two words", "`$env:x", "a,b", "@x", "a{b}c", "\xC3\xA9 \xE4\xB8\xAD", "a$b", "a\\", "a\\\"b", "a)b(", "!x!",
    "a^b", "a>b", "a<b", "#x", "a\tb", "\xE2\x80\x93" "Force", NULL,
};

/* ---- tokenizers: what each shell reads as separate words, each decoded to its literal text ---- */

typedef struct toks { char *v[256]; size_t n; } toks;

static void tok_push(toks *t, const char *s, size_t n)
{
    assert_true(t->n < 256);
    t->v[t->n] = strndup(s, n);
    t->n++;
}

static void toks_free(toks *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i]);
    t->n = 0;
}

/* PowerShell's single and double quotes, in ASCII and the forms it also reads as quotes. */
static size_t ps_q(const char *p, bool single)
{
    const unsigned char *u = (const unsigned char *)p;
    if (*u == (single ? '\'' : '"')) return 1;
    if (u[0] == 0xE2 && u[1] == 0x80 && (single ? u[2] >= 0x98 && u[2] <= 0x9B : u[2] >= 0x9C && u[2] <= 0x9E)) return 3;
    return 0;
}

static void tokenize_ps(const char *s, toks *t)
{
    char buf[4096];
    for (const char *p = s; *p;) {
        if (*p == ' ' || *p == '\t') { p++; continue; }
        size_t n = 0, q;
        if (strchr(";|&(){},", *p)) { tok_push(t, p, 1); p++; continue; }
        if ((q = ps_q(p, true))) {
            for (p += q; *p;) {
                size_t c = ps_q(p, true);
                if (c && ps_q(p + c, true)) { memcpy(buf + n, p, c); n += c; p += c + ps_q(p + c, true); continue; }
                if (c) { p += c; break; }
                buf[n++] = *p++;
            }
        } else if ((q = ps_q(p, false))) {
            for (p += q; *p && !ps_q(p, false);) {
                if (*p == '`' && p[1]) p++;
                buf[n++] = *p++;
            }
            p += ps_q(p, false);
        } else {
            while (*p && *p != ' ' && *p != '\t' && !strchr(";|&(){},", *p) && !ps_q(p, true) && !ps_q(p, false)) {
                if (*p == '`' && p[1]) p++;
                buf[n++] = *p++;
            }
        }
        tok_push(t, buf, n);
    }
}

static void tokenize_cmd(const char *s, toks *t)
{
    char buf[4096];
    for (const char *p = s; *p;) {
        if (*p == ' ' || *p == '\t') { p++; continue; }
        if (strchr("&|<>()", *p)) { tok_push(t, p, 1); p++; continue; }
        size_t n = 0;
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t' && !strchr("&|<>()", *p)))) {
            if (*p == '"') { quoted = !quoted; p++; continue; }
            if (*p == '^' && !quoted && p[1]) p++;
            buf[n++] = *p++;
        }
        tok_push(t, buf, n);
    }
}

static void tokenize_bash(const char *s, toks *t)
{
    char buf[4096];
    for (const char *p = s; *p;) {
        if (*p == ' ' || *p == '\t') { p++; continue; }
        if (strchr(";|&<>()", *p)) { tok_push(t, p, 1); p++; continue; }
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\t' && !strchr(";|&<>()", *p)) {
            if (*p == '\'') {
                for (p++; *p && *p != '\''; ) buf[n++] = *p++;
                if (*p) p++;
            } else if (*p == '"') {
                for (p++; *p && *p != '"';) {
                    if (*p == '\\' && p[1] && strchr("$`\"\\", p[1])) p++;
                    buf[n++] = *p++;
                }
                if (*p) p++;
            } else {
                if (*p == '\\' && p[1]) p++;
                buf[n++] = *p++;
            }
        }
        tok_push(t, buf, n);
    }
}

static void tokenize(et_shell sh, const char *s, toks *t)
{
    if (sh == ET_SHELL_CMD) tokenize_cmd(s, t);
    else if (sh == ET_SHELL_AZCLI) tokenize_bash(s, t);
    else tokenize_ps(s, t);
}

/* ---- lookups ------------------------------------------------------------------------------ */

typedef struct vals { const char *value; const char *missing; } vals;

/* Every placeholder gets value, but the one named missing (its name before any | or @). */
static const char *lookup(const char *name, void *ctx)
{
    const vals *v = ctx;
    size_t n = strcspn(name, "|@");
    if (v->missing && strlen(v->missing) == n && !strncmp(name, v->missing, n)) return NULL;
    return v->value;
}

/* benign with BENIGN replaced by h, in out */
static void replaced(const char *benign, const char *h, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = benign; *p && o + 1 < len;) {
        if (!strncmp(p, BENIGN, strlen(BENIGN))) {
            size_t k = strlen(h);
            if (o + k >= len) break;
            memcpy(out + o, h, k);
            o += k;
            p += strlen(BENIGN);
        } else out[o++] = *p++;
    }
    out[o] = 0;
}

static size_t checked;

/* The command rendered with h everywhere reads, word for word, as the one rendered with a plain
 * value, each word holding h where that one holds the plain value. */
static void check_command(const et_rule *r, const char *tmpl, et_shell sh)
{
    et_buf plain = {0};
    vals b = {BENIGN, NULL};
    if (!et_command_render(&plain, tmpl, sh, lookup, &b, NULL)) {
        et_buf_free(&plain);
        return;   /* a value the plain one cannot fill (a when-only name...): nothing to compare */
    }
    toks want = {0};
    tokenize(sh, plain.data, &want);
    for (int i = 0; hostile[i]; i++) {
        et_buf out = {0};
        vals h = {hostile[i], NULL};
        if (et_command_render(&out, tmpl, sh, lookup, &h, NULL)) {
            toks got = {0};
            tokenize(sh, out.data, &got);
            bool same = got.n == want.n;
            for (size_t k = 0; same && k < want.n; k++) {
                char expect[4096];
                replaced(want.v[k], hostile[i], expect, sizeof expect);
                same = !strcmp(got.v[k], expect);
            }
            if (!same)
                fail_msg("%s:%d rule %s: value %s does not stay one literal in %s command\n  %s\n  -> %s", r->file, r->line,
                         r->name ? r->name : r->title, hostile[i], et_shell_name(sh), tmpl, out.data);
            toks_free(&got);
            checked++;
        }
        et_buf_free(&out);
    }
    toks_free(&want);
    et_buf_free(&plain);
}

/* Each name a template holds, outside [[ optional clauses ]], into names (", " list). */
static void names_of(const char *t, et_buf *names, bool optional_too)
{
    bool clause = false;
    for (const char *p = t ? t : ""; *p; p++) {
        if (p[0] == '[' && p[1] == '[') { clause = true; p++; continue; }
        if (p[0] == ']' && p[1] == ']') { clause = false; p++; continue; }
        if (p[0] == '{' && p[1] == '{') { p++; continue; }
        if (*p != '{') continue;
        size_t n = strcspn(p + 1, "}|@");
        if (!clause || optional_too) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
            et_names_add(names, name);
        }
        p += strcspn(p, "}");
        if (!*p) break;
    }
}

static bool has_placeholder(const char *s)
{
    for (const char *p = s; (p = strchr(p, '{'));) {
        if (p[1] == '{') { p += 2; continue; }
        size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.|:@-");
        if (n && p[1 + n] == '}') return true;
        p++;
    }
    return false;
}

static void check_prose(const et_rule *r, const char *t, const vals *v)
{
    if (!t) return;
    et_buf out = {0};
    et_template_render(&out, t, lookup, (void *)v, NULL);
    if (has_placeholder(out.data))
        fail_msg("%s:%d rule %s: an unfilled placeholder shows: %s", r->file, r->line, r->name ? r->name : r->title, out.data);
    et_buf_free(&out);
}

/* With field missing, no text shows {field}, and a command holding it outside an optional
 * clause is not offered to run. */
static void check_missing(const et_rule *r, const char *field)
{
    const et_rca *rca = r->rca;
    vals v = {BENIGN, field};
    check_prose(r, rca->title, &v);
    check_prose(r, rca->message, &v);
    check_prose(r, rca->cause, &v);
    check_prose(r, rca->event, &v);
    for (size_t i = 0; i < rca->nnotes; i++) check_prose(r, rca->notes[i], &v);
    for (size_t i = 0; i < rca->nremediation; i++) {
        const et_step_tpl *st = &rca->remediation[i];
        check_prose(r, st->text, &v);
        check_prose(r, st->cond, &v);
        for (size_t k = 0; k < st->nrun; k++) {
            et_buf out = {0}, names = {0};
            names_of(st->run[k], &names, false);
            bool ok = et_command_render(&out, st->run[k], st->shell, lookup, &v, NULL);
            char pat[140];
            snprintf(pat, sizeof pat, "%s", field);
            bool holds = false;
            for (const char *p = names.data ? names.data : ""; *p;) {
                size_t n = strcspn(p, ",");
                holds |= n == strlen(field) && !strncmp(p, field, n);
                p += n;
                while (*p == ',' || *p == ' ') p++;
            }
            if (has_placeholder(out.data) || (holds && ok))
                fail_msg("%s:%d rule %s: with %s missing the command reads %s (%s)", r->file, r->line,
                         r->name ? r->name : r->title, field, out.data, ok ? "runnable" : "reading only");
            et_buf_free(&out);
            et_buf_free(&names);
        }
    }
}

static void diag_fn(const et_diag *d, void *ctx)
{
    (void)ctx;
    if (d->level == ET_DIAG_ERROR) fail_msg("%s:%d:%d: %s", d->file, d->line, d->col, d->message);
}

static void test_packs(void **state)
{
    (void)state;
    const char *src = getenv("EVTRIAGE_SOURCE");
    assert_non_null(src);
    char packs[4096];
    snprintf(packs, sizeof packs, "%s/rules/packs", src);
    char *paths[] = {packs};
    int nerr = 0;
    et_rules_options o = {0};
    et_ruleset *rs = et_rules_load(paths, 1, &o, diag_fn, NULL, &nerr);
    assert_non_null(rs);
    assert_int_equal(nerr, 0);
    size_t commands = 0, rules = 0;
    for (size_t i = 0; i < et_ruleset_count(rs); i++) {
        const et_rule *r = et_ruleset_rule(rs, i);
        if (!r->rca) continue;
        rules++;
        const et_rca *rca = r->rca;
        et_buf names = {0};
        names_of(rca->title, &names, true);
        names_of(rca->message, &names, true);
        names_of(rca->cause, &names, true);
        names_of(rca->event, &names, true);
        for (size_t k = 0; k < rca->nnotes; k++) names_of(rca->notes[k], &names, true);
        for (size_t s = 0; s < rca->nremediation; s++) {
            const et_step_tpl *st = &rca->remediation[s];
            names_of(st->text, &names, true);
            names_of(st->cond, &names, true);
            for (size_t k = 0; k < st->nrun; k++) {
                names_of(st->run[k], &names, true);
                check_command(r, st->run[k], st->shell);
                commands++;
            }
        }
        check_missing(r, "\x01none");   /* every value present */
        for (const char *p = names.data ? names.data : ""; *p;) {
            size_t n = strcspn(p, ",");
            char field[128];
            snprintf(field, sizeof field, "%.*s", (int)n, p);
            check_missing(r, field);
            p += n;
            while (*p == ',' || *p == ' ') p++;
        }
        et_buf_free(&names);
    }
    fprintf(stderr, "%zu rules with rca, %zu commands, %zu hostile renderings compared word by word\n", rules, commands,
            checked);
    assert_true(rules > 20);
    et_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_packs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
