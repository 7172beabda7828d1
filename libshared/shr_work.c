/*  shr_work - the unit of work. See shr_work.h. */
#include "shr_work.h"

#include <czmq.h>

struct _shr_work_t {
    shr_store_t *store;
    shr_outbox_t *outbox;
    shr_arena_t *arena;
    bool open;
};

shr_work_t *shr_work_new (shr_store_t *store, shr_outbox_t *outbox)
{
    shr_work_t *self = (shr_work_t *) zmalloc (sizeof (shr_work_t));
    self->store = store;
    self->outbox = outbox;
    self->arena = shr_arena_new ();
    return self;
}

void shr_work_destroy (shr_work_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_work_t *self = *self_p;
    if (self->open)
        shr_work_rollback (self);
    shr_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

int shr_work_begin (shr_work_t *self)
{
    shr_work_publish (self);
    if (shr_store_begin (self->store))
        return -1;
    self->open = true;
    return 0;
}

int shr_work_run (shr_work_t *self, shr_call_t *call, bool read_only, shr_work_fn *fn,
                  void *arg)
{
    shr_arena_reset (self->arena);
    call->store = self->store;
    call->outbox = self->outbox;
    call->arena = self->arena;
    shr_call_fail (call, SHR_INTERNAL, NULL, "%s failed without saying why",
                   call->op ? call->op : "the work");
    size_t mark = self->outbox ? shr_outbox_mark (self->outbox) : 0;
    if (!read_only && shr_store_savepoint (self->store))
        return shr_call_db_error (call);
    int rc = fn (call, arg);
    if (read_only)
        return rc;
    if (rc == 0 && shr_store_release (self->store))
        rc = shr_call_db_error (call);
    if (rc != 0) {
        shr_store_rollback_to (self->store);
        if (self->outbox)
            shr_outbox_rewind (self->outbox, mark);
    }
    return rc;
}

int shr_work_commit (shr_work_t *self, char *err, size_t errlen)
{
    if (!self->open)
        return 0;
    self->open = false;
    if (shr_store_commit (self->store)) {
        snprintf (err, errlen, "%s", shr_store_errmsg (self->store));
        shr_store_rollback (self->store);
        if (self->outbox)
            shr_outbox_drop_uncommitted (self->outbox);
        return -1;
    }
    if (self->outbox)
        shr_outbox_committed (self->outbox, shr_store_commits (self->store));
    return 0;
}

void shr_work_publish (shr_work_t *self)
{
    if (self->outbox && !self->open)
        shr_outbox_release (self->outbox, shr_store_durable (self->store));
}

void shr_work_rollback (shr_work_t *self)
{
    if (self->open)
        shr_store_rollback (self->store);
    self->open = false;
    if (self->outbox)
        shr_outbox_drop_uncommitted (self->outbox);
}

bool shr_work_open (shr_work_t *self)
{
    return self->open;
}

shr_arena_t *shr_work_arena (shr_work_t *self)
{
    return self->arena;
}
