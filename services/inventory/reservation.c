/*  reservation - what each work order holds and is owed, per part, in the
    one warehouse that serves it.

    A line is reserved as far as stock is available and the rest is
    back-ordered. Whatever makes stock available again (a receipt, a release,
    a count, a transfer in, a return) fills back-orders oldest first
    (stock_settle), each filled line announced with stock.reserved for its
    work order; so while a stock owes anything nothing of it is available,
    and a newer order never takes what an older one waits for.
*/
#include "inventory.h"

//  A line as stored.
typedef struct {
    int64_t n;
    const char *workorder_id;
    const char *sku;
    const char *warehouse_id;
    int64_t reserved;
    int64_t backordered;
    int64_t issued;
} s_line_t;
static const shr_field_t s_line_fields[] = {
    {.name = "n", .kind = SHR_FIELD_INT, .offset = offsetof (s_line_t, n), .has_offset = -1},
    {.name = "workorder_id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_line_t, workorder_id),
     .has_offset = -1},
    {.name = "sku", .kind = SHR_FIELD_STRING, .offset = offsetof (s_line_t, sku), .has_offset = -1},
    {.name = "warehouse_id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_line_t, warehouse_id),
     .has_offset = -1},
    {.name = "reserved", .kind = SHR_FIELD_INT, .offset = offsetof (s_line_t, reserved),
     .has_offset = -1},
    {.name = "backordered", .kind = SHR_FIELD_INT, .offset = offsetof (s_line_t, backordered),
     .has_offset = -1},
    {.name = "issued", .kind = SHR_FIELD_INT, .offset = offsetof (s_line_t, issued), .has_offset = -1},
};
static const shr_shape_t s_line_shape = {"inventory's reservation line", sizeof (s_line_t),
                                         s_line_fields, 7};
#define LINE_COLUMNS "n, workorder_id, sku, warehouse_id, reserved, backordered, issued"

