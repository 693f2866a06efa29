/*
 * Unit tests for core/token (base32, deriving, hashing, the form of a
 * token, the key file and its refusals), the feed_token store functions
 * (core/store_token.c, through core/store.h) and the token functions of
 * feeds/feedset (issue, revoke, look up; a forgotten person's token).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "core/token.h"
#include "core/util.h"
#include "feeds/feedset.h"

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

/* The call must fail with rc and a message holding want (if not NULL). */
#define FAILS(call, want_rc, want)                                             \
	fails_((call), #call, want_rc, want, __LINE__)
static void fails_(int rc, const char *what, int want_rc, const char *want,
                   int line)
{
	if (rc != want_rc)
		fail_msg("line %d: %s: rc %d, want %d (%s)", line, what, rc,
		         want_rc, err_msg ? err_msg : "no message");
	if (want && (err_msg == NULL || strstr(err_msg, want) == NULL))
		fail_msg("line %d: %s:\n got: %s\nwant: ...%s...", line, what,
		         err_msg ? err_msg : "(none)", want);
	xfree(&err_msg);
}

/* ---- a private directory ---- */

struct dir {
	char path[64];
};

static int dir_setup(void **state)
{
	struct dir *d = xcalloc(1, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/wijkcal-token-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	char *cmd = xasprintf("rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(d);
	return 0;
}

static char *in_dir(void **state, const char *name)
{
	return xasprintf("%s/%s", ((struct dir *)*state)->path, name);
}

static void write_file(const char *path, const char *data, size_t n,
                       mode_t mode)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* ---- base32, derive, hash, form ---- */

static void test_base32(void **state)
{
	/* RFC 4648 section 10, in lower case without padding. */
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""},
	    {"f", "my"},
	    {"fo", "mzxq"},
	    {"foo", "mzxw6"},
	    {"foob", "mzxw6yq"},
	    {"fooba", "mzxw6ytb"},
	    {"foobar", "mzxw6ytboi"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[TOKEN_BASE32_SIZE(8)];
		token_base32((const unsigned char *)cases[i].in,
		             strlen(cases[i].in), out);
		assert_string_equal(out, cases[i].out);
	}
	unsigned char all[20];
	memset(all, 0xff, sizeof(all));
	char out[TOKEN_BASE32_SIZE(20)];
	token_base32(all, sizeof(all), out);
	assert_int_equal(strlen(out), TOKEN_LEN);
	assert_string_equal(out, "77777777777777777777777777777777");
}

static struct token_key fixed_key(void)
{
	struct token_key k;
	for (size_t i = 0; i < TOKEN_KEY_BYTES; i++)
		k.bytes[i] = (unsigned char)i;
	return k;
}

static void test_derive_vectors(void **state)
{
	/* Computed independently with Python's hmac module:
	 * base32(HMAC-SHA256(bytes(range(32)), MSG)[:20]).lower(). */
	struct token_key k = fixed_key();
	char t[TOKEN_LEN + 1];
	token_derive(&k, TOKEN_PERSON, "anna@linde.nl", 0, t);
	assert_string_equal(t, "cq2j23b7c5j65mxdkptrbstbt5rnjpdh");
	token_derive(&k, TOKEN_WIJK_INTERNAL, "noord", 3, t);
	assert_string_equal(t, "yov4g4svhpebqf522ylrfcko5mneltqv");
	assert_true(token_well_formed(t, strlen(t)));
}

static void test_derive_differs(void **state)
{
	struct token_key k = fixed_key(), k2 = fixed_key();
	k2.bytes[31] ^= 1;
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	token_derive(&k, TOKEN_PERSON, "anna@linde.nl", 0, a);
	token_derive(&k, TOKEN_PERSON, "anna@linde.nl", 0, b);
	assert_string_equal(a, b); /* derived: the same every time */
	token_derive(&k, TOKEN_PERSON, "anna@linde.nl", 1, b);
	assert_string_not_equal(a, b); /* the counter */
	token_derive(&k2, TOKEN_PERSON, "anna@linde.nl", 0, b);
	assert_string_not_equal(a, b); /* the key */
	token_derive(&k, TOKEN_PERSON, "bram@linde.nl", 0, b);
	assert_string_not_equal(a, b); /* the identity */
	token_derive(&k, TOKEN_WIJK_INTERNAL, "noord", 0, a);
	token_derive(&k, TOKEN_PERSON, "noord", 0, b);
	assert_string_not_equal(a, b); /* the kind */
}

static void test_hash(void **state)
{
	char h[TOKEN_HASH_LEN + 1];
	const char *t = "abcdefghijklmnopqrstuvwxyz234567";
	token_hash(t, strlen(t), h);
	assert_string_equal(h, "84cb29b2c78b393c0d30a90d5a9f670267d02d9ec37"
	                       "43fc1800acff8b03bac15");
}

static void test_well_formed(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
	    {"abcdefghijklmnopqrstuvwxyz234567", true},
	    {"22222222222222222222222222222222", true},
	    {"abcdefghijklmnopqrstuvwxyz23456", false},   /* 31 */
	    {"abcdefghijklmnopqrstuvwxyz2345677", false}, /* 33 */
	    {"abcdefghijklmnopqrstuvwxyz234561", false},  /* '1' */
	    {"abcdefghijklmnopqrstuvwxyz234568", false},  /* '8' */
	    {"Abcdefghijklmnopqrstuvwxyz234567", false},  /* upper */
	    {"abcdefghijklmnop-rstuvwxyz234567", false},
	    {"", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(
		    token_well_formed(cases[i].s, strlen(cases[i].s)),
		    cases[i].ok);
	/* A NUL inside is not a token character. */
	assert_false(
	    token_well_formed("abcdefghijklmnop\0rstuvwxyz234567", 32));
}

static void test_kind_names(void **state)
{
	enum token_kind k;
	assert_string_equal(token_kind_name(TOKEN_PERSON), "person");
	assert_string_equal(token_kind_name(TOKEN_WIJK_INTERNAL),
	                    "wijk-internal");
	assert_int_equal(token_kind_parse("wijk-internal", &k), 0);
	assert_int_equal(k, TOKEN_WIJK_INTERNAL);
	assert_int_equal(token_kind_parse("wijk", &k), -1);
}

/* ---- the key file ---- */

static void test_key_path(void **state)
{
	char *p = token_key_path("/var/lib/wijkcal/wijkcal.db");
	assert_string_equal(p, "/var/lib/wijkcal/wijkcal.db.key");
	free(p);
}

static void test_key_created(void **state)
{
	char *path = in_dir(state, "db.key");
	struct token_key a, b;
	mode_t old = umask(077); /* the mode is set, whatever the umask */
	OK(token_key_load(path, &a, E));
	umask(old);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(sb.st_size, TOKEN_KEY_BYTES);
	OK(token_key_load(path, &b, E)); /* read again: the same key */
	assert_memory_equal(a.bytes, b.bytes, TOKEN_KEY_BYTES);
	/* No temporary file is left beside it. */
	char *cmd = xasprintf("test $(ls '%s' | wc -l) = 1",
	                      ((struct dir *)*state)->path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

static void test_key_random(void **state)
{
	char *p1 = in_dir(state, "one.key"), *p2 = in_dir(state, "two.key");
	struct token_key a, b;
	OK(token_key_load(p1, &a, E));
	OK(token_key_load(p2, &b, E));
	assert_memory_not_equal(a.bytes, b.bytes, TOKEN_KEY_BYTES);
	free(p1);
	free(p2);
}

static void test_key_existing(void **state)
{
	char *path = in_dir(state, "db.key");
	struct token_key want = fixed_key(), got;
	write_file(path, (const char *)want.bytes, TOKEN_KEY_BYTES, 0600);
	OK(token_key_load(path, &got, E));
	assert_memory_equal(want.bytes, got.bytes, TOKEN_KEY_BYTES);
	free(path);
}

static void test_key_refused(void **state)
{
	char *path = in_dir(state, "db.key");
	struct token_key k = fixed_key();
	static const mode_t open_modes[] = {0644, 0604, 0602, 0601};
	for (size_t i = 0; i < ARRAY_SIZE(open_modes); i++) {
		write_file(path, (const char *)k.bytes, TOKEN_KEY_BYTES,
		           open_modes[i]);
		FAILS(token_key_load(path, &k, E), WK_EIO, "is open to others");
	}
	write_file(path, (const char *)k.bytes, TOKEN_KEY_BYTES, 0644);
	FAILS(token_key_load(path, &k, E), WK_EIO, "chmod 0640");
	write_file(path, (const char *)k.bytes, 16, 0640);
	FAILS(token_key_load(path, &k, E), WK_EIO,
	      "expected 32 bytes, found 16");
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	FAILS(token_key_load(path, &k, E), WK_EIO, "not a regular file");
	rmdir(path);
	char *missing = in_dir(state, "no/such/dir/db.key");
	FAILS(token_key_load(missing, &k, E), WK_EIO, "no/such/dir/db.key");
	free(missing);
	free(path);
}

/* ---- the store ---- */

static struct store *store_new(void **state)
{
	char *path = in_dir(state, "wijkcal.db");
	struct store *st = NULL;
	OK(store_open(path, STORE_CREATE, &st, E));
	free(path);
	struct wijk w = {0, (char *)"noord", (char *)"Noord"};
	OK(store_wijk_add(st, &w, E));
	struct practice p = {0, (char *)"linde", (char *)"De Linde",
	                     (char *)"noord", NULL};
	OK(store_practice_add(st, &p, E));
	struct affiliation a = {(char *)"linde", NULL, (char *)"huisarts"};
	struct person anna = {
	    0, (char *)"anna@linde.nl", (char *)"Anna", NULL, &a, 1};
	OK(store_person_add(st, &anna, E));
	return st;
}

static void hash_of(const char *token, char hash[TOKEN_HASH_LEN + 1])
{
	token_hash(token, strlen(token), hash);
}

static void test_store_rows(void **state)
{
	struct store *st = store_new(state);
	int64_t counter = -1;
	enum token_kind kind;
	char *id = NULL, h1[TOKEN_HASH_LEN + 1], h2[TOKEN_HASH_LEN + 1];
	hash_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", h1);
	hash_of("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", h2);
	OK(store_token_counter(st, TOKEN_PERSON, "anna@linde.nl", &counter, E));
	assert_int_equal(counter, 0); /* no row: 0 */
	FAILS(store_token_find(st, h1, &kind, &id, E), WK_ENOTFOUND,
	      "unknown feed");
	OK(store_token_set(st, TOKEN_PERSON, "anna@linde.nl", 0, h1, E));
	OK(store_token_find(st, h1, &kind, &id, E));
	assert_int_equal(kind, TOKEN_PERSON);
	assert_string_equal(id, "anna@linde.nl");
	xfree(&id);
	/* A new hash replaces the row: the old one finds nothing. */
	OK(store_token_set(st, TOKEN_PERSON, "anna@linde.nl", 4, h2, E));
	FAILS(store_token_find(st, h1, &kind, &id, E), WK_ENOTFOUND, NULL);
	OK(store_token_find(st, h2, &kind, &id, E));
	xfree(&id);
	OK(store_token_counter(st, TOKEN_PERSON, "ANNA@linde.nl", &counter, E));
	assert_int_equal(counter, 4); /* e-mail case does not matter */
	/* The same key of another kind is another row. */
	OK(store_token_counter(st, TOKEN_WIJK_INTERNAL, "anna@linde.nl",
	                       &counter, E));
	assert_int_equal(counter, 0);
	/* One hash opens one feed only. */
	FAILS(store_token_set(st, TOKEN_WIJK_INTERNAL, "noord", 0, h2, E),
	      WK_EEXIST, NULL);
	OK(store_token_delete(st, TOKEN_PERSON, "anna@linde.nl", E));
	FAILS(store_token_find(st, h2, &kind, &id, E), WK_ENOTFOUND, NULL);
	OK(store_token_delete(st, TOKEN_PERSON, "anna@linde.nl", E));
	store_close(&st);
}

/* ---- feedset: issue, revoke, look up ---- */

static void test_issue_and_find(void **state)
{
	struct store *st = store_new(state);
	struct token_key k = fixed_key();
	char t0[TOKEN_LEN + 1], t1[TOKEN_LEN + 1], again[TOKEN_LEN + 1];
	struct feed_spec anna = {FEED_PERSON, "ANNA@Linde.nl"};
	OK(feedset_token_issue(st, &k, &anna, false, t0, E));
	/* The identity is the e-mail as stored, in lower case. */
	assert_string_equal(t0, "cq2j23b7c5j65mxdkptrbstbt5rnjpdh");
	OK(feedset_token_issue(st, &k, &anna, false, again, E));
	assert_string_equal(t0, again); /* printed again: the same URL */

	struct feed_spec spec;
	char *id = NULL;
	OK(feedset_token_spec(st, t0, &spec, &id, E));
	assert_int_equal(spec.type, FEED_PERSON);
	assert_string_equal(spec.key, "anna@linde.nl");
	assert_ptr_equal(spec.key, id);
	xfree(&id);

	OK(feedset_token_issue(st, &k, &anna, true, t1, E)); /* revoke */
	assert_string_not_equal(t0, t1);
	FAILS(feedset_token_spec(st, t0, &spec, &id, E), WK_ENOTFOUND,
	      "unknown feed");
	OK(feedset_token_spec(st, t1, &spec, &id, E));
	xfree(&id);
	OK(feedset_token_issue(st, &k, &anna, false, again, E));
	assert_string_equal(t1, again); /* the new URL stays */
	store_close(&st);
}

static void test_issue_internal(void **state)
{
	struct store *st = store_new(state);
	struct token_key k = fixed_key();
	char t[TOKEN_LEN + 1];
	struct feed_spec noord = {FEED_WIJK_INTERNAL, "noord"};
	OK(feedset_token_issue(st, &k, &noord, false, t, E));
	struct feed_spec spec;
	char *id = NULL;
	OK(feedset_token_spec(st, t, &spec, &id, E));
	assert_int_equal(spec.type, FEED_WIJK_INTERNAL);
	assert_string_equal(spec.key, "noord");
	xfree(&id);
	/* The feed by token renders the bytes of the feed by name. */
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	struct config cfg;
	config_defaults(&cfg);
	struct feed_spec by_token = {FEED_TOKEN, t};
	OK(feedset_render(st, &cfg, &by_token, &a, &alen, E));
	OK(feedset_render(st, &cfg, &noord, &b, &blen, E));
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	config_free(&cfg);
	store_close(&st);
}

static void test_issue_refused(void **state)
{
	struct store *st = store_new(state);
	struct token_key k = fixed_key();
	char t[TOKEN_LEN + 1];
	struct feed_spec nobody = {FEED_PERSON, "nobody@linde.nl"};
	struct feed_spec zuid = {FEED_WIJK_INTERNAL, "zuid"};
	struct feed_spec pub = {FEED_WIJK, "noord"};
	FAILS(feedset_token_issue(st, &k, &nobody, false, t, E), WK_ENOTFOUND,
	      "nobody@linde.nl");
	FAILS(feedset_token_issue(st, &k, &zuid, false, t, E), WK_ENOTFOUND,
	      "zuid");
	FAILS(feedset_token_issue(st, &k, &pub, false, t, E), WK_EINVAL,
	      "public feed");
	/* Malformed tokens are unknown, and the message never echoes them. */
	static const char *const bad[] = {"", "short", "../../etc/passwd",
	                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct feed_spec spec;
		char *id = NULL;
		FAILS(feedset_token_spec(st, bad[i], &spec, &id, E),
		      WK_ENOTFOUND, "unknown feed");
		assert_null(id);
	}
	store_close(&st);
}

static void test_forget_drops_token(void **state)
{
	struct store *st = store_new(state);
	struct token_key k = fixed_key();
	char t[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	struct feed_spec anna = {FEED_PERSON, "anna@linde.nl"};
	OK(feedset_token_issue(st, &k, &anna, true, t, E));
	OK(store_person_forget(st, "Anna@linde.nl", E));
	struct feed_spec spec;
	char *id = NULL;
	FAILS(feedset_token_spec(st, t, &spec, &id, E), WK_ENOTFOUND, NULL);
	enum token_kind kind;
	hash_of(t, hash);
	FAILS(store_token_find(st, hash, &kind, &id, E), WK_ENOTFOUND, NULL);
	int64_t counter = -1;
	OK(store_token_counter(st, TOKEN_PERSON, "anna@linde.nl", &counter, E));
	assert_int_equal(counter, 0); /* nothing of her is kept */
	store_close(&st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base32),
	    cmocka_unit_test(test_derive_vectors),
	    cmocka_unit_test(test_derive_differs),
	    cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_well_formed),
	    cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_key_path),
	    T(test_key_created),
	    T(test_key_random),
	    T(test_key_existing),
	    T(test_key_refused),
	    T(test_store_rows),
	    T(test_issue_and_find),
	    T(test_issue_internal),
	    T(test_issue_refused),
	    T(test_forget_drops_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
