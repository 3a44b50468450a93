/* log.h — cuwatch's one logging module: levels, and the text or JSON line formats of SPEC §4.
 *
 * Everything goes to stderr, one line per call, written with a single write(2) so that lines
 * from concurrent processes never interleave. The level and format are process-wide settings
 * owned by main (set at start-up and on SIGHUP); nothing else in cuwatch is global.
 *
 * Text:  2026-11-25T19:07:09.120+01:00 info  ingested path="DEM12 (PVC)/20250528.LOG" pieces=4
 * JSON:  {"ts":"2026-11-25T19:07:09.120+01:00","level":"info","msg":"ingested","path":...}
 *
 * Timestamps are RFC 3339 with the UTC offset. When stderr is the systemd journal
 * (JOURNAL_STREAM names it), every line starts with the syslog priority "<N>" so that
 * `journalctl -p warning` works, and text lines leave out the timestamp journald adds anyway.
 * Text lines escape every control character of the message and of the values (see
 * cu_log_text), so names chosen by FTP users cannot forge or hide lines. Events carry their
 * facts as fields (path, line, reason, ...): in JSON they are keys of the object. */
#ifndef CU_LOG_H
#define CU_LOG_H

#include <stdbool.h>

typedef enum { CU_LOG_ERROR, CU_LOG_WARN, CU_LOG_INFO, CU_LOG_DEBUG } cu_log_level;
typedef enum { CU_LOG_TEXT, CU_LOG_JSON } cu_log_format;

/* A structured field: exactly one of str (may be NULL for null) or num is meant. */
typedef struct cu_log_field {
    const char *key;
    const char *str;
    double num;
    bool is_num;
} cu_log_field;

#define CU_LF_STR(k, v) ((cu_log_field){.key = (k), .str = (v)})
#define CU_LF_NUM(k, v) ((cu_log_field){.key = (k), .num = (double)(v), .is_num = true})

void cu_log_setup(cu_log_level level, cu_log_format format);
bool cu_log_enabled(cu_log_level level);
/* Parses "error", "warn", "info", "debug"; returns -1 when unknown. */
int cu_log_level_parse(const char *s);

/* True when stderr is the journal (decided once, at the first call). */
bool cu_log_to_journal(void);

struct timespec;
/* "2026-11-25T19:07:09.120+01:00" for a CLOCK_REALTIME time, in the local zone. */
void cu_log_rfc3339(char out[40], const struct timespec *now);

struct cu_sb;
/* Appends s for a terminal: valid UTF-8 with every control character escaped (\r, \n, \e,
 * \xNN) and backslashes doubled. Also for other text output, such as --check's report. */
void cu_log_text(struct cu_sb *sb, const char *s);

void cu_log(cu_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cu_log_fields(cu_log_level level, const char *msg, const cu_log_field *fields, int n);

#endif
