/*  Inventory's domain code driven directly over a store, as the server runs
    it (each op in a unit of work), by a few thousand random movements: after
    every one the stock's books must hold. On hand is the sum of the ledger,
    and so is the value; nothing is negative; reservations add up to what the
    stock says is reserved and owed; while a stock owes anything nothing of it
    is available; the value journal's total is the stocks' value. A refused
    request changes nothing at all. */
#include "../../services/inventory/inventory.h"
#include "testutil.h"
#include "domainutil.h"

static domain_t s_domain;
static inventory_settings_t s_settings = {"CNY", 0.95, 90, 30, 50, 60000};
static int64_t s_now = 1795752000000LL;

//  Runs op on json in one unit of work. Returns 0, or -1 with error filled.
static int s_call (const char *op, const char *json, shr_error_t *error)
{
    return domain_call (&s_domain, inventory_ops, &s_settings, s_now, op, json, NULL, error);
}

static int64_t s_number (const char *sql)
{
    sqlite3_stmt *stmt = shr_store_stmt (s_domain.store, sql);
    int64_t n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return n;
}

//  Everything the books promise; each query counts the stocks that break it.
static const char *const s_invariants[] = {
    "SELECT count(*) FROM stock s WHERE on_hand != (SELECT coalesce (sum (qty), 0) FROM ledger l"
    " WHERE l.sku = s.sku AND l.warehouse_id = s.warehouse_id)",
    "SELECT count(*) FROM stock s WHERE value_cents != (SELECT coalesce (sum"
    " (value_change_cents), 0) FROM ledger l WHERE l.sku = s.sku AND l.warehouse_id ="
    " s.warehouse_id)",
    "SELECT count(*) FROM stock s WHERE reserved != (SELECT coalesce (sum (reserved), 0) FROM"
    " reservation r WHERE r.sku = s.sku AND r.warehouse_id = s.warehouse_id)"
    " OR backordered != (SELECT coalesce (sum (backordered), 0) FROM reservation r"
    " WHERE r.sku = s.sku AND r.warehouse_id = s.warehouse_id)",
    "SELECT count(*) FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand"
    " OR value_cents < 0 OR (on_hand = 0 AND value_cents != 0) OR backordered < 0",
    "SELECT count(*) FROM stock WHERE backordered > 0 AND on_hand > reserved",
    "SELECT count(*) FROM reservation WHERE reserved < 0 OR backordered < 0 OR issued < 0",
    "SELECT (SELECT value_cents FROM valuation_point WHERE scope = '*' ORDER BY at_ms DESC,"
    " n DESC LIMIT 1) != (SELECT sum (value_cents) FROM stock)",
    NULL};

static bool s_books_hold (void)
{
    bool hold = true;
    for (int i = 0; s_invariants[i]; i++)
        if (s_number (s_invariants[i]) != 0) {
            fprintf (stderr, "  broken: %s\n", s_invariants[i]);
            hold = false;
        }
    return hold;
}

static void test_setup (void)
{
    CHECK (s_call ("warehouse.upsert", "{\"id\":\"WH-A\",\"name\":\"A\",\"regions\":[\"north\"]}",
                   NULL) == 0);
    CHECK (s_call ("warehouse.upsert", "{\"id\":\"WH-B\",\"name\":\"B\",\"regions\":[\"south\"]}",
                   NULL) == 0);
    for (int p = 0; p < 3; p++) {
        char json[256];
        snprintf (json, sizeof json,
                  "{\"sku\":\"P-%d\",\"name\":\"part\",\"policies\":[{\"warehouse_id\":\"WH-A\","
                  "\"kind\":\"fixed\",\"reorder_point\":%d,\"order_up_to\":%d}]}",
                  p, 3 + p, 12 + p);
        CHECK (s_call ("part.upsert", json, NULL) == 0);
    }
    CHECK (s_books_hold ());
}

