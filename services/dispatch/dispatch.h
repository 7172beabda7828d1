/*  dispatch - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, setup), migrations.c (tables),
    technician.c (technicians and their shifts), technician_absence.c,
    workorder.c (orders: create, read), workorder_queue.c (list, count),
    workorder_moves.c (reassign, unassign, handover), workorder_update.c
    (changes while open), lifecycle.c (the status table and the steps from diagnosis to
    acceptance), money.c (what a completed order cost and charged: pure),
    sla_policy.c (due times by type and priority), sla_scan.c (the clock that
    announces at-risk and overdue orders), roster.c (who could take an order
    now), assign_policy.c (who should, for one order: pure), assign_choice.c
    (the dispatcher's choice checked, or the service's), assign_plan.c
    (every waiting order as one assignment problem: pure), gap_problem.c and
    gap_solver.c (that problem and its optimiser), dispatch_run.c (assign all
    waiting orders by the plan), travel_times.c (supplied travel times),
    parts_loop.c (inventory's events: waiting for parts, resuming, the parts
    cost at the moving average), coverage_feed.c (contracts' cover of each
    product serial, from its events, and whether it covers a serial today).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (dispatch_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef DISPATCH_H_INCLUDED
#define DISPATCH_H_INCLUDED

#include "assign_plan.h"
#include "dispatch_shapes.h"
#include "events_shapes.h"
#include "shared.h"

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];                //  DISPATCH_CURRENCY, default CNY: all *_cents are in it
    int64_t labour_rate_cents;       //  DISPATCH_LABOUR_RATE_CENTS per hour, default 12000
    int sla_scan_ms;                 //  DISPATCH_SLA_SCAN_MS, default 1000
    assign_settings_t assign;        //  DISPATCH_TRAVEL_KMH, _LEVEL_PERCENT, _WEIGHT_*, _PLAN_*
} dispatch_settings_t;

extern const char *const dispatch_migrations[];

//  An order's due time as of :now: while its SLA clock is paused for parts
//  (sla_policy.c), the pause so far moves it (and moves it for good on resuming).
#define WORKORDER_DUE                                                                            \
    "(due_at_ms + CASE WHEN sla_pauses = 1 AND status = 'waiting_parts'"                         \
    " THEN :now - waiting_since_ms ELSE 0 END)"

//  The summary of an order as every event and list carries it, by column
//  name. :now decides whether an open order is overdue.
#define WORKORDER_SUMMARY_COLUMNS                                                                \
    "id, customer_id, type, priority, channel, region, status, technician_id, required_skill,"  \
    " required_level, in_warranty, rework_of, product_model, reported_at_ms, "                  \
    WORKORDER_DUE " AS due_at_ms,"                                                            \
    " (CASE WHEN completed_at_ms IS NOT NULL THEN completed_at_ms > due_at_ms"                   \
    "  ELSE open = 1 AND :now > " WORKORDER_DUE " END) AS overdue"

//  The columns of a workorder_t (workorder_row_shape).
#define WORKORDER_ROW_COLUMNS "seq, started_at_ms, waiting_since_ms, " WORKORDER_SUMMARY_COLUMNS
//  With where the order is and its window (NULL columns leave has_* false).
#define WORKORDER_PLAN_COLUMNS                                                                   \
    WORKORDER_ROW_COLUMNS ", lat_e6 AS location_lat, lon_e6 AS location_lon,"                    \
    " window_start_ms AS window_start, window_end_ms AS window_end"

//  A work order as the steps need it: its summary, and the row's own facts.
typedef struct {
    int64_t seq;
    dispatch_workorder_summary_t summary;
    int64_t started_at_ms;           //  0 if not yet
    int64_t waiting_since_ms;        //  0 if not waiting
    //  Read by workorder_waiting only (WORKORDER_PLAN_COLUMNS), for the plan.
    bool has_location, has_window;
    int64_t lat_e6, lon_e6, window_start_ms, window_end_ms;
} workorder_t;

//  technician.c
//  Reads technician id into out (with open_jobs). Returns 1 if found, 0 if
//  not, -1 with the call failed on a database error.
int technician_read (shr_call_t *call, const char *id, dispatch_technician_t *out);
//  Returns 0 if technician id exists, or -1 with the call failed (not_found on
//  /body/technician_id, or internal).
int technician_must_exist (shr_call_t *call, const char *id);
//  True if the working hours (a days bit mask, 1 << ISO weekday; minutes from
//  midnight; offset from UTC in minutes) include the moment now_ms. A mask of 0
//  means always.
bool technician_on_shift (int days_mask, int start_min, int end_min, int utc_offset_min,
                          int64_t now_ms);
//  Minutes from now_ms to the end of the shift it falls in (0 if off shift),
//  or -1 for a technician without working hours (a mask of 0).
int64_t technician_shift_left (int days_mask, int start_min, int end_min, int utc_offset_min,
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
//  "dispatcher" or "service"; note, if not NULL, goes on the step), with its
//  event. Returns 0 or -1.
int workorder_assign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                         const char *chosen_by, const char *note);

//  workorder_moves.c
//  Gives an assigned (or waiting_parts) order to technician_id, records the step
//  with reason and emits workorder.reassigned. Returns 0 or -1.
int workorder_reassign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                           const char *chosen_by, const char *reason);
//  Takes an assigned order back to reported, records and emits
//  workorder.unassigned. Returns 0 or -1.
int workorder_unassign_order (shr_call_t *call, workorder_t *order, const char *reason);

//  assign_choice.c: who takes one order.
//  A dispatcher's choice: the technician must exist, be active, have the skill
//  at the level and room; off shift or absent only with override, which sets
//  *note to say so for the step (else NULL). Returns 0, or -1 with the call failed.
int assign_check_technician (shr_call_t *call, const workorder_t *order, const char *id,
                             bool override, const char **note);
//  The dispatcher's technician_id, checked (assign_check_technician), or
//  without it the service's choice among the others than the order's
//  technician. Returns it, or NULL with the call failed.
const char *assign_pick (shr_call_t *call, const workorder_t *order, const char *technician_id,
                         bool override, const char **note);
//  The service's choice by assign_policy among the region's technicians but
//  exclude (NULL for none). Returns it, or NULL with the call failed
//  (failed_precondition saying who was passed over and why; with nobody given,
//  *nobody is set instead and the call does not fail, unless the database did).
const char *assign_choose_technician (shr_call_t *call, const workorder_t *order,
                                      const char *exclude, bool *nobody);
//  Hands over technician id's orders not started: all to to (checked), or
//  back to the queue, or (neither) each to the service's choice or back to
//  the queue if nobody can take it; the started ones stay, flagged by a step.
//  Fills out (may be NULL) and emits technician.handed_over. Returns 0 or -1.
int technician_hand_over (shr_call_t *call, const char *id, const char *to, bool back_to_queue,
                          const char *reason, dispatch_handover_t *out);
//  For a rework order (rework_of), who did the rejected work and their level
//  in its skill: the service gives the rework to another technician at that
//  level or higher. *technician_id is NULL for any other order. Returns 0 or
//  -1 with the call failed.
int assign_rework_rule (shr_call_t *call, const workorder_t *order, const char **technician_id,
                        int *level);
//  Whether technician id is absent at now_ms (technician.absence.set). Returns
//  1 or 0, or -1 with the call failed.
int technician_absent (shr_call_t *call, const char *id, int64_t now_ms);

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
//  The policy of a type and priority. Returns 0 or -1.
int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       dispatch_sla_policy_t *policy);

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
