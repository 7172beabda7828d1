/*  visit_sender - asks dispatch for the work orders contracts need.

    A timer: each planned order due within CONTRACTS_VISIT_LEAD_DAYS, of a
    contract still active, is sent as dispatch's workorder.create with the
    idempotency key <contract>/<visit>, and the order's id is recorded in the
    same unit of work. The call is made inside that unit of work, before its
    commit: a crash after dispatch made the order but before the commit
    sends the same request again after the restart, with the same key, and
    dispatch answers with the order it made (it keeps keys 7 days), so each
    order is made once. The order links back by its description, which names
    the contract and the visit. The call blocks the service while it waits
    (CONTRACTS_DISPATCH_TIMEOUT_MS, one try), so after a failure the timer
    waits CONTRACTS_DISPATCH_RETRY_S before it calls again.
*/
#include "contracts.h"

#define SEND_BATCH 20  //  orders per tick: each is a round trip to dispatch

//  A planned order as the timer needs it: the visit and its contract's facts.
typedef struct {
    const char *contract_id;
    int64_t visit;
    const char *type;
    const char *due_on;
    const char *customer_id;
    const char *region;
    const char *model;
    const char *serial;
    int64_t visits;
} s_pending_t;

#define S_FIELD(member, kind_)                                                                   \
    {.name = #member, .kind = kind_, .offset = offsetof (s_pending_t, member), .has_offset = -1}
static const shr_field_t s_pending_fields[] = {
    S_FIELD (contract_id, SHR_FIELD_STRING), S_FIELD (visit, SHR_FIELD_INT),
    S_FIELD (type, SHR_FIELD_STRING),        S_FIELD (due_on, SHR_FIELD_STRING),
    S_FIELD (customer_id, SHR_FIELD_STRING), S_FIELD (region, SHR_FIELD_STRING),
    S_FIELD (model, SHR_FIELD_STRING),       S_FIELD (serial, SHR_FIELD_STRING),
    S_FIELD (visits, SHR_FIELD_INT),
};
static const shr_shape_t s_pending_shape = {"contracts' pending visit", sizeof (s_pending_t),
                                            s_pending_fields, 9};

//  The request dispatch gets. Caller owns.
static cJSON *s_body (const contracts_settings_t *settings, const s_pending_t *visit)
{
    char description[300];
    if (visit->visit == 0)
        snprintf (description, sizeof description, "%s under contract %s", visit->type,
                  visit->contract_id);
    else
        snprintf (description, sizeof description,
                  "preventive maintenance visit %lld of %lld under contract %s, due %s",
                  (long long) visit->visit, (long long) visit->visits, visit->contract_id,
                  visit->due_on);
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "customer_id", visit->customer_id);
    cJSON_AddStringToObject (body, "type", visit->type);
    cJSON_AddStringToObject (body, "priority", "normal");
    cJSON_AddStringToObject (body, "channel", "internal");
    cJSON_AddStringToObject (body, "region", visit->region ? visit->region : settings->region);
    cJSON_AddStringToObject (body, "description", description);
    if (visit->model)
        cJSON_AddStringToObject (body, "product_model", visit->model);
    if (visit->serial)
        cJSON_AddStringToObject (body, "product_serial", visit->serial);
    //  The contract's price paid for it: the customer is charged nothing on the order.
    cJSON_AddBoolToObject (body, "in_warranty", true);
    return body;
}

//  Sends one; records the order, or the failure. Returns 1 sent, 0 failed (recorded), -1.
static int s_send (shr_call_t *call, contracts_settings_t *settings, const s_pending_t *visit)
{
    const char *key = shr_call_printf (call, "%s/%lld", visit->contract_id,
                                       (long long) visit->visit);
    cJSON *body = s_body (settings, visit);
    shr_error_t error;
    memset (&error, 0, sizeof error);
    cJSON *reply = shr_client_call (settings->dispatch, "workorder.create", body, key, &error);
    cJSON_Delete (body);
    const cJSON *id = reply ? cJSON_GetObjectItemCaseSensitive (reply, "id") : NULL;
    const char *workorder_id = cJSON_IsString (id) ? shr_call_strdup (call, id->valuestring)
                                                   : NULL;
    cJSON_Delete (reply);
    if (!workorder_id) {
        const char *why = shr_call_printf (call, "%s: %s", shr_code_name (error.code),
                                           error.message);
        shr_log_warn ("dispatch did not make the order of %s: %s", key, why);
        return shr_call_exec (call,
                              "UPDATE visit SET attempts = attempts + 1, last_error = :why"
                              " WHERE contract_id = :id AND visit = :visit",
                              NULL, NULL, SHR_TEXT (":why", why),
                              SHR_TEXT (":id", visit->contract_id),
                              SHR_INT (":visit", visit->visit), SHR_END)
                   ? -1
                   : 0;
    }
    if (shr_call_exec (call,
                       "UPDATE visit SET workorder_id = :wo, requested_at_ms = :now, last_error ="
                       " NULL WHERE contract_id = :id AND visit = :visit",
                       NULL, NULL, SHR_TEXT (":wo", workorder_id),
                       SHR_TEXT (":id", visit->contract_id), SHR_INT (":visit", visit->visit),
                       SHR_END)
        || (visit->visit == 0
            && shr_call_exec (call, "UPDATE contract SET workorder_id = :wo WHERE id = :id", NULL,
                              NULL, SHR_TEXT (":wo", workorder_id),
                              SHR_TEXT (":id", visit->contract_id), SHR_END)))
        return -1;
    shr_log_info ("%s is dispatch's %s", key, workorder_id);
    return 1;
}

int visit_sender (shr_call_t *call)
{
    contracts_settings_t *settings = (contracts_settings_t *) call->arg;
    if (call->now_ms < settings->next_try_ms)
        return 0;
    struct {
        size_t count;
        s_pending_t *items;
    } due = {0, NULL};
    //  The WHERE repeats the partial index's own, so SQLite reads only what is to be ordered.
    if (shr_call_list (call,
                       "SELECT v.contract_id, v.visit, v.type, v.due_on, c.customer_id,"
                       " (SELECT region FROM customer WHERE id = c.customer_id) AS region,"
                       " a.model, a.serial, (SELECT count (*) FROM visit w WHERE w.contract_id ="
                       " v.contract_id) AS visits FROM visit v JOIN contract c ON c.id ="
                       " v.contract_id LEFT JOIN asset a ON a.id = c.asset_id"
                       " WHERE v.workorder_id IS NULL AND v.due_on <= :until"
                       " AND c.status = 'active' ORDER BY v.due_on, v.contract_id, v.visit"
                       " LIMIT :batch",
                       NULL, NULL, &s_pending_shape, &due, 0, NULL,
                       SHR_TEXT (":until", day_text (call, day_of_ms (call->now_ms)
                                                               + settings->visit_lead_days)),
                       SHR_INT (":batch", SEND_BATCH), SHR_END))
        return -1;
    for (size_t i = 0; i < due.count; i++) {
        int sent = s_send (call, settings, &due.items[i]);
        if (sent < 0)
            return -1;
        if (sent == 0) {
            settings->next_try_ms = call->now_ms + settings->dispatch_retry_s * 1000LL;
            break;
        }
    }
    return 0;
}
