/*
 * util: small helpers every module uses: allocation that aborts on
 * out-of-memory, a growable string buffer, and error messages returned
 * through an `error_r` out-parameter.
 */
#ifndef WIJKCAL_UTIL_H
#define WIJKCAL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/*
 * Error kinds returned by core functions (0 is success). The CLI maps them
 * to sysexits.h codes in one place.
 */
enum wk_err {
	WK_OK = 0,
	WK_EINVAL = -1,    /* bad input: the message names field and form */
	WK_ENOTFOUND = -2, /* a named thing does not exist */
	WK_EEXIST = -3,    /* it exists already (duplicate slug, e-mail) */
	WK_EBUSY = -4,     /* the database is locked by another writer */
	WK_EIO = -5,       /* the database or a file cannot be used */
};

/* Allocation wrappers: abort with a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Like xstrdup, but NULL stays NULL. */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
/* Allocates and formats; the caller frees. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/*
 * Set *error_r (when error_r is not NULL) to a newly allocated message and
 * return -1, so a failing function can end with
 * `return set_error(error_r, "--start: expected YYYY-MM-DD HH:MM");`.
 * An earlier message in *error_r is freed.
 */
int set_error(char **error_r, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The current time in UTC seconds; $WIJKCAL_NOW (seconds) stands in for
 * the clock when set, so that tests get reproducible DTSTAMPs and plans. */
int64_t now_utc(void);

/* Frees *p and sets it to NULL. */
void xfree(char **p);

/*
 * libconfig 1.5 exports functions named strbuf_append and strbuf_release
 * for its own tokenizer; functions of ours with the same names would be
 * called by libconfig instead of its own. So ours carry a prefix in the
 * object code while the code keeps the short names.
 */
#define strbuf_append  wk_strbuf_append
#define strbuf_appendn wk_strbuf_appendn
#define strbuf_appendf wk_strbuf_appendf
#define strbuf_appendc wk_strbuf_appendc
#define strbuf_take    wk_strbuf_take
#define strbuf_free    wk_strbuf_free

/* A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};
void strbuf_append(struct strbuf *b, const char *s);
void strbuf_appendn(struct strbuf *b, const char *s, size_t n);
void strbuf_appendf(struct strbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strbuf_appendc(struct strbuf *b, char c);
/* Appends s with &, <, >, " and ' escaped for HTML text and attributes. */
void strbuf_append_html(struct strbuf *b, const char *s);
/* Returns the buffer's string (never NULL) and leaves b empty; caller frees. */
char *strbuf_take(struct strbuf *b);
void strbuf_free(struct strbuf *b);

/* True if s is valid UTF-8 (no overlong forms, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/* True if s holds a control character (C0 or DEL); newlines allowed if
 * allow_newline. */
bool has_control_chars(const char *s, bool allow_newline);
/* Reads a whole file of at most max bytes; NULL on error (message in
 * *error_r). *len_r gets the length; the result is NUL-terminated. */
char *read_file_max(const char *path, size_t max, size_t *len_r,
                    char **error_r);
/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);

#endif
