/*
 * render: iCalendar feeds made with libical. Events become blocks of VEVENTs
 * (libical builds and serialises every property, escapes text and folds
 * lines); a feed is a libical-made VCALENDAR header, cached compact
 * VTIMEZONEs and those blocks, concatenated.
 *
 * What libical 3.0.16 does and how this file deals with it:
 * - Folding: libical folds at 75 octets (74 on the first line), prefers to
 *   break after ' ', ';' or ':', and otherwise steps back to a UTF-8 lead
 *   byte, so it never splits a character. The unit tests check this on long
 *   Dutch text with emoji; we do not fold ourselves.
 * - TZID: libical names its builtin zones "/freeassociation.sourceforge.net/
 *   Europe/Amsterdam". We never hand libical a zone for event times: times
 *   are floating icaltimetypes with a TZID parameter that we set to the
 *   plain IANA name, and the VTIMEZONE is built here with that name.
 * - VTIMEZONE: libical's builtin component holds the whole history (RDATE
 *   lists, RRULEs with UNTIL splitting at 2037), which Outlook misreads and
 *   python3-icalendar 4.0.3 cannot parse. render_vtimezone() keeps only the
 *   rules in force today, moved to 1970, in the form Outlook writes.
 */
#include "feeds/render.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/wtime.h"
#include "core/zone.h"

#define RENDER_PRODID "-//wijkcal//wijkcal 0.1//NL"

/* ---- times ---- */

/* A floating icaltimetype (or a DATE) for a wall time. */
static struct icaltimetype ical_wall(const struct wtime *t)
{
	struct icaltimetype it = icaltime_null_time();
	it.year = t->year;
	it.month = t->month;
	it.day = t->day;
	if (t->date_only) {
		it.is_date = 1;
	} else {
		it.hour = t->hour;
		it.minute = t->minute;
	}
	return it;
}

/* A UTC date-time ("...Z") for seconds since the epoch. */
static struct icaltimetype ical_utc(int64_t utc)
{
	return icaltime_from_timet_with_zone((time_t)utc, 0,
	                                     icaltimezone_get_utc_timezone());
}

static bool zone_is_utc(const char *tzid)
{
	return strcmp(tzid, "UTC") == 0;
}

/* Serialises a property with libical onto b, and frees it. libical makes
 * no property of a NULL value (a record missing a required field): that
 * property is left out rather than crashing a feed. */
static void emit(struct strbuf *b, icalproperty *p)
{
	if (!p) {
		icalerror_clear_errno();
		return;
	}
	char *s = icalproperty_as_ical_string_r(p);
	strbuf_append(b, s);
	free(s);
	icalproperty_free(p);
}

typedef icalproperty *(*time_prop_ctor)(struct icaltimetype);

/*
 * Emits a DTSTART-like property: VALUE=DATE for a date (libical adds the
 * parameter itself), "Z" for UTC, otherwise a floating time with our own
 * TZID parameter (the plain IANA name, see the file comment).
 */
static void emit_time(struct strbuf *b, time_prop_ctor ctor,
                      const struct wtime *t, const char *tzid)
{
	struct icaltimetype it = ical_wall(t);
	bool utc = !t->date_only && zone_is_utc(tzid);
	if (utc)
		it.zone = icaltimezone_get_utc_timezone();
	icalproperty *p = ctor(it);
	if (!t->date_only && !utc)
		icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	emit(b, p);
}

/* The end of an occurrence: whole days for a date, wall minutes else. */
static struct wtime end_of(const struct wtime *start, int64_t minutes,
                           const char *tzid)
{
	if (start->date_only) {
		if (minutes < 1440)
			minutes = 1440;
		minutes -= minutes % 1440;
		return wtime_add_minutes(*start, minutes);
	}
	/* A meeting lasts its minutes of real time, also in the night the
	 * clocks change, as the agenda and other clients count it. */
	return wtime_from_utc(wtime_to_utc(start, tzid) + minutes * 60, tzid);
}

/* ---- text ---- */

/*
 * The DESCRIPTION: the organiser's text, then a line each for the online
 * link, the accreditation points and the capacity. NULL when empty.
 */
