/*
 * template: parses a template once into a flat list of nodes (text
 * slices, fields, section starts and ends) and renders it by walking that
 * list; a section that is not shown jumps to its end. See
 * feeds/template.h for the language.
 */
#include "feeds/template.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

enum node_type {
	NODE_TEXT,     /* text[start, start + len) as it is */
	NODE_FIELD,    /* the value of field */
	NODE_SECTION,  /* shown when field is not empty, up to node end */
	NODE_INVERTED, /* shown when field is empty, up to node end */
	NODE_END,      /* closes the section at the top of the stack */
};

struct node {
	enum node_type type;
	size_t start, len; /* NODE_TEXT: the slice; sections: tag position */
	size_t field;      /* index into fields; all but NODE_TEXT */
	size_t end;        /* sections: index of their NODE_END */
};

struct template
{
	char *text;
	const char *const *fields;
	bool html;
	struct node *nodes;
	size_t n, cap;
};

struct parser {
	struct template *t;
	const char *name;
	size_t stack[TEMPLATE_MAX_DEPTH]; /* open sections: node indexes */
	int depth;
	char **error_r;
};

/* The 1-based line of a byte position, for messages. */
static unsigned line_of(const char *text, size_t pos)
{
	unsigned line = 1;
	for (size_t i = 0; i < pos && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

static int parse_error(struct parser *p, size_t pos, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int parse_error(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	set_error(p->error_r, "%s:%u: %s", p->name, line_of(p->t->text, pos),
	          what);
	free(what);
	return -1;
}

static size_t add_node(struct template *t, enum node_type type, size_t start,
                       size_t len, size_t field)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->nodes = xrealloc(t->nodes, t->cap * sizeof(*t->nodes));
	}
	t->nodes[t->n] = (struct node){type, start, len, field, 0};
	return t->n++;
}

static void add_text(struct template *t, size_t from, size_t to)
{
	if (to > from)
		add_node(t, NODE_TEXT, from, to - from, 0);
}

/* The list of known fields, for the message about an unknown one. */
static char *field_list(const char *const *fields)
{
	struct strbuf b = {0};
	for (size_t i = 0; fields[i]; i++)
		strbuf_appendf(&b, "%s%s", i ? ", " : "", fields[i]);
	return strbuf_take(&b);
}

/* Finds the field named text[from, to) (spaces around it allowed). */
static int find_field(struct parser *p, size_t tag, size_t from, size_t to,
                      size_t *field_r)
{
	const char *s = p->t->text;
	while (from < to && s[from] == ' ')
		from++;
	while (to > from && s[to - 1] == ' ')
		to--;
	char *name = xstrndup(s + from, to - from);
	for (size_t i = 0; p->t->fields[i]; i++)
		if (strcmp(p->t->fields[i], name) == 0) {
			*field_r = i;
			free(name);
			return 0;
		}
	char *known = field_list(p->t->fields);
	parse_error(p, tag, "unknown field {{%s}} (expected one of: %s)", name,
	            known);
	free(known);
	free(name);
	return -1;
}

/*
 * A tag alone on its line (only blanks around it) is "standalone": the
 * line goes with it. Returns true and the line's bounds if so.
 */
static bool standalone(const char *s, size_t tag, size_t after,
                       size_t *line_start_r, size_t *next_line_r)
{
	size_t ls = tag;
	while (ls > 0 && s[ls - 1] != '\n') {
		if (s[ls - 1] != ' ' && s[ls - 1] != '\t')
			return false;
		ls--;
	}
	size_t e = after;
	while (s[e] == ' ' || s[e] == '\t' || s[e] == '\r')
		e++;
	if (s[e] != '\n' && s[e] != '\0')
		return false;
	*line_start_r = ls;
	*next_line_r = s[e] == '\n' ? e + 1 : e;
	return true;
}

/* Handles {{/field}}: it must close the innermost open section. */
static int close_section(struct parser *p, size_t tag, size_t field)
{
	struct template *t = p->t;
	const char *name = t->fields[field];
	if (p->depth == 0)
		return parse_error(p, tag, "{{/%s}} closes no section", name);
	size_t open = p->stack[p->depth - 1];
	if (t->nodes[open].field != field)
		return parse_error(p, tag, "{{/%s}} where {{/%s}} was expected",
		                   name, t->fields[t->nodes[open].field]);
	p->depth--;
	/* By index: adding the node may move the array. */
	size_t end = add_node(t, NODE_END, tag, 0, field);
	t->nodes[open].end = end;
	return 0;
}

/* One tag at text[tag] ("{{") to text[after] (past "}}"); inner is its
 * content. */
static int add_tag(struct parser *p, size_t tag, size_t inner, size_t close)
{
	const char *s = p->t->text;
	char sigil = s[inner];
	if (sigil == '!')
		return 0;
	bool section = sigil == '#' || sigil == '^' || sigil == '/';
	size_t field;
	if (find_field(p, tag, inner + section, close, &field) < 0)
		return -1;
	if (sigil == '/')
		return close_section(p, tag, field);
	if (!section) {
		add_node(p->t, NODE_FIELD, tag, 0, field);
		return 0;
	}
	if (p->depth == TEMPLATE_MAX_DEPTH)
		return parse_error(p, tag, "sections nested deeper than %d",
		                   TEMPLATE_MAX_DEPTH);
	p->stack[p->depth++] = add_node(
	    p->t, sigil == '#' ? NODE_SECTION : NODE_INVERTED, tag, 0, field);
	return 0;
}

/* Splits the text into nodes. */
static int parse_all(struct parser *p)
{
	const char *s = p->t->text;
	size_t pending = 0; /* start of text not yet put in a node */
	const char *open;
	while ((open = strstr(s + pending, "{{")) != NULL) {
		size_t tag = (size_t)(open - s);
		const char *close = strstr(open + 2, "}}");
		const char *nl = strchr(open + 2, '\n');
		if (close == NULL || (nl && nl < close))
			return parse_error(p, tag,
			                   "{{ without }} on the same line");
		size_t inner = tag + 2, end = (size_t)(close - s);
		size_t after = end + 2, ls, next;
		bool alone = s[inner] != '\0' && strchr("#^/!", s[inner]) &&
		             standalone(s, tag, after, &ls, &next);
		add_text(p->t, pending, alone ? ls : tag);
		if (add_tag(p, tag, inner, end) < 0)
			return -1;
		pending = alone ? next : after;
	}
	add_text(p->t, pending, strlen(s));
	if (p->depth > 0) {
		const struct node *o = &p->t->nodes[p->stack[p->depth - 1]];
		return parse_error(p, o->start, "{{%s%s}} is never closed",
		                   o->type == NODE_SECTION ? "#" : "^",
		                   p->t->fields[o->field]);
	}
	return 0;
}

struct template *template_parse(const char *text, const char *name,
                                const char *const *fields, bool html,
                                char **error_r)
{
	size_t n = strlen(text);
	if (n > TEMPLATE_MAX_BYTES) {
		set_error(error_r, "%s: longer than %d bytes", name,
		          TEMPLATE_MAX_BYTES);
		return NULL;
	}
	if (!utf8_valid(text, n)) {
		set_error(error_r, "%s: expected UTF-8 text", name);
		return NULL;
	}
	struct template *t = xcalloc(1, sizeof(*t));
	t->text = xstrdup(text);
	t->fields = fields;
	t->html = html;
	struct parser p = {.t = t, .name = name, .error_r = error_r};
	if (parse_all(&p) < 0) {
		template_free(&t);
		return NULL;
	}
	return t;
}

/* A value in HTML: escaped, its line breaks kept as <br>. */
static void append_html(struct strbuf *b, const char *v)
{
	const char *nl;
	while ((nl = strchr(v, '\n')) != NULL) {
		size_t len = (size_t)(nl - v);
		if (len && v[len - 1] == '\r')
			len--;
		char *line = xstrndup(v, len);
		strbuf_append_html(b, line);
		strbuf_append(b, "<br>\n");
		free(line);
		v = nl + 1;
	}
	strbuf_append_html(b, v);
}

char *template_render(const struct template *t, const char *const *values)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < t->n; i++) {
		const struct node *nd = &t->nodes[i];
		const char *v =
		    nd->type == NODE_TEXT ? NULL : values[nd->field];
		bool empty = v == NULL || *v == '\0';
		switch (nd->type) {
		case NODE_TEXT:
			strbuf_appendn(&b, t->text + nd->start, nd->len);
			break;
		case NODE_FIELD:
			if (empty)
				break;
			if (t->html)
				append_html(&b, v);
			else
				strbuf_append(&b, v);
			break;
		case NODE_SECTION:
			if (empty)
				i = nd->end;
			break;
		case NODE_INVERTED:
			if (!empty)
				i = nd->end;
			break;
		case NODE_END:
			break;
		}
	}
	return strbuf_take(&b);
}

void template_free(struct template **t)
{
	if (*t == NULL)
		return;
	free((*t)->text);
	free((*t)->nodes);
	free(*t);
	*t = NULL;
}
