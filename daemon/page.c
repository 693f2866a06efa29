/* page: the agenda pages in HTML, and the links they offer. */
#include "daemon/page.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The one style sheet and the one script of every page. The
 * Content-Security-Policy admits exactly these bytes (page_csp). */
static const char style[] =
    ":root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;"
    "--bg:#fff;--card:#f6f8fa;--line:#d0d7de;--accent:#0b57d0;"
    "--on-accent:#fff;--warn:#b42318}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;"
    "--muted:#9aa4ae;--bg:#0d1117;--card:#161b22;--line:#30363d;"
    "--accent:#7cacf8;--on-accent:#0d1117;--warn:#ff8f87}}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:17px/1.5 system-ui,-apple-system,\"Segoe UI\","
    "Roboto,sans-serif;color:var(--fg);background:var(--bg);"
    "-webkit-text-size-adjust:100%}"
    "header,main,footer{max-width:44rem;margin:0 auto;padding:0 1rem}"
    "header{padding-top:1rem}"
    "h1{font-size:1.6rem;line-height:1.2;margin:.2rem 0 .8rem}"
    "h2{font-size:1.2rem;margin:1.6rem 0 .6rem}"
    "h3{font-size:1.05rem;line-height:1.3;margin:.15rem 0}"
    "p{margin:.3rem 0}"
    "a{color:var(--accent)}"
    ".crumb{font-size:.95rem}"
    ".note,.period,footer{color:var(--muted);font-size:.92rem}"
    ".private{border-left:4px solid var(--warn);padding-left:.7rem}"
    ".buttons{list-style:none;margin:.6rem 0;padding:0;display:grid;"
    "gap:.5rem;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr))}"
    ".btn{display:block;padding:.75rem 1rem;border-radius:.6rem;"
    "background:var(--accent);color:var(--on-accent);font-weight:600;"
    "text-align:center;text-decoration:none;border:0;font-size:1rem;"
    "font-family:inherit;cursor:pointer}"
    ".btn.alt{background:var(--card);color:var(--fg);"
    "border:1px solid var(--line)}"
    ".group{margin:.9rem 0 .2rem;font-weight:600}"
    ".copy{display:flex;gap:.5rem;margin:.4rem 0}"
    ".copy input{flex:1;min-width:0;padding:.6rem;font:inherit;"
    "font-size:.9rem;border:1px solid var(--line);border-radius:.6rem;"
    "background:var(--bg);color:var(--fg)}"
    ".events,.wijken{list-style:none;margin:0;padding:0}"
    ".event{border:1px solid var(--line);border-radius:.6rem;"
    "background:var(--card);padding:.7rem 1rem;margin:0 0 .7rem}"
    ".when{font-weight:600}"
    ".kind{color:var(--muted);font-size:.9rem}"
    ".cancelled h3 .title,.cancelled .when time{text-decoration:"
    "line-through}"
    ".badge{display:inline-block;margin-left:.4rem;padding:0 .5rem;"
    "border-radius:1rem;font-size:.8rem;font-weight:700;"
    "vertical-align:middle;border:1px solid var(--warn);"
    "color:var(--warn)}"
    ".wijken a{display:block;padding:.8rem 1rem;margin:0 0 .5rem;"
    "border:1px solid var(--line);border-radius:.6rem;"
    "background:var(--card);text-decoration:none;font-weight:600}"
    "footer{padding-top:1rem;padding-bottom:2rem}";

static const char script[] =
    "document.getElementById(\"kopieer\").addEventListener(\"click\","
    "function(){var i=document.getElementById(\"feed-url\"),b=this;"
    "function ok(){b.textContent=\"Gekopieerd\";}"
    "function old(){i.select();document.execCommand(\"copy\");ok();}"
    "if(navigator.clipboard&&window.isSecureContext)"
    "navigator.clipboard.writeText(i.value).then(ok,old);else old();});";

#define EN_DASH "\xe2\x80\x93"

/* ---- escaping and links ---- */

void page_escape(struct strbuf *b, const char *s)
{
	strbuf_append_html(b, s);
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

char *page_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p)) {
			strbuf_appendc(&b, (char)*p);
			continue;
		}
		char esc[4] = {'%', hex[*p >> 4], hex[*p & 15], '\0'};
		strbuf_append(&b, esc);
	}
	return strbuf_take(&b);
}

