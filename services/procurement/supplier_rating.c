/*  supplier_rating - the scorecard over the store: counts of the lines
    received in a period (scorecard.c turns them into rates, a score and a
    standing), the supplier.scorecard op, and the score after each receipt,
    which blocks a very poor supplier until an officer unblocks it.
*/
#include "procurement.h"

static const shr_field_t s_counts_fields[] = {
    {.name = "supplier_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (scorecard_counts_t, supplier_id), .has_offset = -1},
    {.name = "lines", .kind = SHR_FIELD_INT, .offset = offsetof (scorecard_counts_t, lines),
     .has_offset = -1},
    {.name = "on_time_lines", .kind = SHR_FIELD_INT,
     .offset = offsetof (scorecard_counts_t, on_time_lines), .has_offset = -1},
    {.name = "accepted", .kind = SHR_FIELD_INT, .offset = offsetof (scorecard_counts_t, accepted),
     .has_offset = -1},
    {.name = "received", .kind = SHR_FIELD_INT, .offset = offsetof (scorecard_counts_t, received),
     .has_offset = -1},
    {.name = "price_ratio_sum", .kind = SHR_FIELD_NUMBER,
     .offset = offsetof (scorecard_counts_t, price_ratio_sum), .has_offset = -1},
};
static const shr_shape_t s_counts_shape = {"procurement's scorecard counts",
                                           sizeof (scorecard_counts_t), s_counts_fields, 6};

int supplier_rating_counts (shr_call_t *call, const char *supplier_id, int64_t from, int64_t to,
                            shr_array_t *array)
{
    //  A line's price ratio: the lowest offer on the order date over its
    //  price, at most 1 (1 when there was no offer to compare with).
    return shr_call_list (
        call,
        "SELECT supplier_id, count (*) AS lines, sum (on_time) AS on_time_lines,"
        " sum (accepted) AS accepted, sum (accepted + rejected) AS received,"
        " sum (CASE WHEN best_price_cents IS NULL OR unit_price_cents = 0 THEN 1.0"
        "  ELSE min (1.0, 1.0 * best_price_cents / unit_price_cents) END) AS price_ratio_sum"
        " FROM receipt_line WHERE (:supplier IS NULL OR supplier_id = :supplier)"
        " AND at_ms >= :from AND at_ms < :to GROUP BY supplier_id ORDER BY supplier_id",
        NULL, NULL, &s_counts_shape, array, 0, NULL, SHR_TEXT (":supplier", supplier_id),
        SHR_INT (":from", from), SHR_INT (":to", to), SHR_END);
}

int supplier_rating_read (shr_call_t *call, const procurement_supplier_t *supplier, int64_t from,
                          int64_t to, procurement_scorecard_t *out)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    shr_array_t counts;
    if (supplier_rating_counts (call, supplier->id, from, to, &counts))
        return -1;
    scorecard_counts_t none = {.supplier_id = supplier->id};
    memset (out, 0, sizeof *out);
    scorecard_compute (counts.count ? (const scorecard_counts_t *) counts.items : &none,
                       &settings->weights, out);
    out->supplier_id = supplier->id;
    out->name = supplier->name;
    out->blocked = supplier->blocked;
    return 0;
}

int supplier_scorecard (shr_call_t *call, const procurement_supplier_scorecard_request_t *request,
                        procurement_supplier_scorecard_reply_t *reply)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    reply->to = request->has_to ? request->to : call->now_ms;
    reply->from = request->has_from ? request->from : reply->to - settings->score_days * DAY_MS;
    if (reply->to <= reply->from)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/to",
                              "the period must end after it begins");
    procurement_supplier_list_reply_t suppliers;
    if (shr_call_list (call,
                       "SELECT id, name, contacts, lead_time_days, active, blocked, blocked_reason,"
                       " updated_at_ms AS updated_at FROM supplier"
                       " WHERE :supplier IS NULL OR id = :supplier ORDER BY id",
                       NULL, NULL, &procurement_supplier_shape, &suppliers.items, 0, NULL,
                       SHR_TEXT (":supplier", request->supplier_id), SHR_END))
        return -1;
    if (request->supplier_id && suppliers.items.count == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/supplier_id", "no supplier %s",
                              request->supplier_id);
    reply->items.count = suppliers.items.count;
    reply->items.items = (procurement_scorecard_t *) shr_call_alloc (
        call, (suppliers.items.count ? suppliers.items.count : 1) * sizeof *reply->items.items);
    if (!reply->items.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < suppliers.items.count; i++)
        if (supplier_rating_read (call, &suppliers.items.items[i], reply->from, reply->to,
                                  &reply->items.items[i]))
            return -1;
    return 0;
}

int supplier_rating_after_receipt (shr_call_t *call, const char *supplier_id)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    procurement_supplier_t supplier;
    procurement_scorecard_t card;
    int found = supplier_read (call, supplier_id, &supplier);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    //  The default period up to and with this moment's receipt.
    int64_t to = call->now_ms + 1, from = to - settings->score_days * DAY_MS;
    if (supplier_rating_read (call, &supplier, from, to, &card))
        return -1;
    bool block = streq (card.standing, "very_poor") && !supplier.blocked;
    event_supplier_scored_t event = {
        .supplier_id = supplier_id, .from = from, .to = to,
        .lines_received = card.lines_received, .on_time_rate = card.on_time_rate,
        .has_on_time_rate = card.has_on_time_rate, .quality_rate = card.quality_rate,
        .has_quality_rate = card.has_quality_rate, .price_index = card.price_index,
        .has_price_index = card.has_price_index, .score = card.score,
        .has_score = card.has_score, .standing = card.standing,
        .blocked = supplier.blocked || block, .blocked_now = block};
    if (event_supplier_scored_emit (call, supplier_id, &event) < 0)
        return -1;
    if (!block)
        return 0;
    shr_log_warn ("supplier %s scores %.1f (very poor): blocked until an officer unblocks it",
                  supplier_id, card.score);
    return supplier_block (call, supplier_id,
                           shr_call_printf (call, "score %.1f (very poor) over the last %d days",
                                            card.score, settings->score_days));
}
