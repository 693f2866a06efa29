/*
 * config: the key table, loading with libconfig, and printing. To add a key:
 * add a field to struct config (or struct kind_conf), a row to `keys` (or
 * `kind_keys`), and a documented line to etc/wijkcal.conf.
 */
#include "core/config.h"

#include <errno.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audience.h"
#include "core/buildinfo.h"
#include "core/model.h"
#include "core/util.h"
#include "core/wtime.h"
#include "feeds/imip_text.h"

enum key_type {
	KEY_STRING,   /* any one-line text */
	KEY_EMAIL,    /* an e-mail address */
	KEY_ZONE,     /* an IANA time zone name */
	KEY_DURATION, /* "90m", "2h", "7d", "6w"; "0" allowed when min is 0 */
	KEY_BOOL,
	KEY_INT,
	KEY_AUDIENCE,      /* an audience expression (checked when used) */
	KEY_DURATION_LIST, /* ["7d", "1d"]; as text "7d,1d" */
	KEY_OPTIONAL,      /* a one-line text, or "" for none (NULL) */
	KEY_TLS,           /* "required", "optional" or "off" */
	KEY_TEMPLATES,     /* "" (built-in) or a directory of mail templates */
	KEY_SECONDS,       /* "20s" or a duration, in seconds (int64_t) */
};

struct key {
	const char
	    *name; /* dotted path; for kind keys the part after kinds.K */
	enum key_type type;
	size_t offset;    /* into struct config or struct kind_conf */
	const char *def;  /* default in text form; NULL = unset */
	int64_t min, max; /* KEY_INT, KEY_DURATION (minutes) and KEY_SECONDS
	                     (seconds) bounds */
};

#define CFG(f)   offsetof(struct config, f)
#define KIND(f)  offsetof(struct kind_conf, f)
#define YEAR_MIN (366 * 1440)
/* Built-in mail defaults of every kind, but for invite_leads below. */
#define DEFAULT_INVITE_BEFORE "6w"
#define DEFAULT_REMINDERS     "1d"

static const struct key keys[] = {
    {"database", KEY_STRING, CFG(database), "wijkcal.db", 0, 0},
    {"timezone", KEY_ZONE, CFG(timezone), WIJKCAL_TZID, 0, 0},
    {"organizer", KEY_EMAIL, CFG(organizer), "wijkagenda@example.nl", 0, 0},
    {"feeds.refresh", KEY_DURATION, CFG(feed_refresh_min), "1h", 5, 7 * 1440},
    {"feeds.alarm", KEY_DURATION, CFG(feed_alarm_min), "0", 0, 28 * 1440},
    {"http.listen", KEY_STRING, CFG(http_listen), "127.0.0.1:8080", 0, 0},
    {"http.base_url", KEY_STRING, CFG(http_base_url), "http://127.0.0.1:8080",
     0, 0},
    {"http.max_connections", KEY_INT, CFG(http_max_connections), "1000", 1,
     100000},
    {"http.per_ip_limit", KEY_INT, CFG(http_per_ip_limit), "16", 0, 100000},
    {"http.timeout", KEY_INT, CFG(http_timeout), "10", 1, 3600},
    {"http.threads", KEY_INT, CFG(http_threads), "2", 1, 256},
    {"http.cache_mb", KEY_INT, CFG(http_cache_mb), "32", 0, 65536},
    {"http.connection_kb", KEY_INT, CFG(http_connection_kb), "32", 8, 1024},
    {"smtp.url", KEY_OPTIONAL, CFG(smtp_url), "", 0, 0},
    {"smtp.starttls", KEY_TLS, CFG(smtp_starttls), "required", 0, 0},
    {"smtp.from", KEY_EMAIL, CFG(smtp_from), "wijkagenda@example.nl", 0, 0},
    {"smtp.user", KEY_OPTIONAL, CFG(smtp_user), "", 0, 0},
    {"smtp.password_file", KEY_OPTIONAL, CFG(smtp_password_file), "", 0, 0},
    {"smtp.ca_file", KEY_OPTIONAL, CFG(smtp_ca_file), "", 0, 0},
    {"smtp.retry_min", KEY_SECONDS, CFG(smtp_retry_min_s), "30s", 1, 86400},
    {"smtp.retry_max", KEY_SECONDS, CFG(smtp_retry_max_s), "5m", 1, 86400},
    {"smtp.give_up_after", KEY_SECONDS, CFG(smtp_give_up_s), "2d", 60,
     30 * 86400},
    {"smtp.timeout", KEY_SECONDS, CFG(smtp_timeout_s), "60s", 5, 3600},
    {"smtp.rate_limit", KEY_INT, CFG(smtp_rate_limit), "30", 0, 100000},
    {"mail.spool_dir", KEY_STRING, CFG(mail_spool_dir), "spool", 0, 0},
    {"mail.templates_dir", KEY_TEMPLATES, CFG(mail_templates_dir), "", 0, 0},
};

