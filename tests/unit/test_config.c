/*
 * Unit tests for core/config: tables of valid files with the values they
 * must give, of invalid files with every FILE:LINE: KEY message expected,
 * the rules for finding the file ($WIJKCAL_CONFIG, a missing file), the
 * built-in defaults against the documented example file, and config_print
 * output that parses back to the same configuration.
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

#include "core/audience.h"
#include "core/buildinfo.h"
#include "core/config.h"
#include "core/model.h"
#include "core/util.h"

#define NAME "t.conf"

/* model_event_kinds as the "unknown event kind" message lists them. */
#define KINDS_TEXT                                                             \
	"wijklunch, themaavond, expeditie, scholing, borrel, hagro, fto, "     \
	"hoed, campagne, evaluatie, praktijkbezoek, vragenlijst, intervisie, " \
	"overig"

/* ---- helpers ---- */

/*
 * The value of one key as text: strings as they are, durations in minutes,
 * booleans as true/false, a missing audience as "(none)". Keys are written
 * as in the file ("feeds.refresh", "kinds.hagro.label").
 */
static char *field_text(const struct config *c, const char *key)
{
	if (strcmp(key, "database") == 0)
		return xstrdup(c->database);
	if (strcmp(key, "timezone") == 0)
		return xstrdup(c->timezone);
	if (strcmp(key, "organizer") == 0)
		return xstrdup(c->organizer);
	if (strcmp(key, "feeds.refresh") == 0)
		return xasprintf("%lld", (long long)c->feed_refresh_min);
	if (strcmp(key, "feeds.alarm") == 0)
		return xasprintf("%lld", (long long)c->feed_alarm_min);
	assert_true(strncmp(key, "kinds.", 6) == 0);
	const char *dot = strchr(key + 6, '.');
	assert_non_null(dot);
	char *kind = xstrndup(key + 6, (size_t)(dot - key - 6));
	const struct kind_conf *kc = config_kind(c, kind);
	free(kind);
	assert_non_null(kc);
	const char *f = dot + 1;
	if (strcmp(f, "label") == 0)
		return xstrdup(kc->label);
	if (strcmp(f, "duration") == 0)
		return xasprintf("%lld", (long long)kc->duration_min);
	if (strcmp(f, "public") == 0)
		return xstrdup(kc->is_public ? "true" : "false");
	if (strcmp(f, "audience") == 0)
		return xstrdup(kc->audience ? kc->audience : "(none)");
	if (strcmp(f, "points") == 0)
		return xasprintf("%d", kc->points);
	fail_msg("unknown field %s", key);
	return NULL;
}

static void assert_field(const struct config *c, const char *key,
                         const char *want)
{
	char *got = field_text(c, key);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", key, got, want);
	free(got);
}

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Every setting equal (the path is not a setting). */
static void assert_config_equal(const struct config *a, const struct config *b)
{
	assert_string_equal(a->database, b->database);
	assert_string_equal(a->timezone, b->timezone);
	assert_string_equal(a->organizer, b->organizer);
	assert_int_equal(a->feed_refresh_min, b->feed_refresh_min);
	assert_int_equal(a->feed_alarm_min, b->feed_alarm_min);
	assert_int_equal(a->nkinds, b->nkinds);
	for (size_t i = 0; i < a->nkinds; i++) {
		const struct kind_conf *x = &a->kinds[i], *y = &b->kinds[i];
		assert_string_equal(x->kind, y->kind);
		assert_string_equal(x->label, y->label);
		assert_int_equal(x->duration_min, y->duration_min);
		assert_int_equal(x->is_public, y->is_public);
		if (!str_eq(x->audience, y->audience))
			fail_msg("kinds.%s.audience: \"%s\" vs \"%s\"", x->kind,
			         x->audience ? x->audience : "(none)",
			         y->audience ? y->audience : "(none)");
		assert_int_equal(x->points, y->points);
	}
}

