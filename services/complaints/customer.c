/*  customer - the customer file: who they are, how to reach them on each
    channel, their region, whether they consent to be contacted, and their
    history (work orders as dispatch's events told them, complaints,
    follow-ups, surveys) in one customer.get. A customer first seen in a work
    order joins the file with its id and region only, and no consent.
*/
#include "complaints.h"

#define HISTORY_LIMIT 100  //  of each kind, newest first

int customer_read (shr_call_t *call, const char *id, complaints_customer_t *out)
{
    return shr_call_get (call, "SELECT " CUSTOMER_COLUMNS " FROM customer WHERE id = :id", NULL,
                         NULL, &complaints_customer_shape, out, SHR_TEXT (":id", id), SHR_END);
}

static int s_updated (shr_call_t *call, const char *id, bool created, const char *by,
                      complaints_customer_t *customer)
{
    if (customer_read (call, id, customer) != 1)
        return shr_call_db_error (call);
    event_customer_updated_t event = {.customer = *customer, .created = created, .by = by};
    return event_customer_updated_emit (call, id, &event) < 0 ? -1 : 0;
}

int customer_ensure (shr_call_t *call, const char *id, const char *region)
{
    complaints_customer_t customer;
    int found = customer_read (call, id, &customer);
    if (found)
        return found < 0 ? -1 : 0;
    shr_log_info ("customer %s (%s) joins the file from a work order", id, region);
    return shr_call_exec (call,
                          "INSERT INTO customer (id, region, created_at_ms, updated_at_ms)"
                          " VALUES (:id, :region, :now, :now)",
                          NULL, NULL, SHR_TEXT (":id", id), SHR_TEXT (":region", region), SHR_END)
               ? -1
               : s_updated (call, id, true, NULL, &customer);
}

int customer_upsert (shr_call_t *call, const complaints_customer_upsert_request_t *request,
                     complaints_customer_t *reply)
{
    complaints_customer_t before;
    int found = customer_read (call, request->id, &before);
    if (found < 0)
        return -1;
    if (!found && !request->name)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/name",
                              "a new customer needs a name");
    if (!found && !request->region)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/region",
                              "a new customer needs a region");
    //  Fields left out keep their stored value; contacts are replaced as a whole.
    if (shr_call_exec (call,
                       found ? "UPDATE customer SET name = coalesce (:name, name), region ="
                               " coalesce (:region, region), contacts = coalesce (:contacts,"
                               " contacts), consent = coalesce (:consent, consent),"
                               " updated_at_ms = :now WHERE id = :id"
                             : "INSERT INTO customer (id, name, region, contacts, consent,"
                               " created_at_ms, updated_at_ms) VALUES (:id, :name, :region,"
                               " coalesce (:contacts, '[]'), coalesce (:consent, 0), :now, :now)",
                       &complaints_customer_upsert_request_shape, request, SHR_END))
        return -1;
    return s_updated (call, request->id, !found, request->by, reply);
}

int customer_get (shr_call_t *call, const complaints_customer_get_request_t *request,
                  complaints_customer_get_reply_t *reply)
{
    int found = customer_read (call, request->id, &reply->customer);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no customer %s",
                                          request->id);
    return shr_call_list (call,
                          "SELECT id, type, status, region, reported_at_ms, completed_at_ms,"
                          " accepted_at_ms, customer_score FROM customer_workorder"
                          " WHERE customer_id = :id ORDER BY reported_at_ms DESC, id DESC"
                          " LIMIT :limit",
                          &complaints_customer_get_request_shape, request,
                          &complaints_customer_workorder_shape, &reply->workorders, 0, NULL,
                          SHR_INT (":limit", HISTORY_LIMIT), SHR_END)
           || shr_call_list (call,
                             "SELECT " COMPLAINT_SUMMARY_COLUMNS " FROM complaint"
                             " WHERE customer_id = :id ORDER BY seq DESC LIMIT :limit",
                             &complaints_customer_get_request_shape, request,
                             &complaints_complaint_summary_shape, &reply->complaints, 0, NULL,
                             SHR_INT (":limit", HISTORY_LIMIT), SHR_END)
           || shr_call_list (call,
                             "SELECT " FOLLOWUP_COLUMNS " FROM followup WHERE customer_id = :id"
                             " ORDER BY seq DESC LIMIT :limit",
                             &complaints_customer_get_request_shape, request,
                             &complaints_followup_shape, &reply->followups, 0, NULL,
                             SHR_INT (":limit", HISTORY_LIMIT), SHR_END)
           || shr_call_list (call,
                             "SELECT " SURVEY_COLUMNS " FROM survey WHERE customer_id = :id"
                             " ORDER BY seq DESC LIMIT :limit",
                             &complaints_customer_get_request_shape, request,
                             &complaints_survey_shape, &reply->surveys, 0, NULL,
                             SHR_INT (":limit", HISTORY_LIMIT), SHR_END);
}

int customer_list (shr_call_t *call, const complaints_customer_list_request_t *request,
                   complaints_customer_list_reply_t *reply)
{
    return shr_call_list (
        call,
        "SELECT " CUSTOMER_COLUMNS ", id AS _cursor FROM customer WHERE id > coalesce (:cursor, '')"
        " AND (:region IS NULL OR region = :region)"
        " AND (:name_prefix IS NULL OR substr (name, 1, length (:name_prefix)) = :name_prefix)"
        " ORDER BY id LIMIT :limit + 1",
        &complaints_customer_list_request_shape, request, &complaints_customer_shape,
        &reply->items, request->limit, &reply->next_cursor, SHR_END);
}