/* True if path names a group of keys: "feeds" for "feeds.refresh". */
static bool is_group_name(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strncmp(keys[i].name, path, n) == 0 &&
		    keys[i].name[n] == '.')
			return true;
	return false;
}

static const struct key kind_keys[] = {
    {"label", KEY_STRING, KIND(label), NULL, 0, 0},
    {"duration", KEY_DURATION, KIND(duration_min), NULL, 1, YEAR_MIN},
    {"public", KEY_BOOL, KIND(is_public), NULL, 0, 0},
    {"audience", KEY_AUDIENCE, KIND(audience), NULL, 0, 0},
    {"points", KEY_INT, KIND(points), "-1", -1, 100},
    {"invite_before", KEY_DURATION, KIND(invite_before_min), NULL, 0, YEAR_MIN},
    {"reminders", KEY_DURATION_LIST, KIND(reminders), NULL, 1, 8 * 7 * 1440},
};

/* Built-in per-kind defaults; the config's kinds.K.* override them. */
static const struct {
	const char *kind, *label, *duration;
	bool is_public;
	const char *audience;
} kind_defaults[] = {
    {"wijklunch", "Wijklunch", "90m", true, "wijk:{wijk}"},
    {"themaavond", "Thema-avond", "2h", true, "wijk:{wijk}"},
    {"expeditie", "Expeditie in de wijk", "3h", true, "wijk:{wijk}"},
    {"scholing", "Scholing", "3h", true,
     "wijk:{wijk} role:huisarts,waarnemer,poh"},
    {"borrel", "Borrel", "2h", true, "wijk:{wijk}"},
    {"hagro", "Hagro", "90m", false, "wijk:{wijk} role:huisarts,waarnemer"},
    {"fto", "FTO", "90m", false,
     "wijk:{wijk} role:huisarts,waarnemer,apotheker"},
    {"hoed", "HOED-vergadering", "1h", false, NULL},
    {"campagne", "Campagne", "90m", true, NULL},
    {"evaluatie", "Evaluatie samenwerking", "1h", false,
     "wijk:{wijk} role:huisarts,pm"},
    {"praktijkbezoek", "Praktijkbezoek", "1h", false, NULL},
    {"vragenlijst", "Vragenlijst", "1d", false, "wijk:{wijk} role:pm"},
    {"intervisie", "Intervisie", "90m", false, NULL},
    {"overig", "Overig", "1h", false, NULL},
};

/* Kinds whose invitations go out at another lead time than the default:
 * a Hagro or FTO series as soon as it is published. */
static const struct {
	const char *kind, *lead;
} invite_leads[] = {{"hagro", "0"}, {"fto", "0"}, {"scholing", "8w"}};

static const char *invite_lead(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(invite_leads); i++)
		if (strcmp(invite_leads[i].kind, kind) == 0)
			return invite_leads[i].lead;
	return DEFAULT_INVITE_BEFORE;
}

static void set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup_or_null(value);
}

/* A default audience must parse once "{wijk}" is filled in. */
static int check_audience(const char *value, const char *name, char **error_r)
{
	char *expanded = audience_expand_wijk(value, "wijk");
	struct aud_group g;
	char *err = NULL;
	int rc = audience_parse(expanded, &g, &err);
	if (rc == 0)
		audience_group_free(&g);
	else
		/* audience_parse names the CLI option; name the key instead. */
		set_error(error_r, "%s: %s", name,
		          strncmp(err, "--audience: ", 12) == 0 ? err + 12
		                                                : err);
	free(err);
	free(expanded);
	return rc;
}