/* config_print into a string; the caller frees. */
static char *print_text(const struct config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	config_print(c, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* After a failed load the struct must be empty (freed and zeroed). */
static void assert_freed(const struct config *c)
{
	assert_null(c->path);
	assert_null(c->database);
	assert_null(c->kinds);
	assert_int_equal(c->nkinds, 0);
}

/* A private directory for files, removed after each test. */
struct tmp {
	char dir[64];
	char *files[8];
	size_t nfiles;
};

static int tmp_setup(void **state)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/wijkcal-config-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	for (size_t i = 0; i < t->nfiles; i++) {
		unlink(t->files[i]);
		free(t->files[i]);
	}
	rmdir(t->dir);
	free(t);
	unsetenv("WIJKCAL_CONFIG");
	return 0;
}

/* Creates dir/name with text (NULL: only the name); returns the path. */
static const char *tmp_file(struct tmp *t, const char *name, const char *text)
{
	assert_true(t->nfiles < ARRAY_SIZE(t->files));
	char *path = xasprintf("%s/%s", t->dir, name);
	t->files[t->nfiles++] = path;
	if (text) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
	}
	return path;
}

/* ---- valid files ---- */

struct expect {
	const char *key, *value;
};

struct valid_case {
	const char *name;
	const char *text;
	struct expect want[10]; /* a NULL key ends the list */
};

static const struct valid_case valid_cases[] = {
    {"empty file: built-in defaults",
     "",
     {{"database", "wijkcal.db"},
      {"timezone", "Europe/Amsterdam"},
      {"organizer", "wijkagenda@example.nl"},
      {"feeds.refresh", "60"},
      {"feeds.alarm", "0"},
      {"kinds.hagro.duration", "90"},
      {"kinds.vragenlijst.duration", "1440"},
      {"kinds.hoed.audience", "(none)"},
      {"kinds.scholing.points", "-1"}}},
    {"comments only",
     "# hash\n// slashes\n/* block\n comment */\n",
     {{"database", "wijkcal.db"}, {"feeds.refresh", "60"}}},
    {"top-level strings",
     "database = \"/var/lib/wijkcal/wijkcal.db\";\n"
     "timezone = \"Europe/London\";\n"
     "organizer = \"Secretariaat@Wijk-Noord.nl\";\n",
     {{"database", "/var/lib/wijkcal/wijkcal.db"},
      {"timezone", "Europe/London"},
      {"organizer", "Secretariaat@Wijk-Noord.nl"},
      {"feeds.refresh", "60"}}},
    {"colon assignment",
     "database: \"x.db\";\nfeeds: { refresh: \"2h\"; };\n",
     {{"database", "x.db"}, {"feeds.refresh", "120"}}},
    {"feed durations at their lower bounds",
     "feeds = { refresh = \"5m\"; alarm = \"0\"; };",
     {{"feeds.refresh", "5"}, {"feeds.alarm", "0"}}},
    {"feed durations at their upper bounds",
     "feeds = { refresh = \"7d\"; alarm = \"28d\"; };",
     {{"feeds.refresh", "10080"}, {"feeds.alarm", "40320"}}},
    {"compound durations",
     "feeds = { refresh = \"1h30m\"; alarm = \"1w2d\"; };",
     {{"feeds.refresh", "90"}, {"feeds.alarm", "12960"}}},
    {"one kind key keeps the kind's other defaults",
     "kinds = { hagro = { label = \"Hagro Noord\"; }; };",
     {{"kinds.hagro.label", "Hagro Noord"},
      {"kinds.hagro.duration", "90"},
      {"kinds.hagro.public", "false"},
      {"kinds.hagro.audience", "wijk:{wijk} role:huisarts,waarnemer"},
      {"kinds.hagro.points", "-1"},
      {"kinds.fto.label", "FTO"}}},
    {"every kind key",
     "kinds = {\n"
     "  scholing = {\n"
     "    label = \"Scholing COPD\";\n"
     "    duration = \"2h30m\";\n"
     "    public = false;\n"
     "    audience = \"wijk:{wijk} role:poh\";\n"
     "    points = 4;\n"
     "  };\n"
     "};\n",
     {{"kinds.scholing.label", "Scholing COPD"},
      {"kinds.scholing.duration", "150"},
      {"kinds.scholing.public", "false"},
      {"kinds.scholing.audience", "wijk:{wijk} role:poh"},
      {"kinds.scholing.points", "4"},
      {"kinds.borrel.public", "true"}}},
    {"points at their bounds",
     "kinds = { hagro = { points = -1; }; fto = { points = 100; };\n"
     "  overig = { points = 0; }; };",
     {{"kinds.hagro.points", "-1"},
      {"kinds.fto.points", "100"},
      {"kinds.overig.points", "0"}}},
    {"hexadecimal and 64-bit integers",
     "kinds = { hagro = { points = 0x10; }; fto = { points = 7L; }; };",
     {{"kinds.hagro.points", "16"}, {"kinds.fto.points", "7"}}},
    {"kind durations at their bounds",
     "kinds = { hoed = { duration = \"1m\"; };\n"
     "  intervisie = { duration = \"366d\"; }; };",
     {{"kinds.hoed.duration", "1"}, {"kinds.intervisie.duration", "527040"}}},
    {"public flipped both ways",
     "kinds = { wijklunch = { public = false; }; hagro = { public = true; "
     "}; };",
     {{"kinds.wijklunch.public", "false"}, {"kinds.hagro.public", "true"}}},
    {"escapes and UTF-8 in strings",
     "kinds = { themaavond = { label = \"Avond \\\"Ouderen\\\" \\\\ "
     "caf\xc3\xa9\"; }; };",
     {{"kinds.themaavond.label", "Avond \"Ouderen\" \\ caf\xc3\xa9"}}},
    {"adjacent strings are joined",
     "database = \"/srv/\" \"wijkcal.db\";",
     {{"database", "/srv/wijkcal.db"}}},
};

