/* shell.c: the shells remediation commands are written for (Windows PowerShell 5.1, cmd, Azure
 * CLI in Bash): how each quotes, how a value from the events becomes one literal token of it (or
 * is refused), and the checks lint runs on a command template. template.c walks the templates. */
#include "rules/shell_int.h"
#include <string.h>
#include <strings.h>

static const char *const names[] = {"powershell", "cmd", "azcli", "text"};
static const char *const labels[] = {"Windows PowerShell 5.1", "cmd.exe", "Azure CLI (Bash, Cloud Shell)", "text"};

bool et_shell_parse(const char *name, et_shell *out)
{
    for (int i = 0; i <= ET_SHELL_TEXT; i++)
        if (name && !strcmp(name, names[i])) { *out = (et_shell)i; return true; }
    return false;
}

const char *et_shell_name(et_shell s) { return s <= ET_SHELL_TEXT ? names[s] : "?"; }
const char *et_shell_label(et_shell s) { return s <= ET_SHELL_TEXT ? labels[s] : "?"; }

/* ---- quoting state ------------------------------------------------------------------------ */

/* PowerShell reads U+2018-U+201B as single quotes and U+201C-U+201E as double ones. */
static size_t ps_quote(const unsigned char *p, bool single)
{
    if (*p == (single ? '\'' : '"')) return 1;
    if (p[0] != 0xE2 || p[1] != 0x80) return 0;
    return (single ? p[2] >= 0x98 && p[2] <= 0x9B : p[2] >= 0x9C && p[2] <= 0x9E) ? 3 : 0;
}

size_t shq_step(et_shell sh, shq *q, const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    size_t n;
    switch (sh) {
    case ET_SHELL_POWERSHELL:
        if (*q == SHQ_SINGLE) {
            if ((n = ps_quote(p, true))) {
                size_t m = ps_quote(p + n, true);
                if (m) return n + m;             /* '' is a quote inside '...' */
                *q = SHQ_BARE;
            }
            return n ? n : 1;
        }
        if (*q == SHQ_DOUBLE) {
            if (*p == '`' && p[1]) return 2;     /* backtick escapes the next character */
            if ((n = ps_quote(p, false))) { *q = SHQ_BARE; return n; }
            return 1;
        }
        if (*p == '`' && p[1]) return 2;
        if ((n = ps_quote(p, true))) { *q = SHQ_SINGLE; return n; }
        if ((n = ps_quote(p, false))) { *q = SHQ_DOUBLE; return n; }
        return 1;
    case ET_SHELL_CMD:
        if (*p == '"') *q = *q == SHQ_DOUBLE ? SHQ_BARE : SHQ_DOUBLE;
        else if (*p == '^' && *q == SHQ_BARE && p[1]) return 2;
        return 1;
    case ET_SHELL_AZCLI:
        if (*q == SHQ_SINGLE) { if (*p == '\'') *q = SHQ_BARE; return 1; }
        if (*q == SHQ_DOUBLE) {
            if (*p == '\\' && p[1]) return 2;
            if (*p == '"') *q = SHQ_BARE;
            return 1;
        }
        if (*p == '\\' && p[1]) return 2;
        if (*p == '\'') *q = SHQ_SINGLE;
        else if (*p == '"') *q = SHQ_DOUBLE;
        return 1;
    default:
        return 1;
    }
}

/* ---- values ------------------------------------------------------------------------------- */

/* Written bare, it is read as itself: ASCII letters, digits and . _ - : / (and \ but in Bash,
 * where it escapes what follows). */
static bool bare_safe(et_shell sh, const char *v)
{
    if (!*v) return false;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._-:/", *p) ||
              (*p == '\\' && sh != ET_SHELL_AZCLI)))
            return false;
    return true;
}

/* A character no literal may hold: C0 and C1 controls, DEL, U+2028/U+2029 (line breaks to
 * PowerShell), or bytes that are not UTF-8. Sets why. */
static bool breaks_line(const char *v, const char **why)
{
    for (const unsigned char *p = (const unsigned char *)v; *p;) {
        size_t n = et_utf8_len(p);
        if (!n) { *why = "bytes that are not UTF-8"; return true; }
        if (*p < 0x20 || *p == 0x7F) { *why = *p == '\n' || *p == '\r' ? "a line break" : "a control character"; return true; }
        if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { *why = "a control character"; return true; }
        if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) { *why = "a line break"; return true; }
        p += n;
    }
    return false;
}

/* - and / (and the dashes PowerShell reads as -) at the start of a word make it an option. */
static bool option_like(const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    return *p == '-' || *p == '/' || (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x93 && p[2] <= 0x95);
}

static bool put_ps_single(et_buf *out, const char *v, const char **why)
{
    if (strchr(v, '"')) { *why = "a double quote (Windows PowerShell 5.1 passes it to programs unescaped)"; return false; }
    size_t n = strlen(v);
    if (n && v[n - 1] == '\\') { *why = "a trailing backslash (it would escape the closing quote a program sees)"; return false; }
    for (const unsigned char *c = (const unsigned char *)v; *c;) {
        size_t k = et_utf8_len(c);
        et_buf_put(out, (const char *)c, k);
        if (ps_quote(c, true)) et_buf_put(out, (const char *)c, k);   /* '' is PowerShell's ' */
        c += k;
    }
    return true;
}

static bool put_cmd_double(et_buf *out, const char *v, const char **why)
{
    if (strpbrk(v, "\"%!")) { *why = "a character cmd reads inside quotes (\" % !)"; return false; }
    et_buf_puts(out, v);
    return true;
}

