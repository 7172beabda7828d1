/*  shr_pattern - ECMA 262 regular expressions as JSON Schema "pattern" uses them.

    A pattern is compiled once into a POSIX extended regex (regcomp, after
    rewriting \d \D \w \W \s \S and (?:...); lookaround, backreferences and
    \uXXXX escapes are refused). When it only uses the simple subset schemas use
    in practice, it is also compiled into a DFA, and matching runs that instead
    of regexec: a table lookup per byte, linear in the length of the string.
    Such a pattern then drops its regex (regcomp's word on whether the pattern
    loads is all it needed), which is most of its memory.
    The DFA gives exactly the regex's answer, so which one runs never changes
    a result. Both search anywhere unless anchored, match bytes ("." is one
    byte and matches a newline too, as the POSIX regex does), and \w \d \s are
    ASCII. regexec does so in the C locale; no service calls setlocale.

    The fast subset: "^" at the start and "$" at the end of a top-level
    alternative; literal bytes; escaped punctuation other than \< \> \` \';
    "."; \d \D \w \W \s \S \n \t \r \f \v; classes [...] and [^...] with
    ranges and \d \w \s inside; groups (...) and (?:...) with alternation;
    greedy ? * + {n} {n,} {n,m}. Such a pattern still runs on regexec when its
    DFA would be too big: more than 255 character positions once counts are
    expanded, or more than 1024 states. So does everything else: lazy or
    stacked quantifiers ("a+?", whose POSIX reading is (a+)?), anchors in
    other places, \b \B \< \> \` \', a quantifier on a non-ASCII byte, {,m},
    a literal "]" or "}", and inside [...]: "[", "\]", non-ASCII bytes, a
    leading "]" or "\^", "\-" other than first or last, a range from or to
    a class escape or "-".
*/
#ifndef SHR_PATTERN_H_INCLUDED
#define SHR_PATTERN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _shr_pattern_t shr_pattern_t;

//  Compiles an ECMA 262 pattern. Returns a pattern the caller owns, or NULL
//  with the reason in err (construct not supported, regcomp's message, out of
//  memory). Does not keep src.
shr_pattern_t *shr_pattern_new (const char *src, char *err, size_t errlen);

//  Destroys the pattern and nulls *self_p. Safe twice and on NULL.
void shr_pattern_destroy (shr_pattern_t **self_p);

//  True if the pattern matches somewhere in s (anywhere, unless anchored).
//  Does not modify the pattern: threads may share one.
bool shr_pattern_match (const shr_pattern_t *self, const char *s);

//  The same answer from regexec alone, bypassing the DFA: for tests and
//  benchmarks that compare the two. A pattern on the DFA keeps no regex, so
//  this compiles one for each call (slow; callers that compare many strings
//  compile their own from shr_pattern_posix). False if out of memory.
bool shr_pattern_match_regex (const shr_pattern_t *self, const char *s);

//  True if shr_pattern_match runs the DFA rather than regexec.
bool shr_pattern_fast (const shr_pattern_t *self);

//  The POSIX extended regex that src is rewritten to, which shr_pattern_new
//  compiles with regcomp (REG_EXTENDED | REG_NOSUB): a fresh string the caller
//  frees, or NULL with the reason in err when the rewrite refuses src (regcomp
//  may still refuse what it returns). Lets tests build their own reference.
char *shr_pattern_posix (const char *src, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