//  Changes the order's line (made if new) by the deltas; line gets it after.
//  An update first: SQLite checks an upsert's VALUES against the table's
//  CHECKs before it finds the conflict, and a delta may be negative.
static int s_change_line (shr_call_t *call, const char *workorder_id, const char *sku,
                          const char *warehouse_id, int64_t reserved, int64_t backordered,
                          s_line_t *line)
{
    int found = shr_call_get (
        call,
        "UPDATE reservation SET reserved = reserved + :reserved,"
        " backordered = backordered + :backordered, updated_at_ms = :now"
        " WHERE workorder_id = :wo AND sku = :sku RETURNING " LINE_COLUMNS,
        NULL, NULL, &s_line_shape, line, SHR_TEXT (":wo", workorder_id), SHR_TEXT (":sku", sku),
        SHR_INT (":reserved", reserved), SHR_INT (":backordered", backordered), SHR_END);
    if (found == 0)
        found = shr_call_get (
            call,
            "INSERT INTO reservation (workorder_id, sku, warehouse_id, reserved, backordered,"
            " updated_at_ms) VALUES (:wo, :sku, :wh, :reserved, :backordered, :now)"
            " RETURNING " LINE_COLUMNS,
            NULL, NULL, &s_line_shape, line, SHR_TEXT (":wo", workorder_id),
            SHR_TEXT (":sku", sku), SHR_TEXT (":wh", warehouse_id),
            SHR_INT (":reserved", reserved), SHR_INT (":backordered", backordered), SHR_END);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

static int s_read_line (shr_call_t *call, const char *workorder_id, const char *sku,
                        s_line_t *line)
{
    return shr_call_get (call,
                         "SELECT " LINE_COLUMNS " FROM reservation"
                         " WHERE workorder_id = :wo AND sku = :sku",
                         NULL, NULL, &s_line_shape, line, SHR_TEXT (":wo", workorder_id),
                         SHR_TEXT (":sku", sku), SHR_END);
}

//  Units the order is still owed, all lines.
static int s_owed (shr_call_t *call, const char *workorder_id, int64_t *owed)
{
    inventory_reservation_t totals;
    int found = shr_call_get (call,
                              "SELECT coalesce (sum (backordered), 0) AS backordered_total"
                              " FROM reservation WHERE workorder_id = :wo",
                              NULL, NULL, &inventory_reservation_shape, &totals,
                              SHR_TEXT (":wo", workorder_id), SHR_END);
    *owed = totals.backordered_total;
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

int reservation_add (shr_call_t *call, const char *workorder_id, const char *sku,
                     const char *warehouse_id, int64_t qty, const char *by,
                     reservation_change_t *change)
{
    stock_row_t row;
    s_line_t line;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    int64_t available = row.on_hand - row.reserved;
    int64_t reserved = qty < available ? qty : available;
    stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id,
                         .kind = reserved > 0 ? "reservation" : NULL, .reserved = reserved,
                         .backordered = qty - reserved, .reference = workorder_id, .by = by};
    if (s_change_line (call, workorder_id, sku, warehouse_id, reserved, qty - reserved, &line)
        || stock_move (call, &move, NULL))
        return -1;
    *change = (reservation_change_t) {sku, reserved, qty - reserved, line.reserved,
                                      line.backordered};
    return 0;
}

int reservation_drop (shr_call_t *call, const char *workorder_id, const char *sku, int64_t qty,
                      const char *reason, const char *by, int64_t *released, int64_t *cancelled)
{
    s_line_t line, after;
    int found = s_read_line (call, workorder_id, sku, &line);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    int64_t left = qty < 0 ? line.backordered + line.reserved : qty;
    int64_t cancel = left < line.backordered ? left : line.backordered;
    int64_t release = left - cancel < line.reserved ? left - cancel : line.reserved;
    stock_move_t move = {.sku = sku, .warehouse_id = line.warehouse_id,
                         .kind = release > 0 ? "release" : NULL, .reserved = -release,
                         .backordered = -cancel, .reference = workorder_id, .reason = reason,
                         .by = by};
    if ((release || cancel)
        && (s_change_line (call, workorder_id, sku, line.warehouse_id, -release, -cancel, &after)
            || stock_move (call, &move, NULL)))
        return -1;
    *released = release;
    *cancelled = cancel;
    return 0;
}

int reservation_release_all (shr_call_t *call, const char *workorder_id, const char *reason,
                             const char *by)
{
    shr_array_t lines;
    if (shr_call_list (call,
                       "SELECT " LINE_COLUMNS " FROM reservation WHERE workorder_id = :wo"
                       " AND (reserved > 0 OR backordered > 0) ORDER BY sku",
                       NULL, NULL, &s_line_shape, &lines, 0, NULL, SHR_TEXT (":wo", workorder_id),
                       SHR_END))
        return -1;
    if (lines.count == 0)
        return 0;
    const s_line_t *items = (const s_line_t *) lines.items;
    event_stock_released_t event = {.workorder_id = workorder_id,
                                    .warehouse_id = items[0].warehouse_id, .reason = reason};
    event.lines.count = lines.count;
    event.lines.items = (event_stock_released_lines_item_t *) shr_call_alloc (
        call, lines.count * sizeof *event.lines.items);
    if (!event.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < lines.count; i++) {
        event.lines.items[i].sku = items[i].sku;
        if (reservation_drop (call, workorder_id, items[i].sku, -1, reason, by,
                              &event.lines.items[i].released,
                              &event.lines.items[i].backorder_cancelled))
            return -1;
    }
    if (event_stock_released_emit (call, workorder_id, &event) < 0)
        return -1;
    for (size_t i = 0; i < lines.count; i++)
        if (stock_settle (call, items[i].sku, items[i].warehouse_id))
            return -1;
    return 0;
}

int reservation_record_issue (shr_call_t *call, const char *workorder_id, const char *sku,
                              const char *warehouse_id, int64_t taken, int64_t issued,
                              int64_t value_cents)
{
    //  An update first, as in s_change_line: a return's deltas are negative.
    if (shr_call_exec (call,
                       "UPDATE reservation SET reserved = reserved - :taken,"
                       " issued = issued + :issued, issued_value_cents = issued_value_cents + :value,"
                       " updated_at_ms = :now WHERE workorder_id = :wo AND sku = :sku",
                       NULL, NULL, SHR_TEXT (":wo", workorder_id), SHR_TEXT (":sku", sku),
                       SHR_INT (":taken", taken), SHR_INT (":issued", issued),
                       SHR_INT (":value", value_cents), SHR_END))
        return -1;
    if (sqlite3_changes (shr_store_db (call->store)) == 1)
        return 0;
    return shr_call_exec (call,
                          "INSERT INTO reservation (workorder_id, sku, warehouse_id, issued,"
                          " issued_value_cents, updated_at_ms) VALUES (:wo, :sku, :wh, :issued,"
                          " :value, :now)",
                          NULL, NULL, SHR_TEXT (":wo", workorder_id), SHR_TEXT (":sku", sku),
                          SHR_TEXT (":wh", warehouse_id), SHR_INT (":issued", issued),
                          SHR_INT (":value", value_cents), SHR_END);
}

int reservation_fill (shr_call_t *call, const char *sku, const char *warehouse_id)
{
    stock_row_t row;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found < 0)
        return -1;
    int64_t available = found ? row.on_hand - row.reserved : 0;
    if (available <= 0 || row.backordered == 0)
        return 0;
    //  Oldest first; each line filled takes at least a unit, so no more lines
    //  than units can be filled.
    shr_array_t lines;
    if (shr_call_list (call,
                       "SELECT " LINE_COLUMNS " FROM reservation WHERE sku = :sku"
                       " AND warehouse_id = :wh AND backordered > 0 ORDER BY n LIMIT :units",
                       NULL, NULL, &s_line_shape, &lines, 0, NULL, SHR_TEXT (":sku", sku),
                       SHR_TEXT (":wh", warehouse_id), SHR_INT (":units", available), SHR_END))
        return -1;
    for (size_t i = 0; i < lines.count && available > 0; i++) {
        const s_line_t *line = &((const s_line_t *) lines.items)[i];
        int64_t take = line->backordered < available ? line->backordered : available;
        s_line_t after;
        stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id, .kind = "reservation",
                             .reserved = take, .backordered = -take,
                             .reference = line->workorder_id, .reason = "back-order filled"};
        if (s_change_line (call, line->workorder_id, sku, warehouse_id, take, -take, &after)
            || stock_move (call, &move, NULL))
            return -1;
        reservation_change_t change = {sku, take, 0, after.reserved, after.backordered};
        if (reservation_announce (call, line->workorder_id, warehouse_id, &change, 1, true))
            return -1;
        available -= take;
    }
    return 0;
}

