/*
 * metrics: counters of what the daemon did, written in the Prometheus text
 * format for GET /metrics: requests by route label and status, and the feed
 * cache's renders, hits, misses, evictions and size. Counting is lock-free
 * (relaxed atomics), so any thread may count.
 */
#ifndef WIJKCALD_METRICS_H
#define WIJKCALD_METRICS_H

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

/* Appends the exposition text (format version 0.0.4) to out. */
void metrics_render(struct metrics *m, const struct feedcache_stats *cache,
                    struct strbuf *out);

#endif
