/* router: request path to route, header parsers, log redaction. */
#include "daemon/router.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/token.h"
#include "core/util.h"

/* The feeds: URL folder, feed type and metrics label. */
static const struct {
	const char *prefix;
	enum feed_type feed;
	enum route_label label;
} feed_routes[] = {
    {"/feeds/wijk/", FEED_WIJK, LABEL_WIJK},
    {"/feeds/practice/", FEED_PRACTICE, LABEL_PRACTICE},
    {"/feeds/kind/", FEED_KIND, LABEL_KIND},
    {"/feeds/private/", FEED_TOKEN, LABEL_PRIVATE},
};

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool equals(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Letters, digits and "-._~/": all a valid path ever holds. */
static bool path_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '/';
}

/* True if some segment is empty ("//"), "." or "..". */
static bool has_bad_segment(const char *path, size_t len)
{
	size_t start = 1;
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		size_t n = i - start;
		const char *seg = path + start;
		bool last = i == len;
		if ((n == 0 && !last) || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		start = i + 1;
	}
	return false;
}

/* 0 if the path is well formed, else the status to answer. */
static int path_status(const char *path, size_t len)
{
	if (len > ROUTER_MAX_PATH)
		return 414;
	if (len == 0 || path[0] != '/')
		return 400;
	for (size_t i = 0; i < len; i++)
		if (!path_byte_ok((unsigned char)path[i]))
			return 400;
	return has_bad_segment(path, len) ? 400 : 0;
}

/* A slug or kind: 1 to 64 of [a-z0-9-], not starting with '-'. */
static bool key_ok(const char *s, size_t n)
{
	if (n == 0 || n > ROUTER_KEY_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* The agenda pages: "/" and a slug or token below a folder. */
static const struct {
	const char *prefix;
	enum route_kind kind;
} page_routes[] = {
    {"/wijk/", ROUTE_WIJK_PAGE},
    {"/private/", ROUTE_PRIVATE_PAGE},
};

static bool is_page(const char *path, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(page_routes); i++)
		if (starts_with(path, len, page_routes[i].prefix))
			return true;
	return equals(path, len, "/");
}

/* Fills r for a page path; false if the path is no page. */
static bool match_page(const char *path, size_t len, struct route *r)
{
	if (equals(path, len, "/")) {
		r->kind = ROUTE_INDEX;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(page_routes); i++) {
		size_t plen = strlen(page_routes[i].prefix);
		if (!starts_with(path, len, page_routes[i].prefix))
			continue;
		const char *key = path + plen;
		size_t n = len - plen;
		if (page_routes[i].kind == ROUTE_PRIVATE_PAGE
		        ? !token_well_formed(key, n)
		        : !key_ok(key, n))
			return true; /* 404 */
		memcpy(r->key, key, n);
		r->key[n] = '\0';
		r->kind = page_routes[i].kind;
		return true;
	}
	return false;
}

static enum route_label label_of(const char *path, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(feed_routes); i++)
		if (starts_with(path, len, feed_routes[i].prefix))
			return feed_routes[i].label;
	if (equals(path, len, "/healthz"))
		return LABEL_HEALTHZ;
	if (equals(path, len, "/metrics"))
		return LABEL_METRICS;
	if (is_page(path, len))
		return LABEL_PAGE;
	return LABEL_OTHER;
}

/* Fills r for a well-formed path; a route it does not know is 404. */
static void match_path(const char *path, size_t len, struct route *r)
{
	r->kind = ROUTE_ERROR;
	r->status = 404;
	if (equals(path, len, "/healthz")) {
		r->kind = ROUTE_HEALTHZ;
		return;
	}
	if (equals(path, len, "/metrics")) {
		r->kind = ROUTE_METRICS;
		return;
	}
	if (match_page(path, len, r))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(feed_routes); i++) {
		size_t plen = strlen(feed_routes[i].prefix);
		if (!starts_with(path, len, feed_routes[i].prefix) ||
		    len < plen + 4 || memcmp(path + len - 4, ".ics", 4) != 0)
			continue;
		const char *key = path + plen;
		size_t n = len - plen - 4;
		if (feed_routes[i].feed == FEED_TOKEN
		        ? !token_well_formed(key, n)
		        : !key_ok(key, n))
			return;
		memcpy(r->key, key, n);
		r->key[n] = '\0';
		r->feed = feed_routes[i].feed;
		r->kind = ROUTE_FEED;
		return;
	}
}

void router_match(const char *method, const char *path, size_t len,
                  struct route *r_out)
{
	memset(r_out, 0, sizeof(*r_out));
	r_out->status = path_status(path, len);
	if (r_out->status != 0) {
		r_out->kind = ROUTE_ERROR;
		r_out->label = LABEL_OTHER;
		return;
	}
	r_out->label = label_of(path, len);
	match_path(path, len, r_out);
	if (r_out->kind == ROUTE_ERROR)
		return;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		r_out->kind = ROUTE_ERROR;
		r_out->status = 405;
		r_out->key[0] = '\0';
	}
}

const char *router_label_name(enum route_label label)
{
	static const char *const names[] = {
	    [LABEL_WIJK] = "wijk",       [LABEL_PRACTICE] = "practice",
	    [LABEL_KIND] = "kind",       [LABEL_PRIVATE] = "private",
	    [LABEL_HEALTHZ] = "healthz", [LABEL_METRICS] = "metrics",
	    [LABEL_PAGE] = "page",       [LABEL_OTHER] = "other"};
	return (unsigned)label < ROUTE_LABELS ? names[label] : "other";
}

