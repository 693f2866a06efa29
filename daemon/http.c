/*
 * http: libmicrohttpd set-up and shutdown, the request callback, and the
 * answers of each route. Small fixed answers (errors, "ok") are built once
 * and shared; a feed's answer points at the cached bytes and holds a
 * reference to them until libmicrohttpd has sent them.
 */
#include "daemon/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "daemon/page.h"
#include "daemon/pagedata.h"
#include "daemon/router.h"

/* The fixed answers, built once and shared by every connection. */
enum canned {
	CANNED_OK,
	CANNED_400,
	CANNED_404,
	CANNED_405,
	CANNED_414,
	CANNED_500,
	CANNED_503,
	NCANNED
};

static const struct {
	int status;
	const char *body;
} canned_text[NCANNED] = {
    [CANNED_OK] = {200, "ok\n"},
    [CANNED_400] = {400, "bad request\n"},
    [CANNED_404] = {404, "not found\n"},
    [CANNED_405] = {405, "method not allowed\n"},
    [CANNED_414] = {414, "path too long\n"},
    [CANNED_500] = {500, "internal error\n"},
    [CANNED_503] = {503, "database unavailable\n"},
};

struct http {
	struct MHD_Daemon *mhd;
	struct http_ctx ctx;
	atomic_int max_age;  /* Cache-Control of feeds, seconds */
	atomic_int inflight; /* requests begun and not yet completed */
	struct MHD_Response *canned[NCANNED];
	char csp[PAGE_CSP_SIZE]; /* Content-Security-Policy of the pages */
};

/* An answer in the making, and what its access log line says. */
struct answer {
	int status;
	struct MHD_Response *resp;
	bool shared; /* one of h->canned: not destroyed after queueing */
	size_t bytes;
	bool gzip;
};

/* The last message libmicrohttpd logged on this thread: it explains a
 * failed start (a port in use). */
static _Thread_local char mhd_last_error[256];

static void mhd_log(void *cls, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

/* libmicrohttpd's own messages are mostly about bad clients: debug only. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	vsnprintf(mhd_last_error, sizeof(mhd_last_error), fmt, ap);
	size_t n = strlen(mhd_last_error);
	while (n > 0 &&
	       (mhd_last_error[n - 1] == '\n' || mhd_last_error[n - 1] == '\r'))
		mhd_last_error[--n] = '\0';
	log_debug("libmicrohttpd: %s", mhd_last_error);
}

/* Keeps the path as it came: the router refuses every '%' itself, so an
 * encoded "../", "/" or NUL never turns into a real one. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

/* ---- listen address ---- */

static int parse_port(const char *s, in_port_t *port_r)
{
	char *end;
	if (*s < '0' || *s > '9' || strlen(s) > 5)
		return -1;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || v > 65535)
		return -1;
	*port_r = htons((in_port_t)v);
	return 0;
}

int http_parse_listen(const char *text, struct sockaddr_storage *ss_r,
                      socklen_t *len_r, char **error_r)
{
	const char *colon = strrchr(text, ':');
	char host[64];
	bool v6 = text[0] == '[';
	size_t hlen = colon ? (size_t)(colon - text) : 0;
	in_port_t port;
	memset(ss_r, 0, sizeof(*ss_r));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss_r;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss_r;
	bool ok = colon && parse_port(colon + 1, &port) == 0 &&
	          hlen < sizeof(host) &&
	          (!v6 || (hlen >= 2 && colon[-1] == ']'));
	if (ok) {
		memcpy(host, text + v6, hlen - 2 * v6);
		host[hlen - 2 * v6] = '\0';
	}
	if (ok && !v6 && strcmp(host, "*") == 0) {
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (ok && !v6) {
		ok = inet_pton(AF_INET, host, &sin->sin_addr) == 1;
	} else if (ok) {
		ok = inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1;
	}
	if (!ok)
		return set_error(error_r,
		                 "http.listen: expected ADDR:PORT like "
		                 "127.0.0.1:8080, *:8080 or [::1]:8080, got "
		                 "\"%s\"",
		                 text);
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		*len_r = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		*len_r = sizeof(*sin);
	}
	return 0;
}

