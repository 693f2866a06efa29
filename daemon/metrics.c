/* metrics: atomic counters and their Prometheus text. */
#include "daemon/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statuses counted one by one; any other counts as "other". */
static const int statuses[] = {200, 304, 400, 404, 405, 414, 500, 503};
#define NSTATUS (ARRAY_SIZE(statuses) + 1)

struct metrics {
	atomic_uint_fast64_t requests[ROUTE_LABELS][NSTATUS];
	atomic_uint_fast64_t db_changes;
	atomic_uint_fast64_t mail[MAIL_NCOUNTS];
	pthread_mutex_t mail_mu; /* guards mail_error */
	char *mail_error;        /* why the mailer is paused; NULL: it runs */
};

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	for (size_t l = 0; l < ROUTE_LABELS; l++)
		for (size_t s = 0; s < NSTATUS; s++)
			atomic_init(&m->requests[l][s], 0);
	atomic_init(&m->db_changes, 0);
	for (size_t i = 0; i < MAIL_NCOUNTS; i++)
		atomic_init(&m->mail[i], 0);
	pthread_mutex_init(&m->mail_mu, NULL);
	return m;
}

void metrics_free(struct metrics **m)
{
	if (*m) {
		pthread_mutex_destroy(&(*m)->mail_mu);
		free((*m)->mail_error);
	}
	free(*m);
	*m = NULL;
}

static size_t status_slot(int status)
{
	size_t i = 0;
	while (i < ARRAY_SIZE(statuses) && statuses[i] != status)
		i++;
	return i;
}

void metrics_count_request(struct metrics *m, enum route_label label,
                           int status)
{
	if ((unsigned)label >= ROUTE_LABELS)
		label = LABEL_OTHER;
	atomic_fetch_add_explicit(&m->requests[label][status_slot(status)], 1,
	                          memory_order_relaxed);
}

void metrics_count_db_change(struct metrics *m)
{
	atomic_fetch_add_explicit(&m->db_changes, 1, memory_order_relaxed);
}

void metrics_count_mail(struct metrics *m, enum mail_count which)
{
	if (m && (unsigned)which < MAIL_NCOUNTS)
		atomic_fetch_add_explicit(&m->mail[which], 1,
		                          memory_order_relaxed);
}

void metrics_set_mail_error(struct metrics *m, const char *reason)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mail_mu);
	free(m->mail_error);
	m->mail_error = reason ? xstrdup(reason) : NULL;
	pthread_mutex_unlock(&m->mail_mu);
}

static void header(struct strbuf *out, const char *name, const char *type,
                   const char *help)
{
	strbuf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	               type);
}

static void one(struct strbuf *out, const char *name, const char *type,
                const char *help, uint64_t value)
{
	header(out, name, type, help);
	strbuf_appendf(out, "%s %" PRIu64 "\n", name, value);
}

/* Only the label and status pairs seen so far, as Prometheus prefers. */
static void render_requests(struct metrics *m, struct strbuf *out)
{
	header(out, "wijkcald_http_requests_total", "counter",
	       "HTTP requests answered, by route and status.");
	for (size_t l = 0; l < ROUTE_LABELS; l++)
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(&m->requests[l][s],
			                                  memory_order_relaxed);
			if (v == 0)
				continue;
			char code[8] = "other";
			if (s < ARRAY_SIZE(statuses))
				snprintf(code, sizeof(code), "%d", statuses[s]);
			strbuf_appendf(
			    out,
			    "wijkcald_http_requests_total{route=\"%s\","
			    "status=\"%s\"} %" PRIu64 "\n",
			    router_label_name((enum route_label)l), code, v);
		}
}

/* The outbox by status: what is queued is the queue depth; failed rows
 * wait for `wijkcal outbox retry`. */
