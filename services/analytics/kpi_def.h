/*  kpi_def - the indicators' formulas over a period's sums (pure). */
#ifndef KPI_DEF_H_INCLUDED
#define KPI_DEF_H_INCLUDED

#include "analytics.h"

//  What one indicator of one group is computed from.
typedef struct {
    const rollup_t *now;             //  the period's sums
    const rollup_t *base;            //  the baseline's, or NULL without one
    const rollup_t *growth_base;     //  what the growth indicators compare with (the same
                                     //  days a year earlier, without a baseline); NULL: base
    const char *growth_default_reason[2];  //  without a baseline given, why the year
                                     //  earlier has nothing to compare with (it names
                                     //  the period): [0] labour and profit, [1] parts;
                                     //  NULL with a baseline given
    const rollup_t *customers_now;   //  the customers at the period's end
    const rollup_t *customers_base;
    const char *group;               //  NULL: the whole
    const char *customer_group;      //  the group of the customer count (region, or NULL)
    const analytics_target_t *target;
    const char *missing_source;      //  the reason, when the indicator's source is not followed
    double stock_now, stock_base;    //  the stock's average value in each period (cents)
    bool stock_now_known, stock_base_known;
} kpi_input_t;

//  Fills out: the value, baseline, change, target and met, or unavailable
//  with the reason. currency for the money indicators (NULL otherwise).
void kpi_compute (kpi_id_t id, const kpi_input_t *in, const char *currency,
                  analytics_kpi_value_t *out);

#endif
