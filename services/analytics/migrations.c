/*  migrations - the analytics database, version by version. Never edit a
    shipped version: add the next one. */
#include "analytics.h"

//  Adds a fact to its row of a roll-up table (per day or month) for one dimension.
#define UPSERT(table, dim, at, group)                                                            \
    " INSERT INTO " table " VALUES ('" dim "', NEW.metric, " at ", " group ", NEW.currency,"     \
    "  NEW.value, 1) ON CONFLICT DO UPDATE SET total = total + excluded.total, n = n + 1;"

//  A fact's rows by technician, type and model, per day and per month.
#define ORDER_ROLLUPS                                                                            \
    UPSERT ("rollup", "technician", "NEW.day", "NEW.technician_id")                              \
    UPSERT ("rollup", "type", "NEW.day", "NEW.type_of_order")                                    \
    UPSERT ("rollup", "product_model", "NEW.day", "NEW.product_model")                           \
    UPSERT ("rollup_month", "technician", "NEW.month", "NEW.technician_id")                      \
    UPSERT ("rollup_month", "type", "NEW.month", "NEW.type_of_order")                            \
    UPSERT ("rollup_month", "product_model", "NEW.month", "NEW.product_model")

const char *const analytics_migrations[] = {
    //  1: facts, their roll-ups per day and dimension, what dispatch said of
    //  each work order, and the targets.
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
    //  Every fact counts by region at once (the totals are the regions'
    //  sums: every fact has one, '' when the event says none); by
    //  technician, type and model once it knows them (waiting = 0). Per day,
    //  and per month so that a year's report reads a row per month and group.
    "CREATE TRIGGER fact_rollup_all AFTER INSERT ON fact BEGIN"
    UPSERT ("rollup", "region", "NEW.day", "NEW.region")
    UPSERT ("rollup_month", "region", "NEW.month", "NEW.region")
    " END;"
    "CREATE TRIGGER fact_rollup_order AFTER INSERT ON fact WHEN NEW.waiting = 0 BEGIN"
    ORDER_ROLLUPS
    " END;"
    "CREATE TRIGGER fact_rollup_resolved AFTER UPDATE OF waiting ON fact"
    " WHEN OLD.waiting = 1 AND NEW.waiting = 0 BEGIN"
    ORDER_ROLLUPS
    " END;"
    "CREATE TABLE workorder ("
    " id TEXT PRIMARY KEY,"
    " region TEXT NOT NULL,"
    " technician_id TEXT,"
    " type TEXT NOT NULL,"
    " product_model TEXT,"
    " completed_at_ms INTEGER) WITHOUT ROWID;"
    "CREATE TABLE kpi_target ("
    " kpi TEXT PRIMARY KEY,"
    " target REAL NOT NULL,"
    " set_at_ms INTEGER NOT NULL,"
    " set_by TEXT NOT NULL) WITHOUT ROWID;",
    NULL};
