/* timeutil.h: FILETIME <-> ISO 8601 UTC conversions (100 ns precision). */
#ifndef EVTRIAGE_TIMEUTIL_H
#define EVTRIAGE_TIMEUTIL_H
#include <stdbool.h>
#include <stdint.h>

#define ET_TICKS_PER_SEC 10000000LL
/* Ticks between 1601-01-01 and 1970-01-01. */
#define ET_EPOCH_DIFF_TICKS 116444736000000000LL

/* Writes "YYYY-MM-DDTHH:MM:SS.fffffffZ" (28 chars + NUL) into out[32]. */
void et_filetime_to_iso(int64_t ft, char out[32]);
/* Parses ISO 8601 ("2024-01-02", "2024-01-02T03:04:05", optional fraction up to 7
 * digits, optional "Z" or +hh:mm offset; a space may replace the T). */
bool et_iso_to_filetime(const char *s, int64_t *ft);
/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t et_days_from_civil(int64_t y, unsigned m, unsigned d);

/* "90s", "5m", "2h", "7d", "1w" -> FILETIME ticks; -1 when malformed (or over 100 years). */
int64_t et_parse_duration(const char *s);

#endif
