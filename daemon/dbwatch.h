/*
 * dbwatch: notices, cheaply, that another process (the CLI) committed a
 * change to the database, and tells whether the database answers. It keeps
 * a read-only SQLite connection of its own and asks PRAGMA data_version,
 * which changes exactly when another connection commits; the daemon polls
 * it every 200 ms, so a change made with the CLI reaches the feeds within
 * a second without any signal. Thread-safe.
 */
#ifndef WIJKCALD_DBWATCH_H
#define WIJKCALD_DBWATCH_H

struct dbwatch;

/* Opens the database file read-only; *w_r gets a handle to close with
 * dbwatch_close. Returns WK_OK or WK_EIO with a message in *error_r. */
int dbwatch_open(const char *path, struct dbwatch **w_r, char **error_r);
void dbwatch_close(struct dbwatch **w);

enum dbwatch_change {
	DBWATCH_NONE,  /* no other connection committed */
	DBWATCH_OTHER, /* one did: the outbox or the mail state, say */
	DBWATCH_FEEDS, /* and what a feed or page shows may have changed */
};

/* What changed since the last call (or open): DBWATCH_FEEDS when
 * feed_state.version moved (schema 5 counts every change to the tables
 * feeds are made of), DBWATCH_OTHER for any other commit by another
 * connection (the mailer marking a message sent), DBWATCH_NONE; -1 with a
 * message in *error_r if the database does not answer. */
int dbwatch_poll(struct dbwatch *w, char **error_r);

/* 0 if the database answers a read (within half a second), -1 with a
 * message in *error_r if not. */
int dbwatch_ping(struct dbwatch *w, char **error_r);

#endif