char *page_feed_url(const char *base_url, const char *path)
{
	size_t n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	while (*path == '/')
		path++;
	return xasprintf("%.*s/%s", (int)n, base_url, path);
}

char *page_webcal_url(const char *feed_url)
{
	static const char *const schemes[] = {"https://", "http://"};
	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(feed_url, schemes[i], n) == 0)
			return xasprintf("webcal://%s", feed_url + n);
	}
	return xstrdup(feed_url);
}

char *page_outlook_url(const char *host, const char *feed_url, const char *name)
{
	char *url = page_url_encode(feed_url);
	char *enc_name = page_url_encode(name);
	char *out = xasprintf("https://%s/calendar/0/addfromweb?url=%s&name=%s",
	                      host, url, enc_name);
	free(url);
	free(enc_name);
	return out;
}

char *page_google_url(const char *feed_url)
{
	char *webcal = page_webcal_url(feed_url);
	char *cid = page_url_encode(webcal);
	char *out =
	    xasprintf("https://calendar.google.com/calendar/r?cid=%s", cid);
	free(webcal);
	free(cid);
	return out;
}

/* ---- dates ---- */

void page_format_date(const struct wtime *t, bool with_weekday, char *buf,
                      size_t size)
{
	wtime_format_dutch(t, with_weekday, buf, size);
}

static bool same_day(const struct wtime *a, const struct wtime *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day;
}

void page_format_when(const struct wtime *start, const struct wtime *end,
                      char *buf, size_t size)
{
	char d1[48], d2[48];
	page_format_date(start, true, d1, sizeof(d1));
	page_format_date(end, true, d2, sizeof(d2));
	bool later_day = wtime_cmp(end, start) > 0 && !same_day(start, end);
	if (start->date_only && !later_day)
		snprintf(buf, size, "%s", d1);
	else if (start->date_only)
		snprintf(buf, size, "%s t/m %s", d1, d2);
	else if (later_day)
		snprintf(buf, size, "%s, %02d:%02d " EN_DASH " %s, %02d:%02d",
		         d1, start->hour, start->minute, d2, end->hour,
		         end->minute);
	else if (wtime_cmp(end, start) <= 0)
		snprintf(buf, size, "%s, %02d:%02d", d1, start->hour,
		         start->minute);
	else
		snprintf(buf, size, "%s, %02d:%02d" EN_DASH "%02d:%02d", d1,
		         start->hour, start->minute, end->hour, end->minute);
}

/* ---- the frame of a page ---- */

static void put(struct strbuf *b, const char *s)
{
	strbuf_append(b, s);
}

static void put_escaped(struct strbuf *b, const char *s)
{
	page_escape(b, s);
}

static void page_head(struct strbuf *b, const char *title, bool is_private)
{
	put(b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
	       "<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, "
	       "initial-scale=1\">\n"
	       "<meta name=\"referrer\" content=\"no-referrer\">\n");
	if (is_private)
		put(b,
		    "<meta name=\"robots\" content=\"noindex, nofollow\">\n");
	put(b, "<title>");
	put_escaped(b, title);
	put(b, "</title>\n<style>");
	put(b, style);
	put(b, "</style>\n</head>\n<body>\n");
}

static void page_foot(struct strbuf *b, bool with_script)
{
	put(b, "<footer><p>Gemaakt met wijkcal. Wijzigingen in de agenda "
	       "komen vanzelf in uw abonnement.</p></footer>\n");
	if (with_script) {
		put(b, "<script>");
		put(b, script);
		put(b, "</script>\n");
	}
	put(b, "</body>\n</html>\n");
}

