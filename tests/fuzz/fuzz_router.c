/*
 * libFuzzer target for daemon/router: the input is "METHOD PATH" up to the
 * first newline, and the rest is a header value. Checks what the router
 * promises: a feed route has a valid slug and a path that is exactly the
 * feed's URL; an error is one of 400, 404, 405 and 414; only GET and HEAD
 * reach a route; no walk ("..", "//", '%', NUL, '\') is ever routed. The
 * header value goes through every header parser, and the path through the
 * log redaction, whose output must be printable ASCII, bounded, and never
 * hold a token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "daemon/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_route(const char *method, const char *path, size_t len)
{
	struct route r;
	router_match(method, path, len, &r);
	if ((unsigned)r.label >= ROUTE_LABELS)
		abort();
	if (r.kind == ROUTE_ERROR) {
		if (r.status != 400 && r.status != 404 && r.status != 405 &&
		    r.status != 414)
			abort();
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		abort();
	if (memchr(path, '%', len) || memchr(path, '\0', len) ||
	    memchr(path, '\\', len))
		abort();
	if (r.kind != ROUTE_FEED)
		return;
	struct feed_spec spec = {r.feed, r.key};
	char *want = feedset_path(&spec); /* "feeds/wijk/noord.ics" */
	if (len != strlen(want) + 1 || path[0] != '/' ||
	    memcmp(path + 1, want, len - 1) != 0)
		abort();
	free(want);
	size_t n = strlen(r.key);
	if (n == 0 || n > ROUTER_KEY_MAX || r.key[0] == '-' ||
	    strspn(r.key, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		abort();
}

static void check_log(const char *path, size_t len)
{
	char buf[64];
	router_log_path(path, len, buf, sizeof(buf));
	size_t n = strlen(buf);
	if (n >= sizeof(buf))
		abort();
	for (size_t i = 0; i < n; i++)
		if (buf[i] <= 0x20 || buf[i] >= 0x7f)
			abort();
	if (len > 15 && memcmp(path, "/feeds/private/", 15) == 0 &&
	    strcmp(buf + 15, "[token]") != 0 && strcmp(buf + 15, "") != 0)
		abort();
}

static void check_headers(const char *value)
{
	(void)router_accepts_gzip(value);
	(void)router_etag_match(value, "\"0123abcd\"", "\"0123abcd-gz\"");
	time_t t;
	if (router_parse_http_date(value, &t) == 0) {
		char buf[ROUTER_DATE_SIZE];
		time_t again;
		router_format_http_date(t, buf);
		if (router_parse_http_date(buf, &again) != 0 || again != t)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * ROUTER_MAX_PATH)
		return 0;
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	size_t line = nl ? (size_t)(nl - in) : size;
	const char *sp = memchr(in, ' ', line);
	size_t mlen = sp ? (size_t)(sp - in) : 0;
	char *method = xstrndup(in, mlen);
	const char *path = sp ? sp + 1 : in;
	size_t plen = line - (size_t)(path - in);
	check_route(method, path, plen);
	check_log(path, plen);
	char *value = nl ? xstrndup(nl + 1, size - line - 1) : NULL;
	check_headers(value);
	free(value);
	free(method);
	return 0;
}
