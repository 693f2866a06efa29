/*
 * import: events from .ics files (Outlook, Google, wijkcal exports), parsed
 * with libical. The file is untrusted, so before libical sees it a cheap
 * scan caps its size, nesting and number of components; afterwards every
 * value is checked like CLI input, every RRULE goes through recur_check, and
 * a file's own VTIMEZONE is only used when its rules are simple enough that
 * libical cannot spin on them.
 */
#include "feeds/import.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/recur.h"
#include "core/util.h"
#include "core/wtime.h"
#include "core/zone.h"

#define MAX_EVENT_MINUTES (366LL * 1440) /* as the CLI's --duration */
#define MAX_COMPONENTS    (4 * IMPORT_ICS_MAX_EVENTS)
#define UID_MAX           255
#define TITLE_MAX         200
#define LOCATION_MAX      300
#define DESCRIPTION_MAX   8000

/* ---- the scan before libical ---- */

/* A cursor over logical (unfolded) lines. */
struct scan {
	const char *p, *end;
	size_t line;   /* physical line where the logical line starts */
	size_t next;   /* physical line of p */
	bool odd_fold; /* a fold continued an empty line */
};

/*
 * Copies the start of the next logical line, unfolded and without its line
 * end, into buf (truncated to cap - 1 bytes). libical ends lines at LF and
 * unfolds LF followed by a space or a tab; so does this.
 */
static bool scan_line(struct scan *s, char *buf, size_t cap)
{
	size_t n = 0, total = 0;
	if (s->p >= s->end)
		return false;
	s->line = ++s->next;
	/* A fold where no line began: libical and this scan would disagree on
	 * what the line is. */
	s->odd_fold |= *s->p == ' ' || *s->p == '\t';
	for (;;) {
		const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
		const char *stop = nl ? nl : s->end;
		if (stop > s->p && stop[-1] == '\r')
			stop--;
		size_t len = (size_t)(stop - s->p);
		size_t k = len < cap - 1 - n ? len : cap - 1 - n;
		memcpy(buf + n, s->p, k);
		n += k;
		total += len;
		s->p = nl ? nl + 1 : s->end;
		if (s->p >= s->end || (*s->p != ' ' && *s->p != '\t'))
			break;
		s->odd_fold |= total == 0;
		s->p++; /* the folding white space */
		s->next++;
	}
	buf[n] = '\0';
	return true;
}

/* "BEGIN" or "END" (any case, blanks before the colon ignored, as libical
 * does), or NULL. With parameters it is neither to libical; here it is an
 * error (*value_r NULL), as no calendar program writes it. */
static const char *scan_keyword(const char *line, const char **value_r)
{
	static const char *const words[] = {"BEGIN", "END"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(line, words[i], n) != 0)
			continue;
		n += strspn(line + n, " \t");
		if (line[n] != ':' && line[n] != ';')
			continue;
		*value_r = line[n] == ':' ? line + n + 1 : NULL;
		return words[i];
	}
	return NULL;
}

#define NAME_MAX_SHOWN 24 /* bytes of a component name kept and compared */

struct scan_state {
	char stack[IMPORT_ICS_MAX_DEPTH][NAME_MAX_SHOWN]; /* open components */
	int depth;
	size_t components, events;
	bool calendar;
};

/* A component name as kept and shown: cut to NAME_MAX_SHOWN - 1 bytes,
 * without trailing blanks, control characters as '?' (it goes into
 * messages a terminal shows). */
static void scan_name(char dst[NAME_MAX_SHOWN], const char *src)
{
	size_t n = 0;
	for (; src[n] && n < NAME_MAX_SHOWN - 1; n++)
		dst[n] = (unsigned char)src[n] < 0x20 || src[n] == 0x7f
		             ? '?'
		             : src[n];
	while (n && (dst[n - 1] == ' ' || dst[n - 1] == '?'))
		n--;
	dst[n] = '\0';
}

static int scan_begin(struct scan_state *st, const char *value, char **error_r)
{
	if (st->depth == IMPORT_ICS_MAX_DEPTH)
		return set_error(error_r,
		                 "components are nested deeper than %d levels",
		                 IMPORT_ICS_MAX_DEPTH);
	char *name = st->stack[st->depth++];
	scan_name(name, value);
	st->calendar |= strcasecmp(name, "VCALENDAR") == 0;
	st->events += strcasecmp(name, "VEVENT") == 0;
	if (++st->components > MAX_COMPONENTS ||
	    st->events > IMPORT_ICS_MAX_EVENTS)
		return set_error(error_r, "more than %d events",
		                 IMPORT_ICS_MAX_EVENTS);
	return 0;
}

/* An END must close the innermost open BEGIN. */
static int scan_end(struct scan_state *st, const char *value, char **error_r)
{
	char name[NAME_MAX_SHOWN];
	scan_name(name, value);
	if (st->depth == 0)
		return set_error(error_r, "END:%s without a BEGIN", name);
	const char *open = st->stack[st->depth - 1];
	if (strcasecmp(name, open) != 0)
		return set_error(error_r, "END:%s where END:%s was expected",
		                 name, open);
	st->depth--;
	return 0;
}

static int prescan_result(const struct scan_state *st, char **error_r)
{
	if (!st->calendar)
		return set_error(error_r, "not an iCalendar file: no "
		                          "BEGIN:VCALENDAR");
	if (st->depth > 0)
		return set_error(error_r,
		                 "the file ends inside BEGIN:%s (is it cut "
		                 "off?)",
		                 st->stack[st->depth - 1]);
	return 0;
}

