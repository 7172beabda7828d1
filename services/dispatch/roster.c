/*  roster - the technicians who could take an order now. See roster.h. */
#include "roster.h"

typedef struct {
    char *id;
    char *region;
    int max_jobs;
    int load;
    bool on_shift;
} s_technician_t;
//  What the optimiser needs besides (assign_plan.h), index for index.

typedef struct {
    size_t technician;
    char *skill;
    int level;
} s_skill_t;

//  The candidates of one (region, skill), built on first use.
typedef struct {
    size_t count;
    size_t *technicians;              //  indexes into the roster's technicians
    int *levels;
    assign_candidate_t *candidates;
} s_group_t;

struct _roster_t {
    s_technician_t *technicians;
    assign_technician_t *facts;       //  for assign_plan, the same order
    size_t count;
    s_skill_t *skills;
    size_t skill_count;
    zhashx_t *by_id;                  //  id -> index + 1
    zhashx_t *groups;                 //  "region\x1fskill" -> s_group_t
};

static void s_group_destroy (s_group_t **group_p)
{
    s_group_t *group = *group_p;
    free (group->technicians);
    free (group->candidates);
    free (group->levels);
    free (group);
    *group_p = NULL;
}

void roster_destroy (roster_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    roster_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free (self->technicians[i].id);
        free (self->technicians[i].region);
    }
    for (size_t i = 0; i < self->skill_count; i++)
        free (self->skills[i].skill);
    free (self->technicians);
    free (self->facts);
    free (self->skills);
    zhashx_destroy (&self->by_id);
    zhashx_destroy (&self->groups);
    free (self);
    *self_p = NULL;
}

//  Loads technicians (of region, or all if NULL) and their skills.
static roster_t *s_load (shr_call_t *call, const char *region)
{
    roster_t *self = (roster_t *) zmalloc (sizeof (roster_t));
    self->by_id = zhashx_new ();
    self->groups = zhashx_new ();
    zhashx_set_destructor (self->groups, (zhashx_destructor_fn *) s_group_destroy);
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT id, region, max_jobs, work_days, shift_start_min, shift_end_min, utc_offset_min,"
        //  Travel starts where they are, if they said, else from home.
        " hourly_cost_cents, coalesce (at_lat_e6, home_lat_e6), coalesce (at_lon_e6, home_lon_e6)"
        " FROM technician WHERE active = 1 AND (?1 IS NULL OR region = ?1)");
    if (!stmt)
        goto fail;
    shr_store_bind_text (stmt, 1, region);
    size_t size = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (self->count == size) {
            size = size ? size * 2 : 64;
            self->technicians
                = (s_technician_t *) realloc (self->technicians, size * sizeof (s_technician_t));
            self->facts
                = (assign_technician_t *) realloc (self->facts, size * sizeof (assign_technician_t));
        }
        assign_technician_t *facts = &self->facts[self->count];
        s_technician_t *technician = &self->technicians[self->count++];
        technician->id = strdup (shr_store_column_text (stmt, 0));
        technician->region = strdup (shr_store_column_text (stmt, 1));
        technician->max_jobs = sqlite3_column_int (stmt, 2);
        technician->on_shift = technician_on_shift (
            sqlite3_column_int (stmt, 3), sqlite3_column_int (stmt, 4),
            sqlite3_column_int (stmt, 5), sqlite3_column_int (stmt, 6), call->now_ms);
        technician->load = 0;
        int days = sqlite3_column_int (stmt, 3), start = sqlite3_column_int (stmt, 4),
            end = sqlite3_column_int (stmt, 5), offset = sqlite3_column_int (stmt, 6);
        *facts = (assign_technician_t){
            .id = technician->id,
            .on_shift = technician->on_shift,
            .shift_left_min = technician_shift_left (days, start, end, offset, call->now_ms),
            .max_jobs = technician->max_jobs,
            .hourly_cost_cents = sqlite3_column_int64 (stmt, 7),
            .has_home = sqlite3_column_type (stmt, 8) != SQLITE_NULL,
            .lat_e6 = sqlite3_column_int64 (stmt, 8),
            .lon_e6 = sqlite3_column_int64 (stmt, 9)};
        zhashx_insert (self->by_id, technician->id, (void *) (uintptr_t) self->count);
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
        goto fail;

    //  Absent now: off shift, whatever the working hours say.
    stmt = shr_store_stmt (call->store, "SELECT technician_id FROM technician_absence"
                                        " WHERE from_ms <= ?1 AND to_ms > ?1");
    if (!stmt)
        goto fail;
    sqlite3_bind_int64 (stmt, 1, call->now_ms);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        uintptr_t index = (uintptr_t) zhashx_lookup (self->by_id, shr_store_column_text (stmt, 0));
        if (index)
            self->technicians[index - 1].on_shift = self->facts[index - 1].on_shift = false;
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
        goto fail;

    //  Their open jobs (anywhere: a dispatcher may have sent one out of region)
    //  and the work these hold, in one statement rather than one per technician.
    stmt = shr_store_stmt (call->store,
                           "SELECT technician_id, type, count(*) FROM workorder WHERE open = 1"
                           " AND technician_id IN (SELECT id FROM"
                           " technician WHERE active = 1 AND (?1 IS NULL OR region = ?1))"
                           " GROUP BY technician_id, type");
    if (!stmt)
        goto fail;
    shr_store_bind_text (stmt, 1, region);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        uintptr_t index = (uintptr_t) zhashx_lookup (self->by_id, shr_store_column_text (stmt, 0));
        if (!index)
            continue;
        int jobs = sqlite3_column_int (stmt, 2);
        self->technicians[index - 1].load += jobs;
        self->facts[index - 1].open_jobs += jobs;
        self->facts[index - 1].queued_min
            += jobs * assign_policy_job_seconds (shr_store_column_text (stmt, 1)) / 60;
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
        goto fail;

    stmt = shr_store_stmt (call->store,
                           "SELECT s.technician_id, s.skill, s.level FROM technician_skill s"
                           " JOIN technician t ON t.id = s.technician_id WHERE t.active = 1"
                           " AND (?1 IS NULL OR t.region = ?1)");
    if (!stmt)
        goto fail;
    shr_store_bind_text (stmt, 1, region);
    size = 0;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        uintptr_t index = (uintptr_t) zhashx_lookup (self->by_id, shr_store_column_text (stmt, 0));
        if (!index)
            continue;
        if (self->skill_count == size) {
            size = size ? size * 2 : 128;
            self->skills = (s_skill_t *) realloc (self->skills, size * sizeof (s_skill_t));
        }
        s_skill_t *skill = &self->skills[self->skill_count++];
        skill->technician = index - 1;
        skill->skill = strdup (shr_store_column_text (stmt, 1));
        skill->level = sqlite3_column_int (stmt, 2);
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
        goto fail;
    return self;
