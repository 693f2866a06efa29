/*
 * Unit tests for feeds/mimemsg: RFC 2047 words (split on character
 * boundaries, at most 75 octets), phrases, dates, base64 lines, header
 * injection refused (CR, LF, C1 controls, Unicode line separators), and the
 * wire format of a whole message (CRLF only, short lines, one of each header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feeds/mimemsg.h"

/* Every line ends in CRLF, no bare CR or LF, each under 78 octets. */
static void assert_wire(const char *s, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			assert_true(i + 1 < len && s[i + 1] == '\n');
			assert_true(col <= 76);
			col = 0;
			i++;
		} else {
			assert_true(s[i] != '\n');
			col++;
		}
	}
	assert_int_equal(col, 0);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_phrase(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"Anna de Vries", "Anna de Vries"},
	    {"Vries, Anna", "\"Vries, Anna\""},
	    {"A \"B\" \\C", "\"A \\\"B\\\" \\\\C\""},
	    {"Jeroen Ö", "=?UTF-8?B?SmVyb2VuIMOW?="},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *p = mimemsg_phrase(cases[i].in);
		assert_string_equal(p, cases[i].out);
		free(p);
	}
}

static void test_words_split_on_characters(void **state)
{
	struct strbuf b = {0};
	for (int i = 0; i < 40; i++)
		strbuf_append(&b, "é");
	char *in = strbuf_take(&b);
	char *s = mimemsg_unstructured(in);
	/* Each word at most 75 octets, and decodes whole characters. */
	for (char *w = s; (w = strstr(w, "=?UTF-8?B?")); w++) {
		char *end = strstr(w, "?=");
		assert_non_null(end);
		assert_true(end + 2 - w <= 75);
	}
	assert_int_equal(count(s, "\r\n "), count(s, "=?UTF-8?B?") - 1);
	free(s);
	free(in);
	s = mimemsg_unstructured("Hagro Noord");
	assert_string_equal(s, "Hagro Noord");
	free(s);
}

static void test_date(void **state)
{
	char buf[MIMEMSG_DATE_LEN];
	mimemsg_date(1799753400, buf);
	assert_string_equal(buf, "Tue, 12 Jan 2027 11:30:00 +0000");
	mimemsg_date(2147483648LL, buf); /* after 2038 */
	assert_string_equal(buf, "Tue, 19 Jan 2038 03:14:08 +0000");
}

static void test_base64_lines(void **state)
{
	char data[200];
	memset(data, 'x', sizeof(data));
	char *s = mimemsg_base64(data, sizeof(data));
	assert_wire(s, strlen(s));
	assert_int_equal(count(s, "\r\n"), 4);
	free(s);
}

static struct mimemsg sample(void)
{
	struct mimemsg m = {
	    .from = {"Wijkagenda", "agenda@example.nl"},
	    .reply_to = {NULL, "secretaris@hagro.nl"},
	    .to = {"Anna de Vriës", "anna@linde.nl"},
	    .subject = "Uitnodiging: Hagro Noord, dinsdag 12 januari 2027 "
	               "12:30 — met een heel lange titel erbij",
	    .date = 1799753400,
	    .message_id = "<0123abcd@example.nl>",
	    .text = "Beste Anna,\nregel twee\n",
	    .html = "<p>Beste Anna</p>",
	    .calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR"
	                "\r\n",
	    .method = "REQUEST",
	};
	return m;
}

static void test_message(void **state)
{
	struct mimemsg m = sample();
	size_t len;
	char *err = NULL;
	char *s = mimemsg_build(&m, &len, &err);
	assert_non_null(s);
	assert_wire(s, len);
	char *body = strstr(s, "\r\n\r\n");
	assert_non_null(body);
	*body = '\0';
	assert_int_equal(count(s, "\nTo: "), 1);
	assert_int_equal(count(s, "\nSubject: "), 1);
	assert_int_equal(count(s, "\nMessage-ID: <0123abcd@example.nl>"), 1);
	assert_int_equal(count(s, "\nAuto-Submitted: auto-generated"), 1);
	assert_int_equal(
	    strncmp(s, "From: Wijkagenda\r\n <agenda@example.nl>", 38), 0);
	*body = '\r';
	assert_int_equal(count(body, "text/calendar; method=REQUEST; "
	                             "charset=UTF-8"),
	                 1);
	assert_int_equal(count(body, "filename=\"invite.ics\""), 1);
	free(s);
}

static void test_header_injection_refused(void **state)
{
	struct mimemsg m = sample();
	char *err = NULL;
	m.subject = "Hagro\r\nBcc: x@evil.nl";
	assert_null(mimemsg_build(&m, NULL, &err));
	assert_string_equal(err, "Subject: expected one line of UTF-8 text "
	                         "without control characters");
	m = sample();
	m.to.name = "Anna\nBcc: x@evil.nl";
	assert_null(mimemsg_build(&m, NULL, &err));
	m = sample();
	m.to.addr = "anna@linde.nl\r\nRCPT TO:<x@evil.nl>";
	assert_null(mimemsg_build(&m, NULL, &err));
	/* NEL (octal: "B" would continue a hex escape), U+2028, U+2029, a
	 * C1 control. */
	static const char *const breaks[] = {
	    "Hagro\302\205Bcc: x@evil.nl", "Hagro\xe2\x80\xa8x",
	    "Hagro\xe2\x80\xa9x", "Hagro\xc2\x9bx"};
	for (size_t i = 0; i < ARRAY_SIZE(breaks); i++) {
		m = sample();
		m.subject = breaks[i];
		assert_null(mimemsg_build(&m, NULL, &err));
		m = sample();
		m.to.name = breaks[i];
		assert_null(mimemsg_build(&m, NULL, &err));
		assert_non_null(strstr(err, "To: "));
	}
	m = sample();
	m.method = "PUBLISH";
	assert_null(mimemsg_build(&m, NULL, &err));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phrase),
	    cmocka_unit_test(test_words_split_on_characters),
	    cmocka_unit_test(test_date),
	    cmocka_unit_test(test_base64_lines),
	    cmocka_unit_test(test_message),
	    cmocka_unit_test(test_header_injection_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
