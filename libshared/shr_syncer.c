/*  shr_syncer - fsyncs a store's WAL in a thread of its own. See shr_syncer.h. */
#include "shr_syncer.h"

#include <string.h>

struct _shr_syncer_t {
    zactor_t *actor;
};

//  Messages on the pipe: "SYNC", the file pointer and the token; answered by
//  "DONE", the highest token synced and SQLite's result code.
static void s_actor (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (poller, true);  //  signals are the owner's business
    bool term = false;
    while (!term) {
        if (zpoller_wait (poller, -1) != pipe)
            continue;
        //  Take every request that is waiting: one fsync covers them all.
        sqlite3_file *wal = NULL;
        uint64_t token = 0;
        do {
            zmsg_t *msg = zmsg_recv (pipe);
            char *command = msg ? zmsg_popstr (msg) : NULL;
            if (!command || streq (command, "$TERM"))
                term = true;
            else if (zmsg_size (msg) == 2) {
                zframe_t *file = zmsg_pop (msg), *asked = zmsg_pop (msg);
                if (zframe_size (file) == sizeof wal && zframe_size (asked) == sizeof token) {
                    uint64_t value;
                    memcpy (&wal, zframe_data (file), sizeof wal);
                    memcpy (&value, zframe_data (asked), sizeof value);
                    token = value > token ? value : token;
                }
                zframe_destroy (&file);
                zframe_destroy (&asked);
            }
            zstr_free (&command);
            zmsg_destroy (&msg);
        } while (!term && (zsock_events (pipe) & ZMQ_POLLIN));
        if (wal) {
            int rc = wal->pMethods->xSync (wal, SQLITE_SYNC_NORMAL);
            zsock_send (pipe, "s8i", "DONE", token, rc);
        }
    }
    zpoller_destroy (&poller);
}

shr_syncer_t *shr_syncer_new (void)
{
    shr_syncer_t *self = (shr_syncer_t *) zmalloc (sizeof (shr_syncer_t));
    self->actor = zactor_new (s_actor, NULL);
    if (!self->actor)
        shr_syncer_destroy (&self);
    return self;
}

void shr_syncer_destroy (shr_syncer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zactor_destroy (&(*self_p)->actor);
    free (*self_p);
    *self_p = NULL;
}

void shr_syncer_request (shr_syncer_t *self, sqlite3_file *wal, int64_t token)
{
    uint64_t value = (uint64_t) token;
    zsock_send (self->actor, "sbb", "SYNC", &wal, sizeof wal, &value, sizeof value);
}

zsock_t *shr_syncer_socket (shr_syncer_t *self)
{
    return zactor_sock (self->actor);
}

int64_t shr_syncer_recv (shr_syncer_t *self)
{
    char *command = NULL;
    uint64_t token = 0;
    int rc = SQLITE_ERROR;
    if (zsock_recv (self->actor, "s8i", &command, &token, &rc) == -1)
        rc = SQLITE_ERROR;
    zstr_free (&command);
    return rc == SQLITE_OK ? (int64_t) token : -1;
}
