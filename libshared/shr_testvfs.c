/*  shr_testvfs - a SQLite VFS that makes a SIGKILL lose what a power cut loses.
    See shr_testvfs.h.

    Why the -shm can pass through. The wal-index in the -shm points at WAL
    frames, and after the cut some of those frames were never written. That does
    no harm because SQLite never trusts a -shm that no live process holds: in
    os_unix.c, unixLockSharedMemory, the first connection to map the -shm (F_GETLK
    finds no other process holding its DMS byte) takes the DMS byte exclusively
    and truncates the -shm to 3 bytes, less than the wal-index header; the header
    then fails its checks, and walIndexReadHdr (wal.c) runs walIndexRecover,
    which rebuilds the index from the frames the WAL file really holds (valid
    checksums, up to the last commit frame). After the SIGKILL of the only
    process, the next open is such a first connection, exactly as after a reboot.
    Locks pass through for the same reason: the kernel drops a dead process's
    POSIX locks, as a reboot does.

    Why a synced file is written but not fsynced. The tests kill the process, not
    the machine: bytes handed to the real file are in the OS page cache, which
    outlives SIGKILL, so in this simulation they are on the platter. An fsync
    would cost milliseconds per commit and change nothing a test can observe.

    One mutex guards the list of files and all their pending writes. Real I/O on
    a shared path happens under it (a flush must not be seen half done), which
    serialises the two connections of a store on I/O: fine in tests.
*/
#include "shr_testvfs.h"

#include <sqlite3.h>

#ifdef SHR_TEST_HOOKS

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_VFS_NAME "powercut"
#define S_FLUSH_PIECE 65536 //  bytes per real write when flushing

//  One write not yet synced: bytes at offset.
typedef struct {
    sqlite3_int64 offset;
    int size;
    int capacity;
    unsigned char *data;
} s_write_t;

//  A path's unsynced state, shared by every handle of the path. The file the
//  process sees is the real file, cut to `visible` bytes and sized `size` if a
//  truncate is pending, with the writes laid over it in the order they came.
typedef struct _s_node_t s_node_t;
struct _s_node_t {
    char *path;
    int handles;       //  open handles on it
    bool unlinked;     //  deleted while open: no longer in the list
    s_write_t *writes; //  in arrival order: a later write wins
    int count, capacity;
    sqlite3_int64 end;     //  the end of the furthest pending write
    bool resized;          //  a truncate is pending:
    sqlite3_int64 size;    //    the size it set
    sqlite3_int64 visible; //    the real file's bytes that still show
    s_node_t *next;
};

//  A handle: our methods, the node (NULL for a nameless temporary file, which
//  passes straight through: nothing of it outlives the process anyway), then
//  the unix VFS's own file.
typedef struct {
    sqlite3_file base;
    s_node_t *node;
    sqlite3_file *real;
} s_file_t;

static pthread_mutex_t s_mutex = PTHREAD_MUTEX_INITIALIZER;
static s_node_t *s_nodes;   //  every path with handles or pending writes
static sqlite3_vfs *s_unix; //  the VFS we wrap
static sqlite3_vfs s_vfs;
static bool s_registered;

//  ---------------------------------------------------------------------------
//  Nodes (callers hold s_mutex)

static s_node_t *s_node_find (const char *path)
{
    for (s_node_t *node = s_nodes; node; node = node->next)
        if (strcmp (node->path, path) == 0) return node;
    return NULL;
}

static void s_node_clear (s_node_t *node)
{
    for (int index = 0; index < node->count; index++)
        free (node->writes[index].data);
    node->count = 0;
    node->end = 0;
    node->resized = false;
}

static void s_node_unlist (s_node_t *node)
{
    for (s_node_t **link = &s_nodes; *link; link = &(*link)->next)
        if (*link == node) {
            *link = node->next;
            break;
        }
    node->next = NULL;
    node->unlinked = true;
}

static void s_node_destroy (s_node_t **node_p)
{
    s_node_t *node = *node_p;
    if (!node) return;
    s_node_clear (node);
    free (node->writes);
    free (node->path);
    free (node);
    *node_p = NULL;
}

