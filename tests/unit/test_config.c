/*  Unit tests of shr_config. */
#include "shr_config.h"
#include "testutil.h"

#include <stdlib.h>

static void s_clear (void)
{
    const char *names[] = {"DISPATCH_API", "DISPATCH_EVENTS", "BIND_API", "BIND_EVENTS",
                           "DATA_DIR", "SCHEMAS_DIR", "LOG_LEVEL", "EVENTS_HWM", "HEARTBEAT_MS",
                           "INVENTORY_API", "WIDGETS_API", "WIDGETS_EVENTS", "SHR_SYNC", "ANALYTICS_API", NULL};
    for (int i = 0; names[i]; i++)
        unsetenv (names[i]);
}

static void test_defaults_follow_the_port_table (void)
{
    s_clear ();
    char err[256];
    shr_config_t *config = shr_config_new ("dispatch", err, sizeof err);
    CHECK (config);
    CHECK_STR (shr_config_service (config), "dispatch");
    CHECK_STR (shr_config_bind_api (config), "tcp://127.0.0.1:7101");
    CHECK_STR (shr_config_bind_events (config), "tcp://127.0.0.1:7102");
    CHECK_STR (shr_config_api_of (config, "inventory", err, sizeof err), "tcp://127.0.0.1:7131");
    CHECK_STR (shr_config_events_of (config, "analytics", err, sizeof err), "tcp://127.0.0.1:7142");
    CHECK_STR (shr_config_known_service (0), "dispatch");
    CHECK (shr_config_api_of (config, "widgets", err, sizeof err) == NULL);
    CHECK_STR (shr_config_data_dir (config), "var");
    CHECK_STR (shr_config_schemas_dir (config), "schemas");
    CHECK_STR (shr_config_log_level (config), "info");
    CHECK_INT (shr_config_events_hwm (config), 100000);
    CHECK_INT (shr_config_heartbeat_ms (config), 1000);
    shr_config_destroy (&config);
    shr_config_destroy (&config);
    CHECK (config == NULL);
}

static void test_environment_overrides (void)
{
    s_clear ();
    setenv ("DISPATCH_API", "tcp://dispatch:7101", 1);
    setenv ("BIND_API", "tcp://*:7101", 1);
    setenv ("INVENTORY_API", "tcp://inventory:7131", 1);
    setenv ("DATA_DIR", "/data", 1);
    setenv ("HEARTBEAT_MS", "250", 1);
    char err[256];
    shr_config_t *config = shr_config_new ("dispatch", err, sizeof err);
    CHECK_STR (shr_config_bind_api (config), "tcp://*:7101");
    CHECK_STR (shr_config_bind_events (config), "tcp://127.0.0.1:7102");
    CHECK_STR (shr_config_api_of (config, "dispatch", err, sizeof err), "tcp://dispatch:7101");
    CHECK_STR (shr_config_api_of (config, "inventory", err, sizeof err), "tcp://inventory:7131");
    CHECK_STR (shr_config_data_dir (config), "/data");
    CHECK_INT (shr_config_heartbeat_ms (config), 250);
    shr_config_destroy (&config);
}

static void test_unknown_service_needs_endpoints (void)
{
    s_clear ();
    char err[256] = "";
    CHECK (shr_config_new ("widgets", err, sizeof err) == NULL);
    CHECK (strstr (err, "BIND_API") != NULL);
    setenv ("WIDGETS_API", "tcp://127.0.0.1:9001", 1);
    setenv ("WIDGETS_EVENTS", "tcp://127.0.0.1:9002", 1);
    shr_config_t *config = shr_config_new ("widgets", err, sizeof err);
    CHECK (config);
    CHECK_STR (shr_config_bind_events (config), "tcp://127.0.0.1:9002");
    shr_config_destroy (&config);
}

static void test_bad_numbers_are_refused (void)
{
    s_clear ();
    setenv ("EVENTS_HWM", "lots", 1);
    char err[256] = "";
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    CHECK (strstr (err, "EVENTS_HWM=lots") != NULL);
    setenv ("EVENTS_HWM", "0", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    s_clear ();
}

static void test_endpoints_are_checked_and_name_their_variable (void)
{
    s_clear ();
    char err[256] = "";
    setenv ("DISPATCH_API", "tcp://127.0.0.1:99999", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    CHECK (strstr (err, "DISPATCH_API=tcp://127.0.0.1:99999") != NULL);
    setenv ("DISPATCH_API", "garbage", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    CHECK (strstr (err, "DISPATCH_API=garbage") != NULL);
    setenv ("DISPATCH_API", "tcp://127.0.0.1:0", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    setenv ("DISPATCH_API", "tcp://127.0.0.1:*", 1);
    setenv ("BIND_EVENTS", "tcp://*:65536", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    CHECK (strstr (err, "BIND_EVENTS=tcp://*:65536") != NULL);
    unsetenv ("BIND_EVENTS");
    shr_config_t *config = shr_config_new ("dispatch", err, sizeof err);
    CHECK (config);
    CHECK_STR (shr_config_bind_api_var (config), "DISPATCH_API");
    CHECK_STR (shr_config_bind_events_var (config), "DISPATCH_EVENTS");
    //  A peer's bad variable is reported when the peer is asked for, naming it.
    setenv ("ANALYTICS_API", "tcp://analytics", 1);
    *err = 0;
    CHECK (shr_config_api_of (config, "analytics", err, sizeof err) == NULL);
    CHECK (strstr (err, "ANALYTICS_API=tcp://analytics") != NULL);
    shr_config_destroy (&config);
    s_clear ();
}

static void test_durability_defaults_to_full (void)
{
    s_clear ();
    char err[256] = "";
    shr_config_t *config = shr_config_new ("dispatch", err, sizeof err);
    CHECK (shr_config_sync_full (config));
    shr_config_destroy (&config);
    setenv ("SHR_SYNC", "normal", 1);
    config = shr_config_new ("dispatch", err, sizeof err);
    CHECK (config && !shr_config_sync_full (config));
    shr_config_destroy (&config);
    setenv ("SHR_SYNC", "sometimes", 1);
    CHECK (shr_config_new ("dispatch", err, sizeof err) == NULL);
    CHECK (strstr (err, "SHR_SYNC=sometimes") != NULL);
    s_clear ();
}

int main (void)
{
    RUN (test_endpoints_are_checked_and_name_their_variable);
    RUN (test_durability_defaults_to_full);
    RUN (test_defaults_follow_the_port_table);
    RUN (test_environment_overrides);
    RUN (test_unknown_service_needs_endpoints);
    RUN (test_bad_numbers_are_refused);
    return TEST_DONE ("test_config");
}
