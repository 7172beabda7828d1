/*  shr_stats - counters and latency quantiles. See shr_stats.h. */
#include "shr_stats.h"

#include <czmq.h>

#define SUB_BITS 3                     //  8 buckets per power of two
#define SUB_COUNT (1 << SUB_BITS)
#define BUCKETS (SUB_COUNT * 40)       //  up to 2^40 us, about 12 days

typedef struct {
    int64_t count;
    int64_t errors;
    int64_t max_us;
    uint32_t buckets[BUCKETS];
} s_op_t;

struct _shr_stats_t {
    zhashx_t *ops;       //  op name -> s_op_t
    zhashx_t *counters;  //  counter name -> int64_t
    zlistx_t *op_names;  //  op names in first-seen order, for a stable listing
};

shr_stats_t *shr_stats_new (void)
{
    shr_stats_t *self = (shr_stats_t *) zmalloc (sizeof (shr_stats_t));
    self->ops = zhashx_new ();
    zhashx_set_destructor (self->ops, (zhashx_destructor_fn *) zstr_free);
    self->counters = zhashx_new ();
    zhashx_set_destructor (self->counters, (zhashx_destructor_fn *) zstr_free);
    self->op_names = zlistx_new ();
    zlistx_set_destructor (self->op_names, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_duplicator (self->op_names, (zlistx_duplicator_fn *) strdup);
    return self;
}

void shr_stats_destroy (shr_stats_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_stats_t *self = *self_p;
    zhashx_destroy (&self->ops);
    zhashx_destroy (&self->counters);
    zlistx_destroy (&self->op_names);
    free (self);
    *self_p = NULL;
}

//  Bucket of a value: exact below 8, then 8 sub-buckets per power of two.
static int s_bucket (int64_t value)
{
    if (value < SUB_COUNT)
        return value < 0 ? 0 : (int) value;
    int exponent = 63 - __builtin_clzll ((unsigned long long) value);
    int sub = (int) ((value >> (exponent - SUB_BITS)) & (SUB_COUNT - 1));
    int bucket = (exponent - SUB_BITS + 1) * SUB_COUNT + sub;
    return bucket < BUCKETS ? bucket : BUCKETS - 1;
}

//  The middle of a bucket's range.
static int64_t s_bucket_value (int bucket)
{
    if (bucket < SUB_COUNT)
        return bucket;
    int exponent = bucket / SUB_COUNT + SUB_BITS - 1;
    int sub = bucket % SUB_COUNT;
    int64_t low = ((int64_t) 1 << exponent) + ((int64_t) sub << (exponent - SUB_BITS));
    return low + ((int64_t) 1 << (exponent - SUB_BITS)) / 2;
}

void shr_stats_record (shr_stats_t *self, const char *op, int64_t latency_us, bool error)
{
    s_op_t *entry = (s_op_t *) zhashx_lookup (self->ops, op);
    if (!entry) {
        entry = (s_op_t *) zmalloc (sizeof (s_op_t));
        zhashx_insert (self->ops, op, entry);
        zlistx_add_end (self->op_names, (void *) op);
    }
    entry->count++;
    if (error)
        entry->errors++;
    if (latency_us > entry->max_us)
        entry->max_us = latency_us;
    entry->buckets[s_bucket (latency_us)]++;
}

void shr_stats_add (shr_stats_t *self, const char *counter, int64_t delta)
{
    int64_t *value = (int64_t *) zhashx_lookup (self->counters, counter);
    if (!value) {
        value = (int64_t *) zmalloc (sizeof (int64_t));
        zhashx_insert (self->counters, counter, value);
    }
    *value += delta;
}

int64_t shr_stats_get (shr_stats_t *self, const char *counter)
{
    int64_t *value = (int64_t *) zhashx_lookup (self->counters, counter);
    return value ? *value : 0;
}

static int64_t s_quantile (const s_op_t *entry, double q)
{
    if (!entry || entry->count == 0)
        return 0;
    if (q >= 1.0)
        return entry->max_us;
    int64_t rank = (int64_t) (q * (double) entry->count + 0.5);
    if (rank < 1)
        rank = 1;
    int64_t seen = 0;
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
        seen += entry->buckets[bucket];
        if (seen >= rank) {
            int64_t value = s_bucket_value (bucket);
            return value < entry->max_us ? value : entry->max_us;
        }
    }
    return entry->max_us;
}

int64_t shr_stats_quantile (shr_stats_t *self, const char *op, double q)
{
    return s_quantile ((s_op_t *) zhashx_lookup (self->ops, op), q);
}

cJSON *shr_stats_json (shr_stats_t *self)
{
    cJSON *root = cJSON_CreateObject ();
    cJSON *ops = cJSON_AddArrayToObject (root, "ops");
    for (const char *name = (const char *) zlistx_first (self->op_names); name;
         name = (const char *) zlistx_next (self->op_names)) {
        const s_op_t *entry = (const s_op_t *) zhashx_lookup (self->ops, name);
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "op", name);
        cJSON_AddNumberToObject (item, "count", (double) entry->count);
        cJSON_AddNumberToObject (item, "errors", (double) entry->errors);
        cJSON_AddNumberToObject (item, "p50_us", (double) s_quantile (entry, 0.50));
        cJSON_AddNumberToObject (item, "p99_us", (double) s_quantile (entry, 0.99));
        cJSON_AddNumberToObject (item, "max_us", (double) entry->max_us);
        cJSON_AddItemToArray (ops, item);
    }
    cJSON *counters = cJSON_AddObjectToObject (root, "counters");
    for (int64_t *value = (int64_t *) zhashx_first (self->counters); value;
         value = (int64_t *) zhashx_next (self->counters))
        cJSON_AddNumberToObject (counters, (const char *) zhashx_cursor (self->counters),
                                 (double) *value);
    return root;
}
