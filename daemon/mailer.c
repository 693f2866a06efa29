/*
 * mailer: the thread, one pass (plan, claim, deliver, record), the rules
 * for retries, holds and pauses, and the spool backend of daemon/mailer.h.
 */
#include "daemon/mailer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/planner.h"
#include "core/store.h"
#include "core/util.h"
#include "daemon/smtp.h"
#include "feeds/imip.h"

#include <curl/curl.h>

#define PASS_SECONDS 5   /* a pass at least this often */
#define PLAN_SECONDS 60  /* plan at least this often without a change */
#define BATCH        100 /* rows claimed at once */

/* A way to hand over one message: SMTP_SENT when it was taken, else
 * another enum smtp_result with a reason. */
struct mail_backend {
	const char *name;
	int (*deliver)(struct mailer *m, const struct outbox_row *r,
	               const char *msg, size_t len, char **error_r);
};

struct mailer {
	struct config cfg;
	char *config_path; /* as given to mailer_start; NULL: the default */
	char *db;          /* --db, or NULL */
	struct metrics *metrics;
	struct store *st;
	const struct mail_backend *backend;
	char *spool;       /* the spool backend's directory */
	struct smtp *smtp; /* the SMTP backend's client */
	pthread_t thread;
	pthread_mutex_t mu; /* guards stop, woken and want_reload */
	pthread_cond_t cond;
	bool stop, woken, want_reload;
	/* The thread's own. */
	double hold_until; /* monotonic seconds: no claim before */
	int failures;      /* connection-level failures in a row */
	bool paused;       /* the hold is a configuration error */
	double next_send;  /* monotonic seconds: smtp.rate_limit's next slot */
	uint32_t rng;      /* xorshift state for the jitter */
	int64_t seen_version;    /* PRAGMA data_version at the last plan */
	struct builder *builder; /* builds the next message while one goes */
	double planned_at; /* monotonic seconds of the last plan, 0: never */
};

int64_t mailer_backoff(int attempts, int64_t first_s, int64_t cap_s,
                       uint32_t random)
{
	int64_t d = first_s < cap_s ? first_s : cap_s;
	for (int i = 1; i < attempts && d < cap_s; i++)
		d *= 2;
	if (d > cap_s)
		d = cap_s;
	d -= d * (int64_t)(random % 1024) / 4096;
	return d > 0 ? d : 1;
}

