/* log.c — see log.h.
 *
 * Every byte of a text line that came from outside (file and folder names, reasons, libpq
 * messages) passes through cu_log_text, which turns control characters into visible escapes:
 * an FTP user who names a folder "x\r\033[2K... error ..." must not be able to forge or hide a
 * line on the operator's terminal. JSON lines were already safe (cu_json_str escapes controls). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "strbuf.h"
#include "text.h"

static cu_log_level cu_log_max = CU_LOG_INFO;
static cu_log_format cu_log_fmt = CU_LOG_TEXT;
static int cu_log_journal = -1; /* -1 not looked yet, 0 no, 1 stderr is the journal */

static const char *const cu_level_names[] = {"error", "warn", "info", "debug"};
/* syslog(3) priorities, for journald's <N> prefix: err, warning, info, debug. */
static const char cu_level_prio[] = {'3', '4', '6', '7'};

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

/* systemd sets JOURNAL_STREAM=<dev>:<inode> for a service whose stderr is connected to the
 * journal; it stays in the environment of children whose stderr goes elsewhere, so it counts
 * only when it names our own stderr (sd-daemon(3), "JOURNAL_STREAM"). */
bool cu_log_to_journal(void)
{
    if (cu_log_journal >= 0) return cu_log_journal == 1;
    cu_log_journal = 0;
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
        (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
        cu_log_journal = 1;
    return cu_log_journal == 1;
}

void cu_log_rfc3339(char out[40], const struct timespec *now)
{
    struct tm tm;
    localtime_r(&now->tv_sec, &tm);
    char base[20], zone[8];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%z", &tm); /* +0100: RFC 3339 wants +01:00 */
    int ms = (int)(now->tv_nsec / 1000000) % 1000;
    snprintf(out, 40, "%.19s.%03d%.3s:%.2s", base, ms, zone, zone + 3);
}

/* Appends s as text for a terminal: valid UTF-8 (Latin-1 converted), with C0 controls, DEL
 * and the C1 range (U+0080..U+009F, which some terminals obey) written as \r, \n, \t, \e or
 * \xNN, and the backslash doubled so that an escape cannot be faked either. */
void cu_log_text(cu_sb *sb, const char *s)
{
    if (!s) return;
    size_t n = strlen(s);
    cu_sb clean = {0};
    if (!cu_utf8_valid(s, n)) {
        /* Latin-1 → UTF-8 without dropping controls: escape them below instead. */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x80) {
                cu_sb_putc(&clean, (char)c);
            } else {
                cu_sb_putc(&clean, (char)(0xC0 | (c >> 6)));
                cu_sb_putc(&clean, (char)(0x80 | (c & 0x3F)));
            }
        }
        s = clean.data ? clean.data : "";
        n = clean.len;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F) {
            cu_sb_printf(sb, "\\x%02x", (unsigned char)s[++i]);
        } else if (c == '\\') {
            cu_sb_puts(sb, "\\\\");
        } else if (c == '\n') {
            cu_sb_puts(sb, "\\n");
        } else if (c == '\r') {
            cu_sb_puts(sb, "\\r");
        } else if (c == '\t') {
            cu_sb_puts(sb, "\\t");
        } else if (c == 0x1B) {
            cu_sb_puts(sb, "\\e");
        } else if (c < 0x20 || c == 0x7F) {
            cu_sb_printf(sb, "\\x%02x", c);
        } else {
            cu_sb_putc(sb, (char)c);
        }
    }
    cu_sb_free(&clean);
}

static void cu_log_prefix(cu_sb *sb, cu_log_level level, const char *msg)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char ts[40];
    cu_log_rfc3339(ts, &now);
    bool journal = cu_log_to_journal();
    /* journald reads the <N> prefix as the line's priority (journalctl -p warning) and keeps
     * the rest; it timestamps every line itself, so the text format leaves its own out. */
    if (journal) {
        cu_sb_putc(sb, '<');
        cu_sb_putc(sb, cu_level_prio[level]);
        cu_sb_putc(sb, '>');
    }
    if (cu_log_fmt == CU_LOG_JSON) {
        cu_sb_printf(sb, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, cu_level_names[level]);
        cu_json_cstr(sb, msg);
    } else {
        if (!journal) cu_sb_printf(sb, "%s ", ts);
        cu_sb_printf(sb, "%-5s ", cu_level_names[level]);
        cu_log_text(sb, msg);
    }
}

static void cu_log_num(cu_sb *sb, double v)
{
    if (v == (double)(long long)v && v < 9e15 && v > -9e15)
        cu_sb_printf(sb, "%lld", (long long)v);
    else
        cu_sb_printf(sb, "%.2f", v);
}

/* A text value goes bare when it is a plain word; anything with blanks, quotes, '=', a
 * backslash or a control character is quoted with JSON's escapes, so one line stays one line
 * and key=value pairs stay unambiguous. */
static bool cu_log_needs_quotes(const char *s)
{
    if (!*s) return true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7F || *p >= 0x80)
            return true;
    return false;
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
            else if (cu_log_needs_quotes(f[i].str))
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
