/*
 * wijkcald: the daemon. It serves the feeds over HTTP from memory (the
 * private ones by their token, which it looks up by hash: it needs no key)
 * and notices changes made with the CLI (PRAGMA data_version, every 200 ms)
 * so that they show within a second. main() reads like a table of
 * contents: options, config, store, cache, http, mailer, then the loop;
 * everything stops in reverse order.
 *
 * Signals only set flags; the loop acts on them: SIGTERM and SIGINT stop
 * (requests in flight finish first), SIGHUP reloads the configuration (a
 * bad one is refused and the old one kept), for HTTP and for the mailer.
 */
#include <malloc.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "core/buildinfo.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "daemon/dbwatch.h"
#include "daemon/detach.h"
#include "daemon/feedcache.h"
#include "daemon/feedsource.h"
#include "daemon/http.h"
#include "daemon/mailer.h"
#include "daemon/metrics.h"

#define POLL_MS       200  /* how often the database is asked for changes */
#define STOP_GRACE_MS 5000 /* how long requests in flight may take at stop */
#define MAX_AGE_CAP   300  /* Cache-Control max-age of feeds at most, seconds */

struct options {
	const char *config; /* -c FILE, or NULL: $WIJKCAL_CONFIG, default */
	const char *db;     /* --db: overrides `database` */
	const char *listen; /* --listen: overrides `http.listen` */
	bool foreground;
	bool verbose;
};

/* Everything the daemon runs; each part NULL until started. */
struct wijkcald {
	struct options opt;
	struct config cfg;
	struct feedsource *source;
	struct dbwatch *watch;
	struct feedcache *cache;
	struct metrics *metrics;
	struct http *http;
	struct mailer *mailer;
	bool db_failing;    /* the last poll failed (logged once) */
	sigset_t wait_mask; /* the signal mask while the loop waits */
};

static volatile sig_atomic_t want_stop, want_reload;

static void usage(FILE *out)
{
	fputs("usage: wijkcald [-c CONFIG] [--db FILE] [--listen ADDR:PORT] "
	      "[--foreground] [-v]\n"
	      "       wijkcald --version | --help\n\n"
	      "Serves the wijkcal feeds over HTTP.\n"
	      "  -c, --config FILE   configuration (default: $WIJKCAL_CONFIG, "
	      "else " CONFIG_DEFAULT_PATH ")\n"
	      "      --db FILE       database, overrides `database`\n"
	      "      --listen A:P    address, overrides `http.listen`\n"
	      "  -f, --foreground    stay in the foreground (under systemd)\n"
	      "  -v, --verbose       debug log, with a line per request\n"
	      "\nSee wijkcald(8) and wijkcal.conf(5).\n",
	      out);
}

/* Returns -1 to go on, else the exit status (--help, --version, bad use). */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_DB = 256, OPT_LISTEN, OPT_VERSION };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, OPT_DB},
	    {"listen", required_argument, NULL, OPT_LISTEN},
	    {"foreground", no_argument, NULL, 'f'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:fvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_VERSION:
			printf("wijkcald %s\n", WIJKCAL_VERSION);
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wijkcald: unexpected argument \"%s\"\n",
		        argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

/* Reads the configuration and applies the command line's overrides. */
static int read_config(const struct options *o, struct config *cfg_r,
                       char **error_r)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (config_load(o->config, cfg_r, error_r) < 0)
		return -1;
	if (o->db) {
		free(cfg_r->database);
		cfg_r->database = xstrdup(o->db);
	}
	if (o->listen) {
		free(cfg_r->http_listen);
		cfg_r->http_listen = xstrdup(o->listen);
	}
	if (http_parse_listen(cfg_r->http_listen, &ss, &len, error_r) < 0) {
		config_free(cfg_r);
		return -1;
	}
	return 0;
}

static int max_age(const struct config *cfg)
{
	int64_t s = cfg->feed_refresh_min * 60;
	return s < MAX_AGE_CAP ? (int)s : MAX_AGE_CAP;
}

static size_t cache_bytes(const struct config *cfg)
{
	return (size_t)cfg->http_cache_mb * 1024 * 1024;
}

/* ---- start ---- */

