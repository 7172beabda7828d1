/*  complaints - the service's own declarations, shared by its files.

    Files: main.c (settings, definition, setup), migrations.c (tables), ids.c
    (the ids it chooses, list cursors),
    customer.c (the customer file and its history), complaint.c (intake,
    reading, listing), lifecycle.c (the status table and the steps),
    complaint_steps.c (the ops that move a case, assignment, escalation),
    audit.c (the audit trail), team.c (handlers and who is free),
    routing_policy.c (who should take a case: pure), deadline_policy.c (time
    allowed per severity, the business calendar), business_time.c (deadline
    arithmetic: pure), deadline.c (a case's deadlines: start, meet, pause,
    resume), deadline_scan.c (the clock: at risk, breached, escalation,
    closing after silence), followup.c (follow-up visits), survey.c
    (satisfaction surveys and recovery cases), recovery_policy.c (how serious
    a recovery case is: pure), workorder_feed.c (what dispatch's events do
    here).

    The ops' request and reply structs, their handlers' prototypes and the
    events' structs are generated from schemas/ (complaints_shapes.h,
    events_shapes.h); a handler gets the decoded request and fills the reply.
*/
#ifndef COMPLAINTS_H_INCLUDED
#define COMPLAINTS_H_INCLUDED

#include "business_time.h"
#include "complaints_shapes.h"
#include "events_shapes.h"
#include "shared.h"

//  Service settings, from the environment at start (call->arg of every handler).
typedef struct {
    char currency[4];           //  COMPLAINTS_CURRENCY, default CNY: compensation is in it
    int scan_ms;                //  COMPLAINTS_SCAN_MS, default 1000: the deadline clock
    int close_after_s;          //  COMPLAINTS_CLOSE_AFTER_S, default 7 days of silence
    int followup_delay_s;       //  COMPLAINTS_FOLLOWUP_DELAY_S, default 3 days after completion
    int followup_retry_s;       //  COMPLAINTS_FOLLOWUP_RETRY_S, default 1 day after no answer
    int followup_attempts;      //  COMPLAINTS_FOLLOWUP_ATTEMPTS, default 3 tries
    int followup_grace_s;       //  COMPLAINTS_FOLLOWUP_GRACE_S, default 2 days: then overdue
    int recovery_threshold;     //  COMPLAINTS_RECOVERY_THRESHOLD, default 6: scores up to it
} complaints_settings_t;

extern const char *const complaints_migrations[];

//  A case is overdue when it is open and one of its deadlines passed unmet;
//  a paused deadline is judged at the moment it paused.
#define COMPLAINT_OVERDUE                                                                        \
    "(open = 1 AND EXISTS (SELECT 1 FROM complaint_deadline d WHERE d.complaint_seq ="          \
    " complaint.seq AND d.met_at_ms IS NULL AND coalesce (d.paused_at_ms, :now) > d.due_at_ms))"

//  The summary of a case as every event and list carries it, by column name,
//  from the table complaint.
#define COMPLAINT_SUMMARY_COLUMNS                                                                \
    "id, customer_id, region, kind, channel, category, severity, status, handler_id, level,"    \
    " workorder_id, survey_id, received_at_ms, reopen_count,"                                    \
    " (SELECT due_at_ms FROM complaint_deadline d WHERE d.complaint_seq = complaint.seq"         \
    "  AND d.kind = 'acknowledge') AS acknowledge_due_at_ms,"                                     \
    " (SELECT due_at_ms FROM complaint_deadline d WHERE d.complaint_seq = complaint.seq"         \
    "  AND d.kind = 'resolve' ORDER BY d.round DESC LIMIT 1) AS resolve_due_at_ms, "             \
    COMPLAINT_OVERDUE " AS overdue"

//  The columns of a complaint_t (complaint_row_shape).
#define COMPLAINT_ROW_COLUMNS                                                                      \
    "seq, status_before_wait, waiting_since_ms, " COMPLAINT_SUMMARY_COLUMNS

//  A case as the steps need it: its summary and the row's own facts.
typedef struct {
    int64_t seq;
    const char *status_before_wait;  //  while waiting_customer: the status it returns to
    int64_t waiting_since_ms;        //  0 if not waiting
    complaints_complaint_summary_t summary;
} complaint_t;