fail:
    shr_call_db_error (call);
    roster_destroy (&self);
    return NULL;
}

roster_t *roster_of_region (shr_call_t *call, const char *region)
{
    return s_load (call, region);
}

roster_t *roster_all (shr_call_t *call)
{
    return s_load (call, NULL);
}

static s_group_t *s_build_group (roster_t *self, const char *region, const char *skill)
{
    s_group_t *group = (s_group_t *) zmalloc (sizeof (s_group_t));
    bool any = !skill || !*skill;
    size_t room = any ? self->count : self->skill_count;
    group->technicians = (size_t *) malloc ((room ? room : 1) * sizeof (size_t));
    group->candidates = (assign_candidate_t *) malloc ((room ? room : 1)
                                                       * sizeof (assign_candidate_t));
    group->levels = (int *) malloc ((room ? room : 1) * sizeof (int));
    if (any) {
        for (size_t i = 0; i < self->count; i++)
            if (streq (self->technicians[i].region, region)) {
                group->technicians[group->count] = i;
                group->levels[group->count] = 0;
                group->candidates[group->count++].level = 0;
            }
    }
    else
        for (size_t i = 0; i < self->skill_count; i++) {
            s_skill_t *entry = &self->skills[i];
            if (streq (entry->skill, skill)
                && streq (self->technicians[entry->technician].region, region)) {
                group->technicians[group->count] = entry->technician;
                group->levels[group->count] = entry->level;
                group->candidates[group->count++].level = entry->level;
            }
        }
    return group;
}

static s_group_t *s_group (roster_t *self, const char *region, const char *skill)
{
    char key[160];
    snprintf (key, sizeof key, "%s\x1f%s", region, skill ? skill : "");
    s_group_t *group = (s_group_t *) zhashx_lookup (self->groups, key);
    if (!group) {
        group = s_build_group (self, region, skill);
        zhashx_insert (self->groups, key, group);
    }
    return group;
}

const assign_technician_t *roster_technicians (roster_t *self, size_t *count)
{
    *count = self->count;
    return self->facts;
}

const size_t *roster_members (roster_t *self, const char *region, const char *skill,
                              const int **levels, size_t *count)
{
    s_group_t *group = s_group (self, region, skill);
    *levels = group->levels;
    *count = group->count;
    return group->technicians;
}

const assign_candidate_t *roster_candidates (roster_t *self, const char *region,
                                             const char *skill, size_t *count)
{
    s_group_t *group = s_group (self, region, skill);
    //  Loads change as dispatch.run assigns: read them fresh each time.
    for (size_t i = 0; i < group->count; i++) {
        s_technician_t *technician = &self->technicians[group->technicians[i]];
        assign_candidate_t *candidate = &group->candidates[i];
        candidate->id = technician->id;
        candidate->load = technician->load;
        candidate->max_jobs = technician->max_jobs;
        candidate->on_shift = technician->on_shift;
    }
    *count = group->count;
    return group->candidates;
}
