/*  shr_schema - JSON Schema (draft-07) registry and validator. See shr_schema.h.

    Every schema document is compiled once into a tree of nodes: keywords become
    fields, numbers are extracted, regexes are compiled, and each $ref is turned
    into an absolute URI that is resolved to its target node (at the end of add
    and load_dir, or on first use when its target arrives later). Validation then
    walks nodes only. It allocates nothing unless it has an error to report, and
    branches whose errors are thrown away (anyOf, oneOf, not, if, contains) run
    without an error sink so no message is ever formatted for them.

    Names: each node lives in self->nodes (its index is its seq), the JSON of a
    compiled schema records that seq (so a $ref to "#/definitions/x" reuses the
    node compiled for it), and self->ids maps absolute URIs (document URIs, $ids,
    "#anchor" ids) to nodes. A failed add or load rolls back to the node and
    document counts it started from, so the registry stays consistent.

    Memory: every service holds the project's schemas for its whole life, so
    they are kept compact. A document's JSON is copied into one block (see
    s_json_copy); a node is one allocation holding only the keyword groups
    its schema uses (a {"type": "string"} or a $ref is the bare core); and
    strings (keys, values, base URIs, $ref targets) are stored once per
    registry, in a pool (see s_intern).
*/
#include "shr_schema.h"
#include "shr_pattern.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Deepest chain of nested subschema evaluations: stops runaway $ref cycles
//  ({"$ref": "#"} at a root) and bounds stack use on hostile input.
#define S_MAX_DEPTH 1000

//  How many anyOf/oneOf failures may re-run their branches to find the best
//  error, nested: beyond it the message is generic. Bounds time and stack on
//  the error path of recursive schemas.
#define S_MAX_REPORT_NESTING 8

//  Error-path helpers: kept out of line so their message buffers stay off the
//  stack frames of the recursive hot path.
#define S_COLD __attribute__ ((cold, noinline))

//  Instance types, as a bitmask for "type".
enum {
    T_NULL = 1 << 0,
    T_BOOLEAN = 1 << 1,
    T_OBJECT = 1 << 2,
    T_ARRAY = 1 << 3,
    T_NUMBER = 1 << 4,
    T_INTEGER = 1 << 5,
    T_STRING = 1 << 6
};
static const char *s_type_names[] = {"null",   "boolean", "object", "array",
                                     "number", "integer", "string"};

//  Keywords held in plain fields, whose presence a flag records.
enum {
    H_REF = 1u << 0,
    H_TYPE = 1u << 1,
    H_ENUM = 1u << 2,
    H_CONST = 1u << 3,
    H_MULTIPLE = 1u << 4,
    H_MAXIMUM = 1u << 5,
    H_EXMAX = 1u << 6,
    H_MINIMUM = 1u << 7,
    H_EXMIN = 1u << 8,
    H_MAXLEN = 1u << 9,
    H_MINLEN = 1u << 10,
    H_PATTERN = 1u << 11,
    H_MAXITEMS = 1u << 12,
    H_MINITEMS = 1u << 13,
    H_UNIQUE = 1u << 14,
    H_MAXPROPS = 1u << 15,
    H_MINPROPS = 1u << 16,
    H_DATE_TIME = 1u << 17
};

//  Which instance kinds a node has keywords for, so validation skips the rest.
enum { K_NUM = 1, K_STR = 2, K_ARR = 4, K_OBJ = 8, K_LOGIC = 16 };

//  Keyword groups: a node holds a group only when its schema uses one of the
//  group's keywords (s_keywords), and a K_ flag always comes with its group.
enum { G_NUM, G_STR, G_ARR, G_OBJ, G_LOGIC, G_COUNT };

typedef struct _node_t node_t;

typedef struct {
    const char *uri;    //  registration URI, no fragment (in this allocation)
    const char *file;   //  file it came from, or NULL (in this allocation)
    cJSON *json;        //  compact copy, see s_json_copy
    int gen;            //  load_dir call that added it (0 for shr_schema_add)
} doc_t;

typedef struct {
    const char *name;   //  points into the schema JSON
    uint32_t hash;
    uint32_t len;       //  strlen (name)
    node_t *node;
} s_prop_t;

typedef struct {
    shr_pattern_t *re;
    const char *src;
    node_t *node;
} s_pprop_t;

typedef struct {
    const char *name;
    node_t *schema;         //  schema form, or NULL
    const cJSON *required;  //  array form (of strings), or NULL
} s_dep_t;

//  What every node has (56 bytes on 64-bit systems): all that a $ref or a
//  {"type": "string"} needs.
//  Validation reads the flags and the union of every node it visits, and a
//  group only when the K_ flags say the instance needs it.
struct _node_t {
    int8_t boolean;         //  0 or 1 for a boolean schema, -1 otherwise
    uint8_t kinds;          //  K_ flags
    uint8_t types;          //  T_ flags
    uint8_t at [G_COUNT];   //  where each group starts, in 8-byte words from the node; 0 if absent
    unsigned has;           //  H_ flags
    uint32_t seq;           //  index in self->nodes
    doc_t *doc;
    const cJSON *json;
    const char *base;       //  base URI in effect inside this schema (shared, never owned)
    union {
        struct {            //  H_REF: draft-07 ignores a $ref's siblings, so nothing else applies
            node_t *ref_node;   //  its target, once resolved
            const char *ref;    //  absolute $ref URI (shared)
        };
        struct {
            const cJSON *enum_values;
            const cJSON *const_value;
        };
    };
};

//  The groups. Arrays they point to live in the node's allocation too.
typedef struct {
    double multiple_of, maximum, exclusive_maximum, minimum, exclusive_minimum;
} s_num_t;

typedef struct {
    size_t max_length, min_length;
    shr_pattern_t *pattern;
    const char *pattern_src;
} s_str_t;

typedef struct {
    size_t max_items, min_items;
    node_t *items;          //  single-schema form
    node_t **tuple;         //  array form
    size_t tuple_n;
    node_t *additional_items;
    node_t *contains;
} s_arr_t;

typedef struct {
    size_t max_props, min_props;
    const cJSON *required;  //  array of strings
    uint64_t required_mask; //  required names that are among the first 64 properties
    s_prop_t *props;
    size_t props_n;
    int *prop_slots;        //  hash index over props: slot -> prop index or -1
    size_t prop_slots_n;    //  power of two
    s_pprop_t *pprops;
    size_t pprops_n;
    node_t *additional_props;
    node_t *property_names;
    s_dep_t *deps;
    size_t deps_n;
    bool required_other;    //  some required name is not among them
} s_obj_t;

typedef struct {
    node_t *if_, *then_, *else_, *not_;
    node_t **all_of, **any_of, **one_of;
    size_t all_of_n, any_of_n, one_of_n;
} s_logic_t;

//  Data bytes in a block of the string pool, so that it takes 4 KB of heap.
#define S_POOL_BLOCK 4064

typedef struct _s_block_t {
    struct _s_block_t *next;
    size_t used, size;
    char data [];
} s_block_t;

//  Strings stored once for the registry's life, packed into blocks: the
//  documents' keys and string values, base URIs, $ref targets and $id names.
//  Schemas repeat them a lot ("additionalProperties", the same $ref in every
//  event), and most are shorter than malloc's own overhead for them. A
//  rollback leaves them, for the next load to use again.
typedef struct {
    const char **slots;     //  open addressing over the stored strings, or NULL
    size_t cap;             //  power of two, or 0
    size_t count;           //  strings stored
    s_block_t *blocks;      //  the one being filled first
} s_pool_t;

struct _shr_schema_t {
    node_t **nodes;
    size_t nodes_n, nodes_cap;
    doc_t **docs;
    size_t docs_n, docs_cap;
    zhashx_t *ids;          //  absolute URI -> node_t * (keys and values not owned)
    zhashx_t *files;        //  "x/y.json" for "schema:/x/y.json" -> root node_t *, a fast path (same)
    s_pool_t strings;
    int gen;                //  load_dir calls so far
};

//  Compile context: where we are, for messages.
typedef struct {
    char *err;
    size_t errlen;
    const char *what;       //  file or URI being compiled
    char path[256];         //  JSON pointer inside it
    size_t plen;
} s_cctx_t;

//  Validation context.
typedef struct {
    shr_schema_t *self;
    shr_schema_error_t *err;    //  NULL while errors are discarded
    int err_depth;              //  path depth of the error in err
    int depth;                  //  nesting of evaluations
    int reporting;              //  nesting of s_fail_branches
} s_vctx_t;

//  One step of the instance location, on the C stack; formatted only on error.
typedef struct _s_path_t {
    const struct _s_path_t *up;
    const char *key;            //  property name, or NULL for an array index
    size_t index;
} s_path_t;

static bool s_valid (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path);

//  --------------------------------------------------------------------------
//  Small helpers

static void s_seterr (char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list args;
    va_start (args, fmt);
    vsnprintf (err, errlen, fmt, args);
    va_end (args);
}

//  Appends to buf at *pos, truncating safely.
static void s_append (char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    if (*pos + 1 >= size)
        return;
    va_list args;
    va_start (args, fmt);
    int n = vsnprintf (buf + *pos, size - *pos, fmt, args);
    va_end (args);
    if (n < 0)
        return;
    *pos = *pos + (size_t) n >= size ? size - 1 : *pos + (size_t) n;
}

//  Shortest decimal form that reads back as the same double.
static void s_num_format (double value, char *buf, size_t size)
{
    snprintf (buf, size, "%.15g", value);
    if (strtod (buf, NULL) != value)
        snprintf (buf, size, "%.17g", value);
}

static bool s_is_integral (double value)
{
    return isfinite (value) && floor (value) == value;
}

//  Number of Unicode code points in a UTF-8 string.
static size_t s_utf8_len (const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool s_push (void ***array, size_t *n, size_t *cap, void *item)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void **grown = realloc (*array, ncap * sizeof (void *));
        if (!grown)
            return false;
        *array = grown;
        *cap = ncap;
    }
    (*array)[(*n)++] = item;
    return true;
}