static void test_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct valid_case *vc = &valid_cases[i];
		struct config c;
		char *err = NULL;
		if (config_load_text(vc->text, NAME, &c, &err) != 0)
			fail_msg("%s: %s", vc->name, err);
		assert_null(err);
		assert_string_equal(c.path, NAME);
		for (const struct expect *w = vc->want; w->key; w++)
			assert_field(&c, w->key, w->value);
		config_free(&c);
	}
}

/* Each valid file, printed and parsed again, gives the same settings and
 * prints the same text. */
static void test_print_round_trip(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		struct config a, b;
		char *err = NULL;
		assert_int_equal(
		    config_load_text(valid_cases[i].text, NAME, &a, &err), 0);
		char *text = print_text(&a);
		if (config_load_text(text, NAME, &b, &err) != 0)
			fail_msg("%s: printed config does not parse: %s\n%s",
			         valid_cases[i].name, err, text);
		assert_config_equal(&a, &b);
		char *again = print_text(&b);
		assert_string_equal(text, again);
		free(again);
		free(text);
		config_free(&a);
		config_free(&b);
	}
}

static void test_print_defaults_round_trip(void **state)
{
	struct config a, b;
	char *err = NULL;
	config_defaults(&a);
	assert_null(a.path);
	char *text = print_text(&a);
	assert_non_null(strstr(text, "(built-in defaults)"));
	/* Every kind is printed, so the output documents all of them. */
	for (const char *const *k = model_event_kinds; *k; k++) {
		char *line = xasprintf("\t%s = {", *k);
		assert_non_null(strstr(text, line));
		free(line);
	}
	assert_int_equal(config_load_text(text, "printed", &b, &err), 0);
	assert_config_equal(&a, &b);
	free(text);
	config_free(&a);
	config_free(&b);
}

/* ---- invalid files ---- */

struct invalid_case {
	const char *name;
	const char *text;
	const char *errors[6]; /* every line of the message, in order */
};