char *page_index(const struct page_wijk *wijken, size_t n, size_t *len_r)
{
	struct strbuf b = {0};
	page_head(&b, "Wijkagenda's", false);
	put(&b, "<header><h1>Wijkagenda's</h1>\n<p>Kies uw wijk: u ziet de "
	        "komende bijeenkomsten en zet de agenda met een klik in uw "
	        "eigen agenda.</p></header>\n<main>\n");
	if (n == 0)
		put(&b, "<p>Er zijn nog geen wijken.</p>\n");
	else
		put(&b, "<ul class=\"wijken\">\n");
	for (size_t i = 0; i < n; i++) {
		put(&b, "<li><a href=\"/wijk/");
		put_escaped(&b, wijken[i].slug);
		put(&b, "\">");
		put_escaped(&b, wijken[i].name);
		put(&b, "</a></li>\n");
	}
	if (n > 0)
		put(&b, "</ul>\n");
	put(&b, "</main>\n");
	page_foot(&b, false);
	*len_r = b.len;
	return strbuf_take(&b);
}

/* ---- the subscribe section ---- */

/* <li><a class="btn CLASS" id="ID" href="HREF">LABEL</a></li>; takes
 * href. */
static void put_button(struct strbuf *b, const char *id, bool alt, char *href,
                       const char *label)
{
	put(b, "<li><a class=\"btn");
	put(b, alt ? " alt" : "");
	put(b, "\" id=\"");
	put(b, id);
	put(b, "\" href=\"");
	put_escaped(b, href);
	put(b, "\">");
	put(b, label);
	put(b, "</a></li>\n");
	free(href);
}

static void put_subscribe(struct strbuf *b, const struct page_agenda *a)
{
	const char *url = a->feed_url, *name = a->feed_name;
	put(b, "<section aria-labelledby=\"abonneren\">\n"
	       "<h2 id=\"abonneren\">Abonneren</h2>\n"
	       "<p>Zet deze agenda in uw eigen agenda. Wijzigingen komen er "
	       "vanzelf in.</p>\n<ul class=\"buttons\">\n");
	put_button(b, "sub-outlook", false, page_webcal_url(url),
	           "Abonneren in Outlook");
	put(b, "</ul>\n<p class=\"group\">Outlook.com / Microsoft 365</p>\n"
	       "<p class=\"note\">Outlook op het web: met een werkaccount "
	       "via Microsoft 365, met een persoonlijk account via "
	       "Outlook.com.</p>\n<ul class=\"buttons\">\n");
	put_button(b, "sub-m365", true,
	           page_outlook_url("outlook.office.com", url, name),
	           "Microsoft 365");
	put_button(b, "sub-outlookcom", true,
	           page_outlook_url("outlook.live.com", url, name),
	           "Outlook.com");
	put(b, "</ul>\n<p class=\"group\">Andere agenda's</p>\n"
	       "<ul class=\"buttons\">\n");
	put_button(b, "sub-google", true, page_google_url(url),
	           "Google Agenda");
	put_button(b, "sub-apple", true, page_webcal_url(url), "Apple Agenda");
	put(b, "</ul>\n<p class=\"group\"><label for=\"feed-url\">Link van de "
	       "agenda</label></p>\n<div class=\"copy\"><input id=\"feed-url\" "
	       "type=\"text\" readonly value=\"");
	put_escaped(b, url);
	put(b, "\"><button class=\"btn\" id=\"kopieer\" type=\"button\">"
	       "Kopieer link</button></div>\n"
	       "<p class=\"note\">Outlook.com, Microsoft 365 en Google halen "
	       "een geabonneerde agenda maar eens in de paar uur op: een "
	       "wijziging op het laatste moment ziet u daar later. Dringende "
	       "wijzigingen krijgt u per mail.</p>\n</section>\n");
}

/* ---- the events ---- */

static bool is_web_url(const char *s)
{
	return s && (strncasecmp(s, "https://", 8) == 0 ||
	             strncasecmp(s, "http://", 7) == 0);
}

/* <a href="URL" rel="noopener noreferrer">LABEL</a>, or nothing for a URL
 * that is not http(s). */
static void put_link_line(struct strbuf *b, const char *url, const char *label)
{
	if (!is_web_url(url))
		return;
	put(b, "<p><a href=\"");
	put_escaped(b, url);
	put(b, "\" rel=\"noopener noreferrer\">");
	put(b, label);
	put(b, "</a></p>\n");
}

