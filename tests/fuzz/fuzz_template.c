/*
 * libFuzzer target for feeds/template: parses arbitrary text as a template
 * (the first byte picks plain or HTML) and checks what the parser
 * promises. A parsed template renders with every field empty and with
 * every field set, and text without "{{" renders as it is; a refused one
 * gets a message "fuzz:LINE: ..." (or "fuzz: ..." for the whole text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feeds/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fields[] = {"name", "title", "when", NULL};

static void check_error(const char *err)
{
	if (err == NULL || strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > TEMPLATE_MAX_BYTES)
		return 0;
	bool html = data[0] & 1;
	char *text = xstrndup((const char *)data + 1, size - 1);
	char *err = NULL;
	struct template *t = template_parse(text, "fuzz", fields, html, &err);
	if (t == NULL) {
		check_error(err);
		free(err);
		free(text);
		return 0;
	}
	if (err != NULL)
		abort();
	static const char *const empty[] = {NULL, "", NULL};
	static const char *const set[] = {"Zo\xc3\xab <a>", "x\ny", "&"};
	char *a = template_render(t, empty);
	char *b = template_render(t, set);
	if (strstr(text, "{{") == NULL && strcmp(a, text) != 0)
		abort();
	free(a);
	free(b);
	template_free(&t);
	if (t != NULL)
		abort();
	free(text);
	return 0;
}
