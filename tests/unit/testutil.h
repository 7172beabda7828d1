/*  testutil - the few macros every unit test uses.

    A test binary calls CHECK for each assertion inside functions run by RUN,
    then returns TEST_DONE(). It prints one failure line per failed check and a
    last line "<name>: N passed, M failed" that tests/run.sh adds up. A "passed"
    is one RUN whose checks all held.
*/
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

#include <stdio.h>
#include <string.h>

static int s_tests_passed, s_tests_failed, s_case_failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf (stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            s_case_failed = 1;                                                           \
        }                                                                                \
    } while (0)

#define CHECK_STR(a, b)                                                                  \
    do {                                                                                 \
        const char *_a = (a), *_b = (b);                                                 \
        if (!_a || !_b || strcmp (_a, _b) != 0) {                                        \
            fprintf (stderr, "  FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n", __FILE__,    \
                     __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");          \
            s_case_failed = 1;                                                           \
        }                                                                                \
    } while (0)

#define CHECK_INT(a, b)                                                                  \
    do {                                                                                 \
        long long _a = (long long) (a), _b = (long long) (b);                            \
        if (_a != _b) {                                                                  \
            fprintf (stderr, "  FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__,        \
                     __LINE__, #a, #b, _a, _b);                                          \
            s_case_failed = 1;                                                           \
        }                                                                                \
    } while (0)

//  Runs one test case function and counts it.
#define RUN(fn)                                                                          \
    do {                                                                                 \
        s_case_failed = 0;                                                               \
        fn ();                                                                           \
        if (s_case_failed) {                                                             \
            fprintf (stderr, "FAILED %s\n", #fn);                                        \
            s_tests_failed++;                                                            \
        }                                                                                \
        else                                                                             \
            s_tests_passed++;                                                            \
    } while (0)

//  Counts an outcome decided by the test itself (e.g. one suite case).
#define COUNT(ok)                                                                        \
    do {                                                                                 \
        if (ok)                                                                          \
            s_tests_passed++;                                                            \
        else                                                                             \
            s_tests_failed++;                                                            \
    } while (0)

#define TEST_DONE(name)                                                                  \
    (printf ("%s: %d passed, %d failed\n", (name), s_tests_passed, s_tests_failed),      \
     s_tests_failed ? 1 : 0)

#endif