/* A template directory must be absolute (the daemon and the CLI run in
 * other directories) and hold only good templates: a mistake in one is
 * found at start, not when a mail goes out. */
static int check_templates(const char *value, const char *name, char **error_r)
{
	char *err = NULL;
	if (value[0] != '/')
		return set_error(error_r,
		                 "%s: expected an absolute directory path like "
		                 "\"/etc/wijkcal/templates\", got \"%s\"",
		                 name, value);
	if (imip_text_check_dir(value, &err) < 0) {
		set_error(error_r, "%s: %s", name, err);
		free(err);
		return -1;
	}
	return 0;
}

/* Parses one duration of a list into minutes, within k's bounds. */
static int list_item(const struct key *k, const char *value, int64_t *min_r,
                     char **error_r)
{
	char *err = NULL;
	if (duration_parse(value, k->name, k->max, min_r, &err) < 0) {
		set_error(error_r,
		          "%s: expected a list of durations like [\"7d\", "
		          "\"1d\"], got \"%s\"",
		          k->name, value);
		free(err);
		return -1;
	}
	return 0;
}

/* Sorts largest first and drops repeats: the planner's order. */
static void list_normalise(struct duration_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		for (size_t j = i; j > 0 && l->min[j - 1] < l->min[j]; j--) {
			int64_t t = l->min[j];
			l->min[j] = l->min[j - 1];
			l->min[j - 1] = t;
		}
	size_t out = 0;
	for (size_t i = 0; i < l->n; i++)
		if (out == 0 || l->min[out - 1] != l->min[i])
			l->min[out++] = l->min[i];
	l->n = out;
}

/* A list given as text: durations separated by commas ("" = none). */
static int list_set_text(const struct key *k, struct duration_list *l,
                         const char *value, char **error_r)
{
	struct duration_list next = {0};
	char *copy = xstrdup(value), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		next.min = xrealloc(next.min, (next.n + 1) * sizeof(int64_t));
		rc = list_item(k, str_trim(tok), &next.min[next.n++], error_r);
	}
	free(copy);
	if (rc < 0) {
		free(next.min);
		return -1;
	}
	list_normalise(&next);
	free(l->min);
	*l = next;
	return 0;
}

/* A list from the file: a libconfig array or list of strings. */
static int list_set_setting(const struct key *k, struct duration_list *l,
                            const config_setting_t *s, char **error_r)
{
	struct duration_list next = {0};
	int n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (v == NULL) {
			free(next.min);
			return set_error(error_r,
			                 "%s: expected a list of durations "
			                 "like [\"7d\", \"1d\"]",
			                 k->name);
		}
		next.min = xrealloc(next.min, (next.n + 1) * sizeof(int64_t));
		if (list_item(k, v, &next.min[next.n++], error_r) < 0) {
			free(next.min);
			return -1;
		}
	}
	list_normalise(&next);
	free(l->min);
	*l = next;
	return 0;
}

/*
 * A KEY_SECONDS value: "20s" (whole seconds), or a duration such as "5m",
 * "2h" or "2d" as duration_parse reads it; within k->min..k->max seconds.
 */
static int seconds_set_text(const struct key *k, void *field, const char *value,
                            char **error_r)
{
	size_t n = strlen(value);
	int64_t s = -1;
	if (n > 1 && n < 9 && value[n - 1] == 's' &&
	    strspn(value, "0123456789") == n - 1) {
		s = strtoll(value, NULL, 10);
	} else {
		int64_t minutes = 0;
		if (duration_parse(value, k->name, 1000000, &minutes, NULL) ==
		    0)
			s = minutes * 60;
	}
	if (s < k->min || s > k->max)
		return set_error(error_r,
		                 "%s: expected a duration from %llds to %llds "
		                 "like \"20s\", \"5m\" or \"2d\", got \"%s\"",
		                 k->name, (long long)k->min, (long long)k->max,
		                 value);
	*(int64_t *)field = s;
	return 0;
}

