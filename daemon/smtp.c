/*
 * smtp: the libcurl SMTP client of daemon/smtp.h.
 */
#include "daemon/smtp.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model.h"
#include "core/util.h"

#define CONNECT_TIMEOUT 10L /* seconds */
#define TOTAL_TIMEOUT   60L /* seconds per message */

struct smtp {
	CURL *curl;
	char *url, *from, *user, *password, *ca_file;
	long use_ssl;
};

/* What the read callback uploads. */
struct upload {
	const char *p;
	size_t left;
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
	*s_r = s;
	return 0;
}

static void set_options(struct smtp *s, struct curl_slist *rcpt,
                        struct upload *u, char *errbuf)
{
	CURL *c = s->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->left);
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->use_ssl);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (s->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
	if (s->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
}

enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg,
                           size_t len, char **error_r)
{
	/* libcurl 7.88 passes CR and LF into RCPT TO: refuse them. */
	if (model_check_email(rcpt, "recipient", error_r) < 0)
		return SMTP_PERMANENT;
	struct curl_slist *list = curl_slist_append(NULL, rcpt);
	struct upload u = {msg, len};
	char errbuf[CURL_ERROR_SIZE] = "";
	set_options(s, list, &u, errbuf);
	CURLcode rc = curl_easy_perform(s->curl);
	long code = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(list);
	if (rc == CURLE_OK)
		return SMTP_SENT;
	set_error(error_r, "%03ld %s", code,
	          *errbuf ? errbuf : curl_easy_strerror(rc));
	return code >= 500 && code < 600 ? SMTP_PERMANENT : SMTP_TEMPORARY;
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
