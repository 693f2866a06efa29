/*
 * libFuzzer target for core/config: loads arbitrary text with
 * config_load_text and checks what a load promises. A loaded config holds
 * only values within their bounds, and config_print writes it in a form
 * that loads to the same settings and prints the same text again. A
 * failed load leaves a zeroed struct and a message whose every line starts
 * with "NAME:LINE: ".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/model.h"
#include "core/util.h"
#include "core/wtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks the text of a string token when a syntax error
 * follows it (its grammar has no %destructor); a standalone program that
 * only calls config_read_file shows the same leak. Leaks of allocations
 * made inside libconfig are therefore not ours; every other leak counts.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

#define NAME "fuzz.conf"

static void check_text(const char *s)
{
	if (s == NULL || model_check_text(s, "x", 1000, NULL) < 0)
		abort();
}

static void check_config(const struct config *c)
{
	if (c->path == NULL || strcmp(c->path, NAME) != 0)
		abort();
	check_text(c->database);
	if (!wtime_zone_known(c->timezone))
		abort();
	if (model_check_email(c->organizer, "x", NULL) < 0)
		abort();
	if (c->feed_refresh_min < 5 || c->feed_refresh_min > 7 * 1440)
		abort();
	if (c->feed_alarm_min < 0 || c->feed_alarm_min > 28 * 1440)
		abort();
	size_t n = 0;
	while (model_event_kinds[n])
		n++;
	if (c->nkinds != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct kind_conf *k = &c->kinds[i];
		if (strcmp(k->kind, model_event_kinds[i]) != 0)
			abort();
		check_text(k->label);
		if (k->duration_min < 1 || k->duration_min > 366 * 1440)
			abort();
		if (k->points < -1 || k->points > 100)
			abort();
		if (k->audience)
			check_text(k->audience);
	}
}

static bool same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_same(const struct config *a, const struct config *b)
{
	if (!same_text(a->database, b->database) ||
	    !same_text(a->timezone, b->timezone) ||
	    !same_text(a->organizer, b->organizer) ||
	    a->feed_refresh_min != b->feed_refresh_min ||
	    a->feed_alarm_min != b->feed_alarm_min || a->nkinds != b->nkinds)
		abort();
	for (size_t i = 0; i < a->nkinds; i++) {
		const struct kind_conf *x = &a->kinds[i], *y = &b->kinds[i];
		if (!same_text(x->label, y->label) ||
		    x->duration_min != y->duration_min ||
		    x->is_public != y->is_public ||
		    !same_text(x->audience, y->audience) ||
		    x->points != y->points)
			abort();
	}
}

static char *print_text(const struct config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		abort();
	config_print(c, f);
	fclose(f);
	return text;
}

static void check_round_trip(const struct config *c)
{
	char *text = print_text(c);
	struct config again;
	char *err = NULL;
	if (config_load_text(text, NAME, &again, &err) != 0)
		abort();
	check_same(c, &again);
	char *text2 = print_text(&again);
	if (strcmp(text, text2) != 0)
		abort();
	free(text2);
	free(text);
	config_free(&again);
}

/* Every line is "NAME:LINE: message". */
static void check_error(const char *err)
{
	if (err == NULL || err[0] == '\0')
		abort();
	for (const char *line = err; line;) {
		if (strncmp(line, NAME ":", sizeof(NAME)) != 0)
			abort();
		const char *p = line + sizeof(NAME);
		if (*p < '0' || *p > '9')
			abort();
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] != ':' || p[1] != ' ' || p[2] == '\0' || p[2] == '\n')
			abort();
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	char *text = xstrndup((const char *)data, size);
	/* @include reads other files of the host (/dev/zero, ...): a feature
	 * of trusted files, not of the parser under test. */
	if (strcasestr(text, "include") != NULL) {
		free(text);
		return 0;
	}
	struct config c;
	char *err = NULL;
	if (config_load_text(text, NAME, &c, &err) == 0) {
		if (err != NULL)
			abort();
		check_config(&c);
		check_round_trip(&c);
		config_free(&c);
	} else {
		check_error(err);
		if (c.path != NULL || c.kinds != NULL || c.database != NULL)
			abort();
		free(err);
	}
	free(text);
	return 0;
}