/*
 * Refuses what would make libical slow or deep before it parses anything:
 * nesting deeper than IMPORT_ICS_MAX_DEPTH (libical frees and
 * prints components recursively), too many components; and names the two
 * common broken files: not iCalendar at all, and cut off.
 */
static int prescan(const char *text, size_t len, char **error_r)
{
	struct scan s = {text, text + len, 0, 0, false};
	struct scan_state st = {.depth = 0};
	char line[64];
	while (scan_line(&s, line, sizeof(line))) {
		const char *value;
		const char *kw = scan_keyword(line, &value);
		if (s.odd_fold)
			return set_error(
			    error_r,
			    "line %zu: a folded line (starting with "
			    "a space) continues no line",
			    s.line);
		if (kw && !value)
			return set_error(error_r,
			                 "line %zu: %s with parameters is not "
			                 "iCalendar",
			                 s.line, kw);
		if (kw && strcmp(kw, "BEGIN") == 0) {
			if (scan_begin(&st, value, error_r) < 0)
				return -1;
		} else if (kw && scan_end(&st, value, error_r) < 0) {
			return -1;
		}
	}
	return prescan_result(&st, error_r);
}

/* ---- errors that name the event ---- */

/* The event being read: its place among the VEVENTs and its UID. */
struct where {
	size_t pos;      /* 1-based */
	const char *uid; /* NULL until checked */
};

