/* model: vocabularies, field checks, and freeing/copying of records. */
#include "core/model.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const model_roles[] = {"huisarts", "waarnemer", "poh",
                                   "pm",       "assistent", "apotheker",
                                   "partner",  "regio",     NULL};

const char *const model_org_kinds[] = {
    "welzijn",  "sociaal-wijkteam",  "vrijwilligers", "gemeente", "apotheek",
    "bewoners", "regio-organisatie", "overig",        NULL};

const char *const model_event_kinds[] = {
    "wijklunch",      "themaavond",  "expeditie",  "scholing", "borrel",
    "hagro",          "fto",         "hoed",       "campagne", "evaluatie",
    "praktijkbezoek", "vragenlijst", "intervisie", "overig",   NULL};

bool model_in_list(const char *const *list, const char *word)
{
	for (; *list; list++)
		if (strcmp(*list, word) == 0)
			return true;
	return false;
}

const char *model_list_text(const char *const *list)
{
	static char buf[512];
	size_t used = 0;
	buf[0] = '\0';
	for (; *list; list++) {
		size_t n = strlen(*list);
		if (used + n + 3 >= sizeof(buf))
			break;
		if (used) {
			memcpy(buf + used, ", ", 2);
			used += 2;
		}
		memcpy(buf + used, *list, n + 1);
		used += n;
	}
	return buf;
}

int model_check_slug(const char *s, const char *field, char **error_r)
{
	size_t n = strlen(s);
	bool ok = n >= 1 && n <= 64 && s[0] != '-';
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') ||
		     (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
	if (!ok)
		return set_error(error_r,
		                 "%s: expected a slug of 1 to 64 lowercase "
		                 "letters, digits and '-' (like noord or "
		                 "de-linde), got \"%s\"",
		                 field, s);
	return 0;
}

int model_check_email(const char *s, const char *field, char **error_r)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	bool ok = at && at != s && at[1] != '\0' && !strchr(at + 1, '@') &&
	          strchr(at + 1, '.') && n <= 254 &&
	          at[n - (size_t)(at - s) - 1] != '.';
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		ok = c > 0x20 && c < 0x7f && !strchr("<>()[]\\,;:\"", c);
	}
	if (!ok)
		return set_error(error_r,
		                 "%s: expected an e-mail address like "
		                 "name@example.nl, got \"%s\"",
		                 field, s);
	return 0;
}

static int check_text(const char *s, const char *field, size_t max,
                      bool multiline, char **error_r)
{
	size_t n = strlen(s);
	if (n == 0)
		return set_error(error_r, "%s: must not be empty", field);
	if (n > max)
		return set_error(error_r, "%s: longer than %zu bytes", field,
		                 max);
	if (!utf8_valid(s, n))
		return set_error(error_r, "%s: not valid UTF-8", field);
	if (has_control_chars(s, multiline))
		return set_error(error_r,
		                 multiline ? "%s: contains a control character"
		                           : "%s: expected one line of text "
		                             "without control characters",
		                 field);
	return 0;
}

int model_check_text(const char *s, const char *field, size_t max,
                     char **error_r)
{
	return check_text(s, field, max, false, error_r);
}

int model_check_multiline(const char *s, const char *field, size_t max,
                          char **error_r)
{
	return check_text(s, field, max, true, error_r);
}

int model_check_url(const char *s, const char *field, char **error_r)
{
	bool ok =
	    (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
	    strlen(s) > 8 && strlen(s) <= 2048;
	for (const char *p = s; ok && *p; p++)
		ok = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f;
	if (!ok)
		return set_error(error_r,
		                 "%s: expected an http(s) URL like "
		                 "https://meet.example.nl/abc, got \"%s\"",
		                 field, s);
	return 0;
}

void wijk_free(struct wijk *w)
{
	free(w->slug);
	free(w->name);
	memset(w, 0, sizeof(*w));
}

void practice_free(struct practice *p)
{
	free(p->slug);
	free(p->name);
	free(p->wijk);
	free(p->address);
	memset(p, 0, sizeof(*p));
}

void org_free(struct org *o)
{
	free(o->slug);
	free(o->name);
	free(o->kind);
	free(o->wijk);
	memset(o, 0, sizeof(*o));
}

void person_free(struct person *p)
{
	free(p->email);
	free(p->name);
	free(p->big);
	for (size_t i = 0; i < p->naff; i++) {
		free(p->aff[i].practice);
		free(p->aff[i].org);
		free(p->aff[i].role);
	}
	free(p->aff);
	memset(p, 0, sizeof(*p));
}

void event_free(struct event *e)
{
	free(e->uid);
	free(e->kind);
	free(e->wijk);
	free(e->title);
	free(e->description);
	free(e->location);
	free(e->online_url);
	free(e->url);
	free(e->organizer);
	free(e->tzid);
	free(e->rrule);
	for (size_t i = 0; i < e->naudience; i++)
		free(e->audience[i]);
	free(e->audience);
	free(e->changes);
	memset(e, 0, sizeof(*e));
}

void event_array_free(struct event *events, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_free(&events[i]);
	free(events);
}

void event_copy(struct event *dst, const struct event *src)
{
	*dst = *src;
	dst->uid = xstrdup_or_null(src->uid);
	dst->kind = xstrdup_or_null(src->kind);
	dst->wijk = xstrdup_or_null(src->wijk);
	dst->title = xstrdup_or_null(src->title);
	dst->description = xstrdup_or_null(src->description);
	dst->location = xstrdup_or_null(src->location);
	dst->online_url = xstrdup_or_null(src->online_url);
	dst->url = xstrdup_or_null(src->url);
	dst->organizer = xstrdup_or_null(src->organizer);
	dst->tzid = xstrdup_or_null(src->tzid);
	dst->rrule = xstrdup_or_null(src->rrule);
	dst->audience = NULL;
	if (src->naudience) {
		dst->audience = xcalloc(src->naudience, sizeof(char *));
		for (size_t i = 0; i < src->naudience; i++)
			dst->audience[i] = xstrdup(src->audience[i]);
	}
	dst->changes = NULL;
	if (src->nchanges) {
		dst->changes = xcalloc(src->nchanges, sizeof(*src->changes));
		memcpy(dst->changes, src->changes,
		       src->nchanges * sizeof(*src->changes));
	}
}
