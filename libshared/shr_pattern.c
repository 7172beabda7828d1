/*  shr_pattern - ECMA 262 patterns: a DFA for the simple ones, regexec for the
    rest. See shr_pattern.h.

    Every pattern gets its POSIX regex compiled, so what loads and what is
    refused stays as it was. The fast path is then tried in three steps, any of
    which may give up (the pattern then keeps running on regexec):

    1.  A recursive-descent parser turns the ECMA source into a small tree. It
        refuses anything outside the subset, and anything whose POSIX rewrite
        means something else than it seems (see s_class_atom): the DFA must
        give regexec's answer, which the differential test checks.
    2.  The tree becomes a Glushkov automaton: one NFA state per character
        position, no epsilon moves. A count builds its operand again per copy:
        X{2,4} is X X X? X?, which accepts the same strings as X X (X X?)?.
    3.  Subset construction over byte classes gives the DFA. A search that
        reaches a position ending an unanchored alternative has matched, and
        one with no live position left and nothing unanchored to restart
        cannot match: both become absorbing states (MATCH, DEAD), so matching
        stops at the first byte that decides.

    A pattern on the DFA then frees its regex: glibc's compiled form takes
    kilobytes (some 20 KB for ^[a-z][a-z0-9_]{0,31}$) that matching never
    reads, and every service holds a schema registry full of patterns. It keeps
    the POSIX text instead, for shr_pattern_match_regex.
*/
#include "shr_pattern.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Character positions in the Glushkov automaton; bit S_INIT marks the start.
#define S_MAX_POS 255
#define S_INIT S_MAX_POS
//  DFA size limits: beyond them the pattern runs on regexec.
#define S_MAX_STATES 1024
#define S_MAX_CELLS 32768           //  states times byte classes
#define S_HASH_SLOTS 2048           //  power of two, at least twice S_MAX_STATES
//  Parser limits: bound recursion and work on hostile schemas.
#define S_MAX_SRC 4096              //  longer sources could not fit S_MAX_POS anyway
#define S_MAX_NESTING 32
#define S_MAX_COUNT 1000            //  largest n or m in {n,m}
#define S_MAX_BUILDS 10000          //  subtree builds, which X{n} of an empty X multiplies

//  DFA rows 0 and 1: the search has failed or matched, whatever follows.
enum { S_DEAD = 0, S_MATCH = 1, S_START = 2 };

//  A transition is the next row's first cell, which is below S_MAX_CELLS.
typedef uint16_t s_cell_t;
_Static_assert (S_MAX_CELLS <= UINT16_MAX + 1, "a cell index must fit s_cell_t");

//  How shr_pattern_match answers.
typedef enum { MODE_REGEX, MODE_ALWAYS, MODE_DFA } s_mode_t;

struct _shr_pattern_t {
    s_mode_t mode;
    uint32_t ncls;
    s_cell_t *next;         //  row (state * ncls) + class -> next row
    regex_t *re;            //  MODE_REGEX: what matches
    char *posix;            //  otherwise: the regex's source, for shr_pattern_match_regex
    uint8_t cls [256];      //  byte -> byte class; class 0 is the NUL alone
};

//  256 bits: a set of bytes, or of positions.
typedef struct {
    uint64_t w [4];
} s_set_t;

static void s_set_add (s_set_t *set, int bit)
{
    set->w [bit >> 6] |= (uint64_t) 1 << (bit & 63);
}

static bool s_set_has (const s_set_t *set, int bit)
{
    return (set->w [bit >> 6] >> (bit & 63)) & 1;
}

static void s_set_range (s_set_t *set, int lo, int hi)
{
    for (int c = lo; c <= hi; c++)
        s_set_add (set, c);
}

static void s_set_or (s_set_t *set, const s_set_t *other)
{
    for (int i = 0; i < 4; i++)
        set->w [i] |= other->w [i];
}

