/*
 * config: the configuration file (libconfig syntax). Every key has a default,
 * so the file is optional. Keys are described once in a table in config.c;
 * loading walks that table, reports every bad key in one run as
 * FILE:LINE: KEY: expected FORM, and `config_print` writes the effective
 * configuration back in the same syntax.
 */
#ifndef WIJKCAL_CONFIG_H
#define WIJKCAL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PATH WIJKCAL_SYSCONFDIR "/wijkcal.conf"

/* Per event kind (kinds.K.*). */
struct kind_conf {
	const char *kind;     /* one of model_event_kinds (static) */
	char *label;          /* Dutch name for feeds, e.g. "Hagro" */
	int64_t duration_min; /* default duration */
	bool is_public;       /* default visibility */
	char *audience;       /* default audience, "{wijk}" = the event's wijk;
	                         may be NULL */
	int points;           /* default accreditation points, -1 none */
	/* Mail (core/planner.h): invitations this long before the first
	 * occurrence (0: at once), reminders at these offsets before each
	 * occurrence (minutes, largest first). */
	int64_t invite_before_min;
	struct duration_list {
		int64_t *min; /* owned */
		size_t n;
	} reminders;
};

struct config {
	char *path;      /* the file read, or NULL: built-in defaults */
	char *database;  /* database file */
	char *timezone;  /* IANA zone of wall times */
	char *organizer; /* default ORGANIZER address */
	int64_t feed_refresh_min; /* REFRESH-INTERVAL of feeds */
	int64_t feed_alarm_min;   /* VALARM in personal feeds, 0 = none */
	char *http_listen;        /* ADDR:PORT wijkcald listens on */
	char *http_base_url;      /* public URL of wijkcald, for links */
	int http_max_connections; /* open connections at most */
	int http_per_ip_limit;    /* per client address, 0 = no limit */
	int http_timeout;         /* idle seconds before a close */
	int http_threads;         /* HTTP threads */
	int http_cache_mb;        /* memory for rendered feeds */
	int http_connection_kb;   /* memory per connection */
	char *smtp_url;           /* smtp:// or smtps:// server; NULL: spool */
	char *smtp_starttls;      /* "required", "optional" or "off" */
	char *smtp_from;          /* From of every message */
	char *smtp_user;          /* AUTH user; NULL: no AUTH */
	char *smtp_password_file; /* file holding the password; may be NULL */
	char *smtp_ca_file;       /* CA bundle; NULL: the system's */
	int64_t smtp_retry_min_s; /* first wait before a retry, seconds */
	int64_t smtp_retry_max_s; /* longest wait between retries, seconds */
	int64_t smtp_give_up_s;   /* age after which a retried row fails */
	int64_t smtp_timeout_s;   /* per message (connect: at most 30 s) */
	int smtp_rate_limit;      /* messages per minute, 0 = no limit */
	char *mail_spool_dir;     /* .eml files when no SMTP server is set;
	                             relative: beside the database */
	char *mail_templates_dir; /* the admin's mail templates (absolute);
	                             NULL: the built-in ones */
	struct kind_conf *kinds;  /* one per model_event_kinds entry */
	size_t nkinds;
};

/*
 * Finds the file to read: `path` when given, else $WIJKCAL_CONFIG, else
 * CONFIG_DEFAULT_PATH; a missing default file means built-in defaults, a
 * missing file that was asked for is an error. Fills *cfg_r. Returns 0, or
 * -1 with every problem (one per line) in *error_r; *cfg_r is then freed.
 */
int config_load(const char *path, struct config *cfg_r, char **error_r);
/*
 * Like config_load, but parses `text` (libconfig syntax) instead of a file;
 * `name` stands for the file in messages and becomes cfg_r->path.
 */
int config_load_text(const char *text, const char *name, struct config *cfg_r,
                     char **error_r);
/* Only the built-in defaults. */
void config_defaults(struct config *cfg_r);
/* The settings of one kind; never NULL for a kind in model_event_kinds. */
const struct kind_conf *config_kind(const struct config *cfg, const char *kind);
/* Writes the effective configuration in libconfig syntax. */
void config_print(const struct config *cfg, FILE *out);
void config_free(struct config *cfg);

#endif
