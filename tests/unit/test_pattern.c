/*  test_pattern - shr_pattern's DFA against regexec on the same translated
    pattern.

    The reference is a regex the test compiles itself from shr_pattern_posix,
    with the flags shr_pattern_new uses: a pattern on the DFA keeps no regex.

    Differential: every pattern in s_fast_cases must compile to the DFA, and
    for each one the DFA and regexec must agree on thousands of strings: every
    string up to 5 bytes over a small alphabet taken from the pattern, then
    random strings from that alphabet, mutated seeds (strings that match), and
    random bytes. Then the patterns that must fall back, and hostile 1 MiB
    inputs that must stay linear. TEST_PATTERN_SEED=n picks another random
    sequence; TEST_PATTERN_VERBOSE prints per-pattern counts.
*/
#include "shr_pattern.h"
#include "testutil.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_RANDOM_STRINGS 10000
#define S_EXHAUSTIVE_LEN 6
#define S_MAX_LEN 128

typedef struct {
    const char *pattern;    //  ECMA source, as a schema would hold it
    const char *seeds [3];  //  strings it matches, mutated to probe the edges
} s_case_t;

//  Every feature of the fast subset, anchored and unanchored.
static const s_case_t s_fast_cases [] = {
    //  The ones the platform's schemas use.
    {"^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", {"sys.ping", "workorder.create.v2_x"}},
    {"^WO-[0-9]{6,}$", {"WO-123456", "WO-0000001"}},
    {"^[A-Za-z0-9_.-]+$", {"abc_1.2-x"}},
    {"^[A-Z]{3}$", {"EUR"}},
    {"^WO-[0-9]+$", {"WO-1"}},
    {"^[a-z][a-z0-9_]{0,31}$", {"roster_2"}},
    {"^[+-](0[0-9]|1[0-4]):[0-5][0-9]$", {"+02:00", "-14:00"}},
    {"^([01][0-9]|2[0-3]):[0-5][0-9]$", {"08:30"}},
    //  Escapes outside classes.
    {"x\\.y", {"--x.y--"}},
    {"^\\d{3}-\\w+$", {"123-ab_9"}},
    {"^\\D\\W$", {"a-"}},
    {"^(?:ab)+\\s\\S$", {"abab x"}},
    {"^\\S+$", {"a-b"}},
    {"\\s+$", {"ab \t"}},
    {"a\\\\b", {"xa\\b"}},
    {"^\\/api\\/v[12]\\/[a-z]+$", {"/api/v1/users"}},
    {"^\\(\\d+\\)$", {"(12)"}},
    {"\\[\\]\\{\\}\\|\\^\\$\\*\\+\\?", {"[]{}|^$*+?"}},
    {"^\\!\\\"\\#\\%\\&\\,\\-\\.\\:\\;\\=\\@\\_\\~\\ $", {"!\"#%&,-.:;=@_~ "}},
    {"a\\-b\\tc\\nd", {"a-b\tc\nd"}},
    {"\\r\\f\\v", {"\r\f\v"}},
    //  Literals, "." and anchoring.
    {"abc", {"xxabcxx"}},
    {"^abc", {"abcdef"}},
    {"abc$", {"xxabc"}},
    {"a.c", {"abc", "a\nc"}},
    {"^.+$", {"x"}},
    {"^.{2,5}$", {"abc"}},
    {".", {"x"}},
    {"^$", {""}},
    {"^caf\xc3\xa9$", {"caf\xc3\xa9"}},
    {"\xc3\xa9", {"d\xc3\xa9j\xc3\xa0"}},
    {"a\tb", {"a\tb"}},
    //  Classes.
    {"^[\\d.]+$", {"1.5"}},
    {"^[^a-z]+$", {"ABC1"}},
    {"^[^\\s]+$", {"abc"}},
    {"^[\\w-]+$", {"ab-c"}},
    {"^[-\\w]+$", {"-ab"}},
    {"^[a-]+$", {"a-a"}},
    {"^[-a]+$", {"-a"}},
    {"^[a-z-]+$", {"a-z"}},
    {"^[\\-a]+$", {"-a"}},
    {"^[a\\-]+$", {"a-"}},
    {"^[--]+$", {"--"}},
    {"^[a\\^]+$", {"a^"}},
    {"^[^^]+$", {"ab"}},
    {"^[\\.\\/\\\\-]+$", {"./\\-"}},
    {"[\\t-\\r ]+x", {"a \tx"}},
    {"^[!-/:-@]+$", {"!/:@"}},
    {"^[\\s\\d]+$", {"1 2"}},
    {"^[^\\n]*$", {"abc"}},
    {"^[a-z0-9!#$%&'*+/=?^_`{|}~<>-]+$", {"a!#$%&'*+/=?^_`{|}~<>-"}},
    {"^https?://[^\\s/$.?#].[^\\s]*$", {"http://x.com", "https://a.b/c?d"}},
    {"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", {"a@b.c"}},
    {"^\\w+@\\w+\\.com$", {"ab@cd.com"}},
    //  Quantifiers and counts.
    {"^a?b?c?$", {"ac"}},
    {"colou?r", {"the color", "colour"}},
    {"^a{2,4}$", {"aaa"}},
    {"a{3}", {"xaaax"}},
    {"^a{0}b$", {"b"}},
    {"^x*$", {"xxx", ""}},
    {"^\\+?[0-9 ()-]{7,20}$", {"+49 (30) 1234"}},
    {"^\\d{4}-\\d{2}-\\d{2}$", {"2024-01-31"}},
    {"[0-9]{6}", {"ab123456cd"}},
    {"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$",
     {"123e4567-e89b-12d3-a456-426614174000"}},
    {"^[A-Z]{2}\\d{2}[A-Z0-9]{1,30}$", {"DE89370400440532013000"}},
    {"^\\$?\\d+(\\.\\d{2})?$", {"$12.50", "7"}},
    //  Groups and alternation.
    {"^(a|b)*c$", {"abc"}},
    {"(a|bc)+d", {"xbcad"}},
    {"^(foo|bar|baz)$", {"bar"}},
    {"^foo$|^bar$", {"foo", "bar"}},
    {"^ab|cd$", {"abx", "xcd"}},
    {"^a|b", {"ab", "xb"}},
    {"a$|^b", {"xa", "bx"}},
    {"^([01]\\d|2[0-3]):[0-5]\\d$", {"23:59", "07:05"}},
    {"^(\\d{1,3}\\.){3}\\d{1,3}$", {"192.168.0.1"}},
    {"^(ab){0,2}c$", {"ababc", "c"}},
    {"^(a|)$", {"", "a"}},
    {"^()b$", {"b"}},
    {"^(?:(?:a|b)c){2,3}d?$", {"acbc", "acbcacd"}},
    {"^(a|ab)(c|bcd)(d*)$", {"abcd", "acd"}},
    {"^v\\d+(\\.\\d+){0,2}$", {"v1.2.3"}},
    {"^[A-Z][a-z]*( [A-Z][a-z]*)*$", {"Hello World"}},
    {"^[a-z]+(-[a-z]+)*$", {"a-bc-d"}},
    {"^(a+)+$", {"aaaa"}},
    {"(x+x+)+y", {"xxy"}},
};