static bool s_set_meets (const s_set_t *a, const s_set_t *b)
{
    return ((a->w [0] & b->w [0]) | (a->w [1] & b->w [1]) | (a->w [2] & b->w [2])
            | (a->w [3] & b->w [3])) != 0;
}

static bool s_set_empty (const s_set_t *set)
{
    return (set->w [0] | set->w [1] | set->w [2] | set->w [3]) == 0;
}

//  Bytes 1 to 255 not in set: strings end at NUL, so it never needs matching.
static void s_set_negate (s_set_t *set)
{
    for (int i = 0; i < 4; i++)
        set->w [i] = ~set->w [i];
    set->w [0] &= ~(uint64_t) 1;
}

//  The POSIX classes the ECMA escapes are rewritten to; C locale.
static void s_set_escape (s_set_t *set, int letter)
{
    switch (letter) {
        case 'd': s_set_range (set, '0', '9'); break;
        case 'w':
            s_set_range (set, '0', '9');
            s_set_range (set, 'A', 'Z');
            s_set_range (set, 'a', 'z');
            s_set_add (set, '_');
            break;
        case 's':
            s_set_range (set, '\t', '\r');
            s_set_add (set, ' ');
            break;
    }
}

//  --------------------------------------------------------------------------
//  The POSIX regex

//  Rewrites the common ECMA escapes into POSIX forms. Returns a fresh string,
//  or NULL with a reason in why for constructs POSIX cannot express.
static char *s_translate (const char *src, const char **why)
{
    size_t len = strlen (src);
    char *out = malloc (len * 8 + 1);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t n = 0;
    bool in_bracket = false;
    for (size_t i = 0; i < len; i++) {
        char c = src [i];
        if (c == '\\' && i + 1 < len) {
            char d = src [++i];
            const char *outside = NULL, *inside = NULL;
            switch (d) {
                case 'd': outside = "[0-9]"; inside = "0-9"; break;
                case 'D': outside = "[^0-9]"; break;
                case 'w': outside = "[A-Za-z0-9_]"; inside = "A-Za-z0-9_"; break;
                case 'W': outside = "[^A-Za-z0-9_]"; break;
                case 's': outside = "[[:space:]]"; inside = "[:space:]"; break;
                case 'S': outside = "[^[:space:]]"; break;
                case 'n': outside = inside = "\n"; break;
                case 't': outside = inside = "\t"; break;
                case 'r': outside = inside = "\r"; break;
                case 'f': outside = inside = "\f"; break;
                case 'v': outside = inside = "\v"; break;
                case 'b': case 'B':
                    //  glibc knows \b and \B as GNU extensions.
                    if (in_bracket) {
                        *why = "\\b inside [...] is not supported";
                        free (out);
                        return NULL;
                    }
                    out [n++] = '\\';
                    out [n++] = d;
                    continue;
                default:
                    if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9')) {
                        *why = "escape not supported by POSIX regexes";
                        free (out);
                        return NULL;
                    }
                    if (in_bracket)
                        out [n++] = d;      //  a backslash is literal inside POSIX brackets
                    else {
                        out [n++] = '\\';
                        out [n++] = d;
                    }
                    continue;
            }
            const char *text = in_bracket ? inside : outside;
            if (!text) {
                *why = "negated class escape inside [...] is not supported";
                free (out);
                return NULL;
            }
            size_t tn = strlen (text);
            memcpy (out + n, text, tn);
            n += tn;
        }
        else
        if (!in_bracket && c == '(' && src [i + 1] == '?') {
            if (src [i + 2] != ':') {
                *why = "lookaround and other (?...) groups are not supported";
                free (out);
                return NULL;
            }
            out [n++] = '(';                //  a non-capturing group is just a group
            i += 2;
        }
        else
        if (!in_bracket && c == '[') {
            in_bracket = true;
            out [n++] = c;
            if (src [i + 1] == '^')
                out [n++] = src [++i];
            if (src [i + 1] == ']')
                out [n++] = src [++i];      //  a leading ']' is literal
        }
        else {
            if (in_bracket && c == ']')
                in_bracket = false;
            out [n++] = c;
        }
    }
    out [n] = '\0';
    return out;
}

