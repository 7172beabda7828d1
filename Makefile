# After-sales service platform: one libshared, one binary per service.
#
#   make            build everything into build/ (binaries in build/bin/)
#   make SANITIZE=1 the same with AddressSanitizer + UBSan, into build/san/
#   make test       install missing packages, build, run every test
#   make run        build the services and the CLI, start them in the foreground, data in ./var/
#   make bench      benchmarks (not part of make test)
#   make fuzz       bounded libFuzzer run over envelope parsing + validation

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT ?= -O1 -g
# The test build: the power-cut VFS and the other SHR_TEST_* hooks (shr_store.h).
TEST_HOOKS = -DSHR_TEST_HOOKS
else
BUILD ?= build
OPT ?= -O2 -g
endif

PKGS = libczmq libzmq sqlite3 libcjson
# '=' on purpose: pkg-config runs after 'deps' has installed it on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CC ?= cc
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $(SANFLAGS) $(TEST_HOOKS) $(PKG_CFLAGS) -Ilibshared -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm

SERVICES = dispatch complaints procurement inventory analytics
TOOLS = $(notdir $(basename $(wildcard tools/*.c)))
FIXTURES = $(notdir $(basename $(wildcard tests/fixtures/*.c)))
UNIT_TESTS = $(notdir $(basename $(wildcard tests/unit/test_*.c)))
BENCHES = $(notdir $(basename $(wildcard tests/bench/bench_*.c)))

LIB = $(BUILD)/libshared.a
LIB_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard libshared/*.c))

PROGRAMS = $(addprefix $(BUILD)/bin/,$(SERVICES) $(TOOLS))
BINARIES = $(PROGRAMS) $(addprefix $(BUILD)/bin/,$(FIXTURES))
TEST_BINARIES = $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
BENCH_BINARIES = $(addprefix $(BUILD)/bench/,$(BENCHES))

.PHONY: all deps test unit system bench fuzz run clean format
# Keep object files that pattern rules make on the way (make would delete them).
.SECONDARY:
all: $(BINARIES) $(TEST_BINARIES) $(BENCH_BINARIES)

deps:
	@tools/install-deps.sh

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# A service is every .c file in its folder, linked with libshared.
define service_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$(1)/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_rule,$(s))))

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/tests/fixtures/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A service's unit tests (test_<service>_*.c) link its domain code: all its files but main.c.
define service_test_rule
$(BUILD)/tests/test_$(1)_%: $(BUILD)/obj/tests/unit/test_$(1)_%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out services/$(1)/main.c,$(wildcard services/$(1)/*.c))) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_test_rule,$(s))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/obj/tests/bench/benchkit.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Tests run against the sanitizer build: a leak or an invalid access fails them.
test: deps
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@tests/run.sh build/san

unit: deps
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@tests/run.sh build/san unit

system: deps
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@tests/run.sh build/san system

bench: all
	@tests/bench/run.sh $(BUILD)

fuzz: deps
	@tests/fuzz/run.sh

# Only what runs: the services and the CLI, not the tests and benchmarks.
run: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@tools/run-all.sh $(BUILD)/bin

clean:
	rm -rf build

format:
	clang-format -i libshared/*.[ch] services/*/*.[ch] tools/*.c tests/*/*.[ch]

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
