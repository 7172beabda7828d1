/*  reports - analytics' KPI report and profit breakdown as a person reads
    them: one table per group, amounts in units with two decimals, each
    indicator's target and whether it is met, or why it has no value. */
#include "asctl.h"

#include <czmq.h>

static const char *s_text (const cJSON *object, const char *name)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (object, name));
}

static const cJSON *s_number (const cJSON *object, const char *name)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (object, name);
    return cJSON_IsNumber (value) ? value : NULL;
}

//  A figure in the indicator's unit: "5400.0 s (1h 30m)", "87.50 %", "8.33 points".
static char *s_figure (const cJSON *number, const char *unit, bool signed_)
{
    if (!number)
        return strdup ("-");
    double value = number->valuedouble;
    const char *sign = signed_ && value > 0 ? "+" : "";
    if (streq (unit, "s")) {
        char human[32];
        asctl_duration (human, sizeof human, (int64_t) (value < 0 ? -value : value));
        return zsys_sprintf ("%s%.1f s (%s%s)", sign, value, value < 0 ? "-" : "", human);
    }
    return zsys_sprintf ("%s%.2f %s", sign, value, streq (unit, "%") ? "%" : unit);
}

//  Cents as units: 123456 -> "1234.56".
static char *s_money (double cents)
{
    long long whole = (long long) cents;
    return zsys_sprintf ("%s%lld.%02lld", whole < 0 ? "-" : "", llabs (whole) / 100,
                         llabs (whole) % 100);
}

void asctl_print_kpis (FILE *out, const cJSON *report)
{
    const char *baseline_from = s_text (report, "baseline_from");
    fprintf (out, "period %s to %s", s_text (report, "from"), s_text (report, "to"));
    if (baseline_from)
        fprintf (out, ", against %s to %s", baseline_from, s_text (report, "baseline_to"));
    fprintf (out, ", by %s\n", s_text (report, "by"));
    //  Without a baseline the growth indicators compare with the year before.
    const cJSON *growth = cJSON_GetObjectItem (report, "growth_baseline");
    if (cJSON_IsTrue (cJSON_GetObjectItem (growth, "defaulted")))
        fprintf (out, "growth against %s to %s, the same days a year earlier (no baseline given)\n",
                 s_text (growth, "from"), s_text (growth, "to"));
    static const char *headers[] = {"indicator", "value", "baseline", "change", "target",
                                    "met", "facts", "why / note"};
    const cJSON *group;
    cJSON_ArrayForEach (group, cJSON_GetObjectItem (report, "groups")) {
        const char *name = s_text (group, "group");
        if (!streq (s_text (report, "by"), "none"))
            fprintf (out, "\n%s %s\n", s_text (report, "by"), name ? name : "(none)");
        else
            fprintf (out, "\n");
        asctl_table_t *table = asctl_table_new (headers, 8);
        const cJSON *kpi;
        cJSON_ArrayForEach (kpi, cJSON_GetObjectItem (group, "kpis")) {
            const char *unit = s_text (kpi, "unit"), *currency = s_text (kpi, "currency");
            char *label = currency ? zsys_sprintf ("%s (%s)", s_text (kpi, "kpi"), currency)
                                   : strdup (s_text (kpi, "kpi"));
            bool available = cJSON_IsTrue (cJSON_GetObjectItem (kpi, "available"));
            char *value = available ? s_figure (s_number (kpi, "value"), unit, false)
                                    : strdup ("n/a");
            char *baseline = s_figure (s_number (kpi, "baseline"), unit, false);
            char *change = s_figure (s_number (kpi, "change"), unit, true);
            const cJSON *target_n = s_number (kpi, "target");
            char *target = target_n ? zsys_sprintf ("%.10g (%s)", target_n->valuedouble,
                                                    s_text (kpi, "rule"))
                                    : strdup ("-");
            const cJSON *met = cJSON_GetObjectItem (kpi, "met");
            char *facts = zsys_sprintf ("%.0f", s_number (kpi, "facts")
                                                    ? s_number (kpi, "facts")->valuedouble
                                                    : 0);
            const char *why = available ? s_text (kpi, "note") : s_text (kpi, "reason");
            const char *cells[] = {label, value, baseline, change, target,
                                   cJSON_IsBool (met) ? (cJSON_IsTrue (met) ? "met" : "MISSED")
                                                      : "-",
                                   facts, why ? why : ""};
            asctl_table_add (table, cells);
            free (label);
            free (value);
            free (baseline);
            free (change);
            free (target);
            free (facts);
        }
        asctl_table_print (table, out);
        asctl_table_destroy (&table);
    }
    const cJSON *note;
    cJSON_ArrayForEach (note, cJSON_GetObjectItem (report, "notes"))
        fprintf (out, "%s %s\n", note == cJSON_GetObjectItem (report, "notes")->child
                                     ? "\nnotes:"
                                     : "      ",
                 note->valuestring);
}

void asctl_print_profit (FILE *out, const cJSON *breakdown)
{
    static const char *headers[] = {"group", "currency", "jobs", "revenue", "parts cost",
                                    "labour cost", "margin", "margin %", "share %"};
    fprintf (out, "profit by %s, the best margin first\n\n", s_text (breakdown, "by"));
    asctl_table_t *table = asctl_table_new (headers, 9);
    const cJSON *item;
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (breakdown, "items")) {
        char *cells[9];
        const char *group = s_text (item, "group");
        cells[0] = strdup (group ? group : "(none)");
        cells[1] = strdup (s_text (item, "currency"));
        cells[2] = zsys_sprintf ("%.0f", s_number (item, "jobs")->valuedouble);
        cells[3] = s_money (s_number (item, "revenue_cents")->valuedouble);
        cells[4] = s_money (s_number (item, "parts_cost_cents")->valuedouble);
        cells[5] = s_money (s_number (item, "labour_cost_cents")->valuedouble);
        cells[6] = s_money (s_number (item, "margin_cents")->valuedouble);
        const cJSON *pct = s_number (item, "margin_pct"), *share = s_number (item,
                                                                            "share_of_margin_pct");
        cells[7] = pct ? zsys_sprintf ("%.2f", pct->valuedouble) : strdup ("-");
        cells[8] = share ? zsys_sprintf ("%.2f", share->valuedouble) : strdup ("-");
        asctl_table_add (table, (const char *const *) cells);
        for (int i = 0; i < 9; i++)
            free (cells[i]);
    }
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (breakdown, "totals")) {
        char *cells[9] = {strdup ("total"), strdup (s_text (item, "currency")), strdup (""),
                          s_money (s_number (item, "revenue_cents")->valuedouble),
                          s_money (s_number (item, "parts_cost_cents")->valuedouble),
                          s_money (s_number (item, "labour_cost_cents")->valuedouble),
                          s_money (s_number (item, "margin_cents")->valuedouble), strdup (""),
                          strdup ("100.00")};
        asctl_table_add (table, (const char *const *) cells);
        for (int i = 0; i < 9; i++)
            free (cells[i]);
    }
    asctl_table_print (table, out);
    asctl_table_destroy (&table);
    const cJSON *note;
    cJSON_ArrayForEach (note, cJSON_GetObjectItem (breakdown, "notes"))
        fprintf (out, "\nnote: %s\n", note->valuestring);
}