static void test_random_movements_keep_the_books (void)
{
    srand (20261201);
    int done = 0, refused = 0;
    for (int i = 0; i < 3000; i++) {
        char json[512];
        const char *op;
        int p = rand () % 3, w = rand () % 2, wo = rand () % 25, qty = 1 + rand () % 6;
        const char *wh = w ? "WH-B" : "WH-A";
        switch (rand () % 7) {
        case 0:
            op = "stock.adjust";
            snprintf (json, sizeof json,
                      "{\"sku\":\"P-%d\",\"warehouse_id\":\"%s\",\"counted\":%d,\"reason\":\"count\","
                      "\"unit_cost_cents\":%d}",
                      p, wh, rand () % 30, 100 + rand () % 900);
            break;
        case 1:
        case 2:
            op = "stock.reserve";
            snprintf (json, sizeof json,
                      "{\"workorder_id\":\"WO-%d\",\"warehouse_id\":\"%s\",\"lines\":[{\"sku\":"
                      "\"P-%d\",\"qty\":%d}]}",
                      wo, wo % 2 ? "WH-B" : "WH-A", p, qty);
            break;
        case 3:
            op = "stock.release";
            snprintf (json, sizeof json,
                      rand () % 2 ? "{\"workorder_id\":\"WO-%d\"}"
                                  : "{\"workorder_id\":\"WO-%d\",\"lines\":[{\"sku\":\"P-%d\","
                                    "\"qty\":%d}]}",
                      wo, p, qty);
            break;
        case 4:
            op = "stock.issue";
            snprintf (json, sizeof json,
                      "{\"workorder_id\":\"WO-%d\",\"warehouse_id\":\"%s\",\"lines\":[{\"sku\":"
                      "\"P-%d\",\"qty\":%d}],\"release_rest\":%s}",
                      wo, wo % 2 ? "WH-B" : "WH-A", p, qty, rand () % 3 ? "false" : "true");
            break;
        case 5:
            op = "stock.return";
            snprintf (json, sizeof json,
                      "{\"workorder_id\":\"WO-%d\",\"sku\":\"P-%d\",\"warehouse_id\":\"%s\","
                      "\"qty\":%d,\"reason\":\"unused\"}",
                      wo, p, wo % 2 ? "WH-B" : "WH-A", qty);
            break;
        default:
            op = "stock.transfer";
            snprintf (json, sizeof json,
                      "{\"sku\":\"P-%d\",\"from_warehouse_id\":\"%s\",\"to_warehouse_id\":\"%s\","
                      "\"qty\":%d}",
                      p, wh, w ? "WH-A" : "WH-B", qty);
            break;
        }
        int64_t events = shr_outbox_last_seq (s_domain.outbox);
        int64_t entries = s_number ("SELECT count(*) FROM ledger");
        shr_error_t error;
        if (s_call (op, json, &error) == 0)
            done++;
        else {
            refused++;
            //  A refusal is a clear one, and leaves nothing behind.
            CHECK (error.code == SHR_FAILED_PRECONDITION || error.code == SHR_NOT_FOUND
                   || error.code == SHR_INVALID_ARGUMENT);
            CHECK (*error.field);
            CHECK_INT (shr_outbox_last_seq (s_domain.outbox), events);
            CHECK_INT (s_number ("SELECT count(*) FROM ledger"), entries);
        }
        s_now += 60000;
        if (!s_books_hold ()) {
            fprintf (stderr, "  after %s %s\n", op, json);
            CHECK (false);
            break;
        }
    }
    //  Both kinds happened, plenty of each.
    CHECK (done > 1000 && refused > 100);
    CHECK (s_number ("SELECT count(*) FROM reservation WHERE backordered > 0") > 0
           || s_number ("SELECT count(*) FROM ledger WHERE reason = 'back-order filled'") > 0);
}

int main (void)
{
    shr_log_init ("inventory", "warn");  //  a reorder alert is logged at info: thousands here
    if (domain_open (&s_domain, "inventory", inventory_migrations, inventory_events))
        return 1;
    RUN (test_setup);
    RUN (test_random_movements_keep_the_books);
    domain_close (&s_domain);
    return TEST_DONE ("test_inventory_domain");
}
