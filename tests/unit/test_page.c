/*
 * Unit tests for daemon/page: HTML escaping, percent-encoding, the
 * subscribe links for each calendar client, Dutch dates, and whole pages:
 * user data (a title with <script>, quotes in a location, a javascript:
 * link) comes out as text, and the Content-Security-Policy admits exactly
 * the page's own inline style and script.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/page.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""},
	    {"Hagro Noord", "Hagro Noord"},
	    {"<script>alert(1)</script>",
	     "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"a & b", "a &amp; b"},
	    {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
	    {"&amp;", "&amp;amp;"},
	    {"Zoë – René", "Zoë – René"},
	    {"\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf b = {0};
		page_escape(&b, cases[i].in);
		char *got = strbuf_take(&b);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_url_encode(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""},
	    {"abcXYZ019-._~", "abcXYZ019-._~"},
	    {"https://agenda.example.nl/feeds/wijk/noord.ics",
	     "https%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk%2Fnoord.ics"},
	    {"Wijkagenda Heuvelland-Noord", "Wijkagenda%20Heuvelland-Noord"},
	    {"a&b=c?d#e+f", "a%26b%3Dc%3Fd%23e%2Bf"},
	    {"Zoë", "Zo%C3%AB"},
	    {"<\"'>", "%3C%22%27%3E"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = page_url_encode(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_feed_and_webcal_urls(void **state)
{
	static const struct {
		const char *base, *path, *url, *webcal;
	} cases[] = {
	    {"https://agenda.example.nl", "feeds/wijk/noord.ics",
	     "https://agenda.example.nl/feeds/wijk/noord.ics",
	     "webcal://agenda.example.nl/feeds/wijk/noord.ics"},
	    {"https://agenda.example.nl/", "/feeds/wijk/noord.ics",
	     "https://agenda.example.nl/feeds/wijk/noord.ics",
	     "webcal://agenda.example.nl/feeds/wijk/noord.ics"},
	    {"http://127.0.0.1:8080", "feeds/kind/fto.ics",
	     "http://127.0.0.1:8080/feeds/kind/fto.ics",
	     "webcal://127.0.0.1:8080/feeds/kind/fto.ics"},
	    {"https://example.nl/agenda//", "feeds/wijk/a.ics",
	     "https://example.nl/agenda/feeds/wijk/a.ics",
	     "webcal://example.nl/agenda/feeds/wijk/a.ics"},
	    {"HTTPS://Example.nl", "feeds/wijk/a.ics",
	     "HTTPS://Example.nl/feeds/wijk/a.ics",
	     "webcal://Example.nl/feeds/wijk/a.ics"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *url = page_feed_url(cases[i].base, cases[i].path);
		char *webcal = page_webcal_url(url);
		assert_string_equal(url, cases[i].url);
		assert_string_equal(webcal, cases[i].webcal);
		free(url);
		free(webcal);
	}
	char *odd = page_webcal_url("webcal://x/y.ics");
	assert_string_equal(odd, "webcal://x/y.ics");
	free(odd);
}

static void test_client_links(void **state)
{
	const char *url = "https://agenda.example.nl/feeds/wijk/noord.ics";
	const char *name = "Wijkagenda Heuvelland-Noord & Zoë";
	char *m365 = page_outlook_url("outlook.office.com", url, name);
	char *live = page_outlook_url("outlook.live.com", url, name);
	char *google = page_google_url(url);
	assert_string_equal(
	    m365, "https://outlook.office.com/calendar/0/addfromweb?url="
	          "https%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk%2Fnoord.ics"
	          "&name=Wijkagenda%20Heuvelland-Noord%20%26%20Zo%C3%AB");
	assert_string_equal(
	    live, "https://outlook.live.com/calendar/0/addfromweb?url="
	          "https%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk%2Fnoord.ics"
	          "&name=Wijkagenda%20Heuvelland-Noord%20%26%20Zo%C3%AB");
	assert_string_equal(
	    google,
	    "https://calendar.google.com/calendar/r?cid="
	    "webcal%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk%2Fnoord.ics");
	free(m365);
	free(live);
	free(google);
}

static struct wtime wt(int y, int mo, int d, int h, int mi, bool date_only)
{
	return (struct wtime){y, mo, d, h, mi, date_only};
}

static void test_dates(void **state)
{
	static const struct {
		struct wtime start, end;
		const char *text;
	} cases[] = {
	    {{2027, 1, 12, 12, 30, false},
	     {2027, 1, 12, 14, 0, false},
	     "dinsdag 12 januari 2027, 12:30\xe2\x80\x93"
	     "14:00"},
	    {{2027, 10, 1, 22, 0, false},
	     {2027, 10, 2, 1, 0, false},
	     "vrijdag 1 oktober 2027, 22:00 \xe2\x80\x93 zaterdag 2 oktober "
	     "2027, 01:00"},
	    {{2027, 11, 30, 0, 0, true},
	     {2027, 11, 30, 0, 0, true},
	     "dinsdag 30 november 2027"},
	    {{2027, 10, 1, 0, 0, true},
	     {2027, 10, 3, 0, 0, true},
	     "vrijdag 1 oktober 2027 t/m zondag 3 oktober 2027"},
	    {{2027, 3, 4, 9, 5, false},
	     {2027, 3, 4, 9, 5, false},
	     "donderdag 4 maart 2027, 09:05"},
	    {{2027, 12, 31, 23, 0, false},
	     {2028, 1, 1, 0, 30, false},
	     "vrijdag 31 december 2027, 23:00 \xe2\x80\x93 zaterdag 1 januari "
	     "2028, 00:30"},
	    {{2028, 2, 29, 0, 0, true},
	     {2028, 2, 29, 0, 0, true},
	     "dinsdag 29 februari 2028"},
	    {{2038, 1, 19, 4, 0, false},
	     {2038, 1, 19, 5, 0, false},
	     "dinsdag 19 januari 2038, 04:00\xe2\x80\x93"
	     "05:00"},
	};
	char buf[PAGE_WHEN_SIZE];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		page_format_when(&cases[i].start, &cases[i].end, buf,
		                 sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	static const char *const monthnames[] = {
	    "januari",   "februari", "maart",    "april",
	    "mei",       "juni",     "juli",     "augustus",
	    "september", "oktober",  "november", "december"};
	for (int m = 1; m <= 12; m++) {
		struct wtime t = wt(2027, m, 1, 0, 0, true);
		char want[48];
		snprintf(want, sizeof(want), "1 %s 2027", monthnames[m - 1]);
		page_format_date(&t, false, buf, sizeof(buf));
		assert_string_equal(buf, want);
	}
	/* 2027-01-10 is a Sunday: every weekday name in turn. */
	static const char *const days[] = {"zondag",   "maandag",   "dinsdag",
	                                   "woensdag", "donderdag", "vrijdag",
	                                   "zaterdag"};
	for (int d = 0; d < 7; d++) {
		struct wtime t = wt(2027, 1, 10 + d, 0, 0, true);
		page_format_date(&t, true, buf, sizeof(buf));
		assert_int_equal(strncmp(buf, days[d], strlen(days[d])), 0);
	}
}

