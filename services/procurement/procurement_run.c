/*  procurement_run - centralised purchasing: every open requisition, in one
    pass, into one purchase order per supplier and delivery warehouse.

    Each requisition's supplier is the best eligible offer by the weighted
    score of supplier_choice.c (price at its quantity today, on-time rate,
    quality rate over the scorecard's default period). Blocked or inactive
    suppliers are never chosen; a requisition no eligible supplier offers
    stays open with the reason. Orders under the approval limit are approved
    at once (purchase_order.c). The same pass runs on a timer
    (PROCUREMENT_RUN_MS) as procurement itself.

    Two statements read the store, whatever the number of requisitions: the
    open requisitions, and every price valid today for a part they need, with
    its breaks and its supplier's state, sorted by part. Each requisition's
    offers are then found by a binary search, each price at the break for its
    quantity: a part wanted in five warehouses is read once, not five times.
*/
#include "procurement.h"

#define LEFT_OPEN_SHOWN 100  //  reasons in the reply; still_open counts all

//  A requisition with one supplier's offer for it (or none: supplier_id NULL).
typedef struct {
    int64_t seq;
    const char *id;
    const char *sku;
    const char *warehouse_id;
    int64_t qty;
    const char *supplier_id;
    int64_t unit_price_cents;
    bool has_unit_price_cents;   //  false: the price has no break at this quantity
    bool active;
    bool blocked;
} s_offer_row_t;
static const shr_field_t s_offer_fields[] = {
    {.name = "seq", .kind = SHR_FIELD_INT, .offset = offsetof (s_offer_row_t, seq), .has_offset = -1},
    {.name = "id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_offer_row_t, id), .has_offset = -1},
    {.name = "sku", .kind = SHR_FIELD_STRING, .offset = offsetof (s_offer_row_t, sku), .has_offset = -1},
    {.name = "warehouse_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_offer_row_t, warehouse_id), .has_offset = -1},
    {.name = "qty", .kind = SHR_FIELD_INT, .offset = offsetof (s_offer_row_t, qty), .has_offset = -1},
    {.name = "supplier_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_offer_row_t, supplier_id), .has_offset = -1},
    {.name = "unit_price_cents", .kind = SHR_FIELD_INT,
     .offset = offsetof (s_offer_row_t, unit_price_cents),
     .has_offset = offsetof (s_offer_row_t, has_unit_price_cents)},
    {.name = "active", .kind = SHR_FIELD_BOOL, .offset = offsetof (s_offer_row_t, active),
     .has_offset = -1},
    {.name = "blocked", .kind = SHR_FIELD_BOOL, .offset = offsetof (s_offer_row_t, blocked),
     .has_offset = -1},
};
static const shr_shape_t s_offer_shape = {"procurement's offer row", sizeof (s_offer_row_t),
                                          s_offer_fields, 9};

//  A break of a price valid today, with its supplier's state.
typedef struct {
    const char *sku;
    int64_t price_n;
    const char *supplier_id;
    int64_t min_qty;
    int64_t unit_price_cents;
    bool active;
    bool blocked;
} s_break_row_t;
static const shr_field_t s_break_fields[] = {
    {.name = "sku", .kind = SHR_FIELD_STRING, .offset = offsetof (s_break_row_t, sku), .has_offset = -1},
    {.name = "price_n", .kind = SHR_FIELD_INT, .offset = offsetof (s_break_row_t, price_n),
     .has_offset = -1},
    {.name = "supplier_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (s_break_row_t, supplier_id), .has_offset = -1},
    {.name = "min_qty", .kind = SHR_FIELD_INT, .offset = offsetof (s_break_row_t, min_qty),
     .has_offset = -1},
    {.name = "unit_price_cents", .kind = SHR_FIELD_INT,
     .offset = offsetof (s_break_row_t, unit_price_cents), .has_offset = -1},
    {.name = "active", .kind = SHR_FIELD_BOOL, .offset = offsetof (s_break_row_t, active),
     .has_offset = -1},
    {.name = "blocked", .kind = SHR_FIELD_BOOL, .offset = offsetof (s_break_row_t, blocked),
     .has_offset = -1},
};
static const shr_shape_t s_break_shape = {"procurement's price break row", sizeof (s_break_row_t),
                                          s_break_fields, 7};

//  The first of breaks[0..count) (sorted by sku) for sku, or count if none.
static size_t s_first_break (const s_break_row_t *breaks, size_t count, const char *sku)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (strcmp (breaks[mid].sku, sku) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return low < count && streq (breaks[low].sku, sku) ? low : count;
}

//  Fills rows with requisition's offers: one per price of its part valid
//  today, at the highest break at or below its quantity (no price if none
//  is), or one row without a supplier when nobody offers the part. Returns
//  the number of rows (at least 1).
static size_t s_offers_of (const s_offer_row_t *requisition, const s_break_row_t *breaks,
                           size_t count, s_offer_row_t *rows)
{
    size_t n = 0;
    for (size_t i = s_first_break (breaks, count, requisition->sku);
         i < count && streq (breaks[i].sku, requisition->sku); i++) {
        const s_break_row_t *brk = &breaks[i];
        if (n == 0 || rows[n - 1].seq != brk->price_n) {
            rows[n] = *requisition;
            rows[n].seq = brk->price_n;   //  the price, while its breaks are read
            rows[n].supplier_id = brk->supplier_id;
            rows[n].has_unit_price_cents = false;
            rows[n].active = brk->active;
            rows[n].blocked = brk->blocked;
            n++;
        }
        if (brk->min_qty <= requisition->qty) {   //  breaks rise: the last that applies wins
            rows[n - 1].unit_price_cents = brk->unit_price_cents;
            rows[n - 1].has_unit_price_cents = true;
        }
    }
    for (size_t i = 0; i < n; i++)
        rows[i].seq = requisition->seq;
    if (n == 0) {
        rows[0] = *requisition;
        rows[0].supplier_id = NULL;
        n = 1;
    }
    return n;
}

//  A requisition's chosen line, to be grouped into orders.
typedef struct {
    const char *supplier_id;
    const char *warehouse_id;
    int64_t requisition_seq;
    po_line_in_t line;
} s_chosen_t;

static int s_by_order (const void *a, const void *b)
{
    const s_chosen_t *x = (const s_chosen_t *) a, *y = (const s_chosen_t *) b;
    int by_supplier = strcmp (x->supplier_id, y->supplier_id);
    if (by_supplier)
        return by_supplier;
    int by_warehouse = strcmp (x->warehouse_id, y->warehouse_id);
    return by_warehouse ? by_warehouse : strcmp (x->line.requisition_id, y->line.requisition_id);
}

static const scorecard_counts_t *s_counts_of (const shr_array_t *counts, const char *supplier_id)
{
    const scorecard_counts_t *items = (const scorecard_counts_t *) counts->items;
    size_t low = 0, high = counts->count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int order = strcmp (items[mid].supplier_id, supplier_id);
        if (order == 0)
            return &items[mid];
        if (order < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return NULL;
}

//  The offer of row for choosing: its price and the supplier's rates.
static choice_offer_t s_offer (const procurement_settings_t *settings, const shr_array_t *counts,
                               const s_offer_row_t *row)
{
    choice_offer_t offer = {row->supplier_id, row->unit_price_cents, settings->unrated_rate,
                            settings->unrated_rate};
    const scorecard_counts_t *rated = s_counts_of (counts, row->supplier_id);
    if (rated && rated->lines > 0) {
        offer.on_time_rate = (double) rated->on_time_lines / (double) rated->lines;
        offer.quality_rate
            = rated->received > 0 ? (double) rated->accepted / (double) rated->received : 1;
    }
    return offer;
}

//  Why no supplier took the requisition whose offers are rows[0..count).
static const char *s_why_open (shr_call_t *call, const s_offer_row_t *rows, size_t count)
{
    char refused[256] = "";
    for (size_t i = 0; i < count; i++)
        if (rows[i].supplier_id && rows[i].has_unit_price_cents && strlen (refused) < 200)
            snprintf (refused + strlen (refused), sizeof refused - strlen (refused), "%s%s (%s)",
                      *refused ? ", " : "", rows[i].supplier_id,
                      !rows[i].active ? "inactive" : "blocked");
    if (*refused)
        return shr_call_printf (call, "only blocked or inactive suppliers offer %s: %s",
                                rows[0].sku, refused);
    return shr_call_printf (call, "no supplier offers %lld of %s today", (long long) rows[0].qty,
                            rows[0].sku);
}

//  Places the chosen lines, grouped by supplier and warehouse, in orders.
static int s_place (shr_call_t *call, s_chosen_t *chosen, size_t count,
                    procurement_run_reply_t *reply)
{
    qsort (chosen, count, sizeof *chosen, s_by_order);
    reply->orders.items = (procurement_po_summary_t *) shr_call_alloc (
        call, (count ? count : 1) * sizeof *reply->orders.items);
    po_line_in_t *lines = (po_line_in_t *) shr_call_alloc (call, (count ? count : 1) * sizeof *lines);
    procurement_supplier_t supplier;
    if (!reply->orders.items || !lines)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t start = 0, end; start < count; start = end) {
        end = start;
        while (end < count && streq (chosen[end].supplier_id, chosen[start].supplier_id)
               && streq (chosen[end].warehouse_id, chosen[start].warehouse_id)) {
            lines[end - start] = chosen[end].line;
            end++;
        }
        procurement_po_summary_t *order = &reply->orders.items[reply->orders.count++];
        //  A supplier's orders (one per warehouse) come one after the other: read it once.
        if (start == 0 || !streq (chosen[start].supplier_id, chosen[start - 1].supplier_id)) {
            int found = supplier_read (call, chosen[start].supplier_id, &supplier);
            if (found != 1)
                return found < 0 ? -1 : shr_call_db_error (call);
        }
        if (po_make (call, &supplier, chosen[start].warehouse_id, lines, end - start, NULL, NULL,
                     order))
            return -1;
        for (size_t i = start; i < end; i++)
            if (shr_call_exec (call,
                               "UPDATE requisition SET status = 'ordered', po_id = :po,"
                               " reason = NULL WHERE seq = :seq",
                               NULL, NULL, SHR_TEXT (":po", order->id),
                               SHR_INT (":seq", chosen[i].requisition_seq), SHR_END))
                return -1;
        reply->lines_ordered += (int64_t) (end - start);
    }
    return 0;
}

static int s_run (shr_call_t *call, procurement_run_reply_t *reply)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    int64_t started_us = shr_time_mono_us ();
    memset (reply, 0, sizeof *reply);
    shr_array_t requisitions, breaks, counts;
    if (shr_call_list (call,
                       "SELECT seq, id, sku, warehouse_id, qty FROM requisition"
                       " WHERE status = 'open' ORDER BY seq",
                       NULL, NULL, &s_offer_shape, &requisitions, 0, NULL, SHR_END)
        || shr_call_list (
            call,
            "SELECT p.sku AS sku, p.n AS price_n, p.supplier_id AS supplier_id,"
            " b.min_qty AS min_qty, b.unit_price_cents AS unit_price_cents,"
            " s.active AS active, s.blocked AS blocked"
            " FROM price p JOIN price_break b ON b.price_n = p.n"
            " JOIN supplier s ON s.id = p.supplier_id"
            " WHERE p.sku IN (SELECT sku FROM requisition WHERE status = 'open')"
            " AND p.valid_from_ms <= :now AND (p.valid_to_ms IS NULL OR p.valid_to_ms > :now)"
            " ORDER BY p.sku, p.n, b.min_qty",
            NULL, NULL, &s_break_shape, &breaks, 0, NULL, SHR_END)
        || supplier_rating_counts (call, NULL, call->now_ms - settings->score_days * DAY_MS,
                                   call->now_ms, &counts))
        return -1;
    const s_offer_row_t *wanted = (const s_offer_row_t *) requisitions.items;
    const s_break_row_t *offered = (const s_break_row_t *) breaks.items;
    size_t total = requisitions.count, chosen_count = 0;
    size_t most = 1;   //  offers one requisition can have, at most: its part's breaks
    for (size_t i = 0, run = 0; i < breaks.count; i++) {
        run = i > 0 && streq (offered[i].sku, offered[i - 1].sku) ? run + 1 : 1;
        most = run > most ? run : most;
    }
    s_chosen_t *chosen = (s_chosen_t *) shr_call_alloc (call, (total ? total : 1) * sizeof *chosen);
    s_offer_row_t *rows = (s_offer_row_t *) shr_call_alloc (call, most * sizeof *rows);
    choice_offer_t *offers = (choice_offer_t *) shr_call_alloc (call, most * sizeof *offers);
    const s_offer_row_t **eligible_rows
        = (const s_offer_row_t **) shr_call_alloc (call, most * sizeof *eligible_rows);
    reply->left_open.items = (procurement_run_reply_left_open_item_t *) shr_call_alloc (
        call, LEFT_OPEN_SHOWN * sizeof *reply->left_open.items);
    if (!chosen || !rows || !offers || !eligible_rows || !reply->left_open.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t r = 0; r < total; r++) {
        //  One requisition's rows: its offers.
        size_t count = s_offers_of (&wanted[r], offered, breaks.count, rows), eligible = 0;
        int64_t lowest = -1;
        for (size_t i = 0; i < count; i++) {
            const s_offer_row_t *row = &rows[i];
            if (!row->supplier_id || !row->has_unit_price_cents)
                continue;
            if (lowest < 0 || row->unit_price_cents < lowest)
                lowest = row->unit_price_cents;
            if (row->active && !row->blocked) {
                eligible_rows[eligible] = row;
                offers[eligible++] = s_offer (settings, &counts, row);
            }
        }
        const s_offer_row_t *requisition = &wanted[r];
        int best = supplier_choice_best (offers, eligible, &settings->weights);
        if (best < 0) {
            const char *reason = s_why_open (call, rows, count);
            if (reply->left_open.count < LEFT_OPEN_SHOWN)
                reply->left_open.items[reply->left_open.count++]
                    = (procurement_run_reply_left_open_item_t) {
                        requisition->id, requisition->sku, requisition->warehouse_id, reason};
            reply->still_open++;
            if (shr_call_exec (call, "UPDATE requisition SET reason = :reason WHERE seq = :seq"
                               " AND reason IS NOT :reason",
                               NULL, NULL, SHR_TEXT (":reason", reason),
                               SHR_INT (":seq", requisition->seq), SHR_END))
                return -1;
            continue;
        }
        chosen[chosen_count++] = (s_chosen_t) {
            eligible_rows[best]->supplier_id, requisition->warehouse_id, requisition->seq,
            {requisition->sku, requisition->qty, eligible_rows[best]->unit_price_cents, lowest,
             true, requisition->id}};
    }
    if (s_place (call, chosen, chosen_count, reply))
        return -1;
    reply->elapsed_ms = (shr_time_mono_us () - started_us) / 1000;
    if (reply->orders.count || reply->still_open)
        shr_log_info ("procurement.run: %lld lines in %zu orders, %lld requisitions left open,"
                      " %lld ms",
                      (long long) reply->lines_ordered, reply->orders.count,
                      (long long) reply->still_open, (long long) reply->elapsed_ms);
    return 0;
}

int procurement_run (shr_call_t *call, const procurement_run_request_t *request,
                     procurement_run_reply_t *reply)
{
    (void) request;
    return s_run (call, reply);
}

int procurement_run_tick (shr_call_t *call)
{
    procurement_run_reply_t reply;
    return s_run (call, &reply);
}
