/*
 * Unit tests for core/store (through core/store.h) on a temporary database
 * file: open modes and the schema version check, the registry (wijken,
 * practices, organisations, persons) with duplicates and unknown
 * references, forgetting a person, audience check and resolve (terms of
 * one group hold for one affiliation; groups are a union), events with
 * their audience and changes, list filters, and transactions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audience.h"
#include "core/store.h"
#include "core/util.h"
#include "core/wtime.h"

/* ---- helpers ---- */

static char *err_msg; /* the message of the last call, see E */
#define E (&err_msg)

/* The call must succeed; else the test fails with its message. */
#define OK(call) ok_((call), #call, __LINE__)
static void ok_(int rc, const char *what, int line)
{
	if (rc != WK_OK)
		fail_msg("line %d: %s: rc %d: %s", line, what, rc,
		         err_msg ? err_msg : "(no message)");
	xfree(&err_msg);
}

/* The call must fail with rc and exactly this message. */
#define FAILS(call, want_rc, want_msg)                                         \
	fails_((call), #call, want_rc, want_msg, __LINE__)
static void fails_(int rc, const char *what, int want_rc, const char *want,
                   int line)
{
	if (rc != want_rc)
		fail_msg("line %d: %s: rc %d, want %d (%s)", line, what, rc,
		         want_rc, err_msg ? err_msg : "no message");
	if (want && (err_msg == NULL || strcmp(err_msg, want) != 0))
		fail_msg("line %d: %s:\n got: %s\nwant: %s", line, what,
		         err_msg ? err_msg : "(none)", want);
	xfree(&err_msg);
}

struct fixture {
	char dir[64];
	char *path; /* dir/wijkcal.db */
	struct store *st;
};

static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

static struct fixture *fixture_new(void)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/wijkcal-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/wijkcal.db", f->dir);
	return f;
}

static int empty_setup(void **state)
{
	*state = fixture_new();
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(&f->st);
	remove_db(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	xfree(&err_msg);
	return 0;
}

/* Writes text to path (to fake a file that is not a database). */
static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *read_text(const char *path)
{
	char *text = read_file_max(path, 1 << 20, NULL, NULL);
	assert_non_null(text);
	return text;
}

/* Sets PRAGMA user_version of a database file with SQLite directly. */
static void set_user_version(const char *path, int v)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *sql = xasprintf("PRAGMA user_version = %d", v);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void add_wijk(struct store *st, const char *slug, const char *name)
{
	struct wijk w = {0, (char *)slug, (char *)name};
	OK(store_wijk_add(st, &w, E));
}

static void add_practice(struct store *st, const char *slug, const char *wijk,
                         const char *address)
{
	struct practice p = {0, (char *)slug, (char *)"Praktijk", (char *)wijk,
	                     (char *)address};
	OK(store_practice_add(st, &p, E));
}

static void add_org(struct store *st, const char *slug, const char *kind,
                    const char *wijk)
{
	struct org o = {0, (char *)slug, (char *)"Organisatie", (char *)kind,
	                (char *)wijk};
	OK(store_org_add(st, &o, E));
}

/*
 * An affiliation written as "practice/role" or "@org/role"; the strings
 * point into buf (at least as long as spec).
 */
static struct affiliation aff_of(const char *spec, char *buf)
{
	strcpy(buf, spec);
	char *slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	struct affiliation a = {NULL, NULL, slash + 1};
	if (buf[0] == '@')
		a.org = buf + 1;
	else
		a.practice = buf;
	return a;
}

/* Adds a person with affiliations (NULL-terminated specs, see aff_of). */
static int person_add(struct store *st, const char *email, const char *name,
                      const char *const *specs)
{
	struct affiliation aff[4];
	char bufs[4][64];
	size_t n = 0;
	for (; specs && specs[n]; n++) {
		assert_true(n < ARRAY_SIZE(aff));
		aff[n] = aff_of(specs[n], bufs[n]);
	}
	struct person p = {0, (char *)email, (char *)name, NULL, aff, n};
	return store_person_add(st, &p, E);
}

#define AFF(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * The registry every registry, audience and event test starts from:
 *   wijk noord: practices de-linde and de-brug, org welzijn-west (welzijn)
 *   wijk zuid:  practice het-anker, org apotheek-zuid (apotheek)
 *   no wijk:    org gemeente (gemeente)
 *   a: huisarts at de-linde (noord)
 *   b: huisarts at het-anker (zuid) and poh at de-linde (noord)
 *   c: pm at de-brug (noord)
 *   d: partner at welzijn-west (noord)
 *   e: partner at gemeente (no wijk)
 *   f: no affiliation
 *   g: apotheker at apotheek-zuid (zuid)
 */
static void seed(struct store *st)
{
	add_wijk(st, "noord", "Noord");
	add_wijk(st, "zuid", "Zuid");
	add_practice(st, "de-linde", "noord", "Lindelaan 1");
	add_practice(st, "de-brug", "noord", NULL);
	add_practice(st, "het-anker", "zuid", NULL);
	add_org(st, "welzijn-west", "welzijn", "noord");
	add_org(st, "apotheek-zuid", "apotheek", "zuid");
	add_org(st, "gemeente", "gemeente", NULL);
	OK(person_add(st, "a@x.nl", "Anna", AFF("de-linde/huisarts")));
	OK(person_add(st, "b@x.nl", "Bram",
	              AFF("het-anker/huisarts", "de-linde/poh")));
	OK(person_add(st, "c@x.nl", "Cor", AFF("de-brug/pm")));
	OK(person_add(st, "d@x.nl", "Dirk", AFF("@welzijn-west/partner")));
	OK(person_add(st, "e@x.nl", "Eva", AFF("@gemeente/partner")));
	OK(person_add(st, "f@x.nl", "Fleur", NULL));
	OK(person_add(st, "g@x.nl", "Gijs", AFF("@apotheek-zuid/apotheker")));
}

static int seeded_setup(void **state)
{
	struct fixture *f = fixture_new();
	*state = f;
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	seed(f->st);
	return 0;
}

static struct wtime wt(const char *s)
{
	struct wtime t;
	if (wtime_parse(s, true, "test", &t, E) < 0)
		fail_msg("%s", err_msg);
	return t;
}

static int64_t utc(const char *s)
{
	struct wtime t = wt(s);
	return wtime_to_utc(&t, WIJKCAL_TZID);
}

/* A single public event; the caller frees it with event_free. */
static struct event new_event(const char *uid, const char *kind,
                              const char *wijk, const char *start)
{
	struct event e = {0};
	e.uid = xstrdup(uid);
	e.kind = xstrdup(kind);
	e.wijk = xstrdup(wijk);
	e.title = xasprintf("Titel %s", uid);
	e.start = wt(start);
	e.duration_min = 90;
	e.tzid = xstrdup(WIJKCAL_TZID);
	e.points = -1;
	e.capacity = -1;
	e.is_public = true;
	e.created = e.modified = 1800000000;
	return e;
}

static void set_audience(struct event *e, const char *const *exprs)
{
	for (size_t i = 0; i < e->naudience; i++)
		free(e->audience[i]);
	free(e->audience);
	e->audience = NULL;
	e->naudience = 0;
	for (; exprs && *exprs; exprs++) {
		e->audience =
		    xrealloc(e->audience, (e->naudience + 1) * sizeof(char *));
		e->audience[e->naudience++] = xstrdup(*exprs);
	}
}

static void insert(struct store *st, struct event *e)
{
	OK(store_event_insert(st, e, E));
	assert_true(e->id > 0);
}

/* The e-mail addresses of a person list, joined with spaces. */
static char *emails(const struct person *list, size_t n)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_appendc(&b, ' ');
		strbuf_append(&b, list[i].email);
	}
	return strbuf_take(&b);
}

