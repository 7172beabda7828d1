/*  shr_schema - JSON Schema (draft-07) registry and validator.

    A registry holds schema documents under absolute URIs. Documents load once
    (shr_schema_load_dir at start-up) and are compiled into a tree of nodes with
    their regexes compiled and their $refs resolved, so validating a message
    never re-reads or re-parses a schema.

    Files loaded from a folder are named by their path relative to it
    ("dispatch/workorder.create.request.json") and get the base URI
    "schema:/<relative path>", so a $ref like "../common.json#/definitions/money"
    resolves between files. A document's own "$id" is honoured too.

    Supported: every draft-07 validation keyword, boolean schemas, $ref (JSON
    pointers, relative URIs, $id base changes, "#name" ids, other documents).
    Limits: "format" checks only "date-time" (RFC 3339 5.6); other formats pass.
    "pattern" and "patternProperties" use POSIX extended regexes (regcomp), after
    rewriting \d \D \w \W \s \S and (?:...); lookaround, backreferences and
    \uXXXX escapes are refused at load time, "." matches one byte, and \w \d are
    ASCII. When two documents give a subschema the same $id, the first keeps it.
    A $ref whose target is missing is resolved on first use (shr_schema_add) or
    fails the load (shr_schema_load_dir).
*/
#ifndef SHR_SCHEMA_H_INCLUDED
#define SHR_SCHEMA_H_INCLUDED

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _shr_schema_t shr_schema_t;

//  Where and why an instance failed. Filled by shr_schema_validate.
typedef struct {
    char pointer[512];  //  JSON pointer to the failing place, prefix included ("/body/priority")
    char message[512];  //  what was expected ("must be one of \"low\", \"normal\", ...")
} shr_schema_error_t;

//  Creates an empty registry. Returns NULL only when out of memory.
shr_schema_t *shr_schema_new (void);

//  Destroys the registry and every compiled schema; nulls *self_p. Safe twice.
void shr_schema_destroy (shr_schema_t **self_p);

//  Loads every *.json file below dir (recursively). Returns the number of files
//  loaded, or -1 with a message in err (file name and reason: unreadable, not
//  JSON, not a valid schema, unresolvable $ref).
int shr_schema_load_dir (shr_schema_t *self, const char *dir, char *err, size_t errlen);

//  Adds one schema document under an absolute URI (e.g. "http://localhost:1234/name.json"
//  or "schema:/x.json"). Takes ownership of *doc_p and nulls it, also on failure.
//  Returns 0, or -1 with a message in err.
int shr_schema_add (shr_schema_t *self, const char *uri, cJSON **doc_p, char *err, size_t errlen);

//  True if a schema is registered under name (a relative file name as loaded by
//  shr_schema_load_dir, or an absolute URI, optionally with a #fragment).
bool shr_schema_has (shr_schema_t *self, const char *name);

//  Validates instance against the schema called name. pointer_prefix (may be
//  NULL or "") is prepended to the JSON pointer in err, so a body validated with
//  prefix "/body" reports "/body/priority". Returns 0 if valid, 1 if invalid
//  (err filled when not NULL), -1 if no schema has that name (err says so).
//  Does not modify the registry when every $ref is resolved (always so after
//  shr_schema_load_dir) and name has no #fragment: callers in one thread may
//  validate freely. Otherwise the missing piece is compiled and cached on
//  first use, which is a write.
int shr_schema_validate (shr_schema_t *self, const char *name, const cJSON *instance,
                         const char *pointer_prefix, shr_schema_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