static void setup_log(const struct options *o)
{
	/* journald reads levels from "<N>" prefixes on the stream. */
	log_set_journal(getenv("JOURNAL_STREAM") != NULL);
	log_set_level(o->verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
}

/* Blocks the signals everywhere but in the loop's wait, so that the HTTP
 * threads never see them and the loop cannot miss one. */
static void setup_signals(struct wijkcald *d)
{
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &d->wait_mask);
	sigdelset(&d->wait_mask, SIGTERM);
	sigdelset(&d->wait_mask, SIGINT);
	sigdelset(&d->wait_mask, SIGHUP);
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		want_reload = 1;
	else
		want_stop = 1;
}

static void install_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int start_config(struct wijkcald *d)
{
	char *err = NULL;
	if (read_config(&d->opt, &d->cfg, &err) < 0) {
		fprintf(stderr, "wijkcald: %s\n", err);
		free(err);
		return EX_CONFIG;
	}
	return EX_OK;
}

static int start_store(struct wijkcald *d)
{
	char *err = NULL;
	if (feedsource_open(&d->cfg, &d->source, &err) < 0 ||
	    dbwatch_open(d->cfg.database, &d->watch, &err) < 0) {
		fprintf(stderr, "wijkcald: %s\n", err);
		free(err);
		return EX_NOINPUT;
	}
	return EX_OK;
}

static void start_cache(struct wijkcald *d)
{
	d->cache =
	    feedcache_new(cache_bytes(&d->cfg), feedsource_render, d->source);
	d->metrics = metrics_new();
}