#define CUSTOMER_COLUMNS "id, name, region, contacts, consent, created_at_ms, updated_at_ms"
#define FOLLOWUP_COLUMNS                                                                         \
    "id, customer_id, region, kind, workorder_id, status, due_at_ms, overdue_at_ms, attempts,"  \
    " every_days, outcome, note, created_at_ms, completed_at_ms"
#define SURVEY_COLUMNS                                                                           \
    "id, customer_id, region, subject, workorder_id, complaint_id, status, opened_at_ms,"       \
    " answered_at_ms, score, comment, source, recovery_complaint_id"

//  ids.c
//  The next seq of a table (next_seq_sql, a literal: "SELECT coalesce (max
//  (seq), 0) + 1 FROM <table>") and its id, prefix-000042, in the arena.
//  Returns 0 or -1 (call failed).
int complaints_next_id (shr_call_t *call, const char *next_seq_sql, const char *prefix,
                        int64_t *seq, const char **id);
//  A cursor of a list: the text of the last row's seq. Reads it into *after
//  (0 without one). Returns 0, or -1 with the call failed (invalid_argument
//  on /body/cursor) for a cursor the op did not give.
int complaints_cursor (shr_call_t *call, const char *cursor, const char *op, int64_t *after);

//  customer.c
//  Reads customer id into out. Returns 1 if found, 0 if not, -1 with the call failed.
int customer_read (shr_call_t *call, const char *id, complaints_customer_t *out);
//  Adds a customer first seen in a work order (id and region only, no
//  consent), with its customer.updated event; a known one is left alone.
//  Returns 0 or -1 (call failed).
int customer_ensure (shr_call_t *call, const char *id, const char *region);

//  complaint.c
//  The field table of complaint_t, to read rows into it.
extern const shr_shape_t complaint_row_shape;
//  Loads the case called id. Returns 0, or -1 with the call failed (not_found
//  on field, or internal).
int complaint_load (shr_call_t *call, const char *id, const char *field, complaint_t *complaint);
//  Reads the case again by its seq, as it now is. Returns 0 or -1.
int complaint_reload (shr_call_t *call, complaint_t *complaint);
//  Reads the whole case (times, deadlines, audit trail) into out. Returns 0 or -1.
int complaint_read (shr_call_t *call, int64_t seq, complaints_complaint_t *out);
//  Takes a case in: checks the customer, chooses its handler
//  (routing_policy), inserts it received, starts its deadlines, records it
//  and its assignment, with complaint.received and complaint.assigned. survey_id links a recovery
//  case to its survey (NULL otherwise). Fills complaint. Returns 0 or -1 (call failed: not_found on
//  /body/customer_id for a customer not in the file).
int complaint_insert (shr_call_t *call, const complaints_complaint_create_request_t *request,
                      const char *survey_id, complaint_t *complaint);

//  lifecycle.c
//  The status a case comes in with.
extern const char *const lifecycle_first_status;
//  Whether a case in status is still to be handled: defined here and nowhere
//  else (the row keeps the flag, which the indexes read).
bool lifecycle_is_open (const char *status);
//  Loads case id for step and checks that its status allows the step.
//  Returns 0, or -1 with the call failed (not_found, failed_precondition
//  naming the status and what the step needs).
int lifecycle_begin (shr_call_t *call, const char *id, const char *step, complaint_t *complaint);
//  Records a step that moves nothing (assign, escalate: its name from the
//  table) in the audit trail, with the changes given. Returns 0 or -1.
int lifecycle_record (shr_call_t *call, const complaint_t *complaint, const char *step,
                      const char *by, const char *note, const complaints_change_t *changes,
                      size_t count);
//  Takes the step: the status from the table (and the open flag), the step's
//  time column, its effect on the deadlines, and one audit row with the status
//  change and the changes given (count of them, borrowed). Reloads complaint.
//  Returns 0, or -1 with the call failed (aborted if the case changed).
int lifecycle_advance (shr_call_t *call, complaint_t *complaint, const char *step, const char *by,
                       const char *note, const complaints_change_t *changes, size_t count);

//  complaint_steps.c
//  Hands the case to handler_id and records it, with complaint.assigned
//  (chosen_by "service" or "caller"). Returns 0 or -1.
int complaint_assign_to (shr_call_t *call, complaint_t *complaint, const char *handler_id,
                         const char *chosen_by, const char *by, const char *note);