//  --------------------------------------------------------------------------
//  Parser: ECMA source to a tree of s_node_t

typedef enum { N_SET, N_CAT, N_ALT, N_REP } s_kind_t;

typedef struct {
    s_kind_t kind;
    int child, next;        //  first child, next sibling: indexes, or -1
    int min, max;           //  N_REP; max -1 is unbounded
    bool bol, eol;          //  N_CAT of a top-level alternative: anchored by ^, $
    s_set_t set;            //  N_SET: the bytes it matches
} s_node_t;

typedef struct {
    const unsigned char *p; //  next source byte
    s_node_t *nodes;
    int nodes_n, nodes_cap;
    int depth;              //  groups open
} s_parser_t;

static int s_parse_alt (s_parser_t *ps, bool top);

//  Returns a new node's index, or -1 (cannot happen with nodes_cap from
//  s_fast_compile, checked all the same).
static int s_node_new (s_parser_t *ps, s_kind_t kind)
{
    if (ps->nodes_n == ps->nodes_cap)
        return -1;
    s_node_t *node = &ps->nodes [ps->nodes_n];
    memset (node, 0, sizeof (*node));
    node->kind = kind;
    node->child = node->next = -1;
    return ps->nodes_n++;
}

//  Links child as the last child of parent; *last tracks the current last.
static void s_node_link (s_parser_t *ps, int parent, int child, int *last)
{
    if (*last < 0)
        ps->nodes [parent].child = child;
    else
        ps->nodes [*last].next = child;
    *last = child;
}

//  Punctuation and space, which an ECMA backslash makes literal.
static bool s_is_punct (int c)
{
    return c == ' ' || (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`')
           || (c >= '{' && c <= '~');
}

static bool s_is_quantifier (int c)
{
    return c == '?' || c == '*' || c == '+' || c == '{';
}

//  One atom inside [...]: returns its byte, or 256 for a class escape (whose
//  bytes it adds to set), or -1 when not in the subset. The ECMA source is
//  rewritten for POSIX almost verbatim, where "\-" and "\^" lose their
//  backslash and so can become a range or a negation; such cases, "[" (POSIX
//  [:class:]) and "]" are refused. Ranges are the caller's.
static int s_class_atom (s_parser_t *ps, bool first, s_set_t *set)
{
    const unsigned char *p = ps->p;
    if (p [0] == '[' || p [0] >= 0x80 || p [0] == '\0')
        return -1;
    if (p [0] == '-') {
        //  Literal first or last in both dialects; elsewhere a range.
        if (!first && p [1] != ']')
            return -1;
        ps->p++;
        return '-';
    }
    if (p [0] != '\\') {
        ps->p++;
        return p [0];
    }
    ps->p += 2;
    switch (p [1]) {
        case 'd': case 'w': case 's':
            s_set_escape (set, p [1]);
            return 256;
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case 'f': return '\f';
        case 'v': return '\v';
        case '-': return first || p [2] == ']' ? '-' : -1;
        case '^': return first ? -1 : '^';
        case '[': case ']': return -1;
    }
    //  Inside POSIX brackets "\<" and the like are plain bytes.
    return s_is_punct (p [1]) ? p [1] : -1;
}

//  [...] or [^...], ps->p at the "[".
static int s_parse_class (s_parser_t *ps)
{
    int index = s_node_new (ps, N_SET);
    if (index < 0)
        return -1;
    s_set_t set = {{0}};
    ps->p++;
    bool negate = *ps->p == '^';
    if (negate)
        ps->p++;
    //  ECMA [] matches nothing, POSIX takes a leading "]" as a literal.
    if (*ps->p == ']')
        return -1;
    bool first = true;
    while (*ps->p != ']') {
        int lo = s_class_atom (ps, first, &set);
        if (lo < 0)
            return -1;
        first = false;
        if (ps->p [0] == '-' && ps->p [1] != ']') {
            //  A range of two single bytes; "a-c-e" and "\w-x" are refused by
            //  regcomp or read otherwise by ECMA.
            ps->p++;
            int hi = s_class_atom (ps, false, &set);
            if (lo == 256 || lo == '-' || hi < 0 || hi == 256 || hi == '-' || hi < lo)
                return -1;
            s_set_range (&set, lo, hi);
        }
        else
        if (lo < 256)
            s_set_add (&set, lo);
    }
    ps->p++;
    if (negate)
        s_set_negate (&set);
    ps->nodes [index].set = set;
    return index;
}

//  Escape outside [...], ps->p at the backslash.
static int s_parse_escape (s_parser_t *ps)
{
    int index = s_node_new (ps, N_SET);
    if (index < 0)
        return -1;
    s_set_t *set = &ps->nodes [index].set;
    int c = ps->p [1];
    ps->p += 2;
    switch (c) {
        case 'd': case 'w': case 's':
            s_set_escape (set, c);
            return index;
        case 'D': case 'W': case 'S':
            s_set_escape (set, c - 'A' + 'a');
            s_set_negate (set);
            return index;
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'f': c = '\f'; break;
        case 'v': c = '\v'; break;
        //  Kept escaped for POSIX, where glibc reads them as anchors.
        case '<': case '>': case '`': case '\'':
            return -1;
        default:
            if (!s_is_punct (c))
                return -1;
    }
    s_set_add (set, c);
    return index;
}

