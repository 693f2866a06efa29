/* feedsource: the store and the configuration behind the feed cache. */
#include "daemon/feedsource.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/store.h"
#include "core/util.h"

struct feedsource {
	pthread_mutex_t mu; /* guards cfg's contents and st */
	struct config *cfg;
	struct store *st;
};

int feedsource_open(struct config *cfg, struct feedsource **fs_r,
                    char **error_r)
{
	struct store *st = NULL;
	int rc = store_open(cfg->database, STORE_READ, &st, error_r);
	if (rc < 0)
		return rc;
	struct feedsource *fs = xcalloc(1, sizeof(*fs));
	pthread_mutex_init(&fs->mu, NULL);
	fs->cfg = cfg;
	fs->st = st;
	*fs_r = fs;
	return WK_OK;
}

void feedsource_close(struct feedsource **fsp)
{
	struct feedsource *fs = *fsp;
	if (fs == NULL)
		return;
	store_close(&fs->st);
	pthread_mutex_destroy(&fs->mu);
	free(fs);
	*fsp = NULL;
}

int feedsource_render(void *ctx, const struct feed_spec *spec, char **text_r,
                      size_t *len_r, char **error_r)
{
	struct feedsource *fs = ctx;
	pthread_mutex_lock(&fs->mu);
	int rc = feedset_render(fs->st, fs->cfg, spec, text_r, len_r, error_r);
	pthread_mutex_unlock(&fs->mu);
	return rc;
}

int feedsource_token_spec(struct feedsource *fs, const char *token,
                          struct feed_spec *spec_r, char **id_r, char **error_r)
{
	pthread_mutex_lock(&fs->mu);
	int rc = feedset_token_spec(fs->st, token, spec_r, id_r, error_r);
	pthread_mutex_unlock(&fs->mu);
	return rc;
}

int feedsource_with(struct feedsource *fs, feedsource_fn fn, void *arg)
{
	pthread_mutex_lock(&fs->mu);
	int rc = fn(fs->st, fs->cfg, arg);
	pthread_mutex_unlock(&fs->mu);
	return rc;
}

void feedsource_swap_config(struct feedsource *fs, struct config *next)
{
	pthread_mutex_lock(&fs->mu);
	struct config old = *fs->cfg;
	*fs->cfg = *next;
	*next = old;
	pthread_mutex_unlock(&fs->mu);
}
