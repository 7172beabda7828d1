/*  gap_instance - dense GAP instances as OR-Library stores them, and the
    generator of Chu & Beasley's types C, D and E.

    OR-Library's format (http://people.brunel.ac.uk/~mastjjb/jeb/orlib/gapinfo.html):
    the number of problems P, then for each: m n, the m x n costs (agent by
    agent), the m x n resources, the m capacities; whitespace-separated
    integers, line breaks anywhere.

    Generator (P.C. Chu & J.E. Beasley 1997, "A genetic algorithm for the
    generalised assignment problem", Computers & Operations Research 24(1);
    type E from Laguna, Kelly, Gonzalez-Velarde & Glover 1995, as used by
    Yagiura, Ibaraki & Glover 2004), all rounded down to integers:
      C  r_ij uniform 5..25, c_ij uniform 10..50, b_i = 0.8 sum_j r_ij / m
      D  r_ij uniform 1..100, c_ij = 111 - r_ij + e, e uniform -10..10, b_i as C
      E  r_ij = 1 - 10 ln x, c_ij = 1000 / r_ij - 10 y, x, y uniform (0, 1], b_i as C
    Draws come from erand48 seeded by the seed, resources first (agent by
    agent), then costs, so a (type, m, n, seed) is always the same instance.
    These are minimisation instances (D and E are trivial as maximisation).
*/
#ifndef GAP_INSTANCE_H_INCLUDED
#define GAP_INSTANCE_H_INCLUDED

#include "../../services/dispatch/gap_problem.h"

#include <stdio.h>

typedef struct {
    size_t agents, jobs;
    int64_t *cost;     //  [agent * jobs + job]
    int64_t *resource; //  [agent * jobs + job]
    int64_t *capacity; //  [agent]
} gap_instance_t;

//  An instance of zeros. NULL if memory runs out or a count is 0.
gap_instance_t *gap_instance_new (size_t agents, size_t jobs);

//  Nulls *self_p. Safe twice.
void gap_instance_destroy (gap_instance_t **self_p);

//  Parses the whole of text (NUL-terminated) in OR-Library's format. Returns
//  the number of problems with *list set to them (the caller destroys each and
//  frees the list), or -1 with error saying what was expected and where
//  ("line 3, token 12 'x7': the cost of agent 1, job 4 of problem 1 is not a
//  whole number").
int gap_instance_parse (const char *text, gap_instance_t ***list, char *error, size_t size);

//  Writes one problem in OR-Library's format (without the count P).
void gap_instance_write (const gap_instance_t *self, FILE *file);

//  A generated instance: type 'C', 'D' or 'E'. NULL for another type or if
//  memory runs out.
gap_instance_t *gap_instance_generate (char type, size_t agents, size_t jobs, uint64_t seed);

//  The instance as a problem (every pair eligible, every job required, no job
//  limit), minimising the cost, or maximising it (costs negated). The caller
//  destroys it. NULL if memory runs out or a value is out of gap_problem's range.
gap_problem_t *gap_instance_problem (const gap_instance_t *self, bool maximize);

#endif