static int s_parse_atom (s_parser_t *ps)
{
    int c = *ps->p;
    if (c == '(') {
        ps->p++;
        if (*ps->p == '?') {
            if (ps->p [1] != ':')
                return -1;
            ps->p += 2;
        }
        if (++ps->depth > S_MAX_NESTING)
            return -1;
        int index = s_parse_alt (ps, false);
        ps->depth--;
        if (index < 0 || *ps->p != ')')
            return -1;
        ps->p++;
        return index;
    }
    if (c == '[')
        return s_parse_class (ps);
    if (c == '\\')
        return s_parse_escape (ps);
    //  Anchors out of place, quantifiers with nothing to repeat, and literal
    //  "]" "}" (which ECMA allows only in its web-compatibility annex).
    if (c == '\0' || strchr ("^$*+?{}])|", c))
        return -1;
    int index = s_node_new (ps, N_SET);
    if (index < 0)
        return -1;
    if (c == '.') {
        //  Like the POSIX regex (no REG_NEWLINE), "." takes a newline too.
        s_set_negate (&ps->nodes [index].set);
    }
    else
        s_set_add (&ps->nodes [index].set, c);
    ps->p++;
    return index;
}

//  Reads a decimal count of at most S_MAX_COUNT; -1 if none.
static int s_parse_count (s_parser_t *ps)
{
    if (*ps->p < '0' || *ps->p > '9')
        return -1;
    int value = 0;
    while (*ps->p >= '0' && *ps->p <= '9') {
        value = value * 10 + (*ps->p++ - '0');
        if (value > S_MAX_COUNT)
            return -1;
    }
    return value;
}

//  An atom and its quantifier, if any.
static int s_parse_term (s_parser_t *ps)
{
    int atom = s_parse_atom (ps);
    if (atom < 0 || !s_is_quantifier (*ps->p))
        return atom;
    //  POSIX would repeat the last byte of a UTF-8 character, ECMA all of it.
    if (ps->p [-1] >= 0x80)
        return -1;
    int min = 0, max = -1;
    switch (*ps->p++) {
        case '?': max = 1; break;
        case '*': break;
        case '+': min = 1; break;
        case '{':
            if ((min = s_parse_count (ps)) < 0)
                return -1;
            max = min;
            if (*ps->p == ',') {
                ps->p++;
                max = *ps->p == '}' ? -1 : s_parse_count (ps);
                if (max == -1 && *ps->p != '}')
                    return -1;
                if (max >= 0 && max < min)
                    return -1;
            }
            if (*ps->p++ != '}')
                return -1;
            break;
    }
    //  Lazy and stacked quantifiers: glibc reads "a+?" as (a+)?, ECMA does not.
    if (s_is_quantifier (*ps->p))
        return -1;
    int rep = s_node_new (ps, N_REP);
    if (rep < 0)
        return -1;
    ps->nodes [rep].child = atom;
    ps->nodes [rep].min = min;
    ps->nodes [rep].max = max;
    return rep;
}