static char *compose_description(const struct event *e)
{
	struct strbuf b = {0};
	if (e->description && *e->description)
		strbuf_append(&b, e->description);
	/* A blank line between the organiser's text and ours. */
	const char *sep = b.len ? "\n\n" : "";
	if (e->online_url && *e->online_url) {
		strbuf_appendf(&b, "%sOnline deelnemen: %s", sep,
		               e->online_url);
		sep = "\n";
	}
	if (e->points >= 0) {
		strbuf_appendf(&b, "%sAccreditatie: %d %s", sep, e->points,
		               e->points == 1 ? "punt" : "punten");
		sep = "\n";
	}
	if (e->capacity >= 0)
		strbuf_appendf(&b, "%sMaximaal %d deelnemers", sep,
		               e->capacity);
	if (b.len == 0)
		return NULL;
	return strbuf_take(&b);
}

static const char *organizer_of(const struct event *e,
                                const struct render_event_opts *o)
{
	if (e->organizer && *e->organizer)
		return e->organizer;
	return o->organizer_default && *o->organizer_default
	           ? o->organizer_default
	           : NULL;
}

static icalproperty *mailto_prop(icalproperty *(*ctor)(const char *),
                                 const char *email)
{
	char *uri = xasprintf("mailto:%s", email);
	icalproperty *p = ctor(uri);
	free(uri);
	return p;
}

