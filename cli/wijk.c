/* wijk: add and list neighbourhoods. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

static int wijk_add(struct cli *c, int argc, char **argv);
static int wijk_list(struct cli *c, int argc, char **argv);

static const struct cli_verb wijk_verbs[] = {
    {"add", "SLUG --name NAME", "add a wijk (neighbourhood)", wijk_add},
    {"list", "", "list the wijken", wijk_list},
    {0}};

const struct cli_noun noun_wijk = {"wijk", "neighbourhoods", wijk_verbs};

struct wijk_opts {
	const char *name;
};

static int wijk_opt(void *arg, int code, const char *value, char **err)
{
	((struct wijk_opts *)arg)->name = value;
	return 0;
}

static int add_tx(struct cli *c, void *arg, char **err)
{
	return store_wijk_add(c->st, arg, err);
}

static int wijk_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'}, {0}};
	struct wijk_opts o = {0};
	int first;
	int code = cli_getopt("wijk", &wijk_verbs[0], argc, argv, opts,
	                      wijk_opt, &o, &first);
	if (code)
		return code;
	if (first + 1 != argc || o.name == NULL)
		return cli_usage_error("wijk", &wijk_verbs[0],
		                       "expected a slug and --name");
	char *err = NULL;
	if (model_check_slug(argv[first], "SLUG", &err) < 0 ||
	    model_check_text(o.name, "--name", 200, &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	struct wijk w = {.slug = argv[first], .name = (char *)o.name};
	return cli_write(c, add_tx, &w);
}

static int wijk_list(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("wijk", &wijk_verbs[1], argc, argv, NULL,
	                      wijk_opt, NULL, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	struct wijk *list;
	size_t n;
	char *err = NULL;
	int rc = store_wijk_list(c->st, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(rows, json_pack("{s:s, s:s}", "slug",
		                                      list[i].slug, "name",
		                                      list[i].name));
		wijk_free(&list[i]);
	}
	free(list);
	static const char *const columns[] = {"slug", "name", NULL};
	cli_print_table(c, rows, columns);
	return EX_OK;
}