//  Frees the node if nothing holds it: no handle, and no pending write to keep
//  (the page cache keeps a closed file's dirty pages, so must we).
static void s_node_release (s_node_t *node)
{
    if (node->handles > 0) return;
    if (!node->unlinked && (node->count > 0 || node->resized)) return;
    if (!node->unlinked) s_node_unlist (node);
    s_node_destroy (&node);
}

//  The size the process sees, given the real file's size.
static sqlite3_int64 s_node_size (s_node_t *node, sqlite3_int64 real_size)
{
    sqlite3_int64 size = node->resized ? node->size : real_size;
    return node->end > size ? node->end : size;
}

//  Queues a write. Returns SQLITE_OK or SQLITE_NOMEM.
static int s_node_write (s_node_t *node, const void *data, int size, sqlite3_int64 offset)
{
    s_write_t *last = node->count ? &node->writes[node->count - 1] : NULL;
    if (last && last->offset + last->size == offset) {
        //  Appends (a WAL frame is a header then a page) grow the last write, so
        //  that reads scan few writes.
        if (last->size + size > last->capacity) {
            int capacity = (last->size + size) * 2;
            unsigned char *grown = (unsigned char *)realloc (last->data, (size_t)capacity);
            if (!grown) return SQLITE_NOMEM;
            last->data = grown;
            last->capacity = capacity;
        }
        memcpy (last->data + last->size, data, (size_t)size);
        last->size += size;
    } else {
        if (node->count == node->capacity) {
            int capacity = node->capacity ? node->capacity * 2 : 16;
            s_write_t *grown =
                (s_write_t *)realloc (node->writes, sizeof (s_write_t) * (size_t)capacity);
            if (!grown) return SQLITE_NOMEM;
            node->writes = grown;
            node->capacity = capacity;
        }
        unsigned char *copy = (unsigned char *)malloc ((size_t)size);
        if (!copy) return SQLITE_NOMEM;
        memcpy (copy, data, (size_t)size);
        node->writes[node->count++] =
            (s_write_t){.offset = offset, .size = size, .capacity = size, .data = copy};
    }
    if (offset + size > node->end) node->end = offset + size;
    return SQLITE_OK;
}

//  Queues a truncate: drops what lies beyond size, hides the real file beyond it.
static void s_node_truncate (s_node_t *node, sqlite3_int64 size, sqlite3_int64 real_size)
{
    if (!node->resized) {
        node->resized = true;
        node->visible = real_size;
    }
    node->size = size;
    if (node->visible > size) node->visible = size;
    int kept = 0;
    node->end = 0;
    for (int index = 0; index < node->count; index++) {
        s_write_t *write = &node->writes[index];
        if (write->offset >= size) {
            free (write->data);
            continue;
        }
        if (write->offset + write->size > size) write->size = (int)(size - write->offset);
        if (write->offset + write->size > node->end) node->end = write->offset + write->size;
        node->writes[kept++] = *write;
    }
    node->count = kept;
}

//  Writes the pending truncate and writes to the real file, in order. On an
//  error everything stays pending (doing it again later gives the same file).
static int s_node_flush (s_node_t *node, sqlite3_file *real)
{
    sqlite3_int64 real_size = 0;
    int rc = real->pMethods->xFileSize (real, &real_size);
    if (rc == SQLITE_OK && node->resized && node->visible < real_size)
        rc = real->pMethods->xTruncate (real, node->visible);
    for (int index = 0; rc == SQLITE_OK && index < node->count; index++) {
        s_write_t *write = &node->writes[index];
        //  In pieces: unix writes at most 128 KiB at a time (seekAndWrite masks the
        //  size with 0x1ffff), and appends made this write longer than any of SQLite's.
        for (int done = 0; rc == SQLITE_OK && done < write->size; done += S_FLUSH_PIECE) {
            int piece = write->size - done < S_FLUSH_PIECE ? write->size - done : S_FLUSH_PIECE;
            rc = real->pMethods->xWrite (real, write->data + done, piece, write->offset + done);
        }
    }
    if (rc == SQLITE_OK && node->resized) rc = real->pMethods->xFileSize (real, &real_size);
    if (rc == SQLITE_OK && node->resized && node->size > real_size)
        rc = real->pMethods->xTruncate (real, node->size); //  extends with zeros
    if (rc == SQLITE_OK) s_node_clear (node);
    return rc;
}

