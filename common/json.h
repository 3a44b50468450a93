/* json.h — the few JSON writing helpers that --parse output and JSON log lines need.
 *
 * Strings are escaped so that any byte that reaches them gives valid JSON: the text is first
 * cleaned to UTF-8 by the rules of text.h, then quotes, backslashes and the remaining control
 * characters are escaped. */
#ifndef CU_JSON_H
#define CU_JSON_H

#include <stddef.h>

#include "strbuf.h"

/* Appends s[0..n) as a quoted JSON string; s == NULL appends null. */
void cu_json_str(cu_sb *out, const char *s, size_t n);
/* Same for a NUL-terminated string (or NULL). */
void cu_json_cstr(cu_sb *out, const char *s);

#endif
