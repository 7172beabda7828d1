# After-sales service platform: one libshared, one binary per service.
#
#   make            build everything into build/ (binaries in build/bin/)
#   make SANITIZE=1 the same with AddressSanitizer + UBSan, into build/san/
#   make test       install missing packages, build, run every test
#   make run        build the services and the CLI, start them in the foreground, data in ./var/
#   make demo       the plan's year simulated in about two minutes, then its KPI report
#   make bench      benchmarks (not part of make test)
#   make fuzz       bounded libFuzzer run over envelope parsing + validation
#   make install    the services, asctl (and shrctl) and the schemas into $(DESTDIR)$(PREFIX) (/usr/local)
#   make test-docker  images, compose and a one-node swarm, tested (needs root; README)

# 'make' alone builds everything: the first rule below is a generated file's.
.DEFAULT_GOAL := all

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# The test build only: checks that abort (shr_store's reentrancy rule), the
# power-cut VFS and the other SHR_TEST_* hooks (shr_store.h).
TESTFLAGS = -DSHR_TEST_HOOKS
OPT ?= -O1 -g
else
BUILD ?= build
OPT ?= -O2 -g
endif

PKGS = libczmq libzmq sqlite3 libcjson
# '=' on purpose: pkg-config runs after 'deps' has installed it on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CC ?= cc
GEN = $(BUILD)/gen
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $(SANFLAGS) $(PKG_CFLAGS) -Ilibshared -I$(GEN) $(TESTFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm

# services/list.txt is the one list of the services and their ports.
SERVICES = $(shell sed -n 's/^\([a-z][a-z0-9_-]*\)[[:space:]].*/\1/p' services/list.txt)
TOOLS = $(notdir $(basename $(wildcard tools/*.c)))
FIXTURES = $(notdir $(basename $(wildcard tests/fixtures/*.c)))
UNIT_TESTS = $(notdir $(basename $(wildcard tests/unit/test_*.c)))
BENCHES = $(notdir $(basename $(wildcard tests/bench/bench_*.c)))

LIB = $(BUILD)/libshared.a
LIB_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard libshared/*.c))

# Structs and field tables generated from the schemas (tools/shapegen.py): one
# <group>_shapes.{h,c} per schema folder (and top-level file), <group>_ops.c
# per folder with ops. The contract's go into libcontract.a; the fixture's own
# schemas (tests/fixtures/schemas) are generated beside them.
PYTHON = /usr/bin/python3
define shape_groups
$(filter-out envelope sys,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard $(1)/*/*.json))))) \
  $(basename $(notdir $(wildcard $(1)/*.json))))
endef
define op_groups
$(filter-out sys,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard $(1)/*/*.request.json))))))
endef
CONTRACT_GEN_C = $(foreach g,$(call shape_groups,schemas),$(GEN)/contract/$(g)_shapes.c)
FIXTURE_GEN_C = $(foreach g,$(call shape_groups,tests/fixtures/schemas),$(GEN)/fixture/$(g)_shapes.c) \
  $(foreach g,$(call op_groups,tests/fixtures/schemas),$(GEN)/fixture/$(g)_ops.c)
CONTRACT_LIB = $(BUILD)/libcontract.a
CONTRACT_OBJ = $(patsubst $(BUILD)/%.c,$(BUILD)/obj/%.o,$(CONTRACT_GEN_C))
FIXTURE_OBJ = $(patsubst $(BUILD)/%.c,$(BUILD)/obj/%.o,$(FIXTURE_GEN_C))
STAMPS = $(GEN)/contract/.stamp $(GEN)/fixture/.stamp $(GEN)/shr_ports.inc

$(GEN)/contract/.stamp: tools/shapegen.py $(shell find schemas -name '*.json') | deps
	$(PYTHON) tools/shapegen.py schemas contract $(GEN)/contract && touch $@
$(GEN)/fixture/.stamp: tools/shapegen.py $(shell find tests/fixtures/schemas -name '*.json') | deps
	$(PYTHON) tools/shapegen.py tests/fixtures/schemas fixture $(GEN)/fixture && touch $@
$(CONTRACT_GEN_C): $(GEN)/contract/.stamp ;
$(GEN)/contract/%_ops.c: $(GEN)/contract/.stamp ;
$(FIXTURE_GEN_C): $(GEN)/fixture/.stamp ;

# libshared's port table, from services/list.txt.
$(GEN)/shr_ports.inc: services/list.txt
	@mkdir -p $(dir $@)
	sed -n 's/^\([a-z][a-z0-9_-]*\)[[:space:]]*\([0-9][0-9]*\).*/    {"\1", \2},/p' $< > $@

