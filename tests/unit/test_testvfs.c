/*  Unit tests of shr_testvfs: writes held back until sync, one view per path,
    and what a copy of the real files (what a power cut leaves) holds.

    The module exists in test builds only (SHR_TEST_HOOKS); a production build
    of this test checks instead that a store refuses SHR_TEST_VFS.
*/
#include "shr_store.h"
#include "shr_testvfs.h"
#include "testutil.h"

#include <czmq.h>

static char s_dir[256];

static void s_path (char *out, size_t size, const char *name)
{
    snprintf (out, size, "%s/%s", s_dir, name);
}

#ifdef SHR_TEST_HOOKS

//  The size of the real file on disk, -1 if there is none.
static long s_real_size (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 ? (long)st.st_size : -1;
}

//  Opens path through the VFS; the caller frees and closes.
static sqlite3_file *s_open (sqlite3_vfs *vfs, const char *path)
{
    sqlite3_file *file = (sqlite3_file *)calloc (1, (size_t)vfs->szOsFile);
    int flags = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = vfs->xOpen (vfs, path, file, flags, NULL);
    CHECK_INT (rc, SQLITE_OK);
    return file;
}

static void s_close (sqlite3_file **file_p)
{
    (*file_p)->pMethods->xClose (*file_p);
    free (*file_p);
    *file_p = NULL;
}

static sqlite3_int64 s_size (sqlite3_file *file)
{
    sqlite3_int64 size = -1;
    CHECK_INT (file->pMethods->xFileSize (file, &size), SQLITE_OK);
    return size;
}

static void test_register (void)
{
    char err[256] = "";
    CHECK (shr_testvfs_register ("nothing", err, sizeof err) == -1);
    CHECK (strstr (err, "SHR_TEST_VFS=nothing") != NULL);
    CHECK (shr_testvfs_register ("powercut", err, sizeof err) == 0);
    CHECK (shr_testvfs_register ("powercut", err, sizeof err) == 0);
    sqlite3_vfs *vfs = sqlite3_vfs_find (NULL);
    CHECK (vfs && streq (vfs->zName, "powercut"));
}