/* ---- answers ---- */

static bool add_header(struct MHD_Response *resp, const char *name,
                       const char *value)
{
	return MHD_add_response_header(resp, name, value) == MHD_YES;
}

static struct MHD_Response *canned_new(enum canned which)
{
	const char *body = canned_text[which].body;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	bool ok = resp && add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                             "text/plain; charset=utf-8");
	if (ok && which == CANNED_405)
		ok = add_header(resp, MHD_HTTP_HEADER_ALLOW, ROUTER_ALLOW);
	if (ok && (which == CANNED_OK || which == CANNED_503))
		ok =
		    add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (!ok && resp) {
		MHD_destroy_response(resp);
		resp = NULL;
	}
	return resp;
}

static void answer_canned(struct http *h, enum canned which, struct answer *a)
{
	a->status = canned_text[which].status;
	a->resp = h->canned[which];
	a->shared = true;
	a->bytes = strlen(canned_text[which].body);
	a->gzip = false;
}

static enum canned canned_for(int status)
{
	switch (status) {
	case 400:
		return CANNED_400;
	case 404:
		return CANNED_404;
	case 405:
		return CANNED_405;
	case 414:
		return CANNED_414;
	default:
		return CANNED_500;
	}
}

static const char *request_header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* True if the client's copy is current: If-None-Match decides when
 * present, else If-Modified-Since. */
static bool not_modified(struct MHD_Connection *conn, const struct feed *f)
{
	const char *inm = request_header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm)
		return router_etag_match(inm, f->etag, f->etag_gz);
	const char *ims =
	    request_header(conn, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	time_t since;
	return ims && router_parse_http_date(ims, &since) == 0 &&
	       f->last_modified <= since;
}

/* The headers of a feed answer; `full` for 200, not for 304. A private
 * feed may be kept by the client, not by a shared cache. */
static bool feed_headers(struct http *h, struct MHD_Response *resp,
                         const struct feed *f, bool gzip, bool full,
                         bool is_private)
{
	char date[ROUTER_DATE_SIZE], cache[48];
	router_format_http_date(f->last_modified, date);
	snprintf(cache, sizeof(cache), "%s, max-age=%d",
	         is_private ? "private" : "public",
	         atomic_load_explicit(&h->max_age, memory_order_relaxed));
	bool ok = add_header(resp, MHD_HTTP_HEADER_ETAG,
	                     gzip ? f->etag_gz : f->etag) &&
	          add_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date) &&
	          add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache) &&
	          add_header(resp, MHD_HTTP_HEADER_VARY,
	                     MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (ok && full)
		ok =
		    add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		               "text/calendar; charset=utf-8") &&
		    (!gzip || add_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		                         "gzip"));
	return ok;
}

/* libmicrohttpd is done with a feed's bytes. */
static void release_feed(void *cls)
{
	struct feed *f = cls;
	feed_unref(&f);
}

/* A response that sends the feed's bytes, holding its own reference to
 * them until libmicrohttpd is done. */
static struct MHD_Response *feed_body(struct feed *f, bool gzip)
{
	struct feed *ref = feed_ref(f);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback_cls(
	        gzip ? ref->gz_len : ref->body_len, gzip ? ref->gz : ref->body,
	        release_feed, ref);
	if (resp == NULL)
		feed_unref(&ref);
	return resp;
}

