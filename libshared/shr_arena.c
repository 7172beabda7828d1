/*  shr_arena - memory for one unit of work. See shr_arena.h. */
#include "shr_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (16 * 1024)
#define ALIGN 16

typedef struct s_block_t {
    struct s_block_t *next;
    size_t size;      //  usable bytes after the header
    size_t used;
    max_align_t data[];
} s_block_t;

struct _shr_arena_t {
    s_block_t *blocks;   //  the newest first
    cJSON **trees;
    size_t tree_count;
    size_t tree_size;
};

shr_arena_t *shr_arena_new (void)
{
    return (shr_arena_t *) calloc (1, sizeof (shr_arena_t));
}

void shr_arena_destroy (shr_arena_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_arena_t *self = *self_p;
    shr_arena_reset (self);
    free (self->blocks);
    free (self->trees);
    free (self);
    *self_p = NULL;
}

void *shr_arena_alloc (shr_arena_t *self, size_t size)
{
    size = (size + ALIGN - 1) & ~(size_t) (ALIGN - 1);
    s_block_t *block = self->blocks;
    if (!block || block->size - block->used < size) {
        size_t want = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        block = (s_block_t *) malloc (sizeof (s_block_t) + want);
        if (!block)
            return NULL;
        block->size = want;
        block->used = 0;
        block->next = self->blocks;
        self->blocks = block;
    }
    void *memory = (char *) block->data + block->used;
    block->used += size;
    memset (memory, 0, size);
    return memory;
}

char *shr_arena_strdup (shr_arena_t *self, const char *text)
{
    if (!text)
        return NULL;
    size_t length = strlen (text);
    char *copy = (char *) shr_arena_alloc (self, length + 1);
    if (copy)
        memcpy (copy, text, length + 1);
    return copy;
}

char *shr_arena_printf (shr_arena_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int length = vsnprintf (NULL, 0, format, args);
    va_end (args);
    if (length < 0)
        return NULL;
    char *text = (char *) shr_arena_alloc (self, (size_t) length + 1);
    if (!text)
        return NULL;
    va_start (args, format);
    vsnprintf (text, (size_t) length + 1, format, args);
    va_end (args);
    return text;
}

cJSON *shr_arena_keep (shr_arena_t *self, cJSON **tree_p)
{
    cJSON *tree = *tree_p;
    *tree_p = NULL;
    if (!tree)
        return NULL;
    if (self->tree_count == self->tree_size) {
        size_t size = self->tree_size ? self->tree_size * 2 : 16;
        cJSON **trees = (cJSON **) realloc (self->trees, size * sizeof (cJSON *));
        if (!trees) {
            cJSON_Delete (tree);
            return NULL;
        }
        self->trees = trees;
        self->tree_size = size;
    }
    self->trees[self->tree_count++] = tree;
    return tree;
}

void shr_arena_reset (shr_arena_t *self)
{
    for (size_t i = 0; i < self->tree_count; i++)
        cJSON_Delete (self->trees[i]);
    self->tree_count = 0;
    //  Keep one block, the largest, so that the next unit of work mallocs nothing.
    s_block_t *keep = NULL;
    for (s_block_t *block = self->blocks, *next; block; block = next) {
        next = block->next;
        if (!keep || block->size > keep->size) {
            free (keep);
            keep = block;
        }
        else
            free (block);
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    self->blocks = keep;
}
