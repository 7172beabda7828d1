/*  contracts - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, setup), migrations.c (tables),
    day.c (calendar days: parse, format, add months: pure), refund.c (the
    pro-rata refund of a cancelled contract: pure), asset.c (the installed
    base: register, read, list), cover.c (what covers an asset and when, its
    asset.coverage_changed), offering.c (the catalogue), contract.c
    (contracts: sell, read, list), contract_steps.c (renew, cancel),
    expiry_scan.c (the clock that announces each expiry once),
    customer_feed.c (what complaints' customer.updated events do here: the
    consent to be contacted).

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
//  Whether contracts of kind cover their asset.
bool offering_covers (const char *kind);

//  contract.c
//  Reads contract id into out. Returns 1 if found, 0 if not, -1 with the call failed.
int contract_read (shr_call_t *call, const char *id, contracts_contract_t *out);
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
//  Inserts the contract, reads it into out, and refreshes its asset's
//  coverage if it covers one. The caller emits contract.sold or
//  contract.renewed. Returns 0 or -1.
int contract_insert (shr_call_t *call, const contract_sale_t *sale, contracts_contract_t *out);

//  expiry_scan.c: the timer that marks and announces each contract past its last day once.
shr_tick_fn expiry_scan;

//  customer_feed.c: what complaints' events do here (shr_service_consume).
extern const shr_event_handler_t customer_feed[];

#endif