static int fail(char **error_r, const struct where *w, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int fail(char **error_r, const struct where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (w->uid)
		set_error(error_r, "event %zu (UID %s): %s", w->pos, w->uid,
		          msg);
	else
		set_error(error_r, "event %zu: %s", w->pos, msg);
	free(msg);
	return -1;
}

static char *quote(const char *s, size_t max);

/* Prefixes the message a model_check_* function left in *error_r; it may
 * quote the untrusted value. */
static int fail_check(char **error_r, const struct where *w)
{
	char *msg = quote(*error_r ? *error_r : "invalid", 400);
	xfree(error_r);
	fail(error_r, w, "%s", msg);
	free(msg);
	return -1;
}

/* Untrusted text for a message: at most max bytes, control characters
 * shown as '?'. Caller frees. */
static char *quote(const char *s, size_t max)
{
	struct strbuf b = {0};
	size_t n = strlen(s);
	for (size_t i = 0; i < n && i < max; i++)
		strbuf_appendc(&b, (unsigned char)s[i] < 0x20 || s[i] == 0x7f
		                       ? '?'
		                       : s[i]);
	if (n > max)
		strbuf_append(&b, "...");
	return strbuf_take(&b);
}

/* ---- time zones ---- */

/*
 * Windows zone names, as Outlook writes them in TZID, for the zones a Dutch
 * practice meets (the Caribbean Netherlands included). Outlook uses
 * "W. Europe Standard Time" for Amsterdam, Berlin, Rome and Vienna alike.
 */
static const struct {
	const char *windows, *iana;
} windows_zones[] = {
    {"W. Europe Standard Time", "Europe/Amsterdam"},
    {"Romance Standard Time", "Europe/Brussels"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"FLE Standard Time", "Europe/Helsinki"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Morocco Standard Time", "Africa/Casablanca"},
    {"SA Western Standard Time", "America/La_Paz"},
    {"SA Eastern Standard Time", "America/Cayenne"},
    {"Eastern Standard Time", "America/New_York"},
    {"Central Standard Time", "America/Chicago"},
    {"Mountain Standard Time", "America/Denver"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"UTC", "UTC"},
    {"Coordinated Universal Time", "UTC"},
};

/* An IANA name, also behind a prefix such as libical's
 * "/freeassociation.sourceforge.net/" or Mozilla's "/mozilla.org/.../". */
static icaltimezone *iana_zone(const char *tzid, const char **name_r)
{
	for (const char *p = tzid; p; p = strchr(p, '/')) {
		p += *p == '/';
		icaltimezone *z = *p ? zone_builtin(p) : NULL;
		if (z) {
			*name_r = p;
			return z;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(windows_zones); i++) {
		if (strcasecmp(tzid, windows_zones[i].windows) == 0) {
			*name_r = windows_zones[i].iana;
			return zone_builtin(*name_r);
		}
	}
	return NULL;
}

static bool consecutive_days(const short *days, int month)
{
	int n = 0, first = days[0];
	for (;
	     n < ICAL_BY_MONTHDAY_SIZE && days[n] != ICAL_RECURRENCE_ARRAY_MAX;
	     n++)
		if (days[n] != first + n || days[n] < 1 ||
		    days[n] > wtime_days_in_month(2001, month))
			return false;
	return n >= 7;
}

static int count_by(const short *v, int size)
{
	int n = 0;
	while (n < size && v[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/*
 * Whether libical can expand a VTIMEZONE rule without spinning: yearly, in
 * one month, on an ordinal weekday ("-1SU"), a fixed day, or a weekday among
 * at least seven consecutive days ("SU" with BYMONTHDAY=8..14).
 */
static bool zone_rule_simple(const struct icalrecurrencetype *r)
{
	if (r->freq != ICAL_YEARLY_RECURRENCE || r->interval > 1 ||
	    count_by(r->by_month, ICAL_BY_MONTH_SIZE) != 1 ||
	    r->by_month[0] < 1 || r->by_month[0] > 12 ||
	    count_by(r->by_second, ICAL_BY_SECOND_SIZE) ||
	    count_by(r->by_minute, ICAL_BY_MINUTE_SIZE) ||
	    count_by(r->by_hour, ICAL_BY_HOUR_SIZE) ||
	    count_by(r->by_year_day, ICAL_BY_YEARDAY_SIZE) ||
	    count_by(r->by_week_no, ICAL_BY_WEEKNO_SIZE) ||
	    count_by(r->by_set_pos, ICAL_BY_SETPOS_SIZE))
		return false;
	int ndays = count_by(r->by_day, ICAL_BY_DAY_SIZE);
	int nmday = count_by(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
	int pos = ndays ? icalrecurrencetype_day_position(r->by_day[0]) : 0;
	if (ndays == 1 && nmday == 0)
		return pos != 0 && pos >= -5 && pos <= 5;
	if (ndays == 0 && nmday == 1)
		return r->by_month_day[0] >= 1 && r->by_month_day[0] <= 28;
	return ndays == 1 && pos == 0 &&
	       consecutive_days(r->by_month_day, r->by_month[0]);
}

static bool observance_simple(icalcomponent *obs, int *rdates)
{
	icalcomponent_kind k = icalcomponent_isa(obs);
	if ((k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT) ||
	    !icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY) ||
	    !icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY))
		return false;
	for (icalproperty *p =
	         icalcomponent_get_first_property(obs, ICAL_ANY_PROPERTY);
	     p; p = icalcomponent_get_next_property(obs, ICAL_ANY_PROPERTY)) {
		icalproperty_kind pk = icalproperty_isa(p);
		if (pk == ICAL_RDATE_PROPERTY && ++*rdates > 500)
			return false;
		if (pk == ICAL_RRULE_PROPERTY) {
			struct icalrecurrencetype r = icalproperty_get_rrule(p);
			if (!zone_rule_simple(&r))
				return false;
		}
		if (pk == ICAL_EXRULE_PROPERTY)
			return false;
	}
	return true;
}

static icalcomponent *find_vtimezone(icalcomponent *cal, const char *tzid)
{
	for (icalcomponent *c = icalcomponent_get_first_component(
	         cal, ICAL_VTIMEZONE_COMPONENT);
	     c; c = icalcomponent_get_next_component(
	            cal, ICAL_VTIMEZONE_COMPONENT)) {
		icalproperty *p =
		    icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (p && strcmp(icalproperty_get_tzid(p), tzid) == 0)
			return c;
	}
	return NULL;
}

/* The file's own VTIMEZONE for tzid, if it is there and simple enough. */
static int file_zone(icalcomponent *cal, const char *tzid, icaltimezone **z_r,
                     const char **why_r)
{
	icalcomponent *vtz = find_vtimezone(cal, tzid);
	int n = 0, rdates = 0;
	*why_r = "is not an IANA or Windows zone name, and the file has no "
	         "VTIMEZONE for it";
	if (!vtz)
		return -1;
	*why_r = "is not an IANA or Windows zone name, and the file's "
	         "VTIMEZONE for it has rules that cannot be used (at most 64 "
	         "yearly STANDARD/DAYLIGHT rules are read)";
	for (icalcomponent *c =
	         icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c; c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (++n > 64 || !observance_simple(c, &rdates))
			return -1;
	}
	*z_r = n ? icalcomponent_get_timezone(cal, tzid) : NULL;
	return *z_r ? 0 : -1;
}

/* The last TZID resolved, as a file uses one zone for nearly every time. */
struct zone_cache {
	icalcomponent *cal; /* the VCALENDAR it was resolved in */
	char *tzid;
	icaltimezone *z;
};

/*
 * Resolves a TZID parameter: libical's builtin zone for an IANA or Windows
 * name, else the file's VTIMEZONE. *z_r is NULL for WIJKCAL_TZID itself,
 * whose wall times need no conversion.
 */
static int resolve_zone(icalcomponent *cal, struct zone_cache *zc,
                        const char *tzid, icaltimezone **z_r,
                        const char **why_r)
{
	if (zc->tzid && zc->cal == cal && strcmp(zc->tzid, tzid) == 0) {
		*z_r = zc->z;
		return 0;
	}
	const char *name = NULL;
	icaltimezone *z = iana_zone(tzid, &name);
	if (z && strcmp(name, WIJKCAL_TZID) == 0)
		z = NULL;
	else if (!z && file_zone(cal, tzid, &z, why_r) < 0)
		return -1;
	free(zc->tzid);
	*zc = (struct zone_cache){cal, xstrdup(tzid), z};
	*z_r = z;
	return 0;
}

/* ---- times ---- */

/* Everything one VEVENT is read with. */
struct ctx {
	icalcomponent *cal; /* the VCALENDAR around the event */
	icalcomponent *ev;
	struct where w;
	struct zone_cache *zones;
	char **error_r;
};

static bool valid_fields(const struct icaltimetype *t)
{
	return t->year >= 1970 && t->year <= 2200 && t->month >= 1 &&
	       t->month <= 12 && t->day >= 1 &&
	       t->day <= wtime_days_in_month(t->year, t->month) &&
	       t->hour >= 0 && t->hour <= 23 && t->minute >= 0 &&
	       t->minute <= 59 && t->second >= 0 && t->second <= 60;
}

/* A wall time in WIJKCAL_TZID from a time in zone z (NULL: ours). */
static struct wtime to_local(const struct icaltimetype *t, icaltimezone *z)
{
	struct wtime w = {t->year, t->month, t->day, t->hour, t->minute, false};
	if (z == NULL)
		return w;
	struct icaltimetype plain = *t;
	plain.zone = NULL;
	return wtime_from_utc((int64_t)icaltime_as_timet_with_zone(plain, z),
	                      WIJKCAL_TZID);
}

/*
 * Reads a DATE or DATE-TIME property as wall time in WIJKCAL_TZID: a date
 * stays a date; UTC and TZID times are converted; floating times are taken
 * as WIJKCAL_TZID. Seconds are dropped.
 */
static int read_time(struct ctx *c, icalproperty *p, const char *name,
                     struct wtime *t_r)
{
	icalvalue *v = icalproperty_get_value(p);
	icalvalue_kind k = v ? icalvalue_isa(v) : ICAL_NO_VALUE;
	if (k != ICAL_DATE_VALUE && k != ICAL_DATETIME_VALUE)
		return fail(c->error_r, &c->w,
		            "%s: expected a date or date-time", name);
	struct icaltimetype t = k == ICAL_DATE_VALUE
	                            ? icalvalue_get_date(v)
	                            : icalvalue_get_datetime(v);
	if (!valid_fields(&t))
		return fail(c->error_r, &c->w,
		            "%s: expected a date between 1970 and 2200", name);
	if (t.is_date) {
		*t_r = (struct wtime){t.year, t.month, t.day, 0, 0, true};
		return 0;
	}
	icalparameter *tz =
	    icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	icaltimezone *zone = NULL;
	const char *why = "";
	if (icaltime_is_utc(t))
		zone = icaltimezone_get_utc_timezone();
	else if (tz &&
	         resolve_zone(c->cal, c->zones, icalparameter_get_tzid(tz),
	                      &zone, &why) < 0) {
		char *q = quote(icalparameter_get_tzid(tz), 80);
		fail(c->error_r, &c->w, "%s: TZID \"%s\" %s", name, q, why);
		free(q);
		return -1;
	}
	*t_r = to_local(&t, zone);
	if (t_r->year < 1970 || t_r->year > 2200)
		return fail(c->error_r, &c->w,
		            "%s: expected a date between 1970 and 2200", name);
	return 0;
}

/* The only property of a kind, or NULL; two of them is an error. */
static int single(struct ctx *c, icalproperty_kind kind, const char *name,
                  icalproperty **p_r)
{
	*p_r = icalcomponent_get_first_property(c->ev, kind);
	if (*p_r && icalcomponent_get_next_property(c->ev, kind))
		return fail(c->error_r, &c->w, "%s: given more than once",
		            name);
	return 0;
}

/* Wall-clock minutes between two wall times, as the CLI counts them. */
static int64_t wall_minutes(const struct wtime *a, const struct wtime *b)
{
	return (wtime_to_utc(b, "UTC") - wtime_to_utc(a, "UTC")) / 60;
}

static int read_dtend(struct ctx *c, icalproperty *p, const struct wtime *start,
                      int64_t *minutes_r)
{
	struct wtime end;
	if (read_time(c, p, "DTEND", &end) < 0)
		return -1;
	if (end.date_only != start->date_only)
		return fail(c->error_r, &c->w,
		            "DTEND: expected a %s, like DTSTART",
		            start->date_only ? "date" : "date-time");
	*minutes_r = wall_minutes(start, &end);
	return 0;
}

static int read_duration(struct ctx *c, icalproperty *p,
                         const struct wtime *start, int64_t *minutes_r)
{
	struct icaldurationtype d = icalproperty_get_duration(p);
	int64_t seconds = icaldurationtype_as_int(d);
	*minutes_r = seconds / 60;
	if (start->date_only && seconds % 86400 != 0)
		return fail(c->error_r, &c->w,
		            "DURATION: expected whole days (P1D) for an "
		            "all-day event");
	return 0;
}

/*
 * The length of the event from DTEND or DURATION (only one of them); an
 * all-day event without either lasts a day, a timed one `fallback` minutes
 * (0: an error).
 */
static int read_length(struct ctx *c, const struct wtime *start,
                       int64_t fallback, int64_t *minutes_r)
{
	icalproperty *end, *dur;
	if (single(c, ICAL_DTEND_PROPERTY, "DTEND", &end) < 0 ||
	    single(c, ICAL_DURATION_PROPERTY, "DURATION", &dur) < 0)
		return -1;
	if (end && dur)
		return fail(c->error_r, &c->w,
		            "DTEND and DURATION: expected one of them");
	int64_t minutes = start->date_only ? 1440 : fallback;
	if (end && read_dtend(c, end, start, &minutes) < 0)
		return -1;
	if (dur && read_duration(c, dur, start, &minutes) < 0)
		return -1;
	const char *what = end ? "DTEND" : dur ? "DURATION" : "DTEND";
	if (!end && !dur && minutes <= 0)
		return fail(c->error_r, &c->w,
		            "DTEND: missing (or give a DURATION)");
	if (minutes <= 0)
		return fail(c->error_r, &c->w,
		            "%s: expected an end after DTSTART", what);
	if (minutes > MAX_EVENT_MINUTES)
		return fail(c->error_r, &c->w,
		            "%s: an event lasts at most 366 days", what);
	*minutes_r = minutes;
	return 0;
}

/* ---- text ---- */

/* A copy of a text value: CRLF as LF, trimmed; tabs as spaces on one line.
 * NULL when empty. */
static char *clean_text(const char *s, bool multiline)
{
	struct strbuf b = {0};
	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n')
			continue;
		strbuf_appendc(&b, !multiline && *s == '\t' ? ' ' : *s);
	}
	char *t = strbuf_take(&b);
	str_trim(t);
	if (*t)
		return t;
	free(t);
	return NULL;
}

/* Reads a text property into *out_r (NULL when absent or empty), checked
 * like the CLI's input for the field. */
static int read_text(struct ctx *c, icalproperty_kind kind, const char *name,
                     size_t max, bool multiline, char **out_r)
{
	icalproperty *p = icalcomponent_get_first_property(c->ev, kind);
	icalvalue *v = p ? icalproperty_get_value(p) : NULL;
	*out_r = NULL;
	if (v && icalvalue_isa(v) == ICAL_TEXT_VALUE && icalvalue_get_text(v))
		*out_r = clean_text(icalvalue_get_text(v), multiline);
	if (!*out_r)
		return 0;
	int rc = multiline
	             ? model_check_multiline(*out_r, name, max, c->error_r)
	             : model_check_text(*out_r, name, max, c->error_r);
	return rc < 0 ? fail_check(c->error_r, &c->w) : 0;
}

static bool parse_count(const char *s, const char *suffix, int max, int *v_r)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || strcmp(end, suffix) != 0 || v > max)
		return false;
	*v_r = (int)v;
	return true;
}

static bool take_capacity(const char *rest, struct event *e)
{
	return parse_count(rest, " deelnemers", 1000000, &e->capacity);
}

static bool take_points(const char *rest, struct event *e)
{
	return parse_count(rest, " punten", 1000, &e->points) ||
	       parse_count(rest, " punt", 1000, &e->points);
}

static bool take_online(const char *rest, struct event *e)
{
	if (model_check_url(rest, "URL", NULL) < 0)
		return false;
	e->online_url = xstrdup(rest);
	return true;
}

/* Removes the description's last line if it is `prefix` and a value that
 * take() accepts. */
static void take_line(struct event *e, const char *prefix,
                      bool (*take)(const char *rest, struct event *e))
{
	char *d = e->description;
	char *nl = strrchr(d, '\n');
	char *line = nl ? nl + 1 : d;
	size_t n = strlen(prefix);
	if (strncmp(line, prefix, n) != 0 || !take(line + n, e))
		return;
	*line = '\0';
	str_trim(d);
}

/*
 * Takes the lines render_event adds to a description (online link,
 * accreditation points, capacity) back out, so that a wijkcal feed imports
 * as the events it was made from.
 */
static void take_trailer(struct event *e)
{
	if (!e->description)
		return;
	take_line(e, "Maximaal ", take_capacity);
	take_line(e, "Accreditatie: ", take_points);
	take_line(e, "Online deelnemen: ", take_online);
	if (!*e->description)
		xfree(&e->description);
}

/* ---- one VEVENT ---- */

/* The properties this file reads; libical's parse errors about them are
 * fatal, others (an unknown property, a broken alarm) are not. */
static const char *const read_props[] = {
    "UID",   "DTSTART", "DTEND",         "DURATION", "RRULE",    "EXDATE",
    "RDATE", "EXRULE",  "RECURRENCE-ID", "SUMMARY",  "LOCATION", "DESCRIPTION",
    "URL",   "STATUS",  "SEQUENCE",      NULL};

/* The property of ours a libical error message is about, or NULL. */
static const char *error_subject(const char *msg)
{
	for (const char *const *name = read_props; *name; name++) {
		size_t n = strlen(*name);
		for (const char *p = strstr(msg, *name); p;
		     p = strstr(p + 1, *name)) {
			bool start =
			    p == msg ||
			    !(isalnum((unsigned char)p[-1]) || p[-1] == '-');
			bool end =
			    !(isalnum((unsigned char)p[n]) || p[n] == '-');
			if (start && end)
				return *name;
		}
	}
	return NULL;
}

/* libical drops a property it cannot parse and leaves an X-LIC-ERROR in
 * its place; an error about a property we need is the event's error. */
static int check_parse_errors(struct ctx *c)
{
	for (icalproperty *p = icalcomponent_get_first_property(
	         c->ev, ICAL_XLICERROR_PROPERTY);
	     p; p = icalcomponent_get_next_property(c->ev,
	                                            ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);
		const char *name = msg ? error_subject(msg) : NULL;
		if (!name)
			continue;
		char *q = quote(msg, 160);
		fail(c->error_r, &c->w, "%s: cannot be read (libical: %s)",
		     name, q);
		free(q);
		return -1;
	}
	return 0;
}

static int read_uid(icalcomponent *ev, struct where *w, char **error_r)
{
	icalproperty *p =
	    icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
	const char *uid = p ? icalproperty_get_uid(p) : NULL;
	if (!uid || !*uid)
		return fail(error_r, w, "UID: missing (every event needs one)");
	if (strlen(uid) > UID_MAX || !utf8_valid(uid, strlen(uid)) ||
	    has_control_chars(uid, false))
		return fail(error_r, w,
		            "UID: expected 1 to %d bytes of text without "
		            "control characters",
		            UID_MAX);
	w->uid = uid;
	return 0;
}

static int read_sequence(struct ctx *c, int *seq_r)
{
	icalproperty *p =
	    icalcomponent_get_first_property(c->ev, ICAL_SEQUENCE_PROPERTY);
	int seq = p ? icalproperty_get_sequence(p) : 0;
	if (seq < 0 || seq > 1000000)
		return fail(c->error_r, &c->w,
		            "SEQUENCE: expected a number from 0 to 1000000");
	*seq_r = seq;
	return 0;
}

static bool is_cancelled(icalcomponent *ev)
{
	icalproperty *p =
	    icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
	return p && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED;
}

/* The kind from CATEGORIES, when one value names one of ours. */
static char *read_kind(icalcomponent *ev)
{
	for (icalproperty *p =
	         icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY);
	     p; p = icalcomponent_get_next_property(ev,
	                                            ICAL_CATEGORIES_PROPERTY)) {
		const char *v = icalproperty_get_categories(p);
		if (v && model_in_list(model_event_kinds, v))
			return xstrdup(v);
	}
	return NULL;
}

static int read_texts(struct ctx *c, struct event *e)
{
	if (read_text(c, ICAL_SUMMARY_PROPERTY, "SUMMARY", TITLE_MAX, false,
	              &e->title) < 0 ||
	    read_text(c, ICAL_LOCATION_PROPERTY, "LOCATION", LOCATION_MAX,
	              false, &e->location) < 0 ||
	    read_text(c, ICAL_DESCRIPTION_PROPERTY, "DESCRIPTION",
	              DESCRIPTION_MAX, true, &e->description) < 0)
		return -1;
	if (!e->title)
		return fail(c->error_r, &c->w,
		            "SUMMARY: missing (every event needs a title)");
	icalproperty *u =
	    icalcomponent_get_first_property(c->ev, ICAL_URL_PROPERTY);
	const char *url = u ? icalproperty_get_url(u) : NULL;
	if (url && *url) {
		if (model_check_url(url, "URL", c->error_r) < 0)
			return fail_check(c->error_r, &c->w);
		e->url = xstrdup(url);
	}
	take_trailer(e);
	return 0;
}

/* recur_check speaks of the CLI's options; here they are properties. */
static char *cli_to_ics(const char *msg)
{
	static const struct {
		const char *cli, *ics;
	} words[] = {{"--rrule: ", ""},
	             {"--start", "DTSTART"},
	             {"--date", "DTSTART"},
	             {"--rrule", "RRULE"}};
	struct strbuf b = {0};
	while (*msg) {
		size_t i = 0;
		while (i < ARRAY_SIZE(words) &&
		       strncmp(msg, words[i].cli, strlen(words[i].cli)) != 0)
			i++;
		if (i < ARRAY_SIZE(words)) {
			strbuf_append(&b, words[i].ics);
			msg += strlen(words[i].cli);
		} else {
			strbuf_appendc(&b, *msg++);
		}
	}
	return strbuf_take(&b);
}

static int read_rrule(struct ctx *c, struct event *e)
{
	icalproperty *p;
	if (single(c, ICAL_RRULE_PROPERTY, "RRULE", &p) < 0)
		return -1;
	if (icalcomponent_get_first_property(c->ev, ICAL_RDATE_PROPERTY) ||
	    icalcomponent_get_first_property(c->ev, ICAL_EXRULE_PROPERTY))
		return fail(c->error_r, &c->w,
		            "RDATE/EXRULE: not supported; a series needs one "
		            "RRULE, with EXDATE and RECURRENCE-ID for changes");
	if (!p)
		return 0;
	char *text = icalproperty_get_value_as_string_r(p);
	char *norm = NULL, *err = NULL;
	int rc = recur_check(text ? text : "", &e->start, true, &norm, &err);
	free(text);
	if (rc < 0) {
		char *msg = cli_to_ics(err ? err : "invalid");
		fail(c->error_r, &c->w, "RRULE: %s", msg);
		free(msg);
		free(err);
		return -1;
	}
	e->rrule = norm;
	return 0;
}

/* A recurrence id of the type of the series' start (a date, or a time). */
static struct wtime like_start(struct wtime rid, const struct wtime *start)
{
	if (start->date_only && !rid.date_only)
		rid.hour = rid.minute = 0;
	if (!start->date_only && rid.date_only) {
		rid.hour = start->hour;
		rid.minute = start->minute;
	}
	rid.date_only = start->date_only;
	return rid;
}

static void add_change(struct event *e, const struct event_change *ch)
{
	e->changes = xrealloc(e->changes, (e->nchanges + 1) * sizeof(*ch));
	e->changes[e->nchanges++] = *ch;
}

static int read_exdates(struct ctx *c, struct event *e)
{
	for (icalproperty *p =
	         icalcomponent_get_first_property(c->ev, ICAL_EXDATE_PROPERTY);
	     p;
	     p = icalcomponent_get_next_property(c->ev, ICAL_EXDATE_PROPERTY)) {
		struct event_change ch = {.sequence = e->sequence};
		if (read_time(c, p, "EXDATE", &ch.exc.recurrence_id) < 0)
			return -1;
		if (e->nchanges == IMPORT_ICS_MAX_CHANGES)
			return fail(c->error_r, &c->w, "EXDATE: more than %d",
			            IMPORT_ICS_MAX_CHANGES);
		ch.exc.recurrence_id =
		    like_start(ch.exc.recurrence_id, &e->start);
		ch.exc.cancelled = true;
		add_change(e, &ch);
	}
	return 0;
}

/* A VEVENT without RECURRENCE-ID: the series or single event. */
static int read_master(struct ctx *c, struct event *e)
{
	icalproperty *p;
	e->uid = xstrdup(c->w.uid);
	e->tzid = xstrdup(WIJKCAL_TZID);
	e->points = e->capacity = -1;
	if (check_parse_errors(c) < 0 ||
	    single(c, ICAL_DTSTART_PROPERTY, "DTSTART", &p) < 0)
		return -1;
	if (!p)
		return fail(c->error_r, &c->w, "DTSTART: missing");
	if (read_time(c, p, "DTSTART", &e->start) < 0 ||
	    read_length(c, &e->start, 0, &e->duration_min) < 0 ||
	    read_texts(c, e) < 0 || read_sequence(c, &e->sequence) < 0 ||
	    read_rrule(c, e) < 0)
		return -1;
	e->cancelled = is_cancelled(c->ev);
	e->kind = read_kind(c->ev);
	return e->rrule ? read_exdates(c, e) : 0;
}

static int read_rid(struct ctx *c, const struct event *master,
                    struct wtime *rid_r)
{
	icalproperty *p;
	if (single(c, ICAL_RECURRENCEID_PROPERTY, "RECURRENCE-ID", &p) < 0 ||
	    read_time(c, p, "RECURRENCE-ID", rid_r) < 0)
		return -1;
	icalparameter *range =
	    icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
	if (range && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE)
		return fail(c->error_r, &c->w,
		            "RECURRENCE-ID: RANGE=THISANDFUTURE is not "
		            "supported; change the series instead");
	*rid_r = like_start(*rid_r, &master->start);
	return 0;
}

/* A VEVENT with RECURRENCE-ID: one occurrence of `master`, moved or (with
 * STATUS:CANCELLED) cancelled. Its own texts are not kept: wijkcal changes
 * the time of an occurrence, not its title. */
static int read_override(struct ctx *c, const struct event *master,
                         struct event_change *ch)
{
	icalproperty *p;
	if (check_parse_errors(c) < 0 ||
	    read_rid(c, master, &ch->exc.recurrence_id) < 0 ||
	    read_sequence(c, &ch->sequence) < 0)
		return -1;
	if (ch->sequence < master->sequence)
		ch->sequence = master->sequence;
	if (is_cancelled(c->ev)) {
		ch->exc.cancelled = true;
		return 0;
	}
	if (single(c, ICAL_DTSTART_PROPERTY, "DTSTART", &p) < 0)
		return -1;
	if (!p)
		return fail(c->error_r, &c->w, "DTSTART: missing");
	if (read_time(c, p, "DTSTART", &ch->exc.start) < 0 ||
	    read_length(c, &ch->exc.start, master->duration_min,
	                &ch->exc.duration_min) < 0)
		return -1;
	if (ch->exc.start.date_only != master->start.date_only)
		return fail(c->error_r, &c->w,
		            "DTSTART: expected a %s, like the series' start",
		            master->start.date_only ? "date" : "date-time");
	return 0;
}

/* ---- the file ---- */

/* A VEVENT found in the file, before it is read. */
struct item {
	icalcomponent *cal, *ev;
	struct where w;
	bool override; /* has a RECURRENCE-ID */
	size_t event;  /* masters: index into the result */
};

struct import {
	struct item *items;
	size_t nitems;
	struct event *events;
	size_t nevents;
	struct item **masters; /* sorted by UID, for the overrides */
	struct zone_cache zones;
	char **error_r;
};

static void collect_calendar(struct import *im, icalcomponent *cal)
{
	for (icalcomponent *ev =
	         icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev; ev = icalcomponent_get_next_component(cal,
	                                               ICAL_VEVENT_COMPONENT)) {
		if (im->nitems % 64 == 0)
			im->items = xrealloc(im->items, (im->nitems + 64) *
			                                    sizeof(*im->items));
		struct item *it = &im->items[im->nitems++];
		*it = (struct item){.cal = cal, .ev = ev};
		it->w.pos = im->nitems;
		it->override = icalcomponent_get_first_property(
		                   ev, ICAL_RECURRENCEID_PROPERTY) != NULL;
	}
}

/* Gathers the VEVENTs of every VCALENDAR (libical wraps several in an
 * XROOT) and reads their UIDs. */
static int collect(struct import *im, icalcomponent *root)
{
	icalcomponent_kind k = icalcomponent_isa(root);
	if (k == ICAL_VCALENDAR_COMPONENT) {
		collect_calendar(im, root);
	} else if (k == ICAL_XROOT_COMPONENT) {
		for (icalcomponent *c = icalcomponent_get_first_component(
		         root, ICAL_ANY_COMPONENT);
		     c; c = icalcomponent_get_next_component(
		            root, ICAL_ANY_COMPONENT)) {
			if (icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT)
				return set_error(
				    im->error_r,
				    "BEGIN:%s outside of a VCALENDAR",
				    icalcomponent_kind_to_string(
				        icalcomponent_isa(c)));
			collect_calendar(im, c);
		}
	} else {
		return set_error(im->error_r, "not an iCalendar file: no "
		                              "VCALENDAR");
	}
	if (im->nitems > IMPORT_ICS_MAX_EVENTS)
		return set_error(im->error_r, "more than %d events",
		                 IMPORT_ICS_MAX_EVENTS);
	for (size_t i = 0; i < im->nitems; i++)
		if (read_uid(im->items[i].ev, &im->items[i].w, im->error_r) < 0)
			return -1;
	return 0;
}

static struct ctx ctx_of(struct import *im, struct item *it)
{
	return (struct ctx){.cal = it->cal,
	                    .ev = it->ev,
	                    .w = it->w,
	                    .zones = &im->zones,
	                    .error_r = im->error_r};
}

static int cmp_master(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a;
	const struct item *y = *(struct item *const *)b;
	int c = strcmp(x->w.uid, y->w.uid);
	return c ? c : (x->w.pos < y->w.pos ? -1 : 1);
}

/* Reads the masters in file order, then indexes them by UID; a UID used
 * by two masters is an error. */
static int read_masters(struct import *im)
{
	im->events = xcalloc(im->nitems ? im->nitems : 1, sizeof(*im->events));
	im->masters =
	    xcalloc(im->nitems ? im->nitems : 1, sizeof(*im->masters));
	size_t n = 0;
	for (size_t i = 0; i < im->nitems; i++) {
		struct item *it = &im->items[i];
		if (it->override)
			continue;
		struct ctx c = ctx_of(im, it);
		it->event = im->nevents++;
		if (read_master(&c, &im->events[it->event]) < 0)
			return -1;
		im->masters[n++] = it;
	}
	qsort(im->masters, n, sizeof(*im->masters), cmp_master);
	for (size_t i = 1; i < n; i++)
		if (strcmp(im->masters[i]->w.uid, im->masters[i - 1]->w.uid) ==
		    0)
			return fail(im->error_r, &im->masters[i]->w,
			            "UID: also used by event %zu (each series "
			            "needs its own UID)",
			            im->masters[i - 1]->w.pos);
	return 0;
}

static struct item *find_master(struct import *im, const char *uid)
{
	size_t lo = 0, hi = im->nevents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(im->masters[mid]->w.uid, uid);
		if (c == 0)
			return im->masters[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int read_overrides(struct import *im)
{
	for (size_t i = 0; i < im->nitems; i++) {
		struct item *it = &im->items[i];
		if (!it->override)
			continue;
		struct item *m = find_master(im, it->w.uid);
		if (!m)
			return fail(im->error_r, &it->w,
			            "RECURRENCE-ID: the file has no series "
			            "with this UID");
		struct event *e = &im->events[m->event];
		if (!e->rrule)
			return fail(im->error_r, &it->w,
			            "RECURRENCE-ID: event %zu with this UID "
			            "is not a series (no RRULE)",
			            m->w.pos);
		struct ctx c = ctx_of(im, it);
		struct event_change ch = {.sequence = 0};
		if (read_override(&c, e, &ch) < 0)
			return -1;
		if (e->nchanges == IMPORT_ICS_MAX_CHANGES)
			return fail(im->error_r, &it->w,
			            "RECURRENCE-ID: more than %d changed "
			            "occurrences",
			            IMPORT_ICS_MAX_CHANGES);
		add_change(e, &ch);
	}
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	const struct event_change *x = a, *y = b;
	int c = wtime_cmp(&x->exc.recurrence_id, &y->exc.recurrence_id);
	/* Cancellations first, so they win over a move of the same one. */
	return c ? c : (int)y->exc.cancelled - (int)x->exc.cancelled;
}

/* A "moved" occurrence at its own time and length changes nothing. */
static bool no_op(const struct event *e, const struct event_change *ch)
{
	return !ch->exc.cancelled &&
	       wtime_cmp(&ch->exc.start, &ch->exc.recurrence_id) == 0 &&
	       ch->exc.duration_min == e->duration_min;
}

/* Sorts a series' changes and merges those of one occurrence: an EXDATE
 * wins over a move; two moves of one occurrence are an error. */
static int merge_changes(struct import *im, struct event *e,
                         const struct where *w)
{
	if (e->nchanges == 0)
		return 0;
	qsort(e->changes, e->nchanges, sizeof(*e->changes), cmp_change);
	size_t n = 0;
	for (size_t i = 0; i < e->nchanges; i++) {
		struct event_change *ch = &e->changes[i];
		struct event_change *prev = n ? &e->changes[n - 1] : NULL;
		if (no_op(e, ch))
			continue;
		if (prev && wtime_cmp(&prev->exc.recurrence_id,
		                      &ch->exc.recurrence_id) == 0) {
			if (!prev->exc.cancelled && !ch->exc.cancelled) {
				char when[WTIME_STRLEN];
				wtime_format(&ch->exc.recurrence_id, when);
				return fail(im->error_r, w,
				            "RECURRENCE-ID: occurrence %s is "
				            "moved twice",
				            when);
			}
			continue;
		}
		e->changes[n++] = *ch;
	}
	e->nchanges = n;
	return 0;
}

static void import_free(struct import *im)
{
	free(im->items);
	free(im->masters);
	free(im->zones.tzid);
}

static int import_parsed(struct import *im, icalcomponent *root)
{
	if (collect(im, root) < 0 || read_masters(im) < 0 ||
	    read_overrides(im) < 0)
		return -1;
	for (size_t i = 0; i < im->nitems; i++) {
		struct item *it = &im->items[i];
		if (!it->override &&
		    merge_changes(im, &im->events[it->event], &it->w) < 0)
			return -1;
	}
	return 0;
}

/* libical wants a NUL-terminated string; a UTF-8 byte order mark would be
 * read as part of the first property name. */
static char *terminated_copy(const char *text, size_t len)
{
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3, len -= 3;
	return xstrndup(text, len);
}

int import_ics(const char *text, size_t len, struct event **events_r,
               size_t *nevents_r, char **error_r)
{
	*events_r = NULL;
	*nevents_r = 0;
	if (len > IMPORT_ICS_MAX_BYTES)
		return set_error(error_r,
		                 "the file is too large (%zu bytes, at most "
		                 "%u)",
		                 len, IMPORT_ICS_MAX_BYTES);
	if (memchr(text, '\0', len))
		return set_error(error_r, "the file contains NUL bytes (is it "
		                          "UTF-16? iCalendar is UTF-8)");
	char *copy = terminated_copy(text, len);
	if (prescan(copy, strlen(copy), error_r) < 0) {
		free(copy);
		return -1;
	}
	icalcomponent *root = icalparser_parse_string(copy);
	free(copy);
	if (!root)
		return set_error(error_r, "the iCalendar text is malformed "
		                          "(libical cannot parse it)");
	struct import im = {.error_r = error_r};
	int rc = import_parsed(&im, root);
	import_free(&im);
	icalcomponent_free(root);
	if (rc < 0) {
		event_array_free(im.events, im.nevents);
		return -1;
	}
	*events_r = im.events;
	*nevents_r = im.nevents;
	return 0;
}
