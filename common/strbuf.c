/* strbuf.c — see strbuf.h. */
#include "strbuf.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void cu_oom(void)
{
    fputs("cuwatch: out of memory\n", stderr);
    abort();
}

void *cu_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) cu_oom();
    return p;
}

void *cu_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) cu_oom();
    return p;
}

void *cu_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) cu_oom();
    return p;
}

char *cu_xstrdup(const char *s)
{
    return cu_xstrndup(s, strlen(s));
}

char *cu_xstrndup(const char *s, size_t n)
{
    char *p = cu_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void cu_sb_reserve(cu_sb *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->data = cu_xrealloc(sb->data, cap);
    sb->cap = cap;
}

int cu_sb_try_reserve(cu_sb *sb, size_t extra)
{
    if (extra > SIZE_MAX - sb->len - 1) return -1;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) return 0;
    char *p = realloc(sb->data, need);
    if (!p) return -1;
    sb->data = p;
    sb->cap = need;
    return 0;
}

void cu_sb_append(cu_sb *sb, const void *bytes, size_t n)
{
    cu_sb_reserve(sb, n);
    if (n) memcpy(sb->data + sb->len, bytes, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void cu_sb_puts(cu_sb *sb, const char *s)
{
    cu_sb_append(sb, s, strlen(s));
}

void cu_sb_putc(cu_sb *sb, char c)
{
    cu_sb_reserve(sb, 1);
    sb->data[sb->len++] = c;
    sb->data[sb->len] = '\0';
}

void cu_sb_vprintf(cu_sb *sb, const char *fmt, va_list ap)
{
    /* Format straight into the spare room; grow and redo only when it did not fit. */
    cu_sb_reserve(sb, 64);
    size_t room = sb->cap - sb->len;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(sb->data + sb->len, room, fmt, copy);
    va_end(copy);
    if (n < 0) {
        sb->data[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        cu_sb_reserve(sb, (size_t)n);
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    }
    sb->len += (size_t)n;
}

void cu_sb_printf(cu_sb *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cu_sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void cu_sb_reset(cu_sb *sb)
{
    sb->len = 0;
    if (sb->data) sb->data[0] = '\0';
}

void cu_sb_free(cu_sb *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}
