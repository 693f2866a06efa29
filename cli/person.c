/* person: professionals and partners, their affiliations, and forgetting
 * them (AVG). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

static int person_add(struct cli *c, int argc, char **argv);
static int person_link(struct cli *c, int argc, char **argv);
static int person_list(struct cli *c, int argc, char **argv);
static int person_show(struct cli *c, int argc, char **argv);
static int person_forget(struct cli *c, int argc, char **argv);

static const struct cli_verb person_verbs[] = {
    {"add",
     "--name NAME --email EMAIL --role ROLE (--practice SLUG | --org SLUG) "
     "[--big NUMBER]",
     "add a person with a role at a practice or organisation", person_add},
    {"link", "EMAIL --role ROLE (--practice SLUG | --org SLUG)",
     "give a person another affiliation (a waarnemer at a second "
     "practice)",
     person_link},
    {"list", "", "list persons and their affiliations", person_list},
    {"show", "EMAIL", "show one person", person_show},
    {"forget", "EMAIL",
     "erase a person everywhere: record, affiliations, audiences (AVG)",
     person_forget},
    {0}};

const struct cli_noun noun_person = {"person", "professionals and partners",
                                     person_verbs};

struct person_opts {
	struct person p;
	struct affiliation a;
	char email[256];
};

/* E-mail addresses are kept in lower case so that lookups match. */
static int set_email(struct person_opts *o, const char *value, char **err)
{
	if (model_check_email(value, "--email", err) < 0)
		return WK_EINVAL;
	size_t i = 0;
	for (; value[i] && i + 1 < sizeof(o->email); i++)
		o->email[i] = (char)tolower((unsigned char)value[i]);
	o->email[i] = '\0';
	o->p.email = o->email;
	return 0;
}

static int person_opt(void *arg, int code, const char *value, char **err)
{
	struct person_opts *o = arg;
	switch (code) {
	case 'n':
		o->p.name = (char *)value;
		return model_check_text(value, "--name", 200, err);
	case 'e':
		return set_email(o, value, err);
	case 'r':
		o->a.role = (char *)value;
		if (!model_in_list(model_roles, value))
			return set_error(err,
			                 "--role: unknown role \"%s\" "
			                 "(expected one of %s)",
			                 value, model_list_text(model_roles));
		return 0;
	case 'p':
		o->a.practice = (char *)value;
		return model_check_slug(value, "--practice", err);
	case 'o':
		o->a.org = (char *)value;
		return model_check_slug(value, "--org", err);
	default:
		o->p.big = (char *)value;
		return model_check_text(value, "--big", 32, err);
	}
}

static const struct option person_options[] = {
    {"name", required_argument, NULL, 'n'},
    {"email", required_argument, NULL, 'e'},
    {"role", required_argument, NULL, 'r'},
    {"practice", required_argument, NULL, 'p'},
    {"org", required_argument, NULL, 'o'},
    {"big", required_argument, NULL, 'b'},
    {0}};

static bool one_affiliation(const struct affiliation *a)
{
	return a->role && ((a->practice != NULL) != (a->org != NULL));
}

static int add_tx(struct cli *c, void *arg, char **err)
{
	return store_person_add(c->st, arg, err);
}

static int person_add(struct cli *c, int argc, char **argv)
{
	struct person_opts o = {0};
	int first;
	int code = cli_getopt("person", &person_verbs[0], argc, argv,
	                      person_options, person_opt, &o, &first);
	if (code)
		return code;
	if (first != argc || !o.p.name || !o.p.email || !one_affiliation(&o.a))
		return cli_usage_error("person", &person_verbs[0],
		                       "expected --name, --email, --role and "
		                       "one of --practice or --org");
	o.p.aff = &o.a;
	o.p.naff = 1;
	return cli_write(c, add_tx, &o.p);
}

static int link_tx(struct cli *c, void *arg, char **err)
{
	struct person_opts *o = arg;
	return store_person_link(c->st, o->p.email, &o->a, err);
}

static int person_link(struct cli *c, int argc, char **argv)
{
	struct person_opts o = {0};
	int first;
	int code = cli_getopt("person", &person_verbs[1], argc, argv,
	                      person_options, person_opt, &o, &first);
	if (code)
		return code;
	char *err = NULL;
	if (first + 1 != argc || !one_affiliation(&o.a))
		return cli_usage_error("person", &person_verbs[1],
		                       "expected EMAIL, --role and one of "
		                       "--practice or --org");
	if (set_email(&o, argv[first], &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	return cli_write(c, link_tx, &o);
}

static json_t *person_json(const struct person *p)
{
	json_t *aff = json_array();
	for (size_t i = 0; i < p->naff; i++) {
		const struct affiliation *a = &p->aff[i];
		json_array_append_new(
		    aff, json_pack("{s:s, s:s*, s:s*}", "role", a->role,
		                   "practice", a->practice, "org", a->org));
	}
	return json_pack("{s:s, s:s, s:s?, s:o}", "email", p->email, "name",
	                 p->name, "big", p->big, "affiliations", aff);
}

/* "huisarts@linde, waarnemer@eik" for the table. */
static json_t *affiliation_text(const struct person *p)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < p->naff; i++)
		strbuf_appendf(&b, "%s%s@%s", i ? ", " : "", p->aff[i].role,
		               p->aff[i].practice ? p->aff[i].practice
		                                  : p->aff[i].org);
	char *s = strbuf_take(&b);
	json_t *v = json_string(s);
	free(s);
	return v;
}

static int person_list(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("person", &person_verbs[2], argc, argv, NULL,
	                      person_opt, NULL, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	struct person *list;
	size_t n;
	char *err = NULL;
	int rc = store_person_list(c->st, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *row = person_json(&list[i]);
		if (!c->json)
			json_object_set_new(row, "roles",
			                    affiliation_text(&list[i]));
		json_array_append_new(rows, row);
		person_free(&list[i]);
	}
	free(list);
	static const char *const columns[] = {"email", "name", "roles", NULL};
	cli_print_table(c, rows, columns);
	return EX_OK;
}

static int person_show(struct cli *c, int argc, char **argv)
{
	struct person_opts o = {0};
	int first;
	int code = cli_getopt("person", &person_verbs[3], argc, argv, NULL,
	                      person_opt, NULL, &first);
	if (code)
		return code;
	if (first + 1 != argc)
		return cli_usage_error("person", &person_verbs[3],
		                       "expected EMAIL");
	char *err = NULL;
	if (set_email(&o, argv[first], &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	if ((code = cli_store(c, STORE_READ)))
		return code;
	struct person p;
	int rc = store_person_get(c->st, o.email, &p, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *obj = person_json(&p);
	if (!c->json)
		json_object_set_new(obj, "affiliations", affiliation_text(&p));
	person_free(&p);
	cli_print_object(c, obj);
	return EX_OK;
}

static int forget_tx(struct cli *c, void *arg, char **err)
{
	return store_person_forget(c->st, arg, err);
}

static int person_forget(struct cli *c, int argc, char **argv)
{
	struct person_opts o = {0};
	int first;
	int code = cli_getopt("person", &person_verbs[4], argc, argv, NULL,
	                      person_opt, NULL, &first);
	if (code)
		return code;
	if (first + 1 != argc)
		return cli_usage_error("person", &person_verbs[4],
		                       "expected EMAIL");
	char *err = NULL;
	if (set_email(&o, argv[first], &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	code = cli_write(c, forget_tx, o.email);
	if (code == EX_OK)
		printf("%s forgotten\n", o.email);
	return code;
}
