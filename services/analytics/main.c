/*  analytics - Analytics: the after-sales KPIs, computed from every service's events.

    The binary: its definition for libshared's service runner. Its ops come
    with the issue that builds the service; until then it answers the sys.* ops
    and events.replay that every service answers.
*/
#include "shared.h"

static const shr_service_def_t s_analytics = {
    .name = "analytics",
    .summary = "Analytics: the after-sales KPIs, computed from every service's events.",
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_analytics, argc, argv);
}
