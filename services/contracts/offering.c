/*  offering - the catalogue: extended warranties (by model, a term in
    months), installation and commissioning, product upgrades, equipment
    rental, technical consulting and maintenance plans (visits per year),
    each with its configured cost basis, its list price, and what pricing
    needs (a competitor's reference price, the target margin, the band
    around the reference, the uptake target and the discount under it).
    An upsert replaces the whole offering; its kind never changes.
*/
#include "contracts.h"

int offering_read (shr_call_t *call, const char *id, contracts_offering_t *out)
{
    return shr_call_get (call, "SELECT " OFFERING_COLUMNS " FROM offering WHERE id = :id", NULL,
                         NULL, &contracts_offering_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int offering_find (shr_call_t *call, const char *id, const char *field,
                   contracts_offering_t *out)
{
    int found = offering_read (call, id, out);
    return found ? (found < 0 ? -1 : 0)
                 : shr_call_fail (call, SHR_NOT_FOUND, field, "no offering %s", id);
}

bool offering_covers (const char *kind)
{
    return streq (kind, "extended_warranty") || streq (kind, "maintenance_plan");
}

//  What each kind needs beyond the common fields.
static int s_check (shr_call_t *call, const contracts_offering_upsert_request_t *request)
{
    bool warranty = streq (request->kind, "extended_warranty");
    bool plan = streq (request->kind, "maintenance_plan");
    if (warranty && !request->model)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/model",
                              "an extended warranty is sold for one model");
    if ((warranty || plan) && !request->has_term_months)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/term_months",
                              "a %s needs its term in months", request->kind);
    if (plan && !request->has_visits_per_year)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/visits_per_year",
                              "a maintenance plan needs its visits per year");
    if (!plan && request->has_visits_per_year)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/visits_per_year",
                              "only a maintenance plan has visits");
    return 0;
}

int offering_upsert (shr_call_t *call, const contracts_offering_upsert_request_t *request,
                     contracts_offering_t *reply)
{
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    contracts_offering_t before;
    int found = offering_read (call, request->id, &before);
    if (found < 0 || s_check (call, request))
        return -1;
    if (found && !streq (before.kind, request->kind))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/kind",
                              "offering %s is a %s; its kind does not change", request->id,
                              before.kind);
    if (shr_call_exec (call,
                       "INSERT INTO offering (id, kind, name, model, term_months, visits_per_year,"
                       " cost_cents, price_cents, currency, competitor_price_cents,"
                       " target_margin_bp, band_bp, uptake_target_bp, demand_discount_bp, active,"
                       " updated_at_ms) VALUES (:id, :kind, :name, :model, :term_months,"
                       " :visits_per_year, :cost_cents, :price_cents, :currency,"
                       " :competitor_price_cents, :target_margin_bp, :band_bp, :uptake_target_bp,"
                       " :demand_discount_bp, :active, :now) ON CONFLICT (id) DO UPDATE SET"
                       " name = excluded.name, model = excluded.model, term_months ="
                       " excluded.term_months, visits_per_year = excluded.visits_per_year,"
                       " cost_cents = excluded.cost_cents, price_cents = excluded.price_cents,"
                       " competitor_price_cents = excluded.competitor_price_cents,"
                       " target_margin_bp = excluded.target_margin_bp, band_bp ="
                       " excluded.band_bp, uptake_target_bp = excluded.uptake_target_bp,"
                       " demand_discount_bp = excluded.demand_discount_bp, active ="
                       " excluded.active, updated_at_ms = excluded.updated_at_ms",
                       &contracts_offering_upsert_request_shape, request,
                       SHR_TEXT (":currency", settings->currency), SHR_END)
        || offering_read (call, request->id, reply) != 1)
        return -1;
    event_offering_updated_t event = {.offering = *reply, .created = !found};
    return event_offering_updated_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int offering_list (shr_call_t *call, const contracts_offering_list_request_t *request,
                   contracts_offering_list_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " OFFERING_COLUMNS ", id AS _cursor FROM offering"
                          " WHERE id > coalesce (:cursor, '') AND (:kind IS NULL OR kind = :kind)"
                          " AND (:model IS NULL OR model = :model)"
                          " AND (:active IS NULL OR active = :active) ORDER BY id LIMIT :limit + 1",
                          &contracts_offering_list_request_shape, request,
                          &contracts_offering_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_END);
}