static const struct invalid_case invalid_cases[] = {
    {"unknown top-level key",
     "colour = \"red\";",
     {NAME ":1: colour: unknown key"}},
    {"unknown feeds key",
     "feeds = {\n  interval = \"1h\";\n};",
     {NAME ":2: feeds.interval: unknown key"}},
    {"unknown event kind",
     "kinds = {\n  lunch = { label = \"x\"; };\n};",
     {NAME ":2: kinds.lunch: unknown event kind (expected one "
           "of " KINDS_TEXT ")"}},
    {"unknown kind key",
     "kinds = { hagro = {\n  colour = \"red\"; }; };",
     {NAME ":2: kinds.hagro.colour: unknown key (expected label, "
           "duration, public, audience, points, invite_before or "
           "reminders)"}},
    {"kinds not a group",
     "kinds = 5;",
     {NAME ":1: kinds: expected a group in braces like kinds = { ... };"}},
    {"feeds not a group",
     "feeds = \"1h\";",
     {NAME ":1: feeds: expected a group in braces like feeds = { ... };"}},
    {"a kind not a group",
     "kinds = { hagro = \"Hagro\"; };",
     {NAME ":1: kinds.hagro: expected a group in braces like { label = "
           "\"...\"; }"}},
    {"string key given a number",
     "database = 5;",
     {NAME ":1: database: expected a string in double quotes"}},
    {"string key given a list",
     "database = [\"a.db\"];",
     {NAME ":1: database: expected a string in double quotes"}},
    {"string key given a group",
     "organizer = { a = 1; };",
     {NAME ":1: organizer: expected a string in double quotes"}},
    {"empty string",
     "database = \"\";",
     {NAME ":1: database: must not be empty"}},
    {"control character in a string",
     "database = \"a\\tb.db\";",
     {NAME ":1: database: expected one line of text without control "
           "characters"}},
    {"string longer than 1000 bytes",
     NULL, /* built in test_invalid */
     {NAME ":1: kinds.hagro.label: longer than 1000 bytes"}},
    {"invalid UTF-8",
     "kinds = { hagro = { label = \"a\\xffb\"; }; };",
     {NAME ":1: kinds.hagro.label: not valid UTF-8"}},
    {"unknown time zone",
     "timezone = \"Mars/Olympus\";",
     {NAME ":1: timezone: expected an IANA time zone like "
           "Europe/Amsterdam, got \"Mars/Olympus\""}},
    {"bad organizer address",
     "organizer = \"secretariaat\";",
     {NAME ":1: organizer: expected an e-mail address like "
           "name@example.nl, got \"secretariaat\""}},
    {"a newline in a quoted value stays on one line",
     "organizer = \"secreta\n"
     "riaat@x.nl\";\ntimezone = \"Europe/\\x01\";",
     {NAME ":1: organizer: expected an e-mail address like "
           "name@example.nl, got \"secreta\\nriaat@x.nl\"",
      NAME ":3: timezone: expected an IANA time zone like "
           "Europe/Amsterdam, got \"Europe/\\x01\""}},
    {"duration given as a number",
     "feeds = { refresh = 60; };",
     {NAME ":1: feeds.refresh: expected a duration in quotes like \"90m\", "
           "\"2h\" or \"7d\""}},
    {"duration below its minimum",
     "feeds = { refresh = \"1m\"; };",
     {NAME ":1: feeds.refresh: at least 5m"}},
    {"duration above its maximum",
     "feeds = { refresh = \"8d\"; };",
     {NAME ":1: feeds.refresh: expected a duration between 1m and 10080m, "
           "got \"8d\""}},
    {"zero where zero is not allowed",
     "feeds = { refresh = \"0\"; };",
     {NAME ":1: feeds.refresh: expected a duration like 90m, 2h, 1h30m, "
           "7d or 6w, got \"0\""}},
    {"duration not in the CLI syntax",
     "feeds = { alarm = \"soon\"; };",
     {NAME ":1: feeds.alarm: expected a duration like 90m, 2h, 1h30m, 7d "
           "or 6w, got \"soon\""}},
    {"kind duration zero",
     "kinds = { hagro = { duration = \"0\"; }; };",
     {NAME ":1: kinds.hagro.duration: expected a duration like 90m, 2h, "
           "1h30m, 7d or 6w, got \"0\""}},
    {"kind duration longer than a year",
     "kinds = { hagro = { duration = \"367d\"; }; };",
     {NAME ":1: kinds.hagro.duration: expected a duration between 1m and "
           "527040m, got \"367d\""}},
    {"bool given as a string",
     "kinds = { hagro = { public = \"yes\"; }; };",
     {NAME ":1: kinds.hagro.public: expected true or false"}},
    {"bool given as a number",
     "kinds = { hagro = { public = 1; }; };",
     {NAME ":1: kinds.hagro.public: expected true or false"}},
    {"int given as a string",
     "kinds = { hagro = { points = \"3\"; }; };",
     {NAME ":1: kinds.hagro.points: expected a whole number"}},
    {"int given as a float",
     "kinds = { hagro = { points = 2.5; }; };",
     {NAME ":1: kinds.hagro.points: expected a whole number"}},
    {"int above its maximum",
     "kinds = { hagro = { points = 101; }; };",
     {NAME ":1: kinds.hagro.points: expected a number from -1 to 100"}},
    {"int below its minimum",
     "kinds = { hagro = { points = -2; }; };",
     {NAME ":1: kinds.hagro.points: expected a number from -1 to 100"}},
    {"int that would wrap to a small int",
     "kinds = { hagro = { points = 4294967300L; }; };",
     {NAME ":1: kinds.hagro.points: expected a number from -1 to 100"}},
    {"audience given a number",
     "kinds = { hagro = { audience = 5; }; };",
     {NAME ":1: kinds.hagro.audience: expected a string in double "
           "quotes"}},
    {"syntax error", "database = ;", {NAME ":1: syntax error"}},
    {"syntax error on a later line",
     "# comment\n\ndatabase = = \"a.db\";\n",
     {NAME ":3: syntax error"}},
    {"duplicate key",
     "database = \"a.db\";\ndatabase = \"b.db\";",
     {NAME ":2: duplicate setting name"}},
    {"every problem in one run, in file order",
     "colour = \"red\";\n"
     "database = \"ok.db\";\n"
     "timezone = \"Nowhere\";\n"
     "feeds = {\n"
     "  refresh = \"1m\";\n"
     "  alarm = \"15m\";\n"
     "};\n"
     "kinds = {\n"
     "  hagro = { public = 1; points = 500; };\n"
     "};\n",
     {NAME ":1: colour: unknown key",
      NAME ":3: timezone: expected an IANA time zone like "
           "Europe/Amsterdam, got \"Nowhere\"",
      NAME ":5: feeds.refresh: at least 5m",
      NAME ":9: kinds.hagro.public: expected true or false",
      NAME ":9: kinds.hagro.points: expected a number from -1 to 100"}},
};