//  Records that the case (already with its handler) went to it from previous
//  (NULL for none), with complaint.assigned. Returns 0 or -1.
int complaint_assigned (shr_call_t *call, const complaint_t *complaint, const char *previous,
                        const char *chosen_by, const char *by);
//  Raises the case to the level of rank (routing_policy) and to the least
//  loaded handler there (kept if there is none), with complaint.escalated
//  (reason "manual", "at_risk" or "breached"). Returns 0 or -1.
int complaint_escalate_to (shr_call_t *call, complaint_t *complaint, int rank, const char *reason,
                           const char *by, const char *note);
//  Closes a resolved case by step ("confirm": the customer; "close": silence),
//  with complaint.closed and a satisfaction survey. Returns 0 or -1.
int complaint_close (shr_call_t *call, complaint_t *complaint, const char *step, const char *by,
                     const char *note);

//  audit.c
//  Appends one action to the case's trail: who (the call's actor, and by),
//  when (now), what changed (count changes, borrowed) and the note. Returns 0 or -1.
int audit_record (shr_call_t *call, int64_t complaint_seq, const char *action, const char *by,
                  const char *note, const complaints_change_t *changes, size_t count);
//  Reads the trail of a case, oldest first, into trail (an array of
//  complaints_audit_entry_t). Returns 0 or -1.
int audit_read (shr_call_t *call, int64_t complaint_seq, void *trail);

//  team.c
//  The handler a case of category should go to, searching from level rank
//  up among the active handlers: *chosen (in the arena) or NULL if nobody
//  fits. Returns 0, or -1 with the call failed.
int team_choose (shr_call_t *call, const char *category, int rank, const char **chosen);
//  Checks that handler id exists and is active. Returns 0, or -1 with the
//  call failed on field (not_found, failed_precondition).
int team_check (shr_call_t *call, const char *id, const char *field);

//  deadline_policy.c
//  The policy of a severity. Returns 0 or -1 (call failed).
int deadline_policy_lookup (shr_call_t *call, const char *severity,
                            complaints_deadline_policy_t *policy);
//  The business calendar, its holidays in the arena. Returns 0 or -1.
int calendar_load (shr_call_t *call, business_calendar_t *calendar);

//  deadline.c
//  Starts a deadline of kind ("acknowledge", "resolve": the next round) from
//  now, by the policy of severity. Returns 0 or -1.
int deadline_start (shr_call_t *call, int64_t complaint_seq, const char *severity,
                    const char *kind);
//  Starts both deadlines of a new case, by one reading of the policy. Returns 0 or -1.
int deadline_start_both (shr_call_t *call, int64_t complaint_seq, const char *severity);
//  Marks the running deadline of kind met now. Returns 0 or -1.
int deadline_meet (shr_call_t *call, int64_t complaint_seq, const char *kind);
//  Stops the clock of every unmet deadline of the case. Returns 0 or -1.
int deadline_pause (shr_call_t *call, int64_t complaint_seq);
//  Starts it again: each paused deadline's moments move on by the counted
//  time they lay ahead of the pause (business_time_shift). Returns 0 or -1.
int deadline_resume (shr_call_t *call, int64_t complaint_seq);
//  Reads the deadlines of a case, oldest first, into deadlines (an array of
//  complaints_deadline_t). Returns 0 or -1.
int deadline_read (shr_call_t *call, int64_t complaint_seq, void *deadlines);

//  deadline_scan.c: the timer that announces at-risk and breached deadlines
//  once each, escalates, and closes cases resolved long enough ago.
shr_tick_fn deadline_scan;

//  followup.c
//  Schedules the follow-up visit after a completed work order, for a customer
//  who consents to be contacted (others get none). Returns 0 or -1.
int followup_after_repair (shr_call_t *call, const char *customer_id, const char *workorder_id,
                           int64_t completed_at_ms);

//  survey.c
//  Opens a survey about a work order or a complaint (the other id NULL), with
//  survey.opened. Returns 0 or -1.
int survey_open (shr_call_t *call, const char *customer_id, const char *subject,
                 const char *workorder_id, const char *complaint_id);
//  Answers the open survey of a work order with the score its acceptance
//  carried; none open, nothing done. Returns 0 or -1.
int survey_answer_from_acceptance (shr_call_t *call, const char *workorder_id, int64_t score);

//  workorder_feed.c: what dispatch's events do here (shr_service_consume).
extern const shr_event_handler_t workorder_feed[];

#endif