int reservation_unfill (shr_call_t *call, const char *sku, const char *warehouse_id,
                        int64_t on_hand)
{
    stock_row_t row;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found < 0)
        return -1;
    int64_t excess = found ? row.reserved - on_hand : 0;
    if (excess <= 0)
        return 0;
    shr_array_t lines;
    if (shr_call_list (call,
                       "SELECT " LINE_COLUMNS " FROM reservation WHERE sku = :sku"
                       " AND warehouse_id = :wh AND reserved > 0 ORDER BY n DESC",
                       NULL, NULL, &s_line_shape, &lines, 0, NULL, SHR_TEXT (":sku", sku),
                       SHR_TEXT (":wh", warehouse_id), SHR_END))
        return -1;
    for (size_t i = 0; i < lines.count && excess > 0; i++) {
        const s_line_t *line = &((const s_line_t *) lines.items)[i];
        int64_t take = line->reserved < excess ? line->reserved : excess;
        s_line_t after;
        stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id, .kind = "release",
                             .reserved = -take, .backordered = take,
                             .reference = line->workorder_id,
                             .reason = "the count found less than was reserved: back-ordered"};
        if (s_change_line (call, line->workorder_id, sku, warehouse_id, -take, take, &after)
            || stock_move (call, &move, NULL))
            return -1;
        reservation_change_t change = {sku, 0, take, after.reserved, after.backordered};
        if (reservation_announce (call, line->workorder_id, warehouse_id, &change, 1, false))
            return -1;
        excess -= take;
    }
    return 0;
}