static void free_persons(struct person *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		person_free(&list[i]);
	free(list);
}

/* The audience of an event, joined with " | ". */
static char *audience_text(const struct event *e)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < e->naudience; i++) {
		if (i)
			strbuf_append(&b, " | ");
		strbuf_append(&b, e->audience[i]);
	}
	return strbuf_take(&b);
}

static void assert_event_audience(struct store *st, const char *uid,
                                  const char *want)
{
	struct event e;
	OK(store_event_get(st, uid, &e, E));
	char *got = audience_text(&e);
	if (strcmp(got, want) != 0)
		fail_msg("audience of %s:\n got: %s\nwant: %s", uid, got, want);
	free(got);
	event_free(&e);
}

/* ---- opening and the schema version ---- */

static void test_open_missing_file(void **state)
{
	struct fixture *f = *state;
	const enum store_mode modes[] = {STORE_READ, STORE_WRITE};
	char *want = xasprintf("database %s: %s; create it with `wijkcal init`",
	                       f->path, strerror(ENOENT));
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct store *st = NULL;
		FAILS(store_open(f->path, modes[i], &st, E), WK_EIO, want);
		assert_null(st);
		assert_int_equal(access(f->path, F_OK), -1);
	}
	free(want);
}

static void test_open_create_then_read_and_write(void **state)
{
	struct fixture *f = *state;
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	add_wijk(f->st, "noord", "Noord");
	store_close(&f->st);
	assert_null(f->st);

	/* init again keeps the data. */
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	store_close(&f->st);

	const enum store_mode modes[] = {STORE_READ, STORE_WRITE};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		OK(store_open(f->path, modes[i], &f->st, E));
		assert_int_equal(store_schema_version(f->st),
		                 STORE_SCHEMA_VERSION);
		struct wijk w;
		OK(store_wijk_get(f->st, "noord", &w, E));
		assert_string_equal(w.name, "Noord");
		wijk_free(&w);
		store_close(&f->st);
	}
	store_close(&f->st); /* closing NULL is harmless */
}

static void test_open_read_only_refuses_writes(void **state)
{
	struct fixture *f = *state;
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	store_close(&f->st);
	OK(store_open(f->path, STORE_READ, &f->st, E));
	struct wijk w = {0, (char *)"noord", (char *)"Noord"};
	FAILS(store_wijk_add(f->st, &w, E), WK_EIO, NULL);
	struct wijk *list;
	size_t n;
	OK(store_wijk_list(f->st, &list, &n, E));
	assert_int_equal(n, 0);
	free(list);
}

static void test_open_newer_schema(void **state)
{
	struct fixture *f = *state;
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	store_close(&f->st);
	set_user_version(f->path, STORE_SCHEMA_VERSION + 1);
	char *want =
	    xasprintf("database %s has schema version %d, newer than "
	              "this wijkcal (%d); upgrade wijkcal",
	              f->path, STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	/* Every mode refuses, `wijkcal init` (STORE_CREATE) too: an older
	 * build must not write to a newer schema. */
	const enum store_mode modes[] = {STORE_READ, STORE_WRITE, STORE_CREATE};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct store *st = NULL;
		FAILS(store_open(f->path, modes[i], &st, E), WK_EIO, want);
		assert_null(st);
	}
	free(want);
}

static void test_open_older_schema(void **state)
{
	struct fixture *f = *state;
	/* An empty SQLite database has user_version 0. */
	set_user_version(f->path, 0);
	char *want = xasprintf("database %s has schema version 0; run "
	                       "`wijkcal init` to upgrade it to %d",
	                       f->path, STORE_SCHEMA_VERSION);
	struct store *st = NULL;
	FAILS(store_open(f->path, STORE_READ, &st, E), WK_EIO, want);
	FAILS(store_open(f->path, STORE_WRITE, &st, E), WK_EIO, want);
	assert_null(st);
	free(want);
	/* init upgrades it. */
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	add_wijk(f->st, "noord", "Noord");
}

static void test_open_empty_file(void **state)
{
	struct fixture *f = *state;
	write_text(f->path, "");
	struct store *st = NULL;
	FAILS(store_open(f->path, STORE_READ, &st, E), WK_EIO, NULL);
	OK(store_open(f->path, STORE_CREATE, &f->st, E));
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
}

static void test_open_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = {0};
	for (int i = 0; i < 200; i++)
		strbuf_append(&b, "dit is geen database maar een notitie\n");
	write_text(f->path, b.data);
	const enum store_mode modes[] = {STORE_READ, STORE_WRITE, STORE_CREATE};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct store *st = NULL;
		int rc = store_open(f->path, modes[i], &st, E);
		assert_int_equal(rc, WK_EIO);
		assert_null(st);
		/* The message names the file and says what is wrong. */
		assert_non_null(err_msg);
		assert_non_null(strstr(err_msg, f->path));
		assert_non_null(strstr(err_msg, "not a database"));
		xfree(&err_msg);
	}
	/* Nothing was written to the file. */
	char *after = read_text(f->path);
	assert_string_equal(after, b.data);
	free(after);
	strbuf_free(&b);
}

/* ---- transactions ---- */