static void answer_feed(struct http *h, struct MHD_Connection *conn,
                        const struct route *r, struct answer *a)
{
	struct feed_spec spec = {r->feed, r->key};
	struct feed *f = NULL;
	char *err = NULL;
	int rc = feedcache_get(h->ctx.cache, &spec, time(NULL), &f, &err);
	bool is_private = r->feed == FEED_TOKEN;
	if (rc != WK_OK) {
		if (rc != WK_ENOTFOUND) /* never a token in the log */
			log_warnx("feed %s: %s",
			          is_private ? "[token]" : r->key, err);
		free(err);
		answer_canned(h, rc == WK_ENOTFOUND ? CANNED_404 : CANNED_500,
		              a);
		return;
	}
	a->gzip = f->gz && router_accepts_gzip(request_header(
	                       conn, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	bool full = !not_modified(conn, f);
	a->status = full ? 200 : 304;
	a->bytes = full ? (a->gzip ? f->gz_len : f->body_len) : 0;
	a->resp = full ? feed_body(f, a->gzip)
	               : MHD_create_response_from_buffer(
	                     0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (a->resp &&
	    !feed_headers(h, a->resp, f, a->gzip, full, is_private)) {
		MHD_destroy_response(a->resp);
		a->resp = NULL;
	}
	feed_unref(&f);
	if (a->resp == NULL)
		answer_canned(h, CANNED_500, a);
}

static void answer_healthz(struct http *h, struct answer *a)
{
	char *err = NULL;
	if (dbwatch_ping(h->ctx.watch, &err) == 0) {
		answer_canned(h, CANNED_OK, a);
		return;
	}
	log_warnx("healthz: %s", err);
	free(err);
	answer_canned(h, CANNED_503, a);
}

/* Reads the mail queue under the feed source's lock (feedsource_fn). */
static int read_mail_stats(struct store *st, const struct config *cfg,
                           void *arg)
{
	struct mail_stats *m = arg;
	char *err = NULL;
	m->known = store_outbox_counts(st, m->by_status, &err) == WK_OK &&
	           store_mail_paused(st, &m->paused, &err) == WK_OK;
	if (!m->known)
		log_warnx("metrics: %s", err);
	free(err);
	return WK_OK;
}

static void answer_metrics(struct http *h, struct answer *a)
{
	struct feedcache_stats st;
	struct mail_stats mail = {0};
	struct strbuf b = {0};
	feedcache_stats(h->ctx.cache, &st);
	feedsource_with(h->ctx.source, read_mail_stats, &mail);
	metrics_render(h->ctx.metrics, &st, &mail, &b);
	size_t len = b.len;
	char *text = strbuf_take(&b);
	a->resp =
	    MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (a->resp == NULL)
		free(text);
	if (a->resp &&
	    !(add_header(a->resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                 "text/plain; version=0.0.4; charset=utf-8") &&
	      add_header(a->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"))) {
		MHD_destroy_response(a->resp);
		a->resp = NULL;
	}
	a->status = 200;
	a->bytes = len;
	if (a->resp == NULL)
		answer_canned(h, CANNED_500, a);
}

/* The headers of an agenda page. A private page stays out of shared
 * caches and search engines; no page sends a Referer to the sites its
 * links lead to (a private page's URL holds a token). */
static bool page_headers(struct http *h, struct MHD_Response *resp,
                         bool is_private)
{
	return add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                  "text/html; charset=utf-8") &&
	       add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                  is_private ? "private, no-store"
	                             : "public, max-age=60") &&
	       add_header(resp, "Content-Security-Policy", h->csp) &&
	       add_header(resp, "Referrer-Policy", "no-referrer") &&
	       add_header(resp, "X-Content-Type-Options", "nosniff") &&
	       (!is_private ||
	        add_header(resp, "X-Robots-Tag", "noindex, nofollow"));
}

static void answer_page(struct http *h, const struct route *r, struct answer *a)
{
	char *html = NULL, *err = NULL;
	size_t len = 0;
	int rc = pagedata_render(h->ctx.source, r->kind, r->key, now_utc(),
	                         &html, &len, &err);
	if (rc != WK_OK) {
		if (rc != WK_ENOTFOUND) /* the message never holds a token */
			log_warnx("page: %s", err);
		free(err);
		answer_canned(h, rc == WK_ENOTFOUND ? CANNED_404 : CANNED_500,
		              a);
		return;
	}
	a->resp =
	    MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE);
	if (a->resp == NULL)
		free(html);
	if (a->resp &&
	    !page_headers(h, a->resp, r->kind == ROUTE_PRIVATE_PAGE)) {
		MHD_destroy_response(a->resp);
		a->resp = NULL;
	}
	a->status = 200;
	a->bytes = len;
	if (a->resp == NULL)
		answer_canned(h, CANNED_500, a);
}

/* ---- the request callback ---- */

static void log_access(const char *method, const char *url, size_t len,
                       const struct answer *a)
{
	char m[32], p[256];
	router_log_path(method, strlen(method), m, sizeof(m));
	router_log_path(url, len, p, sizeof(p));
	log_debug("http: %s %s %d %zu%s", m, p, a->status, a->bytes,
	          a->gzip ? " gzip" : "");
}

/*
 * What libmicrohttpd 0.9.75 lets through even when strict, and a strict
 * server refuses: a header name that is not an HTTP token (a space, a CR,
 * nothing), a value with a control character (a bare CR can split it in a
 * proxy), and an ambiguous body length: Content-Length twice, or with
 * Transfer-Encoding (RFC 9112, 6.3). Checked once per request.
 */
struct header_check {
	int content_length;
	int transfer_encoding;
	bool bad;
};

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
	struct header_check *hc = cls;
	const unsigned char *p;
	bool ok = key[0] != '\0';
	for (p = (const unsigned char *)key; ok && *p; p++)
		ok = is_tchar(*p);
	for (p = (const unsigned char *)(value ? value : ""); ok && *p; p++)
		ok = *p >= 0x20 ? *p != 0x7f : *p == '\t';
	hc->content_length +=
	    strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0;
	hc->transfer_encoding +=
	    strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0;
	hc->bad = hc->bad || !ok;
	return ok ? MHD_YES : MHD_NO;
}

static bool headers_ok(struct MHD_Connection *conn)
{
	struct header_check hc = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, check_header, &hc);
	return !hc.bad && hc.content_length + hc.transfer_encoding <= 1;
}

