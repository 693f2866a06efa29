/*
 * cli: what the noun files of the `wijkcal` command share. Each noun file
 * (wijk.c, event.c, ...) defines a `struct cli_noun` with a table of verbs;
 * main.c parses the global options and dispatches. Handlers return a
 * sysexits.h code; errors are printed once, by cli_error.
 */
#ifndef WIJKCAL_CLI_H
#define WIJKCAL_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <sysexits.h>

#include "core/config.h"
#include "core/store.h"

struct cli {
	struct config cfg;
	const char *db_path; /* --db, else cfg.database */
	bool json;           /* --json */
	struct store *st;    /* opened by cli_store */
};

struct cli_verb {
	const char *name;
	const char *usage; /* arguments after "wijkcal NOUN VERB" */
	const char *help;  /* one line */
	int (*run)(struct cli *c, int argc, char **argv);
};

struct cli_noun {
	const char *name;
	const char *help;
	const struct cli_verb *verbs; /* ends with a {NULL} entry; a noun
	                                 without verbs has one verb named ""
	                                 that takes the arguments */
};

extern const struct cli_noun noun_init, noun_wijk, noun_practice, noun_org,
    noun_person, noun_event, noun_agenda, noun_import, noun_export, noun_feed,
    noun_config, noun_backup, noun_outbox, noun_mail;

/* Prints "wijkcal: MESSAGE" on stderr; returns the sysexits code for the
 * error kind (see cli_exit_code). */
int cli_error(int wk_err, const char *msg);
/* cli_error(rc, *err), then frees *err; returns the exit code. */
int cli_fail(int wk_err, char **err);
/* Maps an enum wk_err to sysexits.h. */
int cli_exit_code(int wk_err);
/* Prints "wijkcal: message" and the verb's usage; returns EX_USAGE. */
int cli_usage_error(const char *noun, const struct cli_verb *v, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));
/* Opens the database (once) in the given mode; returns 0 or an exit code
 * after printing the error. */
int cli_store(struct cli *c, enum store_mode mode);
/* Runs a write: BEGIN IMMEDIATE, fn, COMMIT (or ROLLBACK on failure). */
int cli_write(struct cli *c, int (*fn)(struct cli *c, void *arg, char **err),
              void *arg);

/*
 * Output: a result is a JSON array of objects. With --json it is printed as
 * JSON; otherwise as a table with the given columns (keys of the objects,
 * NULL-terminated). Takes ownership of rows.
 */
void cli_print_table(struct cli *c, json_t *rows, const char *const *columns);
/* One object: --json prints it, else "key: value" lines. Takes ownership. */
void cli_print_object(struct cli *c, json_t *obj);

/* The option callback of a verb without options of its own. */
int cli_no_options(void *arg, int code, const char *value, char **err);

/* Returned by cli_getopt after --help was printed: the verb exits 0. */
#define CLI_HELP_SHOWN (-1)

/*
 * Option parsing shared by verbs: parses argv with getopt_long (optind is
 * reset), calling `opt(c, arg, code, optarg, &err)` per option; positional
 * arguments are left in argv[optind..]. Returns 0, CLI_HELP_SHOWN after
 * --help, or an exit code (an unknown option prints the usage). The option
 * callback returns 0, or a wk_err with *err set.
 */
int cli_getopt(const char *noun, const struct cli_verb *v, int argc,
               char **argv, const struct option *opts,
               int (*opt)(void *arg, int code, const char *value, char **err),
               void *arg, int *optind_r);

#endif
