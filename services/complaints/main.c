/*  complaints - Complaints: complaint and feedback intake, handling deadlines, follow-up visits and surveys.

    The binary: its definition for libshared's service runner. Its ops come
    with the issue that builds the service; until then it answers the sys.* ops
    and events.replay that every service answers.
*/
#include "shared.h"

static const shr_service_def_t s_complaints = {
    .name = "complaints",
    .summary = "Complaints: complaint and feedback intake, handling deadlines, follow-up visits and surveys.",
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_complaints, argc, argv);
}
