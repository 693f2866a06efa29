/*
 * mail_curl_loop: the "bare libcurl loop" of run_mail.sh: sends one message
 * file COUNT times over SMTP with one reused easy handle (so one
 * connection), one recipient per transaction, as wijkcald's smtp.c does
 * (CURLOPT_MAIL_FROM, CURLOPT_MAIL_RCPT, CURLOPT_UPLOAD with a read
 * callback), and nothing else: no database, no message building. It shows
 * what libcurl itself allows.
 *
 *   cc -O2 -o mail_curl_loop mail_curl_loop.c -lcurl
 *   mail_curl_loop URL FROM RCPT FILE COUNT
 *
 * Prints "COUNT SECONDS" (wall time of the loop, connection included);
 * exits 1 at the first transfer that fails.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;
	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr,
		        "usage: mail_curl_loop URL FROM RCPT FILE COUNT\n");
		return 64;
	}
	FILE *f = fopen(argv[4], "rb");
	if (f == NULL) {
		perror(argv[4]);
		return 66;
	}
	static char msg[1 << 20];
	size_t len = fread(msg, 1, sizeof(msg), f);
	fclose(f);
	long count = strtol(argv[5], NULL, 10);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, argv[3]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		struct upload u = {msg, len};
		curl_easy_setopt(c, CURLOPT_URL, argv[1]);
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, argv[2]);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &u);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		CURLcode rc = curl_easy_perform(c);
		if (rc != CURLE_OK) {
			fprintf(stderr, "mail_curl_loop: message %ld: %s\n",
			        i + 1, curl_easy_strerror(rc));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld %.4f\n", count,
	       (double)(t1.tv_sec - t0.tv_sec) +
	           (t1.tv_nsec - t0.tv_nsec) / 1e9);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return 0;
}
