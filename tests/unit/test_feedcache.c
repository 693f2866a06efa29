/*
 * Unit tests for daemon/feedcache, with a fake renderer in place of the
 * database: a miss renders once and a hit does not; the gzip form and the
 * ETag belong to the bytes; an invalidation drops bodies but a feed that
 * renders to the same bytes keeps its Last-Modified; errors are not
 * cached; the memory bound evicts the least recently used; a render that
 * races with an invalidation is not kept; references outlive eviction and
 * the cache itself; and many threads can use it at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"
#include "daemon/feedcache.h"

/* The fake database: feed text depends on the key and a version. */
struct fake {
	int renders;
	int version;         /* bump to change every feed's bytes */
	size_t size;         /* bytes per feed (at least the header) */
	struct feedcache *c; /* to invalidate from inside a render */
	bool invalidate_during_render;
	pthread_mutex_t mu;
};

static int fake_render(void *ctx, const struct feed_spec *spec, char **text_r,
                       size_t *len_r, char **error_r)
{
	struct fake *f = ctx;
	pthread_mutex_lock(&f->mu);
	f->renders++;
	int version = f->version;
	pthread_mutex_unlock(&f->mu);
	if (strcmp(spec->key, "missing") == 0)
		return set_error(error_r, "unknown wijk \"missing\""),
		       WK_ENOTFOUND;
	if (strcmp(spec->key, "broken") == 0)
		return set_error(error_r, "database: disk I/O error"), WK_EIO;
	if (f->invalidate_during_render)
		feedcache_invalidate(f->c);
	struct strbuf b = {0};
	strbuf_appendf(&b, "BEGIN:VCALENDAR %d %s %d\r\n", spec->type,
	               spec->key, version);
	while (b.len < f->size)
		strbuf_append(&b, "X-PAD:0123456789\r\n");
	*len_r = b.len;
	*text_r = strbuf_take(&b);
	return WK_OK;
}

struct fixture {
	struct fake fake;
	struct feedcache *c;
};

static struct fixture *fixture_new(size_t limit, size_t size)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	pthread_mutex_init(&fx->fake.mu, NULL);
	fx->fake.size = size;
	fx->c = feedcache_new(limit, fake_render, &fx->fake);
	fx->fake.c = fx->c;
	return fx;
}

static void fixture_free(struct fixture *fx)
{
	feedcache_free(&fx->c);
	assert_null(fx->c);
	pthread_mutex_destroy(&fx->fake.mu);
	free(fx);
}

/* Gets a feed that must exist. */
static struct feed *get(struct fixture *fx, enum feed_type type,
                        const char *key, time_t now)
{
	struct feed_spec spec = {type, key};
	struct feed *f = NULL;
	char *err = NULL;
	assert_int_equal(feedcache_get(fx->c, &spec, now, &f, &err), WK_OK);
	assert_null(err);
	assert_non_null(f);
	return f;
}

static struct feedcache_stats stats(struct fixture *fx)
{
	struct feedcache_stats s;
	feedcache_stats(fx->c, &s);
	return s;
}

static char *gunzip(const char *gz, size_t len, size_t *out_len)
{
	z_stream zs = {0};
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	size_t cap = 1 << 20;
	char *out = xmalloc(cap);
	zs.next_in = (Bytef *)gz;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return out;
}

static void test_miss_then_hit(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 0);
	struct feed *a = get(fx, FEED_WIJK, "noord", 1000);
	struct feed *b = get(fx, FEED_WIJK, "noord", 2000);
	assert_ptr_equal(a, b);
	assert_int_equal(fx->fake.renders, 1);
	assert_string_equal(a->body, "BEGIN:VCALENDAR 0 noord 0\r\n");
	assert_int_equal(a->body_len, strlen(a->body));
	assert_int_equal(a->last_modified, 1000);
	/* The same key as another feed type is another feed. */
	struct feed *c = get(fx, FEED_PRACTICE, "noord", 1000);
	assert_ptr_not_equal(a, c);
	assert_int_equal(fx->fake.renders, 2);
	struct feedcache_stats s = stats(fx);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.misses, 2);
	assert_int_equal(s.renders, 2);
	assert_int_equal(s.entries, 2);
	assert_true(s.bytes > a->body_len + c->body_len);
	feed_unref(&a);
	assert_null(a);
	feed_unref(&b);
	feed_unref(&c);
	fixture_free(fx);
}

static bool is_hex_tag(const char *tag, const char *suffix)
{
	size_t n = strlen(tag), sn = strlen(suffix);
	if (n != 34 + sn || tag[0] != '"' || tag[n - 1] != '"' ||
	    strncmp(tag + 33, suffix, sn) != 0)
		return false;
	for (size_t i = 1; i < 33; i++)
		if (!strchr("0123456789abcdef", tag[i]))
			return false;
	return true;
}

