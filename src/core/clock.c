/*
 * clock.c: wall or manual clock, and RFC 3339 conversion (UTC only on output).
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static atomic_bool clock_manual;
static _Atomic int64_t clock_manual_ms;

int64_t clock_now_ms(void)
{
    struct timespec ts;

    if (atomic_load(&clock_manual))
        return atomic_load(&clock_manual_ms);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_set_fixed(int64_t ms)
{
    atomic_store(&clock_manual_ms, ms);
    atomic_store(&clock_manual, true);
}

void clock_advance(int64_t ms)
{
    atomic_fetch_add(&clock_manual_ms, ms);
}

void clock_use_wall(void)
{
    atomic_store(&clock_manual, false);
}

char *clock_format_rfc3339(int64_t ms, char *out, size_t outlen)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return out;
}

/* Reads exactly `n` digits at s[*i]. */
static int read_digits(const char *s, size_t len, size_t *i, int n, int *val)
{
    int v = 0;

    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    *val = v;
    return 0;
}

static int expect(const char *s, size_t len, size_t *i, const char *set)
{
    if (*i >= len || strchr(set, s[*i]) == NULL)
        return -1;
    (*i)++;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int clock_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, frac = 0, off = 0;
    size_t i = 0;

    if (read_digits(s, len, &i, 4, &y) || expect(s, len, &i, "-") ||
        read_digits(s, len, &i, 2, &mo) || expect(s, len, &i, "-") ||
        read_digits(s, len, &i, 2, &d) || expect(s, len, &i, "Tt ") ||
        read_digits(s, len, &i, 2, &h) || expect(s, len, &i, ":") ||
        read_digits(s, len, &i, 2, &mi) || expect(s, len, &i, ":") ||
        read_digits(s, len, &i, 2, &sec))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
        return -1;
    if (i < len && s[i] == '.') {
        int scale = 100, digits = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (digits == 0)
            return -1;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh, om;
        i++;
        if (read_digits(s, len, &i, 2, &oh) || expect(s, len, &i, ":") ||
            read_digits(s, len, &i, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 60 + om);
    } else {
        return -1;
    }
    if (i != len)
        return -1;
    if (sec == 60)
        sec = 59; /* a leap second is folded into the second before it */
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off * 60;
    *ms = t * 1000 + frac;
    return 0;
}
