/*  shr_work - the unit of work: one transaction, a savepoint per piece, events after commit.

    Every change in a service goes through the same protocol, and this is the
    one place that spells it out: begin; for each piece of work (a request of a
    batch, an event applied, a timer tick) a savepoint, the piece, and either
    its release or a rollback to the savepoint with the outbox rewound to its
    mark; then commit; and only after the commit, publish the events. A failed
    commit rolls everything back and drops the pending events: nothing of the
    batch happened. The server, the timers, the consumers and the domain unit
    tests all use it; none writes the sequence by hand.

    Each piece runs with a fresh arena: what the previous piece left there
    (its decoded request, its reply) must have been used by then.
*/
#ifndef SHR_WORK_H_INCLUDED
#define SHR_WORK_H_INCLUDED

#include "shr_call.h"
#include "shr_outbox.h"
#include "shr_store.h"

#include <stdbool.h>

typedef struct _shr_work_t shr_work_t;

//  One piece of work inside the transaction. Returns 0 to keep its changes, or
//  -1 after shr_call_fail to roll them back.
typedef int (shr_work_fn) (shr_call_t *call, void *arg);

//  Creates the unit of work over store and outbox (may be NULL), both borrowed.
//  Returns NULL only when out of memory.
shr_work_t *shr_work_new (shr_store_t *store, shr_outbox_t *outbox);

//  Rolls back what is open. Nulls *self_p. Safe twice.
void shr_work_destroy (shr_work_t **self_p);

//  Starts the transaction (BEGIN IMMEDIATE). Returns 0, or -1 (see
//  shr_store_errmsg) when the database cannot start one.
int shr_work_begin (shr_work_t *self);

//  Runs fn (arg) as one piece: fills call's store, outbox and arena (the rest
//  of call is the caller's: op, id, arg, now_ms), takes a savepoint unless
//  read_only, and rolls the piece back if fn fails. Returns what fn returned,
//  or -1 with call failed when the savepoint itself fails.
int shr_work_run (shr_work_t *self, shr_call_t *call, bool read_only, shr_work_fn *fn,
                  void *arg);

//  Commits. Returns 0, or -1 with a message in err after rolling everything
//  back and dropping its events (nothing of the transaction happened).
int shr_work_commit (shr_work_t *self, char *err, size_t errlen);

//  Publishes the events of every commit that is durable (shr_store_durable:
//  at once, unless the store defers its syncs; then the owner calls this
//  again when a sync finishes). The caller decides when: the server sends its
//  replies first. shr_work_begin publishes any left over.
void shr_work_publish (shr_work_t *self);

//  Abandons the transaction: rolls back and drops its events.
void shr_work_rollback (shr_work_t *self);

//  True between begin and commit or rollback.
bool shr_work_open (shr_work_t *self);

//  The arena of the current piece. Borrowed.
shr_arena_t *shr_work_arena (shr_work_t *self);

#endif
