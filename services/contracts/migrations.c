/*  migrations - the contracts database, version by version. Never edit a
    shipped version: add the next one. */
#include "contracts.h"

const char *const contracts_migrations[] = {
    //  1: customers' consent (as complaints' events tell it), the installed
    //  base, the catalogue, contracts.
    "CREATE TABLE customer ("
    " id TEXT PRIMARY KEY,"
    " consent INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE asset ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " serial TEXT NOT NULL UNIQUE,"
    " model TEXT NOT NULL,"
    " customer_id TEXT NOT NULL,"
    " installed_on TEXT NOT NULL,"                  //  days are YYYY-MM-DD: they sort as text
    " warranty_ends_on TEXT NOT NULL,"
    " warranty_parts INTEGER NOT NULL,"
    " warranty_labour INTEGER NOT NULL,"
    " covered_until TEXT,"                          //  kept by cover.c: the last warranty day
    " registered_at_ms INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL);"
    "CREATE INDEX asset_by_customer ON asset (customer_id, seq);"
    "CREATE INDEX asset_by_model ON asset (model, seq);"
    "CREATE INDEX asset_covered_until ON asset (covered_until);"
    "CREATE TABLE offering ("
    " id TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " model TEXT,"
    " term_months INTEGER,"
    " visits_per_year INTEGER,"
    " cost_cents INTEGER NOT NULL,"
    " price_cents INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " competitor_price_cents INTEGER,"
    " target_margin_bp INTEGER NOT NULL,"
    " band_bp INTEGER NOT NULL,"
    " uptake_target_bp INTEGER NOT NULL,"
    " demand_discount_bp INTEGER NOT NULL,"
    " active INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX offering_by_model ON offering (kind, model) WHERE active = 1;"
    "CREATE TABLE contract ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " customer_id TEXT NOT NULL,"
    " asset_id TEXT REFERENCES asset (id),"
    " offering_id TEXT NOT NULL REFERENCES offering (id),"
    " kind TEXT NOT NULL,"
    " starts_on TEXT NOT NULL,"
    " ends_on TEXT NOT NULL,"
    " price_cents INTEGER NOT NULL,"
    " cost_basis_cents INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " cancelled_on TEXT,"
    " refund_cents INTEGER,"
    " renewal_of TEXT UNIQUE,"                      //  a contract is renewed once
    " renewed_by TEXT,"
    " offer_id TEXT,"
    " workorder_id TEXT,"
    " created_at_ms INTEGER NOT NULL,"
    " expired_at_ms INTEGER);"
    "CREATE INDEX contract_by_asset ON contract (asset_id, seq);"
    "CREATE INDEX contract_by_customer ON contract (customer_id, seq);"
    //  The expiry clock reads only active contracts, by their last day.
    "CREATE INDEX contract_active_end ON contract (ends_on) WHERE status = 'active';",
    //  2: the repair history of each model (dispatch's completed in-warranty
    //  orders), rentals, offers.
    "CREATE TABLE repair ("
    " workorder_id TEXT PRIMARY KEY,"
    " model TEXT NOT NULL,"
    " serial TEXT,"
    " cost_cents INTEGER NOT NULL,"                 //  labour and parts, at our cost
    " completed_at_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX repair_by_model ON repair (model);"
    "CREATE TABLE rental ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " item TEXT NOT NULL,"
    " customer_id TEXT NOT NULL,"
    " offering_id TEXT REFERENCES offering (id),"
    " daily_rate_cents INTEGER NOT NULL,"
    " deposit_cents INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " starts_on TEXT NOT NULL,"
    " due_on TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " returned_on TEXT,"
    " days INTEGER NOT NULL DEFAULT 0,"
    " late_days INTEGER NOT NULL DEFAULT 0,"
    " late_rate_bp INTEGER NOT NULL,"               //  as it was when the item went out
    " rent_cents INTEGER NOT NULL DEFAULT 0,"
    " late_fee_cents INTEGER NOT NULL DEFAULT 0,"
    " deposit_refund_cents INTEGER NOT NULL DEFAULT 0,"
    " balance_due_cents INTEGER NOT NULL DEFAULT 0,"
    " started_at_ms INTEGER NOT NULL);"
    "CREATE INDEX rental_by_customer ON rental (customer_id, seq);"
    "CREATE TABLE offer ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " asset_id TEXT NOT NULL REFERENCES asset (id),"
    " customer_id TEXT NOT NULL,"
    " offering_id TEXT NOT NULL REFERENCES offering (id),"
    " cover_ends_on TEXT NOT NULL,"
    " price_cents INTEGER NOT NULL,"
    " cost_basis_cents INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " made_at_ms INTEGER NOT NULL,"
    " answered_at_ms INTEGER,"
    " contract_id TEXT,"
    " reason TEXT,"
    //  Never twice for the same asset and cover.
    " UNIQUE (asset_id, cover_ends_on));"
    "CREATE INDEX offer_by_customer ON offer (customer_id, seq);"
    //  The demand step counts an offering's offers over the last period.
    "CREATE INDEX offer_uptake ON offer (offering_id, made_at_ms);",
    //  3: the work orders contracts need from dispatch, and the customers'
    //  region they carry.
    "ALTER TABLE customer ADD COLUMN region TEXT;"
    "CREATE TABLE visit ("
    " contract_id TEXT NOT NULL REFERENCES contract (id),"
    " visit INTEGER NOT NULL,"                      //  0: the contract's own job
    " type TEXT NOT NULL,"                          //  dispatch's work order type
    " due_on TEXT NOT NULL,"
    " workorder_id TEXT,"                           //  NULL until dispatch answered
    " requested_at_ms INTEGER,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " PRIMARY KEY (contract_id, visit)) WITHOUT ROWID;"
    //  The timer reads only what is still to be ordered, by day.
    "CREATE INDEX visit_pending ON visit (due_on) WHERE workorder_id IS NULL;",

    //  2: the cover of each part a repair under cover replaced, by serial
    //  (repair_feed.c): the last day of the longest such cover, and the order.
    "CREATE TABLE part_cover ("
    " serial TEXT NOT NULL,"
    " part_id TEXT NOT NULL,"
    " ends_on TEXT NOT NULL,"                       //  YYYY-MM-DD: days sort as text
    " workorder_id TEXT NOT NULL,"
    " PRIMARY KEY (serial, part_id)) WITHOUT ROWID;",
    NULL};