static char *joined_errors(const char *const *errors)
{
	struct strbuf b = {0};
	for (size_t i = 0; errors[i]; i++) {
		if (i)
			strbuf_appendc(&b, '\n');
		strbuf_append(&b, errors[i]);
	}
	return strbuf_take(&b);
}

static void test_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++) {
		const struct invalid_case *ic = &invalid_cases[i];
		char *long_text = NULL;
		const char *text = ic->text;
		if (text == NULL) {
			char label[1002];
			memset(label, 'x', 1001);
			label[1001] = '\0';
			long_text = xasprintf(
			    "kinds = { hagro = { label = \"%s\"; }; };", label);
			text = long_text;
		}
		struct config c;
		char *err = xstrdup("an earlier message");
		if (config_load_text(text, NAME, &c, &err) != -1)
			fail_msg("%s: accepted", ic->name);
		char *want = joined_errors(ic->errors);
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", ic->name, err,
			         want);
		assert_freed(&c);
		free(want);
		free(err);
		free(long_text);
	}
}

/* error_r may be NULL; the result is still -1 and nothing leaks. */
static void test_invalid_without_error_r(void **state)
{
	struct config c;
	assert_int_equal(config_load_text("database = ;", NAME, &c, NULL), -1);
	assert_freed(&c);
	assert_int_equal(config_load_text("colour = 1;", NAME, &c, NULL), -1);
	assert_freed(&c);
}