/* Prints seconds as "5m" when whole minutes, else as "20s". */
static void seconds_format(int64_t s, char *buf)
{
	if (s > 0 && s % 60 == 0)
		duration_format(s / 60, buf);
	else
		snprintf(buf, 32, "%llds", (long long)s);
}

/*
 * Parses a value given as text (a default, or a string from the file) into
 * the field at base + k->offset. Returns 0 or -1 with the expected form.
 */
static int key_set_text(const struct key *k, void *base, const char *value,
                        char **error_r)
{
	void *field = (char *)base + k->offset;
	int64_t minutes = 0;
	switch (k->type) {
	case KEY_EMAIL:
		if (model_check_email(value, k->name, error_r) < 0)
			return -1;
		break;
	case KEY_ZONE:
		if (!wtime_zone_known(value))
			return set_error(error_r,
			                 "%s: expected an IANA time zone like "
			                 "Europe/Amsterdam, got \"%s\"",
			                 k->name, value);
		break;
	case KEY_DURATION:
		if (k->min == 0 && strcmp(value, "0") == 0) {
			*(int64_t *)field = 0;
			return 0;
		}
		if (duration_parse(value, k->name, k->max, &minutes, error_r) <
		    0)
			return -1;
		if (minutes < k->min)
			return set_error(error_r, "%s: at least %lldm", k->name,
			                 (long long)k->min);
		*(int64_t *)field = minutes;
		return 0;
	case KEY_AUDIENCE:
		if (*value == '\0') { /* "" removes a built-in default */
			set_string((char **)field, NULL);
			return 0;
		}
		if (check_audience(value, k->name, error_r) < 0)
			return -1;
		break;
	case KEY_STRING:
		if (model_check_text(value, k->name, 1000, error_r) < 0)
			return -1;
		break;
	case KEY_OPTIONAL:
		if (*value == '\0') {
			set_string((char **)field, NULL);
			return 0;
		}
		if (model_check_text(value, k->name, 1000, error_r) < 0)
			return -1;
		break;
	case KEY_TLS:
		if (strcmp(value, "required") != 0 &&
		    strcmp(value, "optional") != 0 && strcmp(value, "off") != 0)
			return set_error(
			    error_r,
			    "%s: expected \"required\", \"optional\" "
			    "or \"off\"",
			    k->name);
		break;
	case KEY_TEMPLATES:
		if (*value == '\0') {
			set_string((char **)field, NULL);
			return 0;
		}
		if (check_templates(value, k->name, error_r) < 0)
			return -1;
		break;
	case KEY_BOOL:
		*(bool *)field = strcmp(value, "true") == 0;
		return 0;
	case KEY_INT:
		*(int *)field = atoi(value);
		return 0;
	case KEY_DURATION_LIST:
		return list_set_text(k, field, value, error_r);
	case KEY_SECONDS:
		return seconds_set_text(k, field, value, error_r);
	}
	set_string((char **)field, value);
	return 0;
}

static const char *type_form(enum key_type t)
{
	switch (t) {
	case KEY_BOOL:
		return "true or false";
	case KEY_INT:
		return "a whole number";
	case KEY_DURATION:
		return "a duration in quotes like \"90m\", \"2h\" or \"7d\"";
	case KEY_SECONDS:
		return "a duration in quotes like \"20s\", \"5m\" or \"2d\"";
	case KEY_DURATION_LIST:
		return "a list of durations like [\"7d\", \"1d\"]";
	default:
		return "a string in double quotes";
	}
}