static icalproperty *attendee_prop(const char *email, const char *name,
                                   bool rsvp)
{
	icalproperty *a = mailto_prop(icalproperty_new_attendee, email);
	icalproperty_add_parameter(
	    a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalproperty_add_parameter(
	    a, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
	if (name && *name)
		icalproperty_add_parameter(a, icalparameter_new_cn(name));
	if (rsvp)
		icalproperty_add_parameter(
		    a, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
	return a;
}

/* ORGANIZER (internal and personal feeds) and ATTENDEE (personal only). */
static void emit_people(struct strbuf *b, const struct event *e,
                        const struct render_event_opts *o)
{
	const char *org = organizer_of(e, o);
	if (o->audience == RENDER_PUBLIC)
		return;
	if (org) {
		icalproperty *p = mailto_prop(icalproperty_new_organizer, org);
		if (o->organizer_name && *o->organizer_name)
			icalproperty_add_parameter(
			    p, icalparameter_new_cn(o->organizer_name));
		emit(b, p);
	}
	if (o->audience != RENDER_PERSONAL || !o->attendee_email)
		return;
	emit(b, attendee_prop(o->attendee_email, o->attendee_name, o->rsvp));
}

char *render_attendee(const char *email, const char *name, bool rsvp)
{
	struct strbuf b = {0};
	emit(&b, attendee_prop(email, name, rsvp));
	return strbuf_take(&b);
}

static void emit_alarm(struct strbuf *b, const struct event *e,
                       const struct render_event_opts *o)
{
	/* A reminder for a cancelled meeting would only confuse. */
	if (o->alarm_minutes <= 0 || e->cancelled)
		return;
	icalcomponent *al = icalcomponent_new_valarm();
	struct icaltriggertype tr = {.time = icaltime_null_time()};
	tr.duration = icaldurationtype_from_int(-60 * o->alarm_minutes);
	icalcomponent_add_property(
	    al, icalproperty_new_action(ICAL_ACTION_DISPLAY));
	icalcomponent_add_property(al, icalproperty_new_trigger(tr));
	icalcomponent_add_property(al, icalproperty_new_description(e->title));
	char *s = icalcomponent_as_ical_string_r(al);
	strbuf_append(b, s);
	free(s);
	icalcomponent_free(al);
}

/*
 * Lines that depend on a few values only, serialised by libical once per
 * process: the VEVENT frame and STATUS. A feed server renders tens of
 * thousands of events, and libical spends most of its time per property.
 */
static struct {
	pthread_once_t once;
	char *begin, *end;           /* "BEGIN:VEVENT\r\n", "END:VEVENT\r\n" */
	char *confirmed, *cancelled; /* "STATUS:...\r\n" */
} fixed = {.once = PTHREAD_ONCE_INIT};

static char *property_text(icalproperty *p)
{
	char *s = icalproperty_as_ical_string_r(p);
	icalproperty_free(p);
	return s;
}

static void fixed_init(void)
{
	icalcomponent *v = icalcomponent_new_vevent();
	char *frame = icalcomponent_as_ical_string_r(v);
	icalcomponent_free(v);
	char *mid = strstr(frame, "END:");
	fixed.end = xstrdup(mid ? mid : "END:VEVENT\r\n");
	if (mid)
		*mid = '\0';
	fixed.begin = frame;
	fixed.confirmed =
	    property_text(icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	fixed.cancelled =
	    property_text(icalproperty_new_status(ICAL_STATUS_CANCELLED));
}

/* What the series and each moved occurrence show alike, as text. */
static char *common_text(const struct event *e,
                         const struct render_event_opts *o)
{
	struct strbuf b = {0};
	char *desc = compose_description(e);
	emit(&b, icalproperty_new_summary(e->title));
	if (e->location && *e->location)
		emit(&b, icalproperty_new_location(e->location));
	if (desc)
		emit(&b, icalproperty_new_description(desc));
	free(desc);
	if (e->url && *e->url)
		emit(&b, icalproperty_new_url(e->url));
	strbuf_append(&b, e->cancelled ? fixed.cancelled : fixed.confirmed);
	if (e->kind && *e->kind)
		emit(&b, icalproperty_new_categories(e->kind));
	emit_people(&b, e, o);
	emit_alarm(&b, e, o);
	return strbuf_take(&b);
}

/* UID, DTSTAMP, SEQUENCE, CREATED, LAST-MODIFIED: from the data only. */
static void emit_identity(struct strbuf *b, const struct event *e, int sequence,
                          int64_t modified)
{
	if (modified <= 0)
		modified = e->modified > 0 ? e->modified : e->created;
	struct icaltimetype stamp = ical_utc(modified);
	emit(b, icalproperty_new_uid(e->uid));
	emit(b, icalproperty_new_dtstamp(stamp));
	emit(b, icalproperty_new_sequence(sequence));
	if (e->created > 0)
		emit(b, icalproperty_new_created(ical_utc(e->created)));
	emit(b, icalproperty_new_lastmodified(stamp));
}

/* ---- the block of one event ---- */

static const char *tzid_of(const struct event *e)
{
	return e->tzid && *e->tzid ? e->tzid : WIJKCAL_TZID;
}

static bool has_rrule(const struct event *e)
{
	return e->rrule && *e->rrule;
}

/* A recurrence id has the type of the series' DTSTART (RFC 5545 3.8.4.4). */
static struct wtime rid_of(const struct event *e, const struct event_change *c)
{
	struct wtime rid = c->exc.recurrence_id;
	rid.date_only = e->start.date_only;
	if (rid.date_only)
		rid.hour = rid.minute = 0;
	return rid;
}

static int cmp_change(const void *a, const void *b)
{
	const struct event_change *x = *(const struct event_change *const *)a;
	const struct event_change *y = *(const struct event_change *const *)b;
	return wtime_cmp(&x->exc.recurrence_id, &y->exc.recurrence_id);
}

/* The changes sorted by original start, so the output does not depend on
 * the order the store returned them in. Caller frees the array. */
static const struct event_change **sorted_changes(const struct event *e)
{
	const struct event_change **v =
	    xcalloc(e->nchanges ? e->nchanges : 1, sizeof(*v));
	for (size_t i = 0; i < e->nchanges; i++)
		v[i] = &e->changes[i];
	qsort(v, e->nchanges, sizeof(*v), cmp_change);
	return v;
}

static void emit_rrule(struct strbuf *b, const char *rrule)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
	/* Stored rules passed recur_check; a rule libical cannot read is left
	 * out rather than written as garbage. */
	if (r.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		return;
	}
	emit(b, icalproperty_new_rrule(r));
}

static void emit_master(struct strbuf *b, const struct event *e,
                        const struct event_change **ch, const char *common)
{
	const char *tzid = tzid_of(e);
	strbuf_append(b, fixed.begin);
	emit_identity(b, e, e->sequence, e->modified);
	emit_time(b, icalproperty_new_dtstart, &e->start, tzid);
	struct wtime end = end_of(&e->start, e->duration_min, tzid);
	emit_time(b, icalproperty_new_dtend, &end, tzid);
	if (has_rrule(e)) {
		emit_rrule(b, e->rrule);
		for (size_t i = 0; i < e->nchanges; i++) {
			if (!ch[i]->exc.cancelled)
				continue;
			struct wtime rid = rid_of(e, ch[i]);
			emit_time(b, icalproperty_new_exdate, &rid, tzid);
		}
	}
	strbuf_append(b, common);
	strbuf_append(b, fixed.end);
}

/* A moved occurrence: same UID, RECURRENCE-ID the original start. */
static void emit_moved(struct strbuf *b, const struct event *e,
                       const struct event_change *c, const char *common)
{
	const char *tzid = tzid_of(e);
	int seq = c->sequence > e->sequence ? c->sequence : e->sequence;
	int64_t minutes =
	    c->exc.duration_min > 0 ? c->exc.duration_min : e->duration_min;
	struct wtime rid = rid_of(e, c);
	struct wtime end = end_of(&c->exc.start, minutes, tzid);
	strbuf_append(b, fixed.begin);
	emit_identity(b, e, seq, c->modified);
	emit_time(b, icalproperty_new_recurrenceid, &rid, tzid);
	emit_time(b, icalproperty_new_dtstart, &c->exc.start, tzid);
	emit_time(b, icalproperty_new_dtend, &end, tzid);
	strbuf_append(b, common);
	strbuf_append(b, fixed.end);
}

/*
 * Each property is made and serialised by libical; the VEVENT frame is
 * libical's too (fixed_init), and the properties the series and its moved
 * occurrences share are serialised once and repeated.
 */
char *render_event(const struct event *e, const struct render_event_opts *o)
{
	pthread_once(&fixed.once, fixed_init);
	struct strbuf b = {0};
	char *common = common_text(e, o);
	const struct event_change **ch = sorted_changes(e);
	emit_master(&b, e, ch, common);
	for (size_t i = 0; has_rrule(e) && i < e->nchanges; i++)
		if (!ch[i]->exc.cancelled)
			emit_moved(&b, e, ch[i], common);
	free(ch);
	free(common);
	return strbuf_take(&b);
}

char *render_occurrence(const struct event *e, const struct event_change *c,
                        const struct render_event_opts *o)
{
	pthread_once(&fixed.once, fixed_init);
	struct event shown = *e; /* shallow: only its status differs */
	shown.cancelled = e->cancelled || c->exc.cancelled;
	struct event_change at = *c;
	if (c->exc.cancelled) {
		at.exc.start = rid_of(e, c);
		at.exc.duration_min = e->duration_min;
	}
	char *common = common_text(&shown, o);
	struct strbuf b = {0};
	emit_moved(&b, e, &at, common);
	free(common);
	return strbuf_take(&b);
}

/* ---- VTIMEZONE ---- */

/*
 * The compact VTIMEZONE takes its offsets and times of day from the zone's
 * real transitions in CHECK_YEAR, and from libical's builtin component only
 * the yearly rules still in force (an RRULE without UNTIL), which must
 * reproduce those transitions. libical's own last observances cannot be
 * copied: for some zones their DTSTART or TZOFFSETTO is wrong (Pacific/
 * Chatham starts at 20380119T165907, a 32-bit time_t overflow; America/
 * St_Johns gets -0130), while its offsets before 2037 are right.
 */
#define CHECK_YEAR 2030

/* A change of offset: seconds east of UTC before and after, and the wall
 * time (in the offset before) at which it happens. */
struct transition {
	int from, to;
	struct icaltimetype wall;
};

static int offset_at(icaltimezone *z, int64_t utc)
{
	struct icaltimetype t = icaltime_from_timet_with_zone(
	    (time_t)utc, 0, icaltimezone_get_utc_timezone());
	int is_dst = 0;
	return icaltimezone_get_utc_offset_of_utc_time(z, &t, &is_dst);
}

static int64_t check_year_start(void)
{
	struct wtime jan1 = {.year = CHECK_YEAR, .month = 1, .day = 1};
	return wtime_to_utc(&jan1, "UTC");
}

/* The transition within (lo, hi], where offset_at(lo) != offset_at(hi). */
static struct transition bisect(icaltimezone *z, int64_t lo, int64_t hi)
{
	int before = offset_at(z, lo);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		*(offset_at(z, mid) == before ? &lo : &hi) = mid;
	}
	struct transition t = {before, offset_at(z, hi), icaltime_null_time()};
	t.wall = icaltime_from_timet_with_zone((time_t)(hi + before), 0,
	                                       icaltimezone_get_utc_timezone());
	t.wall.zone = NULL;
	return t;
}

/* The transitions of CHECK_YEAR, day by day; returns how many, or max + 1
 * when there are more than max. */
static int year_transitions(icaltimezone *z, struct transition *out, int max)
{
	int n = 0;
	int64_t t = check_year_start();
	for (int d = 0; d < 365; d++, t += 86400) {
		if (offset_at(z, t) == offset_at(z, t + 86400))
			continue;
		if (n == max)
			return max + 1;
		out[n++] = bisect(z, t, t + 86400);
	}
	return n;
}

/* An RRULE without UNTIL or COUNT: a rule still in force. */
static bool is_open_ended(icalcomponent *obs)
{
	icalproperty *p =
	    icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
	if (!p)
		return false;
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	return r.count == 0 && icaltime_is_null_time(r.until);
}

/* Collects the observances with rules in force; returns how many there
 * are (only the first max are stored). */
static int open_observances(icalcomponent *vtz, icalcomponent **out, int max)
{
	int n = 0;
	for (icalcomponent *c =
	         icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c; c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (!is_open_ended(c))
			continue;
		if (n < max)
			out[n] = c;
		n++;
	}
	return n;
}

static struct icalrecurrencetype rule_of(icalcomponent *obs)
{
	return icalproperty_get_rrule(
	    icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY));
}

/* The first onset of a rule in `year`, at the time of day of tod. */
static int first_onset(struct icalrecurrencetype r, int year,
                       const struct icaltimetype *tod,
                       struct icaltimetype *onset_r)
{
	struct icaltimetype from = *tod;
	from.year = year;
	from.month = from.day = 1;
	icalrecur_iterator *it = icalrecur_iterator_new(r, from);
	if (!it)
		return -1;
	struct icaltimetype t = icalrecur_iterator_next(it);
	icalrecur_iterator_free(it);
	if (icaltime_is_null_time(t) || t.year != year)
		return -1;
	*onset_r = t;
	return 0;
}

/* The observance among obs[0..n) whose rule gives transition t. */
static icalcomponent *rule_for(icalcomponent **obs, int n,
                               const struct transition *t)
{
	for (int i = 0; i < n; i++) {
		struct icaltimetype onset;
		if (first_onset(rule_of(obs[i]), CHECK_YEAR, &t->wall,
		                &onset) == 0 &&
		    icaltime_compare(onset, t->wall) == 0)
			return obs[i];
	}
	return NULL;
}

static const char *tzname_of(icalcomponent *obs)
{
	icalproperty *p =
	    obs ? icalcomponent_get_first_property(obs, ICAL_TZNAME_PROPERTY)
	        : NULL;
	return p ? icalproperty_get_tzname(p) : NULL;
}

/* A STANDARD or DAYLIGHT sub-component: DTSTART, RRULE (if any), TZNAME,
 * TZOFFSETFROM, TZOFFSETTO. */
static void add_sub(icalcomponent *vtz, bool is_dst, struct icaltimetype start,
                    const struct icalrecurrencetype *rule, const char *name,
                    int from, int to)
{
	icalcomponent *sub = is_dst ? icalcomponent_new_xdaylight()
	                            : icalcomponent_new_xstandard();
	icalcomponent_add_property(sub, icalproperty_new_dtstart(start));
	if (rule)
		icalcomponent_add_property(sub, icalproperty_new_rrule(*rule));
	if (name)
		icalcomponent_add_property(sub, icalproperty_new_tzname(name));
	icalcomponent_add_property(sub, icalproperty_new_tzoffsetfrom(from));
	icalcomponent_add_property(sub, icalproperty_new_tzoffsetto(to));
	icalcomponent_add_component(vtz, sub);
}

/* One observance of a zone with daylight saving, from its 1970 onset. The
 * one with the larger offset is DAYLIGHT, as Outlook has it (tzdata gives
 * Ireland a negative saving, so libical calls Dublin's winter DAYLIGHT). */
static int add_rule_sub(icalcomponent *vtz, icalcomponent *obs,
                        const struct transition *t, bool is_dst)
{
	struct icalrecurrencetype r = rule_of(obs);
	struct icaltimetype onset;
	if (first_onset(r, 1970, &t->wall, &onset) < 0)
		return -1;
	add_sub(vtz, is_dst, onset, &r, tzname_of(obs), t->from, t->to);
	return 0;
}

/* The latest-starting observance with a given offset: its TZNAME is the
 * one a zone without daylight saving uses today. */
static icalcomponent *final_observance(icalcomponent *vtz, int offset)
{
	icalcomponent *best = NULL;
	struct icaltimetype best_start = icaltime_null_time();
	for (icalcomponent *c =
	         icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c; c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(
		    c, ICAL_TZOFFSETTO_PROPERTY);
		struct icaltimetype s = icalcomponent_get_dtstart(c);
		if (!p || icalproperty_get_tzoffsetto(p) != offset)
			continue;
		if (!best || icaltime_compare(s, best_start) > 0) {
			best = c;
			best_start = s;
		}
	}
	return best;
}

/* A zone without transitions: one STANDARD from 1970. */
static void add_fixed(icalcomponent *vtz, icaltimezone *z, icalcomponent *full)
{
	int off = offset_at(z, check_year_start());
	icalcomponent *last = full ? final_observance(full, off) : NULL;
	const char *name = last ? tzname_of(last) : off == 0 ? "UTC" : NULL;
	add_sub(vtz, false, icaltime_from_string("19700101T000000"), NULL, name,
	        off, off);
}

/*
 * Zones with no transition in CHECK_YEAR get one STANDARD; zones with two,
 * each given by a rule in force, get STANDARD and DAYLIGHT. Anything else
 * (Morocco's offset follows Ramadan; Cairo's autumn rule says "Thursday
 * 24:00") has no compact form.
 */
static int add_observances(icalcomponent *vtz, icaltimezone *z)
{
	icalcomponent *full = icaltimezone_get_component(z), *obs[2];
	struct transition t[2];
	int nt = year_transitions(z, t, 2);
	int no = full ? open_observances(full, obs, 2) : 0;
	if (nt == 0) {
		add_fixed(vtz, z, full);
		return 0;
	}
	if (nt != 2 || no != 2)
		return -1;
	icalcomponent *rule[2] = {rule_for(obs, 2, &t[0]),
	                          rule_for(obs, 2, &t[1])};
	if (!rule[0] || !rule[1] || rule[0] == rule[1] || t[0].to == t[1].to)
		return -1;
	int std = t[0].to < t[1].to ? 0 : 1; /* the change to standard time */
	if (add_rule_sub(vtz, rule[std], &t[std], false) < 0 ||
	    add_rule_sub(vtz, rule[1 - std], &t[1 - std], true) < 0)
		return -1;
	return 0;
}

static char *build_vtimezone(const char *tzid)
{
	icaltimezone *z = zone_builtin(tzid);
	if (!z)
		return NULL;
	icalcomponent *vtz = icalcomponent_new_vtimezone();
	icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
	char *text = NULL;
	if (add_observances(vtz, z) == 0)
		text = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	return text;
}

/* VTIMEZONE texts by TZID, built once per process: a feed server renders
 * the same few zones into thousands of feeds. */
static struct {
	pthread_mutex_t lock;
	struct tz_entry {
		char *tzid, *text; /* text NULL: the zone is unknown */
	} * v;
	size_t n;
} tz_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

#define TZ_CACHE_MAX 64 /* distinct zones remembered, unknown ones too */

/* The cached VTIMEZONE text (owned by the cache), or NULL if unknown. */
static const char *vtimezone_cached(const char *tzid)
{
	const char *text = NULL;
	pthread_mutex_lock(&tz_cache.lock);
	size_t i = 0;
	while (i < tz_cache.n && strcmp(tz_cache.v[i].tzid, tzid) != 0)
		i++;
	if (i == tz_cache.n && tz_cache.n < TZ_CACHE_MAX) {
		tz_cache.v = xrealloc(tz_cache.v,
		                      (tz_cache.n + 1) * sizeof(*tz_cache.v));
		tz_cache.v[i].tzid = xstrdup(tzid);
		tz_cache.v[i].text = build_vtimezone(tzid);
		tz_cache.n++;
	}
	if (i < tz_cache.n)
		text = tz_cache.v[i].text;
	pthread_mutex_unlock(&tz_cache.lock);
	return text;
}

char *render_vtimezone(const char *tzid)
{
	const char *text = vtimezone_cached(tzid);
	if (text)
		return xstrdup(text);
	/* Past the cache's size: build without remembering. */
	return build_vtimezone(tzid);
}

/* ---- the feed ---- */

static void add_x(icalcomponent *cal, const char *name, const char *value)
{
	/* libical writes X- values as they are, escaping only backslashes (an
	 * unescaped comma in a one-value text is read fine everywhere), so a
	 * line break would end the line: control characters become spaces. */
	char *v = xstrdup(value);
	for (char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	icalproperty *p = icalproperty_new_x(v);
	free(v);
	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(cal, p);
}

/* libical's text of a VCALENDAR without components, cut before its
 * "END:VCALENDAR" line, so that the pre-rendered blocks can go in between
 * without being parsed back into components. */
struct frame {
	char *head, *tail;
};

/* Cuts libical's text of cal before "END:VCALENDAR"; frees cal. */
static struct frame frame_of(icalcomponent *cal)
{
	struct frame f = {icalcomponent_as_ical_string_r(cal), NULL};
	icalcomponent_free(cal);
	char *end = strstr(f.head, "END:VCALENDAR");
	f.tail = xstrdup(end ? end : "END:VCALENDAR\r\n");
	if (end)
		*end = '\0';
	return f;
}

static struct frame feed_frame(const struct render_feed_opts *o)
{
	int minutes = o->refresh_minutes > 0 ? o->refresh_minutes : 60;
	struct icaldurationtype every = icaldurationtype_from_int(minutes * 60);
	icalcomponent *cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid(RENDER_PRODID));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (o->imip_method) {
		icalcomponent_add_property(
		    cal, icalproperty_new_method(
		             icalproperty_string_to_method(o->imip_method)));
		return frame_of(cal);
	}
	icalcomponent_add_property(
	    cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	add_x(cal, "X-WR-CALNAME",
	      o->calname && *o->calname ? o->calname : "wijkcal");
	add_x(cal, "X-WR-TIMEZONE",
	      o->tzid && *o->tzid ? o->tzid : WIJKCAL_TZID);
	icalproperty *p = icalproperty_new_refreshinterval(every);
	icalproperty_add_parameter(
	    p, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	char *ttl = icaldurationtype_as_ical_string_r(every);
	add_x(cal, "X-PUBLISHED-TTL", ttl);
	free(ttl);
	return frame_of(cal);
}

static bool seen_before(const char *const *v, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(v[j], v[i]) == 0)
			return true;
	return false;
}

char *render_feed(const struct render_feed_opts *o, const char *const *tzids,
                  size_t ntzids, const char *const *blocks, size_t nblocks,
                  size_t *len_r)
{
	struct frame f = feed_frame(o);
	const char **parts = xcalloc(ntzids + nblocks + 2, sizeof(*parts));
	size_t n = 0, total = 0;
	parts[n++] = f.head;
	for (size_t i = 0; i < ntzids; i++) {
		/* UTC times carry a "Z" and need no VTIMEZONE. */
		if (!seen_before(tzids, i) && !zone_is_utc(tzids[i]))
			parts[n] = vtimezone_cached(tzids[i]);
		n += parts[n] != NULL;
	}
	for (size_t i = 0; i < nblocks; i++)
		parts[n++] = blocks[i];
	parts[n++] = f.tail;
	for (size_t i = 0; i < n; i++)
		total += strlen(parts[i]);
	char *out = xmalloc(total + 1), *p = out;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);
		memcpy(p, parts[i], len);
		p += len;
	}
	*p = '\0';
	free(parts);
	free(f.head);
	free(f.tail);
	if (len_r)
		*len_r = total;
	return out;
}
