/*  dispatch - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, setup), migrations.c (tables),
    technician.c (technicians and their shifts), workorder.c (orders: create,
    read, list), lifecycle.c (the status table and the steps from diagnosis to
    acceptance), money.c (what a completed order cost and charged: pure),
    sla_policy.c (due times by type and priority), sla_scan.c (the clock that
    announces at-risk and overdue orders), roster.c (who could take an order
    now), assign_policy.c (who should: pure), dispatch_run.c (assign all
    waiting orders in one pass), parts_loop.c (inventory's events: waiting
    for parts, resuming, the parts cost at the moving average),
    coverage_feed.c (contracts' cover of each product serial, from its
    events, and whether it covers a serial today).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (dispatch_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef DISPATCH_H_INCLUDED
#define DISPATCH_H_INCLUDED

#include "dispatch_shapes.h"
#include "events_shapes.h"
#include "shared.h"

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];                //  DISPATCH_CURRENCY, default CNY: all *_cents are in it
    int64_t labour_rate_cents;       //  DISPATCH_LABOUR_RATE_CENTS per hour, default 12000
    int sla_scan_ms;                 //  DISPATCH_SLA_SCAN_MS, default 1000
} dispatch_settings_t;

extern const char *const dispatch_migrations[];

//  The summary of an order as every event and list carries it, by column
//  name. :now decides whether an open order is overdue.
#define WORKORDER_SUMMARY_COLUMNS                                                                \
    "id, customer_id, type, priority, channel, region, status, technician_id, required_skill,"  \
    " required_level, in_warranty, rework_of, reported_at_ms, due_at_ms,"                        \
    " (CASE WHEN completed_at_ms IS NOT NULL THEN completed_at_ms > due_at_ms"                   \
    "  ELSE open = 1 AND :now > due_at_ms END) AS overdue"

//  The columns of a workorder_t (workorder_row_shape).
#define WORKORDER_ROW_COLUMNS "seq, started_at_ms, waiting_since_ms, " WORKORDER_SUMMARY_COLUMNS

//  A work order as the steps need it: its summary, and the row's own facts.
typedef struct {
    int64_t seq;
    dispatch_workorder_summary_t summary;
    int64_t started_at_ms;           //  0 if not yet
    int64_t waiting_since_ms;        //  0 if not waiting
} workorder_t;

//  technician.c
//  Reads technician id into out (with open_jobs). Returns 1 if found, 0 if
//  not, -1 with the call failed on a database error.
int technician_read (shr_call_t *call, const char *id, dispatch_technician_t *out);
//  True if the working hours (a days bit mask, 1 << ISO weekday; minutes from
//  midnight; offset from UTC in minutes) include the moment now_ms. A mask of 0
//  means always.
bool technician_on_shift (int days_mask, int start_min, int end_min, int utc_offset_min,
                          int64_t now_ms);

//  workorder.c
//  The field table of workorder_t, to read rows into it.
extern const shr_shape_t workorder_row_shape;
//  Loads the order called id. Returns 0, or -1 with the call failed (not_found
//  on field, or internal).
int workorder_load (shr_call_t *call, const char *id, const char *field, workorder_t *order);
//  Reads the orders waiting to be assigned (of the request's region, at most its
//  limit), earliest due first, into orders (workorder_t items in the arena).
//  Returns 0 or -1 (call failed).
int workorder_waiting (shr_call_t *call, const dispatch_run_request_t *request, shr_array_t *orders);
//  Inserts a new order from a create request (or a rework's copy, rework_of
//  set); fills order. Returns 0 or -1 (call failed).
int workorder_insert (shr_call_t *call, const dispatch_workorder_create_request_t *request,
                      const char *rework_of, workorder_t *order);
//  Reads the whole order (steps, diagnoses, money) into out. Returns 0 or -1.
int workorder_read (shr_call_t *call, int64_t seq, dispatch_workorder_t *out);
//  Records a step in the order's history. Returns 0 or -1 (call failed).
int workorder_record_step (shr_call_t *call, int64_t seq, const char *step, const char *status,
                           const char *technician_id, const char *note);

//  lifecycle.c
//  The statuses, each open or not: "open" is defined here and nowhere else
//  (the workorder row keeps the flag, which the partial indexes read).
bool lifecycle_is_open (const char *status);
//  Loads order id for step and checks that its status allows the step.
//  Returns 0, or -1 with the call failed (not_found, failed_precondition
//  naming the status and what the step needs).
int lifecycle_begin (shr_call_t *call, const char *id, const char *step, workorder_t *order);
//  Moves the order through step: its status (and the open flag) from the
//  table, the step's time column set to now, the step recorded with note.
//  Returns 0, or -1 with the call failed (aborted if the order changed).
int lifecycle_advance (shr_call_t *call, workorder_t *order, const char *step,
                       const char *technician_id, const char *note);
//  Sets the technician of a reported order and records it (chosen_by is
//  "dispatcher" or "service"), with its event. Returns 0 or -1.
int workorder_assign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                         const char *chosen_by);

//  money.c: pure.
typedef struct {
    int64_t labour_minutes;
    int64_t hourly_cost_cents;       //  the technician's
    int64_t labour_rate_cents;       //  the service's, when no labour charge is given
    bool has_labour_charge;
    int64_t labour_charge_cents;
    int64_t fees_cents;
    bool in_warranty;
    const dispatch_part_used_t *parts;
    size_t part_count;
} dispatch_money_input_t;
//  Works out the money of a completion into money (currency left to the
//  caller). Returns 0, or -1 with the JSON pointer of the field whose amounts
//  overflow in field (size bytes) and a message in message.
int dispatch_money_compute (const dispatch_money_input_t *input, dispatch_money_t *money,
                            char *field, size_t size, char *message, size_t message_size);

//  sla_policy.c
//  Seconds allowed and the warning lead for a type and priority. Returns 0 or -1.
int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       int64_t *resolve_within_s, int64_t *at_risk_before_s);

//  parts_loop.c: what dispatch does with inventory's events, and the one step
//  of its own that asks: an order started while inventory owes it parts
//  waits for them. Returns 0 or -1.
extern const shr_event_handler_t parts_loop_handlers[];
int parts_loop_after_start (shr_call_t *call, const workorder_t *order);

//  sla_scan.c: the timer that emits workorder.at_risk and workorder.overdue, once per order.
shr_tick_fn sla_scan;

//  coverage_feed.c: what contracts' events do here (shr_service_consume).
extern const shr_event_handler_t coverage_feed[];
//  Whether contracts' cover of serial puts it in warranty today (by the call's
//  clock). Returns 1 covered, 0 not (or unknown), -1 with the call failed.
int coverage_in_warranty (shr_call_t *call, const char *serial);

#endif