static void test_gzip_and_etag(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 20000);
	struct feed *f = get(fx, FEED_KIND, "scholing", 1000);
	assert_non_null(f->gz);
	assert_true(f->gz_len < f->body_len / 4);
	size_t n = 0;
	char *plain = gunzip(f->gz, f->gz_len, &n);
	assert_int_equal(n, f->body_len);
	assert_memory_equal(plain, f->body, n);
	free(plain);
	assert_true(is_hex_tag(f->etag, ""));
	assert_true(is_hex_tag(f->etag_gz, "-gz"));
	assert_memory_equal(f->etag, f->etag_gz, 33);
	/* Other bytes, another tag. */
	struct feed *g = get(fx, FEED_KIND, "fto", 1000);
	assert_string_not_equal(f->etag, g->etag);
	feed_unref(&f);
	feed_unref(&g);
	fixture_free(fx);
}

static void test_invalidate(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 0);
	struct feed *a = get(fx, FEED_WIJK, "noord", 1000);
	feedcache_invalidate(fx->c);
	/* The same bytes again: same tag, Last-Modified kept. */
	struct feed *b = get(fx, FEED_WIJK, "noord", 2000);
	assert_int_equal(fx->fake.renders, 2);
	assert_ptr_not_equal(a, b);
	assert_string_equal(a->etag, b->etag);
	assert_int_equal(b->last_modified, 1000);
	/* Changed bytes: a new tag and Last-Modified. */
	fx->fake.version = 1;
	feedcache_invalidate(fx->c);
	struct feed *c = get(fx, FEED_WIJK, "noord", 3000);
	assert_string_not_equal(a->etag, c->etag);
	assert_int_equal(c->last_modified, 3000);
	/* The old references still read their own bytes. */
	assert_string_equal(a->body, "BEGIN:VCALENDAR 0 noord 0\r\n");
	assert_string_equal(c->body, "BEGIN:VCALENDAR 0 noord 1\r\n");
	struct feedcache_stats s = stats(fx);
	assert_int_equal(s.invalidations, 2);
	assert_int_equal(s.entries, 1);
	feed_unref(&a);
	feed_unref(&b);
	feed_unref(&c);
	fixture_free(fx);
}

static void test_errors_not_cached(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 0);
	struct feed_spec missing = {FEED_WIJK, "missing"};
	struct feed_spec broken = {FEED_WIJK, "broken"};
	for (int i = 0; i < 3; i++) {
		struct feed *f = (struct feed *)&missing; /* must become NULL */
		char *err = NULL;
		assert_int_equal(feedcache_get(fx->c, &missing, 1, &f, &err),
		                 WK_ENOTFOUND);
		assert_null(f);
		assert_string_equal(err, "unknown wijk \"missing\"");
		free(err);
		err = NULL;
		assert_int_equal(feedcache_get(fx->c, &broken, 1, &f, &err),
		                 WK_EIO);
		assert_null(f);
		assert_non_null(err);
		free(err);
	}
	assert_int_equal(fx->fake.renders, 6);
	struct feedcache_stats s = stats(fx);
	assert_int_equal(s.render_errors, 6);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	fixture_free(fx);
}

/* Room for about three feeds of 10 kB (with their gzip forms). */
static void test_lru_eviction(void **state)
{
	struct fixture *fx = fixture_new(3 * 12000, 10000);
	const char *keys[] = {"a", "b", "c", "d"};
	for (int i = 0; i < 3; i++) {
		struct feed *f = get(fx, FEED_WIJK, keys[i], 1);
		feed_unref(&f);
	}
	assert_int_equal(stats(fx).evictions, 0);
	/* Touch "a", so "b" is now the least recently used. */
	struct feed *f = get(fx, FEED_WIJK, "a", 1);
	feed_unref(&f);
	assert_int_equal(fx->fake.renders, 3);
	f = get(fx, FEED_WIJK, "d", 1);
	feed_unref(&f);
	struct feedcache_stats s = stats(fx);
	assert_int_equal(s.evictions, 1);
	assert_true(s.bytes <= s.limit);
	/* a, c and d are still there; b renders again. */
	f = get(fx, FEED_WIJK, "a", 1);
	feed_unref(&f);
	f = get(fx, FEED_WIJK, "c", 1);
	feed_unref(&f);
	f = get(fx, FEED_WIJK, "d", 1);
	feed_unref(&f);
	assert_int_equal(fx->fake.renders, 4);
	f = get(fx, FEED_WIJK, "b", 1);
	feed_unref(&f);
	assert_int_equal(fx->fake.renders, 5);
	/* A smaller bound evicts at once; 0 keeps nothing. */
	feedcache_set_limit(fx->c, 12000);
	s = stats(fx);
	assert_true(s.bytes <= 12000);
	assert_true(s.entries <= 1);
	feedcache_set_limit(fx->c, 0);
	s = stats(fx);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	f = get(fx, FEED_WIJK, "a", 1);
	struct feed *g = get(fx, FEED_WIJK, "a", 1);
	assert_ptr_not_equal(f, g);
	assert_string_equal(f->body, g->body);
	feed_unref(&f);
	feed_unref(&g);
	assert_int_equal(stats(fx).bytes, 0);
	fixture_free(fx);
}

