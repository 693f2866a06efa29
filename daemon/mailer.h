/*
 * mailer: delivers the outbox (DESIGN.md, "Delivery without loss or
 * duplicates") on a thread of its own, never an HTTP one. Every few
 * seconds, and when woken after a data change, it runs the planner
 * (core/planner.h), claims the due rows in a batch and hands each message
 * to the backend; a row is marked sent only after the backend took it, so
 * a crash re-sends at most the messages in flight, with the same
 * Message-ID (rows left "sending" are queued again at start).
 *
 * Backend: the spool directory (mail.spool_dir; relative to the
 * database's directory; created if missing): each message becomes
 * ID-KIND.eml, written to a temporary name, flushed and renamed; or, with
 * smtp.url set, the SMTP server (daemon/smtp.h). A temporary failure is
 * retried after mailer_backoff (capped by smtp.retry_max), a permanent
 * one (5xx) marks the row failed with the server's reply.
 *
 * The environment variable WIJKCAL_NOW (UTC seconds), when set, stands
 * for now, so that tests can plan at a fixed moment.
 */
#ifndef WIJKCALD_MAILER_H
#define WIJKCALD_MAILER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

struct mailer;

/*
 * Starts the thread with its own database connection and its own copy of
 * the configuration read from config_path (NULL: as config_load finds it)
 * with the database db (NULL: the config's). *m_r gets a handle to stop
 * with mailer_stop. Returns 0, or -1 with a message.
 */
int mailer_start(const char *config_path, const char *db, struct mailer **m_r,
                 char **error_r);
/* Makes the thread run soon (the database changed). Thread-safe. */
void mailer_wake(struct mailer *m);
/* Stops the thread after the message in hand, closes and frees; NULL ok. */
void mailer_stop(struct mailer **m);

/* The spool directory for a config: mail.spool_dir, a relative one taken
 * beside the database. Caller frees. */
char *mailer_spool_dir(const struct config *cfg);

/* The delay before retry number `attempts` (1, 2, ...): 30 s doubling,
 * capped at cap_s. Pure. (No jitter yet.) */
int64_t mailer_backoff(int attempts, int64_t cap_s);

#endif