//  Fast patterns that every string matches.
static const s_case_t s_always_cases [] = {
    {"", {"x"}}, {"a*", {"b"}}, {"^.*$", {"a\nb"}}, {"^|a", {"b"}}, {"x|$", {"b"}},
};

//  In the subset's syntax but sent to regexec on purpose, or too big for the DFA.
static const char *s_fallback_cases [] = {
    "^a+?$", "^a*?b", "a??", "a{2}?", "a**", "a+*", "\\bfoo\\b", "x\\B", "a\\<", "a\\>", "a\\'",
    "(^a)", "a^b", "a$b", "(a$)", "^[\\]a]$", "[a\\-z]", "[\\w-x]",
    "^[\xc3\xa9]$", "\xc3\xa9+", "a{,3}", "[[:alpha:]]", "a]", "a}", "[\\^a]", "[]a]", "[^]a]",
    "^.{300}$", "a.{12}$", "(a|b)*a(a|b){12}",
};

//  Patterns regcomp refuses: they never load, fast or not.
static const char *s_refused_cases [] = {"(?=a)", "(?!a)", "(a)\\1", "\\u0041", "a(b", "[\\D]", "a{3,2}", "^*a", "[a-c-e]"};

//  --------------------------------------------------------------------------
//  Helpers

static uint64_t s_rng_state;

