/*  cover - what covers an asset, and when: the manufacturer's warranty from
    the day it was installed, then each extended warranty and maintenance
    plan sold on it, from its first day to its last (a cancelled one's: the
    day it was cancelled; one cancelled before it began never ran). Extended
    warranties cover parts and labour; a maintenance plan covers its visits'
    labour, not repairs, so it does not put the asset in warranty. The
    asset's covered_until (the last warranty day) is kept here, for the
    offers made before it.
*/
#include "contracts.h"

#define PERIODS_SQL                                                                              \
    "SELECT kind, contract_id, starts_on, ends_on, parts, labour, in_warranty FROM ("            \
    " SELECT 'manufacturer' AS kind, NULL AS contract_id, installed_on AS starts_on,"            \
    " warranty_ends_on AS ends_on, warranty_parts AS parts, warranty_labour AS labour,"          \
    " 1 AS in_warranty FROM asset WHERE id = :id"                                                 \
    " UNION ALL SELECT kind, id, starts_on, iif (cancelled_on < ends_on, cancelled_on, ends_on),"  \
    " kind = 'extended_warranty', 1, kind = 'extended_warranty' FROM contract"                   \
    " WHERE asset_id = :id AND kind IN ('extended_warranty', 'maintenance_plan')"               \
    " AND (cancelled_on IS NULL OR cancelled_on >= starts_on))"                                  \
    " ORDER BY CASE kind WHEN 'manufacturer' THEN 0 WHEN 'extended_warranty' THEN 1 ELSE 2 END,"  \
    " starts_on, contract_id"

int cover_periods (shr_call_t *call, const char *asset_id, void *periods)
{
    return shr_call_list (call, PERIODS_SQL, NULL, NULL, &contracts_cover_shape, periods, 0, NULL,
                          SHR_TEXT (":id", asset_id), SHR_END);
}

int cover_changed (shr_call_t *call, const char *asset_id, const char *because)
{
    event_asset_coverage_changed_t event = {.because = because};
    if (cover_periods (call, asset_id, &event.periods))
        return -1;
    const char *until = NULL;
    for (size_t i = 0; i < event.periods.count; i++) {
        const contracts_cover_t *cover = &event.periods.items[i];
        if (cover->in_warranty && (!until || strcmp (cover->ends_on, until) > 0))
            until = cover->ends_on;
    }
    if (shr_call_exec (call,
                       "UPDATE asset SET covered_until = :until, updated_at_ms = :now"
                       " WHERE id = :id",
                       NULL, NULL, SHR_TEXT (":until", until), SHR_TEXT (":id", asset_id),
                       SHR_END)
        || asset_read (call, asset_id, &event.asset) != 1)
        return shr_call_db_error (call);
    return event_asset_coverage_changed_emit (call, asset_id, &event) < 0 ? -1 : 0;
}
