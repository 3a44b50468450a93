/* readfile.c — getting a file's bytes to the hash and the parser (issue 8: peak memory).
 *
 * An ordinary upload (a day's log: a few MB) is read whole into one buffer, hashed, then
 * parsed from it; the buffer stays for an append, whose prefix is hashed and parsed again
 * from memory. A file above CU_STREAM_ABOVE is streamed instead: read a chunk at a time, each
 * chunk hashed and (when wanted) fed to the parser before the next is read, so that the file
 * itself is never held (it was a third of the peak: file + parse + COPY text). The hash is
 * still exactly of the content parsed, since both see the same chunk. What needs the bytes
 * again (an append's prefix, a parse first skipped) reads the file again in a new pass, and
 * the caller checks with its stat that it is still the file first read.
 *
 * Either way the size is checked against watch.max_file_size on the open file before reading
 * and again while reading (an upload may still be growing), and the buffers' allocation may
 * fail without aborting: a file's size is the uploader's choice, not ours. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "db_int.h"

#define CU_STREAM_CHUNK ((size_t)1 << 20)

void cu_hex32(const unsigned char md[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int cu_sha256_hex(const void *data, size_t len, char out[65], cu_err *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(data ? data : "", len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return cu_fail(err, "SHA-256 failed");
    cu_hex32(md, out);
    return 0;
}

/* Opens path for reading: a regular file, O_NONBLOCK only for the open (a FIFO put in the
 * file's place since the scan must not hang it). Returns the descriptor with *st filled, or
 * -1 with err (and errno). */
static int cu_open_regular(const char *path, const char *relpath, struct stat *st, cu_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        cu_fail(err, "%s: could not open: %s", relpath, strerror(e));
        errno = e;
        return -1;
    }
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        cu_fail(err, "%s: could not stat: %s", relpath, strerror(e));
        errno = e;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        errno = EINVAL;
        cu_fail(err, "%s: not a regular file", relpath);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

static int cu_read_fail(int fd, const char *relpath, cu_err *err)
{
    int e = errno;
    close(fd);
    cu_fail(err, "%s: could not read: %s", relpath, strerror(e));
    errno = e;
    return -1;
}

/* The whole file into buf (see cu_read_file). */
static int cu_read_whole(int fd, cu_sb *buf, const char *relpath, int64_t max, struct stat *st,
                         bool *too_big, cu_err *err)
{
    /* Sized from fstat (plus a little room to see EOF) rather than doubled. */
    if (cu_sb_try_reserve(buf, (size_t)st->st_size + 4096) != 0) {
        close(fd);
        errno = ENOMEM;
        return cu_fail(err, "%s: out of memory for its %lld bytes", relpath, (long long)st->st_size);
    }
    for (;;) {
        if (buf->cap - buf->len - 1 == 0) {
            if ((int64_t)buf->len > max) break; /* grew past the limit while we read */
            size_t more = buf->len / 4 > 65536 ? buf->len / 4 : 65536;
            if (cu_sb_try_reserve(buf, more) != 0) {
                close(fd);
                errno = ENOMEM;
                return cu_fail(err, "%s: out of memory for more than %zu bytes", relpath, buf->len);
            }
        }
        ssize_t n = read(fd, buf->data + buf->len, buf->cap - buf->len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return cu_read_fail(fd, relpath, err);
        if (n == 0) break;
        buf->len += (size_t)n;
    }
    fstat(fd, st); /* as it is now that it has been read: what the lock-time check compares */
    close(fd);
    if ((int64_t)buf->len > max) {
        *too_big = true;
        st->st_size = (off_t)buf->len;
        cu_sb_reset(buf);
        return 0;
    }
    if (buf->data) buf->data[buf->len] = '\0';
    return 0;
}

/* One streamed pass (see cu_read_file): chunks through buf into the hash and the parser. */
static int cu_read_stream(int fd, cu_sb *buf, const char *relpath, int64_t max, struct stat *st,
                          bool *too_big, cu_read_stream_args *s, cu_err *err)
{
    if (cu_sb_try_reserve(buf, CU_STREAM_CHUNK) != 0) {
        close(fd);
        errno = ENOMEM;
        return cu_fail(err, "%s: out of memory for a read buffer", relpath);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        close(fd);
        errno = ENOMEM;
        return cu_fail(err, "%s: SHA-256 failed", relpath);
    }
    /* Said before the first byte: a pass cut short (a read error, a file that grew past the
     * limit) has a partial parse too, which cu_ingest_trim must give back. */
    s->streamed = true;
    if (s->lf) cu_logfile_parse_start(s->lf, s->parse_path);
    int64_t got = 0;
    bool ok = true;
    for (;;) {
        size_t room = CU_STREAM_CHUNK;
        if (s->want >= 0 && (int64_t)room > s->want - got) room = (size_t)(s->want - got);
        if (room == 0) break;
        ssize_t n = read(fd, buf->data, room);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            EVP_MD_CTX_free(md);
            return cu_read_fail(fd, relpath, err);
        }
        if (n == 0) break;
        got += n;
        if (got > max) { /* grew past the limit while we read */
            *too_big = true;
            break;
        }
        ok = ok && EVP_DigestUpdate(md, buf->data, (size_t)n) == 1;
        if (s->lf) cu_logfile_parse_feed(s->lf, buf->data, (size_t)n);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(md, digest, &mdlen) == 1 && mdlen == 32;
    EVP_MD_CTX_free(md);
    fstat(fd, st); /* as it is now that it has been read: what the lock-time check compares */
    close(fd);
    buf->len = 0;
    s->got = got;
    if (*too_big) {
        st->st_size = (off_t)got;
        return 0;
    }
    if (!ok) return cu_fail(err, "%s: SHA-256 failed", relpath);
    cu_hex32(digest, s->hash);
    if (s->lf) {
        cu_logfile_parse_finish(s->lf);
        /* A streamed file is a big one: its events (16 bytes a piece) are not kept while its
         * rows go to the database. */
        cu_logfile_release_scratch(s->lf);
    }
    return 0;
}

int cu_read_file(cu_sb *buf, const char *path, const char *relpath, int64_t max,
                 struct stat *st, bool *too_big, cu_read_stream_args *stream, cu_err *err)
{
    *too_big = false;
    if (stream) stream->streamed = false;
    int fd = cu_open_regular(path, relpath, st, err);
    if (fd < 0) return -1;
    cu_sb_reset(buf);
    if (st->st_size > max) {
        close(fd);
        *too_big = true;
        return 0;
    }
    if (stream && (stream->want >= 0 || st->st_size > CU_STREAM_ABOVE))
        return cu_read_stream(fd, buf, relpath, max, st, too_big, stream, err);
    return cu_read_whole(fd, buf, relpath, max, st, too_big, err);
}
