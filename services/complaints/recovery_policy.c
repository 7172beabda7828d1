/*  recovery_policy - the severity of a recovery case. See recovery_policy.h. */
#include "recovery_policy.h"

#include <stddef.h>

const char *recovery_severity (int64_t score, int64_t threshold)
{
    if (score > threshold)
        return NULL;
    return score <= 1 ? "critical" : score <= 3 ? "high" : score <= 5 ? "medium" : "low";
}
