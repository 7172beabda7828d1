/*  procurement - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, consumer, timer), migrations.c
    (tables), supplier.c (suppliers, blocking), price_list.c (prices with
    quantity breaks and validity; the offer at a quantity), requisition.c
    (needs to buy, by hand or from inventory's reorder alerts),
    supplier_choice.c (which offer to take: pure), scorecard.c (a supplier's
    rates, score and standing: pure), supplier_rating.c (the scorecard over
    the store: supplier.scorecard, the rates procurement.run weighs, the
    score after each receipt), purchase_order.c (orders: made, read, listed),
    po_lifecycle.c (the status table; approve, cancel, receive),
    procurement_run.c (centralised purchasing: open requisitions into one
    order per supplier and warehouse).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (procurement_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef PROCUREMENT_H_INCLUDED
#define PROCUREMENT_H_INCLUDED

#include "events_shapes.h"
#include "procurement_shapes.h"
#include "shared.h"

#define DAY_MS 86400000LL

//  How much price, on-time delivery and quality weigh, in the scorecard and
//  in choosing a supplier (PROCUREMENT_WEIGHTS; they add up to 1).
typedef struct {
    double price;
    double on_time;
    double quality;
} procurement_weights_t;

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];              //  PROCUREMENT_CURRENCY, default CNY: every *_cents is in it
    int64_t approval_limit_cents;  //  PROCUREMENT_APPROVAL_LIMIT_CENTS: orders under it approved at once
    procurement_weights_t weights; //  PROCUREMENT_WEIGHTS, default 0.4,0.3,0.3
    double unrated_rate;           //  PROCUREMENT_UNRATED_RATE: the on-time and quality rates
                                   //  of a supplier with no deliveries yet, when choosing (0.8)
    int score_days;                //  PROCUREMENT_SCORE_DAYS: the scorecard's default period (180)
    int run_ms;                    //  PROCUREMENT_RUN_MS: procurement.run on a timer (3600000)
} procurement_settings_t;

extern const char *const procurement_migrations[];

//  Time: the day (since the epoch, UTC) of a moment.
static inline int64_t procurement_day (int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : -((DAY_MS - 1 - ms) / DAY_MS);
}

//  supplier.c
//  Reads supplier id into out. Returns 1, 0 if there is none, or -1.
int supplier_read (shr_call_t *call, const char *id, procurement_supplier_t *out);
//  Blocks the supplier for reason (an audit row, supplier.updated). Returns 0 or -1.
int supplier_block (shr_call_t *call, const char *id, const char *reason);

//  price_list.c
//  The unit price supplier offers for qty of sku at moment at: the highest
//  break at or below qty of the price valid then. Returns 1 with *unit_price
//  set, 0 if it offers none, -1 with the call failed.
int price_offer (shr_call_t *call, const char *supplier_id, const char *sku, int64_t qty,
                 int64_t at, int64_t *unit_price);
//  The lowest unit price any supplier offers for qty of sku at moment at.
//  Returns 1 with *unit_price set, 0 if none does, -1.
int price_best (shr_call_t *call, const char *sku, int64_t qty, int64_t at, int64_t *unit_price);

//  requisition.c
//  Opens a requisition (source "reorder" or "manual"); out gets it (may be
//  NULL). Fails with already_exists on field when one is open for the part
//  and warehouse. Returns 0 or -1.
int requisition_open (shr_call_t *call, const char *sku, const char *warehouse_id, int64_t qty,
                      const char *source, const char *by, const char *field,
                      procurement_requisition_t *out);
//  What procurement does with inventory's events: a reorder alert opens a requisition.
extern const shr_event_handler_t requisition_handlers[];

//  supplier_choice.c: pure.
//  One supplier's offer for a requisition's line.
typedef struct {
    const char *supplier_id;
    int64_t unit_price_cents;     //  at the line's quantity
    double on_time_rate;          //  the supplier's, or the unrated rate
    double quality_rate;
} choice_offer_t;
//  The weighted score of an offer: price weight x (lowest price / its price)
//  + on-time weight x on-time rate + quality weight x quality rate.
double supplier_choice_score (const choice_offer_t *offer, int64_t lowest_price_cents,
                              const procurement_weights_t *weights);
//  The index of the best offer by score (ties: the lower price, then the
//  smaller supplier id), or -1 when count is 0.
int supplier_choice_best (const choice_offer_t *offers, size_t count,
                          const procurement_weights_t *weights);

//  scorecard.c: pure.
//  What a supplier's received lines in a period add up to.
typedef struct {
    const char *supplier_id;
    int64_t lines;           //  receipt lines
    int64_t on_time_lines;   //  received on or before their promised date
    int64_t accepted;        //  units
    int64_t received;        //  units accepted + rejected
    double price_ratio_sum;  //  over lines: lowest offer at the order date / this price, at most 1
} scorecard_counts_t;
//  Fills the rates, score (one decimal, half up) and standing of out (its
//  supplier, name and blocked are the caller's); unrated with no lines.
void scorecard_compute (const scorecard_counts_t *counts, const procurement_weights_t *weights,
                        procurement_scorecard_t *out);
//  The standing of a score: excellent from 80, average from 50, poor from 30,
//  else very_poor.
const char *scorecard_standing (double score);

//  supplier_rating.c
//  The counts of every supplier with lines received in [from, to) (of
//  supplier_id alone, if not NULL), by supplier id, into array
//  (scorecard_counts_t). Returns 0 or -1.
int supplier_rating_counts (shr_call_t *call, const char *supplier_id, int64_t from, int64_t to,
                            shr_array_t *array);
//  The scorecard of supplier (name, blocked from it) over [from, to). Returns 0 or -1.
int supplier_rating_read (shr_call_t *call, const procurement_supplier_t *supplier, int64_t from,
                          int64_t to, procurement_scorecard_t *out);
//  After a receipt: scores the supplier over the default period, emits
//  supplier.scored, and blocks it if very poor. Returns 0 or -1.
int supplier_rating_after_receipt (shr_call_t *call, const char *supplier_id);

//  purchase_order.c
//  A line of an order to be made.
typedef struct {
    const char *sku;
    int64_t qty;
    int64_t unit_price_cents;
    int64_t best_price_cents;     //  the lowest offer at the order date
    bool has_best_price_cents;
    const char *requisition_id;   //  may be NULL
} po_line_in_t;
//  Makes an order of supplier (which the caller checked may be ordered from)
//  to warehouse: promised at its lead time, po.created, and approved at once
//  (po.approved) under the approval limit; summary gets it. Fails with
//  invalid_argument on field when its amounts overflow. Returns 0 or -1.
int po_make (shr_call_t *call, const procurement_supplier_t *supplier, const char *warehouse_id,
             const po_line_in_t *lines, size_t count, const char *by, const char *field,
             procurement_po_summary_t *summary);
//  Reads order id whole. Returns 1, 0 if there is none, or -1.
int po_read (shr_call_t *call, const char *id, procurement_po_t *out);
//  Records a step of the order's history with the call's actor. Returns 0 or -1.
int po_record_step (shr_call_t *call, const char *id, const char *step, const char *by,
                    const char *note);
//  Emits po.approved for the order. Returns 0 or -1.
int po_announce_approved (shr_call_t *call, const char *id);
//  Fails the call (failed_precondition on field) unless supplier may get new orders.
int po_check_supplier (shr_call_t *call, const procurement_supplier_t *supplier, const char *field);

//  procurement_run.c: the timer's tick.
shr_tick_fn procurement_run_tick;

#endif