//  A sequence up to "|", ")" or the end. At the top level it may start with
//  "^" and end with "$"; anchors anywhere else are refused.
static int s_parse_seq (s_parser_t *ps, bool top)
{
    int seq = s_node_new (ps, N_CAT);
    if (seq < 0)
        return -1;
    if (top && *ps->p == '^') {
        ps->nodes [seq].bol = true;
        ps->p++;
    }
    int last = -1;
    while (*ps->p && *ps->p != '|' && *ps->p != ')') {
        if (top && *ps->p == '$' && (ps->p [1] == '\0' || ps->p [1] == '|')) {
            ps->nodes [seq].eol = true;
            ps->p++;
            break;
        }
        int term = s_parse_term (ps);
        if (term < 0)
            return -1;
        s_node_link (ps, seq, term, &last);
    }
    return seq;
}

static int s_parse_alt (s_parser_t *ps, bool top)
{
    int alt = s_node_new (ps, N_ALT);
    if (alt < 0)
        return -1;
    int last = -1;
    while (true) {
        int seq = s_parse_seq (ps, top);
        if (seq < 0)
            return -1;
        s_node_link (ps, alt, seq, &last);
        if (*ps->p != '|')
            return alt;
        ps->p++;
    }
}

//  --------------------------------------------------------------------------
//  Glushkov automaton

//  What a subtree contributes: positions it can start and end with, and
//  whether it matches the empty string.
typedef struct {
    s_set_t first, last;
    bool nullable;
} s_info_t;

typedef struct {
    const s_node_t *nodes;
    int npos;
    int builds;
    s_set_t label [S_MAX_POS];          //  bytes each position matches
    s_set_t follow [S_MAX_POS + 1];     //  positions that may come next; [S_INIT]: first ones
} s_glushkov_t;

//  Lets every position in from be followed by every position in to.
static void s_follow (s_glushkov_t *g, const s_set_t *from, const s_set_t *to)
{
    for (int i = 0; i < 4; i++)
        for (uint64_t bits = from->w [i]; bits; bits &= bits - 1)
            s_set_or (&g->follow [i * 64 + __builtin_ctzll (bits)], to);
}

//  info = info followed by next.
static void s_concat (s_glushkov_t *g, s_info_t *info, const s_info_t *next)
{
    s_follow (g, &info->last, &next->first);
    if (info->nullable)
        s_set_or (&info->first, &next->first);
    if (next->nullable)
        s_set_or (&info->last, &next->last);
    else
        info->last = next->last;
    info->nullable = info->nullable && next->nullable;
}

