/*  recovery_policy - how serious the recovery case a low satisfaction score
    opens is: pure. A score at or below the threshold (COMPLAINTS_RECOVERY_THRESHOLD)
    opens a case of kind complaint, category service_quality; the lower the
    score, the higher its severity: 0-1 critical, 2-3 high, 4-5 medium, 6 and
    up low.
*/
#ifndef RECOVERY_POLICY_H_INCLUDED
#define RECOVERY_POLICY_H_INCLUDED

#include <stdint.h>

//  The severity of the case score opens, or NULL if it opens none (above
//  threshold). Static text. Cannot fail.
const char *recovery_severity (int64_t score, int64_t threshold);

#endif
