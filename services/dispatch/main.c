/*  dispatch - Dispatch: technicians, repair work orders, SLA clocks and assignment.

    The binary: its definition for libshared's service runner. Its ops come
    with the issue that builds the service; until then it answers the sys.* ops
    and events.replay that every service answers.
*/
#include "shared.h"

static const shr_service_def_t s_dispatch = {
    .name = "dispatch",
    .summary = "Dispatch: technicians, repair work orders, SLA clocks and assignment.",
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_dispatch, argc, argv);
}