/* The text between open and close, copied; NULL if absent. */
static char *between(const char *s, const char *open, const char *close)
{
	const char *a = strstr(s, open);
	if (a == NULL)
		return NULL;
	a += strlen(open);
	const char *b = strstr(a, close);
	return b ? strndup(a, (size_t)(b - a)) : NULL;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const struct page_item items[] = {
    {"<script>alert('x')</script>",
     "Zaal \"De Linde\" & co",
     NULL,
     NULL,
     "Wijklunch",
     {2027, 1, 14, 12, 0, false},
     {2027, 1, 14, 13, 30, false},
     false,
     false},
    {"Hagro Noord",
     NULL,
     "javascript:alert(1)",
     "https://example.nl/?a=1&b=2",
     "Hagro",
     {2027, 1, 12, 12, 30, false},
     {2027, 1, 12, 14, 0, false},
     true,
     false},
    {"Vragenlijst",
     NULL,
     "https://meet.example.nl/x",
     NULL,
     NULL,
     {2027, 11, 30, 0, 0, true},
     {2027, 11, 30, 0, 0, true},
     false,
     true},
};

static void test_agenda_page(void **state)
{
	struct page_agenda a = {
	    .heading = "Wijkagenda <b>Noord</b>",
	    .feed_name = "Wijkagenda Noord",
	    .feed_url = "https://agenda.example.nl/feeds/wijk/noord.ics",
	    .from = {2027, 1, 1, 0, 0, true},
	    .to = {2027, 4, 2, 0, 0, true},
	    .items = items,
	    .nitems = 3,
	    .nmore = 2,
	};
	size_t len;
	char *html = page_agenda(&a, &len);
	assert_int_equal(strlen(html), len);
	assert_non_null(strstr(html, "<html lang=\"nl\">"));
	assert_non_null(strstr(html, "name=\"viewport\""));
	assert_non_null(strstr(html,
	                       "<title>Wijkagenda &lt;b&gt;Noord&lt;/b&gt;"
	                       "</title>"));
	assert_null(strstr(html, "<b>"));
	/* User data only as text; the page's own script is the only one. */
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/"
	                             "script&gt;"));
	assert_int_equal(count(html, "<script"), 1);
	assert_non_null(strstr(html, "Zaal &quot;De Linde&quot; &amp; co"));
	assert_null(strstr(html, "javascript:"));
	assert_non_null(
	    strstr(html, "href=\"https://example.nl/?a=1&amp;b=2\""));
	assert_non_null(strstr(html, "href=\"https://meet.example.nl/x\""));
	/* Marks, dates, the period and the cap. */
	assert_non_null(strstr(html, "<li class=\"event cancelled\">"));
	assert_int_equal(count(html, ">geannuleerd<"), 1);
	assert_int_equal(count(html, ">verplaatst<"), 1);
	assert_non_null(strstr(html,
	                       "<time datetime=\"2027-01-12T12:30\">"
	                       "dinsdag 12 januari 2027, 12:30\xe2\x80\x93"
	                       "14:00</time>"));
	assert_non_null(strstr(html, "<time datetime=\"2027-11-30\">"));
	assert_non_null(strstr(html, "Van 1 januari 2027 t/m 1 april 2027."));
	assert_non_null(strstr(html, "En nog 2 bijeenkomsten"));
	/* The subscribe links, as attributes (& written as &amp;). */
	assert_non_null(strstr(html,
	                       "id=\"sub-outlook\" href=\"webcal://"
	                       "agenda.example.nl/feeds/wijk/noord.ics\""));
	assert_non_null(strstr(html,
	                       "id=\"sub-apple\" href=\"webcal://"
	                       "agenda.example.nl/feeds/wijk/noord.ics\""));
	assert_non_null(strstr(
	    html,
	    "id=\"sub-m365\" href=\"https://outlook.office.com/calendar/0/"
	    "addfromweb?url=https%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk"
	    "%2Fnoord.ics&amp;name=Wijkagenda%20Noord\""));
	assert_non_null(strstr(
	    html, "id=\"sub-outlookcom\" href=\"https://outlook.live.com/"
	          "calendar/0/addfromweb?url=https%3A%2F%2Fagenda.example.nl%2F"
	          "feeds%2Fwijk%2Fnoord.ics&amp;name=Wijkagenda%20Noord\""));
	assert_non_null(strstr(
	    html,
	    "id=\"sub-google\" href=\"https://calendar.google.com/calendar/"
	    "r?cid=webcal%3A%2F%2Fagenda.example.nl%2Ffeeds%2Fwijk%2F"
	    "noord.ics\""));
	assert_non_null(strstr(html, "value=\"https://agenda.example.nl/feeds/"
	                             "wijk/noord.ics\""));
	assert_non_null(strstr(html, ">Kopieer link</button>"));
	assert_null(strstr(html, "persoonlijke link"));
	assert_null(strstr(html, "noindex"));
	free(html);

	a.is_private = true;
	a.nitems = 0;
	a.nmore = 0;
	html = page_agenda(&a, &len);
	assert_non_null(strstr(html, "persoonlijke link"));
	assert_non_null(strstr(html, "noindex"));
	assert_non_null(strstr(html, "niets gepland"));
	assert_null(strstr(html, "<ol"));
	free(html);
}

