/*  analytics - the service's own declarations, shared by its files.

    Files: main.c (definition, setup: the sources it follows), migrations.c
    (facts, roll-ups, work orders, targets), calendar.c (UTC days: pure),
    facts.c (one fact in, rolled up per day and dimension), dispatch_feed.c,
    complaints_feed.c, inventory_feed.c, procurement_feed.c and
    contracts_feed.c (what each source's events become), kpi_def.c (the
    indicators: formulas, units, target rules; pure), rollup.c (a period's
    sums per group, from the roll-ups only), kpi_report.c (kpi.report),
    kpi_targets.c (kpi.targets.set/get), kpi_explain.c (kpi.explain),
    technician_performance.c, profit_breakdown.c, stock.c (the stock's value
    over time, for the turnover).

    A fact is one number an event contributed to one metric ("repair_s",
    "revenue", "complaint", ...), with the event's source and seq; the
    roll-ups add them up per day and month, metric, currency and dimension
    (a tick, 200 ms after), so that reports read a row per month or day and
    group, and only the facts newer than the last tick.
    Adding a source is a feed file, its rows in the metric list of kpi_def.c,
    and one shr_service_consume in main.c.
*/
#ifndef ANALYTICS_H_INCLUDED
#define ANALYTICS_H_INCLUDED

#include "analytics_shapes.h"
#include "events_shapes.h"
#include "shared.h"

extern const char *const analytics_migrations[];

