/*  inventory - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, consumers, timer), migrations.c
    (tables), part.c (parts and their reorder policies), warehouse.c
    (warehouses and the regions they serve), stock.c (a stock's row and how
    replies show it: stock.get, stock.list), movement.c (the one way a stock
    changes: its row, a ledger entry, the value journal), ledger.c
    (stock.ledger), valuation.c (the exact-cents rules: pure), reorder_policy.c
    (reorder points, order-up-to levels, suggested quantities: pure),
    reorder.c (the control: levels from demand, an alert per crossing, the
    daily re-evaluation), reservation.c (what work orders hold and are owed,
    back-orders filled oldest first), issue.c (issues and returns),
    count.c (counts and transfers), report.c (valuation at a time,
    turnover), workorder_parts.c (dispatch's orders: reserve, issue, release),
    purchasing.c (procurement's orders: on order, receipts).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (inventory_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef INVENTORY_H_INCLUDED
#define INVENTORY_H_INCLUDED

#include "events_shapes.h"
#include "inventory_shapes.h"
#include "shared.h"

#define DAY_MS 86400000LL

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];          //  INVENTORY_CURRENCY, default CNY: every *_cents is in it
    double service_level;      //  INVENTORY_SERVICE_LEVEL, default 0.95 (auto policies)
    int window_days;           //  INVENTORY_DEMAND_WINDOW_DAYS, default 90
    int cover_days;            //  INVENTORY_COVER_DAYS, default 30
    int overstock_margin_pct;  //  INVENTORY_OVERSTOCK_MARGIN_PCT, default 50
    int reorder_scan_ms;       //  INVENTORY_REORDER_SCAN_MS, default 60000
} inventory_settings_t;

extern const char *const inventory_migrations[];

//  part.c
//  Fails the call (not_found on field) unless part sku exists. Returns 0 or -1.
int part_require (shr_call_t *call, const char *sku, const char *field);
//  1 if part sku exists, 0 if not, -1 with the call failed.
int part_exists (shr_call_t *call, const char *sku);
//  Makes sure part sku exists, creating a placeholder named after what
//  brought it (goods arrived for a part never described). Returns 0 or -1.
int part_ensure (shr_call_t *call, const char *sku, const char *because);

//  warehouse.c
//  Fails the call (not_found on field) unless warehouse id exists. Returns 0 or -1.
int warehouse_require (shr_call_t *call, const char *id, const char *field);
//  The warehouse serving region, in the arena, or NULL if none (or on a
//  database error: then the call failed, *failed set).
const char *warehouse_serving (shr_call_t *call, const char *region, bool *failed);
//  Makes sure warehouse id exists (a placeholder with no regions if not). Returns 0 or -1.
int warehouse_ensure (shr_call_t *call, const char *id, const char *because);

//  stock.c
//  A stock's row as the domain code reads it (stock_row_shape), with its
//  policy when it has one.
typedef struct {
    const char *sku;
    const char *warehouse_id;
    const char *category;
    int64_t on_hand;
    int64_t reserved;
    int64_t on_order;
    int64_t backordered;
    int64_t value_cents;
    int64_t last_unit_cost_cents;
    bool has_last_unit_cost_cents;
    bool below_reorder;
    bool overstock;
    inventory_policy_t policy;
    bool has_policy;
    int64_t updated_at_ms;
} stock_row_t;
extern const shr_shape_t stock_row_shape;
//  Reads the stock of sku in warehouse into row. Returns 1 if it has a row,
//  0 if not, -1 with the call failed.
int stock_row_read (shr_call_t *call, const char *sku, const char *warehouse_id, stock_row_t *row);
//  Makes sure the stock of sku in warehouse has a row (both must exist).
//  Returns 0 or -1.
int stock_row_ensure (shr_call_t *call, const char *sku, const char *warehouse_id);
//  Fills a stock reply from its row: available, unit cost, currency and the
//  reorder control with its inputs. Returns 0 or -1.
int stock_view (shr_call_t *call, const stock_row_t *row, inventory_stock_t *out);
//  Reads the stock (which must have a row) as a reply. Returns 0 or -1.
int stock_view_of (shr_call_t *call, const char *sku, const char *warehouse_id,
                   inventory_stock_t *out);
//  What the reorder control compares with its levels: available + on order - back-ordered.
int64_t stock_position (const stock_row_t *row);

//  movement.c: every change of a stock goes through stock_move.
typedef struct {
    const char *sku;
    const char *warehouse_id;
    const char *kind;         //  the ledger's kind; NULL for changes of on order or back-orders only
    int64_t qty;              //  the change of on hand
    int64_t reserved;         //  the change of what is reserved
    int64_t value_cents;      //  the change of the stock's value
    int64_t on_order;         //  the change of what is on order
    int64_t backordered;      //  the change of what is owed to work orders
    int64_t cogs_cents;       //  cost of goods issued (+) or taken back from a work order (-)
    const char *reference;    //  work order, purchase order or transfer; may be NULL
    const char *reason;       //  may be NULL
    const char *by;           //  may be NULL
} stock_move_t;
//  Applies the move to the stock's row (which must exist), writes its ledger
//  entry (with the call's actor) and, when the value changes, the value
//  journal of the warehouse and of all; fills after (may be NULL) with the
//  row as it now is. The caller has checked that nothing goes negative (the
//  table's checks would fail the call with internal). Returns 0 or -1.
int stock_move (shr_call_t *call, const stock_move_t *move, stock_row_t *after);
//  After a change, in this order: fills back-orders from what is available
//  (oldest first, each with its stock.reserved), then checks the reorder and
//  overstock levels (an event per crossing). Returns 0 or -1.
int stock_settle (shr_call_t *call, const char *sku, const char *warehouse_id);

//  valuation.c: pure.
//  The value that qty units take out of a stock of on_hand units worth
//  value_cents: qty x (value / on hand), rounded half up; all of it when qty
//  is the whole stock. 0 <= qty <= on_hand.
int64_t valuation_issue_cents (int64_t value_cents, int64_t on_hand, int64_t qty);
//  value / on hand, rounded half up (on_hand > 0).
int64_t valuation_unit_cost_cents (int64_t value_cents, int64_t on_hand);
//  numerator / denominator, rounded half up, for non-negative numbers
//  (denominator > 0); computed in 128 bits, so qty x cents never overflows.
int64_t valuation_divide (__int128 numerator, int64_t denominator);

//  reorder_policy.c: pure.
//  What the service configures for auto policies that do not say.
typedef struct {
    double service_level;
    int64_t window_days;
    int64_t cover_days;
    int64_t overstock_margin_pct;
} reorder_defaults_t;
//  Units issued over a policy's window of whole days.
typedef struct {
    int64_t window_days;
    int64_t sum;              //  units
    double sum_of_squares;    //  of the daily totals
} reorder_demand_t;
//  The quantile of the standard normal distribution at p (0 < p < 1): the z
//  of a service level (0.95 -> 1.645).
double reorder_z (double p);
//  The window a policy's demand is read over (its own or the default).
int64_t reorder_window_days (const inventory_policy_t *policy, const reorder_defaults_t *defaults);
//  The control of a stock with policy (kind fixed or auto) at position:
//  the levels, the suggested quantity when at or below the reorder point
//  (0 otherwise), the overstock level, and for auto the inputs used.
void reorder_evaluate (const inventory_policy_t *policy, const reorder_defaults_t *defaults,
                       const reorder_demand_t *demand, int64_t position, inventory_reorder_t *out);
//  order_up_to - position, at least 1, raised to min_qty and rounded up to a
//  multiple of multiple (0: none).
int64_t reorder_suggested_qty (int64_t order_up_to, int64_t position, int64_t min_qty,
                               int64_t multiple);

//  reorder.c
//  The control of row as it stands now (demand read for auto policies);
//  found is false without a policy. Returns 0 or -1.
int reorder_now (shr_call_t *call, const stock_row_t *row, inventory_reorder_t *out, bool *found);
//  Re-evaluates the row's levels, stores them with the side of them the stock
//  is on, and emits stock.below_reorder or stock.overstock when it crossed.
//  Returns 0 or -1.
int reorder_check (shr_call_t *call, const stock_row_t *row);
//  An order for the stock was approved, received or cancelled: the next check
//  announces it again if it is still at or below its reorder point (the order
//  did not lift it). Returns 0 or -1.
int reorder_rearm (shr_call_t *call, const char *sku, const char *warehouse_id);
//  The timer: auto policies are evaluated again once a day passes (their
//  demand window moves). Returns 0 or -1.
shr_tick_fn reorder_scan;
//  Adds units issued today (negative: returned) to the stock's demand. Returns 0 or -1.
int reorder_record_demand (shr_call_t *call, const char *sku, const char *warehouse_id,
                           int64_t qty);

//  reservation.c
//  What one change did to a work order's line, and where the line stands.
typedef struct {
    const char *sku;
    int64_t reserved_now;     //  reserved by this change
    int64_t backordered_now;  //  back-ordered by this change
    int64_t reserved;         //  the line's reservation after it
    int64_t backordered;      //  what the line is owed after it
} reservation_change_t;
//  Reserves qty of sku for the work order in warehouse as far as it is
//  available, the rest back-ordered (the stock must have a row). The caller
//  announces (reservation_announce) and settles. Returns 0 or -1.
int reservation_add (shr_call_t *call, const char *workorder_id, const char *sku,
                     const char *warehouse_id, int64_t qty, const char *by,
                     reservation_change_t *change);
//  Lets go of up to qty (-1: all) of the order's line of sku, back-order
//  first, then what is reserved. *released and *cancelled say how much of
//  each. The caller announces and settles. Returns 0 or -1.
int reservation_drop (shr_call_t *call, const char *workorder_id, const char *sku, int64_t qty,
                      const char *reason, const char *by, int64_t *released, int64_t *cancelled);
//  Releases all the order holds and drops its back-orders, with one
//  stock.released if there was any, and settles the stocks. Returns 0 or -1.
int reservation_release_all (shr_call_t *call, const char *workorder_id, const char *reason,
                             const char *by);
//  Records an issue against the order's line of sku: taken units of its
//  reservation used, issued units in all, worth value_cents. Returns 0 or -1.
int reservation_record_issue (shr_call_t *call, const char *workorder_id, const char *sku,
                              const char *warehouse_id, int64_t taken, int64_t issued,
                              int64_t value_cents);
//  Fills back-orders of the stock from what is available, oldest first, each
//  with its stock.reserved. Returns 0 or -1.
int reservation_fill (shr_call_t *call, const char *sku, const char *warehouse_id);
//  Before a count leaves less on hand than is reserved: the newest
//  reservations become back-orders until what is reserved fits in on_hand,
//  each with its stock.backordered. Returns 0 or -1.
int reservation_unfill (shr_call_t *call, const char *sku, const char *warehouse_id,
                        int64_t on_hand);
//  Reads the order's reservation into out. Returns 1, 0 if it has none, or -1.
int reservation_read (shr_call_t *call, const char *workorder_id, inventory_reservation_t *out);
//  What all the order's issues cost, less what came back. Returns 0 or -1.
int reservation_issued_value (shr_call_t *call, const char *workorder_id, int64_t *value_cents);
//  The warehouse the order's lines are in, in the arena; NULL if it has none
//  (or on a database error: then *failed is set).
const char *reservation_warehouse (shr_call_t *call, const char *workorder_id, bool *failed);
//  Emits stock.reserved for the changes that reserved something and
//  stock.backordered for those that back-ordered something. Returns 0 or -1.
int reservation_announce (shr_call_t *call, const char *workorder_id, const char *warehouse_id,
                          const reservation_change_t *changes, size_t count, bool filled);

//  issue.c
//  Issues qty of sku to the order from warehouse: its reservation first, then
//  what is available; line gets what it cost. Fails with failed_precondition on
//  field when there is not enough (nothing changed). Returns 0 or -1.
int issue_to_workorder (shr_call_t *call, const char *workorder_id, const char *sku,
                        const char *warehouse_id, int64_t qty, const char *by, const char *field,
                        inventory_issued_line_t *line);
//  How many units of sku the order could be issued in warehouse now (its
//  reservation plus what is available). -1 with the call failed.
int64_t issue_possible (shr_call_t *call, const char *workorder_id, const char *sku,
                        const char *warehouse_id);

//  workorder_parts.c: what inventory does with dispatch's events.
extern const shr_event_handler_t workorder_parts_handlers[];

//  purchasing.c: what inventory does with procurement's events.
extern const shr_event_handler_t purchasing_handlers[];

//  Time: the day (since the epoch, UTC) of a moment.
static inline int64_t inventory_day (int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : -((DAY_MS - 1 - ms) / DAY_MS);
}

#endif
