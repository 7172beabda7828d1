/*  complaints - the customer file, complaints and feedback from every
    channel, their deadlines and escalation, an audit trail, follow-up visits
    and satisfaction surveys.

    The binary: settings from the environment, the deadline clock, the
    consumer of dispatch's work order events, and libshared's runner for the
    rest (sockets, store, events, signals). Its ops and events are generated
    from schemas/complaints/ and schemas/events/.
*/
#include "complaints.h"

static void s_settings_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static int s_read_settings (complaints_settings_t *settings, char *err, size_t errlen)
{
    const char *currency = getenv ("COMPLAINTS_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "COMPLAINTS_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (settings->currency, sizeof settings->currency, "%s", currency);
    return shr_config_int ("COMPLAINTS_SCAN_MS", 1000, 10, 3600000, err, errlen,
                           &settings->scan_ms)
           || shr_config_int ("COMPLAINTS_CLOSE_AFTER_S", 7 * 86400, 1, 365 * 86400, err, errlen,
                              &settings->close_after_s)
           || shr_config_int ("COMPLAINTS_FOLLOWUP_DELAY_S", 3 * 86400, 0, 365 * 86400, err,
                              errlen, &settings->followup_delay_s)
           || shr_config_int ("COMPLAINTS_FOLLOWUP_RETRY_S", 86400, 60, 365 * 86400, err, errlen,
                              &settings->followup_retry_s)
           || shr_config_int ("COMPLAINTS_FOLLOWUP_ATTEMPTS", 3, 1, 100, err, errlen,
                              &settings->followup_attempts)
           || shr_config_int ("COMPLAINTS_FOLLOWUP_GRACE_S", 2 * 86400, 0, 365 * 86400, err,
                              errlen, &settings->followup_grace_s)
           || shr_config_int ("COMPLAINTS_RECOVERY_THRESHOLD", 6, 0, 10, err, errlen,
                              &settings->recovery_threshold)
               ? -1
               : 0;
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    complaints_settings_t *settings = (complaints_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->scan_ms, deadline_scan, settings);
    return shr_service_consume (service, "dispatch", workorder_feed, settings, err, errlen);
}

static const shr_service_def_t s_complaints = {
    .name = "complaints",
    .summary = "Complaints: the customer file, complaints from every channel with deadlines and\n"
               "escalation, an audit trail, follow-up visits and satisfaction surveys.\n"
               "Consumes dispatch's work order events (DISPATCH_API, DISPATCH_EVENTS).\n"
               "Also: COMPLAINTS_CURRENCY (default CNY), COMPLAINTS_SCAN_MS (deadline clock,\n"
               "default 1000), COMPLAINTS_CLOSE_AFTER_S (silence before a resolved case closes,\n"
               "default 604800), COMPLAINTS_FOLLOWUP_DELAY_S (after a completed order, default\n"
               "259200), COMPLAINTS_FOLLOWUP_RETRY_S (after no answer, default 86400),\n"
               "COMPLAINTS_FOLLOWUP_ATTEMPTS (default 3), COMPLAINTS_FOLLOWUP_GRACE_S (due to\n"
               "overdue, default 172800), COMPLAINTS_RECOVERY_THRESHOLD (scores up to it open\n"
               "a recovery case, default 6).",
    .migrations = complaints_migrations,
    .ops = complaints_ops,
    .events = complaints_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_complaints, argc, argv);
}