static bool is_get_or_head(const char *method)
{
	return strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	       strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/*
 * A raw NUL in the request line. libmicrohttpd 0.9.75 hands the method,
 * target and version over as C strings cut out of one line of its read
 * buffer, so a NUL ends them early: "GET /feeds/wijk/noord.ics\0.txt"
 * would be served as the feed. The URI log callback (on_target) sees the
 * raw target before it is split at '?', and returns where its string
 * ends. Without a NUL, the method's string ends where the space before
 * the target was, only spaces follow up to the target, and the target's
 * string ends at the space before the version. With no target or no
 * version libmicrohttpd has already refused the request.
 */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *c)
{
	/* The context of the request until on_request replaces it. */
	return uri ? (void *)(uintptr_t)(uri + strlen(uri)) : NULL;
}

static bool line_has_nul(const char *method, const char *url,
                         const char *version, const char *target_end)
{
	if (target_end == NULL || version[0] == '\0')
		return false;
	const char *p = method + strlen(method) + 1;
	while (p < url && *p == ' ')
		p++;
	return p != url || target_end != version - 1;
}

/* A body on a GET or HEAD: no feed reader sends one, and reading it (a
 * chunk line longer than the connection's memory) only costs. */
static bool has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                   MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
	       (cl && strcmp(cl, "0") != 0);
}

