/* strmatch.c: the string, number and address comparisons detection values compile to. */
#include "rules/rule_int.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Iterative glob with backtracking to the last star: linear in practice. */
bool et_glob_match(const char *p, size_t pl, const char *s, size_t sl)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < sl) {
        if (pi < pl && p[pi] == GLOB_STAR) { star = pi++; mark = si; continue; }
        if (pi < pl && (p[pi] == GLOB_ONE || p[pi] == s[si])) {
            /* GLOB_ONE stands for one character: skip a whole UTF-8 sequence */
            if (p[pi] == GLOB_ONE && (unsigned char)s[si] >= 0xC0) {
                si++;
                while (si < sl && ((unsigned char)s[si] & 0xC0) == 0x80) si++;
            } else {
                si++;
            }
            pi++;
            continue;
        }
        if (star == (size_t)-1) return false;
        pi = star + 1;
        si = ++mark;
    }
    while (pi < pl && p[pi] == GLOB_STAR) pi++;
    return pi == pl;
}

const char *et_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
    if (!nl) return h;
    return memmem(h, hl, n, nl);
}

void et_lower_ascii(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
}

bool et_parse_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return false;
    char *end;
    if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ||
        (s[0] == '-' && s[1] == '0' && (s[2] == 'x' || s[2] == 'X'))) {
        int neg = s[0] == '-';
        unsigned long long v = strtoull(s + neg, &end, 16);
        *out = neg ? -(double)v : (double)v;
    } else {
        *out = strtod(s, &end);
    }
    while (isspace((unsigned char)*end)) end++;
    return *end == 0 && !isnan(*out);
}

static bool parse_ip(const char *s, size_t n, uint8_t ip[16], uint8_t *family)
{
    char buf[64];
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    /* Windows writes IPv4-mapped IPv6 as ::ffff:a.b.c.d: compare those as IPv4 */
    const char *p = buf;
    if (!strncasecmp(p, "::ffff:", 7) && strchr(p + 7, '.')) p += 7;
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, p, ip) == 1) { *family = 4; return true; }
    char *pct = strchr(buf, '%');   /* zone index */
    if (pct) *pct = 0;
    if (inet_pton(AF_INET6, buf, ip) == 1) { *family = 6; return true; }
    return false;
}

bool et_parse_cidr(const char *s, uint8_t ip[16], uint8_t *family, uint8_t *bits)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (!parse_ip(s, n, ip, family)) return false;
    int max = *family == 4 ? 32 : 128;
    if (!slash) { *bits = (uint8_t)max; return true; }
    char *end;
    long b = strtol(slash + 1, &end, 10);
    if (*end || b < 0 || b > max || end == slash + 1) return false;
    *bits = (uint8_t)b;
    return true;
}

bool et_ip_in_cidr(const char *s, const uint8_t net[16], uint8_t family, uint8_t bits)
{
    uint8_t ip[16], fam;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (!parse_ip(s, n, ip, &fam) || fam != family) return false;
    size_t full = bits / 8;
    if (memcmp(ip, net, full)) return false;
    if (bits % 8) {
        uint8_t mask = (uint8_t)(0xFF << (8 - bits % 8));
        if ((ip[full] & mask) != (net[full] & mask)) return false;
    }
    return true;
}