/* Reads one setting of the file into its field. */
static int key_set_setting(const struct key *k, void *base,
                           const config_setting_t *s, const char *path,
                           char **error_r)
{
	int type = config_setting_type(s);
	if (k->type == KEY_BOOL && type == CONFIG_TYPE_BOOL) {
		*(bool *)((char *)base + k->offset) =
		    config_setting_get_bool(s);
		return 0;
	}
	if (k->type == KEY_INT &&
	    (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)) {
		long long v = config_setting_get_int64(s);
		if (v < k->min || v > k->max)
			return set_error(error_r,
			                 "%s: expected a number from %lld to "
			                 "%lld",
			                 path, (long long)k->min,
			                 (long long)k->max);
		*(int *)((char *)base + k->offset) = (int)v;
		return 0;
	}
	if (k->type == KEY_DURATION_LIST &&
	    (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST)) {
		struct key named = *k;
		named.name = path;
		return list_set_setting(
		    &named, (struct duration_list *)((char *)base + k->offset),
		    s, error_r);
	}
	if (k->type != KEY_BOOL && k->type != KEY_INT &&
	    type == CONFIG_TYPE_STRING) {
		struct key named = *k;
		named.name = path;
		return key_set_text(&named, base, config_setting_get_string(s),
		                    error_r);
	}
	return set_error(error_r, "%s: expected %s", path, type_form(k->type));
}

static const struct key *kind_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_keys); i++)
		if (strcmp(kind_keys[i].name, name) == 0)
			return &kind_keys[i];
	abort(); /* a name not in the table */
}

static void apply_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (key_set_text(&keys[i], cfg, keys[i].def, NULL) < 0)
			abort(); /* a broken built-in default */
	cfg->nkinds = ARRAY_SIZE(kind_defaults);
	cfg->kinds = xcalloc(cfg->nkinds, sizeof(*cfg->kinds));
	for (size_t i = 0; i < cfg->nkinds; i++) {
		struct kind_conf *kc = &cfg->kinds[i];
		kc->kind = kind_defaults[i].kind;
		kc->label = xstrdup(kind_defaults[i].label);
		kc->is_public = kind_defaults[i].is_public;
		kc->audience = xstrdup_or_null(kind_defaults[i].audience);
		kc->points = -1;
		if (duration_parse(kind_defaults[i].duration, "duration",
		                   YEAR_MIN, &kc->duration_min, NULL) < 0)
			abort();
		if (key_set_text(kind_key("invite_before"), kc,
		                 invite_lead(kc->kind), NULL) < 0 ||
		    key_set_text(kind_key("reminders"), kc, DEFAULT_REMINDERS,
		                 NULL) < 0)
			abort();
	}
}

void config_defaults(struct config *cfg_r)
{
	apply_defaults(cfg_r);
}

const struct kind_conf *config_kind(const struct config *cfg, const char *kind)
{
	for (size_t i = 0; i < cfg->nkinds; i++)
		if (strcmp(cfg->kinds[i].kind, kind) == 0)
			return &cfg->kinds[i];
	return NULL;
}

/* Collects problems as "FILE:LINE: message" lines. */
struct problems {
	const char *file;
	struct strbuf text;
	int count;
};

static void problem(struct problems *p, const config_setting_t *s,
                    const char *msg)
{
	/* A setting from an @include'd file names that file. */
	const char *file = s ? config_setting_source_file(s) : NULL;
	if (p->count++)
		strbuf_appendc(&p->text, '\n');
	strbuf_appendf(&p->text, "%s:%u: ", file ? file : p->file,
	               s ? config_setting_source_line(s) : 0);
	/* Messages quote values, which may hold newlines: escape control
	 * characters so that each problem stays on one line. */
	for (; *msg; msg++) {
		unsigned char c = (unsigned char)*msg;
		if (c == '\n')
			strbuf_append(&p->text, "\\n");
		else if (c == '\t')
			strbuf_append(&p->text, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_appendf(&p->text, "\\x%02x", c);
		else
			strbuf_appendc(&p->text, (char)c);
	}
}

static void load_key(struct problems *p, const struct key *k, void *base,
                     const config_setting_t *s, const char *path)
{
	char *err = NULL;
	if (key_set_setting(k, base, s, path, &err) < 0)
		problem(p, s, err);
	free(err);
}

static void load_kind(struct problems *p, struct config *cfg,
                      const config_setting_t *group)
{
	const char *kind = config_setting_name(group);
	struct kind_conf *kc = (struct kind_conf *)config_kind(cfg, kind);
	if (kc == NULL) {
		char *msg = xasprintf("kinds.%s: unknown event kind (expected "
		                      "one of %s)",
		                      kind, model_list_text(model_event_kinds));
		problem(p, group, msg);
		free(msg);
		return;
	}
	if (!config_setting_is_group(group)) {
		char *msg = xasprintf("kinds.%s: expected a group in braces "
		                      "like { label = \"...\"; }",
		                      kind);
		problem(p, group, msg);
		free(msg);
		return;
	}
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s =
		    config_setting_get_elem(group, (unsigned)i);
		char *path =
		    xasprintf("kinds.%s.%s", kind, config_setting_name(s));
		size_t k = 0;
		while (k < ARRAY_SIZE(kind_keys) &&
		       strcmp(kind_keys[k].name, config_setting_name(s)) != 0)
			k++;
		if (k == ARRAY_SIZE(kind_keys)) {
			char *msg =
			    xasprintf("%s: unknown key (expected label, "
			              "duration, public, audience, "
			              "points, invite_before or "
			              "reminders)",
			              path);
			problem(p, s, msg);
			free(msg);
		} else {
			load_key(p, &kind_keys[k], kc, s, path);
		}
		free(path);
	}
}

