/*  contracts - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, setup), migrations.c (tables),
    day.c (calendar days: parse, format, add months: pure), refund.c (the
    pro-rata refund of a cancelled contract: pure), asset.c (the installed
    base: register, read, list), cover.c (what covers an asset and when, its
    asset.coverage_changed), offering.c (the catalogue), contract.c
    (contracts: sell, read, list), contract_steps.c (renew, cancel),
    expiry_scan.c (the clock that announces each expiry once),
    customer_feed.c (what complaints' customer.updated events do here: the
    consent to be contacted), pricing.c (a quote from its terms: pure),
    quote.c (a quote's terms from the store: history, uptake), repair_feed.c
    (what dispatch's completed orders do here: the repair history),
    rental_terms.c (what a returned rental costs: pure), rental.c (rentals),
    offer.c (offers: make, accept, decline, list), offer_campaign.c (offers
    before a cover ends, on request and on a timer), visit.c (the work orders
    a contract needs, planned), visit_sender.c (the timer that asks dispatch
    for them, once each).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (contracts_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef CONTRACTS_H_INCLUDED
#define CONTRACTS_H_INCLUDED

#include "contracts_shapes.h"
#include "events_shapes.h"
#include "shared.h"

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];  //  CONTRACTS_CURRENCY, default CNY: every price is in it
    int scan_ms;       //  CONTRACTS_SCAN_MS, default 1000: the expiry clock
    int offer_within_days;  //  CONTRACTS_OFFER_WITHIN_DAYS, default 60: offers before a cover ends
    int campaign_ms;        //  CONTRACTS_CAMPAIGN_MS, default 3600000: the offer campaign's timer
    int uptake_days;        //  CONTRACTS_UPTAKE_DAYS, default 90: the demand step's period
    int late_rate_bp;       //  CONTRACTS_LATE_RATE_BP, default 15000: a late rental day's price
    int orders_ms;          //  CONTRACTS_ORDERS_MS, default 1000: the work order timer
    int visit_lead_days;    //  CONTRACTS_VISIT_LEAD_DAYS, default 14: ordered this far ahead
    int dispatch_timeout_ms;  //  CONTRACTS_DISPATCH_TIMEOUT_MS, default 1000: one call's wait
    int dispatch_retry_s;   //  CONTRACTS_DISPATCH_RETRY_S, default 30: after a failed call
    int part_cover_days;    //  CONTRACTS_PART_COVER_DAYS, default 90: a part replaced under
                            //  cover is covered this long from the repair (0: not)
    char region[65];        //  CONTRACTS_REGION, default "unknown": for a customer of no region
    shr_client_t *dispatch; //  dispatch's API, owned by the service
    int64_t next_try_ms;    //  the timer waits until then after a failed call
} contracts_settings_t;

extern const char *const contracts_migrations[];

#define ASSET_COLUMNS                                                                            \
    "id, serial, model, customer_id, installed_on, warranty_ends_on AS \"warranty.ends_on\","    \
    " warranty_parts AS \"warranty.parts\", warranty_labour AS \"warranty.labour\","             \
    " covered_until, registered_at_ms, updated_at_ms"
#define OFFERING_COLUMNS                                                                         \
    "id, kind, name, model, term_months, visits_per_year, cost_cents, price_cents, currency,"   \
    " competitor_price_cents, target_margin_bp, band_bp, uptake_target_bp, demand_discount_bp," \
    " active, updated_at_ms"
#define CONTRACT_COLUMNS                                                                         \
    "id, customer_id, asset_id, offering_id, kind, starts_on, ends_on, price_cents,"            \
    " cost_basis_cents, currency, status, cancelled_on, refund_cents, renewal_of, renewed_by,"  \
    " offer_id, workorder_id, created_at_ms"
#define RENTAL_COLUMNS                                                                           \
    "id, item, customer_id, offering_id, daily_rate_cents, deposit_cents, currency, starts_on,"  \
    " due_on, status, returned_on, days, late_days, late_rate_bp, rent_cents, late_fee_cents,"   \
    " deposit_refund_cents, balance_due_cents, started_at_ms"
#define OFFER_COLUMNS                                                                            \
    "id, asset_id, customer_id, offering_id, cover_ends_on, price_cents, cost_basis_cents,"     \
    " currency, status, made_at_ms, answered_at_ms, contract_id, reason"

//  day.c: calendar days as counts of days since 1970-01-01 (UTC). Pure.
#define DAY_LEN 11  //  "YYYY-MM-DD" and its NUL
//  Reads text (YYYY-MM-DD, a day that exists) into *day. Returns 0, or -1.
int day_parse (const char *text, int64_t *day);
//  Writes day as YYYY-MM-DD into out (DAY_LEN bytes).
void day_format (int64_t day, char *out);
//  The day a moment (ms since the epoch) falls on.
int64_t day_of_ms (int64_t ms);
//  The same day of the month months later (or earlier), the month's last day
//  where it is shorter (31 January + 1 month: 28 or 29 February).
int64_t day_add_months (int64_t day, int64_t months);

//  The request's day field (field names it, "/body/starts_on"), parsed into
//  *day; absent (NULL), today by the call's clock. Returns 0, or -1 with the
//  call failed (invalid_argument on field for a day that does not exist).
int day_field (shr_call_t *call, const char *text, const char *field, int64_t *day);
//  day as text in the call's arena.
const char *day_text (shr_call_t *call, int64_t day);

//  refund.c: what a cancelled contract gives back (the rule is in refund.c). Pure.
int64_t refund_pro_rata (int64_t price_cents, int64_t starts_on, int64_t ends_on,
                         int64_t cancelled_on);

//  asset.c
//  Reads the asset called id into out. Returns 1 if found, 0 if not, -1 with the call failed.
int asset_read (shr_call_t *call, const char *id, contracts_asset_t *out);
//  The same for an asset a request names at field: 0, or -1 with the call failed (not_found).
int asset_find (shr_call_t *call, const char *id, const char *field, contracts_asset_t *out);

//  cover.c
//  Every cover the asset ever had (an array of contracts_cover_t): the
//  manufacturer's, then extended warranties, then maintenance plans, each by
//  start. Returns 0 or -1.
int cover_periods (shr_call_t *call, const char *asset_id, void *periods);
//  After a contract that covers the asset changed: its covered_until again,
//  and asset.coverage_changed with every cover (because: the contract).
//  Returns 0 or -1.
int cover_changed (shr_call_t *call, const char *asset_id, const char *because);

//  offering.c
//  Reads offering id into out. Returns 1 if found, 0 if not, -1 with the call failed.
int offering_read (shr_call_t *call, const char *id, contracts_offering_t *out);
//  The same for an offering a request names at field: 0, or -1 with the call failed (not_found).
int offering_find (shr_call_t *call, const char *id, const char *field,
                   contracts_offering_t *out);
//  Whether contracts of kind cover their asset.
bool offering_covers (const char *kind);

//  contract.c
//  Reads contract id into out. Returns 1 if found, 0 if not, -1 with the call failed.
int contract_read (shr_call_t *call, const char *id, contracts_contract_t *out);
//  The same for a contract a request names at field: 0, or -1 with the call failed (not_found).
int contract_find (shr_call_t *call, const char *id, const char *field,
                   contracts_contract_t *out);
//  What a new contract is (its days already checked).
typedef struct {
    const char *customer_id;
    const char *asset_id;        //  NULL if none
    const contracts_offering_t *offering;
    int64_t starts_on, ends_on;
    int64_t price_cents, cost_basis_cents;
    const char *renewal_of;      //  NULL unless a renewal
    const char *offer_id;        //  NULL unless from an offer
} contract_sale_t;
//  The last day of a contract from starts: ends_on as given (field
//  /body/ends_on), else starts plus the offering's term, less a day. Returns
//  0, or -1 with the call failed (invalid_argument: no term, before starts).
int contract_ends (shr_call_t *call, const char *ends_on, int64_t starts,
                   const contracts_offering_t *offering, int64_t *ends);
//  Inserts the contract, reads it into out, refreshes its asset's coverage
//  if it covers one, and plans the work orders it needs (visit.c). The caller emits contract.sold or
//  contract.renewed. Returns 0 or -1.
int contract_insert (shr_call_t *call, const contract_sale_t *sale, contracts_contract_t *out);

//  pricing.c: what a quote is made of, and the rule that makes it. Pure.
typedef struct {
    int64_t configured_cost_cents;  //  the offering's cost_cents
    bool has_history;               //  completed in-warranty orders of the model, and unit days
    contracts_history_t history;    //  orders, repair_cost_cents, unit_days (per_unit_year: out)
    bool has_term;
    int64_t term_months;
    int64_t target_margin_bp;
    int64_t uptake_offers, uptake_accepted, uptake_target_bp, demand_discount_bp;
    bool has_competitor;
    int64_t competitor_price_cents, band_bp;
} pricing_input_t;
//  Fills every term of quote from input (the rule is in pricing.c); quote's
//  ids, kind, model and currency are the caller's.
void pricing_quote (const pricing_input_t *input, contracts_quote_t *quote);

//  quote.c
//  Quotes offering for an asset of model (NULL if none) now: the history of
//  the model's repairs, the offering's uptake, the pricing rule. Returns 0 or -1.
int quote_make (shr_call_t *call, const contracts_offering_t *offering, const char *model,
                contracts_quote_t *quote);

//  rental_terms.c: what a rental returned on a day costs. Pure.
//  Fills days, late_days, rent, late fee, deposit refund and balance due of
//  rental (its rate, deposit, late rate, starts_on and due_on set) returned on day returned.
void rental_settle (contracts_rental_t *rental, int64_t starts_on, int64_t due_on,
                    int64_t returned_on);

//  offer_campaign.c
//  Offers the fitting extended warranty at its quoted price for every asset
//  whose last warranty day is within within_days of today and whose customer
//  consents to be contacted, once per asset and cover. *made (if not NULL)
//  counts them. Returns 0 or -1.
int offer_campaign (shr_call_t *call, int64_t within_days, int64_t *made);
//  The timer that runs it with CONTRACTS_OFFER_WITHIN_DAYS.
shr_tick_fn offer_campaign_tick;

//  repair_feed.c: what dispatch's events do here (shr_service_consume).
extern const shr_event_handler_t repair_feed[];

//  visit.c
//  Plans the work orders a new contract needs: its own job (installation,
//  upgrade, consulting: one, on its first day) or a maintenance plan's
//  visits over its term. Returns 0 or -1.
int visit_plan (shr_call_t *call, const contracts_contract_t *contract,
                const contracts_offering_t *offering);

//  visit_sender.c: the timer that asks dispatch for each planned order due
//  within CONTRACTS_VISIT_LEAD_DAYS, once each across restarts.
shr_tick_fn visit_sender;

//  expiry_scan.c: the timer that marks and announces each contract past its last day once.
shr_tick_fn expiry_scan;

//  customer_feed.c: what complaints' events do here (shr_service_consume).
extern const shr_event_handler_t customer_feed[];

#endif