static void test_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	OK(store_begin(st, E));
	add_wijk(st, "oost", "Oost");
	add_practice(st, "de-ster", "oost", NULL);
	OK(person_add(st, "h@x.nl", "Hans", AFF("de-ster/huisarts")));
	struct event e =
	    new_event("rollback-1", "hagro", "oost", "2027-01-12 12:00");
	set_audience(&e, AFF("wijk:oost"));
	e.nchanges = 1;
	e.changes = xcalloc(1, sizeof(*e.changes));
	e.changes[0].exc.recurrence_id = wt("2027-01-12 12:00");
	e.changes[0].exc.cancelled = true;
	insert(st, &e);
	store_rollback(st);

	struct wijk w;
	FAILS(store_wijk_get(st, "oost", &w, E), WK_ENOTFOUND,
	      "unknown wijk \"oost\"");
	struct practice p;
	FAILS(store_practice_get(st, "de-ster", &p, E), WK_ENOTFOUND, NULL);
	struct person pe;
	FAILS(store_person_get(st, "h@x.nl", &pe, E), WK_ENOTFOUND, NULL);
	struct event got;
	FAILS(store_event_get(st, "rollback-1", &got, E), WK_ENOTFOUND, NULL);
	/* The same things can be added afterwards. */
	add_wijk(st, "oost", "Oost");
	e.id = 0;
	free(e.wijk);
	e.wijk = xstrdup("noord");
	insert(st, &e);
	OK(store_event_get(st, "rollback-1", &got, E));
	assert_int_equal(got.naudience, 1);
	assert_int_equal(got.nchanges, 1);
	event_free(&got);
	event_free(&e);
}

static void test_commit_keeps(void **state)
{
	struct fixture *f = *state;
	OK(store_begin(f->st, E));
	add_wijk(f->st, "oost", "Oost");
	OK(store_commit(f->st, E));
	store_close(&f->st);
	OK(store_open(f->path, STORE_READ, &f->st, E));
	struct wijk w;
	OK(store_wijk_get(f->st, "oost", &w, E));
	wijk_free(&w);
}

/* A person whose affiliation cannot be added leaves no person behind when
 * the command rolls back, as every writer does. */
static void test_failed_person_add_rolls_back(void **state)
{
	struct fixture *f = *state;
	OK(store_begin(f->st, E));
	FAILS(person_add(f->st, "h@x.nl", "Hans",
	                 AFF("de-linde/huisarts", "bestaat-niet/poh")),
	      WK_ENOTFOUND, "--practice: unknown practice \"bestaat-niet\"");
	store_rollback(f->st);
	struct person p;
	FAILS(store_person_get(f->st, "h@x.nl", &p, E), WK_ENOTFOUND,
	      "unknown person \"h@x.nl\"");
}

/* A second writer gets WK_EBUSY (after the busy timeout). */
static void test_second_writer_is_busy(void **state)
{
	struct fixture *f = *state;
	struct store *other;
	OK(store_open(f->path, STORE_WRITE, &other, E));
	OK(store_begin(f->st, E));
	char *want = xasprintf(
	    "database %s is locked by another writer; try again", f->path);
	FAILS(store_begin(other, E), WK_EBUSY, want);
	free(want);
	store_rollback(f->st);
	OK(store_begin(other, E));
	OK(store_commit(other, E));
	store_close(&other);
}

/* ---- registry ---- */

static void test_wijk(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct wijk w;
	OK(store_wijk_get(st, "noord", &w, E));
	assert_true(w.id > 0);
	assert_string_equal(w.slug, "noord");
	assert_string_equal(w.name, "Noord");
	wijk_free(&w);
	FAILS(store_wijk_get(st, "oost", &w, E), WK_ENOTFOUND,
	      "unknown wijk \"oost\"");
	struct wijk dup = {0, (char *)"noord", (char *)"Noord 2"};
	FAILS(store_wijk_add(st, &dup, E), WK_EEXIST,
	      "wijk \"noord\" already exists");
	/* Sorted by slug, whatever the order of adding. */
	add_wijk(st, "centrum", "Centrum");
	struct wijk *list;
	size_t n;
	OK(store_wijk_list(st, &list, &n, E));
	assert_int_equal(n, 3);
	assert_string_equal(list[0].slug, "centrum");
	assert_string_equal(list[1].slug, "noord");
	assert_string_equal(list[2].slug, "zuid");
	assert_string_equal(list[1].name, "Noord"); /* not "Noord 2" */
	for (size_t i = 0; i < n; i++)
		wijk_free(&list[i]);
	free(list);
}

