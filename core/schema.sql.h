/*
 * schema: the database layout, version STORE_SCHEMA_VERSION. Each entry of
 * schema_migrations upgrades from version i to i + 1; a release never edits
 * an entry, it appends one.
 *
 * Wall times are stored as text ("2027-01-12 12:30", or "2027-01-12" for an
 * all-day event) with their TZID; first_utc and last_utc index events by
 * time (last_utc is NULL for an open-ended series).
 */
#ifndef WIJKCAL_SCHEMA_H
#define WIJKCAL_SCHEMA_H

/* Three triggers on table t that count a change in feed_state. */
#define FEED_TRIGGER(t, when)                                                  \
	"CREATE TRIGGER IF NOT EXISTS " t "_feed_" when " AFTER " when         \
	" ON " t " BEGIN UPDATE feed_state SET version = version + 1; END;"
#define FEED_TRIGGERS(t)                                                       \
	FEED_TRIGGER(t, "INSERT")                                              \
	FEED_TRIGGER(t, "UPDATE") FEED_TRIGGER(t, "DELETE")

static const char *const schema_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE wijk ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL);"
    "CREATE TABLE practice ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  wijk_id INTEGER NOT NULL REFERENCES wijk(id),"
    "  address TEXT);"
    "CREATE TABLE org ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  wijk_id INTEGER REFERENCES wijk(id));"
    "CREATE TABLE person ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL,"
    "  big TEXT);"
    "CREATE TABLE affiliation ("
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  practice_id INTEGER REFERENCES practice(id),"
    "  org_id INTEGER REFERENCES org(id),"
    "  role TEXT NOT NULL,"
    "  CHECK ((practice_id IS NULL) <> (org_id IS NULL)),"
    "  UNIQUE (person_id, practice_id, org_id, role));"
    "CREATE INDEX affiliation_practice ON affiliation(practice_id);"
    "CREATE INDEX affiliation_org ON affiliation(org_id);"
    "CREATE TABLE event ("
    "  id INTEGER PRIMARY KEY,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  wijk_id INTEGER NOT NULL REFERENCES wijk(id),"
    "  title TEXT NOT NULL,"
    "  description TEXT, location TEXT, online_url TEXT, url TEXT,"
    "  organizer TEXT,"
    "  start TEXT NOT NULL,"
    "  duration_min INTEGER NOT NULL,"
    "  tzid TEXT NOT NULL,"
    "  rrule TEXT,"
    "  points INTEGER, capacity INTEGER,"
    "  public INTEGER NOT NULL, draft INTEGER NOT NULL,"
    "  cancelled INTEGER NOT NULL,"
    "  sequence INTEGER NOT NULL,"
    "  created INTEGER NOT NULL, modified INTEGER NOT NULL,"
    "  first_utc INTEGER NOT NULL, last_utc INTEGER);"
    "CREATE INDEX event_wijk ON event(wijk_id, first_utc);"
    "CREATE TABLE event_audience ("
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  expr TEXT NOT NULL,"
    "  PRIMARY KEY (event_id, pos));"
    "CREATE TABLE event_change ("
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  recurrence_id TEXT NOT NULL,"
    "  cancelled INTEGER NOT NULL,"
    "  start TEXT, duration_min INTEGER,"
    "  sequence INTEGER NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  PRIMARY KEY (event_id, recurrence_id));",
    /* 1 -> 2: private feed tokens (core/token.h). Per feed identity
     * (kind "person" with an e-mail, or "wijk-internal" with a slug) the
     * revocation counter and the SHA-256 (hex) of its live token; never
     * the token itself. The indexes let an audience be resolved from its
     * wijk (a person's feed resolves the audience of every event). */
    "CREATE TABLE feed_token ("
    "  kind TEXT NOT NULL,"
    "  key TEXT NOT NULL COLLATE NOCASE,"
    "  counter INTEGER NOT NULL,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  PRIMARY KEY (kind, key));"
    "CREATE INDEX practice_wijk ON practice(wijk_id);"
    "CREATE INDEX org_wijk ON org(wijk_id);",
    /* 2 -> 3: the mail outbox (core/planner.h, daemon/mailer.h). One row
     * per message; (kind, event_uid, recurrence_id, email, seq) is
     * unique so that planning twice queues nothing twice. seq is the
     * SEQUENCE an invite, update or cancel was planned for, or a
     * reminder's offset in minutes; recurrence_id is '' for the whole
     * event. Times are UTC seconds; expires 0 = never. mail_state holds
     * one row: paused (wijkcal mail pause) holds all sending. */
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  event_uid TEXT NOT NULL,"
    "  recurrence_id TEXT NOT NULL,"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  seq INTEGER NOT NULL,"
    "  event_id INTEGER NOT NULL,"
    "  person_id INTEGER NOT NULL,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  due INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  next_attempt INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  created INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  UNIQUE (kind, event_uid, recurrence_id, email, seq));"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt);"
    "CREATE INDEX IF NOT EXISTS outbox_event ON outbox(event_uid);"
    "CREATE INDEX IF NOT EXISTS outbox_person ON outbox(person_id);"
    "CREATE TABLE IF NOT EXISTS mail_state ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  paused INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO mail_state (id, paused) VALUES (1, 0);",
    /* 3 -> 4: a person who left an event's audience and came back is
     * invited again, often at the same SEQUENCE, so a message's key
     * gains a round (core/planner.h): (kind, event_uid, recurrence_id,
     * email, seq, round). The round lives in the Message-ID's hash,
     * not in a column of its own: the hash (the Message-ID up to its
     * '@') becomes the unique key, and the five columns no longer are.
     * The domain is left out of the key so that a changed smtp.from
     * plans nothing again. SQLite cannot drop a table constraint, so
     * the table is copied. */
    "CREATE TABLE outbox_v4 ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  event_uid TEXT NOT NULL,"
    "  recurrence_id TEXT NOT NULL,"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  seq INTEGER NOT NULL,"
    "  event_id INTEGER NOT NULL,"
    "  person_id INTEGER NOT NULL,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  due INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  next_attempt INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  created INTEGER NOT NULL,"
    "  sent_at INTEGER);"
    "INSERT INTO outbox_v4 (id, kind, event_uid, recurrence_id, email, seq,"
    "  event_id, person_id, message_id, due, expires, status, attempts,"
    "  next_attempt, last_error, created, sent_at)"
    "  SELECT id, kind, event_uid, recurrence_id, email, seq, event_id,"
    "  person_id, message_id, due, expires, status, attempts,"
    "  next_attempt, last_error, created, sent_at FROM outbox;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_v4 RENAME TO outbox;"
    "CREATE UNIQUE INDEX outbox_key ON"
    "  outbox(substr(message_id, 1, instr(message_id, '@')));"
    "CREATE INDEX outbox_due ON outbox(status, next_attempt);"
    "CREATE INDEX outbox_event ON outbox(event_uid);"
    "CREATE INDEX outbox_person ON outbox(person_id);",
    /* 4 -> 5: feed_state.version counts the changes that can alter a
     * feed or an agenda page (every table but the outbox and
     * mail_state), so that wijkcald empties its feed cache for those
     * and not for each message the mailer marks sent. */
    "CREATE TABLE IF NOT EXISTS feed_state ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  version INTEGER NOT NULL);"
    /* clang-format off */
    "INSERT OR IGNORE INTO feed_state (id, version) VALUES (1, 0);"
    FEED_TRIGGERS("wijk") FEED_TRIGGERS("practice") FEED_TRIGGERS("org")
    FEED_TRIGGERS("person") FEED_TRIGGERS("affiliation")
    FEED_TRIGGERS("event") FEED_TRIGGERS("event_audience")
    FEED_TRIGGERS("event_change") FEED_TRIGGERS("feed_token"),
    /* clang-format on */
    /* 5 -> 6: outbox_due holds the queued rows only, in the order they
     * are claimed. Marking a row sent, the mailer's one commit per
     * message, then writes the table's page alone: 8% of the mail rate
     * (bench/README.md). */
    "DROP INDEX outbox_due;"
    "CREATE INDEX outbox_due ON outbox(due)"
    "  WHERE status = 'queued';",
};

#endif
