/*  workorder_parts - dispatch's work orders, as their events tell them: the
    parts loop's inventory side.

      workorder.diagnosed  with parts needed: the order's reservation becomes
                           that list, in the warehouse serving its region
                           (reserved as far as available, the rest
                           back-ordered); parts it no longer lists are let go
      workorder.completed  the parts used are issued at the moving average
                           (its reservation first), what stays reserved or
                           owed is let go, and stock.issued says what the
                           parts cost (for_completion)
      workorder.cancelled  everything the order holds or is owed is let go

    These apply another service's facts, so they never refuse one: a part
    inventory does not stock, or a region no warehouse serves, is logged and
    left out (a completion reports it in not_issued). Only a database error
    fails an event, which the consumer then retries.
*/
#include "inventory.h"

//  A diagnosis or completion's lines, one per part (a part listed twice adds up).
typedef struct {
    const char *sku;
    int64_t qty;
} s_need_t;

//  The lines of a diagnosis or a completion (count items of size bytes, each
//  with its part id and quantity at those offsets: the two lists differ in
//  their other fields), one per part.
static s_need_t *s_by_part (shr_call_t *call, const void *items, size_t count, size_t size,
                            size_t sku_at, size_t qty_at, size_t *parts)
{
    s_need_t *needs = (s_need_t *) shr_call_alloc (call, (count ? count : 1) * sizeof *needs);
    *parts = 0;
    for (size_t i = 0; needs && i < count; i++) {
        const char *item = (const char *) items + i * size;
        const char *sku = *(const char *const *) (item + sku_at);
        size_t j = 0;
        while (j < *parts && !streq (needs[j].sku, sku))
            j++;
        if (j == *parts)
            needs[(*parts)++] = (s_need_t) {sku, 0};
        needs[j].qty += *(const int64_t *) (item + qty_at);
    }
    return needs;
}
#define S_BY_PART(call, list, parts)                                                     \
    s_by_part ((call), (list).items, (list).count, sizeof *(list).items,                 \
               offsetof (__typeof__ (*(list).items), part_id),                           \
               offsetof (__typeof__ (*(list).items), qty), (parts))

//  Where the order's parts are: its reservation's warehouse, else the one
//  serving its region. NULL with *failed false when none serves it.
static const char *s_warehouse (shr_call_t *call, const char *workorder_id, const char *region,
                                bool *failed)
{
    const char *held_in = reservation_warehouse (call, workorder_id, failed);
    if (held_in || *failed)
        return held_in;
    const char *serving = warehouse_serving (call, region, failed);
    if (!serving && !*failed)
        shr_log_warn ("%s: no warehouse serves region %s: its parts are not held", workorder_id,
                      region);
    return serving;
}

//  Makes what the order holds or is owed of each part the diagnosis's list.
static int s_on_diagnosed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_diagnosed_t *data)
{
    (void) event;
    const char *workorder_id = data->workorder_summary.id;
    size_t parts;
    if (data->parts_needed.count == 0)
        return 0;  //  a diagnosis without parts leaves the list as it was
    s_need_t *needs = S_BY_PART (call, data->parts_needed, &parts);
    bool failed;
    const char *warehouse_id = s_warehouse (call, workorder_id, data->workorder_summary.region,
                                            &failed);
    if (!needs || failed)
        return needs ? -1 : shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (!warehouse_id)
        return 0;
    inventory_reservation_t held;
    if (reservation_read (call, workorder_id, &held) < 0)
        return -1;
    //  What the order holds of parts the list no longer has is let go.
    event_stock_released_t released = {.workorder_id = workorder_id,
                                       .warehouse_id = warehouse_id,
                                       .reason = "the diagnosis changed the parts needed"};
    released.lines.items = (event_stock_released_lines_item_t *) shr_call_alloc (
        call, (held.lines.count + parts) * sizeof *released.lines.items);
    reservation_change_t *changes
        = (reservation_change_t *) shr_call_alloc (call, parts * sizeof *changes);
    if (!released.lines.items || !changes)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    size_t changed = 0;
    for (size_t i = 0; i < held.lines.count; i++) {
        const inventory_reservation_line_t *line = &held.lines.items[i];
        int64_t target = 0;
        for (size_t j = 0; j < parts; j++)
            if (streq (needs[j].sku, line->sku))
                target = needs[j].qty;
        int64_t holds = line->reserved + line->backordered;
        if (target < holds) {
            event_stock_released_lines_item_t *out = &released.lines.items[released.lines.count++];
            out->sku = line->sku;
            if (reservation_drop (call, workorder_id, line->sku, holds - target, released.reason,
                                  NULL, &out->released, &out->backorder_cancelled))
                return -1;
        }
    }
    for (size_t j = 0; j < parts; j++) {
        int found = part_exists (call, needs[j].sku);
        if (found < 0)
            return -1;
        if (!found) {
            shr_log_warn ("%s needs %lld of %s, which inventory does not stock", workorder_id,
                          (long long) needs[j].qty, needs[j].sku);
            continue;
        }
        int64_t holds = 0;
        for (size_t i = 0; i < held.lines.count; i++)
            if (streq (held.lines.items[i].sku, needs[j].sku))
                holds = held.lines.items[i].reserved + held.lines.items[i].backordered;
        if (needs[j].qty > holds
            && (stock_row_ensure (call, needs[j].sku, warehouse_id)
                || reservation_add (call, workorder_id, needs[j].sku, warehouse_id,
                                    needs[j].qty - holds, NULL, &changes[changed++])))
            return -1;
    }
    if ((released.lines.count && event_stock_released_emit (call, workorder_id, &released) < 0)
        || reservation_announce (call, workorder_id, warehouse_id, changes, changed, false))
        return -1;
    for (size_t i = 0; i < released.lines.count; i++)
        if (stock_settle (call, released.lines.items[i].sku, warehouse_id))
            return -1;
    for (size_t i = 0; i < changed; i++)
        if (stock_settle (call, changes[i].sku, warehouse_id))
            return -1;
    return 0;
}

