/*
 * metrics: counters of what the daemon did, written in the Prometheus text
 * format for GET /metrics: requests by route label and status, and the feed
 * cache's renders, hits, misses, evictions and size, the mail queue and
 * what the mailer did. Counting is lock-free (relaxed atomics), so any
 * thread may count; the mailer's error text sits behind a mutex.
 */
#ifndef WIJKCALD_METRICS_H
#define WIJKCALD_METRICS_H

#include "core/store.h"
#include "core/util.h"
#include "daemon/feedcache.h"
#include "daemon/router.h"

struct metrics;

/* A zeroed set of counters; free with metrics_free. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics **m);

/* Counts one answered request. */
void metrics_count_request(struct metrics *m, enum route_label label,
                           int status);
/* Counts one change of the database seen by the daemon. */
void metrics_count_db_change(struct metrics *m);

/* What the mailer did with a message, counted by metrics_count_mail. */
enum mail_count {
	MAIL_SENT,    /* handed to the server or the spool */
	MAIL_FAILED,  /* refused for good (5xx to RCPT or DATA) */
	MAIL_RETRIED, /* a 4xx for a recipient: tried again later */
	MAIL_HELD,    /* the server unreachable or refusing us: all wait */
	MAIL_NCOUNTS
};
void metrics_count_mail(struct metrics *m, enum mail_count which);
/* The mailer is paused by a configuration error (reason, which never holds
 * a secret), or runs again (NULL). Thread-safe. */
void metrics_set_mail_error(struct metrics *m, const char *reason);

/* The mail queue as read from the outbox, for metrics_render. */
struct mail_stats {
	bool known;  /* false: the outbox could not be read */
	bool paused; /* wijkcal mail pause */
	int64_t by_status[OUTBOX_NSTATUS]; /* indexed by enum outbox_status */
};

/* Appends the exposition text (format version 0.0.4) to out. */
void metrics_render(struct metrics *m, const struct feedcache_stats *cache,
                    const struct mail_stats *mail, struct strbuf *out);

#endif