/* A feed larger than the whole bound is served but not kept. */
static void test_too_large(void **state)
{
	struct fixture *fx = fixture_new(4096, 100000);
	struct feed *f = get(fx, FEED_WIJK, "big", 1);
	assert_true(f->body_len >= 100000);
	struct feed *g = get(fx, FEED_WIJK, "big", 1);
	assert_int_equal(fx->fake.renders, 2);
	assert_true(stats(fx).bytes <= 4096);
	feed_unref(&f);
	feed_unref(&g);
	fixture_free(fx);
}

/* The database changed while a render ran: its bytes are not kept. */
static void test_render_races_invalidation(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 0);
	fx->fake.invalidate_during_render = true;
	struct feed *f = get(fx, FEED_WIJK, "noord", 1);
	feed_unref(&f);
	fx->fake.invalidate_during_render = false;
	f = get(fx, FEED_WIJK, "noord", 1);
	feed_unref(&f);
	assert_int_equal(fx->fake.renders, 2);
	f = get(fx, FEED_WIJK, "noord", 1);
	feed_unref(&f);
	assert_int_equal(fx->fake.renders, 2);
	fixture_free(fx);
}

/* A reference stays valid after eviction, invalidation and free. */
static void test_references_outlive(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 5000);
	struct feed *f = get(fx, FEED_WIJK, "noord", 1);
	struct feed *extra = feed_ref(f);
	feedcache_invalidate(fx->c);
	feedcache_set_limit(fx->c, 0);
	fixture_free(fx);
	assert_true(strncmp(f->body, "BEGIN:VCALENDAR", 15) == 0);
	assert_true(f->body_len >= 5000);
	feed_unref(&f);
	assert_true(strncmp(extra->body, "BEGIN:VCALENDAR", 15) == 0);
	feed_unref(&extra);
	feed_unref(&extra); /* NULL: harmless */
}

/* Many paths: the table grows and every feed is found again. */
static void test_many_paths(void **state)
{
	struct fixture *fx = fixture_new(64 << 20, 0);
	char key[16];
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "w%d", i);
		struct feed *f = get(fx, FEED_WIJK, key, 1);
		feed_unref(&f);
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "w%d", i);
		struct feed *f = get(fx, FEED_WIJK, key, 1);
		char want[64];
		snprintf(want, sizeof(want), "BEGIN:VCALENDAR 0 %s 0\r\n", key);
		assert_string_equal(f->body, want);
		feed_unref(&f);
	}
	assert_int_equal(fx->fake.renders, 2000);
	assert_int_equal(stats(fx).entries, 2000);
	fixture_free(fx);
}

struct worker {
	struct fixture *fx;
	int seed;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	static const char *const keys[] = {"a", "b", "c", "d", "e", "missing"};
	unsigned r = (unsigned)w->seed;
	for (int i = 0; i < 3000; i++) {
		r = r * 1103515245u + 12345u;
		struct feed_spec spec = {FEED_WIJK, keys[(r >> 16) % 6]};
		struct feed *f = NULL;
		char *err = NULL;
		int rc = feedcache_get(w->fx->c, &spec, 1, &f, &err);
		if (rc == WK_OK && strncmp(f->body, "BEGIN:VCALENDAR", 15))
			abort();
		if (rc != WK_OK && (f != NULL || err == NULL))
			abort();
		free(err);
		feed_unref(&f);
		if ((r >> 8) % 97 == 0)
			feedcache_invalidate(w->fx->c);
		if ((r >> 8) % 89 == 0)
			feedcache_set_limit(w->fx->c, (r >> 4) % 20000);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *fx = fixture_new(1 << 20, 3000);
	pthread_t t[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){fx, i + 1};
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	struct feedcache_stats s = stats(fx);
	assert_int_equal(s.hits + s.misses, 8 * 3000);
	assert_true(s.bytes <= s.limit);
	fixture_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_miss_then_hit),
	    cmocka_unit_test(test_gzip_and_etag),
	    cmocka_unit_test(test_invalidate),
	    cmocka_unit_test(test_errors_not_cached),
	    cmocka_unit_test(test_lru_eviction),
	    cmocka_unit_test(test_too_large),
	    cmocka_unit_test(test_render_races_invalidation),
	    cmocka_unit_test(test_references_outlive),
	    cmocka_unit_test(test_many_paths),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
