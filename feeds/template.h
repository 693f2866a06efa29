/*
 * template: the small template language of the mail texts
 * (etc/templates/). A template is text with tags:
 *
 *   {{field}}               the field's value
 *   {{#field}} ... {{/field}}  shown only when the field is not empty
 *   {{^field}} ... {{/field}}  shown only when the field is empty
 *   {{! comment }}          left out
 *
 * A section, inverted-section, closing or comment tag alone on its line
 * takes the whole line with it, so templates can put them on lines of
 * their own. Field names are checked when the template is parsed, so an
 * unknown field is found at load time, not when a mail goes out. In an
 * HTML template every value is HTML-escaped and its line breaks become
 * <br>; the template's own text is taken as it is.
 */
#ifndef WIJKCAL_TEMPLATE_H
#define WIJKCAL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest template text and deepest nesting of sections accepted. */
#define TEMPLATE_MAX_BYTES (64 * 1024)
#define TEMPLATE_MAX_DEPTH 8

struct template;

/*
 * Parses text as a template whose fields are the NULL-terminated list
 * `fields` (the list must outlive the template). `name` stands for the
 * text in messages (a file path). Returns the template (free with
 * template_free) or NULL with "NAME:LINE: what is wrong" in *error_r.
 */
struct template *template_parse(const char *text, const char *name,
                                const char *const *fields, bool html,
                                char **error_r);

/*
 * Renders t with values[i] the value of fields[i] of template_parse (NULL
 * or "" is empty). Returns the text; the caller frees it.
 */
char *template_render(const struct template *t, const char *const *values);

/* Frees *t and sets it to NULL. */
void template_free(struct template **t);

#endif
