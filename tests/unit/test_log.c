/*  Unit tests of shr_log: one JSON object per line on stderr, levels honoured. */
#include "shr_log.h"
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

//  Runs fn with stderr captured into buf.
static void s_capture (void (*fn) (void), char *buf, size_t size)
{
    char path[] = "/tmp/test_log.XXXXXX";
    int fd = mkstemp (path);
    int saved = dup (STDERR_FILENO);
    dup2 (fd, STDERR_FILENO);
    fn ();
    dup2 (saved, STDERR_FILENO);
    close (saved);
    lseek (fd, 0, SEEK_SET);
    ssize_t n = read (fd, buf, size - 1);
    buf[n > 0 ? n : 0] = 0;
    close (fd);
    unlink (path);
}

static void s_write_some (void)
{
    shr_log_init ("dispatch", "info");
    shr_log_info ("started on %s", "tcp://127.0.0.1:7101");
    shr_log_debug ("not shown %d", 1);
    shr_log_error ("quote \" backslash \\ newline \n tab \t done");
}

static void test_lines_are_json (void)
{
    char out[4096];
    s_capture (s_write_some, out, sizeof out);
    char *line = strtok (out, "\n");
    int lines = 0;
    while (line) {
        cJSON *record = cJSON_Parse (line);
        CHECK (record);
        CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (record, "service")), "dispatch");
        CHECK (cJSON_GetStringValue (cJSON_GetObjectItem (record, "ts")));
        const char *level = cJSON_GetStringValue (cJSON_GetObjectItem (record, "level"));
        const char *msg = cJSON_GetStringValue (cJSON_GetObjectItem (record, "msg"));
        if (lines == 0) {
            CHECK_STR (level, "info");
            CHECK_STR (msg, "started on tcp://127.0.0.1:7101");
        }
        else {
            CHECK_STR (level, "error");
            CHECK_STR (msg, "quote \" backslash \\ newline \n tab \t done");
        }
        cJSON_Delete (record);
        lines++;
        line = strtok (NULL, "\n");
    }
    CHECK_INT (lines, 2);
}

static void test_levels (void)
{
    CHECK (shr_log_init ("x", "debug") == 0);
    CHECK (shr_log_enabled (SHR_LOG_DEBUG));
    CHECK (shr_log_init ("x", "error") == 0);
    CHECK (!shr_log_enabled (SHR_LOG_WARN));
    CHECK (shr_log_enabled (SHR_LOG_ERROR));
    CHECK (shr_log_init ("x", "loud") == -1);
    CHECK (shr_log_enabled (SHR_LOG_INFO));
}

int main (void)
{
    RUN (test_lines_are_json);
    RUN (test_levels);
    return TEST_DONE ("test_log");
}
