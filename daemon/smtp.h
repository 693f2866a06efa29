/*
 * smtp: hands one message to an SMTP server with libcurl, one recipient
 * per transaction, reusing the connection between messages. The result
 * is classified by the server's reply code (CURLINFO_RESPONSE_CODE), not
 * by the CURLcode: a 5xx refuses this message for good; a 4xx, a refused
 * connection or a timeout is worth another try.
 */
#ifndef WIJKCALD_SMTP_H
#define WIJKCALD_SMTP_H

#include <stddef.h>

#include "core/config.h"

struct smtp;

enum smtp_result {
	SMTP_SENT = 0,       /* the server accepted the message (250) */
	SMTP_TEMPORARY = -1, /* try again later: 4xx, no connection, timeout */
	SMTP_PERMANENT = -2, /* 5xx: the reply is in *error_r */
};

/*
 * Prepares a client for cfg's smtp.* keys: reads the password file (which
 * must not be readable by others). *s_r gets a handle to free with
 * smtp_close. Returns 0, or -1 with a message naming the key.
 */
int smtp_open(const struct config *cfg, struct smtp **s_r, char **error_r);
/* Sends msg (CRLF text) from smtp.from to rcpt. On failure *error_r gets
 * the reason (the server's reply where there is one). */
enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg,
                           size_t len, char **error_r);
/* Closes the connection and frees; NULL is fine. */
void smtp_close(struct smtp **s);

#endif