int reservation_read (shr_call_t *call, const char *workorder_id, inventory_reservation_t *out)
{
    memset (out, 0, sizeof *out);
    if (shr_call_list (call,
                       "SELECT sku, reserved, backordered, issued FROM reservation"
                       " WHERE workorder_id = :wo ORDER BY sku",
                       NULL, NULL, &inventory_reservation_line_shape, &out->lines, 0, NULL,
                       SHR_TEXT (":wo", workorder_id), SHR_END))
        return -1;
    if (out->lines.count == 0)
        return 0;
    bool failed;
    out->workorder_id = workorder_id;
    out->warehouse_id = reservation_warehouse (call, workorder_id, &failed);
    for (size_t i = 0; i < out->lines.count; i++)
        out->backordered_total += out->lines.items[i].backordered;
    out->complete = out->backordered_total == 0;
    return failed ? -1 : 1;
}

int reservation_issued_value (shr_call_t *call, const char *workorder_id, int64_t *value_cents)
{
    inventory_stock_issue_reply_t totals;
    int found = shr_call_get (call,
                              "SELECT coalesce (sum (issued_value_cents), 0) AS value_cents"
                              " FROM reservation WHERE workorder_id = :wo",
                              NULL, NULL, &inventory_stock_issue_reply_shape, &totals,
                              SHR_TEXT (":wo", workorder_id), SHR_END);
    *value_cents = totals.value_cents;
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

const char *reservation_warehouse (shr_call_t *call, const char *workorder_id, bool *failed)
{
    s_line_t line;
    int found = shr_call_get (call,
                              "SELECT warehouse_id FROM reservation WHERE workorder_id = :wo"
                              " LIMIT 1",
                              NULL, NULL, &s_line_shape, &line, SHR_TEXT (":wo", workorder_id),
                              SHR_END);
    *failed = found < 0;
    return found == 1 ? line.warehouse_id : NULL;
}

//  The changes that moved one way, as an event's lines; count receives how many.
static inventory_moved_line_t *s_moved (shr_call_t *call, const reservation_change_t *changes,
                                        size_t count, bool reserved, size_t *moved)
{
    inventory_moved_line_t *lines
        = (inventory_moved_line_t *) shr_call_alloc (call, (count ? count : 1) * sizeof *lines);
    *moved = 0;
    for (size_t i = 0; lines && i < count; i++) {
        int64_t qty = reserved ? changes[i].reserved_now : changes[i].backordered_now;
        if (qty > 0)
            lines[(*moved)++] = (inventory_moved_line_t) {changes[i].sku, qty,
                                                          changes[i].reserved,
                                                          changes[i].backordered};
    }
    return lines;
}

int reservation_announce (shr_call_t *call, const char *workorder_id, const char *warehouse_id,
                          const reservation_change_t *changes, size_t count, bool filled)
{
    int64_t owed;
    if (s_owed (call, workorder_id, &owed))
        return -1;
    event_stock_reserved_t reserved = {.workorder_id = workorder_id,
                                       .warehouse_id = warehouse_id, .backordered_total = owed,
                                       .complete = owed == 0, .filled = filled};
    reserved.lines.items = s_moved (call, changes, count, true, &reserved.lines.count);
    event_stock_backordered_t backordered = {.workorder_id = workorder_id,
                                             .warehouse_id = warehouse_id,
                                             .backordered_total = owed};
    backordered.lines.items = s_moved (call, changes, count, false, &backordered.lines.count);
    if (!reserved.lines.items || !backordered.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (reserved.lines.count && event_stock_reserved_emit (call, workorder_id, &reserved) < 0)
        return -1;
    if (backordered.lines.count
        && event_stock_backordered_emit (call, workorder_id, &backordered) < 0)
        return -1;
    return 0;
}

//  ---------------------------------------------------------------------------
//  The ops

//  The warehouse a request names, directly or by region; NULL with the call failed.
static const char *s_warehouse_of (shr_call_t *call,
                                   const inventory_stock_reserve_request_t *request)
{
    if (request->warehouse_id)
        return warehouse_require (call, request->warehouse_id, "/body/warehouse_id")
                   ? NULL
                   : request->warehouse_id;
    if (!request->region) {
        shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/warehouse_id",
                       "give warehouse_id, or region for the warehouse that serves it");
        return NULL;
    }
    bool failed;
    const char *serving = warehouse_serving (call, request->region, &failed);
    if (!serving && !failed)
        shr_call_fail (call, SHR_NOT_FOUND, "/body/region", "no warehouse serves region %s",
                       request->region);
    return serving;
}

//  Each line names a part once, and a part that exists.
static int s_check_lines (shr_call_t *call, const inventory_line_t *lines, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *field = shr_call_printf (call, "/body/lines/%zu/sku", i);
        for (size_t j = 0; j < i; j++)
            if (streq (lines[j].sku, lines[i].sku))
                return shr_call_fail (call, SHR_INVALID_ARGUMENT, field,
                                      "part %s is on /body/lines/%zu already", lines[i].sku, j);
        if (part_require (call, lines[i].sku, field))
            return -1;
    }
    return 0;
}

