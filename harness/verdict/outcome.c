#include "verdict/outcome.h"

#include <string.h>

static const struct {
	const char *name, *brief;
} outcomes[GM_OUTCOME_COUNT] = {
	[GM_OK] = {"ok", "ok"},
	[GM_SYMBOL_VERSION] = {"symbol-version", "sv"},
	[GM_MISSING_LIBRARY] = {"missing-library", "ml"},
	[GM_MIXED_GLIBC] = {"mixed-glibc", "mx"},
	[GM_MISSING_SYMBOL] = {"missing-symbol", "ms"},
	[GM_CRASH] = {"crash", "cr"},
	[GM_EXEC_FAILED] = {"exec-failed", "ef"},
	[GM_TIMEOUT] = {"timeout", "to"},
	[GM_WRONG_LIBC] = {"wrong-libc", "wl"},
	[GM_FAILED] = {"failed", "fl"},
	[GM_SKIPPED] = {"skipped", "sk"},
};

const char *gm_outcome_name(enum gm_outcome o)
{
	return (unsigned)o < GM_OUTCOME_COUNT ? outcomes[o].name : "?";
}

const char *gm_outcome_short(enum gm_outcome o)
{
	return (unsigned)o < GM_OUTCOME_COUNT ? outcomes[o].brief : "?";
}

int gm_outcome_parse(const char *name)
{
	for (int i = 0; i < GM_OUTCOME_COUNT; i++)
		if (strcmp(outcomes[i].name, name) == 0)
			return i;
	return -1;
}

const char *gm_outcome_legend(void)
{
	return "legend: ok, sv symbol-version, ml missing-library, mx mixed-glibc, "
	       "ms missing-symbol, cr crash,\n        ef exec-failed, to timeout, wl wrong-libc, "
	       "fl failed, sk skipped; 3sv: 3 cells of a class\n"
	       "        (one cell: its class alone), sv2.34: GLIBC_2.34 the newest version missing,\n"
	       "        !N mismatches with the prediction\n";
}

bool gm_outcome_is_behaviour(enum gm_outcome o)
{
	return o == GM_CRASH || o == GM_TIMEOUT || o == GM_FAILED;
}
