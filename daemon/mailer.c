/*
 * mailer: the thread, one pass (plan, claim, deliver, record), and the
 * spool backend of daemon/mailer.h.
 */
#include "daemon/mailer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
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
#define BATCH        100 /* rows claimed at once */

#define FIRST_RETRY 30 /* seconds before the first retry */

/* A way to hand over one message: SMTP_SENT when it was taken,
 * SMTP_TEMPORARY or SMTP_PERMANENT with a reason. */
struct mail_backend {
	const char *name;
	int (*deliver)(struct mailer *m, const struct outbox_row *r,
	               const char *msg, size_t len, char **error_r);
};

struct mailer {
	struct config cfg;
	struct store *st;
	const struct mail_backend *backend;
	char *spool;       /* the spool backend's directory */
	struct smtp *smtp; /* the SMTP backend's client */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool stop, woken;
};

int64_t mailer_backoff(int attempts, int64_t cap_s)
{
	int64_t d = FIRST_RETRY;
	for (int i = 1; i < attempts && d < cap_s; i++)
		d *= 2;
	return d < cap_s ? d : cap_s;
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

/* Marks the row by the backend's verdict. */
static void record(struct mailer *m, const struct outbox_row *r, int verdict,
                   const char *err)
{
	int64_t cap = m->cfg.smtp_retry_max_min * 60;
	char *why = NULL;
	int rc;
	if (verdict == SMTP_SENT)
		rc = store_outbox_mark_sent(m->st, r->id, now_utc(), &why);
	else if (verdict == SMTP_PERMANENT)
		rc = store_outbox_mark_failed(m->st, r->id, false, err, &why);
	else
		rc = store_outbox_mark_retry(
		    m->st, r->id,
		    now_utc() + mailer_backoff(r->attempts + 1, cap), err,
		    &why);
	/* The row stays "sending" and is queued again at the next start: at
	 * worst the message goes twice, with the same Message-ID. */
	if (rc < 0)
		log_warnx("mail %lld: cannot record the outcome: %s",
		          (long long)r->id, why);
	free(why);
}

/* Hands the message to the backend and records its verdict; *err gets
 * the backend's reason, if any. */
static void deliver_and_record(struct mailer *m, const struct outbox_row *r,
                               const char *msg, size_t len, char **err)
{
	int verdict = m->backend->deliver(m, r, msg, len, err);
	record(m, r, verdict, *err);
}

/* Builds and hands over one claimed row, then records the outcome. */
static void deliver_row(struct mailer *m, const struct outbox_row *r)
{
	char *err = NULL;
	struct event e = {0};
	struct person p = {0};
	if (store_event_get(m->st, r->event_uid, &e, &err) < 0) {
		store_outbox_mark_failed(m->st, r->id, true, err, NULL);
		free(err);
		return;
	}
	bool have_person = store_person_get(m->st, r->email, &p, NULL) == 0;
	const char *why = stale(r, &e);
	struct imip_message im = {.kind = r->kind,
	                          .event = &e,
	                          .recurrence_id = r->recurrence_id,
	                          .to_email = r->email,
	                          .to_name = have_person ? p.name : NULL,
	                          .message_id = r->message_id,
	                          .date = now_utc()};
	size_t len = 0;
	char *msg = why ? NULL : imip_build(&im, &m->cfg, &len, &err);
	if (why)
		store_outbox_mark_failed(m->st, r->id, true, why, NULL);
	else if (msg == NULL)
		store_outbox_mark_failed(m->st, r->id, false, err, NULL);
	else
		deliver_and_record(m, r, msg, len, &err);
	if (err)
		log_warnx("mail %lld (outbox list shows it): %s",
		          (long long)r->id, err);
	free(msg);
	free(err);
	event_free(&e);
	if (have_person)
		person_free(&p);
}

static void pass(struct mailer *m)
{
	char *err = NULL;
	size_t added = 0, n = 0;
	struct outbox_row *rows = NULL;
	if (planner_run(m->st, &m->cfg, now_utc(), &added, &err) < 0) {
		log_warnx("mail planner: %s", err);
		xfree(&err);
	} else if (added) {
		log_info("mail: %zu message(s) queued", added);
	}
	if (store_outbox_claim(m->st, now_utc(), BATCH, &rows, &n, &err) < 0) {
		log_warnx("mail: %s", err);
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		deliver_row(m, &rows[i]);
	if (n)
		log_info("mail: %zu message(s) handed to the %s", n,
		         m->backend->name);
	outbox_rows_free(rows, n);
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
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += PASS_SECONDS;
		while (!m->stop && !m->woken)
			if (pthread_cond_timedwait(&m->cond, &m->mu, &until) ==
			    ETIMEDOUT)
				break;
		m->woken = false;
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

static int open_parts(struct mailer *m, const char *config_path, const char *db,
                      char **error_r)
{
	if (config_load(config_path, &m->cfg, error_r) < 0)
		return -1;
	if (db) {
		free(m->cfg.database);
		m->cfg.database = xstrdup(db);
	}
	if (m->cfg.smtp_url) {
		if (smtp_open(&m->cfg, &m->smtp, error_r) < 0)
			return -1;
		m->backend = &smtp_backend;
	} else {
		m->spool = mailer_spool_dir(&m->cfg);
		if (mkdir(m->spool, 0750) < 0 && errno != EEXIST)
			return set_error(error_r, "mail.spool_dir: %s: %s",
			                 m->spool, strerror(errno));
		m->backend = &spool_backend;
	}
	if (store_open(m->cfg.database, STORE_WRITE, &m->st, error_r) < 0)
		return -1;
	return store_outbox_requeue(m->st, error_r) < 0 ? -1 : 0;
}

static void free_parts(struct mailer *m)
{
	store_close(&m->st);
	smtp_close(&m->smtp);
	free(m->spool);
	if (m->cfg.kinds) /* config_load frees it itself on failure */
		config_free(&m->cfg);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cond);
	free(m);
}

int mailer_start(const char *config_path, const char *db, struct mailer **m_r,
                 char **error_r)
{
	struct mailer *m = xcalloc(1, sizeof(*m));
	/* Once, before any thread uses libcurl. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cond, NULL);
	if (open_parts(m, config_path, db, error_r) < 0) {
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

void mailer_wake(struct mailer *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->woken = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->mu);
}

void mailer_stop(struct mailer **mp)
{
	struct mailer *m = *mp;
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	free_parts(m);
	*mp = NULL;
}
