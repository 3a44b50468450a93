/* strbuf.h — a growable byte buffer, the one allocation pattern cuwatch uses for text.
 *
 * The buffer owns its memory; cu_sb_free releases it, cu_sb_reset keeps the capacity so one
 * buffer can serve many files without reallocating. Allocation failure aborts the process:
 * a daemon that cannot allocate a few kilobytes has no sane way to continue. */
#ifndef CU_STRBUF_H
#define CU_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cu_sb {
    char *data; /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} cu_sb;

void cu_sb_reserve(cu_sb *sb, size_t extra);
/* Like cu_sb_reserve, to exactly len + extra + 1 bytes, but returns -1 instead of aborting
 * when the memory is not there: for buffers as big as a file, whose size is the file's and
 * not cuwatch's to choose. */
int cu_sb_try_reserve(cu_sb *sb, size_t extra);
void cu_sb_append(cu_sb *sb, const void *bytes, size_t n);
void cu_sb_puts(cu_sb *sb, const char *s);
void cu_sb_putc(cu_sb *sb, char c);
void cu_sb_printf(cu_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cu_sb_vprintf(cu_sb *sb, const char *fmt, va_list ap);
void cu_sb_reset(cu_sb *sb);
void cu_sb_free(cu_sb *sb);

/* malloc/realloc/strdup that abort on exhaustion (see above). */
void *cu_xmalloc(size_t n);
void *cu_xcalloc(size_t n, size_t size);
void *cu_xrealloc(void *p, size_t n);
char *cu_xstrdup(const char *s);
char *cu_xstrndup(const char *s, size_t n);

#endif
