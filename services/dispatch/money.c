/*  money - what a completed order cost and what it charges, in integer cents.

    Labour cost: minutes x the technician's hourly cost / 60, rounded half up.
    Parts: the sum of qty x unit cost (our cost) and qty x unit price (the charge).
    Labour charge: as given, or minutes x the labour rate / 60. Fees: as given.
    An order in warranty charges nothing (labour, parts and fees are 0) but keeps
    its costs, so its margin is negative: that is what warranty costs.
    Amounts that would overflow 64 bits are refused, naming the field.
    Pure: no store, no clock, as assign_policy.c.
*/
#include "dispatch.h"

//  a x b + c, or -1 if it does not fit (all inputs are non-negative).
static int64_t s_mul_add (int64_t a, int64_t b, int64_t c)
{
    int64_t product, sum;
    if (__builtin_mul_overflow (a, b, &product) || __builtin_add_overflow (product, c, &sum))
        return -1;
    return sum;
}

//  minutes x per_hour / 60, rounded half up; -1 on overflow.
static int64_t s_per_minute (int64_t minutes, int64_t per_hour)
{
    int64_t total = s_mul_add (minutes, per_hour, 30);
    return total < 0 ? -1 : total / 60;
}

static int s_refuse (char *field, size_t size, char *message, size_t message_size,
                     const char *where, const char *why)
{
    snprintf (field, size, "%s", where);
    snprintf (message, message_size, "%s", why);
    return -1;
}

int dispatch_money_compute (const dispatch_money_input_t *input, dispatch_money_t *money,
                            char *field, size_t size, char *message, size_t message_size)
{
    memset (money, 0, sizeof *money);
    money->labour_minutes = input->labour_minutes;
    money->labour_cost_cents = s_per_minute (input->labour_minutes, input->hourly_cost_cents);
    int64_t listed_labour = input->has_labour_charge
                                ? input->labour_charge_cents
                                : s_per_minute (input->labour_minutes, input->labour_rate_cents);
    if (money->labour_cost_cents < 0 || listed_labour < 0)
        return s_refuse (field, size, message, message_size, "/body/labour_minutes",
                         "labour_minutes is too large to price");
    int64_t parts_charge = 0;
    for (size_t i = 0; i < input->part_count; i++) {
        const dispatch_part_used_t *line = &input->parts[i];
        money->parts_cost_cents
            = s_mul_add (line->qty, line->unit_cost_cents, money->parts_cost_cents);
        parts_charge = s_mul_add (line->qty, line->unit_price_cents, parts_charge);
        if (money->parts_cost_cents < 0 || parts_charge < 0) {
            char where[64];
            snprintf (where, sizeof where, "/body/parts_used/%zu", i);
            return s_refuse (field, size, message, message_size, where,
                             "the parts' total is too large (over 2^63 cents)");
        }
    }
    if (!input->in_warranty) {
        money->labour_charge_cents = listed_labour;
        money->parts_charge_cents = parts_charge;
        money->fees_cents = input->fees_cents;
    }
    int64_t total = s_mul_add (1, money->labour_charge_cents, money->parts_charge_cents);
    total = total < 0 ? -1 : s_mul_add (1, total, money->fees_cents);
    int64_t costs = s_mul_add (1, money->labour_cost_cents, money->parts_cost_cents);
    if (total < 0 || costs < 0)
        return s_refuse (field, size, message, message_size, "/body",
                         "the order's total is too large (over 2^63 cents)");
    money->total_charge_cents = total;
    money->margin_cents = total - costs;
    return 0;
}
