/*
 * libFuzzer target for feeds/import: any bytes must give events or one
 * error message, never a crash, a leak, a hang or output. Inputs are capped
 * well below IMPORT_ICS_MAX_BYTES so that the fuzzer spends its time on
 * structure, not on size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "feeds/import.h"

#define FUZZ_MAX_BYTES (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event *events = NULL;
	size_t n = 0;
	char *err = NULL;
	if (size > FUZZ_MAX_BYTES)
		return -1; /* not added to the corpus */
	if (import_ics((const char *)data, size, &events, &n, &err) == 0) {
		if (err)
			abort(); /* success leaves no message */
		event_array_free(events, n);
	} else if (!err || events || n) {
		abort(); /* failure gives a message and no events */
	}
	free(err);
	return 0;
}