//  Hashes a string eight bytes at a time: every validation looks its schema up
//  by name, and czmq's default byte-at-a-time hash cost more than the lookup.
static size_t s_str_hash (const void *key)
{
    const char *s = (const char *) key;
    size_t len = strlen (s);
    uint64_t hash = 0x9E3779B97F4A7C15ULL ^ len;
    while (len >= 8) {
        uint64_t word;
        memcpy (&word, s, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 32;
        s += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy (&tail, s, len);
    hash = (hash ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    return (size_t) (hash ^ (hash >> 29));
}

//  --------------------------------------------------------------------------
//  Shared strings

//  Returns room for size bytes in the pool, or NULL when out of memory.
static char *s_pool_alloc (s_pool_t *pool, size_t size)
{
    s_block_t *head = pool->blocks;
    if (head && head->size - head->used >= size) {
        char *at = head->data + head->used;
        head->used += size;
        return at;
    }
    //  A long string gets a block of its own, behind the one being filled.
    bool own = size > S_POOL_BLOCK / 4;
    s_block_t *block = malloc (sizeof (s_block_t) + (own ? size : S_POOL_BLOCK));
    if (!block)
        return NULL;
    block->size = own ? size : S_POOL_BLOCK;
    block->used = size;
    if (own && head) {
        block->next = head->next;
        head->next = block;
    }
    else {
        block->next = head;
        pool->blocks = block;
    }
    return block->data;
}

//  Builds the index over the stored strings anew, big enough for one more;
//  -1 when out of memory. The strings lie back to back in the blocks.
static int s_pool_index (s_pool_t *pool)
{
    size_t cap = 256;
    while ((pool->count + 1) * 2 > cap)
        cap *= 2;
    const char **slots = calloc (cap, sizeof (char *));
    if (!slots)
        return -1;
    for (s_block_t *block = pool->blocks; block; block = block->next)
        for (const char *s = block->data; s < block->data + block->used; s += strlen (s) + 1) {
            size_t i = s_str_hash (s) & (cap - 1);
            while (slots [i])
                i = (i + 1) & (cap - 1);
            slots [i] = s;
        }
    free (pool->slots);
    pool->slots = slots;
    pool->cap = cap;
    return 0;
}

//  Drops the index: it only serves adding strings, so after a load its memory
//  goes back, and the next s_intern builds it again.
static void s_pool_rest (s_pool_t *pool)
{
    free (pool->slots);
    pool->slots = NULL;
    pool->cap = 0;
}

//  Returns the pool's copy of s, adding it when new; NULL when out of memory.
static const char *s_intern (s_pool_t *pool, const char *s)
{
    if ((pool->count + 1) * 2 > pool->cap && s_pool_index (pool))
        return NULL;
    size_t mask = pool->cap - 1;
    size_t i = s_str_hash (s) & mask;
    for (; pool->slots [i]; i = (i + 1) & mask)
        if (strcmp (pool->slots [i], s) == 0)
            return pool->slots [i];
    size_t size = strlen (s) + 1;
    char *copy = s_pool_alloc (pool, size);
    if (!copy)
        return NULL;
    pool->slots [i] = memcpy (copy, s, size);
    pool->count++;
    return copy;
}

static void s_pool_free (s_pool_t *pool)
{
    while (pool->blocks) {
        s_block_t *next = pool->blocks->next;
        free (pool->blocks);
        pool->blocks = next;
    }
    free (pool->slots);
    memset (pool, 0, sizeof (*pool));
}

//  --------------------------------------------------------------------------
//  Compact JSON

//  A schema document stays in memory for the registry's life (nodes point into
//  it: property names, enum and const values, required lists, and the JSON
//  that a later $ref or #fragment name may walk). cJSON spends a malloc on
//  every item, key and string; the copy puts the items in one block, in
//  document order, and its strings in the registry's pool. Only reading cJSON
//  calls ever see it, and one free releases it.
//
//  The copy is ours, which lets it carry one more fact: the valueint of an
//  object or boolean, unused by cJSON for those types, holds the seq + 1 of
//  the node compiled from it (0 if none), so finding a schema's node is one
//  load. Only s_compile sets it and s_rollback clears it.

static size_t s_json_count (const cJSON *json)
{
    size_t n = 1;
    for (const cJSON *child = json->child; child; child = child->next)
        n += s_json_count (child);
    return n;
}

//  Copies json into the item at *next and on; returns it, or NULL when out of memory.
static cJSON *s_json_put (s_pool_t *pool, cJSON **next, const cJSON *json)
{
    cJSON *item = (*next)++;
    int type = json->type & 0xFF;
    item->type = type;
    item->valuedouble = json->valuedouble;
    //  cJSON prints a number from valueint too; objects and booleans start
    //  without a node.
    item->valueint = type == cJSON_Object || type == cJSON_True || type == cJSON_False
                   ? 0 : json->valueint;
    if (json->string && !(item->string = (char *) s_intern (pool, json->string)))
        return NULL;
    if (json->valuestring && !(item->valuestring = (char *) s_intern (pool, json->valuestring)))
        return NULL;
    cJSON *last = NULL;
    for (const cJSON *child = json->child; child; child = child->next) {
        cJSON *copy = s_json_put (pool, next, child);
        if (!copy)
            return NULL;
        if (last) {
            last->next = copy;
            copy->prev = last;
        }
        else
            item->child = copy;
        last = copy;
    }
    if (item->child)
        item->child->prev = last;   //  as cJSON links them: the first child's prev is the last
    return item;
}

//  Returns the compact copy of json, or NULL when out of memory.
static cJSON *s_json_copy (s_pool_t *pool, const cJSON *json)
{
    cJSON *items = calloc (s_json_count (json), sizeof (cJSON));
    cJSON *next = items;
    if (items && !s_json_put (pool, &next, json)) {
        free (items);
        items = NULL;
    }
    return items;
}

//  The node compiled from a schema's JSON, or NULL.
static node_t *s_node_of (shr_schema_t *self, const cJSON *json)
{
    int type = json->type & 0xFF;
    if (type != cJSON_Object && type != cJSON_True && type != cJSON_False)
        return NULL;
    return json->valueint > 0 ? self->nodes [json->valueint - 1] : NULL;
}

//  --------------------------------------------------------------------------
//  URIs (RFC 3986, section 5.2, without normalisation beyond dot segments)

typedef struct {
    const char *scheme, *auth, *path, *query, *frag;
    size_t scheme_n, auth_n, path_n, query_n, frag_n;
    bool has_scheme, has_auth, has_query, has_frag;
} s_uri_t;

static size_t s_scheme_len (const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    size_t i = 1;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
           || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

static void s_uri_parse (const char *s, s_uri_t *u)
{
    memset (u, 0, sizeof (*u));
    size_t n = s_scheme_len (s);
    if (n) {
        u->has_scheme = true;
        u->scheme = s;
        u->scheme_n = n;
        s += n + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        u->has_auth = true;
        u->auth = s + 2;
        u->auth_n = strcspn (u->auth, "/?#");
        s = u->auth + u->auth_n;
    }
    u->path = s;
    u->path_n = strcspn (s, "?#");
    s += u->path_n;
    if (*s == '?') {
        u->has_query = true;
        u->query = s + 1;
        u->query_n = strcspn (u->query, "#");
        s = u->query + u->query_n;
    }
    if (*s == '#') {
        u->has_frag = true;
        u->frag = s + 1;
        u->frag_n = strlen (u->frag);
    }
}

//  Removes "." and ".." segments (RFC 3986 5.2.4) from in[0..n), appending to out.
static void s_remove_dots (const char *in, size_t n, char *out, size_t *outn)
{
    const char *end = in + n;
    size_t start = *outn;
    while (in < end) {
        size_t left = (size_t) (end - in);
        if (left >= 3 && memcmp (in, "../", 3) == 0)
            in += 3;
        else if (left >= 2 && memcmp (in, "./", 2) == 0)
            in += 2;
        else if (left >= 3 && memcmp (in, "/./", 3) == 0)
            in += 2;
        else if (left == 2 && memcmp (in, "/.", 2) == 0) {
            out[(*outn)++] = '/';
            in += 2;
        }
        else if ((left >= 4 && memcmp (in, "/../", 4) == 0) || (left == 3 && memcmp (in, "/..", 3) == 0)) {
            while (*outn > start && out[*outn - 1] != '/')
                (*outn)--;
            if (*outn > start)
                (*outn)--;
            if (left == 3) {
                out[(*outn)++] = '/';
                in += 3;
            }
            else
                in += 3;
        }
        else if ((left == 1 && in[0] == '.') || (left == 2 && memcmp (in, "..", 2) == 0))
            in = end;
        else {
            const char *seg = in;
            if (*in == '/')
                in++;
            while (in < end && *in != '/')
                in++;
            memcpy (out + *outn, seg, (size_t) (in - seg));
            *outn += (size_t) (in - seg);
        }
    }
}

//  Resolves ref against base; returns a fresh string (an empty fragment
//  is dropped), or NULL when out of memory.
static char *s_uri_resolve (const char *base, const char *ref)
{
    s_uri_t b, r;
    s_uri_parse (base, &b);
    s_uri_parse (ref, &r);
    char *out = malloc (strlen (base) + strlen (ref) + 8);
    if (!out)
        return NULL;
    size_t n = 0;
    const s_uri_t *scheme = r.has_scheme ? &r : &b;
    if (scheme->has_scheme) {
        memcpy (out, scheme->scheme, scheme->scheme_n);
        n = scheme->scheme_n;
        out[n++] = ':';
    }
    const s_uri_t *auth = (r.has_scheme || r.has_auth) ? &r : &b;
    if (auth->has_auth) {
        out[n++] = '/';
        out[n++] = '/';
        memcpy (out + n, auth->auth, auth->auth_n);
        n += auth->auth_n;
    }
    const s_uri_t *query = &r;
    if (r.has_scheme || r.has_auth || (r.path_n && r.path[0] == '/'))
        s_remove_dots (r.path, r.path_n, out, &n);
    else
    if (r.path_n == 0) {
        memcpy (out + n, b.path, b.path_n);
        n += b.path_n;
        if (!r.has_query)
            query = &b;
    }
    else {
        //  Merge: base path up to its last '/', then the reference path.
        size_t merged_cap = b.path_n + r.path_n + 2;
        char *merged = malloc (merged_cap);
        if (!merged) {
            free (out);
            return NULL;
        }
        size_t m = 0;
        if (b.has_auth && b.path_n == 0)
            merged[m++] = '/';
        else {
            const char *slash = NULL;
            for (size_t i = 0; i < b.path_n; i++)
                if (b.path[i] == '/')
                    slash = b.path + i;
            if (slash) {
                memcpy (merged, b.path, (size_t) (slash - b.path) + 1);
                m = (size_t) (slash - b.path) + 1;
            }
        }
        memcpy (merged + m, r.path, r.path_n);
        m += r.path_n;
        s_remove_dots (merged, m, out, &n);
        free (merged);
    }
    if (query->has_query) {
        out[n++] = '?';
        memcpy (out + n, query->query, query->query_n);
        n += query->query_n;
    }
    if (r.has_frag && r.frag_n) {
        out[n++] = '#';
        memcpy (out + n, r.frag, r.frag_n);
        n += r.frag_n;
    }
    out[n] = '\0';
    return out;
}

//  Decodes %XX escapes in place (a fragment is percent-encoded in a URI).
static void s_percent_decode (char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (s[0] == '%' && isxdigit ((unsigned char) s[1]) && isxdigit ((unsigned char) s[2])) {
            char hex[3] = {s[1], s[2], 0};
            *out++ = (char) strtol (hex, NULL, 16);
            s += 2;
        }
        else
            *out++ = *s;
    }
    *out = '\0';
}

//  --------------------------------------------------------------------------
//  Formats

static bool s_digits (const char *s, int n, int *value)
{
    *value = 0;
    for (int i = 0; i < n; i++) {
        if (s [i] < '0' || s [i] > '9')
            return false;
        *value = *value * 10 + (s [i] - '0');
    }
    return true;
}

static int s_days_in_month (int year, int month)
{
    static const int days [] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days [month - 1];
}

//  RFC 3339 section 5.6 date-time. A leap second (:60) must fall at 23:59 UTC.
static bool s_is_date_time (const char *s)
{
    int year, month, day, hour, minute, second, off_h = 0, off_m = 0, sign = 0;
    if (!s_digits (s, 4, &year) || s [4] != '-' || !s_digits (s + 5, 2, &month)
        || s [7] != '-' || !s_digits (s + 8, 2, &day) || (s [10] != 'T' && s [10] != 't')
        || !s_digits (s + 11, 2, &hour) || s [13] != ':' || !s_digits (s + 14, 2, &minute)
        || s [16] != ':' || !s_digits (s + 17, 2, &second))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z')
        p++;
    else
    if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!s_digits (p + 1, 2, &off_h) || p [3] != ':' || !s_digits (p + 4, 2, &off_m))
            return false;
        p += 6;
    }
    else
        return false;
    if (*p)
        return false;
    if (month < 1 || month > 12 || day < 1 || day > s_days_in_month (year, month) || hour > 23
        || minute > 59 || second > 60 || off_h > 23 || off_m > 59)
        return false;
    if (second == 60) {
        int utc = ((hour * 60 + minute - sign * (off_h * 60 + off_m)) % 1440 + 1440) % 1440;
        if (utc != 23 * 60 + 59)
            return false;
    }
    return true;
}

//  --------------------------------------------------------------------------
//  Nodes and documents

//  A group of the node. Callers know it is there: its K_ flag or its keyword
//  says so (a missing group would alias the node's own first bytes).
static inline void *s_group (const node_t *node, int group)
{
    return (char *) node + (size_t) node->at [group] * 8;
}

static void s_node_destroy (node_t **node_p)
{
    node_t *node = *node_p;
    if (!node)
        return;
    if (node->at [G_STR]) {
        s_str_t *str = s_group (node, G_STR);
        shr_pattern_destroy (&str->pattern);
    }
    if (node->at [G_OBJ]) {
        s_obj_t *obj = s_group (node, G_OBJ);
        for (size_t i = 0; i < obj->pprops_n; i++)
            shr_pattern_destroy (&obj->pprops [i].re);
    }
    free (node);
    *node_p = NULL;
}

static void s_doc_destroy (doc_t **doc_p)
{
    doc_t *doc = *doc_p;
    if (!doc)
        return;
    free (doc->json);
    free (doc);
    *doc_p = NULL;
}

//  Drops every node from node_mark on and every document from doc_mark on,
//  with the names and $ref links that lead to them.
static void s_forget_names (zhashx_t *names, size_t node_mark)
{
    zlistx_t *keys = zhashx_keys (names);
    if (!keys)
        return;
    for (const char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        node_t *node = zhashx_lookup (names, key);
        if (node && node->seq >= node_mark)
            zhashx_delete (names, key);
    }
    zlistx_destroy (&keys);
}

static void s_rollback (shr_schema_t *self, size_t node_mark, size_t doc_mark)
{
    s_forget_names (self->ids, node_mark);
    s_forget_names (self->files, node_mark);
    for (size_t i = 0; i < node_mark && i < self->nodes_n; i++) {
        node_t *node = self->nodes [i];
        if ((node->has & H_REF) && node->ref_node && node->ref_node->seq >= node_mark)
            node->ref_node = NULL;
    }
    while (self->nodes_n > node_mark) {
        node_t *node = self->nodes [--self->nodes_n];
        //  Its JSON may be compiled again; the compact copy is ours to write.
        ((cJSON *) node->json)->valueint = 0;
        s_node_destroy (&self->nodes [self->nodes_n]);
    }
    while (self->docs_n > doc_mark)
        s_doc_destroy (&self->docs [--self->docs_n]);
}

static void *s_cfail (s_cctx_t *cc, const char *fmt, ...)
{
    char reason [512];
    va_list args;
    va_start (args, fmt);
    vsnprintf (reason, sizeof (reason), fmt, args);
    va_end (args);
    if (cc->path [0])
        s_seterr (cc->err, cc->errlen, "%s: at #%s: %s", cc->what, cc->path, reason);
    else
        s_seterr (cc->err, cc->errlen, "%s: %s", cc->what, reason);
    return NULL;
}

//  Pushes a step onto the compile path; returns the old length to restore.
static size_t s_cpath_push (s_cctx_t *cc, const char *seg)
{
    size_t old = cc->plen;
    size_t pos = cc->plen;
    s_append (cc->path, sizeof (cc->path), &pos, "/");
    for (const char *s = seg; *s; s++) {
        if (*s == '~')
            s_append (cc->path, sizeof (cc->path), &pos, "~0");
        else
        if (*s == '/')
            s_append (cc->path, sizeof (cc->path), &pos, "~1");
        else
            s_append (cc->path, sizeof (cc->path), &pos, "%c", *s);
    }
    cc->plen = pos;
    return old;
}

static void s_cpath_pop (s_cctx_t *cc, size_t old)
{
    cc->plen = old;
    cc->path [old] = '\0';
}

//  Registers uri as a name of node. Names taken by another document stay theirs
//  (the first registration wins); a clash inside one document is an error.
static int s_register_id (shr_schema_t *self, const char *uri, node_t *node, s_cctx_t *cc)
{
    node_t *old = zhashx_lookup (self->ids, uri);
    if (old) {
        if (old == node || old->doc != node->doc)
            return 0;
        s_cfail (cc, "duplicate $id \"%s\"", uri);
        return -1;
    }
    //  The map does not copy its keys: give it the registry's copy.
    const char *key = s_intern (&self->strings, uri);
    if (!key || zhashx_insert (self->ids, key, node)) {
        s_cfail (cc, "out of memory");
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Node layout

//  The keywords that need a group. A keyword sets its group's K_ flag only
//  if it is listed here, so validation never reads a group a node lacks.
static const struct {
    const char *name;
    int group;
} s_keywords [] = {
    {"multipleOf", G_NUM}, {"maximum", G_NUM}, {"exclusiveMaximum", G_NUM},
    {"minimum", G_NUM}, {"exclusiveMinimum", G_NUM},
    {"maxLength", G_STR}, {"minLength", G_STR}, {"pattern", G_STR}, {"format", G_STR},
    {"items", G_ARR}, {"additionalItems", G_ARR}, {"contains", G_ARR}, {"maxItems", G_ARR},
    {"minItems", G_ARR}, {"uniqueItems", G_ARR},
    {"required", G_OBJ}, {"properties", G_OBJ}, {"patternProperties", G_OBJ},
    {"dependencies", G_OBJ}, {"additionalProperties", G_OBJ}, {"propertyNames", G_OBJ},
    {"maxProperties", G_OBJ}, {"minProperties", G_OBJ},
    {"allOf", G_LOGIC}, {"anyOf", G_LOGIC}, {"oneOf", G_LOGIC}, {"if", G_LOGIC},
    {"then", G_LOGIC}, {"else", G_LOGIC}, {"not", G_LOGIC},
};

static const size_t s_group_size [G_COUNT] = {
    sizeof (s_num_t), sizeof (s_str_t), sizeof (s_arr_t), sizeof (s_obj_t), sizeof (s_logic_t)
};

//  Where the parts of a node go: the core, the groups its keywords need, then
//  the arrays they fill, counted from the JSON so compiling never reallocates.
//  Counts add up over repeated keywords, which then fill one array together.
typedef struct {
    size_t size;
    uint8_t at [G_COUNT];
    bool tuple_form;            //  "items" is an array, maybe empty
    size_t tuple_n, all_of_n, any_of_n, one_of_n, props_n, pprops_n, deps_n, slots_n;
    size_t tuple, all_of, any_of, one_of, props, pprops, deps, slots;   //  byte offsets
} s_layout_t;

//  Returns the offset of n elements of size each, reserved at the end. Parts
//  start on 8-byte boundaries: group offsets count 8-byte words, and every
//  part stays aligned for what it holds.
static size_t s_reserve (size_t *size, size_t n, size_t each)
{
    size_t at = *size;
    *size = (*size + n * each + 7) & ~(size_t) 7;
    return at;
}

//  Lays out the node for json; a bare node (boolean schema, $ref) is the core.
static void s_layout (const cJSON *json, bool bare, s_layout_t *lay)
{
    memset (lay, 0, sizeof (*lay));
    bool used [G_COUNT] = {false};
    for (const cJSON *kw = bare ? NULL : json->child; kw; kw = kw->next) {
        const char *k = kw->string;
        size_t i = 0, n = sizeof (s_keywords) / sizeof (s_keywords [0]);
        while (i < n && strcmp (k, s_keywords [i].name) != 0)
            i++;
        if (i == n)
            continue;
        used [s_keywords [i].group] = true;
        size_t count = (size_t) cJSON_GetArraySize (kw);
        if (strcmp (k, "items") == 0 && cJSON_IsArray (kw)) {
            lay->tuple_form = true;
            lay->tuple_n += count;
        }
        else
        if (strcmp (k, "allOf") == 0)
            lay->all_of_n += count;
        else
        if (strcmp (k, "anyOf") == 0)
            lay->any_of_n += count;
        else
        if (strcmp (k, "oneOf") == 0)
            lay->one_of_n += count;
        else
        if (strcmp (k, "properties") == 0)
            lay->props_n += count;
        else
        if (strcmp (k, "patternProperties") == 0)
            lay->pprops_n += count;
        else
        if (strcmp (k, "dependencies") == 0)
            lay->deps_n += count;
    }
    s_reserve (&lay->size, 1, sizeof (node_t));
    for (int g = 0; g < G_COUNT; g++)
        if (used [g])     //  the core and all groups fit in 255 words
            lay->at [g] = (uint8_t) (s_reserve (&lay->size, 1, s_group_size [g]) / 8);
    if (lay->props_n) {
        lay->slots_n = 4;
        while (lay->slots_n < lay->props_n * 2)
            lay->slots_n *= 2;
    }
    lay->tuple = s_reserve (&lay->size, lay->tuple_n, sizeof (node_t *));
    lay->all_of = s_reserve (&lay->size, lay->all_of_n, sizeof (node_t *));
    lay->any_of = s_reserve (&lay->size, lay->any_of_n, sizeof (node_t *));
    lay->one_of = s_reserve (&lay->size, lay->one_of_n, sizeof (node_t *));
    lay->props = s_reserve (&lay->size, lay->props_n, sizeof (s_prop_t));
    lay->pprops = s_reserve (&lay->size, lay->pprops_n, sizeof (s_pprop_t));
    lay->deps = s_reserve (&lay->size, lay->deps_n, sizeof (s_dep_t));
    lay->slots = s_reserve (&lay->size, lay->slots_n, sizeof (int));
}

//  Points a fresh (zeroed) node's groups at their arrays.
static void s_layout_apply (node_t *node, const s_layout_t *lay)
{
    char *start = (char *) node;
    memcpy (node->at, lay->at, sizeof (node->at));
    if (node->at [G_ARR] && lay->tuple_form) {
        s_arr_t *arr = s_group (node, G_ARR);
        arr->tuple = (node_t **) (start + lay->tuple);
    }
    if (node->at [G_OBJ]) {
        s_obj_t *obj = s_group (node, G_OBJ);
        obj->props = (s_prop_t *) (start + lay->props);
        obj->pprops = (s_pprop_t *) (start + lay->pprops);
        obj->deps = (s_dep_t *) (start + lay->deps);
        obj->prop_slots = (int *) (start + lay->slots);
        obj->prop_slots_n = lay->slots_n;
    }
    if (node->at [G_LOGIC]) {
        s_logic_t *logic = s_group (node, G_LOGIC);
        logic->all_of = (node_t **) (start + lay->all_of);
        logic->any_of = (node_t **) (start + lay->any_of);
        logic->one_of = (node_t **) (start + lay->one_of);
    }
}

//  --------------------------------------------------------------------------
//  Compiling

static node_t *s_compile (shr_schema_t *self, doc_t *doc, const cJSON *json, const char *outer,
                          s_cctx_t *cc);

static node_t *s_compile_sub (shr_schema_t *self, node_t *parent, const cJSON *json, s_cctx_t *cc,
                              const char *seg1, const char *seg2)
{
    size_t old = s_cpath_push (cc, seg1);
    if (seg2)
        s_cpath_push (cc, seg2);
    node_t *node = s_compile (self, parent->doc, json, parent->base, cc);
    if (node)
        s_cpath_pop (cc, old);
    return node;
}

//  Compiles an array of schemas (allOf, anyOf, oneOf, items) into list, which
//  the layout sized.
static int s_compile_list (shr_schema_t *self, node_t *node, const cJSON *kw, s_cctx_t *cc,
                           node_t **list, size_t *n_p)
{
    int count = cJSON_GetArraySize (kw);
    if (!cJSON_IsArray (kw) || (count == 0 && strcmp (kw->string, "items") != 0)) {
        s_cfail (cc, "%s must be a non-empty array of schemas", kw->string);
        return -1;
    }
    char index [24];
    int i = 0;
    for (const cJSON *item = kw->child; item; item = item->next, i++) {
        snprintf (index, sizeof (index), "%d", i);
        node_t *sub = s_compile_sub (self, node, item, cc, kw->string, index);
        if (!sub)
            return -1;
        list [(*n_p)++] = sub;
    }
    return 0;
}

//  Compiles an object of schemas (properties, patternProperties, definitions).
static int s_compile_map (shr_schema_t *self, node_t *node, const cJSON *kw, s_cctx_t *cc)
{
    if (!cJSON_IsObject (kw)) {
        s_cfail (cc, "%s must be an object", kw->string);
        return -1;
    }
    bool is_props = strcmp (kw->string, "properties") == 0;
    bool is_pprops = strcmp (kw->string, "patternProperties") == 0;
    s_obj_t *obj = is_props || is_pprops ? s_group (node, G_OBJ) : NULL;
    for (const cJSON *item = kw->child; item; item = item->next) {
        node_t *sub = s_compile_sub (self, node, item, cc, kw->string, item->string);
        if (!sub)
            return -1;
        if (is_props) {
            obj->props [obj->props_n].name = item->string;
            obj->props [obj->props_n++].node = sub;
        }
        else
        if (is_pprops) {
            s_pprop_t *pp = &obj->pprops [obj->pprops_n];
            char why [256];
            if (!(pp->re = shr_pattern_new (item->string, why, sizeof (why)))) {
                s_cfail (cc, "bad regex in patternProperties \"%s\": %s", item->string, why);
                return -1;
            }
            pp->src = item->string;
            pp->node = sub;
            obj->pprops_n++;
        }
    }
    return 0;
}

static int s_get_count (const cJSON *kw, size_t *value, s_cctx_t *cc)
{
    if (!cJSON_IsNumber (kw) || !s_is_integral (kw->valuedouble) || kw->valuedouble < 0) {
        s_cfail (cc, "%s must be a non-negative integer", kw->string);
        return -1;
    }
    *value = kw->valuedouble >= (double) SIZE_MAX ? SIZE_MAX : (size_t) kw->valuedouble;
    return 0;
}

static int s_get_number (const cJSON *kw, double *value, s_cctx_t *cc)
{
    if (!cJSON_IsNumber (kw)) {
        s_cfail (cc, "%s must be a number", kw->string);
        return -1;
    }
    *value = kw->valuedouble;
    return 0;
}

static int s_type_bit (const char *name)
{
    for (size_t i = 0; i < sizeof (s_type_names) / sizeof (s_type_names [0]); i++)
        if (strcmp (name, s_type_names [i]) == 0)
            return 1 << i;
    return 0;
}

static int s_compile_type (node_t *node, const cJSON *kw, s_cctx_t *cc)
{
    if (cJSON_IsString (kw))
        node->types = (uint8_t) s_type_bit (kw->valuestring);
    else
    if (cJSON_IsArray (kw)) {
        for (const cJSON *item = kw->child; item; item = item->next) {
            int bit = cJSON_IsString (item) ? s_type_bit (item->valuestring) : 0;
            if (!bit) {
                s_cfail (cc, "type must name JSON Schema types");
                return -1;
            }
            node->types |= (uint8_t) bit;
        }
        if (!kw->child) {
            s_cfail (cc, "type must not be an empty array");
            return -1;
        }
    }
    if (!node->types) {
        s_cfail (cc, "type must be a type name or an array of them");
        return -1;
    }
    node->has |= H_TYPE;
    return 0;
}

static int s_compile_dependencies (shr_schema_t *self, node_t *node, const cJSON *kw, s_cctx_t *cc)
{
    if (!cJSON_IsObject (kw)) {
        s_cfail (cc, "dependencies must be an object");
        return -1;
    }
    s_obj_t *obj = s_group (node, G_OBJ);
    for (const cJSON *item = kw->child; item; item = item->next) {
        s_dep_t *dep = &obj->deps [obj->deps_n];
        dep->name = item->string;
        if (cJSON_IsArray (item)) {
            for (const cJSON *name = item->child; name; name = name->next)
                if (!cJSON_IsString (name)) {
                    s_cfail (cc, "dependencies/%s must list property names", item->string);
                    return -1;
                }
            dep->required = item;
        }
        else
        if (!(dep->schema = s_compile_sub (self, node, item, cc, "dependencies", item->string)))
            return -1;
        obj->deps_n++;
    }
    return 0;
}

//  Compiles one keyword of an object schema. Unknown keywords are ignored.
//  A keyword's group is there: s_layout saw the same keyword.
static int s_compile_keyword (shr_schema_t *self, node_t *node, const cJSON *kw, s_cctx_t *cc)
{
    const char *k = kw->string;
    node_t **slot = NULL;
    unsigned kind = 0;

    if (strcmp (k, "type") == 0)
        return s_compile_type (node, kw, cc);
    if (strcmp (k, "enum") == 0) {
        if (!cJSON_IsArray (kw)) {
            s_cfail (cc, "enum must be an array");
            return -1;
        }
        node->enum_values = kw;
        node->has |= H_ENUM;
        return 0;
    }
    if (strcmp (k, "const") == 0) {
        node->const_value = kw;
        node->has |= H_CONST;
        return 0;
    }
    if (strcmp (k, "multipleOf") == 0) {
        s_num_t *num = s_group (node, G_NUM);
        node->has |= H_MULTIPLE;
        node->kinds |= K_NUM;
        if (s_get_number (kw, &num->multiple_of, cc))
            return -1;
        if (num->multiple_of <= 0) {
            s_cfail (cc, "multipleOf must be greater than 0");
            return -1;
        }
        return 0;
    }
    static const struct {
        const char *name;
        unsigned flag;
        size_t field;
    } numbers [] = {
        {"maximum", H_MAXIMUM, offsetof (s_num_t, maximum)},
        {"exclusiveMaximum", H_EXMAX, offsetof (s_num_t, exclusive_maximum)},
        {"minimum", H_MINIMUM, offsetof (s_num_t, minimum)},
        {"exclusiveMinimum", H_EXMIN, offsetof (s_num_t, exclusive_minimum)},
    };
    for (size_t i = 0; i < sizeof (numbers) / sizeof (numbers [0]); i++)
        if (strcmp (k, numbers [i].name) == 0) {
            node->has |= numbers [i].flag;
            node->kinds |= K_NUM;
            char *num = s_group (node, G_NUM);
            return s_get_number (kw, (double *) (num + numbers [i].field), cc);
        }
    static const struct {
        const char *name;
        unsigned flag, kind;
        int group;
        size_t field;
    } counts [] = {
        {"maxLength", H_MAXLEN, K_STR, G_STR, offsetof (s_str_t, max_length)},
        {"minLength", H_MINLEN, K_STR, G_STR, offsetof (s_str_t, min_length)},
        {"maxItems", H_MAXITEMS, K_ARR, G_ARR, offsetof (s_arr_t, max_items)},
        {"minItems", H_MINITEMS, K_ARR, G_ARR, offsetof (s_arr_t, min_items)},
        {"maxProperties", H_MAXPROPS, K_OBJ, G_OBJ, offsetof (s_obj_t, max_props)},
        {"minProperties", H_MINPROPS, K_OBJ, G_OBJ, offsetof (s_obj_t, min_props)},
    };
    for (size_t i = 0; i < sizeof (counts) / sizeof (counts [0]); i++)
        if (strcmp (k, counts [i].name) == 0) {
            node->has |= counts [i].flag;
            node->kinds |= counts [i].kind;
            char *group = s_group (node, counts [i].group);
            return s_get_count (kw, (size_t *) (group + counts [i].field), cc);
        }
    if (strcmp (k, "pattern") == 0) {
        if (!cJSON_IsString (kw)) {
            s_cfail (cc, "pattern must be a string");
            return -1;
        }
        s_str_t *str = s_group (node, G_STR);
        char why [256];
        if (!(str->pattern = shr_pattern_new (kw->valuestring, why, sizeof (why)))) {
            s_cfail (cc, "bad regex in pattern \"%s\": %s", kw->valuestring, why);
            return -1;
        }
        str->pattern_src = kw->valuestring;
        node->has |= H_PATTERN;
        node->kinds |= K_STR;
        return 0;
    }
    if (strcmp (k, "format") == 0) {
        //  Only date-time is checked; other formats are annotations here.
        if (cJSON_IsString (kw) && strcmp (kw->valuestring, "date-time") == 0) {
            node->has |= H_DATE_TIME;
            node->kinds |= K_STR;
        }
        return 0;
    }
    s_arr_t *arr = node->at [G_ARR] ? s_group (node, G_ARR) : NULL;
    s_obj_t *obj = node->at [G_OBJ] ? s_group (node, G_OBJ) : NULL;
    s_logic_t *logic = node->at [G_LOGIC] ? s_group (node, G_LOGIC) : NULL;
    if (strcmp (k, "items") == 0) {
        node->kinds |= K_ARR;
        if (cJSON_IsArray (kw))
            return s_compile_list (self, node, kw, cc, arr->tuple, &arr->tuple_n);
        slot = &arr->items;
    }
    else
    if (strcmp (k, "uniqueItems") == 0) {
        if (!cJSON_IsBool (kw)) {
            s_cfail (cc, "uniqueItems must be a boolean");
            return -1;
        }
        if (cJSON_IsTrue (kw)) {
            node->has |= H_UNIQUE;
            node->kinds |= K_ARR;
        }
        return 0;
    }
    else
    if (strcmp (k, "required") == 0) {
        if (!cJSON_IsArray (kw)) {
            s_cfail (cc, "required must be an array");
            return -1;
        }
        for (const cJSON *name = kw->child; name; name = name->next)
            if (!cJSON_IsString (name)) {
                s_cfail (cc, "required must list property names");
                return -1;
            }
        obj->required = kw->child ? kw : NULL;
        node->kinds |= K_OBJ;
        return 0;
    }
    else
    if (strcmp (k, "properties") == 0 || strcmp (k, "patternProperties") == 0) {
        node->kinds |= K_OBJ;
        return s_compile_map (self, node, kw, cc);
    }
    else
    if (strcmp (k, "definitions") == 0)
        return s_compile_map (self, node, kw, cc);
    else
    if (strcmp (k, "dependencies") == 0) {
        node->kinds |= K_OBJ;
        return s_compile_dependencies (self, node, kw, cc);
    }
    else
    if (strcmp (k, "allOf") == 0) {
        node->kinds |= K_LOGIC;
        return s_compile_list (self, node, kw, cc, logic->all_of, &logic->all_of_n);
    }
    else
    if (strcmp (k, "anyOf") == 0) {
        node->kinds |= K_LOGIC;
        return s_compile_list (self, node, kw, cc, logic->any_of, &logic->any_of_n);
    }
    else
    if (strcmp (k, "oneOf") == 0) {
        node->kinds |= K_LOGIC;
        return s_compile_list (self, node, kw, cc, logic->one_of, &logic->one_of_n);
    }
    else
    if (strcmp (k, "additionalItems") == 0)
        slot = &arr->additional_items, kind = K_ARR;
    else
    if (strcmp (k, "contains") == 0)
        slot = &arr->contains, kind = K_ARR;
    else
    if (strcmp (k, "additionalProperties") == 0)
        slot = &obj->additional_props, kind = K_OBJ;
    else
    if (strcmp (k, "propertyNames") == 0)
        slot = &obj->property_names, kind = K_OBJ;
    else
    if (strcmp (k, "if") == 0)
        slot = &logic->if_, kind = K_LOGIC;
    else
    if (strcmp (k, "then") == 0)
        slot = &logic->then_;
    else
    if (strcmp (k, "else") == 0)
        slot = &logic->else_;
    else
    if (strcmp (k, "not") == 0)
        slot = &logic->not_, kind = K_LOGIC;
    if (!slot)
        return 0;
    node->kinds |= kind;
    *slot = s_compile_sub (self, node, kw, cc, k, NULL);
    return *slot ? 0 : -1;
}

//  Hashes a property name from its length (returned in *len_p) and three of
//  its bytes: FNV over every byte was the largest cost of validating a
//  typical object.
static uint32_t s_hash_str (const char *s, size_t *len_p)
{
    size_t len = strlen (s);
    *len_p = len;
    uint32_t hash = (uint32_t) len;
    if (len)
        hash ^= ((uint32_t) (unsigned char) s [0] << 8) ^ ((uint32_t) (unsigned char) s [len / 2] << 16)
              ^ ((uint32_t) (unsigned char) s [len - 1] << 24);
    hash *= 0x9E3779B1u;
    return hash ^ (hash >> 15);
}

//  Equality of two keys of length len, inline and a word at a time: comparing
//  names byte by byte was most of the cost of finding a property. The last
//  word overlaps the ones before, so no byte past either key is read.
static inline bool s_key_equal (const char *a, const char *b, size_t len)
{
    uint64_t x, y;
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy (&x, a + i, 8);
            memcpy (&y, b + i, 8);
            if (x != y)
                return false;
        }
        memcpy (&x, a + len - 8, 8);
        memcpy (&y, b + len - 8, 8);
        return x == y;
    }
    if (len >= 4) {
        uint32_t head_a, head_b, tail_a, tail_b;
        memcpy (&head_a, a, 4);
        memcpy (&head_b, b, 4);
        memcpy (&tail_a, a + len - 4, 4);
        memcpy (&tail_b, b + len - 4, 4);
        return head_a == head_b && tail_a == tail_b;
    }
    for (size_t i = 0; i < len; i++)
        if (a [i] != b [i])
            return false;
    return true;
}

//  Index of the property called name, or -1.
static int s_prop_find (const s_obj_t *obj, const char *name)
{
    if (!obj->prop_slots_n)
        return -1;
    size_t len;
    uint32_t hash = s_hash_str (name, &len);
    size_t mask = obj->prop_slots_n - 1;
    for (size_t i = hash & mask; obj->prop_slots [i] >= 0; i = (i + 1) & mask) {
        const s_prop_t *prop = &obj->props [obj->prop_slots [i]];
        if (prop->hash == hash && prop->len == len && s_key_equal (prop->name, name, len))
            return obj->prop_slots [i];
    }
    return -1;
}

//  Builds the hash index over properties (its room was laid out with the
//  node) and the required-name bitmask, so an object is checked in one pass
//  over its members.
static void s_index_props (node_t *node)
{
    if (!node->at [G_OBJ])
        return;
    s_obj_t *obj = s_group (node, G_OBJ);
    size_t n = obj->prop_slots_n;
    for (size_t i = 0; i < n; i++)
        obj->prop_slots [i] = -1;
    for (size_t p = 0; p < obj->props_n; p++) {
        //  With duplicate names the first one stays reachable, as in a linear scan.
        if (s_prop_find (obj, obj->props [p].name) >= 0)
            continue;
        size_t len;
        obj->props [p].hash = s_hash_str (obj->props [p].name, &len);
        obj->props [p].len = (uint32_t) len;
        size_t i = obj->props [p].hash & (n - 1);
        while (obj->prop_slots [i] >= 0)
            i = (i + 1) & (n - 1);
        obj->prop_slots [i] = (int) p;
    }
    if (obj->required)
        for (const cJSON *name = obj->required->child; name; name = name->next) {
            int index = s_prop_find (obj, name->valuestring);
            if (index >= 0 && index < 64)
                obj->required_mask |= (uint64_t) 1 << index;
            else
                obj->required_other = true;
        }
}

//  Compiles json (seen with base URI outer, a string that outlives the node:
//  its document's URI, a parent's base or a shared string) into a node, or
//  returns the node it already has. The node is registered before its
//  children are compiled, so a schema reached twice is compiled once.
static node_t *s_compile (shr_schema_t *self, doc_t *doc, const cJSON *json, const char *outer,
                          s_cctx_t *cc)
{
    node_t *node = s_node_of (self, json);
    if (node)
        return node;
    bool object = cJSON_IsObject (json);
    if (!object && !cJSON_IsBool (json))
        return s_cfail (cc, "a schema must be an object or a boolean");
    const cJSON *ref = object ? cJSON_GetObjectItemCaseSensitive (json, "$ref") : NULL;
    s_layout_t layout;
    s_layout (json, !object || ref, &layout);
    //  A node's seq + 1 must fit the valueint that records it.
    if (self->nodes_n >= INT_MAX || !(node = calloc (1, layout.size)))
        return s_cfail (cc, "out of memory");
    node->seq = (uint32_t) self->nodes_n;
    node->doc = doc;
    node->json = json;
    node->base = outer;
    node->boolean = -1;
    s_layout_apply (node, &layout);
    if (!s_push ((void ***) &self->nodes, &self->nodes_n, &self->nodes_cap, node)) {
        free (node);
        return s_cfail (cc, "out of memory");
    }
    ((cJSON *) json)->valueint = (int) node->seq + 1;

    if (!object) {
        node->boolean = cJSON_IsTrue (json);
        return node;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive (json, "$id");
    if (cJSON_IsString (id)) {
        char *uri = s_uri_resolve (outer, id->valuestring);
        if (!uri)
            return s_cfail (cc, "out of memory");
        char *hash = strchr (uri, '#');
        int rc = 0;
        if (hash && id->valuestring [0] == '#')
            rc = s_register_id (self, uri, node, cc);   //  "#foo": a plain-name anchor
        if (hash)
            *hash = '\0';
        if (!rc && id->valuestring [0] != '#')
            rc = s_register_id (self, uri, node, cc);
        const char *base = rc ? NULL : s_intern (&self->strings, uri);
        free (uri);
        if (rc)
            return NULL;
        if (!base)
            return s_cfail (cc, "out of memory");
        node->base = base;
    }
    if (ref) {
        if (!cJSON_IsString (ref))
            return s_cfail (cc, "$ref must be a string");
        //  draft-07: a $ref's siblings are ignored, $id included, but definitions
        //  beside it may hold $ids that other refs name.
        char *uri = s_uri_resolve (outer, ref->valuestring);
        node->ref = uri ? s_intern (&self->strings, uri) : NULL;
        free (uri);
        if (!node->ref)
            return s_cfail (cc, "out of memory");
        node->has |= H_REF;
        const cJSON *defs = cJSON_GetObjectItemCaseSensitive (json, "definitions");
        if (defs && s_compile_map (self, node, defs, cc))
            return NULL;
        return node;
    }
    for (const cJSON *kw = json->child; kw; kw = kw->next)
        if (s_compile_keyword (self, node, kw, cc))
            return NULL;
    if (node->at [G_LOGIC]) {
        s_logic_t *logic = s_group (node, G_LOGIC);
        if (!logic->if_)
            logic->then_ = logic->else_ = NULL;     //  then and else mean nothing without if
    }
    s_index_props (node);
    return node;
}

//  --------------------------------------------------------------------------
//  Reference resolution

//  Compiles json found by a JSON pointer after the registry was built; on
//  failure nothing of it stays. outer may be the caller's string.
static node_t *s_compile_late (shr_schema_t *self, doc_t *doc, const cJSON *json, const char *outer,
                               char *err, size_t errlen)
{
    node_t *node = s_node_of (self, json);
    if (node)
        return node;
    s_cctx_t cc = {.err = err, .errlen = errlen, .what = doc->file ? doc->file : doc->uri};
    const char *base = s_intern (&self->strings, outer);
    if (!base)
        return s_cfail (&cc, "out of memory");
    size_t mark = self->nodes_n;
    node = s_compile (self, doc, json, base, &cc);
    if (!node)
        s_rollback (self, mark, self->docs_n);
    return node;
}
//  Follows a JSON pointer (already percent-decoded) from node, keeping track of
//  the base URI as it enters schemas with an $id.
static node_t *s_walk_pointer (shr_schema_t *self, node_t *from, const char *pointer, char *err,
                               size_t errlen)
{
    node_t *result = NULL;
    char *token = malloc (strlen (pointer) + 1);
    char *base = strdup (from->base);
    char *outer = strdup (from->base);
    const cJSON *cur = from->json;
    if (!token || !base || !outer)
        goto out;
    const char *p = pointer;
    while (*p == '/') {
        p++;
        size_t n = 0;
        for (; *p && *p != '/'; p++) {
            if (p [0] == '~' && p [1] == '0')
                token [n++] = '~', p++;
            else
            if (p [0] == '~' && p [1] == '1')
                token [n++] = '/', p++;
            else
                token [n++] = *p;
        }
        token [n] = '\0';
        if (cJSON_IsObject (cur))
            cur = cJSON_GetObjectItemCaseSensitive (cur, token);
        else
        if (cJSON_IsArray (cur)) {
            char *end;
            long index = strtol (token, &end, 10);
            bool ok = n && *end == '\0' && token [0] != '-' && !(token [0] == '0' && n > 1);
            cur = ok ? cJSON_GetArrayItem (cur, (int) index) : NULL;
        }
        else
            cur = NULL;
        if (!cur) {
            s_seterr (err, errlen, "pointer %s names nothing", pointer);
            goto out;
        }
        //  The base in effect around cur is outer; inside it, its $id applies.
        free (outer);
        outer = strdup (base);
        if (!outer)
            goto out;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive (cur, "$id");
        if (cJSON_IsObject (cur) && cJSON_IsString (id)
            && !cJSON_GetObjectItemCaseSensitive (cur, "$ref")) {
            char *next = s_uri_resolve (base, id->valuestring);
            if (!next)
                goto out;
            char *hash = strchr (next, '#');
            if (hash)
                *hash = '\0';
            free (base);
            base = next;
        }
    }
    result = s_compile_late (self, from->doc, cur, outer, err, errlen);
out:
    free (token);
    free (base);
    free (outer);
    return result;
}

//  Finds the node an absolute URI names, compiling a pointer target on first use.
static node_t *s_lookup (shr_schema_t *self, const char *uri, char *err, size_t errlen)
{
    node_t *node = zhashx_lookup (self->ids, uri);
    if (node)
        return node;
    const char *hash = strchr (uri, '#');
    if (!hash) {
        s_seterr (err, errlen, "no schema is registered as %s", uri);
        return NULL;
    }
    char *copy = strdup (uri);
    if (!copy) {
        s_seterr (err, errlen, "out of memory");
        return NULL;
    }
    char *frag = copy + (hash - uri);
    *frag++ = '\0';
    node = zhashx_lookup (self->ids, copy);
    s_percent_decode (frag);
    if (!node)
        s_seterr (err, errlen, "no schema is registered as %s", copy);
    else
    if (*frag == '/')
        node = s_walk_pointer (self, node, frag, err, errlen);
    else
    if (*frag) {
        s_seterr (err, errlen, "no schema has the id #%s", frag);
        node = NULL;
    }
    free (copy);
    return node;
}

//  Resolves every $ref still open. Refs whose target is missing stay open.
static void s_resolve_all (shr_schema_t *self)
{
    //  Late compiles may append nodes while this runs; they are visited too.
    for (size_t i = 0; i < self->nodes_n; i++) {
        node_t *node = self->nodes [i];
        if ((node->has & H_REF) && !node->ref_node)
            node->ref_node = s_lookup (self, node->ref, NULL, 0);
    }
}


//  --------------------------------------------------------------------------
//  Registry

//  A name map: our hash, and keys that the map neither copies nor frees (they
//  are document URIs and shared strings, which outlive the names).
static zhashx_t *s_names_new (void)
{
    zhashx_t *names = zhashx_new ();
    if (names) {
        zhashx_set_key_hasher (names, s_str_hash);
        zhashx_set_key_duplicator (names, NULL);
        zhashx_set_key_destructor (names, NULL);
    }
    return names;
}

shr_schema_t *shr_schema_new (void)
{
    shr_schema_t *self = calloc (1, sizeof (shr_schema_t));
    if (!self)
        return NULL;
    self->ids = s_names_new ();
    self->files = s_names_new ();
    if (!self->ids || !self->files) {
        zhashx_destroy (&self->ids);
        zhashx_destroy (&self->files);
        free (self);
        return NULL;
    }
    return self;
}

void shr_schema_destroy (shr_schema_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_schema_t *self = *self_p;
    //  The maps first: their keys live in the documents and the pool.
    zhashx_destroy (&self->ids);
    zhashx_destroy (&self->files);
    for (size_t i = 0; i < self->nodes_n; i++)
        s_node_destroy (&self->nodes [i]);
    for (size_t i = 0; i < self->docs_n; i++)
        s_doc_destroy (&self->docs [i]);
    free (self->nodes);
    free (self->docs);
    s_pool_free (&self->strings);
    free (self);
    *self_p = NULL;
}

//  Registers json (taken over, also on failure) under uri. file names it in
//  messages. On failure the registry is as before.
static int s_add_doc (shr_schema_t *self, const char *uri, cJSON *json, const char *file, int gen,
                      char *err, size_t errlen)
{
    const char *what = file ? file : uri;
    if (!cJSON_IsObject (json) && !cJSON_IsBool (json)) {
        s_seterr (err, errlen, "%s: a schema must be an object or a boolean", what);
        cJSON_Delete (json);
        return -1;
    }
    if (!s_scheme_len (uri) || strchr (uri, '#')) {
        s_seterr (err, errlen, "%s: %s is not an absolute URI without fragment", what, uri);
        cJSON_Delete (json);
        return -1;
    }
    if (zhashx_lookup (self->ids, uri)) {
        s_seterr (err, errlen, "%s: %s is already registered", what, uri);
        cJSON_Delete (json);
        return -1;
    }
    //  One allocation for the document and its two names.
    size_t uri_size = strlen (uri) + 1, file_size = file ? strlen (file) + 1 : 0;
    doc_t *doc = calloc (1, sizeof (doc_t) + uri_size + file_size);
    cJSON *copy = doc ? s_json_copy (&self->strings, json) : NULL;
    cJSON_Delete (json);
    if (!copy || !s_push ((void ***) &self->docs, &self->docs_n, &self->docs_cap, doc)) {
        free (copy);
        free (doc);
        s_seterr (err, errlen, "%s: out of memory", what);
        return -1;
    }
    char *names = (char *) (doc + 1);
    doc->uri = memcpy (names, uri, uri_size);
    if (file)
        doc->file = memcpy (names + uri_size, file, file_size);
    doc->json = copy;
    doc->gen = gen;
    size_t node_mark = self->nodes_n;
    s_cctx_t cc = {.err = err, .errlen = errlen, .what = what};
    node_t *root = s_compile (self, doc, doc->json, doc->uri, &cc);
    if (root && !zhashx_lookup (self->ids, doc->uri) && zhashx_insert (self->ids, doc->uri, root)) {
        s_seterr (err, errlen, "%s: out of memory", what);
        root = NULL;
    }
    if (root && strncmp (uri, "schema:/", 8) == 0 && zhashx_insert (self->files, doc->uri + 8, root)) {
        s_seterr (err, errlen, "%s: out of memory", what);
        root = NULL;
    }
    if (!root) {
        s_rollback (self, node_mark, self->docs_n - 1);
        return -1;
    }
    return 0;
}

int shr_schema_add (shr_schema_t *self, const char *uri, cJSON **doc_p, char *err, size_t errlen)
{
    cJSON *json = doc_p ? *doc_p : NULL;
    if (doc_p)
        *doc_p = NULL;
    if (!self || !uri || !json) {
        s_seterr (err, errlen, "shr_schema_add: missing argument");
        cJSON_Delete (json);
        return -1;
    }
    if (s_add_doc (self, uri, json, NULL, 0, err, errlen))
        return -1;
    s_resolve_all (self);
    return 0;
}


//  Reads a whole file as a C string (czmq reads it); NULL with errno set on failure.
static char *s_read_file (const char *path)
{
    errno = 0;
    zchunk_t *chunk = zchunk_slurp (path, 0);
    if (!chunk) {
        if (!errno)
            errno = EIO;
        return NULL;
    }
    size_t size = zchunk_size (chunk);
    char *text = (char *) malloc (size + 1);
    if (text) {
        memcpy (text, zchunk_data (chunk), size);
        text [size] = '\0';
    }
    else
        errno = ENOMEM;
    zchunk_destroy (&chunk);
    return text;
}

static int s_name_cmp (const struct dirent **a, const struct dirent **b)
{
    return strcmp ((*a)->d_name, (*b)->d_name);
}

//  Adds every *.json below root/rel (sorted by name, depth first).
static int s_load_tree (shr_schema_t *self, const char *root, const char *rel, int *loaded,
                        char *err, size_t errlen)
{
    int rc = -1;
    struct dirent **entries = NULL;
    int count = 0;
    char *dir = rel [0] ? zsys_sprintf ("%s/%s", root, rel) : strdup (root);
    if (!dir) {
        s_seterr (err, errlen, "%s: out of memory", root);
        goto out;
    }
    count = scandir (dir, &entries, NULL, s_name_cmp);
    if (count < 0) {
        s_seterr (err, errlen, "%s: cannot read folder: %s", dir, strerror (errno));
        goto out;
    }
    rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        const char *name = entries [i]->d_name;
        if (name [0] == '.')
            continue;       //  ".", ".." and hidden files
        char *path = zsys_sprintf ("%s/%s", dir, name);
        char *sub = rel [0] ? zsys_sprintf ("%s/%s", rel, name) : strdup (name);
        struct stat st;
        if (!path || !sub) {
            s_seterr (err, errlen, "%s: out of memory", dir);
            rc = -1;
        }
        else
        if (stat (path, &st)) {
            s_seterr (err, errlen, "%s: cannot read: %s", path, strerror (errno));
            rc = -1;
        }
        else
        if (S_ISDIR (st.st_mode))
            rc = s_load_tree (self, root, sub, loaded, err, errlen);
        else {
            size_t len = strlen (name);
            if (S_ISREG (st.st_mode) && len > 5 && strcmp (name + len - 5, ".json") == 0) {
                char *text = s_read_file (path);
                if (!text) {
                    s_seterr (err, errlen, "%s: cannot read: %s", path, strerror (errno));
                    rc = -1;
                }
                else {
                    const char *end = NULL;
                    cJSON *json = cJSON_ParseWithOpts (text, &end, true);
                    if (!json) {
                        int line = 1;
                        for (const char *c = text; end && c < end; c++)
                            line += *c == '\n';
                        s_seterr (err, errlen, "%s: invalid JSON (line %d)", path, line);
                        rc = -1;
                    }
                    else {
                        char *uri = zsys_sprintf ("schema:/%s", sub);
                        if (!uri) {
                            cJSON_Delete (json);
                            s_seterr (err, errlen, "%s: out of memory", path);
                            rc = -1;
                        }
                        else {
                            rc = s_add_doc (self, uri, json, path, self->gen, err, errlen);
                            free (uri);
                        }
                        if (rc == 0)
                            (*loaded)++;
                    }
                    free (text);
                }
            }
        }
        zstr_free (&path);
        zstr_free (&sub);
    }
out:
    for (int i = 0; i < count; i++)
        free (entries [i]);
    free (entries);
    zstr_free (&dir);
    return rc;
}

//  Gives back what only loading needed: the growth room of the node and
//  document arrays, and the string pool's index. A service loads once.
static void s_trim (shr_schema_t *self)
{
    s_pool_rest (&self->strings);
    if (self->nodes_n && self->nodes_n < self->nodes_cap) {
        node_t **nodes = realloc (self->nodes, self->nodes_n * sizeof (node_t *));
        if (nodes) {
            self->nodes = nodes;
            self->nodes_cap = self->nodes_n;
        }
    }
    if (self->docs_n && self->docs_n < self->docs_cap) {
        doc_t **docs = realloc (self->docs, self->docs_n * sizeof (doc_t *));
        if (docs) {
            self->docs = docs;
            self->docs_cap = self->docs_n;
        }
    }
}

int shr_schema_load_dir (shr_schema_t *self, const char *dir, char *err, size_t errlen)
{
    if (!self || !dir) {
        s_seterr (err, errlen, "shr_schema_load_dir: missing argument");
        return -1;
    }
    size_t node_mark = self->nodes_n, doc_mark = self->docs_n;
    int loaded = 0;
    self->gen++;
    //  Strip trailing slashes so file names read cleanly in messages.
    char *root = strdup (dir);
    if (!root) {
        s_seterr (err, errlen, "%s: out of memory", dir);
        return -1;
    }
    size_t len = strlen (root);
    while (len > 1 && root [len - 1] == '/')
        root [--len] = '\0';
    int rc = s_load_tree (self, root, "", &loaded, err, errlen);
    free (root);
    if (rc == 0) {
        //  Refs may point anywhere in the folder (or an earlier one): resolve
        //  them all now, so a typo fails the load instead of a request.
        s_resolve_all (self);
        for (size_t i = 0; i < self->nodes_n && rc == 0; i++) {
            node_t *node = self->nodes [i];
            if ((node->has & H_REF) && !node->ref_node && node->doc->gen == self->gen) {
                char why [256];
                s_lookup (self, node->ref, why, sizeof (why));
                const cJSON *ref = cJSON_GetObjectItemCaseSensitive (node->json, "$ref");
                s_seterr (err, errlen, "%s: unresolvable $ref \"%s\" (%s)", node->doc->file,
                          ref ? ref->valuestring : node->ref, why);
                rc = -1;
            }
        }
    }
    if (rc)
        s_rollback (self, node_mark, doc_mark);
    s_trim (self);
    return rc ? -1 : loaded;
}

//  Finds the schema called name: a relative file name, or an absolute URI.
static node_t *s_find (shr_schema_t *self, const char *name, char *err, size_t errlen)
{
    char buf [1024];
    const char *uri = name;
    if (!s_scheme_len (name) && !strchr (name, '#')) {
        //  The common case, a file name: no copy, one lookup.
        node_t *node = zhashx_lookup (self->files, name [0] == '/' ? name + 1 : name);
        if (node)
            return node;
    }
    if (!s_scheme_len (name)) {
        //  "dispatch/x.json" is "schema:/dispatch/x.json" (no printf: this is per message)
        size_t len = strlen (name);
        size_t prefix = name [0] == '/' ? 7 : 8;
        if (prefix + len >= sizeof (buf)) {
            s_seterr (err, errlen, "schema name too long");
            return NULL;
        }
        memcpy (buf, "schema:/", prefix);
        memcpy (buf + prefix, name, len + 1);
        uri = buf;
    }
    return s_lookup (self, uri, err, errlen);
}

bool shr_schema_has (shr_schema_t *self, const char *name)
{
    return self && name && s_find (self, name, NULL, 0) != NULL;
}

//  --------------------------------------------------------------------------
//  Validation

static int s_path_depth (const s_path_t *path)
{
    int depth = 0;
    for (; path; path = path->up)
        depth++;
    return depth;
}

static void s_path_format (const s_path_t *path, char *buf, size_t size, size_t *pos)
{
    if (!path)
        return;
    s_path_format (path->up, buf, size, pos);
    if (!path->key) {
        s_append (buf, size, pos, "/%zu", path->index);
        return;
    }
    s_append (buf, size, pos, "/");
    for (const char *s = path->key; *s; s++) {
        if (*s == '~')
            s_append (buf, size, pos, "~0");
        else
        if (*s == '/')
            s_append (buf, size, pos, "~1");
        else
            s_append (buf, size, pos, "%c", *s);
    }
}

//  Records an error at path, when errors are wanted. Always returns false.
S_COLD static bool s_fail (s_vctx_t *ctx, const s_path_t *path, const char *fmt, ...)
{
    if (!ctx->err)
        return false;
    size_t pos = 0;
    ctx->err->pointer [0] = '\0';
    s_path_format (path, ctx->err->pointer, sizeof (ctx->err->pointer), &pos);
    va_list args;
    va_start (args, fmt);
    vsnprintf (ctx->err->message, sizeof (ctx->err->message), fmt, args);
    va_end (args);
    ctx->err_depth = s_path_depth (path);
    return false;
}

//  Appends a JSON value's text, for messages.
static void s_append_json (char *buf, size_t size, size_t *pos, const cJSON *value)
{
    char *text = cJSON_PrintUnformatted (value);
    s_append (buf, size, pos, "%s", text ? text : "?");
    free (text);
}

static bool s_equal (const cJSON *a, const cJSON *b)
{
    int type = a->type & 0xFF;
    if (type != (b->type & 0xFF))
        return false;
    switch (type) {
        case cJSON_Number:
            return a->valuedouble == b->valuedouble;
        case cJSON_String:
            return strcmp (a->valuestring, b->valuestring) == 0;
        case cJSON_Array:
            for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
                if (!s_equal (a, b))
                    return false;
            return !a && !b;
        case cJSON_Object: {
            int na = 0, nb = 0;
            for (const cJSON *m = a->child; m; m = m->next)
                na++;
            for (const cJSON *m = b->child; m; m = m->next)
                nb++;
            if (na != nb)
                return false;
            for (const cJSON *m = a->child; m; m = m->next) {
                const cJSON *other = cJSON_GetObjectItemCaseSensitive (b, m->string);
                if (!other || !s_equal (m, other))
                    return false;
            }
            return true;
        }
        default:
            return true;        //  null, true, false
    }
}

static unsigned s_instance_type (const cJSON *inst)
{
    switch (inst->type & 0xFF) {
        case cJSON_NULL: return T_NULL;
        case cJSON_True:
        case cJSON_False: return T_BOOLEAN;
        case cJSON_Object: return T_OBJECT;
        case cJSON_Array: return T_ARRAY;
        case cJSON_String: return T_STRING;
        case cJSON_Number: return s_is_integral (inst->valuedouble) ? T_INTEGER : T_NUMBER;
        default: return 0;
    }
}

S_COLD static bool s_fail_type (s_vctx_t *ctx, const s_path_t *path, unsigned types, unsigned got)
{
    if (!ctx->err)
        return false;
    char expected [256];
    size_t pos = 0;
    const char *got_name = "unknown";
    for (size_t i = 0; i < sizeof (s_type_names) / sizeof (s_type_names [0]); i++) {
        if (types & (1u << i))
            s_append (expected, sizeof (expected), &pos, "%s%s", pos ? " or " : "", s_type_names [i]);
        if (got & (1u << i))
            got_name = s_type_names [i];
    }
    return s_fail (ctx, path, "must be of type %s, got %s", expected, got_name);
}

S_COLD static bool s_fail_enum (s_vctx_t *ctx, const s_path_t *path, const cJSON *values)
{
    if (!ctx->err)
        return false;
    char text [sizeof (ctx->err->message)];
    size_t pos = 0;
    s_append (text, sizeof (text), &pos, "must be one of ");
    for (const cJSON *v = values->child; v; v = v->next) {
        if (v != values->child)
            s_append (text, sizeof (text), &pos, ", ");
        s_append_json (text, sizeof (text), &pos, v);
    }
    return s_fail (ctx, path, "%s", text);
}

S_COLD static bool s_fail_const (s_vctx_t *ctx, const s_path_t *path, const cJSON *value)
{
    if (!ctx->err)
        return false;
    char text [sizeof (ctx->err->message)];
    size_t pos = 0;
    s_append (text, sizeof (text), &pos, "must be equal to ");
    s_append_json (text, sizeof (text), &pos, value);
    return s_fail (ctx, path, "%s", text);
}

S_COLD static bool s_fail_number (s_vctx_t *ctx, const s_path_t *path, const char *what, double limit)
{
    if (!ctx->err)
        return false;
    char num [40];
    s_num_format (limit, num, sizeof (num));
    return s_fail (ctx, path, "must be %s %s", what, num);
}

static bool s_is_multiple (double value, double divisor)
{
    if (s_is_integral (value) && s_is_integral (divisor) && fabs (value) < 9007199254740992.0)
        return fmod (value, divisor) == 0;
    //  Binary floats make 0.0075 / 0.0001 come out as 75.00000000000001.
    double quotient = value / divisor;
    if (!isfinite (quotient))
        return false;
    return fabs (quotient - nearbyint (quotient)) <= 1e-9 * fmax (1.0, fabs (quotient));
}

static bool s_valid_number (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    const s_num_t *num = s_group (node, G_NUM);
    double v = inst->valuedouble;
    if ((node->has & H_MINIMUM) && v < num->minimum)
        return s_fail_number (ctx, path, "at least", num->minimum);
    if ((node->has & H_EXMIN) && v <= num->exclusive_minimum)
        return s_fail_number (ctx, path, "greater than", num->exclusive_minimum);
    if ((node->has & H_MAXIMUM) && v > num->maximum)
        return s_fail_number (ctx, path, "at most", num->maximum);
    if ((node->has & H_EXMAX) && v >= num->exclusive_maximum)
        return s_fail_number (ctx, path, "less than", num->exclusive_maximum);
    if ((node->has & H_MULTIPLE) && !s_is_multiple (v, num->multiple_of))
        return s_fail_number (ctx, path, "a multiple of", num->multiple_of);
    return true;
}

static bool s_valid_string (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    const s_str_t *str = s_group (node, G_STR);
    const char *s = inst->valuestring;
    if (node->has & (H_MAXLEN | H_MINLEN)) {
        size_t len = s_utf8_len (s);
        if ((node->has & H_MINLEN) && len < str->min_length)
            return s_fail (ctx, path, "must be at least %zu characters long", str->min_length);
        if ((node->has & H_MAXLEN) && len > str->max_length)
            return s_fail (ctx, path, "must be at most %zu characters long", str->max_length);
    }
    if ((node->has & H_PATTERN) && !shr_pattern_match (str->pattern, s))
        return s_fail (ctx, path, "must match pattern %s", str->pattern_src);
    if ((node->has & H_DATE_TIME) && !s_is_date_time (s))
        return s_fail (ctx, path, "must be an RFC 3339 date-time");
    return true;
}

static bool s_valid_array (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    const s_arr_t *arr = s_group (node, G_ARR);
    size_t count = 0;
    for (const cJSON *item = inst->child; item; item = item->next)
        count++;
    if ((node->has & H_MINITEMS) && count < arr->min_items)
        return s_fail (ctx, path, "must have at least %zu items", arr->min_items);
    if ((node->has & H_MAXITEMS) && count > arr->max_items)
        return s_fail (ctx, path, "must have at most %zu items", arr->max_items);
    if (arr->items || arr->tuple) {
        size_t i = 0;
        for (const cJSON *item = inst->child; item; item = item->next, i++) {
            s_path_t here = {path, NULL, i};
            const node_t *schema = arr->items;
            if (arr->tuple) {
                schema = i < arr->tuple_n ? arr->tuple [i] : arr->additional_items;
                if (schema && schema->boolean == 0 && i >= arr->tuple_n)
                    return s_fail (ctx, &here, "is not allowed (additionalItems is false)");
            }
            if (schema && !s_valid (schema, item, ctx, &here))
                return false;
        }
    }
    if (node->has & H_UNIQUE) {
        size_t i = 0;
        for (const cJSON *a = inst->child; a; a = a->next, i++) {
            size_t j = i + 1;
            for (const cJSON *b = a->next; b; b = b->next, j++)
                if (s_equal (a, b))
                    return s_fail (ctx, path, "must not contain duplicates (items %zu and %zu are equal)", i, j);
        }
    }
    if (arr->contains) {
        shr_schema_error_t *saved = ctx->err;
        ctx->err = NULL;
        bool found = false;
        size_t i = 0;
        for (const cJSON *item = inst->child; item && !found; item = item->next, i++) {
            s_path_t here = {path, NULL, i};
            found = s_valid (arr->contains, item, ctx, &here);
        }
        ctx->err = saved;
        if (!found)
            return s_fail (ctx, path, "must contain at least one item matching the contains schema");
    }
    return true;
}

S_COLD static void s_prefix_message (shr_schema_error_t *err, const char *prefix)
{
    char text [sizeof (err->message)];
    snprintf (text, sizeof (text), "%s%.480s", prefix, err->message);
    memcpy (err->message, text, sizeof (text));
}

//  Checks required names one by one; reports the first one missing.
static bool s_check_required (const s_obj_t *obj, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    for (const cJSON *name = obj->required->child; name; name = name->next)
        if (!cJSON_GetObjectItemCaseSensitive (inst, name->valuestring)) {
            s_path_t here = {path, name->valuestring, 0};
            return s_fail (ctx, &here, "is required");
        }
    return true;
}

static bool s_valid_object (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    const s_obj_t *obj = s_group (node, G_OBJ);
    if (node->has & (H_MINPROPS | H_MAXPROPS)) {
        size_t count = 0;
        for (const cJSON *m = inst->child; m; m = m->next)
            count++;
        if ((node->has & H_MINPROPS) && count < obj->min_props)
            return s_fail (ctx, path, "must have at least %zu properties", obj->min_props);
        if ((node->has & H_MAXPROPS) && count > obj->max_props)
            return s_fail (ctx, path, "must have at most %zu properties", obj->max_props);
    }
    //  One pass over the members: find each one's property schema through the
    //  hash index and note which required properties were seen.
    uint64_t seen = 0;
    if (obj->props_n || obj->pprops_n || obj->additional_props || obj->property_names
        || obj->required_mask) {
        for (const cJSON *m = inst->child; m; m = m->next) {
            s_path_t here = {path, m->string, 0};
            bool matched = false;
            int index = obj->props_n ? s_prop_find (obj, m->string) : -1;
            if (index >= 0) {
                matched = true;
                if (index < 64)
                    seen |= (uint64_t) 1 << index;
                if (!s_valid (obj->props [index].node, m, ctx, &here))
                    return false;
            }
            for (size_t i = 0; i < obj->pprops_n; i++)
                if (shr_pattern_match (obj->pprops [i].re, m->string)) {
                    matched = true;
                    if (!s_valid (obj->pprops [i].node, m, ctx, &here))
                        return false;
                }
            if (!matched && obj->additional_props) {
                if (obj->additional_props->boolean == 0)
                    return s_fail (ctx, &here, "is not allowed (additionalProperties is false)");
                if (!s_valid (obj->additional_props, m, ctx, &here))
                    return false;
            }
            if (obj->property_names) {
                //  A stack string stands in for the name: no allocation.
                cJSON name = {0};
                name.type = cJSON_String;
                name.valuestring = m->string;
                if (!s_valid (obj->property_names, &name, ctx, &here)) {
                    if (ctx->err)
                        s_prefix_message (ctx->err, "property name ");
                    return false;
                }
            }
        }
    }
    if (obj->required && ((seen & obj->required_mask) != obj->required_mask || obj->required_other)
        && !s_check_required (obj, inst, ctx, path))
        return false;
    for (size_t i = 0; i < obj->deps_n; i++) {
        const s_dep_t *dep = &obj->deps [i];
        if (!cJSON_GetObjectItemCaseSensitive (inst, dep->name))
            continue;
        if (dep->required) {
            for (const cJSON *name = dep->required->child; name; name = name->next)
                if (!cJSON_GetObjectItemCaseSensitive (inst, name->valuestring)) {
                    s_path_t here = {path, name->valuestring, 0};
                    return s_fail (ctx, &here, "is required when \"%s\" is present", dep->name);
                }
        }
        else
        if (!s_valid (dep->schema, inst, ctx, path))
            return false;
    }
    return true;
}

//  Reports why none of the branches matched: the error of the branch that got
//  deepest into the instance. Runs only when an error is wanted.
S_COLD static bool s_fail_branches (node_t *const *branches, size_t n, const char *keyword,
                             const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    if (ctx->reporting >= S_MAX_REPORT_NESTING)
        return s_fail (ctx, path, "must match one of the %s schemas", keyword);
    shr_schema_error_t best, attempt;
    int best_depth = -1;
    shr_schema_error_t *saved = ctx->err;
    ctx->reporting++;
    for (size_t i = 0; i < n; i++) {
        ctx->err = &attempt;
        ctx->err_depth = 0;
        attempt.pointer [0] = attempt.message [0] = '\0';
        if (s_valid (branches [i], inst, ctx, path))
            continue;       //  cannot happen: the quiet pass found none
        if (ctx->err_depth > best_depth) {
            best = attempt;
            best_depth = ctx->err_depth;
        }
    }
    ctx->err = saved;
    ctx->reporting--;
    int here = s_path_depth (path);
    if (best_depth > here) {
        *ctx->err = best;
        ctx->err_depth = best_depth;
        return false;
    }
    if (best_depth < 0)
        return s_fail (ctx, path, "must match one of the %s schemas", keyword);
    return s_fail (ctx, path, "must match one of the %s schemas (first: %s)", keyword, best.message);
}

static bool s_valid_logic (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    const s_logic_t *logic = s_group (node, G_LOGIC);
    for (size_t i = 0; i < logic->all_of_n; i++)
        if (!s_valid (logic->all_of [i], inst, ctx, path))
            return false;
    shr_schema_error_t *saved = ctx->err;
    if (logic->any_of_n) {
        ctx->err = NULL;
        bool any = false;
        for (size_t i = 0; i < logic->any_of_n && !any; i++)
            any = s_valid (logic->any_of [i], inst, ctx, path);
        ctx->err = saved;
        if (!any)
            return ctx->err ? s_fail_branches (logic->any_of, logic->any_of_n, "anyOf", inst, ctx, path)
                            : false;
    }
    if (logic->one_of_n) {
        ctx->err = NULL;
        size_t matched = 0;
        for (size_t i = 0; i < logic->one_of_n && (matched < 2 || saved); i++)
            matched += s_valid (logic->one_of [i], inst, ctx, path);
        ctx->err = saved;
        if (matched == 0)
            return ctx->err ? s_fail_branches (logic->one_of, logic->one_of_n, "oneOf", inst, ctx, path)
                            : false;
        if (matched > 1)
            return s_fail (ctx, path, "must match exactly one of the oneOf schemas (matched %zu)", matched);
    }
    if (logic->not_) {
        ctx->err = NULL;
        bool matched = s_valid (logic->not_, inst, ctx, path);
        ctx->err = saved;
        if (matched)
            return s_fail (ctx, path, "must not match the \"not\" schema");
    }
    if (logic->if_) {
        ctx->err = NULL;
        bool cond = s_valid (logic->if_, inst, ctx, path);
        ctx->err = saved;
        const node_t *next = cond ? logic->then_ : logic->else_;
        if (next && !s_valid (next, inst, ctx, path))
            return false;
    }
    return true;
}

static bool s_valid_node (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    if (node->boolean >= 0)
        return node->boolean ? true : s_fail (ctx, path, "is not allowed (schema is false)");
    if (node->has & H_REF) {
        const node_t *target = node->ref_node;
        if (!target) {
            //  Its target may have been added since: resolve now and keep it.
            node_t *late = (node_t *) node;
            late->ref_node = s_lookup (ctx->self, node->ref, NULL, 0);
            target = late->ref_node;
        }
        if (!target)
            return s_fail (ctx, path, "cannot be checked: unresolvable $ref %s", node->ref);
        return s_valid (target, inst, ctx, path);
    }
    if (node->has & H_TYPE) {
        unsigned type = s_instance_type (inst);
        unsigned accept = node->types;
        if (accept & T_NUMBER)
            accept |= T_INTEGER;
        if (!(type & accept))
            return s_fail_type (ctx, path, node->types, type);
    }
    if (node->has & H_ENUM) {
        bool found = false;
        for (const cJSON *v = node->enum_values->child; v && !found; v = v->next)
            found = s_equal (v, inst);
        if (!found)
            return s_fail_enum (ctx, path, node->enum_values);
    }
    if ((node->has & H_CONST) && !s_equal (node->const_value, inst))
        return s_fail_const (ctx, path, node->const_value);
    switch (inst->type & 0xFF) {
        case cJSON_Number:
            if ((node->kinds & K_NUM) && !s_valid_number (node, inst, ctx, path))
                return false;
            break;
        case cJSON_String:
            if ((node->kinds & K_STR) && !s_valid_string (node, inst, ctx, path))
                return false;
            break;
        case cJSON_Array:
            if ((node->kinds & K_ARR) && !s_valid_array (node, inst, ctx, path))
                return false;
            break;
        case cJSON_Object:
            if ((node->kinds & K_OBJ) && !s_valid_object (node, inst, ctx, path))
                return false;
            break;
        default:
            break;
    }
    if ((node->kinds & K_LOGIC) && !s_valid_logic (node, inst, ctx, path))
        return false;
    return true;
}

static bool s_valid (const node_t *node, const cJSON *inst, s_vctx_t *ctx, const s_path_t *path)
{
    if (ctx->depth >= S_MAX_DEPTH)
        return s_fail (ctx, path, "cannot be checked: schema nesting too deep (a $ref cycle?)");
    ctx->depth++;
    bool ok = s_valid_node (node, inst, ctx, path);
    ctx->depth--;
    return ok;
}

int shr_schema_validate (shr_schema_t *self, const char *name, const cJSON *instance,
                         const char *pointer_prefix, shr_schema_error_t *err)
{
    char why [sizeof (err->message)];
    if (err)
        err->pointer [0] = err->message [0] = '\0';
    if (!self || !name || !instance) {
        if (err)
            snprintf (err->message, sizeof (err->message), "shr_schema_validate: missing argument");
        return -1;
    }
    node_t *node = s_find (self, name, why, sizeof (why));
    if (!node) {
        if (err)
            snprintf (err->message, sizeof (err->message), "unknown schema %.200s (%.290s)", name, why);
        return -1;
    }
    s_vctx_t ctx = {.self = self, .err = err};
    if (s_valid (node, instance, &ctx, NULL))
        return 0;
    if (err && pointer_prefix && *pointer_prefix) {
        char pointer [sizeof (err->pointer)];
        snprintf (pointer, sizeof (pointer), "%s%s", pointer_prefix, err->pointer);
        memcpy (err->pointer, pointer, sizeof (pointer));
    }
    return 1;
}
