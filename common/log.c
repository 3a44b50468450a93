/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "strbuf.h"

static cu_log_level cu_log_max = CU_LOG_INFO;
static cu_log_format cu_log_fmt = CU_LOG_TEXT;

static const char *const cu_level_names[] = {"error", "warn", "info", "debug"};

void cu_log_setup(cu_log_level level, cu_log_format format)
{
    cu_log_max = level;
    cu_log_fmt = format;
}

bool cu_log_enabled(cu_log_level level)
{
    return level <= cu_log_max;
}

int cu_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, cu_level_names[i]) == 0) return i;
    if (strcmp(s, "warning") == 0) return CU_LOG_WARN;
    return -1;
}

static void cu_log_prefix(cu_sb *sb, cu_log_level level, const char *msg)
{
    char ts[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    if (cu_log_fmt == CU_LOG_JSON) {
        cu_sb_printf(sb, "{\"ts\":\"%s.%03ld\",\"level\":\"%s\",\"msg\":", ts,
                     now.tv_nsec / 1000000, cu_level_names[level]);
        cu_json_cstr(sb, msg);
    } else {
        cu_sb_printf(sb, "%s.%03ld %-5s %s", ts, now.tv_nsec / 1000000, cu_level_names[level], msg);
    }
}

static void cu_log_num(cu_sb *sb, double v)
{
    if (v == (double)(long long)v && v < 9e15 && v > -9e15)
        cu_sb_printf(sb, "%lld", (long long)v);
    else
        cu_sb_printf(sb, "%.2f", v);
}

static void cu_log_emit(cu_sb *sb)
{
    cu_sb_putc(sb, '\n');
    ssize_t off = 0;
    while ((size_t)off < sb->len) {
        ssize_t n = write(STDERR_FILENO, sb->data + off, sb->len - (size_t)off);
        if (n <= 0) break;
        off += n;
    }
    cu_sb_free(sb);
}

void cu_log_fields(cu_log_level level, const char *msg, const cu_log_field *f, int n)
{
    if (!cu_log_enabled(level)) return;
    cu_sb sb = {0};
    cu_log_prefix(&sb, level, msg);
    for (int i = 0; i < n; i++) {
        if (cu_log_fmt == CU_LOG_JSON) {
            cu_sb_printf(&sb, ",\"%s\":", f[i].key);
            if (f[i].is_num)
                cu_log_num(&sb, f[i].num);
            else
                cu_json_cstr(&sb, f[i].str);
        } else {
            cu_sb_printf(&sb, " %s=", f[i].key);
            if (f[i].is_num)
                cu_log_num(&sb, f[i].num);
            else if (!f[i].str)
                cu_sb_puts(&sb, "-");
            else if (strpbrk(f[i].str, " \"=\t") || !*f[i].str)
                cu_json_cstr(&sb, f[i].str);
            else
                cu_sb_puts(&sb, f[i].str);
        }
    }
    if (cu_log_fmt == CU_LOG_JSON) cu_sb_putc(&sb, '}');
    cu_log_emit(&sb);
}

void cu_log(cu_log_level level, const char *fmt, ...)
{
    if (!cu_log_enabled(level)) return;
    cu_sb msg = {0};
    va_list ap;
    va_start(ap, fmt);
    cu_sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    cu_log_fields(level, msg.data ? msg.data : "", NULL, 0);
    cu_sb_free(&msg);
}