//  Field tables of the rows this service reads that are no message.
#define ROW_TEXT(T, f)                                                                           \
    {.name = #f, .kind = SHR_FIELD_STRING, .offset = offsetof (T, f), .has_offset = -1}
#define ROW_INT(T, f)                                                                            \
    {.name = #f, .kind = SHR_FIELD_INT, .offset = offsetof (T, f), .has_offset = -1}
#define ROW_INT_OPT(T, f)                                                                        \
    {.name = #f, .kind = SHR_FIELD_INT, .offset = offsetof (T, f),                                \
     .has_offset = offsetof (T, has_##f), .flags = SHR_FIELD_NULLABLE}
#define ROW_SHAPE(name, T, fields)                                                               \
    {(name), sizeof (T), (fields), sizeof (fields) / sizeof *(fields)}

//  calendar.c
//  The day number (days since 1970-01-01, UTC) of a YYYY-MM-DD, or -1 if it is none.
int64_t calendar_day (const char *date);
//  The day of a moment in ms.
int64_t calendar_day_of_ms (int64_t ms);
//  The month of a day: year x 12 + month - 1.
int64_t calendar_month_of_day (int64_t day);
//  The first day of a month.
int64_t calendar_month_first_day (int64_t month);
//  Reads a period's two dates into days. Returns 0, or -1 with the call failed
//  (invalid_argument on the field: a date that is none, to before from).
int calendar_period (shr_call_t *call, const char *from, const char *to, const char *from_field,
                     const char *to_field, int64_t *from_day, int64_t *to_day);

//  facts.c
//  What one event contributes to one metric.
typedef struct {
    const char *metric;        //  "repair_s", "on_time", "revenue", ...
    int64_t at_ms;             //  when it counts (its day is its period)
    int64_t value;
    const char *currency;      //  money metrics; NULL otherwise
    const char *region;        //  the dimensions; NULL when the event does not say
    const char *technician_id;
    const char *type;          //  the work order's type
    const char *product_model;
    const char *workorder_id;  //  for facts of another source about a work order:
                               //  its technician, type and model come from dispatch
} fact_t;
//  What a completed work order contributes: one fact row (metric 'job') with
//  its metrics as columns, which readers unpivot by JOB_METRICS.
typedef struct {
    int64_t at_ms;             //  its completion
    int64_t repair_s, on_time, revenue, labour_cost, parts_cost, margin;
    bool value_added;          //  of a value-added type: its revenue is va_revenue too
    const char *currency;      //  of the money
} job_t;
//  The metrics of a job row, as a table to join ("FROM fact f," JOB_METRICS)
//  with JOB_VALUE ("f") and JOB_CURRENCY ("f") its metric's value and
//  currency, NULL value when the row has none of it (va_revenue of an order
//  of no value-added type: leave those out). Each metric's row counts as a
//  fact of its own, as when they were rows.
#define JOB_METRICS                                                                              \
    " (SELECT 'repair_s' AS metric, 0 AS money UNION ALL SELECT 'on_time', 0"                    \
    " UNION ALL SELECT 'revenue', 1 UNION ALL SELECT 'labour_cost', 1"                           \
    " UNION ALL SELECT 'parts_cost', 1 UNION ALL SELECT 'margin', 1"                             \
    " UNION ALL SELECT 'va_revenue', 1) m"
#define JOB_VALUE(f)                                                                             \
    " CASE m.metric WHEN 'repair_s' THEN " f ".repair_s WHEN 'on_time' THEN " f ".on_time"      \
    " WHEN 'revenue' THEN " f ".revenue WHEN 'labour_cost' THEN " f ".labour_cost"              \
    " WHEN 'parts_cost' THEN " f ".parts_cost WHEN 'margin' THEN " f ".margin"                  \
    " ELSE " f ".va_revenue END"
#define JOB_CURRENCY(f) " CASE m.money WHEN 1 THEN " f ".currency ELSE '' END"
//  Records a completed order's job row as the event's. Returns 0 or -1.
int fact_job (shr_call_t *call, const shr_event_t *event,
              const dispatch_workorder_summary_t *order, const job_t *job);
//  Records fact as the event's (source, seq, type, key) and rolls it up. A
//  fact with workorder_id and no technician takes the order's dimensions once
//  dispatch has told its completion (until then it counts in the totals and
//  by region only). Returns 0 or -1 (call failed).
int fact_add (shr_call_t *call, const shr_event_t *event, const fact_t *fact);
//  Keeps what dispatch says of a work order (its dimensions; completed_at_ms
//  and the parts cost when it completed, else 0); on completion, the facts
//  that waited for it count by its dimensions. Returns 0 or -1.
int fact_workorder (shr_call_t *call, const dispatch_workorder_summary_t *order,
                    int64_t completed_at_ms, int64_t parts_cost_cents);
//  When order id completed (ms) and its parts cost as last known; both 0 if
//  it did not complete (yet). Returns 0 or -1.
int fact_workorder_read (shr_call_t *call, const char *id, int64_t *completed_at_ms,
                         int64_t *parts_cost_cents);
//  Order id's parts cost is now parts_cost_cents. Returns 0 or -1.
int fact_workorder_costed (shr_call_t *call, const char *id, int64_t parts_cost_cents);

//  stock.c: the stock's value over time, from inventory's movements.
//  Records a movement that changed the stock's value by change_cents, at the
//  event's time. Returns 0 or -1.
int stock_move (shr_call_t *call, const shr_event_t *event, int64_t change_cents);
//  The stock's value averaged over the days from..to (cents); *known false
//  when no movement came by the period's end. Returns 0 or -1.
int stock_average (shr_call_t *call, int64_t from_day, int64_t to_day, double *average,
                   bool *known);

//  dispatch_feed.c, complaints_feed.c, inventory_feed.c, procurement_feed.c,
//  contracts_feed.c:
//  each source's events (shr_service_consume).
extern const shr_event_handler_t dispatch_feed[];
extern const shr_event_handler_t complaints_feed[];
extern const shr_event_handler_t inventory_feed[];
extern const shr_event_handler_t procurement_feed[];
extern const shr_event_handler_t contracts_feed[];

//  kpi_def.c: the indicators of docs/domain.md.
typedef enum {
    KPI_AVG_REPAIR_TIME,
    KPI_ON_TIME_RATE,
    KPI_COMPLAINT_RATE,
    KPI_SATISFACTION_SCORE,
    KPI_PARTS_COST_REDUCTION,
    KPI_INVENTORY_TURNOVER,
    KPI_LABOUR_COST_GROWTH,
    KPI_PROFIT_GROWTH,
    KPI_VALUE_ADDED_SHARE,
    KPI_COUNT
} kpi_id_t;

//  How a target is judged.
typedef enum {
    RULE_AT_LEAST,       //  value >= target
    RULE_AT_MOST,        //  value <= target
    RULE_REDUCE_PCT,     //  change_pct <= -target (lower than the baseline by target %)
    RULE_INCREASE_BY,    //  change >= target (higher than the baseline by target units)
} kpi_rule_t;

typedef struct {
    const char *name;       //  "avg_repair_time"
    const char *unit;       //  "s", "%", "turns", "points"
    kpi_rule_t rule;
    const char *rule_text;  //  as kpi.report and kpi.targets.get say it
    bool money;             //  computed per currency
    bool growth;            //  the value is itself against the baseline period
    const char *metrics[4]; //  the facts it reads (kpi.explain), NULL-terminated
} kpi_def_t;

extern const kpi_def_t kpi_defs[KPI_COUNT];
//  The indicator called name, or -1.
int kpi_find (const char *name);

//  rollup.c: a period's sums, per group, metric and currency: the whole
//  months in it from the monthly roll-ups, the days at its ends from the daily.
typedef struct {
    const char *group;     //  NULL: none
    const char *metric;
    const char *currency;  //  "" for counts and seconds
    int64_t total;
    int64_t count;
} rollup_sum_t;
typedef struct {
    size_t count;
    rollup_sum_t *items;
} rollup_t;
//  Reads the sums of dim ("none", "region", ...) over days from..to into
//  rollup (in the arena). Returns 0 or -1.
int rollup_read (shr_call_t *call, const char *dim, int64_t from_day, int64_t to_day,
                 rollup_t *rollup);
//  The customers known at the end of day to_day, per region (dim "region")
//  or in all (any other dim: one sum, group NULL), from the months before
//  to_day's and its days. Returns 0 or -1. Two rows of one group may come:
//  rollup_get adds them.
int rollup_customers (shr_call_t *call, const char *dim, int64_t to_day, rollup_t *rollup);
//  The sum of (group, metric, currency) (currency NULL: every currency);
//  *count (if not NULL) gets its fact count.
int64_t rollup_get (const rollup_t *rollup, const char *group, const char *metric,
                    const char *currency, int64_t *count);
//  The timer: adds the facts that came since the last tick to the roll-ups.
shr_tick_fn rollup_tick;
//  Makes the tick's temporary table in the service's connection. Returns 0 or -1.
int rollup_setup (shr_store_t *store);
//  Work order id completed: its facts that waited for its dimensions count
//  by them from now on. Returns 0 or -1.
int rollup_resolve (shr_call_t *call, const char *workorder_id);
//  Whether any sum of metric in any currency exists for group.
bool rollup_has (const rollup_t *rollup, const char *group, const char *metric);
//  The group's value as a roll-up keeps it: "" for none.
const char *rollup_key (const char *group);
//  Adds the distinct groups of rollup (may be NULL) to set, which has room
//  for them; *count is how many it holds.
void rollup_groups (const rollup_t *rollup, const char **set, size_t *count);
//  Adds the currencies in which group has sums of metrics (NULL-terminated)
//  to set, at most max.
void rollup_currencies (const rollup_t *rollup, const char *group, const char *const *metrics,
                        const char **set, size_t *count, size_t max);
//  Sorts strings by strcmp.
void rollup_sort (const char **set, size_t count);

//  kpi_targets.c
//  Reads every target into targets (indexed by kpi_id_t; has_target false if
//  unset). Returns 0 or -1.
int kpi_targets_read (shr_call_t *call, analytics_target_t targets[KPI_COUNT]);

#endif