/* A known key at the wrong level is not taken for that key. */
static void test_keys_only_at_their_level(void **state)
{
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load_text("refresh = \"2h\";", NAME, &c, &err),
	                 -1);
	assert_string_equal(err, NAME ":1: refresh: unknown key");
	free(err);
	err = NULL;
	assert_int_equal(
	    config_load_text("feeds = { database = \"x\"; };", NAME, &c, &err),
	    -1);
	assert_string_equal(err, NAME ":1: feeds.database: unknown key");
	free(err);
}

/* ---- defaults ---- */

static void test_defaults_cover_every_kind(void **state)
{
	struct config c;
	config_defaults(&c);
	size_t n = 0;
	for (const char *const *k = model_event_kinds; *k; k++, n++) {
		const struct kind_conf *kc = config_kind(&c, *k);
		assert_non_null(kc);
		assert_string_equal(kc->kind, *k);
		assert_true(kc->label && kc->label[0]);
		assert_true(kc->duration_min >= 1);
		assert_int_equal(kc->points, -1);
		if (kc->audience == NULL)
			continue;
		/* A default audience must become a valid expression. */
		char *expr = audience_expand_wijk(kc->audience, "noord");
		struct aud_group g;
		char *err = NULL;
		if (audience_parse(expr, &g, &err) < 0)
			fail_msg("kinds.%s.audience \"%s\": %s", *k, expr, err);
		char *text = audience_format(&g);
		assert_non_null(strstr(text, "wijk:noord"));
		free(text);
		audience_group_free(&g);
		free(expr);
	}
	assert_int_equal(c.nkinds, n);
	assert_null(config_kind(&c, "lunch"));
	assert_null(config_kind(&c, ""));
	config_free(&c);
	assert_freed(&c);
}

/* etc/wijkcal.conf says: "the value shown is the built-in default" (only
 * database differs, for an installed system). */
static void test_example_file_shows_defaults(void **state)
{
	const char *src = getenv("WIJKCAL_SRC");
	if (src == NULL)
		skip();
	char *path = xasprintf("%s/etc/wijkcal.conf", src);
	struct config file, def;
	char *err = NULL;
	if (config_load(path, &file, &err) != 0)
		fail_msg("%s", err);
	assert_string_equal(file.path, path);
	assert_string_equal(file.database, "/var/lib/wijkcal/wijkcal.db");
	config_defaults(&def);
	free(def.database);
	def.database = xstrdup(file.database);
	assert_config_equal(&file, &def);
	config_free(&file);
	config_free(&def);
	free(path);
}

/* ---- files and $WIJKCAL_CONFIG ---- */

static void test_file_errors_name_the_path(void **state)
{
	struct tmp *t = *state;
	const char *path = tmp_file(t, "bad.conf",
	                            "database = \"a.db\";\n\nfeeds = { "
	                            "refresh = \"1m\"; };\n");
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(path, &c, &err), -1);
	char *want = xasprintf("%s:3: feeds.refresh: at least 5m", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;

	path = tmp_file(t, "syntax.conf", "database = \"a.db\";\nfeeds = {\n");
	assert_int_equal(config_load(path, &c, &err), -1);
	assert_freed(&c);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, ": syntax error"));
	free(err);
}

static void test_file_valid(void **state)
{
	struct tmp *t = *state;
	const char *path = tmp_file(t, "ok.conf", "database = \"w.db\";\n");
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(path, &c, &err), 0);
	assert_null(err);
	assert_string_equal(c.path, path);
	assert_string_equal(c.database, "w.db");
	config_free(&c);
}

static void test_missing_file_asked_for(void **state)
{
	struct tmp *t = *state;
	const char *path = tmp_file(t, "missing.conf", NULL);
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(path, &c, &err), -1);
	char *want = xasprintf("%s: cannot read: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_freed(&c);
	free(want);
	free(err);
}

