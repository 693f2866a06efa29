/*
 * log: one line per event on stderr, with a level, for journald. All
 * functions keep errno as it was. Never pass a password or token.
 */
#ifndef WIJKCAL_LOG_H
#define WIJKCAL_LOG_H

#include "core/util.h"

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* Sets the least important level that is still printed (default INFO). */
void log_set_level(enum log_level level);
/* Prefixes lines with "<N>" (sd-daemon levels) instead of a word. */
void log_set_journal(bool on);

void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);  /* adds strerror */
void log_warnx(const char *fmt, ...) PRINTF_LIKE(1, 2); /* does not */
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* For broken invariants at start-up only: logs and exits(1). */
_Noreturn void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void fatalx(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
