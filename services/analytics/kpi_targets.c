/*  kpi_targets - the plan's "[X]" per indicator, as management sets them. */
#include "analytics.h"

typedef struct {
    const char *kpi;
    double target;
    int64_t set_at_ms;
    const char *set_by;
} target_row_t;

static const shr_field_t s_fields[] = {
    ROW_TEXT (target_row_t, kpi),
    {.name = "target", .kind = SHR_FIELD_NUMBER, .offset = offsetof (target_row_t, target),
     .has_offset = -1},
    ROW_INT (target_row_t, set_at_ms),
    ROW_TEXT (target_row_t, set_by),
};
static const shr_shape_t s_shape = ROW_SHAPE ("a target", target_row_t, s_fields);

int kpi_targets_read (shr_call_t *call, analytics_target_t targets[KPI_COUNT])
{
    for (int k = 0; k < KPI_COUNT; k++)
        targets[k] = (analytics_target_t) {.kpi = kpi_defs[k].name, .unit = kpi_defs[k].unit,
                                           .rule = kpi_defs[k].rule_text};
    struct {
        size_t count;
        target_row_t *items;
    } rows = {0};
    if (shr_call_list (call, "SELECT kpi, target, set_at_ms, set_by FROM kpi_target", NULL, NULL,
                       &s_shape, &rows, 0, NULL, SHR_END))
        return -1;
    for (size_t i = 0; i < rows.count; i++) {
        int k = kpi_find (rows.items[i].kpi);
        if (k < 0)
            continue;
        targets[k].target = rows.items[i].target;
        targets[k].has_target = true;
        targets[k].set_at = rows.items[i].set_at_ms;
        targets[k].has_set_at = true;
        targets[k].set_by = rows.items[i].set_by;
    }
    return 0;
}

static int s_list (shr_call_t *call, void *array)
{
    shr_array_t *out = (shr_array_t *) array;
    analytics_target_t *items = shr_call_alloc (call, KPI_COUNT * sizeof *items);
    if (!items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (kpi_targets_read (call, items))
        return -1;
    out->count = KPI_COUNT;
    out->items = items;
    return 0;
}

int kpi_targets_get (shr_call_t *call, const analytics_kpi_targets_get_request_t *request,
                     analytics_kpi_targets_get_reply_t *reply)
{
    (void) request;
    return s_list (call, &reply->targets);
}

int kpi_targets_set (shr_call_t *call, const analytics_kpi_targets_set_request_t *request,
                     analytics_kpi_targets_set_reply_t *reply)
{
    for (size_t i = 0; i < request->targets.count; i++) {
        const analytics_kpi_targets_set_request_targets_item_t *item = &request->targets.items[i];
        int rc = item->has_target
                     ? shr_call_exec (call,
                                      "INSERT INTO kpi_target (kpi, target, set_at_ms, set_by)"
                                      " VALUES (:kpi, :target, :now, :by) ON CONFLICT (kpi) DO"
                                      " UPDATE SET target = excluded.target, set_at_ms = :now,"
                                      " set_by = :by",
                                      NULL, NULL, SHR_TEXT (":kpi", item->kpi),
                                      SHR_TEXT (":target", shr_call_printf (call, "%.17g",
                                                                            item->target)),
                                      SHR_TEXT (":by", call->actor), SHR_END)
                     : shr_call_exec (call, "DELETE FROM kpi_target WHERE kpi = :kpi", NULL, NULL,
                                      SHR_TEXT (":kpi", item->kpi), SHR_END);
        if (rc)
            return -1;
    }
    return s_list (call, &reply->targets);
}
