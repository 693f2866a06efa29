/*
 * mailer: delivers the outbox (DESIGN.md, "Delivery without loss or
 * duplicates") on a thread of its own, never an HTTP one. Every few
 * seconds, and when woken after a data change, it runs the planner
 * (core/planner.h) if another connection committed since (or a minute
 * passed), claims the due rows in a batch and hands each message to the
 * backend, while a builder thread writes the rest of the batch on a
 * read-only connection (a message built before an organiser's change is
 * built again before it goes); a row is marked sent only after the
 * backend took it, so a crash re-sends at most the message in flight,
 * with the same Message-ID (rows left "sending" are queued again at
 * start).
 *
 * Backend: the spool directory (mail.spool_dir; relative to the
 * database's directory; created if missing): each message becomes
 * ID-KIND.eml, written to a temporary name, flushed and renamed; or, with
 * smtp.url set, the SMTP server (daemon/smtp.h), one connection for the
 * messages of a pass, at most smtp.rate_limit a minute. What the server
 * says decides:
 *  - a 5xx to RCPT TO or DATA fails that message with the reply; a 4xx
 *    retries it after mailer_backoff (smtp.retry_min doubling up to
 *    smtp.retry_max, with jitter); the others go on;
 *  - a refused connection, a timeout, a TLS failure or a 4xx before RCPT
 *    holds the whole queue (no other message is tried in that pass) for
 *    the same backoff, counted in failures in a row;
 *  - a 5xx to AUTH or MAIL FROM, a denied login or a missing STARTTLS is
 *    our configuration: the mailer pauses for smtp.retry_max (or until
 *    SIGHUP), fails no message, and says why in the log, in each row's
 *    last error and in /metrics.
 * A message still failing smtp.give_up_after after it was due fails with
 * its last reason; one whose `expires` passed (a reminder at the start of
 * its occurrence, an invitation at the end of the event) expires unsent.
 *
 * The environment variable WIJKCAL_NOW (UTC seconds), when set, stands
 * for now, so that tests can plan at a fixed moment.
 */
#ifndef WIJKCALD_MAILER_H
#define WIJKCALD_MAILER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "daemon/metrics.h"

struct mailer;

/*
 * Starts the thread with its own database connection and its own copy of
 * the configuration read from config_path (NULL: as config_load finds it)
 * with the database db (NULL: the config's). *m_r gets a handle to stop
 * with mailer_stop. Returns 0, or -1 with a message.
 */
int mailer_start(const char *config_path, const char *db,
                 struct metrics *metrics, struct mailer **m_r, char **error_r);
/* Makes the thread run soon (the database changed). Thread-safe. */
void mailer_wake(struct mailer *m);
/* Makes the thread read the configuration again at the start of its next
 * pass (SIGHUP), which also ends a pause or hold. Thread-safe. */
void mailer_reload(struct mailer *m);
/* Stops the thread after the message in hand, closes and frees; NULL ok. */
void mailer_stop(struct mailer **m);

/* The spool directory for a config: mail.spool_dir, a relative one taken
 * beside the database. Caller frees. */
char *mailer_spool_dir(const struct config *cfg);

/* The delay before retry number `attempts` (1, 2, ...): first_s doubling,
 * capped at cap_s, less up to a quarter by `random` (jitter, so that
 * retries spread out): within [0.75 d, d], at least 1. Pure. */
int64_t mailer_backoff(int attempts, int64_t first_s, int64_t cap_s,
                       uint32_t random);

#endif
