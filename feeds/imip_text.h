/*
 * imip_text: the words of a mail about an event (subject, plain text and
 * HTML), rendered from the templates of etc/templates/: the built-in
 * Dutch ones compiled into the binaries, or an admin's own directory
 * (mail.templates_dir) holding any of the twelve files KIND.subject,
 * KIND.txt and KIND.html (KIND: invite, update, cancel, reminder); a file
 * the directory lacks is taken from the built-in set.
 */
#ifndef WIJKCAL_IMIP_TEXT_H
#define WIJKCAL_IMIP_TEXT_H

#include "core/config.h"
#include "feeds/imip.h"

/* The fields templates may use (NULL-terminated); etc/templates/README
 * describes them. */
extern const char *const imip_text_fields[];

struct imip_texts {
	char *subject; /* one line: no control characters or line separators */
	char *text;    /* the plain-text body */
	char *html;    /* the HTML body */
};

/*
 * Parsed templates kept between messages: a file of the template
 * directory is parsed again when it changes (its inode, size or time of
 * change), a built-in one once. Not thread-safe: one cache per thread.
 */
struct imip_text_cache;
struct imip_text_cache *imip_text_cache_new(void);
void imip_text_cache_free(struct imip_text_cache **cache);

/*
 * Renders the three texts of im with the templates of
 * cfg->mail_templates_dir (NULL: the built-in ones), kept in cache (may be
 * NULL: read and parsed for this call). Returns 0, or -1 with
 * "FILE:LINE: message" in *error_r when a template cannot be read or
 * parsed. Free the texts with imip_texts_free.
 */
int imip_text_render(const struct imip_message *im, const struct config *cfg,
                     struct imip_text_cache *cache, struct imip_texts *r,
                     char **error_r);
void imip_texts_free(struct imip_texts *t);

/*
 * Checks a template directory as the config loader does: it must be a
 * directory, and each template file in it must be readable UTF-8 and parse
 * with known fields only. Returns 0 or -1 with "FILE:LINE: message".
 */
int imip_text_check_dir(const char *dir, char **error_r);

/*
 * s as one line for a header: every run of control characters, Unicode
 * line or paragraph separators (C1 controls such as U+0085, U+2028,
 * U+2029) and blanks becomes
 * one space; blanks at both ends go. Caller frees.
 */
char *imip_text_one_line(const char *s);

#endif
