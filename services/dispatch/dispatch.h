/*  dispatch - the service's own declarations, shared by its files.

    Files: main.c (definition, setup), migrations.c (tables), technician.c
    (technicians and their shifts), workorder.c (orders: create, read, list,
    JSON), lifecycle.c (the steps from diagnosis to acceptance), money.c
    (what a completed order cost and charged), sla.c (policies and the clock
    scan), roster.c (who could take an order now), assign_policy.c (who
    should), dispatch_run.c (assign all waiting orders in one pass).

    Every op handler is plain domain code over the call's store: it gets the
    validated body, returns a reply body or fails with a code and a field.
*/
#ifndef DISPATCH_H_INCLUDED
#define DISPATCH_H_INCLUDED

#include "shared.h"

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];                //  DISPATCH_CURRENCY, default CNY: all *_cents are in it
    int64_t labour_rate_cents;       //  DISPATCH_LABOUR_RATE_CENTS per hour, default 12000
    int sla_scan_ms;                 //  DISPATCH_SLA_SCAN_MS, default 1000
} dispatch_settings_t;

extern const char *const dispatch_migrations[];

//  An order is open until it is completed (then accepted or rejected) or cancelled.
//  Said with two IS NULL terms rather than status IN (...): SQLite evaluates an IN
//  list in an index's WHERE through a temporary table, four of them per UPDATE.
#define DISPATCH_OPEN "completed_at_ms IS NULL AND cancelled_at_ms IS NULL"

//  A work order row, as the steps need it (texts are not loaded).
typedef struct {
    int64_t seq;
    char id[16];
    char status[16];
    char technician_id[65];          //  "" if none
    char customer_id[65];
    char type[16];
    char priority[8];
    char channel[16];
    char region[65];
    char required_skill[33];         //  "" if none
    int required_level;
    bool in_warranty;
    int64_t reported_at_ms;
    int64_t due_at_ms;
    int64_t started_at_ms;           //  0 if not yet
    int64_t waiting_since_ms;        //  0 if not waiting
} workorder_t;

//  technician.c
shr_handler_fn technician_upsert;
shr_handler_fn technician_get;
shr_handler_fn technician_list;
//  The technician as JSON (with open_jobs), or NULL if there is none. Caller owns.
cJSON *technician_json (shr_call_t *call, const char *id);
//  True if the working hours (a days bit mask, 1 << ISO weekday; minutes from
//  midnight; offset from UTC in minutes) include the moment now_ms. A mask of 0
//  means always.
bool technician_on_shift (int days_mask, int start_min, int end_min, int utc_offset_min,
                          int64_t now_ms);

//  workorder.c
shr_handler_fn workorder_create;
shr_handler_fn workorder_get;
shr_handler_fn workorder_list;
//  Loads the order called id. Returns 0, or -1 with the call failed (not_found
//  on field, or internal).
int workorder_load (shr_call_t *call, const char *id, const char *field, workorder_t *order);
//  Inserts a new order from a create body (or a rework's copy); fills order.
//  Returns 0 or -1 (call failed).
int workorder_insert (shr_call_t *call, const cJSON *body, const char *rework_of,
                      workorder_t *order);
//  The summary of an order as JSON (events, lists). Caller owns; NULL on a database error.
cJSON *workorder_summary_json (shr_call_t *call, int64_t seq);
//  The whole order as JSON (replies). Caller owns; NULL on a database error.
cJSON *workorder_full_json (shr_call_t *call, int64_t seq);
//  Records a step in the order's history. Returns 0 or -1 (call failed).
int workorder_record_step (shr_call_t *call, int64_t seq, const char *step, const char *status,
                           const char *technician_id, const char *note);
//  Emits type with the order's summary plus the fields of extra (taken over).
//  Returns 0 or -1 (call failed).
int workorder_emit (shr_call_t *call, const char *type, int64_t seq, cJSON *extra);

//  lifecycle.c
shr_handler_fn workorder_diagnose;
shr_handler_fn workorder_assign;
shr_handler_fn workorder_start;
shr_handler_fn workorder_wait_parts;
shr_handler_fn workorder_resume;
shr_handler_fn workorder_complete;
shr_handler_fn workorder_accept;
shr_handler_fn workorder_reject;
shr_handler_fn workorder_cancel;
//  Sets technician_id on a reported order and records the step and event.
//  chosen_by is "dispatcher" or "service". Returns 0 or -1 (call failed).
int workorder_assign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                         const char *chosen_by);

//  money.c
typedef struct {
    int64_t labour_minutes;
    int64_t labour_cost_cents;
    int64_t parts_cost_cents;
    int64_t labour_charge_cents;
    int64_t parts_charge_cents;
    int64_t fees_cents;
    int64_t total_charge_cents;
    int64_t margin_cents;
} dispatch_money_t;
//  Works out the money of a completion from its body, the technician's hourly
//  cost and the warranty. Returns 0, or -1 with the call failed (invalid_argument
//  naming the field whose amounts overflow).
int dispatch_money_compute (shr_call_t *call, const cJSON *body, int64_t hourly_cost_cents,
                            int64_t labour_rate_cents, bool in_warranty, dispatch_money_t *money);

//  sla.c
shr_handler_fn sla_policy_set;
shr_handler_fn sla_policy_get;
//  Seconds allowed and the warning lead for a type and priority. Returns 0 or -1.
int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       int64_t *resolve_within_s, int64_t *at_risk_before_s);
//  The timer: emits workorder.at_risk and workorder.overdue, once per order.
shr_tick_fn sla_scan;

//  dispatch_run.c
shr_handler_fn dispatch_run;

#endif
