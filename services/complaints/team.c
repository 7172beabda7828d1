/*  team - the complaint-handling team: handlers with their level, the
    categories they cover and how many open cases each has (a count the
    complaint table's triggers keep), and who among them is free to take a
    case (routing_policy.c decides).
*/
#include "complaints.h"
#include "routing_policy.h"

//  A handler as the replies show them (open_cases is kept by the triggers of
//  migrations.c).
#define HANDLER_COLUMNS                                                                          \
    "id, name, level, (SELECT json_group_array (category) FROM (SELECT category FROM"           \
    " handler_category c WHERE c.handler_id = h.id ORDER BY category)) AS categories, active,"   \
    " open_cases, updated_at_ms"

//  routing_candidate_t reads like a message: by a field table.
static const shr_field_t s_candidate_fields[] = {
    {.name = "id", .kind = SHR_FIELD_STRING, .offset = offsetof (routing_candidate_t, id),
     .has_offset = -1},
    {.name = "level", .kind = SHR_FIELD_STRING, .offset = offsetof (routing_candidate_t, level),
     .has_offset = -1},
    {.name = "covers", .kind = SHR_FIELD_BOOL, .offset = offsetof (routing_candidate_t, covers),
     .has_offset = -1},
    {.name = "load", .kind = SHR_FIELD_INT, .offset = offsetof (routing_candidate_t, load),
     .has_offset = -1},
};
static const shr_shape_t s_candidate_shape = {"complaints' routing candidate",
                                              sizeof (routing_candidate_t), s_candidate_fields, 4};

int team_choose (shr_call_t *call, const char *category, int rank, const char **chosen)
{
    struct {
        size_t count;
        routing_candidate_t *items;
    } candidates;
    if (shr_call_list (call,
                       "SELECT id, level, EXISTS (SELECT 1 FROM handler_category c WHERE"
                       " c.handler_id = h.id AND c.category = :category) AS covers,"
                       " open_cases AS load FROM handler h WHERE active = 1",
                       NULL, NULL, &s_candidate_shape, &candidates, 0, NULL,
                       SHR_TEXT (":category", category), SHR_END))
        return -1;
    int best = routing_choose (candidates.items, candidates.count, rank);
    *chosen = best >= 0 ? candidates.items[best].id : NULL;
    return 0;
}

static int s_read (shr_call_t *call, const char *id, complaints_handler_t *out)
{
    return shr_call_get (call, "SELECT " HANDLER_COLUMNS " FROM handler h WHERE id = :id", NULL,
                         NULL, &complaints_handler_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int team_check (shr_call_t *call, const char *id, const char *field)
{
    complaints_handler_t handler;
    int found = s_read (call, id, &handler);
    if (found < 0)
        return -1;
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no handler %s", id);
    if (!handler.active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, field, "handler %s is not active", id);
    return 0;
}

int handler_upsert (shr_call_t *call, const complaints_handler_upsert_request_t *request,
                    complaints_handler_t *reply)
{
    complaints_handler_t before;
    int found = s_read (call, request->id, &before);
    if (found < 0)
        return -1;
    if (!found && !request->name)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/name",
                              "a new handler needs a name");
    if (!found && !request->level)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/level",
                              "a new handler needs a level: agent, supervisor or manager");
    //  Fields left out keep their stored value; categories are replaced as a whole.
    if (shr_call_exec (call,
                       found ? "UPDATE handler SET name = coalesce (:name, name), level ="
                               " coalesce (:level, level), active = coalesce (:active, active),"
                               " updated_at_ms = :now WHERE id = :id"
                             : "INSERT INTO handler (id, name, level, active, updated_at_ms)"
                               " VALUES (:id, :name, :level, coalesce (:active, 1), :now)",
                       &complaints_handler_upsert_request_shape, request, SHR_END))
        return -1;
    if (request->has_categories
        && (shr_call_exec (call, "DELETE FROM handler_category WHERE handler_id = :id",
                           &complaints_handler_upsert_request_shape, request, SHR_END)
            || shr_call_exec (call,
                              "INSERT INTO handler_category (handler_id, category) SELECT :id,"
                              " value FROM json_each (:categories)",
                              &complaints_handler_upsert_request_shape, request, SHR_END)))
        return -1;
    shr_log_info ("handler %s %s (by %s)", request->id, found ? "changed" : "added", call->actor);
    return s_read (call, request->id, reply) == 1 ? 0 : -1;
}

int handler_list (shr_call_t *call, const complaints_handler_list_request_t *request,
                  complaints_handler_list_reply_t *reply)
{
    return shr_call_list (
        call,
        "SELECT " HANDLER_COLUMNS ", id AS _cursor FROM handler h WHERE id > coalesce (:cursor, '')"
        " AND (:level IS NULL OR level = :level) AND (:active IS NULL OR active = :active)"
        " AND (:category IS NULL OR EXISTS (SELECT 1 FROM handler_category c WHERE"
        "  c.handler_id = h.id AND c.category = :category))"
        " ORDER BY id LIMIT :limit + 1",
        &complaints_handler_list_request_shape, request, &complaints_handler_shape, &reply->items,
        request->limit, &reply->next_cursor, SHR_END);
}