static void test_practice(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct practice p;
	OK(store_practice_get(st, "de-linde", &p, E));
	assert_string_equal(p.wijk, "noord");
	assert_string_equal(p.address, "Lindelaan 1");
	practice_free(&p);
	OK(store_practice_get(st, "de-brug", &p, E));
	assert_null(p.address);
	practice_free(&p);
	FAILS(store_practice_get(st, "de-ster", &p, E), WK_ENOTFOUND,
	      "unknown practice \"de-ster\"");

	struct practice bad = {0, (char *)"de-ster", (char *)"De Ster",
	                       (char *)"oost", NULL};
	FAILS(store_practice_add(st, &bad, E), WK_ENOTFOUND,
	      "--wijk: unknown wijk \"oost\"");
	struct practice dup = {0, (char *)"de-linde", (char *)"X",
	                       (char *)"zuid", NULL};
	FAILS(store_practice_add(st, &dup, E), WK_EEXIST,
	      "practice \"de-linde\" already exists");

	/* Moving a practice to another wijk. */
	struct practice moved = {0, (char *)"de-brug", (char *)"De Brug",
	                         (char *)"zuid", (char *)"Brugweg 2"};
	OK(store_practice_update(st, &moved, E));
	OK(store_practice_get(st, "de-brug", &p, E));
	assert_string_equal(p.name, "De Brug");
	assert_string_equal(p.wijk, "zuid");
	assert_string_equal(p.address, "Brugweg 2");
	practice_free(&p);
	moved.wijk = (char *)"oost";
	FAILS(store_practice_update(st, &moved, E), WK_ENOTFOUND, NULL);

	static const struct {
		const char *wijk, *want;
	} lists[] = {
	    {NULL, "de-brug de-linde het-anker"},
	    {"noord", "de-linde"},
	    {"zuid", "de-brug het-anker"},
	    {"oost", ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		struct practice *list;
		size_t n;
		OK(store_practice_list(st, lists[i].wijk, &list, &n, E));
		struct strbuf b = {0};
		for (size_t k = 0; k < n; k++) {
			strbuf_appendf(&b, "%s%s", k ? " " : "", list[k].slug);
			if (lists[i].wijk)
				assert_string_equal(list[k].wijk,
				                    lists[i].wijk);
			practice_free(&list[k]);
		}
		free(list);
		char *got = strbuf_take(&b);
		assert_string_equal(got, lists[i].want);
		free(got);
	}
}

static void test_org(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct org o;
	OK(store_org_get(st, "welzijn-west", &o, E));
	assert_string_equal(o.kind, "welzijn");
	assert_string_equal(o.wijk, "noord");
	org_free(&o);
	OK(store_org_get(st, "gemeente", &o, E));
	assert_null(o.wijk);
	org_free(&o);
	FAILS(store_org_get(st, "ggd", &o, E), WK_ENOTFOUND,
	      "unknown organisation \"ggd\"");
	struct org bad = {0, (char *)"ggd", (char *)"GGD", (char *)"overig",
	                  (char *)"oost"};
	FAILS(store_org_add(st, &bad, E), WK_ENOTFOUND,
	      "--wijk: unknown wijk \"oost\"");
	struct org dup = {0, (char *)"gemeente", (char *)"Gemeente",
	                  (char *)"gemeente", NULL};
	FAILS(store_org_add(st, &dup, E), WK_EEXIST,
	      "organisation \"gemeente\" already exists");
	struct org *list;
	size_t n;
	OK(store_org_list(st, &list, &n, E));
	assert_int_equal(n, 3);
	assert_string_equal(list[0].slug, "apotheek-zuid");
	assert_string_equal(list[1].slug, "gemeente");
	assert_string_equal(list[2].slug, "welzijn-west");
	for (size_t i = 0; i < n; i++)
		org_free(&list[i]);
	free(list);
}

static void test_person_add_get(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct person p;
	OK(store_person_get(st, "b@x.nl", &p, E));
	assert_string_equal(p.name, "Bram");
	assert_null(p.big);
	assert_int_equal(p.naff, 2);
	assert_string_equal(p.aff[0].practice, "het-anker");
	assert_null(p.aff[0].org);
	assert_string_equal(p.aff[0].role, "huisarts");
	assert_string_equal(p.aff[1].practice, "de-linde");
	assert_string_equal(p.aff[1].role, "poh");
	person_free(&p);

	OK(store_person_get(st, "d@x.nl", &p, E));
	assert_int_equal(p.naff, 1);
	assert_null(p.aff[0].practice);
	assert_string_equal(p.aff[0].org, "welzijn-west");
	person_free(&p);

	OK(store_person_get(st, "f@x.nl", &p, E));
	assert_int_equal(p.naff, 0);
	assert_null(p.aff);
	person_free(&p);

	/* E-mail addresses are case-insensitive. */
	OK(store_person_get(st, "A@X.NL", &p, E));
	assert_string_equal(p.email, "a@x.nl");
	person_free(&p);
	FAILS(person_add(st, "A@x.nl", "Anna 2", NULL), WK_EEXIST,
	      "person A@x.nl already exists (add another affiliation with "
	      "`wijkcal person link`)");
	FAILS(store_person_get(st, "z@x.nl", &p, E), WK_ENOTFOUND,
	      "unknown person \"z@x.nl\"");
	FAILS(person_add(st, "h@x.nl", "Hans", AFF("@ggd/partner")),
	      WK_ENOTFOUND, "--org: unknown organisation \"ggd\"");
	FAILS(
	    person_add(st, "i@x.nl", "Ilse", AFF("de-brug/poh", "de-brug/poh")),
	    WK_EEXIST, "the person already has role poh at de-brug");

	struct person upd = {0,
	                     (char *)"a@x.nl",
	                     (char *)"Anna de Vries",
	                     (char *)"12345678901",
	                     NULL,
	                     0};
	OK(store_person_update(st, &upd, E));
	OK(store_person_get(st, "a@x.nl", &p, E));
	assert_string_equal(p.name, "Anna de Vries");
	assert_string_equal(p.big, "12345678901");
	assert_int_equal(p.naff, 1); /* affiliations untouched */
	person_free(&p);
}

static void test_person_list(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	OK(person_add(st, "0@x.nl", "Nul", AFF("de-brug/assistent")));
	struct person *list;
	size_t n;
	OK(store_person_list(st, &list, &n, E));
	char *got = emails(list, n);
	assert_string_equal(got,
	                    "0@x.nl a@x.nl b@x.nl c@x.nl d@x.nl e@x.nl f@x.nl "
	                    "g@x.nl");
	free(got);
	assert_int_equal(list[2].naff, 2); /* b keeps both */
	assert_int_equal(list[6].naff, 0); /* f */
	free_persons(list, n);
}

static void test_person_link(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	char buf[64];
	struct affiliation a = aff_of("de-brug/waarnemer", buf);
	OK(store_person_link(st, "a@x.nl", &a, E));
	/* Another role at the same practice is another affiliation. */
	a = aff_of("de-linde/pm", buf);
	OK(store_person_link(st, "A@X.NL", &a, E));
	a = aff_of("de-linde/huisarts", buf);
	FAILS(store_person_link(st, "a@x.nl", &a, E), WK_EEXIST,
	      "the person already has role huisarts at de-linde");
	a = aff_of("@gemeente/partner", buf);
	FAILS(store_person_link(st, "e@x.nl", &a, E), WK_EEXIST,
	      "the person already has role partner at gemeente");
	FAILS(store_person_link(st, "z@x.nl", &a, E), WK_ENOTFOUND,
	      "unknown person \"z@x.nl\"");
	a = aff_of("de-ster/poh", buf);
	FAILS(store_person_link(st, "a@x.nl", &a, E), WK_ENOTFOUND,
	      "--practice: unknown practice \"de-ster\"");
	struct person p;
	OK(store_person_get(st, "a@x.nl", &p, E));
	assert_int_equal(p.naff, 3);
	assert_string_equal(p.aff[1].practice, "de-brug");
	assert_string_equal(p.aff[1].role, "waarnemer");
	assert_string_equal(p.aff[2].role, "pm");
	person_free(&p);
}

/* ---- audience check and resolve ---- */

static void test_audience_check(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	static const char *const valid[] = {
	    "wijk:noord role:huisarts",
	    "wijk:noord,zuid",
	    "practice:de-linde,het-anker role:poh",
	    "org:welzijn-west",
	    "org-kind:bewoners", /* a kind nobody has yet */
	    "role:regio",
	    "person:a@x.nl",
	    "person:A@X.NL,f@x.nl wijk:zuid",
	};
	for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
		OK(store_audience_check(st, valid[i], E));

	static const struct {
		const char *expr;
		int rc;
		const char *msg;
	} invalid[] = {
	    {"wijk:oost", WK_ENOTFOUND, "--audience: unknown wijk \"oost\""},
	    {"wijk:noord,oost role:pm", WK_ENOTFOUND,
	     "--audience: unknown wijk \"oost\""},
	    {"practice:de-ster", WK_ENOTFOUND,
	     "--audience: unknown practice \"de-ster\""},
	    {"org:ggd", WK_ENOTFOUND,
	     "--audience: unknown organisation \"ggd\""},
	    {"person:a@x.nl,z@x.nl", WK_ENOTFOUND,
	     "--audience: unknown person \"z@x.nl\""},
	    {"role:arts", WK_EINVAL,
	     "--audience: unknown role \"arts\" (expected one of "
	     "huisarts, waarnemer, poh, pm, assistent, apotheker, "
	     "partner, regio)"},
	    {"", WK_EINVAL,
	     "--audience: expected terms like \"wijk:noord "
	     "role:huisarts,poh\""},
	    {"wijk:noord wijk:zuid", WK_EINVAL, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
		FAILS(store_audience_check(st, invalid[i].expr, E),
		      invalid[i].rc, invalid[i].msg);
}

struct resolve_case {
	const char *name;
	const char *exprs[4];
	const char *want; /* e-mails in order */
};

static const struct resolve_case resolve_cases[] = {
    {"a wijk: practices and organisations in it",
     {"wijk:noord"},
     "a@x.nl b@x.nl c@x.nl d@x.nl"},
    {"terms hold for one affiliation: b is huisarts in zuid, poh in noord",
     {"wijk:noord role:huisarts"},
     "a@x.nl"},
    {"the same person by the other affiliation",
     {"wijk:zuid role:huisarts"},
     "b@x.nl"},
    {"no affiliation matches both", {"wijk:zuid role:poh"}, ""},
    {"practice and role", {"practice:de-linde role:poh"}, "b@x.nl"},
    {"a practice: everyone there", {"practice:de-linde"}, "a@x.nl b@x.nl"},
    {"values of one term are alternatives",
     {"practice:de-linde,het-anker role:huisarts"},
     "a@x.nl b@x.nl"},
    {"role in any wijk", {"role:huisarts"}, "a@x.nl b@x.nl"},
    {"role in several wijken",
     {"wijk:noord,zuid role:huisarts"},
     "a@x.nl b@x.nl"},
    {"an organisation", {"org:welzijn-west"}, "d@x.nl"},
    {"org kinds", {"org-kind:welzijn,apotheek"}, "d@x.nl g@x.nl"},
    {"an organisation without wijk", {"org-kind:gemeente"}, "e@x.nl"},
    {"an organisation without wijk is in no wijk",
     {"org-kind:gemeente wijk:noord"},
     ""},
    {"a person needs no affiliation", {"person:f@x.nl"}, "f@x.nl"},
    {"person terms ignore case", {"person:A@X.NL"}, "a@x.nl"},
    {"person and affiliation terms both hold",
     {"person:a@x.nl,b@x.nl role:poh"},
     "b@x.nl"},
    {"a person without affiliation fails an affiliation term",
     {"person:f@x.nl wijk:noord"},
     ""},
    {"groups are a union",
     {"wijk:noord role:huisarts", "person:f@x.nl"},
     "a@x.nl f@x.nl"},
    {"a union lists everyone once",
     {"practice:de-linde", "role:huisarts", "person:a@x.nl"},
     "a@x.nl b@x.nl"},
    {"two wijken",
     {"wijk:zuid", "wijk:noord"},
     "a@x.nl b@x.nl c@x.nl d@x.nl g@x.nl"},
    {"an unknown wijk matches nobody", {"wijk:oost"}, ""},
    {"no affiliation is with a practice and an org",
     {"practice:de-linde org:welzijn-west"},
     ""},
    {"org kind and role on one affiliation",
     {"org-kind:welzijn,gemeente role:partner wijk:noord"},
     "d@x.nl"},
    {"a role of practices and organisations",
     {"role:partner,pm"},
     "c@x.nl d@x.nl e@x.nl"},
    {"an unparsable group matches nobody, the others still count",
     {"wijk:noord wijk:zuid", "person:f@x.nl", "nonsense"},
     "f@x.nl"},
    {"no groups", {NULL}, ""},
};

static void test_audience_resolve(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	for (size_t i = 0; i < ARRAY_SIZE(resolve_cases); i++) {
		const struct resolve_case *rc = &resolve_cases[i];
		size_t nexpr = 0;
		while (nexpr < ARRAY_SIZE(rc->exprs) && rc->exprs[nexpr])
			nexpr++;
		struct person *list;
		size_t n;
		OK(store_audience_resolve(st, (char *const *)rc->exprs, nexpr,
		                          &list, &n, E));
		char *got = emails(list, n);
		if (strcmp(got, rc->want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", rc->name, got,
			         rc->want);
		for (size_t k = 0; k < n; k++)
			assert_non_null(list[k].name);
		free(got);
		free_persons(list, n);
	}
}

/* Testing one person in memory (store_person_reach, audience_exprs_reach:
 * a person's feed) agrees with resolving the audience, for every case
 * above and every person of the registry. */
static void test_audience_reach_agrees(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct person *all;
	size_t nall;
	OK(store_person_list(st, &all, &nall, E));
	assert_true(nall >= 5);
	for (size_t i = 0; i < ARRAY_SIZE(resolve_cases); i++) {
		const struct resolve_case *rc = &resolve_cases[i];
		size_t nexpr = 0;
		while (nexpr < ARRAY_SIZE(rc->exprs) && rc->exprs[nexpr])
			nexpr++;
		for (size_t k = 0; k < nall; k++) {
			struct aud_reach r;
			OK(store_person_reach(st, all[k].email, &r, E));
			bool in = audience_exprs_reach((char *const *)rc->exprs,
			                               nexpr, &r);
			/* want: " a@x.nl " appears in " WANT " */
			char *pad = xasprintf(" %s ", rc->want);
			char *me = xasprintf(" %s ", all[k].email);
			bool want = strstr(pad, me) != NULL;
			if (in != want)
				fail_msg("%s: %s is %s", rc->name, all[k].email,
				         in ? "in, but not resolved"
				            : "resolved, but not in");
			free(pad);
			free(me);
			audience_reach_free(&r);
		}
	}
	free_persons(all, nall);
	struct aud_reach r;
	assert_int_equal(store_person_reach(st, "nobody@x.nl", &r, E),
	                 WK_ENOTFOUND);
}

/* Someone who joins later is in the audience of existing groups. */
static void test_audience_resolves_when_used(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	char *const expr[] = {(char *)"wijk:noord role:huisarts"};
	char buf[64];
	struct affiliation a = aff_of("de-brug/huisarts", buf);
	OK(store_person_link(st, "c@x.nl", &a, E));
	struct person *list;
	size_t n;
	OK(store_audience_resolve(st, expr, 1, &list, &n, E));
	char *got = emails(list, n);
	assert_string_equal(got, "a@x.nl c@x.nl");
	free(got);
	free_persons(list, n);
}

/* ---- events ---- */

static void assert_text_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_wtime_equal(const struct wtime *a, const struct wtime *b)
{
	char x[WTIME_STRLEN], y[WTIME_STRLEN];
	wtime_format(a, x);
	wtime_format(b, y);
	assert_string_equal(x, y);
	assert_int_equal(a->date_only, b->date_only);
}

/* Every field written is read back. */
static void assert_event_equal(const struct event *a, const struct event *b)
{
	assert_int_equal(a->id, b->id);
	assert_text_equal(a->uid, b->uid);
	assert_text_equal(a->kind, b->kind);
	assert_text_equal(a->wijk, b->wijk);
	assert_text_equal(a->title, b->title);
	assert_text_equal(a->description, b->description);
	assert_text_equal(a->location, b->location);
	assert_text_equal(a->online_url, b->online_url);
	assert_text_equal(a->url, b->url);
	assert_text_equal(a->organizer, b->organizer);
	assert_wtime_equal(&a->start, &b->start);
	assert_int_equal(a->duration_min, b->duration_min);
	assert_text_equal(a->tzid, b->tzid);
	assert_text_equal(a->rrule, b->rrule);
	assert_int_equal(a->points, b->points);
	assert_int_equal(a->capacity, b->capacity);
	assert_int_equal(a->is_public, b->is_public);
	assert_int_equal(a->draft, b->draft);
	assert_int_equal(a->cancelled, b->cancelled);
	assert_int_equal(a->sequence, b->sequence);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->modified, b->modified);
	assert_int_equal(a->naudience, b->naudience);
	for (size_t i = 0; i < a->naudience; i++)
		assert_string_equal(a->audience[i], b->audience[i]);
	assert_int_equal(a->nchanges, b->nchanges);
	for (size_t i = 0; i < a->nchanges; i++) {
		const struct event_change *x = &a->changes[i],
		                          *y = &b->changes[i];
		assert_wtime_equal(&x->exc.recurrence_id,
		                   &y->exc.recurrence_id);
		assert_int_equal(x->exc.cancelled, y->exc.cancelled);
		if (!x->exc.cancelled) {
			assert_wtime_equal(&x->exc.start, &y->exc.start);
			assert_int_equal(x->exc.duration_min,
			                 y->exc.duration_min);
		}
		assert_int_equal(x->sequence, y->sequence);
		assert_int_equal(x->modified, y->modified);
	}
}

/* A monthly Hagro with every optional field, two audience groups, one
 * cancelled and one moved occurrence (changes sorted by recurrence id). */
static struct event full_event(void)
{
	struct event e = new_event("hagro-noord@wijkcal", "hagro", "noord",
	                           "2027-01-12 12:30");
	e.description = xstrdup("Casu\xc3\xafstiek\nen koffie");
	e.location = xstrdup("De Linde, Lindelaan 1");
	e.online_url = xstrdup("https://meet.example.nl/hagro");
	e.url = xstrdup("https://wijk.example.nl/hagro");
	e.organizer = xstrdup("c@x.nl");
	e.rrule = xstrdup("FREQ=MONTHLY;COUNT=10;BYDAY=2TU");
	e.points = 2;
	e.capacity = 25;
	e.is_public = false;
	e.sequence = 4;
	e.created = 1800000000;
	e.modified = 1800000500;
	set_audience(
	    &e, AFF("wijk:noord role:huisarts,waarnemer", "person:g@x.nl"));
	e.nchanges = 2;
	e.changes = xcalloc(2, sizeof(*e.changes));
	e.changes[0].exc.recurrence_id = wt("2027-02-09 12:30");
	e.changes[0].exc.cancelled = true;
	e.changes[0].sequence = 5;
	e.changes[0].modified = 1800000600;
	e.changes[1].exc.recurrence_id = wt("2027-03-09 12:30");
	e.changes[1].exc.start = wt("2027-03-10 13:00");
	e.changes[1].exc.duration_min = 60;
	e.changes[1].sequence = 6;
	e.changes[1].modified = 1800000700;
	return e;
}

static void test_event_round_trip(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e = full_event();
	insert(st, &e);

	struct event got;
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)e.id);
	OK(store_event_get(st, id, &got, E));
	assert_event_equal(&e, &got);
	event_free(&got);
	OK(store_event_get(st, "hagro-noord@wijkcal", &got, E));
	assert_event_equal(&e, &got);
	event_free(&got);
	OK(store_event_get_by_uid(st, "hagro-noord@wijkcal", &got, E));
	assert_event_equal(&e, &got);
	event_free(&got);

	/* A minimal all-day event: NULLs and -1 stay so. */
	struct event day =
	    new_event("vragenlijst-2027", "vragenlijst", "zuid", "2027-06-01");
	day.duration_min = 14 * 1440;
	day.draft = true;
	day.cancelled = true;
	insert(st, &day);
	OK(store_event_get(st, "vragenlijst-2027", &got, E));
	assert_true(got.start.date_only);
	assert_null(got.description);
	assert_null(got.organizer);
	assert_null(got.rrule);
	assert_int_equal(got.points, -1);
	assert_int_equal(got.capacity, -1);
	assert_null(got.audience);
	assert_null(got.changes);
	assert_event_equal(&day, &got);
	event_free(&got);
	event_free(&day);
	event_free(&e);
}

static void test_event_insert_errors(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e =
	    new_event("lunch-1", "wijklunch", "noord", "2027-01-12 12:00");
	insert(st, &e);
	struct event dup =
	    new_event("lunch-1", "borrel", "zuid", "2027-05-01 17:00");
	FAILS(store_event_insert(st, &dup, E), WK_EEXIST,
	      "an event with UID lunch-1 already exists");
	struct event bad =
	    new_event("lunch-2", "wijklunch", "oost", "2027-01-12 12:00");
	FAILS(store_event_insert(st, &bad, E), WK_ENOTFOUND,
	      "--wijk: unknown wijk \"oost\"");
	struct event got;
	OK(store_event_get(st, "lunch-1", &got, E));
	assert_string_equal(got.kind, "wijklunch"); /* not overwritten */
	event_free(&got);
	event_free(&dup);
	event_free(&bad);
	event_free(&e);
}

static void test_event_get_unknown(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e;
	FAILS(store_event_get(st, "999", &e, E), WK_ENOTFOUND,
	      "unknown event 999");
	FAILS(store_event_get(st, "nope@wijkcal", &e, E), WK_ENOTFOUND,
	      "unknown event \"nope@wijkcal\"");
	FAILS(store_event_get(st, "0", &e, E), WK_ENOTFOUND,
	      "unknown event \"0\"");
	FAILS(store_event_get(st, "", &e, E), WK_ENOTFOUND, NULL);
	FAILS(store_event_get_by_uid(st, "1", &e, E), WK_ENOTFOUND,
	      "unknown event \"1\"");
}

static void test_event_update(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e = full_event();
	insert(st, &e);
	struct event other =
	    new_event("other", "borrel", "zuid", "2027-05-01 17:00");
	set_audience(&other, AFF("wijk:zuid"));
	insert(st, &other);

	free(e.title);
	e.title = xstrdup("Hagro Noord (nieuw)");
	free(e.wijk);
	e.wijk = xstrdup("zuid");
	free(e.rrule);
	e.rrule = NULL;
	free(e.organizer);
	e.organizer = NULL;
	e.points = -1;
	e.sequence = 7;
	set_audience(&e, AFF("practice:het-anker"));
	e.nchanges = 1; /* the moved occurrence goes */
	OK(store_event_update(st, &e, E));

	struct event got;
	OK(store_event_get(st, "hagro-noord@wijkcal", &got, E));
	assert_event_equal(&e, &got);
	event_free(&got);
	/* The other event is untouched. */
	assert_event_audience(st, "other", "wijk:zuid");

	free(e.wijk);
	e.wijk = xstrdup("oost");
	FAILS(store_event_update(st, &e, E), WK_ENOTFOUND,
	      "--wijk: unknown wijk \"oost\"");
	event_free(&other);
	event_free(&e);
}

/* The events the list tests use; ids follow this order. */
static void seed_events(struct store *st)
{
	struct event e;

	e = new_event("e1-lunch", "wijklunch", "noord", "2027-01-12 12:00");
	set_audience(&e, AFF("wijk:noord", "person:e@x.nl"));
	insert(st, &e);
	event_free(&e);

	e = new_event("e2-hagro", "hagro", "noord", "2027-02-09 12:30");
	e.is_public = false;
	insert(st, &e);
	event_free(&e);

	e = new_event("e3-lunch", "wijklunch", "zuid", "2027-03-01 12:00");
	insert(st, &e);
	event_free(&e);

	e = new_event("e4-draft", "themaavond", "noord", "2027-01-20 19:30");
	e.draft = true;
	insert(st, &e);
	event_free(&e);

	/* 10 Nov, 10 Dec, 10 Jan: ends 2027-01-10 13:30. */
	e = new_event("e5-series", "hagro", "zuid", "2026-11-10 12:00");
	e.is_public = false;
	e.rrule = xstrdup("FREQ=MONTHLY;COUNT=3");
	e.nchanges = 1;
	e.changes = xcalloc(1, sizeof(*e.changes));
	e.changes[0].exc.recurrence_id = wt("2026-12-10 12:00");
	e.changes[0].exc.cancelled = true;
	insert(st, &e);
	event_free(&e);

	/* Open-ended. */
	e = new_event("e6-open", "fto", "noord", "2026-06-01 18:00");
	e.is_public = false;
	e.rrule = xstrdup("FREQ=MONTHLY");
	insert(st, &e);
	event_free(&e);
}

struct list_case {
	const char *name;
	struct event_filter f;
	const char *want; /* uids in order */
};

static void test_event_list_filters(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	seed_events(st);
	const struct list_case cases[] = {
	    {"no filter: all but drafts, by start",
	     {0},
	     "e6-open e5-series e1-lunch e2-hagro e3-lunch"},
	    {"with drafts",
	     {.include_drafts = true},
	     "e6-open e5-series e1-lunch e4-draft e2-hagro e3-lunch"},
	    {"one wijk", {.wijk = "noord"}, "e6-open e1-lunch e2-hagro"},
	    {"an unknown wijk", {.wijk = "oost"}, ""},
	    {"one kind", {.kind = "hagro"}, "e5-series e2-hagro"},
	    {"wijk and kind",
	     {.wijk = "zuid", .kind = "wijklunch"},
	     "e3-lunch"},
	    {"public only", {.public_only = true}, "e1-lunch e3-lunch"},
	    {"public only leaves drafts out",
	     {.public_only = true, .include_drafts = true},
	     "e1-lunch e3-lunch"},
	    {"a window",
	     {.from_utc = utc("2027-02-01 00:00"),
	      .to_utc = utc("2027-03-01 00:00")},
	     "e6-open e2-hagro"},
	    {"from only",
	     {.from_utc = utc("2027-02-15 00:00")},
	     "e6-open e3-lunch"},
	    {"to only",
	     {.to_utc = utc("2027-01-01 00:00")},
	     "e6-open e5-series"},
	    {"an event ending at from is out",
	     {.from_utc = utc("2027-01-12 13:30"), .wijk = "noord"},
	     "e6-open e2-hagro"},
	    {"an event ending just after from is in",
	     {.from_utc = utc("2027-01-12 13:29"), .wijk = "noord"},
	     "e6-open e1-lunch e2-hagro"},
	    {"an event starting at to is out",
	     {.to_utc = utc("2027-01-12 12:00"), .kind = "wijklunch"},
	     ""},
	    {"the last occurrence of a series counts",
	     {.from_utc = utc("2027-01-10 13:00"), .kind = "hagro"},
	     "e5-series e2-hagro"},
	    {"after the last occurrence of a series",
	     {.from_utc = utc("2027-01-10 13:30"), .kind = "hagro"},
	     "e2-hagro"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct event *list;
		size_t n;
		OK(store_event_list(st, &cases[i].f, &list, &n, E));
		struct strbuf b = {0};
		for (size_t k = 0; k < n; k++)
			strbuf_appendf(&b, "%s%s", k ? " " : "", list[k].uid);
		char *got = strbuf_take(&b);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", cases[i].name, got,
			         cases[i].want);
		free(got);
		event_array_free(list, n);
	}
}

/* Listed events carry their own audience and changes, also when a filter
 * leaves other events out. */
static void test_event_list_children(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	seed_events(st);
	const struct event_filter filters[] = {
	    {0}, {.include_drafts = true}, {.kind = "hagro"}, {.wijk = "zuid"}};
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		struct event *list;
		size_t n;
		OK(store_event_list(st, &filters[i], &list, &n, E));
		for (size_t k = 0; k < n; k++) {
			char *aud = audience_text(&list[k]);
			if (strcmp(list[k].uid, "e1-lunch") == 0)
				assert_string_equal(
				    aud, "wijk:noord | person:e@x.nl");
			else
				assert_string_equal(aud, "");
			free(aud);
			if (strcmp(list[k].uid, "e5-series") == 0) {
				assert_int_equal(list[k].nchanges, 1);
				assert_true(list[k].changes[0].exc.cancelled);
				assert_int_equal(
				    list[k].changes[0].exc.recurrence_id.month,
				    12);
			} else {
				assert_int_equal(list[k].nchanges, 0);
			}
		}
		event_array_free(list, n);
	}
}