static uint32_t next_random(struct mailer *m)
{
	uint32_t x = m->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return m->rng = x;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool stopping(struct mailer *m)
{
	pthread_mutex_lock(&m->mu);
	bool stop = m->stop;
	pthread_mutex_unlock(&m->mu);
	return stop;
}

/* Waits until the monotonic time `until` or a stop; wake-ups for data
 * changes stay pending. Returns false on a stop. Call with mu held. */
static bool wait_locked(struct mailer *m, double until, bool end_on_wake)
{
	struct timespec ts;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	while (!m->stop && !(end_on_wake && (m->woken || m->want_reload)))
		if (pthread_cond_timedwait(&m->cond, &m->mu, &ts) == ETIMEDOUT)
			break;
	return !m->stop;
}

char *mailer_spool_dir(const struct config *cfg)
{
	const char *dir = cfg->mail_spool_dir;
	if (dir[0] == '/')
		return xstrdup(dir);
	const char *slash = strrchr(cfg->database, '/');
	if (slash == NULL)
		return xstrdup(dir);
	return xasprintf("%.*s/%s", (int)(slash - cfg->database), cfg->database,
	                 dir);
}

/* ---- the spool backend ---- */

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int spool_deliver(struct mailer *m, const struct outbox_row *r,
                         const char *msg, size_t len, char **error_r)
{
	char *final = xasprintf("%s/%06lld-%s.eml", m->spool, (long long)r->id,
	                        outbox_kind_name(r->kind));
	char *tmp = xasprintf("%s.tmp", final);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int rc = fd < 0 ? -1 : write_all(fd, msg, len);
	if (fd >= 0 && rc == 0)
		rc = fsync(fd);
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, final);
	if (rc < 0) {
		set_error(error_r, "%s: %s", final, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(final);
	return rc < 0 ? SMTP_TEMPORARY : SMTP_SENT;
}

static const struct mail_backend spool_backend = {"spool", spool_deliver};

static int smtp_deliver(struct mailer *m, const struct outbox_row *r,
                        const char *msg, size_t len, char **error_r)
{
	return smtp_send(m->smtp, r->email, msg, len, error_r);
}

static const struct mail_backend smtp_backend = {"SMTP server", smtp_deliver};

/* ---- one pass ---- */

/* Why a claimed row should not go out any more, or NULL. */
static const char *stale(const struct outbox_row *r, const struct event *e)
{
	if (e->draft)
		return "the event is a draft again";
	if (e->cancelled && r->kind != OUTBOX_CANCEL)
		return "the event was cancelled";
	return NULL;
}

/* Marks the row by the backend's verdict (not a hold: see hold()). */
static void record(struct mailer *m, const struct outbox_row *r, int verdict,
                   const char *err)
{
	char *why = NULL;
	int rc;
	int64_t now = now_utc();
	if (verdict == SMTP_SENT) {
		rc = store_outbox_mark_sent(m->st, r->id, now, &why);
		metrics_count_mail(m->metrics, MAIL_SENT);
	} else if (verdict == SMTP_PERMANENT) {
		rc = store_outbox_mark_failed(m->st, r->id, false, err, &why);
		metrics_count_mail(m->metrics, MAIL_FAILED);
	} else {
		int64_t delay =
		    mailer_backoff(r->attempts + 1, m->cfg.smtp_retry_min_s,
		                   m->cfg.smtp_retry_max_s, next_random(m));
		rc = store_outbox_mark_retry(m->st, r->id, now + delay, err,
		                             &why);
		metrics_count_mail(m->metrics, MAIL_RETRIED);
	}
	/* The row stays "sending" and is queued again at the next start: at
	 * worst the message goes twice, with the same Message-ID. */
	if (rc < 0)
		log_warnx("mail %lld: cannot record the outcome: %s",
		          (long long)r->id, why);
	free(why);
}

/* The server cannot take mail now (SMTP_CONNECTION) or refuses our
 * configuration (SMTP_CONFIG): no other message is tried until the hold
 * ends, and no message fails. */
static void hold(struct mailer *m, const struct outbox_row *r, int verdict,
                 const char *reason)
{
	int64_t cap = m->cfg.smtp_retry_max_s, delay;
	char *err = NULL;
	if (reason == NULL)
		reason = "the SMTP server failed";
	m->failures++;
	m->paused = verdict == SMTP_CONFIG;
	if (m->paused)
		delay = mailer_backoff(1, cap, cap, next_random(m));
	else
		delay = mailer_backoff(m->failures, m->cfg.smtp_retry_min_s,
		                       cap, next_random(m));
	m->hold_until = mono_now() + (double)delay;
	metrics_count_mail(m->metrics, MAIL_HELD);
	metrics_set_mail_error(m->metrics, m->paused ? reason : NULL);
	if (store_outbox_hold(m->st, r->id, now_utc(), reason, &err) < 0) {
		log_warnx("mail: %s", err);
		free(err);
	}
	if (m->paused)
		log_warnx("mail: paused by a configuration error, no message "
		          "failed: %s; next try in %lld s (smtp.retry_max) or "
		          "after a reload (SIGHUP)",
		          reason, (long long)delay);
	else
		log_warnx("mail: cannot deliver now, all messages wait: %s; "
		          "next try in %lld s (failure %d in a row)",
		          reason, (long long)delay, m->failures);
}

/* The server took or refused a recipient: an earlier hold is over. */
static void held_no_more(struct mailer *m)
{
	if (m->failures == 0)
		return;
	log_info("mail: the SMTP server takes mail again after %d "
	         "failure(s)",
	         m->failures);
	m->failures = 0;
	m->paused = false;
	metrics_set_mail_error(m->metrics, NULL);
}

/* Hands the message to the backend and records its verdict; *err gets
 * the backend's reason, if any. Returns the verdict. */
static int deliver_and_record(struct mailer *m, const struct outbox_row *r,
                              const char *msg, size_t len, char **err)
{
	int verdict = m->backend->deliver(m, r, msg, len, err);
	if (verdict == SMTP_CONNECTION || verdict == SMTP_CONFIG) {
		hold(m, r, verdict, *err);
		xfree(err); /* hold() logged it */
		return verdict;
	}
	held_no_more(m); /* the server answered for this recipient */
	record(m, r, verdict, *err);
	return verdict;
}

/*
 * Building runs ahead of sending: while libcurl waits for the server's
 * replies (four round trips a message, no pipelining), the builder thread
 * reads and writes the rest of the claimed batch, on its own read-only
 * connection; the sender alone writes (claims and marks). Each message
 * notes the feed_state.version it was built at. Just before it goes the
 * sender reads the version again: if an organiser changed an event, an
 * audience or the registry since, the rest of the batch is built again,
 * so what goes out is what the database holds at that moment. (Building
 * in step, one message ahead, cost two thread wake-ups a message: 15% of
 * the rate.) The builder keeps the event of the last message while the
 * version stands: the mailer's own commits leave it.
 */
struct built {
	char *msg; /* NULL: not to be sent, for the reason below */
	size_t len;
	char *err;       /* a build failure (the row fails) */
	const char *why; /* the row is stale or its event gone (expires) */
	bool event_gone; /* why is err: the event cannot be read */
	int64_t version; /* feed_state.version it was built at */
};

struct builder {
	struct mailer *m;
	struct store *st; /* read-only, the builder's own */
	struct event ev;  /* the event of the last message */
	int64_t ev_version;
	struct imip_cache *cache; /* its calendar part */
	pthread_t thread;
	bool threaded; /* thread runs (joined by build_stop) */
	/* Per batch, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	const struct outbox_row *rows;
	struct built *out;
	size_t n, ready; /* out[0..ready) are built */
	bool cancel;
};

/* The event of uid: the kept one while no event, audience or registry
 * row changed since it was read, else read again; *version_r gets the
 * version, read before the event. NULL with a message. */
static const struct event *event_of(struct builder *b, const char *uid,
                                    int64_t *version_r, char **error_r)
{
	int64_t v = -1;
	bool same = store_feed_version(b->st, &v, NULL) == 0 &&
	            v == b->ev_version && b->ev.uid &&
	            strcmp(b->ev.uid, uid) == 0;
	*version_r = v;
	if (same)
		return &b->ev;
	event_free(&b->ev);
	memset(&b->ev, 0, sizeof(b->ev));
	if (store_event_get(b->st, uid, &b->ev, error_r) < 0)
		return NULL;
	b->ev_version = v;
	return &b->ev;
}

/* Builds the message of one claimed row into *out. */
static void build_one(struct builder *b, const struct outbox_row *r,
                      struct built *out)
{
	struct person p = {0};
	const struct event *e =
	    event_of(b, r->event_uid, &out->version, &out->err);
	if (e == NULL) {
		out->event_gone = true;
		return;
	}
	bool have_person = store_person_get(b->st, r->email, &p, NULL) == 0;
	out->why = stale(r, e);
	struct imip_message im = {.kind = r->kind,
	                          .event = e,
	                          .recurrence_id = r->recurrence_id,
	                          .to_email = r->email,
	                          .to_name = have_person ? p.name : NULL,
	                          .message_id = r->message_id,
	                          .date = now_utc()};
	/* The cache needs a version to know its calendar is current. */
	if (out->why == NULL && out->version >= 0)
		out->msg =
		    imip_build_cached(&im, &b->m->cfg, b->cache, out->version,
		                      &out->len, &out->err);
	else if (out->why == NULL)
		out->msg = imip_build(&im, &b->m->cfg, &out->len, &out->err);
	if (have_person)
		person_free(&p);
}

static void *build_run(void *arg)
{
	struct builder *b = arg;
	pthread_mutex_lock(&b->mu);
	for (size_t i = b->ready; i < b->n && !b->cancel; i++) {
		pthread_mutex_unlock(&b->mu);
		build_one(b, &b->rows[i], &b->out[i]);
		pthread_mutex_lock(&b->mu);
		b->ready = i + 1;
		pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Builds rows [from, n) of the batch: on a thread of its own, or at once
 * on this one if no thread can be made. */
static void build_start(struct builder *b, size_t from)
{
	pthread_mutex_lock(&b->mu);
	b->ready = from;
	b->cancel = false;
	pthread_mutex_unlock(&b->mu);
	b->threaded = pthread_create(&b->thread, NULL, build_run, b) == 0;
	if (!b->threaded)
		build_run(b);
}

/* Stops building; rows not built yet stay unbuilt. */
static void build_stop(struct builder *b)
{
	pthread_mutex_lock(&b->mu);
	b->cancel = true;
	pthread_mutex_unlock(&b->mu);
	if (b->threaded)
		pthread_join(b->thread, NULL);
	b->threaded = false;
}

static void built_free(struct built *bm)
{
	free(bm->msg);
	free(bm->err);
	memset(bm, 0, sizeof(*bm));
}

/* Row i, built from the database as it is now. */
static struct built *built_now(struct mailer *m, size_t i)
{
	struct builder *b = m->builder;
	pthread_mutex_lock(&b->mu);
	while (b->ready <= i)
		pthread_cond_wait(&b->cond, &b->mu);
	pthread_mutex_unlock(&b->mu);
	int64_t v = -1;
	if (store_feed_version(m->st, &v, NULL) == 0 && v == b->out[i].version)
		return &b->out[i];
	/* Changed since: build the rest again. */
	build_stop(b);
	for (size_t k = i; k < b->n; k++)
		built_free(&b->out[k]);
	build_start(b, i);
	pthread_mutex_lock(&b->mu);
	while (b->ready <= i)
		pthread_cond_wait(&b->cond, &b->mu);
	pthread_mutex_unlock(&b->mu);
	return &b->out[i];
}

/* Hands over one built row and records the outcome. Returns the
 * backend's verdict, SMTP_PERMANENT if it never got there. */
static int send_built(struct mailer *m, const struct outbox_row *r,
                      struct built *bm)
{
	int verdict = SMTP_PERMANENT;
	/* Held back by the rate limit, a message may come too late. */
	if (r->expires > 0 && now_utc() >= r->expires)
		store_outbox_mark_failed(m->st, r->id, true,
		                         "expired before it could be delivered",
		                         NULL);
	else if (bm->event_gone)
		store_outbox_mark_failed(m->st, r->id, true, bm->err, NULL);
	else if (bm->why)
		store_outbox_mark_failed(m->st, r->id, true, bm->why, NULL);
	else if (bm->msg == NULL)
		store_outbox_mark_failed(m->st, r->id, false, bm->err, NULL);
	else
		verdict = deliver_and_record(m, r, bm->msg, bm->len, &bm->err);
	if (bm->err && !bm->event_gone)
		log_warnx("mail %lld (outbox list shows it): %s",
		          (long long)r->id, bm->err);
	return verdict;
}

/* Waits for smtp.rate_limit's next slot; false on a stop. */
static bool wait_turn(struct mailer *m)
{
	if (m->smtp == NULL || m->cfg.smtp_rate_limit <= 0)
		return !stopping(m);
	double now = mono_now();
	double slot = m->next_send > now ? m->next_send : now;
	m->next_send = slot + 60.0 / m->cfg.smtp_rate_limit;
	pthread_mutex_lock(&m->mu);
	bool go = wait_locked(m, slot, false);
	pthread_mutex_unlock(&m->mu);
	return go;
}

/* Rows to claim at once: BATCH, or about 10 s worth under a rate limit,
 * so that rows do not sit "sending" for minutes. */
static size_t batch_size(const struct mailer *m)
{
	int rate = m->smtp ? m->cfg.smtp_rate_limit : 0;
	if (rate <= 0 || rate / 6 >= BATCH)
		return BATCH;
	return rate / 6 > 0 ? (size_t)(rate / 6) : 1;
}

/* True once SIGHUP asked for the configuration again. */
static bool reload_wanted(struct mailer *m)
{
	pthread_mutex_lock(&m->mu);
	bool want = m->want_reload;
	pthread_mutex_unlock(&m->mu);
	return want;
}

/* Claims and delivers one batch; returns the number claimed, or -1 when
 * the pass should end (a hold, a stop, an error). */
static long deliver_batch(struct mailer *m, size_t *claimed_r, size_t *handed_r)
{
	char *err = NULL;
	struct outbox_row *rows = NULL;
	size_t n = 0, i = 0;
	if (store_outbox_claim(m->st, now_utc(), batch_size(m), &rows, &n,
	                       &err) < 0) {
		log_warnx("mail: %s", err);
		free(err);
		return -1;
	}
	struct builder *b = m->builder;
	struct built *out = xcalloc(n ? n : 1, sizeof(*out));
	b->rows = rows;
	b->out = out;
	b->n = n;
	if (n > 0)
		build_start(b, 0);
	bool go_on = true;
	*claimed_r += n;
	for (; i < n && go_on; i++) {
		if (!wait_turn(m))
			break;
		int verdict = send_built(m, &rows[i], built_now(m, i));
		go_on = verdict != SMTP_CONNECTION && verdict != SMTP_CONFIG;
		*handed_r += verdict == SMTP_SENT;
	}
	build_stop(b);
	for (size_t k = 0; k < n; k++)
		built_free(&out[k]);
	free(out);
	/* Rows not reached stay "sending": a stop queues them again (and a
	 * hold has done so already). */
	outbox_rows_free(rows, n);
	return go_on && i == n ? (long)n : -1;
}

/* Marks failed what has waited longer than smtp.give_up_after. */
static void give_up_old(struct mailer *m)
{
	char *err = NULL;
	size_t n = 0;
	if (store_outbox_give_up(m->st, now_utc() - m->cfg.smtp_give_up_s, &n,
	                         &err) < 0) {
		log_warnx("mail: %s", err);
		free(err);
	} else if (n) {
		log_warnx("mail: %zu message(s) failed after "
		          "smtp.give_up_after (outbox list shows why)",
		          n);
	}
}

/*
 * Whether to plan now. What is planned follows from the database and the
 * clock: a pass plans when another connection (an organiser's command)
 * has committed since the last plan, after a reload (the kinds' lead times
 * may have changed), and otherwise once every PLAN_SECONDS for what comes
 * due with time (invitations within their lead time, reminders within the
 * planner's horizon of a day). The mailer's own commits do not count, so
 * an idle daemon does not replan a large database every few seconds.
 */
static bool plan_due(struct mailer *m, bool reloaded)
{
	int64_t v = 0;
	bool changed =
	    store_data_version(m->st, &v, NULL) < 0 || v != m->seen_version;
	m->seen_version = v;
	return changed || reloaded || m->planned_at == 0 ||
	       mono_now() >= m->planned_at + PLAN_SECONDS;
}

static void plan(struct mailer *m)
{
	char *err = NULL;
	size_t added = 0;
	m->planned_at = mono_now();
	if (planner_run(m->st, &m->cfg, now_utc(), &added, &err) < 0) {
		log_warnx("mail planner: %s", err);
		free(err);
	} else if (added) {
		log_info("mail: %zu message(s) queued", added);
	}
}

static void apply_reload(struct mailer *m);

static void pass(struct mailer *m)
{
	pthread_mutex_lock(&m->mu);
	bool reload = m->want_reload;
	m->want_reload = false;
	pthread_mutex_unlock(&m->mu);
	if (reload)
		apply_reload(m);
	if (plan_due(m, reload))
		plan(m);
	give_up_old(m);
	if (mono_now() < m->hold_until)
		return;
	size_t claimed = 0, handed = 0;
	/* Batch after batch while full, over one connection; a reload
	 * waits for the batch in hand only. */
	while (deliver_batch(m, &claimed, &handed) == (long)batch_size(m) &&
	       !reload_wanted(m))
		;
	if (handed)
		log_info("mail: %zu message(s) handed to the %s", handed,
		         m->backend->name);
	if (claimed)
		smtp_hangup(m->smtp);
}

/* ---- the thread ---- */

static void *run(void *arg)
{
	struct mailer *m = arg;
	pthread_mutex_lock(&m->mu);
	while (!m->stop) {
		pthread_mutex_unlock(&m->mu);
		pass(m);
		pthread_mutex_lock(&m->mu);
		double until = mono_now() + PASS_SECONDS;
		if (m->hold_until > mono_now() && m->hold_until < until)
			until = m->hold_until;
		wait_locked(m, until, true);
		m->woken = false;
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

/* The backend for m->cfg: the SMTP client, or the spool directory. */
static int open_backend(struct mailer *m, char **error_r)
{
	if (m->cfg.smtp_url) {
		if (smtp_open(&m->cfg, &m->smtp, error_r) < 0)
			return -1;
		m->backend = &smtp_backend;
		return 0;
	}
	m->spool = mailer_spool_dir(&m->cfg);
	if (mkdir(m->spool, 0750) < 0 && errno != EEXIST)
		return set_error(error_r, "mail.spool_dir: %s: %s", m->spool,
		                 strerror(errno));
	m->backend = &spool_backend;
	return 0;
}

static int load_config(struct mailer *m, struct config *cfg, char **error_r)
{
	if (config_load(m->config_path, cfg, error_r) < 0)
		return -1;
	if (m->db) {
		free(cfg->database);
		cfg->database = xstrdup(m->db);
	}
	return 0;
}

/* SIGHUP: the new configuration and backend, or the old ones if either
 * is refused. The database stays (a restart changes it). */
static void apply_reload(struct mailer *m)
{
	struct mailer next = {.config_path = m->config_path, .db = m->db};
	char *err = NULL;
	if (load_config(m, &next.cfg, &err) < 0 ||
	    open_backend(&next, &err) < 0) {
		log_warnx("mail: reload refused, the old settings stay: %s",
		          err);
		free(err);
		smtp_close(&next.smtp);
		free(next.spool);
		if (next.cfg.kinds)
			config_free(&next.cfg);
		return;
	}
	free(next.cfg.database);
	next.cfg.database = xstrdup(m->cfg.database);
	config_free(&m->cfg);
	smtp_close(&m->smtp);
	free(m->spool);
	m->cfg = next.cfg;
	m->smtp = next.smtp;
	m->spool = next.spool;
	m->backend = next.backend;
	/* A fixed password or server deserves a try at once. */
	m->hold_until = 0;
	m->failures = 0;
	m->paused = false;
	metrics_set_mail_error(m->metrics, NULL);
	log_info("mail: configuration reloaded; delivering to the %s",
	         m->backend->name);
}

static int open_parts(struct mailer *m, char **error_r)
{
	if (load_config(m, &m->cfg, error_r) < 0 ||
	    open_backend(m, error_r) < 0)
		return -1;
	if (store_open(m->cfg.database, STORE_WRITE, &m->st, error_r) < 0 ||
	    store_open(m->cfg.database, STORE_READ, &m->builder->st, error_r) <
	        0)
		return -1;
	return store_outbox_requeue(m->st, error_r) < 0 ? -1 : 0;
}

static void free_parts(struct mailer *m)
{
	event_free(&m->builder->ev);
	imip_cache_free(&m->builder->cache);
	store_close(&m->builder->st);
	pthread_mutex_destroy(&m->builder->mu);
	pthread_cond_destroy(&m->builder->cond);
	free(m->builder);
	store_close(&m->st);
	smtp_close(&m->smtp);
	free(m->spool);
	free(m->config_path);
	free(m->db);
	if (m->cfg.kinds) /* config_load frees it itself on failure */
		config_free(&m->cfg);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cond);
	free(m);
}

static void init_sync(struct mailer *m)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	/* Waits are on the monotonic clock, as hold_until and next_send. */
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&m->mu, NULL);
	m->builder = xcalloc(1, sizeof(*m->builder));
	m->builder->m = m;
	m->builder->cache = imip_cache_new();
	pthread_mutex_init(&m->builder->mu, NULL);
	pthread_cond_init(&m->builder->cond, NULL);
	if (getrandom(&m->rng, sizeof(m->rng), 0) != sizeof(m->rng) ||
	    m->rng == 0)
		m->rng = (uint32_t)time(NULL) ^ (uint32_t)getpid() ^ 1u;
}

int mailer_start(const char *config_path, const char *db,
                 struct metrics *metrics, struct mailer **m_r, char **error_r)
{
	struct mailer *m = xcalloc(1, sizeof(*m));
	/* Once, before any thread uses libcurl. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	init_sync(m);
	m->config_path = xstrdup_or_null(config_path);
	m->db = xstrdup_or_null(db);
	m->metrics = metrics;
	if (open_parts(m, error_r) < 0) {
		free_parts(m);
		return -1;
	}
	int rc = pthread_create(&m->thread, NULL, run, m);
	if (rc != 0) {
		set_error(error_r, "mailer: cannot start a thread: %s",
		          strerror(rc));
		free_parts(m);
		return -1;
	}
	if (m->spool)
		log_info("mail: delivering into the spool directory %s",
		         m->spool);
	else
		log_info("mail: delivering to the SMTP server in smtp.url");
	*m_r = m;
	return 0;
}

static void signal_thread(struct mailer *m, bool *flag)
{
	pthread_mutex_lock(&m->mu);
	*flag = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->mu);
}

void mailer_wake(struct mailer *m)
{
	if (m)
		signal_thread(m, &m->woken);
}

void mailer_reload(struct mailer *m)
{
	if (m)
		signal_thread(m, &m->want_reload);
}

void mailer_stop(struct mailer **mp)
{
	struct mailer *m = *mp;
	if (m == NULL)
		return;
	signal_thread(m, &m->stop);
	pthread_join(m->thread, NULL);
	char *err = NULL;
	/* The rows of an unfinished batch go back to the queue. */
	if (store_outbox_requeue(m->st, &err) < 0) {
		log_warnx("mail: %s", err);
		free(err);
	}
	free_parts(m);
	*mp = NULL;
}
