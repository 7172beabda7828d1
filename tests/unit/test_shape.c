/*  Unit tests of shr_shape and shr_arena: decode, encode, bind and read by a
    field table, written here by hand as tools/shapegen.py would write it. */
#include "shared.h"
#include "testutil.h"

#include <stddef.h>

typedef struct {
    const char *part_id;
    int64_t qty;
} s_line_t;

typedef struct {
    const char *id;
    const char *region;
} s_head_t;

typedef struct {
    s_head_t head;              //  embedded: its fields sit beside the others
    int64_t level;
    bool has_level;
    bool urgent;
    bool has_urgent;
    int64_t due;                //  a date-time
    bool has_due;
    double ratio;
    struct {
        const char *unit;
        int64_t cents;
    } price;
    bool has_price;
    struct {
        size_t count;
        s_line_t *items;
    } lines;
    bool has_lines;
    struct {
        size_t count;
        const char **items;
    } tags;
    const cJSON *extra;
    const char *note;           //  nullable
} s_order_t;

static const shr_field_t s_line_fields[] = {
    {.name = "part_id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_line_t, part_id),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED},
    {.name = "qty", .kind = SHR_FIELD_INT, .offset = offsetof (s_line_t, qty), .has_offset = -1,
     .flags = SHR_FIELD_REQUIRED},
};
static const shr_shape_t s_line_shape = {"test line", sizeof (s_line_t), s_line_fields, 2};

static const shr_field_t s_head_fields[] = {
    {.name = "id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_head_t, id), .has_offset = -1,
     .flags = SHR_FIELD_REQUIRED},
    {.name = "region", .kind = SHR_FIELD_STRING, .offset = offsetof (s_head_t, region),
     .has_offset = -1, .flags = SHR_FIELD_NULLABLE | SHR_FIELD_REQUIRED},
};
static const shr_shape_t s_head_shape = {"test head", sizeof (s_head_t), s_head_fields, 2};

typedef struct {
    const char *unit;
    int64_t cents;
} s_price_t;
static const shr_field_t s_price_fields[] = {
    {.name = "unit", .kind = SHR_FIELD_STRING, .offset = offsetof (s_price_t, unit),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED},
    {.name = "cents", .kind = SHR_FIELD_INT, .offset = offsetof (s_price_t, cents),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED},
};
static const shr_shape_t s_price_shape = {"test price", sizeof (s_price_t), s_price_fields, 2};

static const shr_field_t s_order_fields[] = {
    {.name = "head", .kind = SHR_FIELD_EMBED, .offset = offsetof (s_order_t, head),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED, .shape = &s_head_shape},
    {.name = "level", .kind = SHR_FIELD_INT, .offset = offsetof (s_order_t, level),
     .has_offset = offsetof (s_order_t, has_level), .has_default = true, .def_int = 1},
    {.name = "urgent", .kind = SHR_FIELD_BOOL, .offset = offsetof (s_order_t, urgent),
     .has_offset = offsetof (s_order_t, has_urgent)},
    {.name = "due", .kind = SHR_FIELD_TIME, .offset = offsetof (s_order_t, due),
     .has_offset = offsetof (s_order_t, has_due), .flags = SHR_FIELD_NULLABLE | SHR_FIELD_REQUIRED},
    {.name = "ratio", .kind = SHR_FIELD_NUMBER, .offset = offsetof (s_order_t, ratio),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED},
    {.name = "price", .kind = SHR_FIELD_OBJECT, .offset = offsetof (s_order_t, price),
     .has_offset = offsetof (s_order_t, has_price), .flags = SHR_FIELD_NULLABLE | SHR_FIELD_REQUIRED,
     .shape = &s_price_shape},
    {.name = "lines", .kind = SHR_FIELD_ARRAY, .offset = offsetof (s_order_t, lines),
     .has_offset = offsetof (s_order_t, has_lines), .shape = &s_line_shape,
     .item = SHR_FIELD_OBJECT, .item_size = sizeof (s_line_t)},
    {.name = "tags", .kind = SHR_FIELD_ARRAY, .offset = offsetof (s_order_t, tags),
     .has_offset = -1, .flags = SHR_FIELD_REQUIRED, .item = SHR_FIELD_STRING,
     .item_size = sizeof (const char *)},
    {.name = "extra", .kind = SHR_FIELD_JSON, .offset = offsetof (s_order_t, extra),
     .has_offset = -1},
    {.name = "note", .kind = SHR_FIELD_STRING, .offset = offsetof (s_order_t, note),
     .has_offset = -1, .flags = SHR_FIELD_NULLABLE | SHR_FIELD_REQUIRED},
};
static const shr_shape_t s_order_shape = {"test order", sizeof (s_order_t), s_order_fields, 10};

static char *s_encode (const s_order_t *order, char *err, size_t errlen)
{
    shr_json_t *json = shr_json_new ();
    char *text = shr_shape_encode (&s_order_shape, order, json, err, errlen) == 0
                     ? shr_json_take (json)
                     : NULL;
    shr_json_destroy (&json);
    return text;
}

static void test_decode_then_encode_round_trips (void)
{
    shr_arena_t *arena = shr_arena_new ();
    const char *text = "{\"id\":\"A-1\",\"region\":null,\"urgent\":true,"
                       "\"due\":\"2026-11-27T04:13:57.123Z\",\"ratio\":0.25,"
                       "\"price\":{\"unit\":\"pc\",\"cents\":150},"
                       "\"lines\":[{\"part_id\":\"P-1\",\"qty\":2},{\"part_id\":\"P-2\",\"qty\":1}],"
                       "\"tags\":[\"x\",\"y\"],\"extra\":{\"k\":[1,2]},\"note\":\"n\"}";
    cJSON *body = cJSON_Parse (text);
    s_order_t order;
    char err[256];
    CHECK (shr_shape_decode (&s_order_shape, body, &order, arena, err, sizeof err) == 0);
    CHECK_STR (order.head.id, "A-1");
    CHECK (order.head.region == NULL);
    CHECK_INT (order.level, 1);          //  the default,
    CHECK (!order.has_level);            //  but not given
    CHECK (order.urgent && order.has_urgent);
    CHECK_INT (order.due, 1795752837123LL);
    CHECK (order.ratio == 0.25);
    CHECK (order.has_price && order.price.cents == 150);
    CHECK_INT (order.lines.count, 2);
    CHECK_STR (order.lines.items[1].part_id, "P-2");
    CHECK_INT (order.tags.count, 2);
    CHECK_STR (order.tags.items[0], "x");
    CHECK (cJSON_IsObject (order.extra));
    char *again = s_encode (&order, err, sizeof err);
    CHECK_STR (again, "{\"id\":\"A-1\",\"region\":null,\"urgent\":true,"
                      "\"due\":\"2026-11-27T04:13:57.123Z\",\"ratio\":0.25,"
                      "\"price\":{\"unit\":\"pc\",\"cents\":150},"
                      "\"lines\":[{\"part_id\":\"P-1\",\"qty\":2},{\"part_id\":\"P-2\",\"qty\":1}],"
                      "\"tags\":[\"x\",\"y\"],\"extra\":{\"k\":[1,2]},\"note\":\"n\"}");
    free (again);
    //  Absent and nullable: null; absent and optional: left out; required: an error.
    memset (&order, 0, sizeof order);
    order.head.id = "B";
    again = s_encode (&order, err, sizeof err);
    CHECK_STR (again, "{\"id\":\"B\",\"region\":null,\"due\":null,\"ratio\":0,\"price\":null,"
                      "\"tags\":[],\"note\":null}");
    free (again);
    order.head.id = NULL;
    CHECK (s_encode (&order, err, sizeof err) == NULL);
    CHECK (strstr (err, "required field id") != NULL);
    //  A body of the wrong type (not validated) is refused, not misread.
    cJSON *bad = cJSON_Parse ("{\"id\":7}");
    CHECK (shr_shape_decode (&s_order_shape, bad, &order, arena, err, sizeof err) == -1);
    CHECK (strstr (err, "id") != NULL);
    cJSON_Delete (bad);
    cJSON_Delete (body);
    shr_arena_destroy (&arena);
    shr_arena_destroy (&arena);
    CHECK (arena == NULL);
}

static void test_bind_and_read_by_name (void)
{
    char err[256];
    shr_store_t *store = shr_store_new (":memory:", SHR_SYNC_FULL, err, sizeof err);
    shr_arena_t *arena = shr_arena_new ();
    CHECK (shr_store_exec (store, "CREATE TABLE o (id TEXT, region TEXT, level INTEGER,"
                                  " urgent INTEGER, due_ms INTEGER, ratio REAL, unit TEXT,"
                                  " cents INTEGER, lines TEXT, tags TEXT, extra TEXT, note TEXT)")
           == 0);
    s_line_t lines[] = {{"P-1", 3}};
    s_order_t order = {.head = {"A-1", "north"}, .level = 4, .has_level = true,
                       .due = 1795752837123LL, .has_due = true, .ratio = 1.5};
    order.lines.count = 1;
    order.lines.items = lines;
    order.has_lines = true;
    sqlite3_stmt *stmt = shr_store_stmt (
        store, "INSERT INTO o VALUES (:id, :region, :level, :urgent, :due, :ratio, 'kg', 99,"
               " :lines, '[\"t\"]', '{\"a\":1}', :note)");
    CHECK (shr_shape_bind (&s_order_shape, &order, stmt) == SQLITE_OK);
    CHECK (shr_store_step_done (stmt) == 0);
    //  Absent values bound NULL; a time binds as ms.
    stmt = shr_store_stmt (store, "SELECT urgent IS NULL, due_ms, note IS NULL FROM o");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 1);
    CHECK_INT (sqlite3_column_int64 (stmt, 1), 1795752837123LL);
    CHECK_INT (sqlite3_column_int (stmt, 2), 1);
    sqlite3_reset (stmt);

    //  Columns by name: <time>_ms, "parent.child", JSON text, and _-names skipped.
    stmt = shr_store_stmt (store, "SELECT 7 AS _cursor, id, region, level, urgent, due_ms,"
                                  " ratio, unit AS \"price.unit\", cents AS \"price.cents\","
                                  " lines, tags, extra, note FROM o");
    s_order_t read;
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK (shr_shape_read (&s_order_shape, stmt, &read, arena, err, sizeof err) == 0);
    sqlite3_reset (stmt);
    CHECK_STR (read.head.id, "A-1");
    CHECK_STR (read.head.region, "north");
    CHECK (read.has_level && read.level == 4);
    CHECK (!read.has_urgent);
    CHECK (read.has_due && read.due == 1795752837123LL);
    CHECK (read.has_price && streq (read.price.unit, "kg") && read.price.cents == 99);
    CHECK (read.has_lines && read.lines.count == 1 && read.lines.items[0].qty == 3);
    CHECK (read.tags.count == 1 && streq (read.tags.items[0], "t"));
    CHECK (cJSON_GetObjectItem (read.extra, "a") != NULL);
    CHECK (read.note == NULL);
    //  A column that names no field is a programming error, named.
    stmt = shr_store_stmt (store, "SELECT id, region AS regoin FROM o");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK (shr_shape_read (&s_order_shape, stmt, &read, arena, err, sizeof err) == -1);
    CHECK (strstr (err, "column regoin names no field") != NULL);
    sqlite3_reset (stmt);
    //  A nested object whose columns are all NULL is absent.
    stmt = shr_store_stmt (store, "SELECT NULL AS \"price.unit\", NULL AS \"price.cents\"");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK (shr_shape_read (&s_order_shape, stmt, &read, arena, err, sizeof err) == 0);
    CHECK (!read.has_price);
    sqlite3_reset (stmt);
    shr_arena_destroy (&arena);
    shr_store_destroy (&store);
}

static void test_arena_grows_and_resets (void)
{
    shr_arena_t *arena = shr_arena_new ();
    char *big = (char *) shr_arena_alloc (arena, 100000);  //  larger than a block
    CHECK (big && big[99999] == 0);
    for (int i = 0; i < 1000; i++)
        CHECK (shr_arena_printf (arena, "item %d", i) != NULL);
    CHECK_STR (shr_arena_strdup (arena, "kept"), "kept");
    cJSON *tree = cJSON_CreateObject ();
    CHECK (shr_arena_keep (arena, &tree) != NULL && tree == NULL);
    shr_arena_reset (arena);  //  frees the tree (LeakSanitizer would say otherwise)
    CHECK (((uintptr_t) shr_arena_alloc (arena, 3)) % 16 == 0);
    shr_arena_destroy (&arena);
}

int main (void)
{
    RUN (test_decode_then_encode_round_trips);
    RUN (test_bind_and_read_by_name);
    RUN (test_arena_grows_and_resets);
    return TEST_DONE ("test_shape");
}
