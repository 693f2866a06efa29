/*
 * smtp: the libcurl SMTP client of daemon/smtp.h.
 */
#include "daemon/smtp.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/model.h"
#include "core/util.h"

#define CONNECT_TIMEOUT 30L /* seconds at most, within smtp.timeout */
#define REPLY_MAX       400 /* bytes of a server reply kept for messages */

struct smtp {
	CURL *curl;
	char *url, *from, *user, *password, *ca_file;
	long use_ssl, timeout;
	/* Per transaction. */
	struct upload {
		const char *p;
		size_t left;
	} upload;                     /* what read_cb has left to give */
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's text for a failure */
	char reply[REPLY_MAX];        /* the server's refusal, without CRLF */
	bool refused;                 /* reply holds a whole refusal */
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* ---- classification (pure) ---- */

/* libcurl's error text for a refused command names the command: "MAIL
 * failed: 550" (lib/smtp.c). These are the texts of libcurl 7.88. */
enum smtp_stage smtp_stage_of_error(const char *errbuf, bool uploaded)
{
	static const struct {
		const char *prefix;
		enum smtp_stage stage;
	} texts[] = {
	    {"Got unexpected smtp-server response", SMTP_STAGE_CONNECT},
	    {"Remote access denied", SMTP_STAGE_EHLO},
	    {"Unexpectedly short EHLO", SMTP_STAGE_EHLO},
	    {"STARTTLS", SMTP_STAGE_STARTTLS},
	    {"Authentication", SMTP_STAGE_AUTH},
	    {"MAIL failed", SMTP_STAGE_MAIL},
	    {"RCPT failed", SMTP_STAGE_RCPT},
	    {"DATA failed", SMTP_STAGE_DATA},
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (strncmp(errbuf, texts[i].prefix, strlen(texts[i].prefix)) ==
		    0)
			return texts[i].stage;
	/* The reply to the message's final dot has no text of its own
	 * ("Weird server reply"); by then the whole message was read. */
	return uploaded ? SMTP_STAGE_DATA : SMTP_STAGE_OTHER;
}

const char *smtp_stage_name(enum smtp_stage stage)
{
	static const char *const names[] = {
	    "the greeting", "EHLO",    "STARTTLS", "AUTH",
	    "MAIL FROM",    "RCPT TO", "DATA",     "a command"};
	return (unsigned)stage < ARRAY_SIZE(names) ? names[stage] : "?";
}

enum smtp_result smtp_classify(int curlcode, long reply, enum smtp_stage stage)
{
	bool recipient = stage == SMTP_STAGE_RCPT || stage == SMTP_STAGE_DATA;
	if (curlcode == CURLE_OK)
		return SMTP_SENT;
	if (curlcode == CURLE_LOGIN_DENIED || curlcode == CURLE_USE_SSL_FAILED)
		return SMTP_CONFIG;
	if (reply >= 500 && reply < 600)
		return recipient ? SMTP_PERMANENT : SMTP_CONFIG;
	if (reply >= 400 && reply < 500)
		return recipient ? SMTP_TEMPORARY : SMTP_CONNECTION;
	/* No refusal by the server: it could not be reached, or the
	 * connection broke; every other message would fare the same. */
	return SMTP_CONNECTION;
}

/* ---- the client ---- */

/* Keeps the server's first refusal (a reply of code 400 or more), the
 * lines of a multi-line one joined by spaces. libcurl passes every reply
 * line to the header callback; after a failure it ends the connection,
 * and the QUIT and its 221 that follow must not hide the refusal. */
static size_t header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct smtp *s = arg;
	size_t len = size * n;
	if (s->refused || len < 4 || (data[0] != '4' && data[0] != '5'))
		return len;
	size_t k = 0;
	while (k < len && data[k] != '\r' && data[k] != '\n')
		k++;
	size_t have = strlen(s->reply), room = sizeof(s->reply) - 1 - have;
	const char *text = data;
	if (have > 0) { /* a further line: its text, without the code */
		size_t code = k < 4 ? k : 4;
		text += code;
		k -= code;
		if (room > 0) {
			s->reply[have++] = ' ';
			room--;
		}
	}
	if (k > room)
		k = room;
	memcpy(s->reply + have, text, k);
	s->reply[have + k] = '\0';
	s->refused = data[3] != '-'; /* "550-" goes on, "550 " ends it */
	return len;
}

/* The password from its file: the first line; the file must be private. */
static int read_password(const char *path, char **password_r, char **error_r)
{
	struct stat sb;
	if (stat(path, &sb) < 0 || (sb.st_mode & (S_IROTH | S_IWOTH)))
		return set_error(error_r,
		                 "smtp.password_file: %s: missing or open to "
		                 "others (chmod 600 or 640)",
		                 path);
	char *text = read_file_max(path, 4096, NULL, error_r);
	if (text == NULL)
		return -1;
	text[strcspn(text, "\r\n")] = '\0';
	*password_r = text;
	return 0;
}

static long ssl_mode(const char *starttls)
{
	if (strcmp(starttls, "off") == 0)
		return CURLUSESSL_NONE;
	if (strcmp(starttls, "optional") == 0)
		return CURLUSESSL_TRY;
	return CURLUSESSL_ALL;
}

/* The options every transaction shares, set once per handle: a reused
 * handle keeps them, and its connection. */
static void set_options(struct smtp *s)
{
	CURL *c = s->curl;
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &s->upload);
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->use_ssl);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	                 s->timeout < CONNECT_TIMEOUT ? s->timeout
	                                              : CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	if (s->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
	if (s->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
}

int smtp_open(const struct config *cfg, struct smtp **s_r, char **error_r)
{
	if (strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0)
		return set_error(error_r,
		                 "smtp.url: expected smtp://HOST[:PORT] or "
		                 "smtps://HOST[:PORT]");
	struct smtp *s = xcalloc(1, sizeof(*s));
	if (cfg->smtp_password_file &&
	    read_password(cfg->smtp_password_file, &s->password, error_r) < 0) {
		free(s);
		return -1;
	}
	s->curl = curl_easy_init();
	s->url = xstrdup(cfg->smtp_url);
	s->from = xstrdup(cfg->smtp_from);
	s->user = xstrdup_or_null(cfg->smtp_user);
	s->ca_file = xstrdup_or_null(cfg->smtp_ca_file);
	s->use_ssl = ssl_mode(cfg->smtp_starttls);
	s->timeout = (long)cfg->smtp_timeout_s;
	set_options(s);
	*s_r = s;
	return 0;
}

/* The reason of a failed transaction, for the log and `outbox list`. */
static void explain(const struct smtp *s, enum smtp_result verdict, CURLcode rc,
                    enum smtp_stage stage, long code, const char *curl_text,
                    char **error_r)
{
	const char *reply = code >= 400 && *s->reply ? s->reply : NULL;
	if (rc == CURLE_USE_SSL_FAILED)
		set_error(error_r,
		          "smtp.starttls is \"required\" but the server offers "
		          "no STARTTLS (%s); nothing was sent",
		          curl_text);
	else if (rc == CURLE_LOGIN_DENIED)
		set_error(error_r,
		          "the server refused AUTH as %s: %s (check smtp.user "
		          "and smtp.password_file)",
		          s->user ? s->user : "(no user)",
		          reply ? reply : curl_text);
	else if (!reply)
		set_error(error_r, "%s: %s", s->url, curl_text);
	else if (verdict == SMTP_CONFIG || verdict == SMTP_CONNECTION)
		set_error(error_r, "%s: the server refused %s: %s", s->url,
		          smtp_stage_name(stage), reply);
	else
		set_error(error_r, "%s", reply);
}

enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg,
                           size_t len, char **error_r)
{
	/* libcurl 7.88 passes CR and LF into RCPT TO: refuse them. */
	if (model_check_email(rcpt, "recipient", error_r) < 0)
		return SMTP_PERMANENT;
	struct curl_slist *list = curl_slist_append(NULL, rcpt);
	s->upload.p = msg;
	s->upload.left = len;
	s->errbuf[0] = '\0';
	s->reply[0] = '\0';
	s->refused = false;
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	CURLcode rc = curl_easy_perform(s->curl);
	long code = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(list);
	if (rc == CURLE_OK)
		return SMTP_SENT;
	const char *curl_text = *s->errbuf ? s->errbuf : curl_easy_strerror(rc);
	enum smtp_stage stage =
	    smtp_stage_of_error(curl_text, s->upload.left == 0);
	enum smtp_result verdict = smtp_classify((int)rc, code, stage);
	explain(s, verdict, rc, stage, code, curl_text, error_r);
	return verdict;
}

void smtp_hangup(struct smtp *s)
{
	if (s == NULL)
		return;
	/* The cleanup sends QUIT on a connection still open. */
	curl_easy_cleanup(s->curl);
	s->curl = curl_easy_init();
	set_options(s);
}

void smtp_close(struct smtp **sp)
{
	struct smtp *s = *sp;
	if (s == NULL)
		return;
	curl_easy_cleanup(s->curl);
	free(s->url);
	free(s->from);
	free(s->user);
	if (s->password)
		memset(s->password, 0, strlen(s->password));
	free(s->password);
	free(s->ca_file);
	free(s);
	*sp = NULL;
}
