/*  Unit tests of shr_store: pragmas, migrations, statements, transactions. */
#include "shr_store.h"
#include "testutil.h"

#include <czmq.h>

static char s_dir[256];

static void s_path (char *out, size_t size, const char *name)
{
    snprintf (out, size, "%s/%s", s_dir, name);
}

static const char *const s_steps_v2[] = {
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "ALTER TABLE t ADD COLUMN note TEXT; CREATE INDEX t_name ON t (name)",
    NULL};

static void test_open_sets_pragmas (void)
{
    char path[300], err[256];
    s_path (path, sizeof path, "pragmas.db");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    CHECK (store);
    sqlite3_stmt *stmt = shr_store_stmt (store, "PRAGMA journal_mode");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_STR ((const char *) sqlite3_column_text (stmt, 0), "wal");
    sqlite3_reset (stmt);
    stmt = shr_store_stmt (store, "PRAGMA foreign_keys");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 1);
    sqlite3_reset (stmt);
    stmt = shr_store_stmt (store, "PRAGMA synchronous");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 2);  //  FULL
    sqlite3_reset (stmt);
    CHECK (shr_store_check (store) == 0);
    shr_store_destroy (&store);
    shr_store_destroy (&store);
    CHECK (store == NULL);

    store = shr_store_new (path, SHR_SYNC_NORMAL, err, sizeof err);
    CHECK (store);
    stmt = shr_store_stmt (store, "PRAGMA synchronous");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 1);  //  NORMAL
    sqlite3_reset (stmt);
    shr_store_destroy (&store);
    CHECK_STR (shr_sync_name (SHR_SYNC_FULL), "full");
    CHECK_STR (shr_sync_name (SHR_SYNC_NORMAL), "normal");
}

static void test_open_fails_with_reason (void)
{
    char err[256] = "";
    shr_store_t *store = shr_store_new ("/nonexistent-dir/x/y.db", SHR_SYNC_FULL, err, sizeof err);
    CHECK (store == NULL);
    CHECK (strstr (err, "/nonexistent-dir/x/y.db") != NULL);
}

static void test_migrations_apply_once_and_in_order (void)
{
    char path[300], err[256];
    s_path (path, sizeof path, "migrate.db");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    const char *const v1[] = {s_steps_v2[0], NULL};
    CHECK_INT (shr_store_migrate (store, "demo", v1, err, sizeof err), 1);
    CHECK_INT (shr_store_version (store, "demo"), 1);
    CHECK_INT (shr_store_migrate (store, "demo", v1, err, sizeof err), 0);
    CHECK_INT (shr_store_migrate (store, "demo", s_steps_v2, err, sizeof err), 1);
    CHECK_INT (shr_store_version (store, "demo"), 2);
    CHECK_INT (shr_store_version (store, "other"), 0);
    shr_store_destroy (&store);

    //  Reopened: nothing to do; an older binary refuses a newer database.
    store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    CHECK_INT (shr_store_migrate (store, "demo", s_steps_v2, err, sizeof err), 0);
    CHECK_INT (shr_store_migrate (store, "demo", v1, err, sizeof err), -1);
    CHECK (strstr (err, "newer") != NULL);
    shr_store_destroy (&store);
}

static void test_failed_migration_changes_nothing (void)
{
    char path[300], err[256];
    s_path (path, sizeof path, "badmigrate.db");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    const char *const steps[] = {"CREATE TABLE a (x INTEGER)",
                                 "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1)", NULL};
    CHECK_INT (shr_store_migrate (store, "demo", steps, err, sizeof err), -1);
    CHECK (strstr (err, "migration 2") != NULL);
    CHECK_INT (shr_store_version (store, "demo"), 1);
    //  Table b of the failed version is not there.
    sqlite3_stmt *stmt = shr_store_stmt (
        store, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 0);
    sqlite3_reset (stmt);
    shr_store_destroy (&store);
}

static int64_t s_count (shr_store_t *store)
{
    sqlite3_stmt *stmt = shr_store_stmt (store, "SELECT count(*) FROM t");
    int64_t n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return n;
}

static int s_insert (shr_store_t *store, const char *name)
{
    sqlite3_stmt *stmt = shr_store_stmt (store, "INSERT INTO t (name) VALUES (?)");
    shr_store_bind_text (stmt, 1, name);
    return shr_store_step_done (stmt);
}