static bool put_bash_single(et_buf *out, const char *v)
{
    for (const char *c = v; *c; c++) {
        if (*c == '\'') et_buf_puts(out, "'\\''");
        else et_buf_putc(out, *c);
    }
    return true;
}

bool shq_put(et_shell sh, shq q, const shq_place *pl, const char *v, et_buf *out, const char **why)
{
    if (breaks_line(v, why)) return false;
    if (pl->starts_word && option_like(v)) { *why = "a leading - or / (it would be read as an option)"; return false; }
    if (sh == ET_SHELL_TEXT) { et_buf_puts(out, v); return true; }
    if (q == SHQ_BARE && bare_safe(sh, v)) { et_buf_puts(out, v); return true; }
    if (q == SHQ_BARE && !pl->whole_word) {
        *why = "characters that need quotes, in a placeholder that is only part of a word (quote it in the rule)";
        return false;
    }
    switch (sh) {
    case ET_SHELL_POWERSHELL:
        if (q == SHQ_DOUBLE) { *why = "characters PowerShell reads inside \"...\" (the rule should use '...')"; return false; }
        if (q == SHQ_SINGLE) return put_ps_single(out, v, why);
        et_buf_putc(out, '\'');
        if (!put_ps_single(out, v, why)) return false;
        et_buf_putc(out, '\'');
        return true;
    case ET_SHELL_CMD:
        if (q == SHQ_DOUBLE) return put_cmd_double(out, v, why);
        et_buf_putc(out, '"');
        if (!put_cmd_double(out, v, why)) return false;
        et_buf_putc(out, '"');
        return true;
    case ET_SHELL_AZCLI:
        if (q == SHQ_DOUBLE) {
            if (strpbrk(v, "$`\"\\!")) { *why = "a character Bash reads inside \"...\" ($ ` \" \\ !)"; return false; }
            et_buf_puts(out, v);
            return true;
        }
        if (q == SHQ_SINGLE) return put_bash_single(out, v);
        et_buf_putc(out, '\'');
        put_bash_single(out, v);
        et_buf_putc(out, '\'');
        return true;
    default:
        return false;
    }
}

/* ---- lint --------------------------------------------------------------------------------- */

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ' ';
}

/* <word> or <two words>: a hand-written placeholder, which shells read as redirection. */
static bool angle_placeholder(const char *t)
{
    if (*t != '<' || !((t[1] >= 'a' && t[1] <= 'z') || (t[1] >= 'A' && t[1] <= 'Z'))) return false;
    size_t i = 1;
    while (word_char(t[i])) i++;
    return t[i] == '>';
}

const char *et_command_lint(const char *t, et_shell sh, size_t *at)
{
    shq q = SHQ_BARE;
    size_t open = 0;
    if (sh == ET_SHELL_TEXT) { *at = 0; return "a text step has no command (drop run:, or name its shell)"; }
    for (size_t i = 0; t[i];) {
        *at = i;
        if (q == SHQ_BARE) {
            if (angle_placeholder(t + i))
                return "a <placeholder> is read as a redirection: fill it with a {placeholder} from the events, or make the step text";
            if (sh == ET_SHELL_POWERSHELL && (!strncmp(t + i, "&&", 2) || !strncmp(t + i, "||", 2)))
                return "&& and || are PowerShell 7 only; Windows PowerShell 5.1 cannot parse them (use ; or two lines)";
            if (sh == ET_SHELL_POWERSHELL && t[i] == '%' && t[i + 1] && t[i + 1] != '%') {
                size_t j = i + 1;
                while ((t[j] >= 'A' && t[j] <= 'Z') || (t[j] >= 'a' && t[j] <= 'z') || (t[j] >= '0' && t[j] <= '9') || t[j] == '_') j++;
                if (j > i + 1 && t[j] == '%') return "%VAR% is cmd's; PowerShell reads $env:VAR";
            }
            if (sh == ET_SHELL_CMD && !strncasecmp(t + i, "$env:", 5)) return "$env: is PowerShell's; cmd reads %VAR%";
        }
        if (sh == ET_SHELL_POWERSHELL && q == SHQ_DOUBLE && t[i] == '{' && t[i + 1] != '{')
            return "a {placeholder} inside \"...\" in PowerShell: put it inside '...' (values are literal there)";
        if (q == SHQ_BARE) open = i;
        i += shq_step(sh, &q, t + i);
    }
    if (q != SHQ_BARE) { *at = open; return "unbalanced quotes"; }
    return NULL;
}

/* ---- commands in prose -------------------------------------------------------------------- */

/* "Verb-Noun" (a PowerShell cmdlet) at the start of s. */
static bool is_cmdlet(const char *s, size_t n)
{
    size_t i = 0;
    if (!n || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) i++;
    return i >= 3 && i + 1 < n && s[i] == '-' && s[i + 1] >= 'A' && s[i + 1] <= 'Z';
}

bool et_looks_like_command(const char *s, size_t n)
{
    static const char *const tools[] = {"slmgr", "setspn", "net", "netsh", "klist", "sc", "reg", "dism", "DISM",
                                        "wevtutil", "gpupdate", "az", "cscript", "w32tm", "nltest", "certutil",
                                        "ipconfig", "nslookup", "bcdedit", "sfc", "cmd", "powershell", "winrm",
                                        "vssadmin", "wmic", "gpresult", NULL};
    if (is_cmdlet(s, n)) return true;
    for (int i = 0; tools[i]; i++) {
        size_t k = strlen(tools[i]);
        if (n > k && !strncmp(s, tools[i], k) && s[k] == ' ') return true;
    }
    return false;
}