//  ---------------------------------------------------------------------------
//  File methods: those that touch contents go through the node; the rest
//  (locks, shared memory, file controls) pass through to the unix file.

static int s_close (sqlite3_file *file)
{
    s_file_t *self = (s_file_t *)file;
    if (self->node) {
        pthread_mutex_lock (&s_mutex);
        self->node->handles--;
        s_node_release (self->node);
        self->node = NULL;
        pthread_mutex_unlock (&s_mutex);
    }
    return self->real->pMethods->xClose (self->real);
}

static int s_read (sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset)
{
    s_file_t *self = (s_file_t *)file;
    sqlite3_file *real = self->real;
    if (!self->node) return real->pMethods->xRead (real, buffer, amount, offset);
    pthread_mutex_lock (&s_mutex);
    s_node_t *node = self->node;
    sqlite3_int64 real_size = 0;
    int rc = real->pMethods->xFileSize (real, &real_size);
    //  What the real file shows, then zeros (SQLite wants a short read zero-filled).
    memset (buffer, 0, (size_t)amount);
    sqlite3_int64 visible = node->resized && node->visible < real_size ? node->visible : real_size;
    if (rc == SQLITE_OK && offset < visible) {
        sqlite3_int64 shown = visible - offset < amount ? visible - offset : amount;
        rc = real->pMethods->xRead (real, buffer, (int)shown, offset);
        if (rc == SQLITE_IOERR_SHORT_READ)
            rc = SQLITE_OK; //  cannot happen within the real size; zeros anyway
    }
    for (int index = 0; rc == SQLITE_OK && index < node->count; index++) {
        s_write_t *write = &node->writes[index];
        sqlite3_int64 from = write->offset > offset ? write->offset : offset;
        sqlite3_int64 to = write->offset + write->size < offset + amount
                               ? write->offset + write->size
                               : offset + amount;
        if (from < to)
            memcpy ((unsigned char *)buffer + (from - offset), write->data + (from - write->offset),
                    (size_t)(to - from));
    }
    sqlite3_int64 size = s_node_size (node, real_size);
    pthread_mutex_unlock (&s_mutex);
    if (rc == SQLITE_OK && offset + amount > size) rc = SQLITE_IOERR_SHORT_READ;
    return rc;
}

static int s_write (sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
    s_file_t *self = (s_file_t *)file;
    if (!self->node) return self->real->pMethods->xWrite (self->real, data, amount, offset);
    pthread_mutex_lock (&s_mutex);
    int rc = s_node_write (self->node, data, amount, offset);
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_truncate (sqlite3_file *file, sqlite3_int64 size)
{
    s_file_t *self = (s_file_t *)file;
    sqlite3_file *real = self->real;
    if (!self->node) return real->pMethods->xTruncate (real, size);
    pthread_mutex_lock (&s_mutex);
    sqlite3_int64 real_size = 0;
    int rc = real->pMethods->xFileSize (real, &real_size);
    if (rc == SQLITE_OK) s_node_truncate (self->node, size, real_size);
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_sync (sqlite3_file *file, int flags)
{
    s_file_t *self = (s_file_t *)file;
    if (!self->node) return self->real->pMethods->xSync (self->real, flags);
    //  Written to the real file, not fsynced: see the top of this file.
    pthread_mutex_lock (&s_mutex);
    int rc = s_node_flush (self->node, self->real);
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
    s_file_t *self = (s_file_t *)file;
    sqlite3_file *real = self->real;
    if (!self->node) return real->pMethods->xFileSize (real, size);
    pthread_mutex_lock (&s_mutex);
    sqlite3_int64 real_size = 0;
    int rc = real->pMethods->xFileSize (real, &real_size);
    if (rc == SQLITE_OK) *size = s_node_size (self->node, real_size);
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_lock (sqlite3_file *file, int level)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xLock (real, level);
}

static int s_unlock (sqlite3_file *file, int level)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xUnlock (real, level);
}

static int s_check_reserved_lock (sqlite3_file *file, int *result)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xCheckReservedLock (real, result);
}

