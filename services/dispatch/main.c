/*  dispatch - technicians, repair work orders, SLA clocks and assignment.

    The binary: settings from the environment, the ops, the SLA timer, and
    libshared's runner for the rest (sockets, store, events, signals).
*/
#include "dispatch.h"

static const char *const s_events[] = {
    "technician.updated",  "workorder.created",  "workorder.diagnosed", "workorder.assigned",
    "workorder.started",   "workorder.waiting_parts", "workorder.resumed",
    "workorder.completed", "workorder.accepted", "workorder.rejected",  "workorder.cancelled",
    "workorder.at_risk",   "workorder.overdue",  NULL};

static dispatch_settings_t s_settings;

static int s_read_settings (char *err, size_t errlen)
{
    const char *currency = getenv ("DISPATCH_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "DISPATCH_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (s_settings.currency, sizeof s_settings.currency, "%s", currency);
    int rate;
    if (shr_config_int ("DISPATCH_LABOUR_RATE_CENTS", 12000, 0, 100000000, err, errlen, &rate)
        || shr_config_int ("DISPATCH_SLA_SCAN_MS", 1000, 10, 3600000, err, errlen,
                           &s_settings.sla_scan_ms))
        return -1;
    s_settings.labour_rate_cents = rate;
    return 0;
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    if (s_read_settings (err, errlen))
        return -1;
    static const struct {
        const char *op;
        shr_handler_fn *handler;
        int flags;
    } ops[] = {
        {"technician.upsert", technician_upsert, 0},
        {"technician.get", technician_get, SHR_OP_READ},
        {"technician.list", technician_list, SHR_OP_READ},
        {"workorder.create", workorder_create, 0},
        {"workorder.get", workorder_get, SHR_OP_READ},
        {"workorder.list", workorder_list, SHR_OP_READ},
        {"workorder.diagnose", workorder_diagnose, 0},
        {"workorder.assign", workorder_assign, 0},
        {"workorder.start", workorder_start, 0},
        {"workorder.wait_parts", workorder_wait_parts, 0},
        {"workorder.resume", workorder_resume, 0},
        {"workorder.complete", workorder_complete, 0},
        {"workorder.accept", workorder_accept, 0},
        {"workorder.reject", workorder_reject, 0},
        {"workorder.cancel", workorder_cancel, 0},
        {"sla.policy.set", sla_policy_set, 0},
        {"sla.policy.get", sla_policy_get, SHR_OP_READ},
        {"dispatch.run", dispatch_run, 0},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (shr_service_add_op (service, ops[i].op, ops[i].handler, &s_settings, ops[i].flags,
                                err, errlen))
            return -1;
    shr_service_every (service, s_settings.sla_scan_ms, sla_scan, &s_settings);
    return 0;
}

static const shr_service_def_t s_dispatch = {
    .name = "dispatch",
    .summary = "Dispatch: technicians, repair work orders, SLA clocks and assignment.\n"
               "Also: DISPATCH_CURRENCY (default CNY), DISPATCH_LABOUR_RATE_CENTS per hour\n"
               "(default 12000), DISPATCH_SLA_SCAN_MS (default 1000).",
    .migrations = dispatch_migrations,
    .events = s_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_dispatch, argc, argv);
}
