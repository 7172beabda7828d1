/*  rental - equipment lent to a customer: the item, a daily rate, a
    deposit, the day it went out and the planned return. Its return settles
    the rent, the late days and the deposit (rental_terms.c), announced with
    rental.returned and its revenue.
*/
#include "contracts.h"

static int s_read (shr_call_t *call, const char *id, contracts_rental_t *out)
{
    return shr_call_get (call, "SELECT " RENTAL_COLUMNS " FROM rental WHERE id = :id", NULL, NULL,
                         &contracts_rental_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int rental_start (shr_call_t *call, const contracts_rental_start_request_t *request,
                  contracts_rental_t *reply)
{
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    int64_t starts, due;
    if (day_field (call, request->starts_on, "/body/starts_on", &starts)
        || day_field (call, request->due_on, "/body/due_on", &due))
        return -1;
    if (due <= starts)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/due_on",
                              "the return is due on %s, not after the start on %s",
                              day_text (call, due), day_text (call, starts));
    if (request->offering_id) {
        contracts_offering_t offering;
        if (offering_find (call, request->offering_id, "/body/offering_id", &offering))
            return -1;
        if (!streq (offering.kind, "rental"))
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/offering_id",
                                  "offering %s is a %s, not a rental", offering.id,
                                  offering.kind);
    }
    if (shr_call_get (call,
                      "INSERT INTO rental (id, item, customer_id, offering_id, daily_rate_cents,"
                      " deposit_cents, currency, starts_on, due_on, status, late_rate_bp,"
                      " started_at_ms) VALUES (printf ('RN-%06d', (SELECT coalesce (max (seq), 0)"
                      " + 1 FROM rental)), :item, :customer_id, :offering_id, :daily_rate_cents,"
                      " :deposit_cents, :currency, :starts, :due, 'out', :late_rate, :now)"
                      " RETURNING " RENTAL_COLUMNS,
                      &contracts_rental_start_request_shape, request, &contracts_rental_shape,
                      reply, SHR_TEXT (":currency", settings->currency),
                      SHR_TEXT (":starts", day_text (call, starts)),
                      SHR_TEXT (":due", day_text (call, due)),
                      SHR_INT (":late_rate", settings->late_rate_bp), SHR_END)
        != 1)
        return -1;
    event_rental_started_t event = {.rental = *reply};
    return event_rental_started_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int rental_return (shr_call_t *call, const contracts_rental_return_request_t *request,
                   contracts_rental_t *reply)
{
    int found = s_read (call, request->id, reply);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no rental %s",
                                          request->id);
    if (!streq (reply->status, "out"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "rental %s came back already, on %s", reply->id,
                              reply->returned_on);
    int64_t starts, due, returned;
    day_parse (reply->starts_on, &starts);
    day_parse (reply->due_on, &due);
    if (day_field (call, request->returned_on, "/body/returned_on", &returned))
        return -1;
    if (returned < starts)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/returned_on",
                              "returned on %s, before it went out on %s",
                              day_text (call, returned), reply->starts_on);
    rental_settle (reply, starts, due, returned);
    reply->status = "returned";
    reply->returned_on = day_text (call, returned);
    if (shr_call_exec (call,
                       "UPDATE rental SET status = :status, returned_on = :returned_on,"
                       " days = :days, late_days = :late_days, rent_cents = :rent_cents,"
                       " late_fee_cents = :late_fee_cents, deposit_refund_cents ="
                       " :deposit_refund_cents, balance_due_cents = :balance_due_cents"
                       " WHERE id = :id",
                       &contracts_rental_shape, reply, SHR_END))
        return -1;
    event_rental_returned_t event = {.rental = *reply,
                                     .revenue_cents = reply->rent_cents + reply->late_fee_cents};
    return event_rental_returned_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int rental_list (shr_call_t *call, const contracts_rental_list_request_t *request,
                 contracts_rental_list_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " RENTAL_COLUMNS ", id AS _cursor FROM rental WHERE seq >"
                          " coalesce ((SELECT seq FROM rental WHERE id = :cursor),"
                          " iif (:cursor IS NULL, 0, NULL))"
                          " AND (:customer_id IS NULL OR customer_id = :customer_id)"
                          " AND (:status IS NULL OR status = :status) ORDER BY seq"
                          " LIMIT :limit + 1",
                          &contracts_rental_list_request_shape, request, &contracts_rental_shape,
                          &reply->items, request->limit, &reply->next_cursor, SHR_END);
}
