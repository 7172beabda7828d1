/*  shr_store - a service's SQLite database.

    Opens the file in WAL mode, foreign keys on and a busy timeout, with one of
    two durabilities: FULL (the default) fsyncs the WAL at every commit, so an
    acknowledged change survives a power cut; NORMAL syncs only at checkpoints,
    so a power cut may lose the last commits (never the database's integrity).
    Applies numbered migrations at start-up; caches prepared statements
    (prepared statements only: callers bind values, never format SQL); wraps
    transactions and savepoints. WAL checkpoints run in a background thread on a
    second connection, so a commit never stalls behind the automatic checkpoint.

    One connection, used from one thread at a time.

    Test builds (make SANITIZE=1, which defines SHR_TEST_HOOKS) read two more
    variables: SHR_TEST_VFS=powercut opens every database through shr_testvfs,
    so that a SIGKILL loses what a power cut would, and SHR_TEST_CHECKPOINT_MS
    sets the checkpointer's period (default 200). A production build refuses to
    open a store when either is set.
*/
#ifndef SHR_STORE_H_INCLUDED
#define SHR_STORE_H_INCLUDED

#include <czmq.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _shr_store_t shr_store_t;

typedef enum {
    SHR_SYNC_FULL,    //  PRAGMA synchronous=FULL: every commit is on disk when it returns
    SHR_SYNC_NORMAL   //  PRAGMA synchronous=NORMAL: commits reach the disk at checkpoints
} shr_sync_t;

//  Opens (creating if needed) the database at path, or ":memory:". Returns NULL
//  with a message in err if the file cannot be opened or configured, or a test
//  hook above is set wrongly (or at all, in a production build).
shr_store_t *shr_store_new (const char *path, shr_sync_t sync, char *err, size_t errlen);

//  "full" or "normal". Cannot fail.
const char *shr_sync_name (shr_sync_t sync);

//  Stops the checkpointer, finalizes cached statements, checkpoints and closes.
//  Nulls *self_p. Safe twice.
void shr_store_destroy (shr_store_t **self_p);

//  Applies the migrations of one component ("shared", "dispatch") that are not yet
//  applied. steps is NULL-terminated; steps[i] is version i+1 and may hold several
//  statements. Each version runs in its own transaction with its bookkeeping row.
//  Returns the number applied, or -1 with a message in err (nothing of the failed
//  version is applied).
int shr_store_migrate (shr_store_t *self, const char *component, const char *const *steps,
                       char *err, size_t errlen);

//  The latest applied version of a component, 0 if none. -1 on a database error.
int shr_store_version (shr_store_t *self, const char *component);

//  A cached prepared statement for sql, reset and with bindings cleared.
//  Returns NULL (and logs) if it does not prepare. Borrowed: do not finalize.
//  Not reentrant: there is one statement per SQL text, so fetching the same
//  text again while its rows are still being read resets the first use. Read
//  what you need, reset it (shr_store_step_done, sqlite3_reset), then fetch it
//  again. Test builds (SHR_TEST_HOOKS) abort on a fetch of a statement that is
//  still mid-rows, naming it; production logs it and resets.
sqlite3_stmt *shr_store_stmt (shr_store_t *self, const char *sql);

//  shr_store_stmt, with a place to keep one thing with the statement for as
//  long as it is cached (how its rows map to a struct): *slot_p points to it,
//  NULL at first; destroy (may be NULL) frees what is there with the store.
sqlite3_stmt *shr_store_stmt_slot (shr_store_t *self, const char *sql, void ***slot_p,
                                   void (*destroy) (void **));

//  Runs sql (no parameters, any number of statements), for DDL and PRAGMAs.
//  Returns 0 or -1 (see shr_store_errmsg).
int shr_store_exec (shr_store_t *self, const char *sql);

//  Transactions. Each returns 0 or -1 (see shr_store_errmsg). A savepoint is one
//  level deep: release or roll back to it before taking the next.
int shr_store_begin (shr_store_t *self);
int shr_store_commit (shr_store_t *self);
int shr_store_rollback (shr_store_t *self);
int shr_store_savepoint (shr_store_t *self);
int shr_store_release (shr_store_t *self);
int shr_store_rollback_to (shr_store_t *self);

//  The number of commits so far: the number of the last one. Cannot fail.
int64_t shr_store_commits (shr_store_t *self);

//  The highest commit number that is on disk: the last one, since COMMIT
//  returns once it is (synchronous=FULL syncs the WAL inside it; NORMAL is
//  as durable as it gets when it returns). Cannot fail.
int64_t shr_store_durable (shr_store_t *self);

//  True while a transaction is open.
int shr_store_in_transaction (shr_store_t *self);

//  Runs a trivial query to prove the database answers. Returns 0 or -1.
int shr_store_check (shr_store_t *self);

//  The last error message of the connection. Borrowed.
const char *shr_store_errmsg (shr_store_t *self);

//  The raw connection, for what the helpers do not cover. Borrowed.
sqlite3 *shr_store_db (shr_store_t *self);

//  Binds a text parameter, or NULL when text is NULL. Returns SQLite's code.
int shr_store_bind_text (sqlite3_stmt *stmt, int index, const char *text);

//  Bind by name (":id"): the parameter must exist, so that a typo is an error,
//  not a NULL. Text is copied; NULL text binds NULL. Return 0, or -1 (logged)
//  when the statement has no such parameter or SQLite refuses.
int shr_store_set_text (sqlite3_stmt *stmt, const char *name, const char *text);
int shr_store_set_int (sqlite3_stmt *stmt, const char *name, int64_t value);
int shr_store_set_null (sqlite3_stmt *stmt, const char *name);

//  Column text as a C string ("" for NULL). Borrowed until the next step.
const char *shr_store_column_text (sqlite3_stmt *stmt, int column);

//  Steps a statement that returns no rows (INSERT/UPDATE/DELETE) and resets it.
//  Returns 0, or -1 if the step did not end in SQLITE_DONE.
int shr_store_step_done (sqlite3_stmt *stmt);

#endif
