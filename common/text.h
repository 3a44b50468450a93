/* text.h — the text rules of SPEC §1 for anything cuwatch stores or prints.
 *
 * Encoding is decided per piece of text: valid UTF-8 stays UTF-8, anything else is read as
 * Latin-1 and converted. NUL bytes and C0 control characters other than tab are removed.
 * The result is always valid UTF-8, so it can go to PostgreSQL and into JSON as is. */
#ifndef CU_TEXT_H
#define CU_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

bool cu_utf8_valid(const char *s, size_t n);

/* Appends the cleaned UTF-8 form of s[0..n) to out, cut to at most max_bytes bytes of output
 * on a character boundary. */
void cu_text_clean(cu_sb *out, const char *s, size_t n, size_t max_bytes);

#endif
