/*
 * mimemsg: the bytes of one e-mail (RFC 5322 with MIME), as the spool
 * file and the SMTP upload both need them. libcurl's MIME API cannot hand
 * back the serialised message and does not RFC 2047-encode header words,
 * so this small writer does, with its own tests:
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=UTF-8             (base64)
 *       text/html; charset=UTF-8              (base64)
 *       text/calendar; method=M; charset=UTF-8 (base64)
 *     application/ics; name=invite.ics        (base64, attachment)
 *
 * Lines end in CRLF and stay under 78 octets; no header value ever holds
 * a CR or LF from the data, nor (to be decoded later) a C1 control or a
 * Unicode line separator; non-ASCII names and subjects become RFC 2047
 * encoded-words (UTF-8, base64).
 */
#ifndef WIJKCAL_MIMEMSG_H
#define WIJKCAL_MIMEMSG_H

#include <stddef.h>
#include <stdint.h>

/* A mailbox: a display name (may be NULL) and an address. */
struct mimemsg_addr {
	const char *name;
	const char *addr;
};

struct mimemsg {
	struct mimemsg_addr from, reply_to, to; /* reply_to.addr may be NULL */
	const char *subject;                    /* UTF-8, one line */
	int64_t date;           /* UTC seconds, for the Date header */
	const char *message_id; /* "<local@domain>" */
	const char *text;       /* UTF-8 plain text body (LF or CRLF) */
	const char *html;       /* UTF-8 HTML body */
	const char *calendar;   /* iCalendar text (CRLF) */
	const char *method;     /* its METHOD: "REQUEST" or "CANCEL" */
};

/*
 * The whole message. Returns the text (caller frees; NUL-terminated,
 * *len_r its length) or NULL with a message naming the header when a
 * value holds a control character (C0, DEL, C1, U+2028 or U+2029) or an
 * address is malformed.
 */
char *mimemsg_build(const struct mimemsg *m, size_t *len_r, char **error_r);

/*
 * A display name for a header: as it is when it is plain ASCII without
 * specials, a quoted-string when ASCII with specials, else RFC 2047
 * encoded-words of at most 75 octets joined by CRLF SP. Caller frees.
 */
char *mimemsg_phrase(const char *utf8);
/* An unstructured value (Subject): ASCII as it is, else encoded-words,
 * folded with CRLF SP. Caller frees. */
char *mimemsg_unstructured(const char *utf8);
/* The RFC 5322 date of a UTC instant: "Tue, 12 Jan 2027 11:30:00 +0000". */
#define MIMEMSG_DATE_LEN 80
void mimemsg_date(int64_t utc, char buf[MIMEMSG_DATE_LEN]);
/* Base64 of n bytes in CRLF-terminated lines of 76; caller frees. */
char *mimemsg_base64(const char *data, size_t n);

#endif
