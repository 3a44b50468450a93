/* text_ref.h — reference (byte-at-a-time) versions of cu_utf8_valid and cu_text_clean, for
 * the differential test tests/test_text.c. Same contracts as common/text.h. */
#ifndef CU_TEXT_REF_H
#define CU_TEXT_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

bool cu_ref_utf8_valid(const char *s, size_t n);
void cu_ref_text_clean(cu_sb *out, const char *s, size_t n, size_t max_bytes);

#endif