//  Builds the positions of a subtree, again on each call. Returns 0, or -1
//  when a limit is reached.
static int s_build (s_glushkov_t *g, int index, s_info_t *info)
{
    const s_node_t *node = &g->nodes [index];
    memset (info, 0, sizeof (*info));
    if (++g->builds > S_MAX_BUILDS)
        return -1;
    s_info_t sub;
    switch (node->kind) {
        case N_SET:
            if (g->npos == S_MAX_POS)
                return -1;
            g->label [g->npos] = node->set;
            s_set_add (&info->first, g->npos);
            s_set_add (&info->last, g->npos);
            g->npos++;
            return 0;
        case N_CAT:
            info->nullable = true;
            for (int child = node->child; child >= 0; child = g->nodes [child].next) {
                if (s_build (g, child, &sub))
                    return -1;
                s_concat (g, info, &sub);
            }
            return 0;
        case N_ALT:
            for (int child = node->child; child >= 0; child = g->nodes [child].next) {
                if (s_build (g, child, &sub))
                    return -1;
                s_set_or (&info->first, &sub.first);
                s_set_or (&info->last, &sub.last);
                info->nullable = info->nullable || sub.nullable;
            }
            return 0;
        case N_REP: {
            //  X{n,m} as n copies of X, then m-n of X?; X{n,} as n-1 copies,
            //  then X+ (or X* when n is 0).
            int copies = node->max >= 0 ? node->max : node->min > 0 ? node->min : 1;
            info->nullable = true;
            for (int i = 0; i < copies; i++) {
                if (s_build (g, node->child, &sub))
                    return -1;
                if (i >= node->min)
                    sub.nullable = true;
                if (node->max < 0 && i == copies - 1)
                    s_follow (g, &sub.last, &sub.first);
                s_concat (g, info, &sub);
            }
            return 0;
        }
    }
    return -1;
}

//  --------------------------------------------------------------------------
//  DFA

static uint32_t s_set_hash (const s_set_t *set)
{
    uint64_t h = 0;
    for (int i = 0; i < 4; i++)
        h = (h ^ set->w [i]) * 0x9e3779b97f4a7c15ULL;
    return (uint32_t) (h >> 32);
}

//  Splits bytes into classes no position label tells apart. The NUL that
//  ends the string gets class 0 to itself (no label holds it), so the
//  matching loop needs no test of its own for the end.
static void s_byte_classes (shr_pattern_t *self, const s_glushkov_t *g)
{
    int size [256] = {1, 255}, inside [256], remap [256];
    memset (self->cls, 1, sizeof (self->cls));
    self->cls [0] = 0;
    self->ncls = 2;
    for (int p = 0; p < g->npos; p++) {
        memset (inside, 0, sizeof (inside));
        for (int c = 0; c < 256; c++)
            if (s_set_has (&g->label [p], c))
                inside [self->cls [c]]++;
        for (uint32_t k = 0; k < self->ncls; k++)
            remap [k] = inside [k] && inside [k] < size [k] ? (int) self->ncls++ : (int) k;
        for (int c = 0; c < 256; c++)
            if (s_set_has (&g->label [p], c) && remap [self->cls [c]] != self->cls [c]) {
                size [self->cls [c]]--;
                self->cls [c] = (uint8_t) remap [self->cls [c]];
                size [self->cls [c]]++;
            }
    }
}