static int start_http(struct wijkcald *d)
{
	struct http_ctx ctx = {.cache = d->cache,
	                       .metrics = d->metrics,
	                       .watch = d->watch,
	                       .access_log = d->opt.verbose,
	                       .source = d->source};
	char *err = NULL;
	if (http_start(&d->cfg, &ctx, max_age(&d->cfg), &d->http, &err) < 0) {
		fprintf(stderr, "wijkcald: %s\n", err);
		free(err);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

/* The mail thread, with its own connection and copy of the config. */
static int start_mailer(struct wijkcald *d)
{
	char *err = NULL;
	if (mailer_start(d->opt.config, d->opt.db, d->metrics, &d->mailer,
	                 &err) < 0) {
		fprintf(stderr, "wijkcald: %s\n", err);
		free(err);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

static void ready(struct wijkcald *d)
{
	log_info("wijkcald %s: serving %s on %s (port %u)", WIJKCAL_VERSION,
	         d->cfg.database, d->cfg.http_listen, http_port(d->http));
	sd_notifyf(0, "READY=1\nSTATUS=serving feeds on %s",
	           d->cfg.http_listen);
	detach_ready();
}

/* ---- the loop ---- */

/* Keys that only a restart applies: a reload keeps their old values. */
static const struct {
	const char *name;
	size_t offset;
	bool is_string; /* char *, else int */
} restart_keys[] = {
    {"database", offsetof(struct config, database), true},
    {"http.listen", offsetof(struct config, http_listen), true},
    {"http.max_connections", offsetof(struct config, http_max_connections),
     false},
    {"http.per_ip_limit", offsetof(struct config, http_per_ip_limit), false},
    {"http.timeout", offsetof(struct config, http_timeout), false},
    {"http.threads", offsetof(struct config, http_threads), false},
    {"http.connection_kb", offsetof(struct config, http_connection_kb), false},
};

/* Copies one restart key's old value into next; true if it had changed. */
static bool keep_old_value(const struct config *old, struct config *next,
                           size_t k)
{
	const void *was = (const char *)old + restart_keys[k].offset;
	void *now = (char *)next + restart_keys[k].offset;
	if (!restart_keys[k].is_string) {
		bool changed = *(const int *)was != *(int *)now;
		*(int *)now = *(const int *)was;
		return changed;
	}
	char **s = now;
	if (strcmp(*(char *const *)was, *s) == 0)
		return false;
	free(*s);
	*s = xstrdup(*(char *const *)was);
	return true;
}

static void keep_restart_keys(const struct config *old, struct config *next)
{
	for (size_t k = 0; k < ARRAY_SIZE(restart_keys); k++)
		if (keep_old_value(old, next, k))
			log_warnx("reload: %s changed; restart wijkcald to "
			          "apply it",
			          restart_keys[k].name);
}

/* One log line for a message that may span lines. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ';';
}

static void reload(struct wijkcald *d)
{
	struct config next;
	char *err = NULL;
	sd_notify(0, "RELOADING=1");
	if (read_config(&d->opt, &next, &err) < 0) {
		one_line(err);
		log_warnx("reload refused, the old configuration stays: %s",
		          err);
		free(err);
	} else {
		keep_restart_keys(&d->cfg, &next);
		feedsource_swap_config(d->source, &next);
		config_free(&next);
		/* Labels, zone or refresh interval may change every feed. */
		feedcache_invalidate(d->cache);
		feedcache_set_limit(d->cache, cache_bytes(&d->cfg));
		http_set_max_age(d->http, max_age(&d->cfg));
		/* The mailer reads the file itself, on its own thread. */
		mailer_reload(d->mailer);
		log_info("reload: configuration read from %s",
		         d->cfg.path ? d->cfg.path : "built-in defaults");
	}
	sd_notify(0, "READY=1");
}

/* Empties the feed cache when another process changed what feeds show,
 * and wakes the mailer for any change (an organiser's, or `mail resume`). */
static void watch_db(struct wijkcald *d)
{
	char *err = NULL;
	int changed = dbwatch_poll(d->watch, &err);
	if (changed < 0 && !d->db_failing)
		log_warnx("%s", err);
	else if (changed >= 0 && d->db_failing)
		log_info("database %s answers again", d->cfg.database);
	d->db_failing = changed < 0;
	free(err);
	if (changed > 0)
		mailer_wake(d->mailer);
	if (changed == DBWATCH_FEEDS) {
		feedcache_invalidate(d->cache);
		metrics_count_db_change(d->metrics);
		log_debug("database changed: feeds will be rendered again");
	}
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Waits POLL_MS with the signals open; a signal ends the wait early. */
static void nap(struct wijkcald *d)
{
	struct timespec ts = {0, POLL_MS * 1000L * 1000L};
	ppoll(NULL, 0, &ts, &d->wait_mask);
}

static void loop(struct wijkcald *d)
{
	uint64_t watchdog = 0, last_ping = now_usec();
	if (sd_watchdog_enabled(0, &watchdog) <= 0)
		watchdog = 0;
	while (!want_stop) {
		nap(d);
		if (want_stop)
			break;
		if (want_reload) {
			want_reload = 0;
			reload(d);
		}
		watch_db(d);
		if (watchdog && now_usec() - last_ping >= watchdog / 2) {
			sd_notify(0, "WATCHDOG=1");
			last_ping = now_usec();
		}
	}
	log_info("stopping");
	sd_notify(0, "STOPPING=1");
}

/* ---- stop, in reverse ---- */

static void stop(struct wijkcald *d)
{
	mailer_stop(&d->mailer);
	http_stop(&d->http, STOP_GRACE_MS);
	metrics_free(&d->metrics);
	feedcache_free(&d->cache);
	dbwatch_close(&d->watch);
	feedsource_close(&d->source);
	config_free(&d->cfg);
}

int main(int argc, char **argv)
{
	/* One malloc arena: feeds are rendered one at a time but on either
	 * HTTP thread, and an arena per thread would hold the cache twice. */
	mallopt(M_ARENA_MAX, 1);
	struct wijkcald d = {0};
	int rc = parse_options(argc, argv, &d.opt);
	if (rc >= 0)
		return rc;
	setup_log(&d.opt);
	setup_signals(&d);
	install_handlers();
	rc = start_config(&d);
	if (rc == EX_OK && !d.opt.foreground)
		detach_start();
	if (rc == EX_OK)
		rc = start_store(&d);
	if (rc == EX_OK) {
		start_cache(&d);
		rc = start_http(&d);
	}
	if (rc == EX_OK)
		rc = start_mailer(&d);
	if (rc == EX_OK) {
		ready(&d);
		loop(&d);
	}
	stop(&d);
	return rc;
}
