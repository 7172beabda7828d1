/*  domainutil - a service's domain code over a store in memory, run as the
    server runs it: the setup (the contract's schemas, libshared's and the
    service's migrations, an outbox declaring the service's events, one unit
    of work) and an op on a JSON body in one unit of work. Header only: each
    domain test (tests/unit/test_<service>_domain.c) includes it once.
*/
#ifndef DOMAINUTIL_H_INCLUDED
#define DOMAINUTIL_H_INCLUDED

#include <assert.h>
#include <stdio.h>

typedef struct {
    shr_schema_t *schemas;
    shr_store_t *store;
    shr_outbox_t *outbox;
    shr_work_t *work;
} domain_t;

//  Opens service's store in memory. Returns 0, or -1 with the reason printed.
static int domain_open (domain_t *self, const char *service, const char *const *migrations,
                        const shr_event_def_t *const *events)
{
    char err[256];
    self->schemas = shr_schema_new ();
    self->store = shr_store_new (":memory:", SHR_SYNC_FULL, err, sizeof err);
    if (!self->store || shr_schema_load_dir (self->schemas, "schemas", err, sizeof err) < 0
        || shr_store_migrate (self->store, "shared.outbox", shr_outbox_migrations, err, sizeof err)
               < 0
        || shr_store_migrate (self->store, service, migrations, err, sizeof err) < 0
        || !(self->outbox = shr_outbox_new (service, self->store, self->schemas, err, sizeof err))) {
        fprintf (stderr, "setup: %s\n", err);
        return -1;
    }
    for (const shr_event_def_t *const *event = events; *event; event++)
        shr_outbox_declare (self->outbox, (*event)->type, err, sizeof err);
    self->work = shr_work_new (self->store, self->outbox);
    return 0;
}

static void domain_close (domain_t *self)
{
    shr_work_destroy (&self->work);
    shr_outbox_destroy (&self->outbox);
    shr_store_destroy (&self->store);
    shr_schema_destroy (&self->schemas);
}

typedef struct {
    const shr_op_def_t *op;
    cJSON *body;
    char *reply;
} domain_request_t;

static int s_domain_run_op (shr_call_t *call, void *arg)
{
    domain_request_t *request = (domain_request_t *) arg;
    return shr_call_op (call, request->op, request->body, &request->reply);
}

//  Runs op (one of ops) on json, valid by its schema, in one unit of work at
//  now_ms with settings as the call's arg, acting as "tester". Returns 0 with
//  the reply body in *reply if reply is given (caller owns), or -1 with error
//  filled (if given) and *reply NULL.
static int domain_call (domain_t *self, const shr_op_def_t *ops, void *settings, int64_t now_ms,
                        const char *op, const char *json, cJSON **reply, shr_error_t *error)
{
    domain_request_t request = {ops, cJSON_Parse (json), NULL};
    while (request.op->name && !streq (request.op->name, op))
        request.op++;
    assert (request.op->name && request.body);
    shr_call_t call = {.arg = settings, .now_ms = now_ms, .op = op, .actor = "tester"};
    char reason[256];
    shr_work_begin (self->work);
    int rc = shr_work_run (self->work, &call, false, s_domain_run_op, &request);
    if (rc == 0)
        rc = shr_work_commit (self->work, reason, sizeof reason);
    else
        shr_work_rollback (self->work);
    shr_work_publish (self->work);
    if (rc && error)
        *error = call.error;
    if (reply)
        *reply = rc == 0 ? cJSON_Parse (request.reply) : NULL;
    free (request.reply);
    cJSON_Delete (request.body);
    return rc;
}

#endif
