/* token: the site key file, deriving tokens, and their hashes. */
#include "core/token.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

#define KEY_MODE  0640      /* owner reads and writes, group reads */
#define KEY_GROUP "wijkcal" /* the service's group, when it exists */
#define TOKEN_MAC 20        /* bytes of the HMAC a token carries */

char *token_key_path(const char *db_path)
{
	return xasprintf("%s.key", db_path);
}

/* ---- the key file ---- */

/* Reads exactly n bytes; -1 on an error or a short file. */
static int read_all(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Refuses a key file that is not a private regular file of the right size. */
static int check_key_file(int fd, const char *path, char **error_r)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return set_error(error_r, "key file %s: %s", path,
		                 strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return set_error(error_r, "key file %s: not a regular file",
		                 path);
	if (sb.st_mode & S_IRWXO)
		return set_error(error_r,
		                 "key file %s is open to others (mode %04o); "
		                 "refusing to use it: make it private with "
		                 "`chmod 0640 %s`",
		                 path, (unsigned)(sb.st_mode & 07777), path);
	if (sb.st_size != TOKEN_KEY_BYTES)
		return set_error(error_r,
		                 "key file %s: expected %d bytes, found %lld",
		                 path, TOKEN_KEY_BYTES, (long long)sb.st_size);
	return 0;
}

/* WK_OK, WK_ENOTFOUND when the file does not exist, or WK_EIO. */
static int key_read(const char *path, struct token_key *key_r, char **error_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return WK_ENOTFOUND;
	if (fd < 0)
		return set_error(error_r, "key file %s: %s", path,
		                 strerror(errno)),
		       WK_EIO;
	int rc = check_key_file(fd, path, error_r) < 0 ? WK_EIO : WK_OK;
	if (rc == WK_OK && read_all(fd, key_r->bytes, TOKEN_KEY_BYTES) < 0) {
		set_error(error_r, "key file %s: cannot read it", path);
		rc = WK_EIO;
	}
	close(fd);
	return rc;
}

/* Gives the file the group of the installed service (`wijkcal`, which the
 * organisers who run the CLI are in), so that each of them derives the
 * same tokens; a system without that group, or a user outside it, keeps
 * the user's own group. */
static void set_key_group(int fd)
{
	char buf[16384];
	struct group gr, *found = NULL;
	if (getgrnam_r(KEY_GROUP, &gr, buf, sizeof(buf), &found) == 0 &&
	    found != NULL && fchown(fd, (uid_t)-1, found->gr_gid) < 0) {
		/* EPERM: not a member; the key still works for its owner. */
	}
}

/* Flushes the directory holding path, so that a new name survives a
 * crash. Best effort. */
static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Writes a new key to tmp (exclusively created, mode KEY_MODE); path is
 * the key file's name, for messages. */
static int write_new_key(const char *path, const char *tmp, char **error_r)
{
	unsigned char key[TOKEN_KEY_BYTES];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return set_error(error_r, "getrandom: %s", strerror(errno));
	unlink(tmp); /* left by a crashed run with our pid */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, KEY_MODE);
	if (fd < 0) {
		explicit_bzero(key, sizeof(key));
		return set_error(error_r, "key file %s: cannot create it: %s",
		                 path, strerror(errno));
	}
	set_key_group(fd);
	/* The umask may have taken the group's read bit: set it as meant. */
	bool ok = fchmod(fd, KEY_MODE) == 0 &&
	          write_all(fd, key, sizeof(key)) == 0 && fsync(fd) == 0;
	int saved = errno;
	ok = close(fd) == 0 && ok;
	explicit_bzero(key, sizeof(key));
	if (!ok)
		return set_error(error_r, "key file %s: cannot write it: %s",
		                 path, strerror(saved));
	return 0;
}

/*
 * Creates the key file. The key is written whole to a temporary name
 * and then linked to its real name, which fails if the name exists: a
 * concurrent creator wins, and everyone reads the one key that exists.
 */
static int key_create(const char *path, char **error_r)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = write_new_key(path, tmp, error_r);
	if (rc == 0 && link(tmp, path) < 0 && errno != EEXIST)
		rc = set_error(error_r, "key file %s: cannot create it: %s",
		               path, strerror(errno));
	unlink(tmp);
	free(tmp);
	if (rc == 0)
		sync_dir(path);
	return rc == 0 ? WK_OK : WK_EIO;
}

int token_key_load(const char *path, struct token_key *key_r, char **error_r)
{
	int rc = key_read(path, key_r, error_r);
	if (rc != WK_ENOTFOUND)
		return rc;
	rc = key_create(path, error_r);
	if (rc == WK_OK)
		rc = key_read(path, key_r, error_r);
	if (rc == WK_ENOTFOUND) {
		set_error(error_r, "key file %s: removed while in use", path);
		rc = WK_EIO;
	}
	return rc;
}

/* ---- tokens ---- */

static const char *const kind_names[] = {
    [TOKEN_PERSON] = "person",
    [TOKEN_WIJK_INTERNAL] = "wijk-internal",
};

const char *token_kind_name(enum token_kind kind)
{
	return kind_names[kind];
}

int token_kind_parse(const char *name, enum token_kind *kind_r)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*kind_r = (enum token_kind)i;
			return 0;
		}
	return -1;
}

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void token_base32(const unsigned char *in, size_t n, char *out)
{
	uint32_t bits = 0;
	int nbits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 8) | in[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[o++] = base32_alphabet[(bits >> nbits) & 31];
		}
	}
	if (nbits > 0)
		out[o++] = base32_alphabet[(bits << (5 - nbits)) & 31];
	out[o] = '\0';
}

void token_derive(const struct token_key *key, enum token_kind kind,
                  const char *id, int64_t counter, char token_r[TOKEN_LEN + 1])
{
	char *msg =
	    xasprintf("%s:%s\n%" PRId64, token_kind_name(kind), id, counter);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	if (HMAC(EVP_sha256(), key->bytes, TOKEN_KEY_BYTES,
	         (const unsigned char *)msg, strlen(msg), mac,
	         &maclen) == NULL ||
	    maclen < TOKEN_MAC)
		abort(); /* libcrypto without SHA-256: a broken install */
	free(msg);
	token_base32(mac, TOKEN_MAC, token_r);
	explicit_bzero(mac, sizeof(mac));
}

void token_hash(const char *token, size_t len, char hash_r[TOKEN_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(token, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != TOKEN_HASH_LEN)
		abort(); /* as in token_derive */
	for (unsigned i = 0; i < mdlen; i++) {
		hash_r[2 * i] = hex[md[i] >> 4];
		hash_r[2 * i + 1] = hex[md[i] & 15];
	}
	hash_r[TOKEN_HASH_LEN] = '\0';
}

bool token_well_formed(const char *s, size_t len)
{
	if (len != TOKEN_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}
