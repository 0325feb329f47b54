/* timeutil.c: calendar arithmetic for FILETIME values, without libc time zones. */
#include "core/timeutil.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t et_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void et_filetime_to_iso(int64_t ft, char out[32])
{
    /* Whole seconds first: ft - ET_EPOCH_DIFF_TICKS overflows for FILETIMEs near INT64_MIN
     * (any 64-bit value can stand in a damaged record). */
    int64_t secs = ft / ET_TICKS_PER_SEC;
    int64_t frac = ft % ET_TICKS_PER_SEC;
    if (frac < 0) { frac += ET_TICKS_PER_SEC; secs -= 1; }
    secs -= ET_EPOCH_DIFF_TICKS / ET_TICKS_PER_SEC;
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) { sod += 86400; days -= 1; }
    int64_t y; unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999;
    /* Every field is bounded, so fixed-width digits replace snprintf (called per record). */
    const unsigned part[7] = {(unsigned)y % 10000u, m % 100u, d % 100u, (unsigned)(sod / 3600) % 100u,
                              (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), (unsigned)frac % 10000000u};
    static const unsigned width[7] = {4, 2, 2, 2, 2, 2, 7};
    static const char sep[8] = "--T::.Z";
    char *o = out;
    for (int i = 0; i < 7; i++) {
        unsigned v = part[i];
        for (unsigned k = width[i]; k-- > 0; v /= 10) o[k] = (char)('0' + v % 10);
        o += width[i];
        *o++ = sep[i];
    }
    *o = 0;
}

static bool read_num(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    *out = v;
    return true;
}

bool et_iso_to_filetime(const char *s, int64_t *ft)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    int64_t frac = 0;
    const char *p = s;
    if (!read_num(&p, 4, &y) || *p++ != '-' || !read_num(&p, 2, &mo) || *p++ != '-' ||
        !read_num(&p, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!read_num(&p, 2, &h) || *p++ != ':' || !read_num(&p, 2, &mi)) return false;
        if (*p == ':') { p++; if (!read_num(&p, 2, &se)) return false; }
        if (*p == '.' || *p == ',') {
            p++;
            int n = 0;
            while (isdigit((unsigned char)*p)) {
                if (n < 7) { frac = frac * 10 + (*p - '0'); n++; }
                p++;
            }
            if (n == 0) return false;
            for (; n < 7; n++) frac *= 10;
        }
        if (h > 23 || mi > 59 || se > 60) return false;
    }
    int64_t offset_min = 0;
    if (*p == 'Z' || *p == 'z') p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!read_num(&p, 2, &oh)) return false;
        if (*p == ':') p++;
        if (*p && !read_num(&p, 2, &om)) return false;
        offset_min = sign * (oh * 60 + om);
    }
    if (*p) return false;
    int64_t days = et_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_min * 60;
    *ft = secs * ET_TICKS_PER_SEC + frac + ET_EPOCH_DIFF_TICKS;
    return true;
}

int64_t et_parse_duration(const char *s)
{
    char *end;
    if (!s || !isdigit((unsigned char)*s)) return -1;
    long long v = strtoll(s, &end, 10);
    int64_t unit;
    switch (*end) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return -1;
    }
    if (end[1] || v < 0 || v > 100LL * 365 * 86400) return -1;
    return (int64_t)v * unit * 10000000LL;
}