static int s_file_control (sqlite3_file *file, int op, void *arg)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xFileControl (real, op, arg);
}

static int s_sector_size (sqlite3_file *file)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xSectorSize (real);
}

static int s_device_characteristics (sqlite3_file *file)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    //  Batch-atomic writes (F2FS) would go to the real file by file controls
    //  that bypass the pending writes: not offered.
    return real->pMethods->xDeviceCharacteristics (real) & ~SQLITE_IOCAP_BATCH_ATOMIC;
}

static int s_shm_map (sqlite3_file *file, int region, int size, int extend, void volatile **p)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xShmMap (real, region, size, extend, p);
}

static int s_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xShmLock (real, offset, n, flags);
}

static void s_shm_barrier (sqlite3_file *file)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    real->pMethods->xShmBarrier (real);
}

static int s_shm_unmap (sqlite3_file *file, int delete_flag)
{
    sqlite3_file *real = ((s_file_t *)file)->real;
    return real->pMethods->xShmUnmap (real, delete_flag);
}

//  Version 2: shared memory but no xFetch, so SQLite never reads pages through
//  a memory map of the real file, which would not show the pending writes.
static const sqlite3_io_methods s_io_methods = {
    .iVersion = 2,
    .xClose = s_close,
    .xRead = s_read,
    .xWrite = s_write,
    .xTruncate = s_truncate,
    .xSync = s_sync,
    .xFileSize = s_file_size,
    .xLock = s_lock,
    .xUnlock = s_unlock,
    .xCheckReservedLock = s_check_reserved_lock,
    .xFileControl = s_file_control,
    .xSectorSize = s_sector_size,
    .xDeviceCharacteristics = s_device_characteristics,
    .xShmMap = s_shm_map,
    .xShmLock = s_shm_lock,
    .xShmBarrier = s_shm_barrier,
    .xShmUnmap = s_shm_unmap,
};

//  ---------------------------------------------------------------------------
//  VFS methods: open, delete and access know about nodes; the rest is unix's.

static int s_open (sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    (void)vfs;
    s_file_t *self = (s_file_t *)file;
    memset (self, 0, sizeof (s_file_t));
    self->real = (sqlite3_file *)(self + 1);
    int rc = s_unix->xOpen (s_unix, name, self->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        //  unix leaves pMethods NULL when it fails; if not, it wants its xClose.
        if (self->real->pMethods) self->real->pMethods->xClose (self->real);
        return rc;
    }
    if (name && !(flags & SQLITE_OPEN_DELETEONCLOSE)) {
        pthread_mutex_lock (&s_mutex);
        s_node_t *node = s_node_find (name);
        if (!node) {
            node = (s_node_t *)calloc (1, sizeof (s_node_t));
            if (node && !(node->path = strdup (name))) s_node_destroy (&node);
            if (node) {
                node->next = s_nodes;
                s_nodes = node;
            }
        }
        if (node) node->handles++;
        pthread_mutex_unlock (&s_mutex);
        if (!node) {
            self->real->pMethods->xClose (self->real);
            return SQLITE_NOMEM;
        }
        self->node = node;
    }
    self->base.pMethods = &s_io_methods;
    return SQLITE_OK;
}

