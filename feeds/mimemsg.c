/*
 * mimemsg: the message writer of feeds/mimemsg.h. Every body goes base64,
 * so no data line can start a boundary or exceed a line limit; boundaries
 * hold '_' and '.', which base64 never does.
 */
#include "feeds/mimemsg.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model.h"
#include "core/util.h"

#define B64_LINE   76
#define WORD_CHUNK 39 /* input bytes per encoded-word: 52 base64 */

/* Appends base64 of n bytes in CRLF-terminated lines of 76. */
static void append_base64(struct strbuf *b, const char *data, size_t n)
{
	unsigned char line[B64_LINE + 3];
	for (size_t off = 0; off < n; off += 57) {
		size_t chunk = n - off < 57 ? n - off : 57;
		int len = EVP_EncodeBlock(
		    line, (const unsigned char *)data + off, (int)chunk);
		line[len] = '\r';
		line[len + 1] = '\n';
		strbuf_appendn(b, (const char *)line, (size_t)len + 2);
	}
}

char *mimemsg_base64(const char *data, size_t n)
{
	struct strbuf b = {0};
	append_base64(&b, data, n);
	return strbuf_take(&b);
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Encoded-words for s, never splitting a UTF-8 character. */
static char *encoded_words(const char *s)
{
	struct strbuf b = {0};
	size_t n = strlen(s), off = 0;
	while (off < n) {
		size_t chunk = n - off < WORD_CHUNK ? n - off : WORD_CHUNK;
		/* Back off to the start of a character. */
		while (off + chunk < n &&
		       ((unsigned char)s[off + chunk] & 0xC0) == 0x80)
			chunk--;
		unsigned char out[4 * ((WORD_CHUNK + 2) / 3) + 1];
		int len = EVP_EncodeBlock(out, (const unsigned char *)s + off,
		                          (int)chunk);
		strbuf_append(&b, off ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		strbuf_appendn(&b, (const char *)out, (size_t)len);
		strbuf_append(&b, "?=");
		off += chunk;
	}
	return strbuf_take(&b);
}

static bool is_atext_phrase(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (strchr("()<>[]:;@\\,.\"", *s))
			return false;
	return true;
}

char *mimemsg_phrase(const char *utf8)
{
	if (!is_ascii(utf8) || strlen(utf8) > 60)
		return encoded_words(utf8);
	if (is_atext_phrase(utf8))
		return xstrdup(utf8);
	struct strbuf b = {0};
	strbuf_appendc(&b, '"');
	for (const char *p = utf8; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_appendc(&b, '\\');
		strbuf_appendc(&b, *p);
	}
	strbuf_appendc(&b, '"');
	return strbuf_take(&b);
}

char *mimemsg_unstructured(const char *utf8)
{
	/* Long ASCII subjects are encoded too: the words fold safely. */
	if (is_ascii(utf8) && strlen(utf8) <= 60)
		return xstrdup(utf8);
	return encoded_words(utf8);
}

void mimemsg_date(int64_t utc, char buf[MIMEMSG_DATE_LEN])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
	                                   "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
	                                     "May", "Jun", "Jul", "Aug",
	                                     "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)utc;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, MIMEMSG_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* True if s holds a C1 control (U+0080..U+009F, NEL among them) or a
 * Unicode line or paragraph separator (U+2028, U+2029): some readers
 * break lines there once the encoded-words are decoded. */
static bool has_unicode_breaks(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			return true;
		if (p[0] == 0xE2 && p[1] == 0x80 &&
		    (p[2] == 0xA8 || p[2] == 0xA9))
			return true;
	}
	return false;
}

/* Checks a header value from the data: one line, no control characters. */
static int check_value(const char *v, const char *header, char **error_r)
{
	if (v == NULL || has_control_chars(v, false) ||
	    !utf8_valid(v, strlen(v)) || has_unicode_breaks(v))
		return set_error(error_r,
		                 "%s: expected one line of UTF-8 text without "
		                 "control characters",
		                 header);
	return 0;
}

/* "Name <addr>" into b, the name encoded as needed. */
static int append_mailbox(struct strbuf *b, const char *header,
                          const struct mimemsg_addr *a, char **error_r)
{
	if (a->addr == NULL || model_check_email(a->addr, header, error_r) < 0)
		return set_error(error_r, "%s: expected an e-mail address",
		                 header);
	if (a->name && *a->name) {
		if (check_value(a->name, header, error_r) < 0)
			return -1;
		char *phrase = mimemsg_phrase(a->name);
		strbuf_appendf(b, "%s: %s\r\n <%s>\r\n", header, phrase,
		               a->addr);
		free(phrase);
	} else {
		strbuf_appendf(b, "%s: <%s>\r\n", header, a->addr);
	}
	return 0;
}

static int append_headers(struct strbuf *b, const struct mimemsg *m,
                          char **error_r)
{
	if (append_mailbox(b, "From", &m->from, error_r) < 0 ||
	    (m->reply_to.addr &&
	     append_mailbox(b, "Reply-To", &m->reply_to, error_r) < 0) ||
	    append_mailbox(b, "To", &m->to, error_r) < 0 ||
	    check_value(m->subject, "Subject", error_r) < 0 ||
	    check_value(m->message_id, "Message-ID", error_r) < 0)
		return -1;
	if (strchr(m->message_id, ' ') || m->message_id[0] != '<')
		return set_error(error_r, "Message-ID: expected <id@domain>");
	char *subject = mimemsg_unstructured(m->subject);
	char date[MIMEMSG_DATE_LEN];
	mimemsg_date(m->date, date);
	strbuf_appendf(b, "Subject: %s\r\n", subject);
	free(subject);
	strbuf_appendf(b, "Date: %s\r\n", date);
	strbuf_appendf(b, "Message-ID: %s\r\n", m->message_id);
	strbuf_append(b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated"
	                 "\r\nX-Auto-Response-Suppress: All\r\n");
	return 0;
}

/* Base64 of a body, its line ends made CRLF first (bare LF and CR become
 * CRLF). */
static char *encode_body(const char *s)
{
	struct strbuf text = {0}, enc = {0};
	while (*s) {
		size_t run = strcspn(s, "\r\n");
		strbuf_appendn(&text, s, run);
		s += run;
		if (*s == '\0')
			break;
		strbuf_appendn(&text, "\r\n", 2);
		s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
	}
	append_base64(&enc, text.data, text.len);
	strbuf_free(&text);
	return strbuf_take(&enc);
}

/* One body part: its headers, then the body already in base64. */
static void append_part(struct strbuf *b, const char *boundary,
                        const char *type, const char *extra, const char *enc)
{
	strbuf_appendf(b, "--%s\r\nContent-Type: %s\r\n", boundary, type);
	if (extra)
		strbuf_append(b, extra);
	strbuf_append(b, "Content-Transfer-Encoding: base64\r\n\r\n");
	strbuf_append(b, enc);
}

static int check_method(const char *method, char **error_r)
{
	if (method &&
	    (strcmp(method, "REQUEST") == 0 || strcmp(method, "CANCEL") == 0))
		return 0;
	return set_error(error_r, "method: expected REQUEST or CANCEL");
}

char *mimemsg_build(const struct mimemsg *m, size_t *len_r, char **error_r)
{
	struct strbuf b = {0};
	if ((m->calendar && check_method(m->method, error_r) < 0) ||
	    append_headers(&b, m, error_r) < 0) {
		strbuf_free(&b);
		return NULL;
	}
	/* Boundaries from the Message-ID's hash part: stable per message. */
	char mixed[80], alt[80], caltype[96];
	snprintf(mixed, sizeof(mixed), "=_wijkcal.mixed.%.32s",
	         m->message_id + 1);
	snprintf(alt, sizeof(alt), "=_wijkcal.alt.%.32s", m->message_id + 1);
	for (char *p = mixed; *p; p++)
		*p = strchr("<>@ \"", *p) ? '_' : *p;
	for (char *p = alt; *p; p++)
		*p = strchr("<>@ \"", *p) ? '_' : *p;
	snprintf(caltype, sizeof(caltype),
	         "text/calendar; method=%s; charset=UTF-8", m->method);
	strbuf_appendf(&b,
	               "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n"
	               "\r\nThis is a message in MIME format.\r\n",
	               mixed);
	strbuf_appendf(&b,
	               "--%s\r\nContent-Type: multipart/alternative;\r\n "
	               "boundary=\"%s\"\r\n\r\n",
	               mixed, alt);
	char *text = encode_body(m->text ? m->text : "");
	char *html = encode_body(m->html ? m->html : "");
	/* The calendar twice (the part and the attachment), encoded once. */
	char *cal = m->calendar ? encode_body(m->calendar) : NULL;
	append_part(&b, alt, "text/plain; charset=UTF-8", NULL, text);
	append_part(&b, alt, "text/html; charset=UTF-8", NULL, html);
	if (cal)
		append_part(&b, alt, caltype, NULL, cal);
	strbuf_appendf(&b, "--%s--\r\n", alt);
	if (cal)
		append_part(&b, mixed, "application/ics; name=\"invite.ics\"",
		            "Content-Disposition: attachment; "
		            "filename=\"invite.ics\"\r\n",
		            cal);
	free(text);
	free(html);
	free(cal);
	strbuf_appendf(&b, "--%s--\r\n", mixed);
	if (len_r)
		*len_r = b.len;
	return strbuf_take(&b);
}
