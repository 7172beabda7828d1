/*  coverage_feed - contracts' cover of each product serial, kept here from
    its events (asset.registered, asset.coverage_changed: every period of the
    asset as it now is, which replaces what was kept), so that a work order
    created with a product serial knows whether it is in warranty without a
    call. Applied once each, in order, in the consumer's unit of work.
*/
#include "dispatch.h"

static int s_keep (shr_call_t *call, const char *serial, const contracts_cover_t *periods,
                   size_t count)
{
    if (shr_call_exec (call, "DELETE FROM coverage WHERE serial = :serial", NULL, NULL,
                       SHR_TEXT (":serial", serial), SHR_END))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO coverage (serial, n, kind, contract_id, starts_on,"
                           " ends_on, in_warranty) VALUES (:serial, :n, :kind, :contract_id,"
                           " :starts_on, :ends_on, :in_warranty)",
                           &contracts_cover_shape, &periods[i], SHR_TEXT (":serial", serial),
                           SHR_INT (":n", (int64_t) i), SHR_END))
            return -1;
    return 0;
}

static int s_on_registered (shr_call_t *call, const shr_event_t *event,
                            const event_asset_registered_t *data)
{
    (void) event;
    return s_keep (call, data->asset.serial, data->periods.items, data->periods.count);
}

static int s_on_changed (shr_call_t *call, const shr_event_t *event,
                         const event_asset_coverage_changed_t *data)
{
    (void) event;
    return s_keep (call, data->asset.serial, data->periods.items, data->periods.count);
}

const shr_event_handler_t coverage_feed[] = {
    SHR_ON (event_asset_registered, s_on_registered),
    SHR_ON (event_asset_coverage_changed, s_on_changed), {NULL, NULL}};

int coverage_in_warranty (shr_call_t *call, const char *serial)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (call->now_ms / 86400000, &y, &m, &d);
    const char *today = shr_call_printf (call, "%04d-%02d-%02d", (int) y, m, d);
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT 1 FROM coverage WHERE serial = ?1 AND in_warranty"
                                         " = 1 AND starts_on <= ?2 AND ends_on >= ?2 LIMIT 1");
    if (!stmt || !today)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, serial, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, today, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return shr_call_db_error (call);
    return rc == SQLITE_ROW;
}