/* The datetime attribute of a <time>: "2027-01-12T12:30" or a date. */
static void put_datetime(struct strbuf *b, const struct wtime *t)
{
	char text[WTIME_STRLEN];
	wtime_format(t, text);
	if (!t->date_only)
		text[10] = 'T';
	put(b, text);
}

static void put_item(struct strbuf *b, const struct page_item *it)
{
	char when[PAGE_WHEN_SIZE];
	page_format_when(&it->start, &it->end, when, sizeof(when));
	put(b, it->cancelled ? "<li class=\"event cancelled\">\n"
	                     : "<li class=\"event\">\n");
	put(b, "<p class=\"when\"><time datetime=\"");
	put_datetime(b, &it->start);
	put(b, "\">");
	put(b, when);
	put(b, "</time></p>\n<h3><span class=\"title\">");
	put_escaped(b, it->title);
	put(b, "</span>");
	if (it->cancelled)
		put(b, "<span class=\"badge\">geannuleerd</span>");
	else if (it->moved)
		put(b, "<span class=\"badge\">verplaatst</span>");
	put(b, "</h3>\n");
	if (it->kind_label) {
		put(b, "<p class=\"kind\">");
		put_escaped(b, it->kind_label);
		put(b, "</p>\n");
	}
	if (it->location) {
		put(b, "<p class=\"where\">Locatie: ");
		put_escaped(b, it->location);
		put(b, "</p>\n");
	}
	put_link_line(b, it->online_url, "Online deelnemen");
	put_link_line(b, it->url, "Meer informatie");
	put(b, "</li>\n");
}

static void put_period(struct strbuf *b, const struct page_agenda *a)
{
	char from[48], to[48];
	struct wtime last = wtime_add_minutes(a->to, -1440);
	last.date_only = true;
	page_format_date(&a->from, false, from, sizeof(from));
	page_format_date(&last, false, to, sizeof(to));
	put(b, "<p class=\"period\">Van ");
	put(b, from);
	put(b, " t/m ");
	put(b, to);
	put(b, ".</p>\n");
}

static void put_events(struct strbuf *b, const struct page_agenda *a)
{
	put(b, "<section aria-labelledby=\"komend\">\n"
	       "<h2 id=\"komend\">Komende bijeenkomsten</h2>\n");
	put_period(b, a);
	if (a->nitems == 0)
		put(b, "<p>Er staat in deze periode niets gepland.</p>\n");
	else
		put(b, "<ol class=\"events\">\n");
	for (size_t i = 0; i < a->nitems; i++)
		put_item(b, &a->items[i]);
	if (a->nitems > 0)
		put(b, "</ol>\n");
	if (a->nmore > 0)
		strbuf_appendf(
		    b,
		    "<p class=\"note\">En nog %zu bijeenkomsten; het "
		    "abonnement bevat ze allemaal.</p>\n",
		    a->nmore);
	put(b, "</section>\n");
}

char *page_agenda(const struct page_agenda *a, size_t *len_r)
{
	struct strbuf b = {0};
	page_head(&b, a->heading, a->is_private);
	put(&b, "<header><p class=\"crumb\"><a href=\"/\">Alle wijken</a></p>"
	        "\n<h1>");
	put_escaped(&b, a->heading);
	put(&b, "</h1>\n");
	if (a->is_private)
		put(&b,
		    "<p class=\"private\">Dit is een persoonlijke link. "
		    "Deel hem niet: wie hem heeft, ziet deze agenda.</p>\n");
	put(&b, "</header>\n<main>\n");
	put_subscribe(&b, a);
	put_events(&b, a);
	put(&b, "</main>\n");
	page_foot(&b, true);
	*len_r = b.len;
	return strbuf_take(&b);
}

/* ---- Content-Security-Policy ---- */

/* "'sha256-BASE64'" of s into out (at least 80 bytes). */
static void csp_hash(const char *s, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char b64[64];
	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1)
		abort(); /* SHA-256 is always there */
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(out, size, "'sha256-%s'", (const char *)b64);
}

void page_csp(char *buf, size_t size)
{
	char st[80], sc[80];
	csp_hash(style, st, sizeof(st));
	csp_hash(script, sc, sizeof(sc));
	snprintf(buf, size,
	         "default-src 'none'; style-src %s; script-src %s; "
	         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	         st, sc);
}
