/*
 * feedcache: a hash table of feed paths with an LRU list, one mutex for
 * the table and one that lets a single render run at a time. A generation
 * counter, bumped by every invalidation, keeps a render that raced with a
 * database change out of the cache.
 */
#include "daemon/feedcache.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"

struct entry {
	char *path;                /* feedset_path of the spec: the key */
	struct feed *feed;         /* one reference, or NULL when invalidated */
	char etag[FEED_ETAG_SIZE]; /* of the last bytes rendered */
	time_t last_modified;      /* ... and when they first appeared */
	struct entry *chain;       /* next in the hash bucket */
	struct entry *newer, *older; /* the LRU list */
};

struct feedcache {
	pthread_mutex_t mu;        /* everything below but render/ctx */
	pthread_mutex_t render_mu; /* one render at a time */
	feedcache_render_fn render;
	void *ctx;
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	struct entry *newest, *oldest;
	uint64_t gen; /* bumped by each invalidation */
	struct feedcache_stats st;
};

/* ---- feeds ---- */

struct feed *feed_ref(struct feed *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
	return f;
}

void feed_unref(struct feed **fp)
{
	struct feed *f = *fp;
	*fp = NULL;
	if (f == NULL ||
	    atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
		return;
	free(f->body);
	free(f->gz);
	free(f);
}

/* The memory a feed holds. */
static size_t feed_cost(const struct feed *f)
{
	return sizeof(*f) + f->body_len + 1 + f->gz_len;
}

/* gzip of data with zlib; NULL if zlib fails (out of memory). */
static char *gzip_bytes(const char *data, size_t len, size_t *len_r)
{
	z_stream zs = {0};
	/* 15 + 16: a gzip header and trailer instead of zlib's. */
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong bound = deflateBound(&zs, (uLong)len);
	char *out = xmalloc(bound);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)bound;
	int rc = deflate(&zs, Z_FINISH);
	*len_r = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return xrealloc(out, *len_r ? *len_r : 1);
}

/* The two entity tags: the first 128 bits of SHA-256, in hex. */
static void make_etags(struct feed *f)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[33];
	if (EVP_Digest(f->body, f->body_len, md, &mdlen, EVP_sha256(), NULL) !=
	        1 ||
	    mdlen < 16)
		abort(); /* SHA-256 is always there */
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
	snprintf(f->etag_gz, sizeof(f->etag_gz), "\"%s-gz\"", hex);
}

/* A feed holding text (taken over), with one reference. */
static struct feed *feed_new(char *text, size_t len, time_t now)
{
	struct feed *f = xcalloc(1, sizeof(*f));
	/* The renderer's buffer grows by doubling; a cached feed lives long,
	 * so keep only its length (the cache bound counts the text). */
	f->body = xrealloc(text, len + 1);
	f->body_len = len;
	/* zlib counts in uInt; a feed is far smaller, but never truncate. */
	if (len < UINT32_MAX / 2)
		f->gz = gzip_bytes(f->body, len, &f->gz_len);
	make_etags(f);
	f->last_modified = now;
	atomic_init(&f->refs, 1);
	return f;
}

/* ---- the table and the LRU list; callers hold c->mu ---- */