static void test_writes_wait_for_sync (void)
{
    char path[300];
    s_path (path, sizeof path, "raw.bin");
    sqlite3_vfs *vfs = sqlite3_vfs_find ("powercut");
    sqlite3_file *a = s_open (vfs, path);
    sqlite3_file *b = s_open (vfs, path);
    CHECK_INT (a->pMethods->xWrite (a, "hello", 5, 0), SQLITE_OK);
    CHECK_INT (a->pMethods->xWrite (a, "world", 5, 100), SQLITE_OK);
    //  Nothing on disk, and the other handle of the path sees it all.
    CHECK_INT (s_real_size (path), 0);
    CHECK_INT (s_size (a), 105);
    CHECK_INT (s_size (b), 105);
    char buffer[200];
    CHECK_INT (b->pMethods->xRead (b, buffer, 5, 100), SQLITE_OK);
    CHECK (memcmp (buffer, "world", 5) == 0);
    //  A read past the end is short and zero-filled.
    memset (buffer, 'x', sizeof buffer);
    CHECK_INT (b->pMethods->xRead (b, buffer, 200, 0), SQLITE_IOERR_SHORT_READ);
    CHECK (memcmp (buffer, "hello\0\0", 7) == 0 && buffer[150] == 0);
    int exists = 0;
    CHECK_INT (vfs->xAccess (vfs, path, SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
    CHECK_INT (exists, 1); //  though the real file is empty

    //  A sync of either handle writes the path's writes to the real file.
    CHECK_INT (b->pMethods->xSync (b, SQLITE_SYNC_NORMAL), SQLITE_OK);
    CHECK_INT (s_real_size (path), 105);

    //  A truncate waits too, and hides the real bytes beyond it.
    CHECK_INT (a->pMethods->xTruncate (a, 50), SQLITE_OK);
    CHECK_INT (a->pMethods->xWrite (a, "!", 1, 3), SQLITE_OK);
    CHECK_INT (s_size (b), 50);
    CHECK_INT (s_real_size (path), 105);
    CHECK_INT (b->pMethods->xRead (b, buffer, 10, 100), SQLITE_IOERR_SHORT_READ);
    CHECK (buffer[0] == 0);
    CHECK_INT (a->pMethods->xTruncate (a, 60), SQLITE_OK); //  extends with zeros
    CHECK_INT (b->pMethods->xRead (b, buffer, 60, 0), SQLITE_OK);
    CHECK (memcmp (buffer, "hel!o", 5) == 0 && buffer[55] == 0);
    //  Closing every handle keeps what is pending, as the page cache does.
    s_close (&a);
    s_close (&b);
    sqlite3_file *c = s_open (vfs, path);
    CHECK_INT (s_size (c), 60);
    CHECK_INT (s_real_size (path), 105);
    CHECK_INT (c->pMethods->xSync (c, SQLITE_SYNC_NORMAL), SQLITE_OK);
    CHECK_INT (s_real_size (path), 60);
    CHECK_INT (c->pMethods->xRead (c, buffer, 60, 0), SQLITE_OK);
    CHECK (memcmp (buffer, "hel!o", 5) == 0 && buffer[55] == 0);

    //  A deleted path forgets its writes; a new file of that name starts empty.
    CHECK_INT (c->pMethods->xWrite (c, "pending", 7, 0), SQLITE_OK);
    s_close (&c);
    CHECK_INT (vfs->xDelete (vfs, path, 0), SQLITE_OK);
    CHECK_INT (vfs->xAccess (vfs, path, SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
    CHECK_INT (exists, 0);
    c = s_open (vfs, path);
    CHECK_INT (s_size (c), 0);
    s_close (&c);
}

static void test_long_appends_flush_whole (void)
{
    //  Appends merge into one pending write, longer than unix writes at once.
    char path[300];
    s_path (path, sizeof path, "appends.bin");
    sqlite3_vfs *vfs = sqlite3_vfs_find ("powercut");
    sqlite3_file *file = s_open (vfs, path);
    unsigned char page[4096];
    for (int index = 0; index < 100; index++) {
        memset (page, index, sizeof page);
        CHECK_INT (file->pMethods->xWrite (file, page, sizeof page, (sqlite3_int64)index * 4096),
                   SQLITE_OK);
    }
    CHECK_INT (s_real_size (path), 0);
    CHECK_INT (file->pMethods->xSync (file, SQLITE_SYNC_NORMAL), SQLITE_OK);
    CHECK_INT (s_real_size (path), 100 * 4096);
    zchunk_t *chunk = zchunk_slurp (path, 0);
    CHECK (chunk && zchunk_size (chunk) == 100 * 4096);
    if (chunk)
        CHECK (zchunk_data (chunk)[99 * 4096 + 7] == 99 && zchunk_data (chunk)[40 * 4096] == 40);
    zchunk_destroy (&chunk);
    s_close (&file);
}

//  Copies the real file at from to to (absent stays absent): what a power cut
//  would leave on disk.
static void s_copy (const char *from, const char *to)
{
    remove (to);
    zchunk_t *chunk = zchunk_slurp (from, 0);
    if (!chunk) return;
    FILE *file = fopen (to, "wb");
    CHECK (file);
    if (file) {
        CHECK (fwrite (zchunk_data (chunk), 1, zchunk_size (chunk), file) == zchunk_size (chunk));
        fclose (file);
    }
    zchunk_destroy (&chunk);
}

//  Rows of table t in a copy of the database and its WAL as they are on disk,
//  opened with the plain unix VFS; -1 if the copy does not open. Checks its integrity.
static int s_rows_after_cut (const char *path)
{
    char copy[320], from[330], to[330];
    snprintf (copy, sizeof copy, "%s.cut", path);
    snprintf (from, sizeof from, "%s-wal", path);
    snprintf (to, sizeof to, "%s-wal", copy);
    s_copy (path, copy);
    s_copy (from, to);
    snprintf (to, sizeof to, "%s-shm", copy);
    remove (to);
    sqlite3 *db = NULL;
    int rows = -1;
    if (sqlite3_open_v2 (copy, &db, SQLITE_OPEN_READWRITE, "unix") == SQLITE_OK) {
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step (stmt) == SQLITE_ROW)
            CHECK_STR ((const char *)sqlite3_column_text (stmt, 0), "ok");
        sqlite3_finalize (stmt);
        stmt = NULL;
        if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t", -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step (stmt) == SQLITE_ROW)
            rows = sqlite3_column_int (stmt, 0);
        sqlite3_finalize (stmt);
    }
    sqlite3_close (db);
    return rows;
}

static void s_insert (shr_store_t *store, int count)
{
    for (int row = 0; row < count; row++)
        CHECK (shr_store_exec (store, "INSERT INTO t (v) VALUES (randomblob(100))") == 0);
}

static void test_power_cut_keeps_only_synced_commits (void)
{
    //  The checkpointer would sync the WAL within 200 ms: out of the way.
    setenv ("SHR_TEST_CHECKPOINT_MS", "3600000", 1);
    char path[300], err[256];
    s_path (path, sizeof path, "cut.db");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    CHECK (store);
    CHECK (shr_store_exec (store, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)") == 0);
    s_insert (store, 10);
    //  FULL: each commit synced the WAL, so the cut keeps them all.
    CHECK_INT (s_rows_after_cut (path), 10);
    shr_store_destroy (&store);

    store = shr_store_new (path, SHR_SYNC_NORMAL, err, sizeof err);
    CHECK (store);
    s_insert (store, 5);
    //  NORMAL: committed, seen by the process, but not on disk.
    sqlite3_stmt *stmt = shr_store_stmt (store, "SELECT count(*) FROM t");
    CHECK (sqlite3_step (stmt) == SQLITE_ROW);
    CHECK_INT (sqlite3_column_int (stmt, 0), 15);
    sqlite3_reset (stmt);
    CHECK_INT (s_rows_after_cut (path), 10);
    //  A checkpoint syncs the WAL first: then they survive.
    CHECK_INT (sqlite3_wal_checkpoint_v2 (shr_store_db (store), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                          NULL, NULL),
               SQLITE_OK);
    CHECK_INT (s_rows_after_cut (path), 15);
    s_insert (store, 3);
    CHECK_INT (s_rows_after_cut (path), 15);
    //  Closing checkpoints and syncs everything.
    shr_store_destroy (&store);
    CHECK_INT (s_rows_after_cut (path), 18);
    unsetenv ("SHR_TEST_CHECKPOINT_MS");
}

static void test_store_registers_it_from_the_environment (void)
{
    char path[300], err[256] = "";
    s_path (path, sizeof path, "env.db");
    setenv ("SHR_TEST_VFS", "nothing", 1);
    CHECK (shr_store_new (path, SHR_SYNC_FULL, err, sizeof err) == NULL);
    CHECK (strstr (err, "SHR_TEST_VFS=nothing") != NULL);
    setenv ("SHR_TEST_VFS", "powercut", 1);
    setenv ("SHR_TEST_CHECKPOINT_MS", "0", 1);
    CHECK (shr_store_new (path, SHR_SYNC_FULL, err, sizeof err) == NULL);
    CHECK (strstr (err, "SHR_TEST_CHECKPOINT_MS=0") != NULL);
    unsetenv ("SHR_TEST_CHECKPOINT_MS");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    CHECK (store);
    shr_store_destroy (&store);
    unsetenv ("SHR_TEST_VFS");
}

#else

static void test_production_build_refuses_the_hooks (void)
{
    char path[300], err[256] = "";
    s_path (path, sizeof path, "refuse.db");
    setenv ("SHR_TEST_VFS", "powercut", 1);
    CHECK (shr_store_new (path, SHR_SYNC_FULL, err, sizeof err) == NULL);
    CHECK (strstr (err, "SHR_TEST_VFS=powercut is set, but this binary has no test hooks"));
    unsetenv ("SHR_TEST_VFS");
    setenv ("SHR_TEST_CHECKPOINT_MS", "5000", 1);
    CHECK (shr_store_new (path, SHR_SYNC_FULL, err, sizeof err) == NULL);
    CHECK (strstr (err, "SHR_TEST_CHECKPOINT_MS=5000 is set") != NULL);
    unsetenv ("SHR_TEST_CHECKPOINT_MS");
    shr_store_t *store = shr_store_new (path, SHR_SYNC_FULL, err, sizeof err);
    CHECK (store);
    shr_store_destroy (&store);
}

#endif

int main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/test_testvfs.%d", getpid ());
    zsys_dir_create ("%s", s_dir);
#ifdef SHR_TEST_HOOKS
    RUN (test_register);
    RUN (test_writes_wait_for_sync);
    RUN (test_long_appends_flush_whole);
    RUN (test_power_cut_keeps_only_synced_commits);
    RUN (test_store_registers_it_from_the_environment);
#else
    RUN (test_production_build_refuses_the_hooks);
#endif
    char command[300];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    if (system (command) != 0) fprintf (stderr, "could not remove %s\n", s_dir);
    return TEST_DONE ("test_testvfs");
}
