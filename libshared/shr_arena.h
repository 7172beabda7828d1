/*  shr_arena - memory for one unit of work, freed all at once.

    A handler's decoded request, the rows it reads and the reply it builds live
    as long as the call and no longer, so they come from the call's arena: no
    free() on any path, and one reset after the reply has been encoded. Blocks
    grow as needed and are kept across resets (a service's steady state
    allocates nothing). cJSON trees handed to the arena are deleted at reset.
*/
#ifndef SHR_ARENA_H_INCLUDED
#define SHR_ARENA_H_INCLUDED

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct _shr_arena_t shr_arena_t;

//  Creates an empty arena. Returns NULL only when out of memory.
shr_arena_t *shr_arena_new (void);

//  Frees every block. Nulls *self_p. Safe twice.
void shr_arena_destroy (shr_arena_t **self_p);

//  size bytes, zeroed, aligned for any type. Valid until the next reset.
//  Returns NULL only when out of memory.
void *shr_arena_alloc (shr_arena_t *self, size_t size);

//  A copy of text (NULL gives NULL). Valid until the next reset.
char *shr_arena_strdup (shr_arena_t *self, const char *text);

//  A formatted string. Valid until the next reset. NULL only when out of memory.
char *shr_arena_printf (shr_arena_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Takes over *tree_p (nulls it): deleted at the next reset. Returns the tree.
cJSON *shr_arena_keep (shr_arena_t *self, cJSON **tree_p);

//  Forgets everything allocated since the last reset; keeps the largest block.
void shr_arena_reset (shr_arena_t *self);

#endif
