/*  shr_store - a service's SQLite database. See shr_store.h. */
#include "shr_store.h"
#include "shr_config.h"
#include "shr_log.h"
#include "shr_testvfs.h"
#include "shr_time.h"

#include <czmq.h>

#define CHECKPOINT_INTERVAL_MS 200
#define BUSY_WAL_FRAMES 256            //  a WAL this long means the writer is busy:
#define BUSY_CHECKPOINT_MS 10          //  then checkpoint this often
#define WAL_FRAMES_LIMIT 4096          //  about 16 MB of 4 KiB pages, then the writer helps
#define WAL_BYTES_KEPT "67108864"      //  what a restarted WAL file is truncated to

struct _shr_store_t {
    sqlite3 *db;
    char *path;
    shr_sync_t sync;
    int checkpoint_ms;      //  CHECKPOINT_INTERVAL_MS, but SHR_TEST_CHECKPOINT_MS in tests
    zhashx_t *statements;   //  sql text -> sqlite3_stmt *
    zactor_t *checkpointer; //  NULL for ":memory:"
    int64_t commits;        //  commits so far: a commit's number is the count after it
};

const char *shr_sync_name (shr_sync_t sync)
{
    return sync == SHR_SYNC_NORMAL ? "normal" : "full";
}

//  Opens a connection with the pragmas every connection needs.
static sqlite3 *s_open (const char *path, shr_sync_t sync, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2 (path, &db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                              NULL);
    if (rc != SQLITE_OK) {
        snprintf (err, errlen, "cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "no memory");
        sqlite3_close (db);
        return NULL;
    }
    sqlite3_busy_timeout (db, 5000);
    //  Checkpoints belong to the background thread (wal_autocheckpoint=0), so
    //  commits on the request path never wait for one.
    const char *pragmas = sync == SHR_SYNC_NORMAL
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;"
                                "PRAGMA journal_size_limit=" WAL_BYTES_KEPT ";"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;"
                                "PRAGMA journal_size_limit=" WAL_BYTES_KEPT ";";
    char *message = NULL;
    if (sqlite3_exec (db, pragmas, NULL, NULL, &message) != SQLITE_OK) {
        snprintf (err, errlen, "cannot configure %s: %s", path, message ? message : "?");
        sqlite3_free (message);
        sqlite3_close (db);
        return NULL;
    }
    return db;
}

//  After each commit of the writer. The background checkpointer copies the WAL
//  into the database, but a WAL only starts over from its beginning when a
//  write begins with every frame copied, which a writer that never pauses
//  rarely meets: the file grew to 491 MB in 4 s at 17,000 commits/s. Past
//  WAL_FRAMES_LIMIT the writer, between its transactions, copies what is left
//  itself (little: the checkpointer did the rest), so the next write restarts
//  the WAL, and journal_size_limit truncates the file. SQLite calls this with
//  the write lock released, so checkpointing here is allowed.
static int s_wal_hook (void *arg, sqlite3 *db, const char *name, int frames)
{
    (void) arg;
    if (frames > WAL_FRAMES_LIMIT)
        sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

//  The checkpointer: its own connection, a PASSIVE checkpoint (which never
//  blocks the writer) every 200 ms, or every 10 ms while the writer is busy,
//  until $TERM.
static void s_checkpointer (zsock_t *pipe, void *args)
{
    shr_store_t *store = (shr_store_t *) args;
    char err[256];
    sqlite3 *db = s_open (store->path, store->sync, err, sizeof err);
    zsock_signal (pipe, 0);
    if (!db)
        shr_log_error ("checkpointer: %s", err);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    //  Without this, once SIGTERM has set zsys_interrupted the poller returns at
    //  once without reading the pipe, and the owner waits for ever on $TERM.
    zpoller_set_nonstop (poller, true);
    //  A busy writer gets a busy checkpointer: soon again while the WAL grows,
    //  so that the writer's own share (s_wal_hook) stays small.
    int wait_ms = store->checkpoint_ms;
    while (true) {
        void *which = zpoller_wait (poller, wait_ms);
        if (which == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
        else if (!zpoller_expired (poller))
            continue;  //  interrupted by a signal: the owner decides when we stop
        if (db) {
            int log_frames = 0, done_frames = 0;
            int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                                &done_frames);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY)
                shr_log_warn ("checkpoint failed: %s", sqlite3_errmsg (db));
            wait_ms = log_frames > BUSY_WAL_FRAMES && store->checkpoint_ms > BUSY_CHECKPOINT_MS
                          ? BUSY_CHECKPOINT_MS
                          : store->checkpoint_ms;
        }
    }
    zpoller_destroy (&poller);
    sqlite3_close (db);
}

//  The test hooks of the environment (shr_store.h). A production build has none
//  and refuses them: a test that asked for the power-cut VFS must not pass
//  without it. Returns 0, or -1 with a message in err.
static int s_test_hooks (shr_store_t *self, char *err, size_t errlen)
{
#ifdef SHR_TEST_HOOKS
    const char *vfs = getenv ("SHR_TEST_VFS");
    if (vfs && *vfs && shr_testvfs_register (vfs, err, errlen))
        return -1;
    //  A slow checkpointer lets a test kill the process before the WAL is synced.
    return shr_config_int ("SHR_TEST_CHECKPOINT_MS", CHECKPOINT_INTERVAL_MS, 1, 3600 * 1000, err,
                           errlen, &self->checkpoint_ms);
#else
    (void) self;
    const char *const hooks[] = {"SHR_TEST_VFS", "SHR_TEST_CHECKPOINT_MS"};
    for (size_t index = 0; index < sizeof hooks / sizeof hooks[0]; index++) {
        const char *value = getenv (hooks[index]);
        if (value && *value) {
            snprintf (err, errlen,
                      "%s=%s is set, but this binary has no test hooks (make SANITIZE=1 builds"
                      " them); refusing to run without what a test asked for",
                      hooks[index], value);
            return -1;
        }
    }
    return 0;
#endif
}

//  A cached statement, and what its users keep with it.
typedef struct {
    sqlite3_stmt *stmt;
    void *slot;
    void (*slot_destroy) (void **);
} s_entry_t;

static void s_entry_destroy (s_entry_t **entry_p)
{
    s_entry_t *entry = *entry_p;
    sqlite3_finalize (entry->stmt);
    if (entry->slot && entry->slot_destroy)
        entry->slot_destroy (&entry->slot);
    free (entry);
    *entry_p = NULL;
}

shr_store_t *shr_store_new (const char *path, shr_sync_t sync, char *err, size_t errlen)
{
    shr_store_t *self = (shr_store_t *) zmalloc (sizeof (shr_store_t));
    self->path = strdup (path);
    self->sync = sync;
    self->checkpoint_ms = CHECKPOINT_INTERVAL_MS;
    self->statements = zhashx_new ();
    zhashx_set_destructor (self->statements, (zhashx_destructor_fn *) s_entry_destroy);
    if (s_test_hooks (self, err, errlen))
        goto fail;
    self->db = s_open (path, sync, err, errlen);
    if (!self->db)
        goto fail;
    sqlite3_wal_hook (self->db, s_wal_hook, NULL);
    if (!streq (path, ":memory:")) {
        self->checkpointer = zactor_new (s_checkpointer, self);
        if (!self->checkpointer) {
            snprintf (err, errlen, "cannot start the checkpointer thread");
            goto fail;
        }
    }
    return self;
fail:
    shr_store_destroy (&self);
    return NULL;
}

void shr_store_destroy (shr_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_store_t *self = *self_p;
    zactor_destroy (&self->checkpointer);
    zhashx_destroy (&self->statements);
    if (self->db) {
        //  Leave a short WAL behind for the next start.
        sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_close (self->db);
    }
    free (self->path);
    free (self);
    *self_p = NULL;
}

static s_entry_t *s_entry (shr_store_t *self, const char *sql)
{
    s_entry_t *entry = (s_entry_t *) zhashx_lookup (self->statements, sql);
    if (entry) {
        if (sqlite3_stmt_busy (entry->stmt)) {
            //  Its rows were still being read: the caller fetched it twice.
            shr_log_error ("statement fetched again while its rows are being read: %s", sql);
#ifdef SHR_TEST_HOOKS
            abort ();
#endif
        }
        sqlite3_reset (entry->stmt);
        sqlite3_clear_bindings (entry->stmt);
        return entry;
    }
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
        != SQLITE_OK) {
        shr_log_error ("cannot prepare \"%s\": %s", sql, sqlite3_errmsg (self->db));
        return NULL;
    }
    entry = (s_entry_t *) zmalloc (sizeof (s_entry_t));
    entry->stmt = stmt;
    zhashx_insert (self->statements, sql, entry);
    return entry;
}