$(BUILD)/obj/gen/contract/%.o: $(GEN)/contract/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN)/contract -c -o $@ $<
$(BUILD)/obj/gen/fixture/%.o: $(GEN)/fixture/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN)/fixture -c -o $@ $<

$(CONTRACT_LIB): $(CONTRACT_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# shrctl is asctl's old name: the same binary, a symlink (asctl.c reads argv[0]).
PROGRAMS = $(addprefix $(BUILD)/bin/,$(SERVICES) $(TOOLS) shrctl)
BINARIES = $(PROGRAMS) $(addprefix $(BUILD)/bin/,$(FIXTURES))
TEST_BINARIES = $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
BENCH_BINARIES = $(addprefix $(BUILD)/bench/,$(BENCHES))

.PHONY: all deps test unit system bench fuzz run clean format install test-docker demo
# Keep object files that pattern rules make on the way (make would delete them).
.SECONDARY:
all: $(BINARIES) $(TEST_BINARIES) $(BENCH_BINARIES)

# DEPS= skips the check, where the packages are known to be in (an image's build stage).
DEPS ?= tools/install-deps.sh
deps:
	@$(DEPS)

# libshared knows no service: it sees no generated headers but its port table.
$(BUILD)/obj/libshared/%.o: libshared/%.c | deps $(GEN)/shr_ports.inc
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
# Everything else but the fixture sees the contract's generated headers.
$(BUILD)/obj/%.o: %.c | deps $(STAMPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN)/contract -c -o $@ $<
$(BUILD)/obj/tests/fixtures/%.o: tests/fixtures/%.c | deps $(STAMPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN)/fixture -c -o $@ $<

# test_service runs services in-process on the fixture's schemas.
$(BUILD)/obj/tests/unit/test_service.o: tests/unit/test_service.c | deps $(STAMPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN)/fixture -c -o $@ $<
$(BUILD)/tests/test_service: $(BUILD)/obj/tests/unit/test_service.o $(filter-out %_ops.o,$(FIXTURE_OBJ)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# A service is every .c file in its folder, its generated op table if it has
# ops, the contract and libshared.
service_ops = $(if $(wildcard schemas/$(1)/*.request.json),$(BUILD)/obj/gen/contract/$(1)_ops.o)
define service_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$(1)/*.c)) $(call service_ops,$(1)) $(CONTRACT_LIB) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_rule,$(s))))

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(CONTRACT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# asctl is tools/asctl.c and its folder tools/asctl/.
$(BUILD)/bin/asctl: $(BUILD)/obj/tools/asctl.o $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/asctl/*.c)) $(CONTRACT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bin/shrctl: $(BUILD)/bin/asctl
	ln -sf asctl $@

$(BUILD)/bin/%: $(BUILD)/obj/tests/fixtures/%.o $(FIXTURE_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A service's unit tests (test_<service>_*.c) link its domain code: all its files but main.c.
define service_test_rule
$(BUILD)/tests/test_$(1)_%: $(BUILD)/obj/tests/unit/test_$(1)_%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out services/$(1)/main.c,$(wildcard services/$(1)/*.c))) $(call service_ops,$(1)) $(CONTRACT_LIB) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_test_rule,$(s))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(CONTRACT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/obj/tests/bench/benchkit.o $(CONTRACT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# bench_inventory writes its year of movements with inventory's own domain code.
$(BUILD)/bench/bench_inventory: $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out services/inventory/main.c,$(wildcard services/inventory/*.c))) $(call service_ops,inventory)

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

# The plan's year, simulated (tools/demo.py): DEMO_ARGS="--seed 2 --orders 5000".
demo: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@$(PYTHON) tools/demo.py $(BUILD)/bin $(DEMO_ARGS)

# Binaries into $(PREFIX)/bin and the contract into $(PREFIX)/share/aftersales/schemas,
# where a binary looks beside itself. INSTALL_PROGRAMS picks which (default: all).
PREFIX ?= /usr/local
INSTALL_PROGRAMS ?= $(SERVICES) $(TOOLS) shrctl
install: $(addprefix $(BUILD)/bin/,$(INSTALL_PROGRAMS))
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/aftersales
	install -m 755 $^ $(DESTDIR)$(PREFIX)/bin/
	rm -rf $(DESTDIR)$(PREFIX)/share/aftersales/schemas
	cp -R schemas $(DESTDIR)$(PREFIX)/share/aftersales/schemas

# The images and the stack, tested against the running containers (tests/docker/run.sh).
test-docker: deps
	@$(MAKE) --no-print-directory $(BUILD)/bin/shrctl
	@tests/docker/run.sh $(BUILD)/bin

clean:
	rm -rf build

format:
	clang-format -i libshared/*.[ch] services/*/*.[ch] tools/*.c tests/*/*.[ch]

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
