/*  shr_syncer - fsyncs a store's WAL in a thread of its own.

    With SHR_SYNC=full every acknowledged change must be on disk, which costs
    an fsync per commit (150-200 us here). Done in the request thread, that
    fsync stops everything: while it runs no request is read, so clients fall
    into two groups that take turns and a commit carries half of them. The
    syncer takes the fsync off that path: the store commits without syncing
    (PRAGMA synchronous=NORMAL), asks the syncer to sync, and goes on with the
    next batch; the replies and events of a commit are held until the syncer
    says it is durable. One fsync covers every commit made before it started,
    so the syncs coalesce under load. The guarantee stays FULL's: nothing is
    acknowledged or published before it is on disk.

    The sync goes through SQLite's own file object of the WAL (xSync), so a
    test VFS sees it like any other (shr_testvfs).
*/
#ifndef SHR_SYNCER_H_INCLUDED
#define SHR_SYNCER_H_INCLUDED

#include <czmq.h>
#include <sqlite3.h>
#include <stdint.h>

typedef struct _shr_syncer_t shr_syncer_t;

//  Starts the thread. Returns NULL only when the thread cannot start.
shr_syncer_t *shr_syncer_new (void);

//  Waits for the sync in hand, then stops. Nulls *self_p. Safe twice.
void shr_syncer_destroy (shr_syncer_t **self_p);

//  Asks for everything written to wal (SQLite's WAL file object of the
//  connection, borrowed; it must outlive the syncer) to be made durable, as
//  commit number token. Cannot fail; the answer comes on the socket.
void shr_syncer_request (shr_syncer_t *self, sqlite3_file *wal, int64_t token);

//  Readable when a sync has finished. Borrowed.
zsock_t *shr_syncer_socket (shr_syncer_t *self);

//  Reads one answer: the highest commit number now durable, or -1 if the
//  fsync failed (the disk refused: what is in the page cache cannot be
//  trusted any more).
int64_t shr_syncer_recv (shr_syncer_t *self);

#endif
