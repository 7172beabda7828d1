/*  shr_call - one unit of work inside a transaction: a request, a timer tick, an event applied.

    Handlers get a call: the store to work on, the time it is (from the service's
    clock, which tests can move), a way to append events to the outbox in the
    same transaction, and a place to say what went wrong. Domain code below the
    handler takes the store and plain values; it never sees sockets.
*/
#ifndef SHR_CALL_H_INCLUDED
#define SHR_CALL_H_INCLUDED

#include "shr_msg.h"
#include "shr_outbox.h"
#include "shr_store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

typedef struct {
    shr_store_t *store;    //  borrowed
    shr_outbox_t *outbox;  //  borrowed; NULL if the service publishes nothing
    void *arg;             //  the handler's argument, as registered
    int64_t now_ms;        //  the time the call started, by the service's clock
    const char *op;        //  the op, or what the work is ("tick", "apply dispatch")
    const char *id;        //  the caller's request id, or NULL
    shr_error_t error;     //  filled by shr_call_fail
} shr_call_t;

//  Handles a request: body is the validated request body (borrowed). On success
//  returns 0 and sets *reply_p to a reply body the caller then owns (NULL means {}).
//  On failure returns -1 after shr_call_fail; every change it made is rolled back.
typedef int (shr_handler_fn) (shr_call_t *call, const cJSON *body, cJSON **reply_p);

//  Records why the call failed: the code, the JSON pointer of the field at fault
//  (NULL or "" if none) and a message. Always returns -1.
int shr_call_fail (shr_call_t *call, shr_code_t code, const char *field, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Appends an event (type, key of the entity, data borrowed) in the call's
//  transaction, time-stamped now. Returns its seq, or -1 with the call's error set
//  (internal) when data does not match the event's schema or the database fails.
int64_t shr_call_emit (shr_call_t *call, const char *type, const char *key, const cJSON *data);

//  Fails the call with internal and SQLite's message. Always returns -1.
int shr_call_db_error (shr_call_t *call);

#endif
