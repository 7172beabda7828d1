/*  stock - the stock's value over time, from inventory's movements: after
    each one the value and its integral over time (cent-milliseconds), as
    inventory's own journal keeps them, so that the value averaged over a
    period is two index lookups, whatever the number of movements.
*/
#include "analytics.h"

typedef struct {
    int64_t at_ms;
    int64_t value_cents;
    double value_ms;
} point_t;
static const shr_field_t s_fields[] = {
    ROW_INT (point_t, at_ms),
    ROW_INT (point_t, value_cents),
    {.name = "value_ms", .kind = SHR_FIELD_NUMBER, .offset = offsetof (point_t, value_ms),
     .has_offset = -1},
};
static const shr_shape_t s_shape = ROW_SHAPE ("a stock value point", point_t, s_fields);

//  The last point at or before at (zeros at at if none). Returns 0 or -1.
static int s_point_at (shr_call_t *call, int64_t at, point_t *point)
{
    int found = shr_call_get (call,
                              "SELECT at_ms, value_cents, value_ms FROM stock_point"
                              " WHERE at_ms <= :at ORDER BY at_ms DESC, n DESC LIMIT 1",
                              NULL, NULL, &s_shape, point, SHR_INT (":at", at), SHR_END);
    if (found == 0)
        *point = (point_t) {at, 0, 0};
    return found < 0 ? -1 : 0;
}

int stock_move (shr_call_t *call, const shr_event_t *event, int64_t change_cents)
{
    point_t last;
    int found = shr_call_get (call,
                              "SELECT at_ms, value_cents, value_ms FROM stock_point"
                              " ORDER BY n DESC LIMIT 1",
                              NULL, NULL, &s_shape, &last, SHR_END);
    if (found < 0)
        return -1;
    int64_t at = event->ts_ms;
    if (!found)
        last = (point_t) {at, 0, 0};
    if (at < last.at_ms)
        at = last.at_ms;  //  a clock that went back: the journal keeps its order
    double integral = last.value_ms + (double) last.value_cents * (double) (at - last.at_ms);
    return shr_call_exec (call,
                          "INSERT INTO stock_point (at_ms, value_cents, value_ms, source, seq)"
                          " VALUES (:at, :value, :integral, :source, :seq)",
                          NULL, NULL, SHR_INT (":at", at),
                          SHR_INT (":value", last.value_cents + change_cents),
                          SHR_TEXT (":integral", shr_call_printf (call, "%.17g", integral)),
                          SHR_TEXT (":source", event->source), SHR_INT (":seq", event->seq),
                          SHR_END);
}

int stock_average (shr_call_t *call, int64_t from_day, int64_t to_day, double *average,
                   bool *known)
{
    int64_t from = from_day * 86400000, to = (to_day + 1) * 86400000;
    point_t start, end;
    int any = shr_call_get (call, "SELECT at_ms, value_cents, value_ms FROM stock_point"
                                  " WHERE at_ms <= :at LIMIT 1",
                            NULL, NULL, &s_shape, &end, SHR_INT (":at", to), SHR_END);
    if (any < 0 || s_point_at (call, from, &start) || s_point_at (call, to, &end))
        return -1;
    *known = any > 0;
    double integral_from = start.value_ms + (double) start.value_cents * (double) (from - start.at_ms);
    double integral_to = end.value_ms + (double) end.value_cents * (double) (to - end.at_ms);
    *average = (integral_to - integral_from) / (double) (to - from);
    return 0;
}