//  Subset construction from the automaton and the anchoring of its
//  alternatives: g->follow [S_INIT] holds the positions that may start the
//  string, first_float those that may start anywhere; last_end matches only
//  at the end, last_any wherever it is reached; empty_ok: the empty string
//  matches "^...$". Fills self->next and returns 0, or -1 when the DFA is too
//  big or memory is out.
static int s_dfa (shr_pattern_t *self, s_glushkov_t *g, const s_set_t *first_float,
                  const s_set_t *last_end, const s_set_t *last_any, bool empty_ok)
{
    s_byte_classes (self, g);
    uint32_t ncls = self->ncls;
    uint32_t max_states = S_MAX_CELLS / ncls < S_MAX_STATES ? S_MAX_CELLS / ncls : S_MAX_STATES;
    s_set_t members [256];              //  positions that accept the bytes of each class
    for (uint32_t k = 0; k < ncls; k++) {
        int c = 0;
        while (self->cls [c] != k)
            c++;
        memset (&members [k], 0, sizeof (members [k]));
        for (int p = 0; p < g->npos; p++)
            if (s_set_has (&g->label [p], c))
                s_set_add (&members [k], p);
    }
    int rc = -1;
    s_set_t *states = calloc (max_states, sizeof (s_set_t));
    uint16_t *slots = calloc (S_HASH_SLOTS, sizeof (uint16_t));     //  state, or 0 if free
    self->next = calloc ((size_t) max_states * ncls, sizeof (s_cell_t));
    if (!states || !slots || !self->next)
        goto done;
    //  Rows S_DEAD and S_MATCH stay zero; matching never reads them, as it
    //  stops on reaching one.
    s_set_add (&states [S_START], S_INIT);
    slots [s_set_hash (&states [S_START]) & (S_HASH_SLOTS - 1)] = S_START;
    uint32_t nstates = S_START + 1;
    for (uint32_t state = S_START; state < nstates; state++) {
        s_set_t reach = *first_float;
        for (int i = 0; i < 4; i++)
            for (uint64_t bits = states [state].w [i]; bits; bits &= bits - 1)
                s_set_or (&reach, &g->follow [i * 64 + __builtin_ctzll (bits)]);
        //  The end of the string: matched, or never will be.
        bool accept = s_set_meets (&states [state], last_end) || (state == S_START && empty_ok);
        self->next [state * ncls] = (s_cell_t) ((accept ? S_MATCH : S_DEAD) * ncls);
        for (uint32_t k = 1; k < ncls; k++) {
            s_set_t to;
            for (int i = 0; i < 4; i++)
                to.w [i] = reach.w [i] & members [k].w [i];
            uint32_t target;
            if (s_set_meets (&to, last_any))
                target = S_MATCH;
            else
            if (s_set_empty (&to) && s_set_empty (first_float))
                target = S_DEAD;
            else {
                uint32_t slot = s_set_hash (&to) & (S_HASH_SLOTS - 1);
                while (slots [slot] && memcmp (&states [slots [slot]], &to, sizeof (to)))
                    slot = (slot + 1) & (S_HASH_SLOTS - 1);
                if (!slots [slot]) {
                    if (nstates == max_states)
                        goto done;
                    states [nstates] = to;
                    slots [slot] = (uint16_t) nstates++;
                }
                target = slots [slot];
            }
            self->next [state * ncls + k] = (s_cell_t) (target * ncls);
        }
    }
    //  Give back what the limits reserved.
    s_cell_t *next = realloc (self->next, (size_t) nstates * ncls * sizeof (s_cell_t));
    if (next)
        self->next = next;
    rc = 0;
done:
    free (states);
    free (slots);
    if (rc) {
        free (self->next);
        self->next = NULL;
    }
    return rc;
}

//  Sets self->mode to MODE_DFA or MODE_ALWAYS when src is in the fast subset
//  and its DFA fits; otherwise leaves MODE_REGEX.
static void s_fast_compile (shr_pattern_t *self, const char *src)
{
    size_t len = strlen (src);
    if (len > S_MAX_SRC)
        return;
    //  A source byte makes at most two nodes ("(": a group and its first
    //  sequence; an atom and its quantifier), the root two more.
    s_parser_t ps = {(const unsigned char *) src, NULL, 0, (int) len * 3 + 4, 0};
    s_glushkov_t *g = calloc (1, sizeof (s_glushkov_t));
    ps.nodes = calloc ((size_t) ps.nodes_cap, sizeof (s_node_t));
    if (!g || !ps.nodes)
        goto done;
    int root = s_parse_alt (&ps, true);
    if (root < 0 || *ps.p)
        goto done;                      //  not in the subset, or a stray ")"
    g->nodes = ps.nodes;
    s_set_t first_float = {{0}}, last_end = {{0}}, last_any = {{0}};
    bool empty_ok = false, always = false;
    for (int seq = ps.nodes [root].child; seq >= 0; seq = ps.nodes [seq].next) {
        s_info_t info;
        if (s_build (g, seq, &info))
            goto done;
        const s_node_t *node = &ps.nodes [seq];
        s_set_or (node->bol ? &g->follow [S_INIT] : &first_float, &info.first);
        s_set_or (node->eol ? &last_end : &last_any, &info.last);
        //  An alternative that matches the empty string matches every string,
        //  unless it is anchored at both ends.
        if (info.nullable && node->bol && node->eol)
            empty_ok = true;
        else
        if (info.nullable)
            always = true;
    }
    if (always)
        self->mode = MODE_ALWAYS;
    else {
        s_set_or (&g->follow [S_INIT], &first_float);
        if (s_dfa (self, g, &first_float, &last_end, &last_any, empty_ok) == 0)
            self->mode = MODE_DFA;
    }
done:
    free (ps.nodes);
    free (g);
}

