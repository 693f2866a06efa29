/*
 * backup: a consistent copy of the database (SQLite's online backup API),
 * safe while the daemon runs, plus the key file of the private feed URLs.
 * Restoring is copying both back while the daemon is stopped (README,
 * "Backup and restore").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/token.h"
#include "core/util.h"

static int backup_run(struct cli *c, int argc, char **argv);

static const struct cli_verb backup_verbs[] = {
    {"", "FILE",
     "copy the database to FILE (a new file), and its key file to "
     "FILE.key; safe while the daemon runs",
     backup_run},
    {0}};

const struct cli_noun noun_backup = {"backup", "copy the database safely",
                                     backup_verbs};

/* Copies the key file (if there is one) next to the backup, 0640. */
static int copy_key(const char *db, const char *backup)
{
	char *from = token_key_path(db), *to = token_key_path(backup);
	size_t len = 0;
	char *data = read_file_max(from, 4096, &len, NULL);
	int code = EX_OK;
	if (data) {
		int fd = open(to, O_WRONLY | O_CREAT | O_EXCL, 0640);
		if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
		    fsync(fd) < 0) {
			fprintf(stderr, "wijkcal: %s: %s\n", to,
			        strerror(errno));
			code = EX_CANTCREAT;
		}
		if (fd >= 0)
			close(fd);
		explicit_bzero(data, len);
		free(data);
	}
	if (code == EX_OK && data)
		printf("key file copied to %s\n", to);
	free(from);
	free(to);
	return code;
}

static int backup_run(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("backup", &backup_verbs[0], argc, argv, NULL,
	                      cli_no_options, NULL, &first);
	if (code)
		return code;
	if (first + 1 != argc)
		return cli_usage_error("backup", &backup_verbs[0],
		                       "expected one FILE");
	if ((code = cli_store(c, STORE_READ)))
		return code;
	char *err = NULL;
	int rc = store_backup(c->st, argv[first], &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	printf("database copied to %s\n", argv[first]);
	return copy_key(c->db_path, argv[first]);
}
