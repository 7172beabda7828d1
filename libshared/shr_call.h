/*  shr_call - one unit of work inside a transaction: a request, a timer tick, an event applied.

    Handlers get a call: the store to work on, the time it is (from the service's
    clock, which tests can move), an arena for everything that lives as long as
    the call (decoded request, rows read, the reply), a way to append events to
    the outbox in the same transaction, and a place to say what went wrong.
    Domain code below the handler takes the store and plain values; it never
    sees sockets.

    Ops and events are described by their schemas; tools/shapegen.py generates
    their structs, the op table (shr_op_def_t) and the event definitions
    (shr_event_def_t) that the types here describe.
*/
#ifndef SHR_CALL_H_INCLUDED
#define SHR_CALL_H_INCLUDED

#include "shr_arena.h"
#include "shr_msg.h"
#include "shr_outbox.h"
#include "shr_shape.h"
#include "shr_store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

typedef struct {
    shr_store_t *store;    //  borrowed
    shr_outbox_t *outbox;  //  borrowed; NULL if the service publishes nothing
    shr_arena_t *arena;    //  borrowed; emptied when the next unit of work starts
    void *arg;             //  the handler's argument, as registered
    int64_t now_ms;        //  the time the call started, by the service's clock
    const char *op;        //  the op, or what the work is ("tick", "apply dispatch")
    const char *id;        //  the caller's request id, or NULL
    const char *actor;     //  who acts: the caller's certificate name, or the service
                           //  itself for timers and applied events; never NULL in a call
    shr_error_t error;     //  filled by shr_call_fail
} shr_call_t;

//  Op flags.
#define SHR_OP_READ 1       //  changes nothing: no savepoint, no idempotency record
#define SHR_OP_RAW_REPLY 2  //  the reply embeds raw JSON (events.replay); not checked here

//  A handler of JSON bodies (libshared's own sys.* ops): body is the validated
//  request body (borrowed). On success returns 0 and sets *reply_p to a reply
//  body the caller then owns (NULL means {}). On failure returns -1 after
//  shr_call_fail; every change it made is rolled back.
typedef int (shr_handler_fn) (shr_call_t *call, const cJSON *body, cJSON **reply_p);

//  A handler of a described op: request is the decoded body, reply a zeroed
//  struct to fill (both in the call's arena). Returns 0, or -1 after
//  shr_call_fail (every change rolled back).
typedef int (shr_op_fn) (shr_call_t *call, const void *request, void *reply);

//  An op as its schemas describe it (generated: <service>_ops[]).
typedef struct {
    const char *name;            //  "workorder.create"
    const char *request_schema;  //  "dispatch/workorder.create.request.json"
    const char *reply_schema;
    const shr_shape_t *request;
    const shr_shape_t *reply;
    shr_op_fn *handler;
    int flags;                   //  SHR_OP_READ from "x-op": {"read_only": true}
    const char *const *roles;    //  who may call it, from "x-op": {"roles": [...]}
} shr_op_def_t;

//  An event type as its schema describes it (generated: event_<type>).
typedef struct {
    const char *type;            //  "workorder.completed"
    const char *source;          //  the service that publishes it ("x-source")
    const shr_shape_t *data;
} shr_event_def_t;

//  An event's envelope, for the handlers of a consumer. Strings borrowed.
typedef struct {
    const char *source;
    int64_t seq;
    const char *type;
    int64_t ts_ms;
    const char *key;
} shr_event_t;

//  Applies one event's decoded data (generated: event_<type>_fn).
typedef int (shr_event_fn) (shr_call_t *call, const shr_event_t *event, const void *data);

//  An entry of a consumer's table: SHR_ON (event_workorder_completed, on_completed)
//  checks at compile time that the handler takes that event's struct.
typedef struct {
    const shr_event_def_t *event;
    shr_event_fn *handler;
} shr_event_handler_t;
#define SHR_ON(def, fn) {&def, (shr_event_fn *) (1 ? (fn) : (def##_fn *) 0)}