/* Walks the file's settings; every one must be a known key. */
static void load_group(struct problems *p, struct config *cfg,
                       const config_setting_t *group, const char *prefix)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s =
		    config_setting_get_elem(group, (unsigned)i);
		char *path =
		    prefix ? xasprintf("%s.%s", prefix, config_setting_name(s))
		           : xstrdup(config_setting_name(s));
		size_t k = 0;
		while (k < ARRAY_SIZE(keys) && strcmp(keys[k].name, path) != 0)
			k++;
		if (k < ARRAY_SIZE(keys)) {
			load_key(p, &keys[k], cfg, s, path);
		} else if ((strcmp(path, "kinds") == 0 ||
		            is_group_name(path)) &&
		           !config_setting_is_group(s)) {
			char *msg = xasprintf("%s: expected a group in braces "
			                      "like %s = { ... };",
			                      path, path);
			problem(p, s, msg);
			free(msg);
		} else if (strcmp(path, "kinds") == 0) {
			for (int j = 0; j < config_setting_length(s); j++)
				load_kind(
				    p, cfg,
				    config_setting_get_elem(s, (unsigned)j));
		} else if (is_group_name(path)) {
			load_group(p, cfg, s, path);
		} else {
			char *msg = xasprintf("%s: unknown key", path);
			problem(p, s, msg);
			free(msg);
		}
		free(path);
	}
}

static const char *find_path(const char *path, bool *explicit_r)
{
	*explicit_r = true;
	if (path)
		return path;
	const char *env = getenv("WIJKCAL_CONFIG");
	if (env && *env)
		return env;
	*explicit_r = false;
	return CONFIG_DEFAULT_PATH;
}

/*
 * Finishes a load after libconfig read the text (read_ok) or failed (its
 * errno in read_errno): walks the settings into *cfg_r, which holds the
 * defaults. On failure frees *cfg_r and puts every problem in *error_r.
 */
static int load_parsed(config_t *lc, bool read_ok, int read_errno,
                       const char *name, struct config *cfg_r, char **error_r)
{
	if (!read_ok) {
		const char *file = config_error_file(lc);
		if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
			set_error(error_r, "%s: cannot read: %s", name,
			          strerror(read_errno));
		else
			set_error(error_r, "%s:%d: %s", file ? file : name,
			          config_error_line(lc), config_error_text(lc));
		config_free(cfg_r);
		return -1;
	}
	struct problems p = {.file = name};
	load_group(&p, cfg_r, config_root_setting(lc), NULL);
	if (p.count) {
		char *text = strbuf_take(&p.text);
		if (error_r) {
			free(*error_r);
			*error_r = text;
		} else {
			free(text);
		}
		config_free(cfg_r);
		return -1;
	}
	cfg_r->path = xstrdup(name);
	return 0;
}

int config_load(const char *path, struct config *cfg_r, char **error_r)
{
	bool explicit;
	path = find_path(path, &explicit);
	apply_defaults(cfg_r);
	if (access(path, F_OK) < 0 && !explicit)
		return 0;
	config_t lc;
	config_init(&lc);
	/* libconfig refuses a directory without setting errno. */
	errno = 0;
	bool ok = config_read_file(&lc, path) == CONFIG_TRUE;
	int rc =
	    load_parsed(&lc, ok, errno ? errno : EISDIR, path, cfg_r, error_r);
	config_destroy(&lc);
	return rc;
}