static uint64_t hash_path(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct entry **bucket_of(struct feedcache *c, const char *path)
{
	return &c->buckets[hash_path(path) & (c->nbuckets - 1)];
}

static struct entry *find(struct feedcache *c, const char *path)
{
	struct entry *e = *bucket_of(c, path);
	while (e && strcmp(e->path, path) != 0)
		e = e->chain;
	return e;
}

static size_t entry_cost(const struct entry *e)
{
	return sizeof(*e) + strlen(e->path) + 1 +
	       (e->feed ? feed_cost(e->feed) : 0);
}

static void lru_unlink(struct feedcache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct feedcache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

static void grow(struct feedcache *c)
{
	size_t n = c->nbuckets * 2;
	struct entry **b = xcalloc(n, sizeof(*b));
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->chain;
			struct entry **to = &b[hash_path(e->path) & (n - 1)];
			e->chain = *to;
			*to = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

static struct entry *insert(struct feedcache *c, const char *path)
{
	if (c->st.entries >= c->nbuckets)
		grow(c);
	struct entry *e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	struct entry **b = bucket_of(c, path);
	e->chain = *b;
	*b = e;
	lru_push(c, e);
	c->st.entries++;
	c->st.bytes += entry_cost(e);
	return e;
}

/* Drops the body of e (its metadata stays). */
static void drop_body(struct feedcache *c, struct entry *e)
{
	if (e->feed == NULL)
		return;
	c->st.bytes -= feed_cost(e->feed);
	feed_unref(&e->feed);
}

static void remove_entry(struct feedcache *c, struct entry *e)
{
	drop_body(c, e);
	struct entry **p = bucket_of(c, e->path);
	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	lru_unlink(c, e);
	c->st.bytes -= entry_cost(e);
	c->st.entries--;
	free(e->path);
	free(e);
}

/* Evicts the least recently used entries until the bound holds. */
static void evict(struct feedcache *c)
{
	while (c->st.bytes > c->st.limit && c->oldest) {
		remove_entry(c, c->oldest);
		c->st.evictions++;
	}
}

/* ---- the interface ---- */

struct feedcache *feedcache_new(size_t limit_bytes, feedcache_render_fn render,
                                void *ctx)
{
	struct feedcache *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->render_mu, NULL);
	c->render = render;
	c->ctx = ctx;
	c->nbuckets = 64;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->st.limit = limit_bytes;
	return c;
}

void feedcache_free(struct feedcache **cp)
{
	struct feedcache *c = *cp;
	if (c == NULL)
		return;
	while (c->oldest)
		remove_entry(c, c->oldest);
	free(c->buckets);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->render_mu);
	free(c);
	*cp = NULL;
}

/*
 * A reference to the cached feed of path, or NULL; *gen_r gets the
 * generation it was looked up in. A first lookup (first) counts as a hit
 * or a miss. Takes c->mu.
 */
static struct feed *lookup(struct feedcache *c, const char *path, bool first,
                           uint64_t *gen_r)
{
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, path);
	struct feed *f = e && e->feed ? feed_ref(e->feed) : NULL;
	if (e) {
		lru_unlink(c, e);
		lru_push(c, e);
	}
	if (first && f)
		c->st.hits++;
	else if (first)
		c->st.misses++;
	*gen_r = c->gen;
	pthread_mutex_unlock(&c->mu);
	return f;
}

/*
 * Files a fresh render of path, made while the generation was gen: keeps
 * its body unless the database changed meanwhile, and keeps the older
 * Last-Modified if the bytes are the same as before.
 */
static void store_render(struct feedcache *c, const char *path, struct feed *f,
                         uint64_t gen)
{
	pthread_mutex_lock(&c->mu);
	c->st.renders++;
	if (gen != c->gen) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	struct entry *e = find(c, path);
	if (e == NULL)
		e = insert(c, path);
	if (strcmp(e->etag, f->etag) == 0)
		f->last_modified = e->last_modified;
	memcpy(e->etag, f->etag, sizeof(e->etag));
	e->last_modified = f->last_modified;
	drop_body(c, e);
	if (feed_cost(f) <= c->st.limit) {
		e->feed = feed_ref(f);
		c->st.bytes += feed_cost(f);
	}
	evict(c);
	pthread_mutex_unlock(&c->mu);
}

/* Renders path under the render lock; another thread may have filed it
 * while this one waited. */
static int fill(struct feedcache *c, const struct feed_spec *spec,
                const char *path, time_t now, struct feed **feed_r,
                char **error_r)
{
	pthread_mutex_lock(&c->render_mu);
	uint64_t gen;
	*feed_r = lookup(c, path, false, &gen);
	if (*feed_r) {
		pthread_mutex_unlock(&c->render_mu);
		return WK_OK;
	}
	char *text = NULL;
	size_t len = 0;
	int rc = c->render(c->ctx, spec, &text, &len, error_r);
	if (rc == WK_OK) {
		*feed_r = feed_new(text, len, now);
		store_render(c, path, *feed_r, gen);
	} else {
		free(text);
		pthread_mutex_lock(&c->mu);
		c->st.render_errors++;
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&c->render_mu);
	return rc;
}

int feedcache_get(struct feedcache *c, const struct feed_spec *spec, time_t now,
                  struct feed **feed_r, char **error_r)
{
	char *path = feedset_path(spec);
	uint64_t gen;
	*feed_r = lookup(c, path, true, &gen);
	int rc = WK_OK;
	if (*feed_r == NULL)
		rc = fill(c, spec, path, now, feed_r, error_r);
	free(path);
	return rc;
}

void feedcache_invalidate(struct feedcache *c)
{
	pthread_mutex_lock(&c->mu);
	c->gen++;
	c->st.invalidations++;
	for (struct entry *e = c->newest; e; e = e->older)
		drop_body(c, e);
	pthread_mutex_unlock(&c->mu);
}

void feedcache_set_limit(struct feedcache *c, size_t limit_bytes)
{
	pthread_mutex_lock(&c->mu);
	c->st.limit = limit_bytes;
	evict(c);
	pthread_mutex_unlock(&c->mu);
}

void feedcache_stats(struct feedcache *c, struct feedcache_stats *s_r)
{
	pthread_mutex_lock(&c->mu);
	*s_r = c->st;
	pthread_mutex_unlock(&c->mu);
}