static uint64_t s_rand (void)
{
    //  splitmix64: reproducible from the seed, good enough for test data.
    uint64_t z = (s_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t s_below (size_t n)
{
    return n ? (size_t) (s_rand () % n) : 0;
}

//  Bytes worth trying against a pattern: the ones it names, a few that
//  classes treat specially, and a couple of outsiders.
static size_t s_alphabet (const char *pattern, char *alphabet)
{
    static const char extra [] = "aZ09_-. \n\t/@\xc3\xa9\x7f";
    size_t n = 0;
    for (const char *s = pattern; *s; s++)
        if (!memchr (alphabet, *s, n))
            alphabet [n++] = *s;
    for (const char *s = extra; *s; s++)
        if (!memchr (alphabet, *s, n))
            alphabet [n++] = *s;
    return n;
}

//  Prints s with non-printing bytes escaped.
static void s_print_escaped (const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            fputc (*p, stderr);
        else
            fprintf (stderr, "\\x%02x", *p);
}

typedef struct {
    const shr_pattern_t *pattern;
    const char *source;
    regex_t reference;      //  regcomp of the same POSIX rewrite
    int checked, matched, mismatched;
} s_diff_t;

//  Compiles the reference regex for pattern, built from source; false (and a
//  failed check) if that is impossible, which it must not be for a pattern
//  that loaded.
static bool s_diff_init (s_diff_t *diff, const shr_pattern_t *pattern, const char *source)
{
    memset (diff, 0, sizeof (*diff));
    diff->pattern = pattern;
    diff->source = source;
    char err [256] = "";
    char *posix = shr_pattern_posix (source, err, sizeof (err));
    int rc = posix ? regcomp (&diff->reference, posix, REG_EXTENDED | REG_NOSUB) : -1;
    if (rc)
        fprintf (stderr, "  /%s/: no reference regex (%s)\n", source, posix ? "regcomp failed" : err);
    free (posix);
    CHECK (rc == 0);
    return rc == 0;
}

static void s_diff_fini (s_diff_t *diff)
{
    regfree (&diff->reference);
}

static void s_compare (s_diff_t *diff, const char *s)
{
    bool fast = shr_pattern_match (diff->pattern, s);
    bool slow = regexec (&diff->reference, s, 0, NULL, 0) == 0;
    diff->checked++;
    diff->matched += slow;
    if (fast != slow && ++diff->mismatched <= 5) {
        fprintf (stderr, "  MISMATCH /%s/ on \"", diff->source);
        s_print_escaped (s);
        fprintf (stderr, "\": fast %d, regexec %d\n", fast, slow);
    }
}

//  Every string of up to len bytes over the first k bytes of alphabet.
static void s_exhaustive (s_diff_t *diff, const char *alphabet, size_t k, size_t len)
{
    char s [S_EXHAUSTIVE_LEN + 1];
    for (size_t n = 0; n <= len; n++) {
        size_t total = 1;
        for (size_t i = 0; i < n; i++)
            total *= k;
        for (size_t index = 0; index < total; index++) {
            size_t rest = index;
            for (size_t i = 0; i < n; i++, rest /= k)
                s [i] = alphabet [rest % k];
            s [n] = '\0';
            s_compare (diff, s);
        }
    }
}

//  Applies a few random edits to s (NUL-terminated, room for S_MAX_LEN).
static void s_mutate (char *s, const char *alphabet, size_t k)
{
    size_t edits = 1 + s_below (3);
    for (size_t e = 0; e < edits; e++) {
        size_t len = strlen (s), at = s_below (len + 1);
        switch (s_below (5)) {
            case 0:     //  insert
                if (len + 1 < S_MAX_LEN) {
                    memmove (s + at + 1, s + at, len - at + 1);
                    s [at] = alphabet [s_below (k)];
                }
                break;
            case 1:     //  delete
                if (at < len)
                    memmove (s + at, s + at + 1, len - at);
                break;
            case 2:     //  replace
                if (at < len)
                    s [at] = alphabet [s_below (k)];
                break;
            case 3: {   //  repeat a slice
                size_t from = s_below (len + 1), span = s_below (len - from + 1);
                if (len + span < S_MAX_LEN) {
                    memmove (s + at + span, s + at, len - at + 1);
                    memmove (s + at, s + (from < at ? from : from + span), span);
                }
                break;
            }
            default:    //  random byte
                if (at < len)
                    s [at] = (char) (1 + s_below (255));
        }
    }
}

//  --------------------------------------------------------------------------
//  Tests

//  Compares the DFA with regexec on one pattern; returns the strings checked.
static int s_differential (const s_case_t *tc, bool always)
{
    char err [256] = "";
    shr_pattern_t *pattern = shr_pattern_new (tc->pattern, err, sizeof (err));
    bool ok = pattern && shr_pattern_fast (pattern);
    if (!ok) {
        fprintf (stderr, "  /%s/: %s\n", tc->pattern, pattern ? "not on the fast path" : err);
        COUNT (false);
        shr_pattern_destroy (&pattern);
        return 0;
    }
    s_diff_t diff;
    if (!s_diff_init (&diff, pattern, tc->pattern)) {
        COUNT (false);      //  outside RUN: count it here
        shr_pattern_destroy (&pattern);
        return 0;
    }
    char alphabet [300];
    size_t k = s_alphabet (tc->pattern, alphabet);
    //  Every short string over 4 of the pattern's bytes and one outsider.
    char small [5];
    size_t small_k = k < 4 ? k : 4;
    memcpy (small, alphabet, small_k);
    small [small_k++] = '#';
    s_exhaustive (&diff, small, small_k, S_EXHAUSTIVE_LEN);
    size_t seeds = 0;
    while (seeds < 3 && tc->seeds [seeds])
        seeds++;
    for (size_t i = 0; i < seeds; i++) {
        if (!shr_pattern_match_regex (pattern, tc->seeds [i])) {
            fprintf (stderr, "  /%s/: seed \"%s\" does not match\n", tc->pattern, tc->seeds [i]);
            ok = false;
        }
    }
    char s [S_MAX_LEN + 1];
    for (int i = 0; i < S_RANDOM_STRINGS; i++) {
        size_t kind = s_below (10), len = s_below (24);
        if (kind < 5 && seeds) {
            snprintf (s, sizeof (s), "%s", tc->seeds [s_below (seeds)]);
            s_mutate (s, alphabet, k);
        }
        else
        if (kind < 6 && seeds) {
            //  Seeds glued together, for patterns that search.
            snprintf (s, sizeof (s), "%s%s", tc->seeds [s_below (seeds)], tc->seeds [s_below (seeds)]);
            s_mutate (s, alphabet, k);
        }
        else
        if (kind < 9) {
            for (size_t j = 0; j < len; j++)
                s [j] = alphabet [s_below (k)];
            s [len] = '\0';
        }
        else {
            for (size_t j = 0; j < len; j++)
                s [j] = (char) (1 + s_below (255));
            s [len] = '\0';
        }
        s_compare (&diff, s);
    }
    //  Both answers must have come up, or the comparison proved little.
    bool both = diff.matched > 0 && (always || diff.matched < diff.checked);
    if (!both)
        fprintf (stderr, "  /%s/: %d of %d strings matched\n", tc->pattern, diff.matched, diff.checked);
    if (getenv ("TEST_PATTERN_VERBOSE"))
        printf ("  %-44s %6d strings, %5d matched\n", tc->pattern, diff.checked, diff.matched);
    COUNT (ok && both && diff.mismatched == 0);
    s_diff_fini (&diff);
    shr_pattern_destroy (&pattern);
    return diff.checked;
}

//  One count per pattern.
static void s_run_differential (void)
{
    size_t fast_n = sizeof (s_fast_cases) / sizeof (s_fast_cases [0]);
    size_t always_n = sizeof (s_always_cases) / sizeof (s_always_cases [0]);
    int strings = 0;
    for (size_t c = 0; c < fast_n; c++)
        strings += s_differential (&s_fast_cases [c], false);
    for (size_t c = 0; c < always_n; c++)
        strings += s_differential (&s_always_cases [c], true);
    printf ("  differential: %zu patterns, %d strings\n", fast_n + always_n, strings);
}

//  Random patterns glued from syntax pieces, most of them odd: whatever loads
//  and takes the fast path must agree with regexec. Catches readings of the
//  ECMA source that differ from the POSIX rewrite's, which no list foresees.
static void test_random_patterns (void)
{
    static const char *pieces [] = {
        "a", "b", "-", ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\.", "\\-", "\\\\",
        "\\]", "\\^", "\\[", "\\/", "\\n", "[", "]", "[^", "^", "$", "(", ")", "(?:", "|", "?",
        "*", "+", "{2}", "{1,3}", "{2,}", "{0}", "{,2}", "a-c", "b-a", "\n", "#", "\xc3\xa9", "{", "}",
    };
    size_t npieces = sizeof (pieces) / sizeof (pieces [0]);
    int fast = 0, slow = 0, refused = 0, strings = 0, mismatched = 0;
    for (int i = 0; i < 6000; i++) {
        char source [128] = "";
        for (size_t n = 1 + s_below (10); n; n--)
            strcat (source, pieces [s_below (npieces)]);
        shr_pattern_t *pattern = shr_pattern_new (source, NULL, 0);
        if (!pattern || !shr_pattern_fast (pattern)) {
            refused += !pattern;
            slow += pattern != NULL;
            shr_pattern_destroy (&pattern);
            continue;
        }
        fast++;
        s_diff_t diff;
        if (!s_diff_init (&diff, pattern, source)) {
            shr_pattern_destroy (&pattern);
            continue;
        }
        s_exhaustive (&diff, "ab-.\n", 5, 4);
        static const char alphabet [] = "ab-.c9 _\n\\]^[/#\xc3\xa9";
        char s [16];
        for (int j = 0; j < 200; j++) {
            size_t len = s_below (sizeof (s));
            for (size_t k = 0; k < len; k++)
                s [k] = j % 4 ? alphabet [s_below (sizeof (alphabet) - 1)] : (char) (1 + s_below (255));
            s [len] = '\0';
            s_compare (&diff, s);
        }
        strings += diff.checked;
        mismatched += diff.mismatched;
        s_diff_fini (&diff);
        shr_pattern_destroy (&pattern);
    }
    printf ("  random patterns: %d fast, %d on regexec, %d refused; %d strings\n", fast, slow,
            refused, strings);
    CHECK_INT (mismatched, 0);
    CHECK (fast > 500);
}

static void test_fallback (void)
{
    for (size_t c = 0; c < sizeof (s_fallback_cases) / sizeof (s_fallback_cases [0]); c++) {
        const char *source = s_fallback_cases [c];
        char err [256] = "";
        shr_pattern_t *pattern = shr_pattern_new (source, err, sizeof (err));
        CHECK (pattern != NULL);
        if (!pattern) {
            fprintf (stderr, "  /%s/: %s\n", source, err);
            continue;
        }
        if (shr_pattern_fast (pattern))
            fprintf (stderr, "  /%s/ should run on regexec\n", source);
        CHECK (!shr_pattern_fast (pattern));
        s_diff_t diff;
        if (s_diff_init (&diff, pattern, source)) {
            char alphabet [300];
            size_t k = s_alphabet (source, alphabet);
            s_exhaustive (&diff, alphabet, k < 4 ? k : 4, 4);
            CHECK_INT (diff.mismatched, 0);
            s_diff_fini (&diff);
        }
        shr_pattern_destroy (&pattern);
    }
    for (size_t c = 0; c < sizeof (s_refused_cases) / sizeof (s_refused_cases [0]); c++) {
        char err [256] = "";
        shr_pattern_t *pattern = shr_pattern_new (s_refused_cases [c], err, sizeof (err));
        CHECK (pattern == NULL);
        CHECK (*err != '\0');
        shr_pattern_destroy (&pattern);
    }
    //  The regex dialect's answers the fast path keeps: "." takes a newline,
    //  \w and \d are ASCII, and a lazy "+?" may match nothing (regexec's reading).
    const struct {
        const char *pattern, *string;
        bool match;
    } quirks [] = {
        {"^.$", "\n", true}, {"^a.b$", "a\nb", true}, {"^\\w$", "\xc3\xa9", false},
        {"^.$", "\xc3\xa9", false}, {"^..$", "\xc3\xa9", true}, {"^\\s$", "\v", true},
        {"^a+?$", "", true}, {"^[^a]$", "\n", true},
    };
    for (size_t i = 0; i < sizeof (quirks) / sizeof (quirks [0]); i++) {
        shr_pattern_t *pattern = shr_pattern_new (quirks [i].pattern, NULL, 0);
        CHECK (pattern != NULL);
        if (pattern) {
            CHECK_INT (shr_pattern_match (pattern, quirks [i].string), quirks [i].match);
            CHECK_INT (shr_pattern_match_regex (pattern, quirks [i].string), quirks [i].match);
        }
        shr_pattern_destroy (&pattern);
    }
}

//  shr_pattern_posix gives the text regcomp gets, and shr_pattern_match_regex
//  still answers from regexec for a pattern on the DFA, which keeps no regex.
static void test_reference (void)
{
    const struct {
        const char *source, *posix;
    } rewrites [] = {
        {"^\\d{3}-\\w+$", "^[0-9]{3}-[A-Za-z0-9_]+$"},
        {"^(?:ab)+\\s\\S$", "^(ab)+[[:space:]][^[:space:]]$"},
        {"^[\\d.]+$", "^[0-9.]+$"},
        {"x\\.y", "x\\.y"},
        {"^a+?$", "^a+?$"},
    };
    for (size_t i = 0; i < sizeof (rewrites) / sizeof (rewrites [0]); i++) {
        char *posix = shr_pattern_posix (rewrites [i].source, NULL, 0);
        CHECK (posix != NULL);
        if (posix)
            CHECK_STR (posix, rewrites [i].posix);
        free (posix);
    }
    //  What the rewrite refuses comes back with a reason; what only regcomp
    //  refuses still has a text.
    char err [256] = "";
    CHECK (shr_pattern_posix ("(?=a)", err, sizeof (err)) == NULL);
    CHECK (strstr (err, "not supported") != NULL);
    char *posix = shr_pattern_posix ("a(b", NULL, 0);
    CHECK (posix != NULL);
    free (posix);

    const struct {
        const char *pattern, *string;
        bool match, fast;
    } answers [] = {
        {"^WO-[0-9]{6,}$", "WO-123456", true, true}, {"^WO-[0-9]{6,}$", "WO-12345", false, true},
        {"^a.b$", "a\nb", true, true}, {"", "x", true, true}, {"a*", "b", true, true},
        {"\\bab", "x ab", true, false}, {"\\bab", "xab", false, false},
    };
    for (size_t i = 0; i < sizeof (answers) / sizeof (answers [0]); i++) {
        shr_pattern_t *pattern = shr_pattern_new (answers [i].pattern, NULL, 0);
        CHECK (pattern != NULL);
        if (pattern) {
            CHECK_INT (shr_pattern_fast (pattern), answers [i].fast);
            CHECK_INT (shr_pattern_match_regex (pattern, answers [i].string), answers [i].match);
            CHECK_INT (shr_pattern_match (pattern, answers [i].string), answers [i].match);
        }
        shr_pattern_destroy (&pattern);
    }
}

static void test_destroy_twice (void)
{
    shr_pattern_t *pattern = shr_pattern_new ("^a$", NULL, 0);
    CHECK (pattern != NULL);
    shr_pattern_destroy (&pattern);
    CHECK (pattern == NULL);
    shr_pattern_destroy (&pattern);
    shr_pattern_destroy (NULL);
}

static double s_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

//  1 MiB strings built to make backtracking matchers explode: the DFA reads
//  each byte once. The time limit is loose for sanitizer builds.
static void test_hostile (void)
{
    size_t size = 1 << 20;
    char *s = malloc (size + 1);
    CHECK (s != NULL);
    if (!s)
        return;
    const struct {
        const char *pattern;
        char fill, last;
        bool match;
    } cases [] = {
        {"^(a+)+$", 'a', 'b', false},
        {"(x+x+)+y", 'x', 'x', false},
        {"^(a|aa)*$", 'a', 'a', true},
        {"^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", 'a', '.', false},
        {"[0-9]{6}z", '1', '1', false},
        {"^(.*a){8}$", 'a', 'b', false},
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        memset (s, cases [i].fill, size);
        s [size - 1] = cases [i].last;
        s [size] = '\0';
        shr_pattern_t *pattern = shr_pattern_new (cases [i].pattern, NULL, 0);
        CHECK (pattern && shr_pattern_fast (pattern));
        if (pattern) {
            double start = s_seconds ();
            CHECK_INT (shr_pattern_match (pattern, s), cases [i].match);
            double took = s_seconds () - start;
            if (took > 0.5)
                fprintf (stderr, "  /%s/ took %.3f s on 1 MiB\n", cases [i].pattern, took);
            CHECK (took < 0.5);
        }
        shr_pattern_destroy (&pattern);
    }
    free (s);
}

int main (void)
{
    const char *seed = getenv ("TEST_PATTERN_SEED");
    s_rng_state = seed ? strtoull (seed, NULL, 0) : 1;
    s_run_differential ();
    RUN (test_random_patterns);
    RUN (test_fallback);
    RUN (test_reference);
    RUN (test_destroy_twice);
    RUN (test_hostile);
    return TEST_DONE ("test_pattern");
}