//  Issues one part used on the order, what it was not issued before; what
//  cannot be issued goes to not_issued.
static int s_issue_used (shr_call_t *call, const char *workorder_id, const char *warehouse_id,
                         const s_need_t *used, const inventory_reservation_t *held,
                         event_stock_issued_t *event)
{
    int found = part_exists (call, used->sku);
    if (found < 0)
        return -1;
    int64_t before = 0;
    for (size_t i = 0; i < held->lines.count; i++)
        if (streq (held->lines.items[i].sku, used->sku))
            before = held->lines.items[i].issued;
    int64_t wanted = used->qty - before;
    int64_t possible = found ? issue_possible (call, workorder_id, used->sku, warehouse_id) : 0;
    if (possible < 0)
        return -1;
    int64_t qty = wanted < possible ? wanted : possible;
    if (qty > 0
        && issue_to_workorder (call, workorder_id, used->sku, warehouse_id, qty, NULL, NULL,
                               &event->lines.items[event->lines.count++]))
        return -1;
    if (qty > 0)
        event->value_cents += event->lines.items[event->lines.count - 1].value_cents;
    if (wanted > qty) {
        event->not_issued.items[event->not_issued.count++] = (inventory_not_issued_t) {
            used->sku, wanted - qty, found ? "short" : "not_stocked"};
        shr_log_warn ("%s used %lld of %s in %s that inventory could not issue (%s)",
                      workorder_id, (long long) (wanted - qty), used->sku, warehouse_id,
                      found ? "short" : "not stocked");
    }
    return 0;
}

static int s_on_completed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_completed_t *data)
{
    (void) event;
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    const char *workorder_id = data->workorder_summary.id;
    size_t parts;
    s_need_t *used = S_BY_PART (call, data->parts_used, &parts);
    bool failed;
    const char *warehouse_id = s_warehouse (call, workorder_id, data->workorder_summary.region,
                                            &failed);
    if (!used || failed)
        return used ? -1 : shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (!warehouse_id || parts == 0)
        return reservation_release_all (call, workorder_id, "work order completed", NULL);
    inventory_reservation_t held;
    if (reservation_read (call, workorder_id, &held) < 0)
        return -1;
    event_stock_issued_t issued = {.workorder_id = workorder_id, .warehouse_id = warehouse_id,
                                   .currency = settings->currency, .for_completion = true};
    issued.lines.items
        = (inventory_issued_line_t *) shr_call_alloc (call, parts * sizeof *issued.lines.items);
    issued.not_issued.items = (inventory_not_issued_t *) shr_call_alloc (
        call, parts * sizeof *issued.not_issued.items);
    if (!issued.lines.items || !issued.not_issued.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < parts; i++)
        if (s_issue_used (call, workorder_id, warehouse_id, &used[i], &held, &issued))
            return -1;
    if (reservation_issued_value (call, workorder_id, &issued.order_value_cents)
        || event_stock_issued_emit (call, workorder_id, &issued) < 0
        || reservation_release_all (call, workorder_id, "work order completed", NULL))
        return -1;
    for (size_t i = 0; i < issued.lines.count; i++)
        if (stock_settle (call, issued.lines.items[i].sku, warehouse_id))
            return -1;
    return 0;
}

static int s_on_cancelled (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_cancelled_t *data)
{
    (void) event;
    return reservation_release_all (call, data->workorder_summary.id, "work order cancelled",
                                    NULL);
}

const shr_event_handler_t workorder_parts_handlers[] = {
    SHR_ON (event_workorder_diagnosed, s_on_diagnosed),
    SHR_ON (event_workorder_completed, s_on_completed),
    SHR_ON (event_workorder_cancelled, s_on_cancelled),
    {NULL}};