int config_load_text(const char *text, const char *name, struct config *cfg_r,
                     char **error_r)
{
	apply_defaults(cfg_r);
	config_t lc;
	config_init(&lc);
	bool ok = config_read_string(&lc, text) == CONFIG_TRUE;
	int rc = load_parsed(&lc, ok, errno, name, cfg_r, error_r);
	config_destroy(&lc);
	return rc;
}

/* Prints one value of a key in libconfig syntax. */
static void print_value(const struct key *k, const void *base, FILE *out)
{
	const char *field = (const char *)base + k->offset;
	char buf[32];
	switch (k->type) {
	case KEY_BOOL:
		fputs(*(const bool *)field ? "true" : "false", out);
		break;
	case KEY_INT:
		fprintf(out, "%d", *(const int *)field);
		break;
	case KEY_DURATION:
		duration_format(*(const int64_t *)field, buf);
		fprintf(out, "\"%s\"", *(const int64_t *)field ? buf : "0");
		break;
	case KEY_SECONDS:
		seconds_format(*(const int64_t *)field, buf);
		fprintf(out, "\"%s\"", buf);
		break;
	case KEY_DURATION_LIST: {
		const struct duration_list *l = (const void *)field;
		fputc('[', out);
		for (size_t i = 0; i < l->n; i++) {
			duration_format(l->min[i], buf);
			fprintf(out, "%s\"%s\"", i ? ", " : "", buf);
		}
		fputc(']', out);
		break;
	}
	default: {
		const char *s = *(char *const *)field;
		fputc('"', out);
		for (; s && *s; s++) {
			if (*s == '"' || *s == '\\')
				fputc('\\', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	}
}

void config_print(const struct config *cfg, FILE *out)
{
	fprintf(out, "# effective configuration (%s)\n",
	        cfg->path ? cfg->path : "built-in defaults");
	const char *group = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *dot = strchr(keys[i].name, '.');
		size_t glen = dot ? (size_t)(dot - keys[i].name) : 0;
		if (group &&
		    (!dot || strncmp(group, keys[i].name, glen) != 0)) {
			fputs("};\n", out);
			group = NULL;
		}
		if (dot && !group) {
			fprintf(out, "%.*s = {\n", (int)glen, keys[i].name);
			group = keys[i].name;
		}
		fprintf(out, "%s%s = ", group ? "\t" : "",
		        dot ? dot + 1 : keys[i].name);
		print_value(&keys[i], cfg, out);
		fputs(";\n", out);
	}
	if (group)
		fputs("};\n", out);
	fputs("kinds = {\n", out);
	for (size_t i = 0; i < cfg->nkinds; i++) {
		fprintf(out, "\t%s = {", cfg->kinds[i].kind);
		for (size_t k = 0; k < ARRAY_SIZE(kind_keys); k++) {
			fprintf(out, " %s = ", kind_keys[k].name);
			print_value(&kind_keys[k], &cfg->kinds[i], out);
			fputc(';', out);
		}
		fputs(" };\n", out);
	}
	fputs("};\n", out);
}

void config_free(struct config *cfg)
{
	free(cfg->path);
	free(cfg->database);
	free(cfg->timezone);
	free(cfg->organizer);
	free(cfg->http_listen);
	free(cfg->http_base_url);
	free(cfg->smtp_url);
	free(cfg->smtp_starttls);
	free(cfg->smtp_from);
	free(cfg->smtp_user);
	free(cfg->smtp_password_file);
	free(cfg->smtp_ca_file);
	free(cfg->mail_spool_dir);
	free(cfg->mail_templates_dir);
	for (size_t i = 0; i < cfg->nkinds; i++) {
		free(cfg->kinds[i].label);
		free(cfg->kinds[i].audience);
		free(cfg->kinds[i].reminders.min);
	}
	free(cfg->kinds);
	memset(cfg, 0, sizeof(*cfg));
}
