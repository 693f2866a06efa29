/*
 * smtp: hands one message to an SMTP server with libcurl, one recipient
 * per transaction, reusing the connection between messages until
 * smtp_hangup. The result is classified by the server's reply code
 * (CURLINFO_RESPONSE_CODE) and the command it answered (named in
 * libcurl's error text), not by the CURLcode, which libcurl 7.88 sets to
 * CURLE_SEND_ERROR for a refused MAIL FROM and a refused RCPT TO alike.
 * The server's reply line comes through the header callback, so libcurl
 * runs without its (costly) verbose mode.
 */
#ifndef WIJKCALD_SMTP_H
#define WIJKCALD_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

struct smtp;

enum smtp_result {
	SMTP_SENT = 0,        /* the server accepted the message (250) */
	SMTP_TEMPORARY = -1,  /* this recipient later: a 4xx to RCPT or DATA */
	SMTP_PERMANENT = -2,  /* this recipient never: a 5xx to RCPT or DATA */
	SMTP_CONNECTION = -3, /* the server, later: refused connection,
	                         timeout, TLS failure, 4xx before RCPT */
	SMTP_CONFIG = -4,     /* our configuration: 5xx to AUTH or MAIL FROM,
	                         login denied, no STARTTLS when required */
};

/* The command a failed transaction ended at. */
enum smtp_stage {
	SMTP_STAGE_CONNECT, /* the greeting */
	SMTP_STAGE_EHLO,
	SMTP_STAGE_STARTTLS,
	SMTP_STAGE_AUTH,
	SMTP_STAGE_MAIL,
	SMTP_STAGE_RCPT,
	SMTP_STAGE_DATA, /* DATA and the message up to its final reply */
	SMTP_STAGE_OTHER /* none of these, or not known */
};

/* The stage a failure happened at, from libcurl's error text ("RCPT
 * failed: 550"); `uploaded` says the whole message was read, which makes
 * a refusal without such a text the reply to the final dot. Pure. */
enum smtp_stage smtp_stage_of_error(const char *errbuf, bool uploaded);
/* The command of a stage, for messages ("MAIL FROM"). */
const char *smtp_stage_name(enum smtp_stage stage);
/* Classifies a transaction by its CURLcode, the last reply code (0: none)
 * and the stage that reply answered. Pure. */
enum smtp_result smtp_classify(int curlcode, long reply, enum smtp_stage stage);

/*
 * Prepares a client for cfg's smtp.* keys: reads the password file (which
 * must not be readable by others). *s_r gets a handle to free with
 * smtp_close. Returns 0, or -1 with a message naming the key.
 */
int smtp_open(const struct config *cfg, struct smtp **s_r, char **error_r);
/* Sends msg (CRLF text) from smtp.from to rcpt. On failure *error_r gets
 * the reason (the server's reply where there is one; never the
 * password). */
enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg,
                           size_t len, char **error_r);
/* Ends the connection held for reuse (QUIT), if any. */
void smtp_hangup(struct smtp *s);
/* Closes the connection and frees; NULL is fine. */
void smtp_close(struct smtp **s);

#endif
