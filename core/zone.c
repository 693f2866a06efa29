/* zone: builtin time zones by IANA name, with untrusted names kept away. */
#include "core/zone.h"

#include <ctype.h>
#include <string.h>

bool zone_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64 || name[0] == '/' || name[n - 1] == '/' ||
	    strstr(name, "//"))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-+/", *p))
			return false;
	return true;
}

icaltimezone *zone_builtin(const char *name)
{
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
		return icaltimezone_get_utc_timezone();
	if (!zone_name_ok(name))
		return NULL;
	return icaltimezone_get_builtin_timezone(name);
}
