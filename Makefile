# Makefile for the journey extension (PGXS)
#
# The install script journey--$(EXTVERSION).sql is assembled from the per-area
# pieces in src/sql/, taken in name order, so that each area's SQL stands beside
# its C code; the upgrade script from the previous release is assembled the same
# way from src/update/$(PREVVERSION)--$(EXTVERSION)/, where a piece that is new in
# this version as a whole is a symbolic link to its install piece (one copy to
# edit; cat follows the link).  Released scripts
# (journey--0.1.0.sql) are committed as they were released and never edited.
# Regression tests are every file in sql/, run in name order.

EXTENSION = journey
EXTVERSION = 0.2.0
PREVVERSION = 0.1.0

MODULE_big = journey
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

SQL_PIECES = $(sort $(wildcard src/sql/*.sql))
UPDATE_PIECES = $(sort $(wildcard src/update/$(PREVVERSION)--$(EXTVERSION)/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql
# released install and upgrade scripts, exactly as released
DATA = $(EXTENSION)--0.1.0.sql

REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.

PG_CONFIG ?= pg_config
# no JIT bitcode: it would need clang at build time and buys nothing here
override with_llvm = no
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wno-cast-function-type
PG_CPPFLAGS += -I$(srcdir)/src $(ICU_CFLAGS)
SHLIB_LINK += $(ICU_LIBS) -lm
# "make ASSERTS=1" (what test/check builds) turns on the Assert() checks of
# our own code, including the state checks after every change
ifdef ASSERTS
PG_CPPFLAGS += -DUSE_ASSERT_CHECKING
endif

# the shared reference data that sql/31_attribution_conformance.sql reads
# (beside the checkout unless JOURNEY_SHARED says where); without it, as in a
# bare checkout or a PGXN download, "make installcheck" leaves that test out
# and says so
JOURNEY_SHARED ?= $(abspath $(CURDIR)/../shared)
export JOURNEY_SHARED
CONFORMANCE_DATA = $(JOURNEY_SHARED)/reference/ca_pathdata.csv
ifeq ($(wildcard $(CONFORMANCE_DATA)),)
REGRESS := $(filter-out 31_attribution_conformance,$(REGRESS))
CONFORMANCE_SKIPPED = 1
endif

EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out \
	test/bench_floor/journey_bench_floor.o test/bench_floor/journey_bench_floor.so \
	test/fuzz_driver/journey_fuzz.o test/fuzz_driver/journey_fuzz.so

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# assembled anew by every make, so that a removed or renamed piece is noticed
.PHONY: $(DATA_built)
$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PIECES)
	cat $(SQL_PIECES) > $@

$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql: $(UPDATE_PIECES)
	cat $(UPDATE_PIECES) > $@

$(OBJS): src/journey.h
src/journey.o src/attr_model.o src/attr_credit.o src/attribution.o src/bootstrap.o src/fractribution.o src/markov.o: src/attr_model.h
src/attr_credit.o src/attribution.o src/bootstrap.o: src/attr_credit.h
src/attribution.o: src/pack.h
src/attr_credit.o src/markov.o: src/markov.h
src/attr_credit.o src/fractribution.o: src/fractribution.h

installcheck: conformance-data-note
.PHONY: conformance-data-note
conformance-data-note:
ifdef CONFORMANCE_SKIPPED
	@echo "journey: skipping 31_attribution_conformance: its reference data $(CONFORMANCE_DATA) is not here (set JOURNEY_SHARED to the folder holding reference/ to run it)"
endif

# "make test": the whole suite on a throwaway cluster (the README's command)
.PHONY: test demo bench indent
test:
	bash test/check
demo:
	bash test/demo
bench:
	bash test/bench
# pgindent's settings for pg_bsd_indent (Debian package pg-bsd-indent), file by file
INDENT_OPTS = -bad -bap -bbb -bc -bl -cli1 -cp33 -cdb -nce -d0 -di12 -nfc1 -i4 -l79 \
	-lp -lpl -nip -npro -sac -tpg -ts4 -U$(srcdir)/typedefs.list
indent:
	for f in $(srcdir)/src/*.c $(srcdir)/src/*.h; do \
		pg_bsd_indent $(INDENT_OPTS) $$f && rm -f $$f.BAK $$(basename $$f).BAK || exit 1; \
	done