/* ---- header lists: "a;q=0.5, b" ---- */

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_ows(const char *s)
{
	while (is_ows(*s))
		s++;
	return s;
}

/*
 * Parses a qvalue ("0", "0.5", "1", "1.000") at s, up to end. Returns the
 * weight in thousandths, or -1 if it is not a qvalue.
 */
static int parse_qvalue(const char *s, const char *end)
{
	while (end > s && is_ows(end[-1]))
		end--;
	if (end == s || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	const char *p = s + 1;
	if (p < end && *p == '.') {
		int scale = 100;
		for (p++; p < end && *p >= '0' && *p <= '9' && scale > 0; p++) {
			q += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return p == end && q <= 1000 ? q : -1;
}

/* The q of one list element's parameters (s .. end, after the token):
 * 1000 when absent, -1 when malformed. */
static int element_q(const char *s, const char *end)
{
	int q = 1000;
	while (s < end) {
		s = skip_ows(s);
		if (s >= end)
			break;
		if (*s != ';')
			return -1;
		s = skip_ows(s + 1);
		const char *next = memchr(s, ';', (size_t)(end - s));
		if (next == NULL)
			next = end;
		if (next - s >= 2 && (s[0] == 'q' || s[0] == 'Q') &&
		    s[1] == '=')
			q = parse_qvalue(s + 2, next);
		if (q < 0)
			return -1;
		s = next;
	}
	return q;
}

bool router_accepts_gzip(const char *accept_encoding)
{
	int gzip_q = -1, star_q = -1;
	const char *s = accept_encoding;
	while (s && *s) {
		s = skip_ows(s);
		const char *end = strchr(s, ',');
		if (end == NULL)
			end = s + strlen(s);
		size_t n = 0;
		while (s + n < end && s[n] != ';' && !is_ows(s[n]))
			n++;
		int q = element_q(s + n, end);
		if (q >= 0 && ((n == 4 && strncasecmp(s, "gzip", 4) == 0) ||
		               (n == 6 && strncasecmp(s, "x-gzip", 6) == 0)))
			gzip_q = q > gzip_q ? q : gzip_q;
		else if (q >= 0 && n == 1 && *s == '*')
			star_q = q;
		s = *end ? end + 1 : end;
	}
	return gzip_q >= 0 ? gzip_q > 0 : star_q > 0;
}

/* True if the quoted tag at s (length n, quotes included) equals tag. */
static bool same_tag(const char *s, size_t n, const char *tag)
{
	if (tag == NULL)
		return false;
	if (strncmp(tag, "W/", 2) == 0)
		tag += 2;
	return strlen(tag) == n && memcmp(s, tag, n) == 0;
}

bool router_etag_match(const char *if_none_match, const char *etag_a,
                       const char *etag_b)
{
	const char *s = if_none_match;
	while (s && *s) {
		s = skip_ows(s);
		if (*s == '*')
			return true;
		if (strncmp(s, "W/", 2) == 0)
			s += 2;
		if (*s != '"')
			return false;
		const char *close = strchr(s + 1, '"');
		if (close == NULL)
			return false;
		size_t n = (size_t)(close - s) + 1;
		if (same_tag(s, n, etag_a) || same_tag(s, n, etag_b))
			return true;
		s = skip_ows(close + 1);
		if (*s != ',' && *s != '\0')
			return false;
		if (*s == ',')
			s++;
	}
	return false;
}

/* ---- HTTP dates ---- */

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Reads n digits at s; -1 if they are not all digits. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int name_index(const char *s, const char (*names)[4], int n)
{
	for (int i = 0; i < n; i++)
		if (strncmp(s, names[i], 3) == 0)
			return i;
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int router_parse_http_date(const char *s, time_t *t_r)
{
	/* "Sun, 06 Nov 1994 08:49:37 GMT": fixed offsets, 29 bytes. */
	if (s == NULL || strlen(s) != 29 || name_index(s, days, 7) < 0 ||
	    memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    strcmp(s + 25, " GMT") != 0)
		return -1;
	int day = digits(s + 5, 2), mon = name_index(s + 8, months, 12);
	int year = digits(s + 12, 4), h = digits(s + 17, 2);
	int min = digits(s + 20, 2), sec = digits(s + 23, 2);
	if (day < 1 || day > 31 || mon < 0 || year < 1970 || h < 0 || h > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60)
		return -1;
	long d = days_from_civil(year, mon + 1, day);
	*t_r = (time_t)(d * 86400L + h * 3600L + min * 60L + sec);
	return 0;
}

void router_format_http_date(time_t t, char *buf)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, ROUTER_DATE_SIZE, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- access log ---- */

/* Where a token starts in path, or len if the path holds none. */
static size_t token_start(const char *path, size_t len)
{
	static const char *const secret_dirs[] = {"/feeds/private/",
	                                          "/private/"};
	for (size_t i = 0; i < ARRAY_SIZE(secret_dirs); i++)
		if (starts_with(path, len, secret_dirs[i]))
			return strlen(secret_dirs[i]);
	return len;
}

void router_log_path(const char *path, size_t len, char *buf, size_t size)
{
	size_t cut = token_start(path, len), o = 0;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)path[i];
		if (o + 8 >= size) {
			memcpy(buf + o, "...", 4);
			return;
		}
		if (c > 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (cut < len && o + 8 < size)
		o += (size_t)snprintf(buf + o, size - o, "[token]");
	buf[o] = '\0';
}