static void test_transactions_and_savepoints (void)
{
    char path[300], err[256];
    s_path (path, sizeof path, "tx.db");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    shr_store_migrate (store, "demo", s_steps_v2, err, sizeof err);

    CHECK (shr_store_begin (store) == 0);
    CHECK (shr_store_in_transaction (store));
    CHECK (s_insert (store, "kept") == 0);
    CHECK (shr_store_savepoint (store) == 0);
    CHECK (s_insert (store, "rolled back") == 0);
    CHECK (shr_store_rollback_to (store) == 0);
    CHECK (shr_store_savepoint (store) == 0);
    CHECK (s_insert (store, "released") == 0);
    CHECK (shr_store_release (store) == 0);
    CHECK (s_insert (store, NULL) == -1);  //  NOT NULL: the step fails, reported as -1
    CHECK (shr_store_commit (store) == 0);
    CHECK (!shr_store_in_transaction (store));
    CHECK_INT (s_count (store), 2);

    CHECK (shr_store_begin (store) == 0);
    CHECK (s_insert (store, "gone") == 0);
    CHECK (shr_store_rollback (store) == 0);
    CHECK_INT (s_count (store), 2);
    CHECK (shr_store_rollback (store) == 0);  //  no transaction: harmless
    shr_store_destroy (&store);
}

static void test_bad_sql_returns_null (void)
{
    char err[256];
    shr_store_t *store = shr_store_new (":memory:", SHR_SYNC_FULL, err, sizeof err);
    CHECK (shr_store_stmt (store, "SELEKT nothing") == NULL);
    CHECK (shr_store_exec (store, "CREATE TABLE x (a)") == 0);
    CHECK (shr_store_exec (store, "CREATE TABLE x (a)") == -1);
    CHECK (strstr (shr_store_errmsg (store), "already exists") != NULL);
    shr_store_destroy (&store);
}

static void test_checkpointer_keeps_wal_short (void)
{
    char path[300], wal[310], err[256];
    s_path (path, sizeof path, "wal.db");
    snprintf (wal, sizeof wal, "%s-wal", path);
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    shr_store_migrate (store, "demo", s_steps_v2, err, sizeof err);
    //  Many small commits; the background checkpointer lets the WAL restart.
    for (int i = 0; i < 3000; i++) {
        shr_store_begin (store);
        s_insert (store, "0123456789012345678901234567890123456789012345678901234567890123456789");
        shr_store_commit (store);
        if (i % 500 == 0)
            zclock_sleep (250);
    }
    zclock_sleep (300);
    shr_store_begin (store);
    s_insert (store, "after");
    shr_store_commit (store);
    //  3000 commits of two 4 KiB pages (row and index) would be 24 MB without
    //  checkpoints; with them the WAL restarts and holds about 500 commits.
    CHECK (zsys_file_size (wal) < 8 * 1024 * 1024);
    shr_store_destroy (&store);
    //  Closing truncates the WAL.
    CHECK (zsys_file_size (wal) <= 0);
}

static void test_a_writer_that_never_pauses_keeps_the_wal_bounded (void)
{
    char path[300], wal[310], err[256];
    s_path (path, sizeof path, "busy.db");
    snprintf (wal, sizeof wal, "%s-wal", path);
    shr_store_t *store = shr_store_new (path, SHR_SYNC_NORMAL, err, sizeof err);
    shr_store_migrate (store, "demo", s_steps_v2, err, sizeof err);
    //  40,000 commits without a pause: two pages each would be 320 MB of WAL.
    off_t largest = 0;
    for (int i = 0; i < 40000; i++) {
        shr_store_begin (store);
        s_insert (store, "0123456789012345678901234567890123456789012345678901234567890123456789");
        shr_store_commit (store);
        if (i % 1000 == 0 && zsys_file_size (wal) > largest)
            largest = zsys_file_size (wal);
    }
    CHECK (largest < 48 * 1024 * 1024);
    shr_store_destroy (&store);
}

int main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/test_store.%d", getpid ());
    zsys_dir_create ("%s", s_dir);
    RUN (test_open_sets_pragmas);
    RUN (test_open_fails_with_reason);
    RUN (test_migrations_apply_once_and_in_order);
    RUN (test_failed_migration_changes_nothing);
    RUN (test_transactions_and_savepoints);
    RUN (test_bad_sql_returns_null);
    RUN (test_checkpointer_keeps_wal_short);
    RUN (test_a_writer_that_never_pauses_keeps_the_wal_bounded);
    char command[300];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    if (system (command) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
    return TEST_DONE ("test_store");
}
