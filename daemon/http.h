/*
 * http: the daemon's HTTP server (libmicrohttpd, epoll, an internal pool of
 * http.threads threads) and what each route answers: public feeds with
 * ETag, Last-Modified, 304, HEAD and gzip, the agenda pages (rendered per
 * request by pagedata.c, with a strict Content-Security-Policy), /healthz
 * and /metrics. Limits
 * come from the config: http.max_connections, http.per_ip_limit,
 * http.timeout (idle seconds) and http.connection_kb (memory per
 * connection, which also bounds the request line and headers).
 *
 * Every request is answered from its first callback; GET never changes
 * state. One access line per request goes to the log at debug level, with
 * the token of a private path redacted.
 */
#ifndef WIJKCALD_HTTP_H
#define WIJKCALD_HTTP_H

#include <stdbool.h>
#include <sys/socket.h>

#include "core/config.h"
#include "daemon/dbwatch.h"
#include "daemon/feedcache.h"
#include "daemon/feedsource.h"
#include "daemon/metrics.h"

/* What the handlers use; owned by the caller, who keeps it alive until
 * http_stop returns. */
struct http_ctx {
	struct feedcache *cache;
	struct metrics *metrics;
	struct dbwatch *watch;     /* /healthz pings it */
	bool access_log;           /* one debug line per request */
	struct feedsource *source; /* the agenda pages read it */
};

struct http;

/*
 * Parses http.listen: "ADDR:PORT" with a numeric IPv4 address or an IPv6
 * one in brackets ("[::1]:8080"), or "*:PORT" for every IPv4 address.
 * Returns 0 and the address, or -1 with a message naming the key.
 */
int http_parse_listen(const char *text, struct sockaddr_storage *ss_r,
                      socklen_t *len_r, char **error_r);

/*
 * Starts listening on cfg->http_listen with the limits of cfg; max_age is
 * the Cache-Control max-age of feeds in seconds. Returns 0 and a server in
 * *h_r (stop it with http_stop), or -1 with a message (bad address, port
 * in use).
 */
int http_start(const struct config *cfg, const struct http_ctx *ctx,
               int max_age, struct http **h_r, char **error_r);
/* The port listened on (useful after listening on port 0). */
unsigned http_port(struct http *h);
/* Changes the max-age of feeds (after a reload). */
void http_set_max_age(struct http *h, int max_age);
/*
 * Stops accepting connections, waits up to grace_ms for the requests in
 * flight to finish, then closes every connection and frees the server.
 * Sets *h to NULL.
 */
void http_stop(struct http **h, int grace_ms);

#endif
