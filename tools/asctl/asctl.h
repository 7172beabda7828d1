/*  asctl - what asctl.c's parts share.

    Files: ../asctl.c (options, commands, talking to the services), table.c
    (text tables), render.c (any reply for a person: a summary and tables),
    reports.c (the KPI report and the profit breakdown as tables), body.c
    (a request body from key=value pairs), when.c (days and durations).
*/
#ifndef ASCTL_H_INCLUDED
#define ASCTL_H_INCLUDED

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

//  table.c: rows of text cells, printed with each column as wide as its widest cell.
typedef struct _asctl_table_t asctl_table_t;
asctl_table_t *asctl_table_new (const char *const *headers, size_t columns);
void asctl_table_destroy (asctl_table_t **self_p);
//  Adds a row: one cell per column (copied; NULL prints "-").
void asctl_table_add (asctl_table_t *self, const char *const *cells);
void asctl_table_print (asctl_table_t *self, FILE *out);

//  render.c: a reply's scalars as "name: value" lines (nested objects as
//  a.b), each array of objects as a table, an empty one as "(none)".
void asctl_render (FILE *out, const cJSON *body);
//  A value as one cell: strings as they are, whole numbers without a point,
//  true/false as yes/no, null as -, arrays and objects as compact JSON. Caller frees.
char *asctl_cell (const cJSON *value);

//  reports.c
void asctl_print_kpis (FILE *out, const cJSON *report);
void asctl_print_profit (FILE *out, const cJSON *breakdown);

//  body.c: {"key": value, ...} from count "key=value" texts; a value is JSON
//  if it parses as JSON, else a string; a dotted key nests. NULL with err.
cJSON *asctl_pairs (int count, const char *const *pairs, char *err, size_t errlen);

//  when.c
//  "3d 4h", "2h 5m", "40s": a duration for a person.
void asctl_duration (char *out, size_t size, int64_t seconds);
//  The day (YYYY-MM-DD) days before day. Returns 0, or -1 if day is none.
int asctl_days_before (const char *day, int days, char *out, size_t size);

#endif
