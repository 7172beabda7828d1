/*  offer_campaign - offers before a warranty ends. For every asset whose
    last warranty day (covered_until) is from today to within_days ahead,
    whose customer consents to be contacted (complaints' file, as
    customer_feed.c keeps it), and whose model has an active extended
    warranty in the catalogue (the smallest id if several): one offer at
    that offering's quoted price. Never twice for the same asset and cover:
    the offer's key is the asset and the day its cover ends, so a cover
    extended (a warranty sold, then its end near) is a new cover. Each
    offering is quoted once per run. Runs on request (offer.campaign.run)
    and on a timer (CONTRACTS_CAMPAIGN_MS).
*/
#include "contracts.h"

//  An asset to offer to, with the offering that fits it.
typedef struct {
    const char *asset_id;
    const char *customer_id;
    const char *covered_until;
    const char *offering_id;
} s_candidate_t;

static const shr_field_t s_candidate_fields[] = {
    {.name = "asset_id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_candidate_t, asset_id),
     .has_offset = -1},
    {.name = "customer_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_candidate_t, customer_id), .has_offset = -1},
    {.name = "covered_until", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_candidate_t, covered_until), .has_offset = -1},
    {.name = "offering_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_candidate_t, offering_id), .has_offset = -1},
};
static const shr_shape_t s_candidate_shape = {"contracts' offer candidate",
                                              sizeof (s_candidate_t), s_candidate_fields, 4};

//  The quotes of one run, by offering: few offerings, many assets.
typedef struct {
    const char *offering_id;
    contracts_quote_t quote;
} s_quoted_t;

static const contracts_quote_t *s_quote (shr_call_t *call, s_quoted_t *quoted, size_t *count,
                                         const char *offering_id)
{
    for (size_t i = 0; i < *count; i++)
        if (streq (quoted[i].offering_id, offering_id))
            return &quoted[i].quote;
    contracts_offering_t offering;
    s_quoted_t *next = &quoted[*count];
    memset (next, 0, sizeof *next);
    if (offering_read (call, offering_id, &offering) != 1
        || quote_make (call, &offering, offering.model, &next->quote))
        return NULL;
    next->offering_id = offering_id;
    (*count)++;
    return &next->quote;
}

int offer_campaign (shr_call_t *call, int64_t within_days, int64_t *made)
{
    int64_t today = day_of_ms (call->now_ms);
    struct {
        size_t count;
        s_candidate_t *items;
    } due = {0, NULL};
    //  The range on covered_until reads its index; the rest is looked up per asset.
    if (shr_call_list (call,
                       "SELECT a.id AS asset_id, a.customer_id, a.covered_until,"
                       " (SELECT o.id FROM offering o WHERE o.kind = 'extended_warranty'"
                       " AND o.model = a.model AND o.active = 1 ORDER BY o.id LIMIT 1)"
                       " AS offering_id FROM asset a JOIN customer c ON c.id = a.customer_id"
                       " WHERE a.covered_until BETWEEN :today AND :until AND c.consent = 1"
                       " AND NOT EXISTS (SELECT 1 FROM offer f WHERE f.asset_id = a.id"
                       " AND f.cover_ends_on = a.covered_until) AND offering_id IS NOT NULL"
                       " ORDER BY a.covered_until, a.seq",
                       NULL, NULL, &s_candidate_shape, &due, 0, NULL,
                       SHR_TEXT (":today", day_text (call, today)),
                       SHR_TEXT (":until", day_text (call, today + within_days)), SHR_END))
        return -1;
    s_quoted_t *quoted = (s_quoted_t *) shr_call_alloc (call, (due.count + 1) * sizeof *quoted);
    if (!quoted)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    size_t quotes = 0;
    for (size_t i = 0; i < due.count; i++) {
        const s_candidate_t *asset = &due.items[i];
        const contracts_quote_t *quote = s_quote (call, quoted, &quotes, asset->offering_id);
        event_offer_made_t event;
        if (!quote
            || shr_call_get (call,
                             "INSERT INTO offer (id, asset_id, customer_id, offering_id,"
                             " cover_ends_on, price_cents, cost_basis_cents, currency, status,"
                             " made_at_ms) VALUES (printf ('OF-%06d', (SELECT coalesce (max"
                             " (seq), 0) + 1 FROM offer)), :asset_id, :customer_id,"
                             " :offering_id, :covered_until, :price, :cost, :currency, 'made',"
                             " :now) RETURNING " OFFER_COLUMNS,
                             &s_candidate_shape, asset, &contracts_offer_shape, &event.offer,
                             SHR_INT (":price", quote->price_cents),
                             SHR_INT (":cost", quote->cost_basis_cents),
                             SHR_TEXT (":currency", quote->currency), SHR_END)
                   != 1
            || event_offer_made_emit (call, event.offer.id, &event) < 0)
            return -1;
    }
    if (made)
        *made = (int64_t) due.count;
    if (due.count)
        shr_log_info ("offer campaign: %zu offers made", due.count);
    return 0;
}

int offer_campaign_run (shr_call_t *call, const contracts_offer_campaign_run_request_t *request,
                        contracts_offer_campaign_run_reply_t *reply)
{
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    reply->within_days = request->has_within_days ? request->within_days
                                                  : settings->offer_within_days;
    reply->on = day_text (call, day_of_ms (call->now_ms));
    return offer_campaign (call, reply->within_days, &reply->offers_made);
}

int offer_campaign_tick (shr_call_t *call)
{
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    return offer_campaign (call, settings->offer_within_days, NULL);
}
