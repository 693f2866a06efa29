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

/* 1 if another connection committed since the last call (or open), 0 if
 * not, -1 with a message in *error_r if the database does not answer. */
int dbwatch_poll(struct dbwatch *w, char **error_r);

/* 0 if the database answers a read (within half a second), -1 with a
 * message in *error_r if not. */
int dbwatch_ping(struct dbwatch *w, char **error_r);

#endif