/*
 * GET and HEAD are answered once the request is complete (the second
 * call), which keeps the connection alive for the next request. Any other
 * method is answered at once, before its body is read: libmicrohttpd then
 * drops the body and closes the connection; so is a bad request: odd
 * header lines (headers_ok), a NUL in the request line (line_has_nul), or
 * a GET or HEAD with a body. *req_cls marks the request as in flight
 * until on_completed.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	struct http *h = cls;
	bool bad_request = false;
	if (*req_cls != h) { /* the first call: on_target's context */
		bad_request = !headers_ok(conn) ||
		              line_has_nul(method, url, version, *req_cls) ||
		              (is_get_or_head(method) && has_body(conn));
		*req_cls = h;
		atomic_fetch_add_explicit(&h->inflight, 1,
		                          memory_order_relaxed);
		if (!bad_request && is_get_or_head(method))
			return MHD_YES;
	} else if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	size_t len = strlen(url);
	struct route r;
	struct answer a = {0};
	router_match(method, url, len, &r);
	if (bad_request) {
		r.kind = ROUTE_ERROR;
		r.status = 400;
	}
	if (r.kind == ROUTE_FEED)
		answer_feed(h, conn, &r, &a);
	else if (r.kind == ROUTE_HEALTHZ)
		answer_healthz(h, &a);
	else if (r.kind == ROUTE_METRICS)
		answer_metrics(h, &a);
	else if (r.kind == ROUTE_INDEX || r.kind == ROUTE_WIJK_PAGE ||
	         r.kind == ROUTE_PRIVATE_PAGE)
		answer_page(h, &r, &a);
	else
		answer_canned(h, canned_for(r.status), &a);
	enum MHD_Result ok =
	    MHD_queue_response(conn, (unsigned)a.status, a.resp);
	if (!a.shared)
		MHD_destroy_response(a.resp);
	metrics_count_request(h->ctx.metrics, r.label, a.status);
	if (h->ctx.access_log)
		log_access(method, url, len, &a);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	if (*req_cls != h) /* refused before on_request saw it */
		return;
	*req_cls = NULL;
	atomic_fetch_sub_explicit(&h->inflight, 1, memory_order_relaxed);
}

/* ---- start and stop ---- */

static void free_canned(struct http *h)
{
	for (size_t i = 0; i < NCANNED; i++)
		if (h->canned[i])
			MHD_destroy_response(h->canned[i]);
}

static struct MHD_Daemon *start_mhd(struct http *h, const struct config *cfg,
                                    const struct sockaddr_storage *ss)
{
	unsigned flags =
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* The logger comes first, so that it sees every message. */
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)cfg->http_per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->http_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)cfg->http_connection_kb * 1024,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U,
	    MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
	    MHD_OPTION_URI_LOG_CALLBACK, on_target, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    /* Strict: 400 for an HTTP/1.1 request without Host and for
	     * spaces in the path; headers_ok refuses odd header lines. */
	    MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
}

int http_start(const struct config *cfg, const struct http_ctx *ctx,
               int max_age, struct http **h_r, char **error_r)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (http_parse_listen(cfg->http_listen, &ss, &sslen, error_r) < 0)
		return -1;
	struct http *h = xcalloc(1, sizeof(*h));
	h->ctx = *ctx;
	atomic_init(&h->max_age, max_age);
	atomic_init(&h->inflight, 0);
	page_csp(h->csp, sizeof(h->csp));
	bool ok = true;
	for (size_t i = 0; i < NCANNED; i++)
		ok = ok && (h->canned[i] = canned_new((enum canned)i)) != NULL;
	mhd_last_error[0] = '\0';
	if (ok)
		h->mhd = start_mhd(h, cfg, &ss);
	if (h->mhd == NULL) {
		set_error(error_r, "http.listen %s: cannot listen: %s",
		          cfg->http_listen,
		          mhd_last_error[0] ? mhd_last_error : strerror(errno));
		free_canned(h);
		free(h);
		return -1;
	}
	*h_r = h;
	return 0;
}

unsigned http_port(struct http *h)
{
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}

void http_set_max_age(struct http *h, int max_age)
{
	atomic_store_explicit(&h->max_age, max_age, memory_order_relaxed);
}

void http_stop(struct http **hp, int grace_ms)
{
	struct http *h = *hp;
	if (h == NULL)
		return;
	MHD_socket fd = MHD_quiesce_daemon(h->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	struct timespec tick = {0, 10 * 1000 * 1000};
	for (int waited = 0; atomic_load(&h->inflight) > 0 && waited < grace_ms;
	     waited += 10)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(h->mhd);
	free_canned(h);
	free(h);
	*hp = NULL;
}