static void render_mail(const struct mail_stats *mail, struct strbuf *out)
{
	if (!mail->known)
		return;
	header(out, "wijkcald_mail_outbox_messages", "gauge",
	       "Messages in the outbox, by status.");
	for (int i = 0; i < OUTBOX_NSTATUS; i++)
		strbuf_appendf(out,
		               "wijkcald_mail_outbox_messages{status=\"%s\"} "
		               "%" PRId64 "\n",
		               outbox_status_name((enum outbox_status)i),
		               mail->by_status[i]);
	one(out, "wijkcald_mail_paused", "gauge",
	    "1 while sending is held with `wijkcal mail pause`.",
	    mail->paused ? 1 : 0);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_appendf(out, "\\%c", *s);
		else if (*s == '\n')
			strbuf_appendf(out, "\\n");
		else
			strbuf_appendf(out, "%c", *s);
	}
}

static uint64_t mail_count(struct metrics *m, enum mail_count which)
{
	return atomic_load_explicit(&m->mail[which], memory_order_relaxed);
}

/* What the mailer did, and whether an error holds it. */
static void render_mailer(struct metrics *m, struct strbuf *out)
{
	one(out, "wijkcald_mail_sent_total", "counter",
	    "Messages handed to the SMTP server or the spool.",
	    mail_count(m, MAIL_SENT));
	one(out, "wijkcald_mail_failed_total", "counter",
	    "Messages refused for good (5xx to RCPT TO or DATA).",
	    mail_count(m, MAIL_FAILED));
	one(out, "wijkcald_mail_retried_total", "counter",
	    "Temporary refusals of a recipient (4xx), retried later.",
	    mail_count(m, MAIL_RETRIED));
	one(out, "wijkcald_mail_server_failures_total", "counter",
	    "Times the SMTP server could not be reached or refused us; the "
	    "whole queue waited.",
	    mail_count(m, MAIL_HELD));
	pthread_mutex_lock(&m->mail_mu);
	one(out, "wijkcald_mail_paused_by_error", "gauge",
	    "1 while a configuration error (AUTH, MAIL FROM, STARTTLS) holds "
	    "the mail; it is tried again after smtp.retry_max or a reload.",
	    m->mail_error ? 1 : 0);
	if (m->mail_error) {
		header(out, "wijkcald_mail_error_info", "gauge",
		       "The error that holds the mail.");
		strbuf_appendf(out, "wijkcald_mail_error_info{reason=\"");
		label_value(out, m->mail_error);
		strbuf_appendf(out, "\"} 1\n");
	}
	pthread_mutex_unlock(&m->mail_mu);
}

void metrics_render(struct metrics *m, const struct feedcache_stats *cache,
                    const struct mail_stats *mail, struct strbuf *out)
{
	render_requests(m, out);
	one(out, "wijkcald_feed_renders_total", "counter",
	    "Feeds rendered from the database.", cache->renders);
	one(out, "wijkcald_feed_render_errors_total", "counter",
	    "Feed renders that failed, unknown slugs included.",
	    cache->render_errors);
	one(out, "wijkcald_feed_cache_hits_total", "counter",
	    "Feed requests answered from memory.", cache->hits);
	one(out, "wijkcald_feed_cache_misses_total", "counter",
	    "Feed requests that needed a render.", cache->misses);
	one(out, "wijkcald_feed_cache_evictions_total", "counter",
	    "Feeds dropped to stay within http.cache_mb.", cache->evictions);
	one(out, "wijkcald_feed_cache_entries", "gauge",
	    "Feed paths in the cache.", cache->entries);
	one(out, "wijkcald_feed_cache_bytes", "gauge",
	    "Memory held by the feed cache.", cache->bytes);
	one(out, "wijkcald_feed_cache_limit_bytes", "gauge",
	    "The feed cache's memory bound (http.cache_mb).", cache->limit);
	one(out, "wijkcald_database_changes_total", "counter",
	    "Changes to what the feeds show (each empties the feed cache).",
	    atomic_load_explicit(&m->db_changes, memory_order_relaxed));
	render_mail(mail, out);
	render_mailer(m, out);
}