static void test_directory_is_not_a_file(void **state)
{
	struct tmp *t = *state;
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(t->dir, &c, &err), -1);
	char *want = xasprintf("%s: cannot read: %s", t->dir, strerror(EISDIR));
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void test_unreadable_file(void **state)
{
	struct tmp *t = *state;
	if (geteuid() == 0)
		skip(); /* root reads anything */
	const char *path = tmp_file(t, "secret.conf", "database = \"x\";\n");
	assert_int_equal(chmod(path, 0), 0);
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(path, &c, &err), -1);
	char *want = xasprintf("%s: cannot read: %s", path, strerror(EACCES));
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void test_env_names_the_file(void **state)
{
	struct tmp *t = *state;
	const char *env = tmp_file(t, "env.conf", "database = \"env.db\";\n");
	const char *arg = tmp_file(t, "arg.conf", "database = \"arg.db\";\n");
	struct config c;
	char *err = NULL;
	assert_int_equal(setenv("WIJKCAL_CONFIG", env, 1), 0);
	assert_int_equal(config_load(NULL, &c, &err), 0);
	assert_string_equal(c.path, env);
	assert_string_equal(c.database, "env.db");
	config_free(&c);
	/* An explicit path wins over the environment. */
	assert_int_equal(config_load(arg, &c, &err), 0);
	assert_string_equal(c.path, arg);
	assert_string_equal(c.database, "arg.db");
	config_free(&c);
	assert_null(err);
}

static void test_env_missing_file_is_an_error(void **state)
{
	struct tmp *t = *state;
	const char *path = tmp_file(t, "gone.conf", NULL);
	struct config c;
	char *err = NULL;
	assert_int_equal(setenv("WIJKCAL_CONFIG", path, 1), 0);
	assert_int_equal(config_load(NULL, &c, &err), -1);
	char *want = xasprintf("%s: cannot read: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	free(want);
	free(err);
}

/* Without -c and $WIJKCAL_CONFIG (or with it empty), a missing default
 * file means the built-in defaults. */
static void test_missing_default_file_gives_defaults(void **state)
{
	if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		skip(); /* an installed configuration is in the way */
	const char *envs[] = {NULL, ""};
	for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
		if (envs[i])
			assert_int_equal(setenv("WIJKCAL_CONFIG", envs[i], 1),
			                 0);
		else
			assert_int_equal(unsetenv("WIJKCAL_CONFIG"), 0);
		struct config c, def;
		char *err = NULL;
		assert_int_equal(config_load(NULL, &c, &err), 0);
		assert_null(err);
		assert_null(c.path);
		config_defaults(&def);
		assert_config_equal(&c, &def);
		config_free(&c);
		config_free(&def);
	}
}

/* Problems in an @include'd file name that file and its line. */
static void test_include_names_the_included_file(void **state)
{
	struct tmp *t = *state;
	const char *inc =
	    tmp_file(t, "inc.conf", "\nfeeds = { alarm = 5; };\n");
	char *text = xasprintf("database = \"x.db\";\n@include \"%s\"\n", inc);
	const char *main_path = tmp_file(t, "main.conf", text);
	struct config c;
	char *err = NULL;
	assert_int_equal(config_load(main_path, &c, &err), -1);
	char *want = xasprintf("%s:2: feeds.alarm: expected a duration in "
	                       "quotes like \"90m\", \"2h\" or \"7d\"",
	                       inc);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_print_round_trip),
	    cmocka_unit_test(test_print_defaults_round_trip),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_invalid_without_error_r),
	    cmocka_unit_test(test_keys_only_at_their_level),
	    cmocka_unit_test(test_defaults_cover_every_kind),
	    cmocka_unit_test(test_example_file_shows_defaults),
	    cmocka_unit_test_setup_teardown(test_file_errors_name_the_path,
	                                    tmp_setup, tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_file_valid, tmp_setup,
	                                    tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_file_asked_for,
	                                    tmp_setup, tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_directory_is_not_a_file,
	                                    tmp_setup, tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable_file, tmp_setup,
	                                    tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_env_names_the_file, tmp_setup,
	                                    tmp_teardown),
	    cmocka_unit_test_setup_teardown(test_env_missing_file_is_an_error,
	                                    tmp_setup, tmp_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_missing_default_file_gives_defaults, tmp_setup,
	        tmp_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_include_names_the_included_file, tmp_setup, tmp_teardown),
	};
	unsetenv("WIJKCAL_CONFIG");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
