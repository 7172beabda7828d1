/*  shr_testvfs - a SQLite VFS that makes a SIGKILL lose what a power cut loses.

    Why: killing a service with SIGKILL proves little about durability, because
    the OS page cache outlives the process: a commit that was never fsynced is
    still read back after the restart. SQLite tests its own crash safety by
    simulating the power cut in a VFS; this module does the same for our tests.

    It wraps the default "unix" VFS and holds every write back in memory until
    the file is synced (xSync), so that the real file holds only what was synced.
    The process itself keeps a consistent view: xRead, xFileSize, xTruncate and
    xAccess see the pending writes. Pending writes belong to the file path, not
    to the handle, and are shared by every handle of that path in the process
    (the store opens a second connection in its checkpointer thread; an OS would
    give both one page cache), under one mutex. xSync on any handle writes the
    path's pending writes to the real file. Shared memory (the -shm wal-index)
    and locks pass through: see shr_testvfs.c on why that is sound.

    What it does not simulate: torn or reordered writes of a partial flush (an
    OS may write any subset of dirty pages before the cut); here either a write
    was synced or it is lost. Unlinks and file creation are immediate.

    Test builds only: the whole module exists only with SHR_TEST_HOOKS defined
    (make SANITIZE=1 defines it; make does not). shr_store_new registers it when
    SHR_TEST_VFS=powercut is in the environment.
*/
#ifndef SHR_TESTVFS_H_INCLUDED
#define SHR_TESTVFS_H_INCLUDED

#ifdef SHR_TEST_HOOKS

#include <stddef.h>

//  Registers the VFS called name as SQLite's default VFS, for every connection
//  opened afterwards in the process. The only name is "powercut". Safe to call
//  again (registers once) and from any thread. Returns 0, or -1 with a message
//  in err if name is not "powercut" or SQLite has no "unix" VFS to wrap.
int shr_testvfs_register (const char *name, char *err, size_t errlen);

#endif
#endif
