/*  migrations - the dispatch database, version by version. Never edit a shipped
    version: add the next one. */
#include "dispatch.h"

const char *const dispatch_migrations[] = {
    //  1: technicians, orders, their history, SLA policies with the defaults
    "CREATE TABLE technician ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " active INTEGER NOT NULL,"
    " hourly_cost_cents INTEGER NOT NULL,"
    " max_jobs INTEGER NOT NULL,"
    " work_days INTEGER NOT NULL DEFAULT 0,"      //  bit n = ISO weekday n; 0 = always
    " shift_start_min INTEGER NOT NULL DEFAULT 0,"
    " shift_end_min INTEGER NOT NULL DEFAULT 0,"
    " utc_offset_min INTEGER NOT NULL DEFAULT 0,"
    " working_hours TEXT,"                        //  as given, for reading back
    " updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX technician_region ON technician (region, active);"
    "CREATE TABLE technician_skill ("
    " technician_id TEXT NOT NULL REFERENCES technician (id) ON DELETE CASCADE,"
    " skill TEXT NOT NULL,"
    " level INTEGER NOT NULL,"
    " PRIMARY KEY (technician_id, skill)) WITHOUT ROWID;"
    "CREATE INDEX technician_skill_by_skill ON technician_skill (skill, level);"
    "CREATE TABLE workorder ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " customer_id TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " priority TEXT NOT NULL,"
    " channel TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " address TEXT,"
    " description TEXT NOT NULL,"
    " product_model TEXT,"
    " product_serial TEXT,"
    " required_skill TEXT,"
    " required_level INTEGER NOT NULL,"
    " in_warranty INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " technician_id TEXT REFERENCES technician (id),"
    " rework_of TEXT,"
    " rework_id TEXT,"
    " reported_at_ms INTEGER NOT NULL,"
    " due_at_ms INTEGER NOT NULL,"
    " at_risk_at_ms INTEGER NOT NULL,"
    " assigned_at_ms INTEGER,"
    " started_at_ms INTEGER,"
    " waiting_since_ms INTEGER,"
    " completed_at_ms INTEGER,"
    " accepted_at_ms INTEGER,"
    " rejected_at_ms INTEGER,"
    " cancelled_at_ms INTEGER,"
    " at_risk_emitted INTEGER NOT NULL DEFAULT 0,"
    " overdue_emitted INTEGER NOT NULL DEFAULT 0,"
    " parts_needed TEXT NOT NULL DEFAULT '[]',"
    " parts_used TEXT NOT NULL DEFAULT '[]',"
    " labour_minutes INTEGER,"
    " labour_cost_cents INTEGER,"
    " parts_cost_cents INTEGER,"
    " labour_charge_cents INTEGER,"
    " parts_charge_cents INTEGER,"
    " fees_cents INTEGER,"
    " total_charge_cents INTEGER,"
    " currency TEXT,"
    " resolution TEXT,"
    " customer_score INTEGER,"
    " reason TEXT);"
    "CREATE INDEX workorder_status_due ON workorder (status, due_at_ms);"
    "CREATE INDEX workorder_open_by_technician ON workorder (technician_id)"
    " WHERE completed_at_ms IS NULL AND cancelled_at_ms IS NULL;"
    "CREATE INDEX workorder_region ON workorder (region, status);"
    "CREATE INDEX workorder_customer ON workorder (customer_id);"
    //  The SLA scan reads only orders still waiting for their warning or deadline.
    "CREATE INDEX workorder_at_risk_pending ON workorder (at_risk_at_ms)"
    " WHERE at_risk_emitted = 0 AND completed_at_ms IS NULL AND cancelled_at_ms IS NULL;"
    "CREATE INDEX workorder_overdue_pending ON workorder (due_at_ms)"
    " WHERE overdue_emitted = 0 AND completed_at_ms IS NULL AND cancelled_at_ms IS NULL;"
    "CREATE TABLE workorder_step ("
    " n INTEGER PRIMARY KEY,"
    " workorder_seq INTEGER NOT NULL REFERENCES workorder (seq),"
    " step TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " technician_id TEXT,"
    " note TEXT);"
    "CREATE INDEX workorder_step_order ON workorder_step (workorder_seq, n);"
    "CREATE TABLE workorder_diagnosis ("
    " n INTEGER PRIMARY KEY,"
    " workorder_seq INTEGER NOT NULL REFERENCES workorder (seq),"
    " at_ms INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " by TEXT,"
    " parts_needed TEXT NOT NULL);"
    "CREATE INDEX workorder_diagnosis_order ON workorder_diagnosis (workorder_seq, n);"
    "CREATE TABLE sla_policy ("
    " type TEXT NOT NULL,"
    " priority TEXT NOT NULL,"
    " resolve_within_s INTEGER NOT NULL,"
    " at_risk_before_s INTEGER NOT NULL,"
    " PRIMARY KEY (type, priority)) WITHOUT ROWID;"
    //  Defaults: urgent 4 h, high 24 h, normal 72 h, low 120 h; warn at a quarter left.
    "INSERT INTO sla_policy (type, priority, resolve_within_s, at_risk_before_s)"
    " SELECT t.type, p.priority, p.within, p.within / 4 FROM"
    " (SELECT 'repair' AS type UNION ALL SELECT 'maintenance' UNION ALL SELECT 'installation'"
    "  UNION ALL SELECT 'upgrade' UNION ALL SELECT 'inspection' UNION ALL SELECT 'consulting') t,"
    " (SELECT 'urgent' AS priority, 14400 AS within UNION ALL SELECT 'high', 86400"
    "  UNION ALL SELECT 'normal', 259200 UNION ALL SELECT 'low', 432000) p;",

    //  2: whether an order is open is a column that the lifecycle's status table
    //  sets, so that what "open" means is said once (lifecycle.c); the partial
    //  indexes read the flag and never change when that meaning does.
    "ALTER TABLE workorder ADD COLUMN open INTEGER NOT NULL DEFAULT 1;"
    "UPDATE workorder SET open = (completed_at_ms IS NULL AND cancelled_at_ms IS NULL);"
    "DROP INDEX workorder_open_by_technician;"
    "CREATE INDEX workorder_open_by_technician ON workorder (technician_id) WHERE open = 1;"
    "DROP INDEX workorder_at_risk_pending;"
    "CREATE INDEX workorder_at_risk_pending ON workorder (at_risk_at_ms)"
    " WHERE at_risk_emitted = 0 AND open = 1;"
    "DROP INDEX workorder_overdue_pending;"
    "CREATE INDEX workorder_overdue_pending ON workorder (due_at_ms)"
    " WHERE overdue_emitted = 0 AND open = 1;",

    //  3: who took each step: the name on the caller's certificate (or the
    //  service itself, for its own clock). NULL for steps taken before.
    "ALTER TABLE workorder_step ADD COLUMN actor TEXT;",

    //  4: the parts loop with inventory: what it still owes each order (from
    //  its stock.backordered and stock.reserved), and the parts cost the
    //  completion reported before inventory's issue replaced it.
    "CREATE TABLE workorder_parts ("
    " workorder_seq INTEGER PRIMARY KEY REFERENCES workorder (seq),"
    " backordered INTEGER NOT NULL DEFAULT 0,"
    " reported_parts_cost_cents INTEGER,"
    " costed_at_ms INTEGER);",

    //  5: appointments and travel, for the optimiser: where an order is and the
    //  customer's time window, where a technician starts from (degrees x 10^6,
    //  integers so that a plan never depends on rounding), the travel times an
    //  integrator supplies, which replace the estimate from distance; the
    //  technicians' absences; and the time standards below.
    "ALTER TABLE workorder ADD COLUMN lat_e6 INTEGER;"
    "ALTER TABLE workorder ADD COLUMN lon_e6 INTEGER;"
    "ALTER TABLE workorder ADD COLUMN window_start_ms INTEGER;"
    "ALTER TABLE workorder ADD COLUMN window_end_ms INTEGER;"
    "ALTER TABLE technician ADD COLUMN home_lat_e6 INTEGER;"
    "ALTER TABLE technician ADD COLUMN home_lon_e6 INTEGER;"
    "ALTER TABLE technician ADD COLUMN at_lat_e6 INTEGER;"  //  where they are now, if reported
    "ALTER TABLE technician ADD COLUMN at_lon_e6 INTEGER;"
    "CREATE TABLE travel_time ("
    " technician_id TEXT NOT NULL,"
    " workorder_id TEXT NOT NULL,"
    " minutes INTEGER NOT NULL,"
    " PRIMARY KEY (workorder_id, technician_id)) WITHOUT ROWID;"
    //  When a technician is away (sick, leave): off shift for the roster.
    "CREATE TABLE technician_absence ("
    " technician_id TEXT NOT NULL REFERENCES technician (id),"
    " from_ms INTEGER NOT NULL,"
    " to_ms INTEGER NOT NULL,"
    " reason TEXT,"
    " PRIMARY KEY (technician_id, from_ms)) WITHOUT ROWID;"
    //  Time standards: an assign-by time per policy (an eighth of the time to
    //  resolve by default) and whether waiting for parts stops the SLA clock;
    //  each order keeps both from its creation, and the time it stood still.
    "ALTER TABLE sla_policy ADD COLUMN assign_within_s INTEGER NOT NULL DEFAULT 0;"
    "UPDATE sla_policy SET assign_within_s = resolve_within_s / 8;"
    "ALTER TABLE sla_policy ADD COLUMN pause_waiting_parts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE workorder ADD COLUMN assign_by_ms INTEGER;"
    "ALTER TABLE workorder ADD COLUMN assign_late_emitted INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE workorder ADD COLUMN sla_pauses INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE workorder ADD COLUMN paused_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX workorder_assign_pending ON workorder (assign_by_ms)"
    " WHERE assign_late_emitted = 0 AND status = 'reported';",

    //  6: contracts' cover of each product serial, as its asset events tell
    //  it (coverage_feed.c), and who decided each order's warranty.
    "CREATE TABLE coverage ("
    " serial TEXT NOT NULL,"
    " n INTEGER NOT NULL,"                          //  the period's place in the event
    " kind TEXT NOT NULL,"
    " contract_id TEXT,"
    " starts_on TEXT NOT NULL,"                     //  YYYY-MM-DD: days sort as text
    " ends_on TEXT NOT NULL,"
    " in_warranty INTEGER NOT NULL,"
    " PRIMARY KEY (serial, n)) WITHOUT ROWID;"
    "ALTER TABLE workorder ADD COLUMN warranty_basis TEXT;",
    NULL};