/* ---- forgetting a person ---- */

static void test_person_forget(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e1 =
	    new_event("forget-1", "hagro", "noord", "2027-01-12 12:30");
	set_audience(&e1,
	             AFF("person:a@x.nl,c@x.nl", "wijk:noord person:a@x.nl",
	                 "person:A@X.NL", "wijk:zuid role:huisarts"));
	insert(st, &e1);
	struct event e2 =
	    new_event("forget-2", "fto", "noord", "2027-02-12 18:00");
	e2.organizer = xstrdup("A@x.nl");
	set_audience(&e2, AFF("person:a@x.nl"));
	insert(st, &e2);
	struct event e3 =
	    new_event("forget-3", "borrel", "noord", "2027-03-12 17:00");
	e3.organizer = xstrdup("c@x.nl");
	set_audience(&e3, AFF("wijk:noord", "person:b@x.nl,c@x.nl"));
	insert(st, &e3);

	FAILS(store_person_forget(st, "z@x.nl", E), WK_ENOTFOUND,
	      "unknown person \"z@x.nl\"");
	OK(store_person_forget(st, "a@x.nl", E));

	struct person p;
	FAILS(store_person_get(st, "a@x.nl", &p, E), WK_ENOTFOUND, NULL);
	/* Groups that named only a are gone; "wijk:noord person:a@x.nl" did
	 * not become "wijk:noord". Other groups keep their order. */
	assert_event_audience(st, "forget-1",
	                      "person:c@x.nl | wijk:zuid role:huisarts");
	assert_event_audience(st, "forget-2", "");
	assert_event_audience(st, "forget-3",
	                      "wijk:noord | person:b@x.nl,c@x.nl");

	struct event got;
	OK(store_event_get(st, "forget-2", &got, E));
	assert_null(got.organizer); /* falls back to the configured one */
	event_free(&got);
	OK(store_event_get(st, "forget-3", &got, E));
	assert_string_equal(got.organizer, "c@x.nl");
	event_free(&got);

	/* The audience of forget-1 now resolves without a and without the
	 * rest of noord. */
	OK(store_event_get(st, "forget-1", &got, E));
	struct person *list;
	size_t n;
	OK(store_audience_resolve(st, got.audience, got.naudience, &list, &n,
	                          E));
	char *who = emails(list, n);
	assert_string_equal(who, "b@x.nl c@x.nl");
	free(who);
	free_persons(list, n);
	event_free(&got);

	/* The affiliation went with the person: de-linde has only b now. */
	char *const expr[] = {(char *)"practice:de-linde"};
	OK(store_audience_resolve(st, expr, 1, &list, &n, E));
	who = emails(list, n);
	assert_string_equal(who, "b@x.nl");
	free(who);
	free_persons(list, n);

	/* The address can be registered again, as a new person. */
	OK(person_add(st, "a@x.nl", "Anna", AFF("de-brug/poh")));
	OK(store_person_get(st, "a@x.nl", &p, E));
	assert_int_equal(p.naff, 1);
	assert_string_equal(p.aff[0].practice, "de-brug");
	person_free(&p);
	/* ...and is not put back into the old audiences. */
	assert_event_audience(st, "forget-2", "");

	event_free(&e1);
	event_free(&e2);
	event_free(&e3);
}