int stock_reserve (shr_call_t *call, const inventory_stock_reserve_request_t *request,
                   inventory_reservation_t *reply)
{
    const char *warehouse_id = s_warehouse_of (call, request);
    if (!warehouse_id || s_check_lines (call, request->lines.items, request->lines.count))
        return -1;
    bool failed;
    const char *held_in = reservation_warehouse (call, request->workorder_id, &failed);
    if (failed)
        return -1;
    if (held_in && !streq (held_in, warehouse_id))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/warehouse_id",
                              "%s has its parts in warehouse %s: one warehouse per order",
                              request->workorder_id, held_in);
    size_t count = request->lines.count;
    reservation_change_t *changes
        = (reservation_change_t *) shr_call_alloc (call, count * sizeof *changes);
    if (!changes)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const inventory_line_t *line = &request->lines.items[i];
        if (stock_row_ensure (call, line->sku, warehouse_id)
            || reservation_add (call, request->workorder_id, line->sku, warehouse_id, line->qty,
                                request->by, &changes[i]))
            return -1;
    }
    if (reservation_announce (call, request->workorder_id, warehouse_id, changes, count, false))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (stock_settle (call, request->lines.items[i].sku, warehouse_id))
            return -1;
    return reservation_read (call, request->workorder_id, reply) < 0 ? -1 : 0;
}

int stock_release (shr_call_t *call, const inventory_stock_release_request_t *request,
                   inventory_reservation_t *reply)
{
    inventory_reservation_t held;
    int found = reservation_read (call, request->workorder_id, &held);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/workorder_id",
                              "work order %s holds no stock", request->workorder_id);
    if (found < 0)
        return -1;
    const char *reason = request->reason ? request->reason : "released by request";
    if (!request->has_lines) {
        if (reservation_release_all (call, request->workorder_id, reason, request->by))
            return -1;
        return reservation_read (call, request->workorder_id, reply) < 0 ? -1 : 0;
    }
    size_t count = request->lines.count;
    event_stock_released_t event = {.workorder_id = request->workorder_id,
                                    .warehouse_id = held.warehouse_id, .reason = reason};
    event.lines.count = count;
    event.lines.items = (event_stock_released_lines_item_t *) shr_call_alloc (
        call, count * sizeof *event.lines.items);
    if (!event.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const inventory_line_t *line = &request->lines.items[i];
        s_line_t held_line;
        int has = s_read_line (call, request->workorder_id, line->sku, &held_line);
        if (has < 0)
            return -1;
        int64_t holds = has ? held_line.reserved + held_line.backordered : 0;
        if (line->qty > holds)
            return shr_call_fail (call, SHR_FAILED_PRECONDITION,
                                  shr_call_printf (call, "/body/lines/%zu/qty", i),
                                  "%s holds or is owed %lld of %s, not %lld",
                                  request->workorder_id, (long long) holds, line->sku,
                                  (long long) line->qty);
        event.lines.items[i].sku = line->sku;
        if (reservation_drop (call, request->workorder_id, line->sku, line->qty, reason,
                              request->by, &event.lines.items[i].released,
                              &event.lines.items[i].backorder_cancelled))
            return -1;
    }
    if (event_stock_released_emit (call, request->workorder_id, &event) < 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (stock_settle (call, request->lines.items[i].sku, held.warehouse_id))
            return -1;
    return reservation_read (call, request->workorder_id, reply) < 0 ? -1 : 0;
}

int reservation_get (shr_call_t *call, const inventory_reservation_get_request_t *request,
                     inventory_reservation_t *reply)
{
    int found = reservation_read (call, request->workorder_id, reply);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/workorder_id",
                              "work order %s holds no stock", request->workorder_id);
    return found < 0 ? -1 : 0;
}