sqlite3_stmt *shr_store_stmt (shr_store_t *self, const char *sql)
{
    s_entry_t *entry = s_entry (self, sql);
    return entry ? entry->stmt : NULL;
}

sqlite3_stmt *shr_store_stmt_slot (shr_store_t *self, const char *sql, void ***slot_p,
                                   void (*destroy) (void **))
{
    s_entry_t *entry = s_entry (self, sql);
    if (!entry)
        return NULL;
    entry->slot_destroy = destroy;
    *slot_p = &entry->slot;
    return entry->stmt;
}

int shr_store_exec (shr_store_t *self, const char *sql)
{
    return sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int s_run (shr_store_t *self, const char *sql)
{
    sqlite3_stmt *stmt = shr_store_stmt (self, sql);
    if (!stmt)
        return -1;
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int shr_store_begin (shr_store_t *self) { return s_run (self, "BEGIN IMMEDIATE"); }
int shr_store_commit (shr_store_t *self)
{
    if (s_run (self, "COMMIT"))
        return -1;
    self->commits++;
    return 0;
}

int64_t shr_store_commits (shr_store_t *self) { return self->commits; }
int64_t shr_store_durable (shr_store_t *self) { return self->commits; }

int shr_store_savepoint (shr_store_t *self) { return s_run (self, "SAVEPOINT request"); }
int shr_store_release (shr_store_t *self) { return s_run (self, "RELEASE request"); }

int shr_store_rollback (shr_store_t *self)
{
    //  SQLite may have rolled back already (e.g. after SQLITE_FULL); that is fine.
    if (sqlite3_get_autocommit (self->db))
        return 0;
    return s_run (self, "ROLLBACK");
}

int shr_store_rollback_to (shr_store_t *self)
{
    if (s_run (self, "ROLLBACK TO request"))
        return -1;
    return s_run (self, "RELEASE request");
}

int shr_store_in_transaction (shr_store_t *self)
{
    return !sqlite3_get_autocommit (self->db);
}

int shr_store_check (shr_store_t *self)
{
    sqlite3_stmt *stmt = shr_store_stmt (self, "SELECT count(*) FROM sqlite_schema");
    if (!stmt)
        return -1;
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

const char *shr_store_errmsg (shr_store_t *self) { return sqlite3_errmsg (self->db); }
sqlite3 *shr_store_db (shr_store_t *self) { return self->db; }

int shr_store_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
    return text ? sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT)
                : sqlite3_bind_null (stmt, index);
}

static int s_index (sqlite3_stmt *stmt, const char *name)
{
    int index = sqlite3_bind_parameter_index (stmt, name);
    if (index == 0)
        shr_log_error ("no parameter %s in: %s", name, sqlite3_sql (stmt));
    return index;
}

int shr_store_set_text (sqlite3_stmt *stmt, const char *name, const char *text)
{
    int index = s_index (stmt, name);
    return index && shr_store_bind_text (stmt, index, text) == SQLITE_OK ? 0 : -1;
}

int shr_store_set_int (sqlite3_stmt *stmt, const char *name, int64_t value)
{
    int index = s_index (stmt, name);
    return index && sqlite3_bind_int64 (stmt, index, value) == SQLITE_OK ? 0 : -1;
}

int shr_store_set_null (sqlite3_stmt *stmt, const char *name)
{
    int index = s_index (stmt, name);
    return index && sqlite3_bind_null (stmt, index) == SQLITE_OK ? 0 : -1;
}

const char *shr_store_column_text (sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text (stmt, column);
    return text ? (const char *) text : "";
}

int shr_store_step_done (sqlite3_stmt *stmt)
{
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int shr_store_version (shr_store_t *self, const char *component)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        self, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, component, -1, SQLITE_STATIC);
    int version = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return version;
}