//  --------------------------------------------------------------------------
//  Public API

//  The POSIX flags: no subexpressions (only whether it matches), and "." and
//  [^...] take a newline too (no REG_NEWLINE), as the DFA does.
#define S_REGEX_FLAGS (REG_EXTENDED | REG_NOSUB)

//  Returns posix (from s_translate, sized for the worst case) cut to its length.
static char *s_fit (char *posix)
{
    char *fit = realloc (posix, strlen (posix) + 1);
    return fit ? fit : posix;
}

shr_pattern_t *shr_pattern_new (const char *src, char *err, size_t errlen)
{
    char buf [256] = "out of memory";
    const char *why = buf;
    shr_pattern_t *self = calloc (1, sizeof (shr_pattern_t));
    regex_t *re = self ? malloc (sizeof (regex_t)) : NULL;
    char *posix = re ? s_translate (src, &why) : NULL;
    int rc = posix ? regcomp (re, posix, S_REGEX_FLAGS) : -1;
    if (rc > 0) {
        regerror (rc, NULL, buf, sizeof (buf));
        why = buf;
    }
    if (rc) {
        if (err && errlen)
            snprintf (err, errlen, "%s", why);
        free (posix);
        free (re);
        free (self);
        return NULL;
    }
    self->mode = MODE_REGEX;
    s_fast_compile (self, src);
    if (self->mode == MODE_REGEX) {
        self->re = re;
        free (posix);
    }
    else {
        //  regcomp only had to accept the pattern; the DFA answers from now on.
        regfree (re);
        free (re);
        self->posix = s_fit (posix);
    }
    return self;
}

void shr_pattern_destroy (shr_pattern_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_pattern_t *self = *self_p;
    if (self->re)
        regfree (self->re);
    free (self->re);
    free (self->posix);
    free (self->next);
    free (self);
    *self_p = NULL;
}

bool shr_pattern_match (const shr_pattern_t *self, const char *s)
{
    if (self->mode == MODE_ALWAYS)
        return true;
    if (self->mode == MODE_REGEX)
        return regexec (self->re, s, 0, NULL, 0) == 0;
    //  Every state goes to S_DEAD or S_MATCH on the NUL, so the loop ends.
    const s_cell_t *next = self->next;
    const uint8_t *cls = self->cls;
    const unsigned char *p = (const unsigned char *) s;
    size_t last = S_MATCH * self->ncls;
    size_t row = S_START * self->ncls;
    do
        row = next [row + cls [*p++]];
    while (row > last);
    return row != S_DEAD;
}

bool shr_pattern_match_regex (const shr_pattern_t *self, const char *s)
{
    if (self->re)
        return regexec (self->re, s, 0, NULL, 0) == 0;
    //  A pattern on the DFA keeps no regex: compile one for this call.
    regex_t re;
    if (regcomp (&re, self->posix, S_REGEX_FLAGS))
        return false;       //  out of memory: the same text compiled before
    bool match = regexec (&re, s, 0, NULL, 0) == 0;
    regfree (&re);
    return match;
}

bool shr_pattern_fast (const shr_pattern_t *self)
{
    return self->mode != MODE_REGEX;
}

char *shr_pattern_posix (const char *src, char *err, size_t errlen)
{
    const char *why = "out of memory";
    char *posix = src ? s_translate (src, &why) : NULL;
    if (!posix) {
        if (err && errlen)
            snprintf (err, errlen, "%s", src ? why : "missing argument");
        return NULL;
    }
    return s_fit (posix);
}
