/* org: partner organisations (welzijn, gemeente, apotheek, ...). */
#include <stdlib.h>

#include "cli/cli.h"
#include "core/util.h"

static int org_add(struct cli *c, int argc, char **argv);
static int org_list(struct cli *c, int argc, char **argv);

static const struct cli_verb org_verbs[] = {
    {"add", "SLUG --name NAME --kind KIND [--wijk WIJK]",
     "add a partner organisation", org_add},
    {"list", "", "list the organisations", org_list},
    {0}};

const struct cli_noun noun_org = {"org", "partner organisations", org_verbs};

static int org_opt(void *arg, int code, const char *value, char **err)
{
	struct org *o = arg;
	switch (code) {
	case 'n':
		o->name = (char *)value;
		return model_check_text(value, "--name", 200, err);
	case 'w':
		o->wijk = (char *)value;
		return model_check_slug(value, "--wijk", err);
	default:
		o->kind = (char *)value;
		if (!model_in_list(model_org_kinds, value))
			return set_error(err,
			                 "--kind: unknown organisation kind "
			                 "\"%s\" (expected one of %s)",
			                 value,
			                 model_list_text(model_org_kinds));
		return 0;
	}
}

static int add_tx(struct cli *c, void *arg, char **err)
{
	return store_org_add(c->st, arg, err);
}

static int org_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"kind", required_argument, NULL, 'k'},
	    {"wijk", required_argument, NULL, 'w'},
	    {0}};
	struct org o = {0};
	int first;
	int code = cli_getopt("org", &org_verbs[0], argc, argv, opts, org_opt,
	                      &o, &first);
	if (code)
		return code;
	if (first + 1 != argc || !o.name || !o.kind)
		return cli_usage_error("org", &org_verbs[0],
		                       "expected a slug, --name and --kind");
	char *err = NULL;
	if (model_check_slug(argv[first], "SLUG", &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	o.slug = argv[first];
	return cli_write(c, add_tx, &o);
}

static int org_list(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("org", &org_verbs[1], argc, argv, NULL, org_opt,
	                      NULL, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	struct org *list;
	size_t n;
	char *err = NULL;
	int rc = store_org_list(c->st, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
		    rows, json_pack("{s:s, s:s, s:s, s:s?}", "slug",
		                    list[i].slug, "name", list[i].name, "kind",
		                    list[i].kind, "wijk", list[i].wijk));
		org_free(&list[i]);
	}
	free(list);
	static const char *const columns[] = {"slug", "name", "kind", "wijk",
	                                      NULL};
	cli_print_table(c, rows, columns);
	return EX_OK;
}
