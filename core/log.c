/* log: leveled lines on stderr for journald; errno is preserved. */
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static bool journal_prefix;

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_set_journal(bool on)
{
	journal_prefix = on;
}

static void log_vline(enum log_level level, const char *suffix, const char *fmt,
                      va_list ap) PRINTF_LIKE(3, 0);

static void log_vline(enum log_level level, const char *suffix, const char *fmt,
                      va_list ap)
{
	static const char *const words[] = {"error", "warning", "info",
	                                    "debug"};
	/* sd-daemon(3) priorities: err 3, warning 4, info 6, debug 7. */
	static const int prio[] = {3, 4, 6, 7};
	if (level > max_level)
		return;
	int saved = errno;
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal_prefix)
		fprintf(stderr, "<%d>%s%s%s\n", prio[level], msg,
		        suffix ? ": " : "", suffix ? suffix : "");
	else
		fprintf(stderr, "%s: %s%s%s\n", words[level], msg,
		        suffix ? ": " : "", suffix ? suffix : "");
	errno = saved;
}

void log_warn(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARN, why, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, level)                                                    \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vline(level, NULL, fmt, ap);                               \
		va_end(ap);                                                    \
	}
LOG_FN(log_warnx, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void fatal(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERR, why, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