static void test_index_page(void **state)
{
	const struct page_wijk wijken[] = {
	    {"noord", "Heuvelland-Noord"},
	    {"zuid", "Zuid <i>&</i> \"Oost\""},
	};
	size_t len;
	char *html = page_index(wijken, 2, &len);
	assert_int_equal(strlen(html), len);
	assert_non_null(strstr(html, "<a href=\"/wijk/noord\">Heuvelland-Noord"
	                             "</a>"));
	assert_non_null(strstr(html, "<a href=\"/wijk/zuid\">Zuid &lt;i&gt;"
	                             "&amp;&lt;/i&gt; &quot;Oost&quot;</a>"));
	assert_null(strstr(html, "<script"));
	free(html);
	html = page_index(NULL, 0, &len);
	assert_non_null(strstr(html, "nog geen wijken"));
	free(html);
}

/* "'sha256-BASE64'" of s. */
static void sha256_source(const char *s, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[64];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL),
	                 1);
	EVP_EncodeBlock(b64, md, (int)n);
	snprintf(out, size, "'sha256-%s'", (const char *)b64);
}

static void test_csp(void **state)
{
	struct page_agenda a = {.heading = "x",
	                        .feed_name = "x",
	                        .feed_url = "https://x/feeds/wijk/x.ics",
	                        .from = {2027, 1, 1, 0, 0, true},
	                        .to = {2027, 2, 1, 0, 0, true}};
	size_t len;
	char *html = page_agenda(&a, &len);
	char *st = between(html, "<style>", "</style>");
	char *sc = between(html, "<script>", "</script>");
	assert_non_null(st);
	assert_non_null(sc);
	char csp[PAGE_CSP_SIZE], want_st[80], want_sc[80], want[PAGE_CSP_SIZE];
	page_csp(csp, sizeof(csp));
	sha256_source(st, want_st, sizeof(want_st));
	sha256_source(sc, want_sc, sizeof(want_sc));
	snprintf(want, sizeof(want),
	         "default-src 'none'; style-src %s; script-src %s; "
	         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	         want_st, want_sc);
	assert_string_equal(csp, want);
	/* No inline style attribute or handler: the policy would block it. */
	assert_null(strstr(html, " style="));
	assert_null(strstr(html, " onclick="));
	free(st);
	free(sc);
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_url_encode),
	    cmocka_unit_test(test_feed_and_webcal_urls),
	    cmocka_unit_test(test_client_links),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_agenda_page),
	    cmocka_unit_test(test_index_page),
	    cmocka_unit_test(test_csp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
