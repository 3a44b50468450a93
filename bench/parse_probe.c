/* parse_probe.c — cuwatch-parseprobe: the daemon's parse of bench/parse, without a database.
 *
 * `cuwatch --parse` skips piece details (it never prints them); an ingest keeps them, cleaned
 * to UTF-8, for piece_production. This probe runs the ingest's parse (skip_piece_details
 * false) over the files given, with one reused cu_logfile as the daemon does, and prints one
 * line per file (lines, pieces, rejects). With --sum it also prints the bytes of the kept
 * details and a checksum of them, so that two builds can be compared for equal output; that
 * reads every detail again, so bench/parse times the probe without it.
 *
 * Usage: cuwatch-parseprobe [--skip-details] [--sum] FILE...
 * Exit status 1 when a file cannot be read. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "logfile.h"

int main(int argc, char **argv)
{
    cu_logfile lf = {0};
    int rc = 0, first = 1;
    bool sums = false;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "--skip-details") == 0) {
            lf.skip_piece_details = true;
        } else if (strcmp(argv[first], "--sum") == 0) {
            sums = true;
        } else {
            fputs("usage: cuwatch-parseprobe [--skip-details] [--sum] FILE...\n", stderr);
            return 2;
        }
    }
    for (int i = first; i < argc; i++) {
        cu_err err;
        if (cu_logfile_parse_file(&lf, argv[i], &err) != 0) {
            fprintf(stderr, "cuwatch-parseprobe: %s\n", err.msg);
            rc = 1;
            continue;
        }
        uint64_t bytes = 0, sum = 0;
        for (size_t k = 0; sums && k < lf.n_pieces; k++) {
            const unsigned char *d = (const unsigned char *)lf.pieces[k].details;
            size_t n = strlen((const char *)d);
            bytes += n;
            /* Eight bytes at a time, rotate and xor: far cheaper than the parse, so the
             * probe times the parser, yet sensitive to every byte and to their order. */
            size_t j = 0;
            for (; j + 8 <= n; j += 8) {
                uint64_t w;
                memcpy(&w, d + j, 8);
                sum = ((sum << 7) | (sum >> 57)) ^ w;
            }
            for (; j < n; j++)
                sum = ((sum << 7) | (sum >> 57)) ^ d[j];
            sum = ((sum << 7) | (sum >> 57)) ^ n;
        }
        printf("%s lines=%" PRIu64 " pieces=%zu rejects=%" PRIu64, lf.path, (uint64_t)lf.lines,
               lf.n_pieces, (uint64_t)lf.rejected_lines);
        if (sums) printf(" details=%" PRIu64 " sum=%016" PRIx64, bytes, sum);
        putchar('\n');
    }
    cu_logfile_free(&lf);
    return rc;
}
