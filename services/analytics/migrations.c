/*  migrations - the analytics database, version by version. Never edit a
    shipped version: add the next one. */
#include "analytics.h"

const char *const analytics_migrations[] = {
    //  1: facts, their roll-ups per day and per month and dimension, what
    //  dispatch said of each work order, and the targets.
    "CREATE TABLE fact ("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " seq INTEGER NOT NULL,"
    " type TEXT NOT NULL,"                         //  the event type
    " key TEXT NOT NULL,"                          //  the event's key
    " metric TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " day INTEGER NOT NULL,"
    " month INTEGER NOT NULL,"                     //  year x 12 + month - 1, of day
    " currency TEXT NOT NULL DEFAULT '',"
    " value INTEGER NOT NULL,"
    " region TEXT NOT NULL DEFAULT '',"             //  '' when the event does not say
    " technician_id TEXT NOT NULL DEFAULT '',"
    " type_of_order TEXT NOT NULL DEFAULT '',"
    " product_model TEXT NOT NULL DEFAULT '',"
    " workorder_id TEXT,"
    //  1 while a fact about a work order waits for the order's dimensions
    " waiting INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX fact_by_metric ON fact (metric, day, id);"
    "CREATE INDEX fact_waiting ON fact (workorder_id) WHERE waiting = 1;"
    "CREATE TABLE rollup ("
    " dim TEXT NOT NULL,"                          //  region, technician, type, product_model
    " metric TEXT NOT NULL,"
    " day INTEGER NOT NULL,"
    " grp TEXT NOT NULL,"                          //  '' for none, and for a fact without it
    " currency TEXT NOT NULL,"
    " total INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (dim, metric, day, grp, currency)) WITHOUT ROWID;"
    "CREATE TABLE rollup_month ("
    " dim TEXT NOT NULL,"
    " metric TEXT NOT NULL,"
    " month INTEGER NOT NULL,"
    " grp TEXT NOT NULL,"
    " currency TEXT NOT NULL,"
    " total INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (dim, metric, month, grp, currency)) WITHOUT ROWID;"
    //  How far the roll-ups go: the facts after it are rolled up by the next
    //  tick (rollup.c), and reports add them up themselves meanwhile.
    "CREATE TABLE rollup_mark ("
    " one INTEGER PRIMARY KEY CHECK (one = 1),"
    " fact_id INTEGER NOT NULL);"
    "INSERT INTO rollup_mark VALUES (1, 0);"
    "CREATE TABLE workorder ("
    " id TEXT PRIMARY KEY,"
    " region TEXT NOT NULL,"
    " technician_id TEXT,"
    " type TEXT NOT NULL,"
    " product_model TEXT,"
    " completed_at_ms INTEGER,"
    " parts_cost_cents INTEGER) WITHOUT ROWID;"
    //  The stock's value after each of inventory's movements, and its
    //  integral over time (cent-ms) since the first.
    "CREATE TABLE stock_point ("
    " n INTEGER PRIMARY KEY,"
    " at_ms INTEGER NOT NULL,"
    " value_cents INTEGER NOT NULL,"
    " value_ms REAL NOT NULL,"
    " source TEXT NOT NULL,"
    " seq INTEGER NOT NULL);"
    "CREATE INDEX stock_point_at ON stock_point (at_ms, n);"
    "CREATE TABLE kpi_target ("
    " kpi TEXT PRIMARY KEY,"
    " target REAL NOT NULL,"
    " set_at_ms INTEGER NOT NULL,"
    " set_by TEXT NOT NULL) WITHOUT ROWID;",
    //  2: a completed work order is one row (metric 'job') carrying its
    //  metrics as columns, instead of a row per metric: a sixth of the rows
    //  and index entries, and a sixth of the roll-up's work. NULL: no fact of
    //  that metric (va_revenue for an order of no value-added type). Readers
    //  unpivot them (JOB_METRICS in analytics.h); the rows of the metrics one
    //  by one that version 1 wrote stay as they are and count alike.
    "ALTER TABLE fact ADD COLUMN repair_s INTEGER;"
    "ALTER TABLE fact ADD COLUMN on_time INTEGER;"
    "ALTER TABLE fact ADD COLUMN revenue INTEGER;"
    "ALTER TABLE fact ADD COLUMN labour_cost INTEGER;"
    "ALTER TABLE fact ADD COLUMN parts_cost INTEGER;"
    "ALTER TABLE fact ADD COLUMN margin INTEGER;"
    "ALTER TABLE fact ADD COLUMN va_revenue INTEGER;",
    NULL};
