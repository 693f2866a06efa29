/*
 * token: the secret in the URL of a private feed. A token is derived, not
 * stored, so the CLI can print a URL again at any time:
 *
 *   token = base32(HMAC-SHA256(site key, IDENTITY "\n" COUNTER)[0..20))
 *
 * IDENTITY is "person:EMAIL" or "wijk-internal:SLUG" (neither may hold a
 * newline), COUNTER the feed's revocation counter in decimal; base32 is
 * RFC 4648's alphabet in lower case without padding, so a token is 32
 * characters of [a-z2-7] carrying 160 bits. Revoking a feed raises its
 * counter, which gives a new token.
 *
 * The site key is 32 random bytes in its own file beside the database
 * (DB ".key"). The database keeps only the SHA-256 of each live token
 * (token_hash), for lookup: a copy of the database alone opens nothing.
 */
#ifndef WIJKCAL_TOKEN_H
#define WIJKCAL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_KEY_BYTES 32 /* size of the site key and its file */
#define TOKEN_LEN       32 /* characters of a token */
#define TOKEN_HASH_LEN  64 /* hex digits of a token's SHA-256 */

/* Whose feed a token opens. */
enum token_kind {
	TOKEN_PERSON,        /* a person's own feed; id is the e-mail */
	TOKEN_WIJK_INTERNAL, /* every event of a wijk; id is the slug */
};

struct token_key {
	unsigned char bytes[TOKEN_KEY_BYTES];
};

/* The key file of a database: db_path ".key". The caller frees. */
char *token_key_path(const char *db_path);

/*
 * Reads the site key from path into *key_r. A missing file is created
 * first (32 bytes from getrandom, mode 0640, group `wijkcal` when that
 * group exists); the file appears whole or not at all, and when two
 * processes race, both end up with the same key. A file that is not a
 * regular file of 32 bytes, or that others may read or write, is refused.
 * Returns WK_OK, or WK_EIO with a message naming the file in *error_r.
 */
int token_key_load(const char *path, struct token_key *key_r, char **error_r);

/* "person" or "wijk-internal": the kind in identities and the database. */
const char *token_kind_name(enum token_kind kind);
/* The kind of a name from token_kind_name: 0, or -1 if unknown. */
int token_kind_parse(const char *name, enum token_kind *kind_r);

/* Writes the token of (kind, id, counter) into token_r, NUL-terminated. */
void token_derive(const struct token_key *key, enum token_kind kind,
                  const char *id, int64_t counter, char token_r[TOKEN_LEN + 1]);

/* The SHA-256 of len bytes of token as lowercase hex, NUL-terminated:
 * what the database keeps of a token. */
void token_hash(const char *token, size_t len, char hash_r[TOKEN_HASH_LEN + 1]);

/* True if s (len bytes) has a token's form: TOKEN_LEN of [a-z2-7]. */
bool token_well_formed(const char *s, size_t len);

/* Lowercase base32 without padding of n bytes into out, which must hold
 * TOKEN_BASE32_SIZE(n) bytes; NUL-terminated. */
#define TOKEN_BASE32_SIZE(n) (((n)*8 + 4) / 5 + 1)
void token_base32(const unsigned char *in, size_t n, char *out);

#endif
