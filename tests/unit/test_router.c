/*
 * Unit tests for daemon/router: tables of request paths and methods with
 * the route expected (feeds, /healthz, /metrics, 404, 405, and the 400s and
 * 414 for paths that try to walk out or smuggle bytes), and tables for the
 * header parsers (Accept-Encoding, If-None-Match, HTTP dates) and for the
 * redaction of paths in the access log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/router.h"

/* A string literal and its length, so paths may hold NUL bytes. */
#define IN(s) s, sizeof(s) - 1

struct route_case {
	const char *method;
	const char *path;
	size_t len;
	enum route_kind kind;
	int status;          /* ROUTE_ERROR */
	enum feed_type feed; /* ROUTE_FEED */
	const char *key;     /* ROUTE_FEED */
	enum route_label label;
};

static const struct route_case route_cases[] = {
    /* The routes. */
    {"GET", IN("/feeds/wijk/noord.ics"), ROUTE_FEED, 0, FEED_WIJK, "noord",
     LABEL_WIJK},
    {"HEAD", IN("/feeds/wijk/noord.ics"), ROUTE_FEED, 0, FEED_WIJK, "noord",
     LABEL_WIJK},
    {"GET", IN("/feeds/practice/de-linde.ics"), ROUTE_FEED, 0, FEED_PRACTICE,
     "de-linde", LABEL_PRACTICE},
    {"GET", IN("/feeds/kind/scholing.ics"), ROUTE_FEED, 0, FEED_KIND,
     "scholing", LABEL_KIND},
    {"GET", IN("/feeds/wijk/a1.ics"), ROUTE_FEED, 0, FEED_WIJK, "a1",
     LABEL_WIJK},
    {"GET", IN("/healthz"), ROUTE_HEALTHZ, 0, 0, NULL, LABEL_HEALTHZ},
    {"HEAD", IN("/metrics"), ROUTE_METRICS, 0, 0, NULL, LABEL_METRICS},
    /* Other methods on a route: 405. */
    {"POST", IN("/feeds/wijk/noord.ics"), ROUTE_ERROR, 405, 0, NULL,
     LABEL_WIJK},
    {"DELETE", IN("/healthz"), ROUTE_ERROR, 405, 0, NULL, LABEL_HEALTHZ},
    {"get", IN("/metrics"), ROUTE_ERROR, 405, 0, NULL, LABEL_METRICS},
    {"OPTIONS", IN("/feeds/kind/fto.ics"), ROUTE_ERROR, 405, 0, NULL,
     LABEL_KIND},
    /* Unknown paths: 404, whatever the method. */
    /* The agenda pages. */
    {"GET", IN("/"), ROUTE_INDEX, 0, 0, NULL, LABEL_PAGE},
    {"HEAD", IN("/"), ROUTE_INDEX, 0, 0, NULL, LABEL_PAGE},
    {"POST", IN("/"), ROUTE_ERROR, 405, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/noord"), ROUTE_WIJK_PAGE, 0, 0, "noord", LABEL_PAGE},
    {"GET", IN("/wijk/a-1"), ROUTE_WIJK_PAGE, 0, 0, "a-1", LABEL_PAGE},
    {"PUT", IN("/wijk/noord"), ROUTE_ERROR, 405, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/Noord"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/-x"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/noord/"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk/noord.ics"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/wijk"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"GET", IN("/private/abcdefghijklmnopqrstuvwxyz234567"), ROUTE_PRIVATE_PAGE,
     0, 0, "abcdefghijklmnopqrstuvwxyz234567", LABEL_PAGE},
    {"POST", IN("/private/abcdefghijklmnopqrstuvwxyz234567"), ROUTE_ERROR, 405,
     0, NULL, LABEL_PAGE},
    {"GET", IN("/private/abcdefghijklmnopqrstuvwxyz23456"), ROUTE_ERROR, 404, 0,
     NULL, LABEL_PAGE},
    {"GET", IN("/private/abcdefghijklmnopqrstuvwxyz234567.ics"), ROUTE_ERROR,
     404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/private/noord"), ROUTE_ERROR, 404, 0, NULL, LABEL_PAGE},
    {"GET", IN("/index.html"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"POST", IN("/nothing"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"GET", IN("/feeds"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"GET", IN("/feeds/"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"GET", IN("/feeds/wijk/"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/wijk/.ics"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/wijk/noord"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/wijk/noord.ics/"), ROUTE_ERROR, 404, 0, NULL,
     LABEL_WIJK},
    {"GET", IN("/feeds/wijk/Noord.ics"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/wijk/-noord.ics"), ROUTE_ERROR, 404, 0, NULL,
     LABEL_WIJK},
    {"GET", IN("/feeds/wijk/no_ord.ics"), ROUTE_ERROR, 404, 0, NULL,
     LABEL_WIJK},
    {"GET", IN("/feeds/wijk/a/b.ics"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/wijk/noord.ICS"), ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
    {"GET", IN("/feeds/private/abc.ics"), ROUTE_ERROR, 404, 0, NULL,
     LABEL_PRIVATE},
    /* A private feed: a token is 32 of [a-z2-7]. */
    {"GET", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz234567.ics"),
     ROUTE_FEED, 0, FEED_TOKEN, "abcdefghijklmnopqrstuvwxyz234567",
     LABEL_PRIVATE},
    {"HEAD", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz234567.ics"),
     ROUTE_FEED, 0, FEED_TOKEN, "abcdefghijklmnopqrstuvwxyz234567",
     LABEL_PRIVATE},
    {"POST", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz234567.ics"),
     ROUTE_ERROR, 405, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz23456.ics"),
     ROUTE_ERROR, 404, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz2345678.ics"),
     ROUTE_ERROR, 404, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz234561.ics"),
     ROUTE_ERROR, 404, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/private/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567.ics"),
     ROUTE_ERROR, 404, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/private/abcdefghijklmnopqrstuvwxyz234567"), ROUTE_ERROR,
     404, 0, NULL, LABEL_PRIVATE},
    {"GET", IN("/feeds/other/noord.ics"), ROUTE_ERROR, 404, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/healthz/"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    {"GET", IN("/metricsx"), ROUTE_ERROR, 404, 0, NULL, LABEL_OTHER},
    /* Walks and smuggled bytes: 400 before any route is looked at. */
    {"GET", IN("/feeds/wijk/../../etc/passwd"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/%2e%2e/%2e%2e/etc/passwd"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/%2E%2E%2Fx.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/noord%2fx.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/noord%00.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/no\0rd.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/noord.ics\0"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/..\\x.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds//wijk/noord.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/./healthz"), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN("/feeds/wijk/."), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN("/.."), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN("/feeds/wijk/no ord.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/noord.ics\r\nX: y"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/\xc0\xae\xc0\xae.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/feeds/wijk/zo\xc3\xab.ics"), ROUTE_ERROR, 400, 0, NULL,
     LABEL_OTHER},
    {"GET", IN("/healthz?x=1"), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN("healthz"), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN("http://host/healthz"), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"GET", IN(""), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    {"POST", IN("/feeds/%2e%2e"), ROUTE_ERROR, 400, 0, NULL, LABEL_OTHER},
    /* A name of 64 characters is a slug, 65 is not. */
    {"GET",
     IN("/feeds/wijk/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ics"),
     ROUTE_FEED, 0, FEED_WIJK,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     LABEL_WIJK},
    {"GET",
     IN("/feeds/wijk/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "ics"),
     ROUTE_ERROR, 404, 0, NULL, LABEL_WIJK},
};

static void test_routes(void **state)
{
	for (size_t i = 0; i < sizeof(route_cases) / sizeof(route_cases[0]);
	     i++) {
		const struct route_case *c = &route_cases[i];
		struct route r;
		router_match(c->method, c->path, c->len, &r);
		print_message("%s %.*s\n", c->method, (int)c->len, c->path);
		assert_int_equal(r.kind, c->kind);
		assert_int_equal(r.label, c->label);
		if (c->kind == ROUTE_ERROR)
			assert_int_equal(r.status, c->status);
		if (c->kind == ROUTE_FEED) {
			assert_int_equal(r.feed, c->feed);
			assert_string_equal(r.key, c->key);
		}
		if (c->kind == ROUTE_WIJK_PAGE || c->kind == ROUTE_PRIVATE_PAGE)
			assert_string_equal(r.key, c->key);
	}
}

/* Paths up to ROUTER_MAX_PATH are read, longer ones get 414. */
static void test_long_paths(void **state)
{
	size_t n = 16 * 1024;
	char *path = malloc(n);
	memset(path, 'a', n);
	path[0] = '/';
	struct route r;
	router_match("GET", path, ROUTER_MAX_PATH, &r);
	assert_int_equal(r.kind, ROUTE_ERROR);
	assert_int_equal(r.status, 404);
	router_match("GET", path, ROUTER_MAX_PATH + 1, &r);
	assert_int_equal(r.status, 414);
	router_match("GET", path, n, &r);
	assert_int_equal(r.status, 414);
	free(path);
}

static void test_label_names(void **state)
{
	assert_string_equal(router_label_name(LABEL_WIJK), "wijk");
	assert_string_equal(router_label_name(LABEL_PRACTICE), "practice");
	assert_string_equal(router_label_name(LABEL_KIND), "kind");
	assert_string_equal(router_label_name(LABEL_PRIVATE), "private");
	assert_string_equal(router_label_name(LABEL_HEALTHZ), "healthz");
	assert_string_equal(router_label_name(LABEL_METRICS), "metrics");
	assert_string_equal(router_label_name(LABEL_PAGE), "page");
	assert_string_equal(router_label_name(LABEL_OTHER), "other");
	assert_string_equal(router_label_name(ROUTE_LABELS), "other");
}

static const struct {
	const char *header;
	bool gzip;
} gzip_cases[] = {
    {NULL, false},
    {"", false},
    {"gzip", true},
    {"GZIP", true},
    {"x-gzip", true},
    {"gzip, deflate, br", true},
    {"deflate, gzip", true},
    {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
    {"gzip;q=0", false},
    {"gzip; q=0.000", false},
    {"gzip;Q=0.001", true},
    {"gzip;q=1", true},
    {"gzip;q=1.000", true},
    {"gzip;q=1.5", false},    /* not a qvalue: the element is ignored */
    {"gzip;q=0.0001", false}, /* four decimals: ignored */
    {"gzip;q=abc", false},
    {"gzip;q=", false},
    {"identity", false},
    {"deflate", false},
    {"*", true},
    {"*;q=0", false},
    {"*, gzip;q=0", false}, /* gzip named: its q decides */
    {"gzip;q=0, *", false},
    {"identity;q=1, *;q=0", false},
    {"gzipx", false},
    {"xgzip", false},
    {"gzip foo", false},
    {" \t gzip \t ", true},
    {",,,gzip,,,", true},
    {"gzip;level=9", true},
    {"gzip;level=9;q=0", false},
    {";;;", false},
    {"gzip;", true},
};

static void test_accepts_gzip(void **state)
{
	for (size_t i = 0; i < sizeof(gzip_cases) / sizeof(gzip_cases[0]);
	     i++) {
		print_message("Accept-Encoding: %s\n",
		              gzip_cases[i].header ? gzip_cases[i].header
		                                   : "(none)");
		assert_int_equal(router_accepts_gzip(gzip_cases[i].header),
		                 gzip_cases[i].gzip);
	}
}

static const struct {
	const char *header;
	bool match;
} etag_cases[] = {
    {"\"abc\"", true},
    {"\"abc-gz\"", true},
    {"W/\"abc\"", true},
    {"W/\"abc-gz\"", true},
    {"*", true},
    {"\"x\", \"abc\"", true},
    {"\"x\" ,W/\"abc-gz\"", true},
    {"\"x\"", false},
    {"abc", false},
    {"\"abc", false},
    {"\"ab\"", false},
    {"\"abcd\"", false},
    {"\"ABC\"", false},
    {"", false},
    {"\"x\" \"abc\"", false}, /* no comma: malformed, no match */
    {"w/\"abc\"", false},
    {"\"\"", false},
    {",", false},
};

static void test_etag_match(void **state)
{
	for (size_t i = 0; i < sizeof(etag_cases) / sizeof(etag_cases[0]);
	     i++) {
		print_message("If-None-Match: %s\n", etag_cases[i].header);
		assert_int_equal(router_etag_match(etag_cases[i].header,
		                                   "\"abc\"", "\"abc-gz\""),
		                 etag_cases[i].match);
	}
	assert_false(router_etag_match(NULL, "\"abc\"", NULL));
	assert_true(router_etag_match("\"abc\"", "\"abc\"", NULL));
	assert_false(router_etag_match("\"abc-gz\"", "\"abc\"", NULL));
}

static void test_http_dates(void **state)
{
	static const struct {
		const char *text;
		time_t t;
	} good[] = {
	    {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
	    {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
	    {"Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
	    {"Wed, 29 Feb 2040 12:00:00 GMT", 2214129600},
	    {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
	};
	char buf[ROUTER_DATE_SIZE];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		time_t t = -1;
		assert_int_equal(router_parse_http_date(good[i].text, &t), 0);
		assert_int_equal(t, good[i].t);
		router_format_http_date(good[i].t, buf);
		assert_string_equal(buf, good[i].text);
	}
	static const char *const bad[] = {
	    NULL,
	    "",
	    "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850: not supported */
	    "Sun Nov  6 08:49:37 1994",       /* asctime */
	    "Sun, 06 Nov 1994 08:49:37 UTC",
	    "Sun, 06 Nov 1994 08:49:37 GMT ",
	    "Sun, 6 Nov 1994 08:49:37 GMT",
	    "Sun, 06 Nox 1994 08:49:37 GMT",
	    "Xyz, 06 Nov 1994 08:49:37 GMT",
	    "Sun, 06 Nov 1994 24:00:00 GMT",
	    "Sun, 06 Nov 1994 08:60:00 GMT",
	    "Sun, 00 Nov 1994 08:49:37 GMT",
	    "Sun, 32 Nov 1994 08:49:37 GMT",
	    "Sun, 06 Nov 1969 08:49:37 GMT",
	    "Sun, 06 Nov 19a4 08:49:37 GMT",
	    "Sun, 06 Nov 1994 08:49:3",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		time_t t = 42;
		print_message("date: %s\n", bad[i] ? bad[i] : "(null)");
		assert_int_equal(router_parse_http_date(bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
}

static void test_log_path(void **state)
{
	static const struct {
		const char *path;
		size_t len;
		const char *logged;
	} cases[] = {
	    {IN("/feeds/wijk/noord.ics"), "/feeds/wijk/noord.ics"},
	    {IN("/feeds/private/3q2+7w_secret.ics"), "/feeds/private/[token]"},
	    {IN("/private/3q2secret"), "/private/[token]"},
	    {IN("/private/"), "/private/"},
	    {IN("/feeds/private"), "/feeds/private"},
	    {IN("/a b\r\n\x01\x7f\xff\\"),
	     "/a\\x20b\\x0d\\x0a\\x01\\x7f\\xff\\x5c"},
	    {IN("/a\0b"), "/a\\x00b"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		router_log_path(cases[i].path, cases[i].len, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].logged);
	}
	/* A long path is cut and marked; the buffer never overflows. */
	char path[300];
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	router_log_path(path, sizeof(path), buf, 32);
	assert_true(strlen(buf) < 32);
	assert_string_equal(buf + strlen(buf) - 3, "...");
	memset(path, '\n', sizeof(path));
	router_log_path(path, sizeof(path), buf, 32);
	assert_true(strlen(buf) < 32);
	assert_string_equal(buf + strlen(buf) - 3, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_long_paths),
	    cmocka_unit_test(test_label_names),
	    cmocka_unit_test(test_accepts_gzip),
	    cmocka_unit_test(test_etag_match),
	    cmocka_unit_test(test_http_dates),
	    cmocka_unit_test(test_log_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