static int s_delete (sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    pthread_mutex_lock (&s_mutex);
    //  The name is gone; handles still open keep their node, as they keep the inode.
    s_node_t *node = s_node_find (name);
    if (node) {
        s_node_unlist (node);
        s_node_release (node);
    }
    int rc = s_unix->xDelete (s_unix, name, sync_dir);
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_access (sqlite3_vfs *vfs, const char *name, int flags, int *result)
{
    (void)vfs;
    int rc = s_unix->xAccess (s_unix, name, flags, result);
    if (rc != SQLITE_OK || flags != SQLITE_ACCESS_EXISTS) return rc;
    //  unix says a file exists if it is not empty: count the pending writes too,
    //  or a WAL written but not yet synced would look absent to the second connection.
    pthread_mutex_lock (&s_mutex);
    s_node_t *node = s_node_find (name);
    if (node) {
        struct stat st;
        sqlite3_int64 real_size = stat (name, &st) == 0 ? (sqlite3_int64)st.st_size : 0;
        *result = s_node_size (node, real_size) > 0;
    }
    pthread_mutex_unlock (&s_mutex);
    return rc;
}

static int s_full_pathname (sqlite3_vfs *vfs, const char *name, int size, char *out)
{
    (void)vfs;
    return s_unix->xFullPathname (s_unix, name, size, out);
}

static void *s_dl_open (sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return s_unix->xDlOpen (s_unix, name);
}

static void s_dl_error (sqlite3_vfs *vfs, int size, char *message)
{
    (void)vfs;
    s_unix->xDlError (s_unix, size, message);
}

static void (*s_dl_sym (sqlite3_vfs *vfs, void *handle, const char *symbol)) (void)
{
    (void)vfs;
    return s_unix->xDlSym (s_unix, handle, symbol);
}

static void s_dl_close (sqlite3_vfs *vfs, void *handle)
{
    (void)vfs;
    s_unix->xDlClose (s_unix, handle);
}

static int s_randomness (sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    return s_unix->xRandomness (s_unix, size, out);
}

static int s_sleep (sqlite3_vfs *vfs, int microseconds)
{
    (void)vfs;
    return s_unix->xSleep (s_unix, microseconds);
}

static int s_current_time (sqlite3_vfs *vfs, double *now)
{
    (void)vfs;
    return s_unix->xCurrentTime (s_unix, now);
}

static int s_get_last_error (sqlite3_vfs *vfs, int size, char *message)
{
    (void)vfs;
    return s_unix->xGetLastError (s_unix, size, message);
}

static int s_current_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *now)
{
    (void)vfs;
    return s_unix->xCurrentTimeInt64 (s_unix, now);
}

int shr_testvfs_register (const char *name, char *err, size_t errlen)
{
    if (!name || strcmp (name, S_VFS_NAME) != 0) {
        snprintf (err, errlen, "SHR_TEST_VFS=%s: the only test VFS is %s", name ? name : "",
                  S_VFS_NAME);
        return -1;
    }
    pthread_mutex_lock (&s_mutex);
    int rc = SQLITE_OK;
    if (!s_registered) {
        s_unix = sqlite3_vfs_find ("unix");
        if (!s_unix) {
            pthread_mutex_unlock (&s_mutex);
            snprintf (err, errlen, "SHR_TEST_VFS=%s: SQLite has no unix VFS to wrap", name);
            return -1;
        }
        //  Version 2: no system-call overrides (xSetSystemCall is unix's own test hook).
        s_vfs = (sqlite3_vfs){
            .iVersion = 2,
            .szOsFile = (int)sizeof (s_file_t) + s_unix->szOsFile,
            .mxPathname = s_unix->mxPathname,
            .zName = S_VFS_NAME,
            .xOpen = s_open,
            .xDelete = s_delete,
            .xAccess = s_access,
            .xFullPathname = s_full_pathname,
            .xDlOpen = s_dl_open,
            .xDlError = s_dl_error,
            .xDlSym = s_dl_sym,
            .xDlClose = s_dl_close,
            .xRandomness = s_randomness,
            .xSleep = s_sleep,
            .xCurrentTime = s_current_time,
            .xGetLastError = s_get_last_error,
            .xCurrentTimeInt64 = s_current_time_int64,
        };
        rc = sqlite3_vfs_register (&s_vfs, 1);
        s_registered = rc == SQLITE_OK;
    }
    pthread_mutex_unlock (&s_mutex);
    if (rc != SQLITE_OK) {
        snprintf (err, errlen, "SHR_TEST_VFS=%s: cannot register the VFS: %s", name,
                  sqlite3_errstr (rc));
        return -1;
    }
    return 0;
}

#endif