//  Records why the call failed: the code, the JSON pointer of the field at fault
//  (NULL or "" if none) and a message. Always returns -1.
int shr_call_fail (shr_call_t *call, shr_code_t code, const char *field, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Appends the event (its definition, the key of the entity, data as the
//  definition's struct, borrowed) in the call's transaction, time-stamped now.
//  Returns its seq, or -1 with the call's error set (internal) when the service
//  did not declare the event, data does not match its schema, or the database
//  fails. Generated event_<type>_emit wrappers check the struct's type.
int64_t shr_call_emit (shr_call_t *call, const shr_event_def_t *event, const char *key,
                       const void *data);

//  Fails the call with internal and SQLite's message. Always returns -1.
int shr_call_db_error (shr_call_t *call);

//  Memory that lives as long as the call. NULL only when out of memory.
void *shr_call_alloc (shr_call_t *call, size_t size);
char *shr_call_strdup (shr_call_t *call, const char *text);
char *shr_call_printf (shr_call_t *call, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Runs a described op on a validated body (borrowed): decodes it into the
//  request struct, calls the handler, encodes the reply struct. On success
//  returns 0 and *reply_p is the reply body as JSON text (caller frees); else
//  -1 with the call failed. The caller owns the transaction (shr_work).
int shr_call_op (shr_call_t *call, const shr_op_def_t *def, const cJSON *body, char **reply_p);

//  Statements in one line. Each takes the SQL (a literal: the statement is
//  cached by its text), the struct whose fields bind its named parameters
//  (shape and value; both NULL for none), then extra named parameters ending
//  with SHR_END. :now, when the SQL has it, is always the call's time. An
//  extra parameter the SQL lacks is an error, so a typo never binds NULL.
typedef struct {
    const char *name;     //  ":seq"; NULL ends the list
    int type;             //  1 integer, 2 text (NULL text binds NULL), 3 NULL, 0 none
    int64_t integer;
    const char *text;
} shr_param_t;
#define SHR_INT(name, value) ((shr_param_t) {(name), 1, (value), NULL})
#define SHR_TEXT(name, value) ((shr_param_t) {(name), 2, 0, (value)})
#define SHR_INT_IF(name, present, value) ((shr_param_t) {(name), (present) ? 1 : 3, (value), NULL})
#define SHR_NONE ((shr_param_t) {"", 0, 0, NULL})  //  no parameter: for "cond ? SHR_INT (...) : SHR_NONE"
#define SHR_END ((shr_param_t) {NULL, 0, 0, NULL})

//  Runs a statement that returns no rows. Returns 0, or -1 with the call
//  failed (internal, SQLite's message).
int shr_call_exec (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                   ...);

//  Reads the first row into out by out_shape. Returns 1 if there was one, 0
//  if none, -1 with the call failed.
int shr_call_get (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                  const shr_shape_t *out_shape, void *out, ...);

//  Reads the rows into array (see shr_call_read_rows: limit, _cursor).
//  Returns 0, or -1 with the call failed.
int shr_call_list (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                   const shr_shape_t *item_shape, void *array, int64_t limit,
                   const char **next_cursor, ...);

//  Reads the row stmt is on into out, by shape. Returns 0, or -1 with the call
//  failed (internal: a column that names no field is a programming error).
int shr_call_read (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt, void *out);

//  Steps stmt once and reads its row into out; resets stmt. Returns 1 if there
//  was a row, 0 if none, -1 with the call failed.
int shr_call_read_one (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt, void *out);

//  Steps stmt through its rows into array (an array field: count and items,
//  in the arena), at most limit rows (0: all); resets stmt. For pages: when a
//  row beyond limit exists, *next_cursor (if not NULL) is the text of the
//  "_cursor" column of the last row read, else NULL. Returns 0, or -1 with the
//  call failed.
int shr_call_read_rows (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt,
                        void *array, int64_t limit, const char **next_cursor);

#endif
