/*  Unit tests of shr_work, the unit of work: a piece that fails rolls back
    only itself and its events; a commit that fails leaves nothing behind;
    events are published only after the commit. Also shr_store's rule that a
    cached statement is not fetched again while its rows are being read. */
#include "shared.h"
#include "testutil.h"

#include <sys/wait.h>

static shr_store_t *s_store;
static shr_schema_t *s_schemas;
static shr_outbox_t *s_outbox;

//  Inserts the item named by arg and emits item.created; an id starting with
//  "bad" fails after both, so that both must be undone.
static int s_piece (shr_call_t *call, void *arg)
{
    const char *id = (const char *) arg;
    if (shr_call_exec (call, "INSERT INTO item (id, parent) VALUES (:id, :parent)", NULL, NULL,
                       SHR_TEXT (":id", id),
                       SHR_TEXT (":parent", strncmp (id, "orphan", 6) == 0 ? "nobody" : NULL),
                       SHR_END))
        return -1;
    char data[128];
    snprintf (data, sizeof data, "{\"id\":\"%s\",\"value\":1,\"version\":1,\"closed\":false}", id);
    if (shr_outbox_append (s_outbox, "item.created", id, call->actor, call->now_ms, data, &call->error) < 0)
        return -1;
    CHECK (shr_call_strdup (call, id) != NULL);  //  the arena is there
    if (strncmp (id, "bad", 3) == 0)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id", "%s is bad", id);
    return 0;
}

static int64_t s_count (const char *sql)
{
    sqlite3_stmt *stmt = shr_store_stmt (s_store, sql);
    int64_t n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return n;
}

static void test_a_failed_piece_rolls_back_only_itself (void)
{
    shr_work_t *work = shr_work_new (s_store, s_outbox);
    char err[256];
    CHECK (shr_work_begin (work) == 0);
    CHECK (shr_work_open (work));
    const char *ids[] = {"a", "bad-1", "b"};
    int results[3];
    for (int i = 0; i < 3; i++) {
        shr_call_t call = {.op = "test", .now_ms = 1};
        results[i] = shr_work_run (work, &call, false, s_piece, (void *) ids[i]);
        if (i == 1)
            CHECK_INT (call.error.code, SHR_FAILED_PRECONDITION);
    }
    CHECK (results[0] == 0 && results[1] == -1 && results[2] == 0);
    CHECK (shr_work_commit (work, err, sizeof err) == 0);
    CHECK_INT (shr_outbox_last_seq (s_outbox), 0);  //  committed, not yet published
    shr_work_publish (work);
    CHECK_INT (shr_outbox_last_seq (s_outbox), 2);
    CHECK_INT (s_count ("SELECT count(*) FROM item"), 2);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), 2);
    CHECK_INT (s_count ("SELECT max(seq) FROM shr_outbox"), 2);  //  no gap where bad-1 was
    shr_work_destroy (&work);
    shr_work_destroy (&work);
    CHECK (work == NULL);
}

static void test_a_failed_commit_leaves_nothing (void)
{
    //  A deferred foreign key fails at COMMIT, after every piece succeeded.
    shr_work_t *work = shr_work_new (s_store, s_outbox);
    char err[256];
    int64_t items = s_count ("SELECT count(*) FROM item");
    int64_t seq = shr_outbox_last_seq (s_outbox);
    CHECK (shr_store_exec (s_store, "PRAGMA defer_foreign_keys = ON") == 0);
    CHECK (shr_work_begin (work) == 0);
    shr_call_t call = {.op = "test"};
    CHECK (shr_work_run (work, &call, false, s_piece, "c") == 0);
    CHECK (shr_work_run (work, &call, false, s_piece, "orphan") == 0);
    CHECK (shr_work_commit (work, err, sizeof err) == -1);
    CHECK (strstr (err, "FOREIGN KEY") != NULL);
    shr_work_publish (work);
    CHECK_INT (s_count ("SELECT count(*) FROM item"), items);
    CHECK_INT (shr_outbox_last_seq (s_outbox), seq);
    //  The next unit of work goes on from the same seq, without a gap.
    CHECK (shr_work_begin (work) == 0);
    CHECK (shr_work_run (work, &call, false, s_piece, "d") == 0);
    CHECK (shr_work_commit (work, err, sizeof err) == 0);
    shr_work_publish (work);
    CHECK_INT (shr_outbox_last_seq (s_outbox), seq + 1);
    //  A rollback drops what the pieces did.
    CHECK (shr_work_begin (work) == 0);
    CHECK (shr_work_run (work, &call, false, s_piece, "e") == 0);
    shr_work_rollback (work);
    CHECK (!shr_work_open (work));
    CHECK_INT (s_count ("SELECT count(*) FROM item WHERE id = 'e'"), 0);
    shr_work_destroy (&work);
}

static void test_a_statement_is_not_fetched_twice_mid_rows (void)
{
    //  Test builds abort, naming the statement: run it in a child.
    pid_t pid = fork ();
    if (pid == 0) {
        sqlite3_stmt *stmt = shr_store_stmt (s_store, "SELECT id FROM item");
        sqlite3_step (stmt);
        shr_store_stmt (s_store, "SELECT id FROM item");  //  still mid-rows
        _exit (0);
    }
    int status = 0;
    waitpid (pid, &status, 0);
#ifdef SHR_TEST_HOOKS
    CHECK (WIFSIGNALED (status) && WTERMSIG (status) == SIGABRT);
#else
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
#endif
}

int main (void)
{
    char err[256];
    s_schemas = shr_schema_new ();
    s_store = shr_store_new (":memory:", SHR_SYNC_FULL, err, sizeof err);
    const char *const steps[] = {"CREATE TABLE item (id TEXT PRIMARY KEY, parent TEXT"
                                 " REFERENCES item (id))",
                                 NULL};
    if (shr_schema_load_dir (s_schemas, "schemas", err, sizeof err) < 0
        || shr_schema_load_dir (s_schemas, "tests/fixtures/schemas", err, sizeof err) < 0
        || shr_store_migrate (s_store, "shared.outbox", shr_outbox_migrations, err, sizeof err) < 0
        || shr_store_migrate (s_store, "test", steps, err, sizeof err) < 0
        || !(s_outbox = shr_outbox_new ("fixture", s_store, s_schemas, err, sizeof err))
        || shr_outbox_declare (s_outbox, "item.created", err, sizeof err)) {
        fprintf (stderr, "setup: %s\n", err);
        return 1;
    }
    RUN (test_a_failed_piece_rolls_back_only_itself);
    RUN (test_a_failed_commit_leaves_nothing);
    RUN (test_a_statement_is_not_fetched_twice_mid_rows);
    shr_outbox_destroy (&s_outbox);
    shr_store_destroy (&s_store);
    shr_schema_destroy (&s_schemas);
    return TEST_DONE ("test_work");
}
