/* collect.c: what to collect next. A gap naming a log of a host (a finding's rca.needs the upload
 * lacks) carries the command that exports exactly that log on that host, and the report carries
 * one Windows PowerShell 5.1 script that exports all of them, each host's into files named after
 * it. Host names come from the events: only a plain NetBIOS name goes into a command. */
#include "report/report.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The NetBIOS name of host (its first label, upper-cased) into out; false when it is not one a
 * command may hold (letters, digits, - not first, and at most 15 of them). */
static bool netbios(const char *host, char out[16])
{
    size_t n = host ? strcspn(host, ".") : 0;
    if (!n || n > 15 || !isalnum((unsigned char)host[0])) return false;   /* a leading - reads as an option */
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)host[i]) && host[i] != '-') return false;
        out[i] = (char)toupper((unsigned char)host[i]);
    }
    out[n] = 0;
    return true;
}

/* A channel name as the rules write it: letters, digits, space, - _ . / % (nothing a quote or a
 * shell would read). */
static bool plain_channel(const char *ch)
{
    if (!ch || !*ch) return false;
    for (const char *p = ch; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(" -_./%", *p)) return false;
    return true;
}

/* The channel as a file name, as Windows names an exported channel ('/' as %4). */
static void channel_file(et_buf *b, const char *ch)
{
    for (const char *p = ch; *p; p++) {
        if (*p == '/') et_buf_puts(b, "%4");
        else et_buf_putc(b, *p);
    }
    et_buf_puts(b, ".evtx");
}

bool et_report_collect_command(const et_gap *g, et_buf *out, char host[16])
{
    if (!g->channel || !plain_channel(g->channel)) return false;
    if (!netbios(g->host, host)) host[0] = 0;
    et_buf_printf(out, "wevtutil epl '%s' ", g->channel);
    if (host[0]) et_buf_printf(out, "'%s_", host);
    else et_buf_puts(out, "($env:COMPUTERNAME + '_");   /* a host the logs do not name */
    channel_file(out, g->channel);
    et_buf_puts(out, host[0] ? "' /ow:true" : "') /ow:true");
    return true;
}

/* The hosts (NetBIOS names, "*" for a host the logs do not name) and the channels each lacks. */
typedef struct want { char host[16]; const char **ch; size_t n; } want;

static want *want_of(want **v, size_t *n, const char *host)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].host, host)) return &(*v)[i];
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v) abort();
    want *w = &(*v)[(*n)++];
    memset(w, 0, sizeof *w);
    strcpy(w->host, host);
    return w;
}

static void want_add(want *w, const char *ch)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->ch[i], ch)) return;
    w->ch = realloc(w->ch, (w->n + 1) * sizeof *w->ch);
    if (!w->ch) abort();
    w->ch[w->n++] = ch;
}

bool et_report_collect_script(const et_report *r, et_buf *out)
{
    want *v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->ngaps; i++) {
        const et_gap *g = &r->gaps[i];
        char host[16];
        if (!g->channel || !plain_channel(g->channel)) continue;
        if (!netbios(g->host, host)) strcpy(host, "*");
        want_add(want_of(&v, &n, host), g->channel);
    }
    if (!n) return false;
    et_buf_puts(out, "# evtriage: the logs this report could not see. Run in an elevated Windows PowerShell 5.1\n"
                     "# on each host named below (the '*' list: on the other hosts involved that the logs do not\n"
                     "# name); it writes HOST_Channel.evtx files and one zip to send back.\n"
                     "$logs = @{\n");
    for (size_t i = 0; i < n; i++) {
        et_buf_printf(out, "    '%s' = @(", v[i].host);
        for (size_t k = 0; k < v[i].n; k++) et_buf_printf(out, "%s'%s'", k ? ", " : "", v[i].ch[k]);
        et_buf_puts(out, ")\n");
        free(v[i].ch);
    }
    free(v);
    et_buf_puts(out, "}\n"
                     "$me = $env:COMPUTERNAME\n"
                     "$channels = if ($logs.ContainsKey($me)) { $logs[$me] } else { $logs['*'] }\n"
                     "if (-not $channels) { Write-Warning \"Nothing to collect on $me\"; return }\n"
                     "$dir = Join-Path $env:TEMP ('evtriage-' + $me)\n"
                     "New-Item -ItemType Directory -Force -Path $dir | Out-Null\n"
                     "foreach ($ch in $channels) {\n"
                     "    $file = Join-Path $dir ($me + '_' + ($ch -replace '/', '%4') + '.evtx')\n"
                     "    wevtutil epl $ch $file /ow:true\n"
                     "    if ($LASTEXITCODE -ne 0) { Write-Warning \"Could not export $ch (exit $LASTEXITCODE)\" }\n"
                     "}\n"
                     "Compress-Archive -Path (Join-Path $dir '*') -DestinationPath ($dir + '.zip') -Force\n"
                     "Write-Output ('Send ' + $dir + '.zip')\n");
    return true;
}