/* Forgetting inside a transaction that rolls back changes nothing. */
static void test_person_forget_rollback(void **state)
{
	struct store *st = ((struct fixture *)*state)->st;
	struct event e =
	    new_event("keep", "hagro", "noord", "2027-01-12 12:30");
	e.organizer = xstrdup("a@x.nl");
	set_audience(&e, AFF("person:a@x.nl"));
	insert(st, &e);
	OK(store_begin(st, E));
	OK(store_person_forget(st, "a@x.nl", E));
	store_rollback(st);
	struct person p;
	OK(store_person_get(st, "a@x.nl", &p, E));
	assert_int_equal(p.naff, 1);
	person_free(&p);
	assert_event_audience(st, "keep", "person:a@x.nl");
	struct event got;
	OK(store_event_get(st, "keep", &got, E));
	assert_string_equal(got.organizer, "a@x.nl");
	event_free(&got);
	event_free(&e);
}

int main(void)
{
#define T(f)  cmocka_unit_test_setup_teardown(f, seeded_setup, teardown)
#define T0(f) cmocka_unit_test_setup_teardown(f, empty_setup, teardown)
	const struct CMUnitTest tests[] = {
	    T0(test_open_missing_file),
	    T0(test_open_create_then_read_and_write),
	    T0(test_open_read_only_refuses_writes),
	    T0(test_open_newer_schema),
	    T0(test_open_older_schema),
	    T0(test_open_empty_file),
	    T0(test_open_not_a_database),
	    T(test_rollback_leaves_nothing),
	    T(test_commit_keeps),
	    T(test_failed_person_add_rolls_back),
	    T(test_second_writer_is_busy),
	    T(test_wijk),
	    T(test_practice),
	    T(test_org),
	    T(test_person_add_get),
	    T(test_person_list),
	    T(test_person_link),
	    T(test_audience_check),
	    T(test_audience_resolve),
	    T(test_audience_resolves_when_used),
	    T(test_event_round_trip),
	    T(test_event_insert_errors),
	    T(test_event_get_unknown),
	    T(test_event_update),
	    T(test_event_list_filters),
	    T(test_event_list_children),
	    T(test_audience_reach_agrees),
	    T(test_person_forget),
	    T(test_person_forget_rollback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