int shr_store_migrate (shr_store_t *self, const char *component, const char *const *steps,
                       char *err, size_t errlen)
{
    if (shr_store_exec (self, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              " component TEXT NOT NULL, version INTEGER NOT NULL,"
                              " applied_at TEXT NOT NULL, PRIMARY KEY (component, version))")) {
        snprintf (err, errlen, "cannot create schema_migrations: %s", shr_store_errmsg (self));
        return -1;
    }
    int current = shr_store_version (self, component);
    if (current < 0) {
        snprintf (err, errlen, "cannot read schema_migrations: %s", shr_store_errmsg (self));
        return -1;
    }
    int count = 0;
    while (steps[count])
        count++;
    if (current > count) {
        snprintf (err, errlen,
                  "%s: the database is at version %d, newer than this binary's %d; refusing to run",
                  component, current, count);
        return -1;
    }
    int applied = 0;
    for (int version = current + 1; version <= count; version++) {
        char *message = NULL;
        if (shr_store_begin (self)
            || sqlite3_exec (self->db, steps[version - 1], NULL, NULL, &message) != SQLITE_OK) {
            snprintf (err, errlen, "%s migration %d failed: %s", component, version,
                      message ? message : shr_store_errmsg (self));
            sqlite3_free (message);
            shr_store_rollback (self);
            return -1;
        }
        sqlite3_stmt *stmt = shr_store_stmt (
            self, "INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)");
        char now[SHR_TIME_LEN];
        shr_time_format (shr_time_now_ms (), now);
        sqlite3_bind_text (stmt, 1, component, -1, SQLITE_STATIC);
        sqlite3_bind_int (stmt, 2, version);
        sqlite3_bind_text (stmt, 3, now, -1, SQLITE_STATIC);
        if (shr_store_step_done (stmt) || shr_store_commit (self)) {
            snprintf (err, errlen, "%s migration %d failed: %s", component, version,
                      shr_store_errmsg (self));
            shr_store_rollback (self);
            return -1;
        }
        applied++;
    }
    return applied;
}
