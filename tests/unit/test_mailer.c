/*
 * Unit tests for the mailer's pure rules: the retry delay (doubling from
 * the first delay up to the cap, with jitter of at most a quarter) and the
 * classification of an SMTP transaction by its CURLcode, the reply code and
 * the last command sent (daemon/smtp.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <string.h>

#include "daemon/mailer.h"
#include "daemon/smtp.h"

/* Without jitter (random 0) the delay doubles from first to the cap. */
static void test_backoff_doubles(void **state)
{
	(void)state;
	static const struct {
		int attempts;
		int64_t first, cap, want;
	} cases[] = {
	    {1, 30, 300, 30},  {2, 30, 300, 60},  {3, 30, 300, 120},
	    {4, 30, 300, 240}, {5, 30, 300, 300}, {50, 30, 300, 300},
	    {1, 2, 20, 2},     {4, 2, 20, 16},    {5, 2, 20, 20},
	    {1, 60, 20, 20},   {0, 30, 300, 30},  {1000, 1, 86400, 86400},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(mailer_backoff(cases[i].attempts,
		                                cases[i].first, cases[i].cap,
		                                0),
		                 cases[i].want);
}

/* With any random value the delay stays within [0.75 d, d], never 0, and
 * different values give different delays (the jitter spreads). */
static void test_backoff_jitter_bounds(void **state)
{
	(void)state;
	int64_t lo = INT64_MAX, hi = 0;
	for (uint32_t r = 0; r < 5000; r++) {
		uint32_t random = r * 2654435761u;
		int64_t d = mailer_backoff(3, 30, 300, random);
		assert_true(d >= 90 && d <= 120);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		int64_t c = mailer_backoff(99, 30, 300, random);
		assert_true(c >= 225 && c <= 300);
		assert_true(mailer_backoff(1, 1, 1, random) == 1);
	}
	assert_true(lo <= 92 && hi >= 118);
}

/* The stage a failure happened at, from libcurl 7.88's error texts. */
static void test_stage_of_error(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool uploaded;
		enum smtp_stage want;
	} cases[] = {
	    {"Got unexpected smtp-server response: 554", false,
	     SMTP_STAGE_CONNECT},
	    {"Remote access denied: 550", false, SMTP_STAGE_EHLO},
	    {"STARTTLS denied, code 454", false, SMTP_STAGE_STARTTLS},
	    {"STARTTLS not supported.", false, SMTP_STAGE_STARTTLS},
	    {"Authentication failed: 535", false, SMTP_STAGE_AUTH},
	    {"MAIL failed: 550", false, SMTP_STAGE_MAIL},
	    {"RCPT failed: 550", false, SMTP_STAGE_RCPT},
	    {"DATA failed: 554", false, SMTP_STAGE_DATA},
	    /* The final reply: no text of its own, the message was read. */
	    {"Weird server reply", true, SMTP_STAGE_DATA},
	    {"Weird server reply", false, SMTP_STAGE_OTHER},
	    {"Failed to connect to 127.0.0.1 port 25 after 0 ms: Couldn't "
	     "connect to server",
	     false, SMTP_STAGE_OTHER},
	    {"", false, SMTP_STAGE_OTHER},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(
		    smtp_stage_of_error(cases[i].text, cases[i].uploaded),
		    cases[i].want);
	assert_string_equal(smtp_stage_name(SMTP_STAGE_MAIL), "MAIL FROM");
}

/* The reply code decides, by the command it answered; the CURLcode only
 * where the server said nothing (libcurl 7.88 gives CURLE_SEND_ERROR for
 * a 5xx to MAIL FROM and to RCPT TO alike). */
static void test_classify(void **state)
{
	(void)state;
	static const struct {
		int curlcode;
		long reply;
		enum smtp_stage stage;
		enum smtp_result want;
	} cases[] = {
	    {CURLE_OK, 250, SMTP_STAGE_DATA, SMTP_SENT},
	    {CURLE_SEND_ERROR, 550, SMTP_STAGE_RCPT, SMTP_PERMANENT},
	    {CURLE_SEND_ERROR, 554, SMTP_STAGE_DATA, SMTP_PERMANENT},
	    {CURLE_SEND_ERROR, 550, SMTP_STAGE_MAIL, SMTP_CONFIG},
	    {CURLE_SEND_ERROR, 553, SMTP_STAGE_MAIL, SMTP_CONFIG},
	    {CURLE_SEND_ERROR, 530, SMTP_STAGE_MAIL, SMTP_CONFIG},
	    {CURLE_LOGIN_DENIED, 535, SMTP_STAGE_AUTH, SMTP_CONFIG},
	    {CURLE_LOGIN_DENIED, 0, SMTP_STAGE_AUTH, SMTP_CONFIG},
	    {CURLE_USE_SSL_FAILED, 0, SMTP_STAGE_EHLO, SMTP_CONFIG},
	    {CURLE_SEND_ERROR, 451, SMTP_STAGE_RCPT, SMTP_TEMPORARY},
	    {CURLE_SEND_ERROR, 452, SMTP_STAGE_DATA, SMTP_TEMPORARY},
	    {CURLE_SEND_ERROR, 421, SMTP_STAGE_MAIL, SMTP_CONNECTION},
	    {CURLE_SEND_ERROR, 454, SMTP_STAGE_AUTH, SMTP_CONNECTION},
	    {CURLE_COULDNT_CONNECT, 0, SMTP_STAGE_CONNECT, SMTP_CONNECTION},
	    {CURLE_OPERATION_TIMEDOUT, 0, SMTP_STAGE_CONNECT, SMTP_CONNECTION},
	    {CURLE_OPERATION_TIMEDOUT, 250, SMTP_STAGE_DATA, SMTP_CONNECTION},
	    {CURLE_PEER_FAILED_VERIFICATION, 0, SMTP_STAGE_STARTTLS,
	     SMTP_CONNECTION},
	    {CURLE_SSL_CONNECT_ERROR, 220, SMTP_STAGE_STARTTLS,
	     SMTP_CONNECTION},
	    {CURLE_GOT_NOTHING, 0, SMTP_STAGE_CONNECT, SMTP_CONNECTION},
	    {CURLE_SEND_ERROR, 554, SMTP_STAGE_CONNECT, SMTP_CONFIG},
	    /* A refusal of a command not known: no recipient is failed. */
	    {CURLE_WEIRD_SERVER_REPLY, 550, SMTP_STAGE_OTHER, SMTP_CONFIG},
	    {CURLE_WEIRD_SERVER_REPLY, 450, SMTP_STAGE_OTHER, SMTP_CONNECTION},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum smtp_result got = smtp_classify(
		    cases[i].curlcode, cases[i].reply, cases[i].stage);
		if (got != cases[i].want)
			fail_msg("case %zu: curlcode %d reply %ld: got %d, "
			         "want %d",
			         i, cases[i].curlcode, cases[i].reply, got,
			         cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles),
	    cmocka_unit_test(test_backoff_jitter_bounds),
	    cmocka_unit_test(test_stage_of_error),
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
