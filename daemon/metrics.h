/*
 * metrics: counters of what the daemon did, written in the Prometheus text
 * format for GET /metrics: requests by route label and status, and the feed
 * cache's renders, hits, misses, evictions and size, and the mail queue.
 * Counting is lock-free (relaxed atomics), so any thread may count.
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
