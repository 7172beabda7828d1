/*  gap_instance - OR-Library's GAP format and Chu & Beasley's generator. See gap_instance.h. */
#include "gap_instance.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

//  Instances larger than this many cells (agents x jobs) are refused: 16 bytes
//  a cell would be 800 MB.
#define CELLS_MAX 50000000

gap_instance_t *gap_instance_new (size_t agents, size_t jobs)
{
    if (agents == 0 || jobs == 0 || agents > CELLS_MAX / jobs)
        return NULL;
    gap_instance_t *self = (gap_instance_t *) calloc (1, sizeof (gap_instance_t));
    if (!self)
        return NULL;
    self->agents = agents;
    self->jobs = jobs;
    self->cost = (int64_t *) calloc (agents * jobs, sizeof (int64_t));
    self->resource = (int64_t *) calloc (agents * jobs, sizeof (int64_t));
    self->capacity = (int64_t *) calloc (agents, sizeof (int64_t));
    if (!self->cost || !self->resource || !self->capacity)
        gap_instance_destroy (&self);
    return self;
}

void gap_instance_destroy (gap_instance_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gap_instance_t *self = *self_p;
    free (self->cost);
    free (self->resource);
    free (self->capacity);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------
//  Parsing: the text is cut into tokens first (each with its line), so that
//  the layout with the count P and Yagiura's files of one problem without it
//  can both be tried.

typedef struct {
    const char *start;
    int length;
    int line;
} s_token_t;

typedef struct {
    s_token_t *tokens;
    size_t count, next;
    char *error;
    size_t error_size;
} s_reader_t;

static int s_fail (s_reader_t *reader, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
static int s_fail (s_reader_t *reader, const char *format, ...)
{
    char what[200];
    va_list args;
    va_start (args, format);
    vsnprintf (what, sizeof what, format, args);
    va_end (args);
    if (reader->next < reader->count) {
        const s_token_t *token = &reader->tokens[reader->next];
        snprintf (reader->error, reader->error_size, "line %d, token %zu '%.*s': %s", token->line,
                  reader->next + 1, token->length > 40 ? 40 : token->length, token->start, what);
    } else
        snprintf (reader->error, reader->error_size, "end of input after line %d (%zu tokens): %s",
                  reader->count ? reader->tokens[reader->count - 1].line : 1, reader->count, what);
    return -1;
}

//  The next token as an integer from low to high into *value, or -1 with the
//  error naming what (a printf format and its arguments).
static int s_read (s_reader_t *reader, int64_t low, int64_t high, int64_t *value,
                   const char *format, ...) __attribute__ ((format (printf, 5, 6)));
static int s_read (s_reader_t *reader, int64_t low, int64_t high, int64_t *value,
                   const char *format, ...)
{
    char what[120];
    va_list args;
    va_start (args, format);
    vsnprintf (what, sizeof what, format, args);
    va_end (args);
    if (reader->next >= reader->count)
        return s_fail (reader, "expected %s", what);
    const s_token_t *token = &reader->tokens[reader->next];
    char text[32];
    bool digits = token->length < (int) sizeof text;
    for (int k = 0; digits && k < token->length; k++)
        digits = isdigit ((unsigned char) token->start[k])
                 || (k == 0 && token->start[k] == '-' && token->length > 1);
    if (!digits)
        return s_fail (reader, "%s is not a whole number", what);
    memcpy (text, token->start, (size_t) token->length);
    text[token->length] = 0;
    errno = 0;
    long long number = strtoll (text, NULL, 10);
    if (errno || number < low || number > high)
        return s_fail (reader, "%s must be from %lld to %lld", what, (long long) low,
                       (long long) high);
    *value = number;
    reader->next++;
    return 0;
}

static gap_instance_t *s_read_problem (s_reader_t *reader, int problem)
{
    int64_t agents, jobs;
    if (s_read (reader, 1, INT32_MAX, &agents, "the number of agents of problem %d", problem)
        || s_read (reader, 1, INT32_MAX, &jobs, "the number of jobs of problem %d", problem))
        return NULL;
    if (agents * jobs > CELLS_MAX) {
        reader->next--;
        s_fail (reader, "problem %d has %lld x %lld pairs, more than %d", problem,
                (long long) agents, (long long) jobs, CELLS_MAX);
        return NULL;
    }
    gap_instance_t *self = gap_instance_new ((size_t) agents, (size_t) jobs);
    if (!self) {
        s_fail (reader, "out of memory for problem %d", problem);
        return NULL;
    }
    for (size_t cell = 0; cell < self->agents * self->jobs; cell++)
        if (s_read (reader, -GAP_VALUE_MAX, GAP_VALUE_MAX, &self->cost[cell],
                    "the cost of agent %zu, job %zu of problem %d", cell / self->jobs + 1,
                    cell % self->jobs + 1, problem))
            goto fail;
    for (size_t cell = 0; cell < self->agents * self->jobs; cell++)
        if (s_read (reader, 0, GAP_VALUE_MAX, &self->resource[cell],
                    "the resource of agent %zu, job %zu of problem %d", cell / self->jobs + 1,
                    cell % self->jobs + 1, problem))
            goto fail;
    for (size_t agent = 0; agent < self->agents; agent++)
        if (s_read (reader, 0, GAP_VALUE_MAX, &self->capacity[agent],
                    "the capacity of agent %zu of problem %d", agent + 1, problem))
            goto fail;
    return self;
fail:
    gap_instance_destroy (&self);
    return NULL;
}

//  Reads count problems from the reader's position to the end exactly.
static int s_read_problems (s_reader_t *reader, int64_t count, gap_instance_t ***list)
{
    gap_instance_t **problems = (gap_instance_t **) calloc ((size_t) count, sizeof *problems);
    if (!problems)
        return s_fail (reader, "out of memory");
    int read = 0;
    while (read < count && (problems[read] = s_read_problem (reader, read + 1)))
        read++;
    if (read == count && reader->next < reader->count)
        s_fail (reader, "more input after the %lld problems the file announced", (long long) count);
    else if (read == count) {
        *list = problems;
        return read;
    }
    while (read > 0)
        gap_instance_destroy (&problems[--read]);
    free (problems);
    return -1;
}

int gap_instance_parse (const char *text, gap_instance_t ***list, char *error, size_t size)
{
    s_reader_t reader = {NULL, 0, 0, error, size};
    size_t room = 0;
    int line = 1;
    for (const char *at = text; *at;) {
        if (isspace ((unsigned char) *at)) {
            line += *at++ == '\n';
            continue;
        }
        if (reader.count == room) {
            room = room ? room * 2 : 4096;
            s_token_t *tokens = (s_token_t *) realloc (reader.tokens, room * sizeof (s_token_t));
            if (!tokens) {
                free (reader.tokens);
                snprintf (error, size, "out of memory at line %d", line);
                return -1;
            }
            reader.tokens = tokens;
        }
        const char *start = at;
        while (*at && !isspace ((unsigned char) *at))
            at++;
        long length = at - start;
        reader.tokens[reader.count++]
            = (s_token_t){start, length > 1000 ? 1000 : (int) length, line};
    }
    int64_t count;
    int read = s_read (&reader, 1, 100000, &count, "the number of problems");
    if (read == 0)
        read = s_read_problems (&reader, count, list);
    if (read < 0 && reader.count >= 2) {
        //  Yagiura's files hold one problem without the count: m n first.
        char first_error[256];
        snprintf (first_error, sizeof first_error, "%s", error);
        long long agents = strtoll (reader.tokens[0].start, NULL, 10);
        long long jobs = strtoll (reader.tokens[1].start, NULL, 10);
        if (agents > 0 && jobs > 0 && agents <= CELLS_MAX / jobs
            && (size_t) (2 + 2 * agents * jobs + agents) == reader.count) {
            reader.next = 0;
            read = s_read_problems (&reader, 1, list);
        }
        if (read < 0)
            snprintf (error, size, "%s", first_error);
    }
    free (reader.tokens);
    return read;
}

void gap_instance_write (const gap_instance_t *self, FILE *file)
{
    fprintf (file, "%zu %zu\n", self->agents, self->jobs);
    const int64_t *matrices[] = {self->cost, self->resource};
    for (int k = 0; k < 2; k++)
        for (size_t agent = 0; agent < self->agents; agent++)
            for (size_t job = 0; job < self->jobs; job++)
                fprintf (file, "%lld%c", (long long) matrices[k][agent * self->jobs + job],
                         job + 1 == self->jobs ? '\n' : ' ');
    for (size_t agent = 0; agent < self->agents; agent++)
        fprintf (file, "%lld%c", (long long) self->capacity[agent],
                 agent + 1 == self->agents ? '\n' : ' ');
}

//  ---------------------------------------------------------------------------
//  Generator.

static int64_t s_uniform_int (unsigned short state[3], int64_t low, int64_t high)
{
    return low + (int64_t) (erand48 (state) * (double) (high - low + 1));
}

//  Uniform in (0, 1].
static double s_uniform_open (unsigned short state[3])
{
    return 1.0 - erand48 (state);
}

gap_instance_t *gap_instance_generate (char type, size_t agents, size_t jobs, uint64_t seed)
{
    if (type != 'C' && type != 'D' && type != 'E')
        return NULL;
    gap_instance_t *self = gap_instance_new (agents, jobs);
    if (!self)
        return NULL;
    unsigned short state[3] = {(unsigned short) (seed ^ 0x330E), (unsigned short) (seed >> 16),
                               (unsigned short) (seed >> 32)};
    size_t cells = agents * jobs;
    for (size_t cell = 0; cell < cells; cell++)
        self->resource[cell] = type == 'C' ? s_uniform_int (state, 5, 25)
                               : type == 'D'
                                   ? s_uniform_int (state, 1, 100)
                                   : (int64_t) floor (1 - 10 * log (s_uniform_open (state)));
    for (size_t cell = 0; cell < cells; cell++) {
        int64_t resource = self->resource[cell];
        self->cost[cell]
            = type == 'C' ? s_uniform_int (state, 10, 50)
              : type == 'D'
                  ? 111 - resource + s_uniform_int (state, -10, 10)
                  : (int64_t) floor (1000.0 / (double) resource - 10 * s_uniform_open (state));
    }
    for (size_t agent = 0; agent < agents; agent++) {
        int64_t sum = 0;
        for (size_t job = 0; job < jobs; job++)
            sum += self->resource[agent * jobs + job];
        self->capacity[agent] = (int64_t) floor (0.8 * (double) sum / (double) agents);
    }
    return self;
}

gap_problem_t *gap_instance_problem (const gap_instance_t *self, bool maximize)
{
    gap_problem_t *problem = gap_problem_new (self->agents, self->jobs);
    if (!problem)
        return NULL;
    for (size_t agent = 0; agent < self->agents; agent++) {
        int rc = gap_problem_set_agent (problem, agent, self->capacity[agent], GAP_UNLIMITED);
        for (size_t job = 0; job < self->jobs && rc == 0; job++) {
            int64_t cost = self->cost[agent * self->jobs + job];
            rc = gap_problem_add_pair (problem, agent, job, maximize ? -cost : cost,
                                       self->resource[agent * self->jobs + job]);
        }
        if (rc)
            gap_problem_destroy (&problem);
        if (!problem)
            return NULL;
    }
    return problem;
}
