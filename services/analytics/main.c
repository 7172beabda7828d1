/*  analytics - the after-sales KPIs of docs/domain.md, computed from the
    other services' events.

    The binary: the sources it follows and libshared's runner for the rest.
    Each source's consumer replays from its checkpoint, so a fresh database
    rebuilds every fact from the sources' outboxes. Its ops are generated
    from schemas/analytics/.
*/
#include "analytics.h"

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    //  Each event applies in its own savepoint, whose undo pages would go to a
    //  temporary file page by page; a replay page of 1000 events is a few MB.
    //  In memory, a rebuild is several times faster.
    if (shr_store_exec (shr_service_store (service), "PRAGMA temp_store=MEMORY")) {
        snprintf (err, errlen, "cannot keep temporary data in memory");
        return -1;
    }
    if (rollup_setup (shr_service_store (service))) {
        snprintf (err, errlen, "cannot make the roll-ups' temporary table");
        return -1;
    }
    shr_service_every (service, 200, rollup_tick, NULL);
    return shr_service_consume (service, "dispatch", dispatch_feed, NULL, err, errlen)
               || shr_service_consume (service, "complaints", complaints_feed, NULL, err, errlen)
               || shr_service_consume (service, "inventory", inventory_feed, NULL, err, errlen)
               || shr_service_consume (service, "procurement", procurement_feed, NULL, err,
                                       errlen)
               || shr_service_consume (service, "contracts", contracts_feed, NULL, err, errlen)
               ? -1
               : 0;
}

static const shr_service_def_t s_analytics = {
    .name = "analytics",
    .summary = "Analytics: the after-sales KPIs (docs/domain.md), computed from the events of\n"
               "dispatch, complaints, inventory, procurement and contracts (<SOURCE>_API and\n"
               "<SOURCE>_EVENTS of each), with targets, explanations to the event,\n"
               "technician performance and the profit breakdown.",
    .migrations = analytics_migrations,
    .ops = analytics_ops,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_analytics, argc, argv);
}
