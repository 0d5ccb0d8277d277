# cordon - one build: libcordon, the cordon command, every module; check,
# install, asan, fuzz, bench.  Quiet unless V=1.
#
#   make                 build into build/
#   make check           the TAP suite (as root: also as uid 65534 from a
#                        temporary installed prefix)
#   make asan            ASan+UBSan build in build-asan/ and its check
#   make fuzz            libFuzzer targets in build-fuzz/ (clang)
#   make fuzz-smoke      each target for a short fixed time from its seeds (CI)
#   make install         PREFIX=/usr/local DESTDIR= (built apart, in build/install)
#   make bench           benchmarks against peers (never part of check)

VERSION := 0.1.0
SOVERSION := 1

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
else
SYSCONFDIR ?= $(PREFIX)/etc
endif
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/cordon
MODULEDIR ?= $(LIBDIR)/cordon/modules
POLICYDIR ?= $(SYSCONFDIR)/cordon/policies.d
# The Python binding goes where the system Python imports it from without
# PYTHONPATH (contrib/python/pythondir.py); none is installed without one.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYTHONDIR ?= $(shell $(PYTHON) -B contrib/python/pythondir.py $(PREFIX) 2>/dev/null)
DESTDIR ?=

BUILD ?= build
B := $(abspath $(BUILD))
SRC := $(abspath .)

CC ?= cc
PKG_CONFIG ?= pkg-config

WARNINGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
	-Wshadow -Wformat=2 -Wvla -Wpointer-arith -Wundef -Wold-style-definition -Wimplicit-fallthrough
OPT ?= -O2 -g
HARDEN := -fstack-protector-strong -fno-strict-aliasing
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
SAN :=
HARDEN += -D_FORTIFY_SOURCE=2
endif

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 jansson 2>/dev/null)
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 jansson 2>/dev/null || echo -lyaml -ljansson)

BASE_CFLAGS := -std=gnu11 $(OPT) $(WARNINGS) $(HARDEN) $(SAN) -fPIC -fvisibility=hidden -Iinclude -I$(B)
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS = $(SAN) -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif

# nettle (sha256) is loaded with dlopen on first use (core/hash.c): the
# header gives the prototypes, the SONAME read from the development link
# names the file.
NETTLE_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libnettle.so)" 2>/dev/null | awk '/SONAME/ { print $$2 }')
NETTLE_CFLAGS := $(shell $(PKG_CONFIG) --cflags nettle 2>/dev/null) \
	-DNETTLE_SONAME='"$(or $(NETTLE_SONAME),libnettle.so.8)"'

LIB_SRCS := $(wildcard core/*.c)
LIB_SRCS := $(filter-out core/fuzz_%.c,$(LIB_SRCS))
LIB_OBJS := $(patsubst core/%.c,$(B)/obj/core/%.o,$(LIB_SRCS))
LIBNAME := libcordon.so
LIB := $(B)/lib/$(LIBNAME).$(VERSION)
LIB_SONAME := $(LIBNAME).$(SOVERSION)

CLI := $(B)/bin/cordon
SERVE := $(B)/bin/cordon-serve
MODULE_NAMES := $(notdir $(patsubst %/,%,$(dir $(wildcard modules/*/*.c))))
MODULE_NAMES := $(sort $(MODULE_NAMES))
MODULES := $(foreach m,$(MODULE_NAMES),$(B)/lib/cordon/modules/cordon_$(m).so)

.DEFAULT_GOAL := all
comma := ,
# Per-module extra libraries: modules/NAME/module.mk may set NAME_LIBS / NAME_CFLAGS.
-include $(wildcard modules/*/module.mk)

TEST_C := $(wildcard tests/*.c)
TEST_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_C))
TEST_MOD_SRCS := $(filter-out tests/modules/cfgbad.c,$(wildcard tests/modules/*.c))
TEST_MODS := $(patsubst tests/modules/%.c,$(B)/tests/modules/cordon_%.so,$(TEST_MOD_SRCS))
# Config tables the core refuses (tests/config.t), one build each.
CFGBAD := both:BOTH offset:OFFSET default:DEFAULT entry:ENTRY
TEST_MODS += $(foreach c,$(CFGBAD),$(B)/tests/modules/cordon_cfg$(word 1,$(subst :, ,$(c))).so)
# The test module again under other names, so one policy can stack several.
TM_COPIES := tm_a tm_b tm_c tm_req
TEST_MODS += $(foreach n,$(TM_COPIES),$(B)/tests/modules/cordon_$(n).so)
PROBE_SRCS := $(wildcard tests/probes/*.c)
PROBES := $(patsubst tests/probes/%.c,$(B)/tests/probes/%,$(PROBE_SRCS))

.PHONY: all tests check asan fuzz fuzz-smoke install uninstall clean bench FORCE
all: $(LIB) $(B)/lib/$(LIB_SONAME) $(B)/lib/$(LIBNAME) $(CLI) $(SERVE) $(MODULES) $(B)/cordon.pc

# Paths compiled into libcordon; regenerated (and the library rebuilt) when
# PREFIX and friends change, so `make install PREFIX=...` is always right.
$(B)/config.h: FORCE
	@mkdir -p $(B)
	@{ echo '#define CORDON_VERSION "$(VERSION)"'; \
	   echo '#define CORDON_MODULE_DIR "$(MODULEDIR)"'; \
	   echo '#define CORDON_POLICY_DIR "$(POLICYDIR)"'; \
	   echo '#define CORDON_BUILD_LIBDIR "$(B)/lib"'; \
	   echo '#define CORDON_SRC_POLICY_DIR "$(SRC)/policies.d"'; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(B)/obj/core/%.o: core/%.c core/internal.h core/launch.h core/hash.h include/cordon/module.h include/cordon/modutil.h include/cordon/cordon.h $(B)/config.h
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPS_CFLAGS) $(NETTLE_CFLAGS) -include $(B)/config.h -c -o $@ $<

$(LIB): $(LIB_OBJS) core/libcordon.map
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=core/libcordon.map \
		$(ALL_LDFLAGS) -o $@ $(LIB_OBJS) $(DEPS_LIBS) -ldl

$(B)/lib/$(LIB_SONAME): $(LIB)
	$(Q)ln -sf $(notdir $(LIB)) $@
$(B)/lib/$(LIBNAME): $(B)/lib/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $@

# The command: core/cli/*.c over libcordon (jansson and nettle's sha256 for
# `cordon log verify`; nettle rather than OpenSSL's libcrypto, whose loading
# alone cost every launch about 1 ms).
CLI_SRCS := $(wildcard core/cli/*.c) core/hash.c
CLI_CFLAGS := $(DEPS_CFLAGS) $(NETTLE_CFLAGS)
CLI_LIBS := $(DEPS_LIBS) -ldl
# The installed command also finds libcordon in LIBDIR (a LIBDIR that is not
# PREFIX/lib); the build tree's searches only its own lib/, never a prefix.
CLI_INSTALL_RPATH := $(if $(CORDON_INSTALLING),-Wl$(comma)-rpath$(comma)$(LIBDIR))
$(CLI): $(CLI_SRCS) $(wildcard core/cli/*.h) modules/incident_log/logformat.h include/cordon/cordon.h include/cordon/module.h $(B)/lib/$(LIBNAME)
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CLI_CFLAGS) -fPIE -pie -o $@ $(CLI_SRCS) $(ALL_LDFLAGS) \
		-L$(B)/lib -lcordon $(CLI_LIBS) -Wl,-rpath,'$$ORIGIN/../lib' $(CLI_INSTALL_RPATH)

# The service: core/serve/*.c, a program of its own that `cordon serve`,
# `stop`, `resume` and `ps` execute, so that the command running one
# sandbox never loads libmicrohttpd and libcurl.
SERVE_SRCS := $(wildcard core/serve/*.c) core/cli/mcp.c core/cli/infiles.c core/hash.c
SERVE_LIBS := $(DEPS_LIBS) $(shell $(PKG_CONFIG) --libs libmicrohttpd libcurl nettle 2>/dev/null || echo -lmicrohttpd -lcurl -lnettle) -lm -ldl
$(SERVE): $(SERVE_SRCS) $(wildcard core/serve/*.h) core/cli/mcp.h core/cli/infiles.h core/hash.h include/cordon/cordon.h $(B)/lib/$(LIBNAME)
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CLI_CFLAGS) $(shell $(PKG_CONFIG) --cflags libmicrohttpd libcurl 2>/dev/null) -fPIE -pie \
		-o $@ $(SERVE_SRCS) $(ALL_LDFLAGS) -L$(B)/lib -lcordon $(SERVE_LIBS) -Wl,-rpath,'$$ORIGIN/../lib' $(CLI_INSTALL_RPATH)

# A module: modules/NAME/*.c -> cordon_NAME.so, exporting only cordon_module.
# Module sources are modules/NAME/*.c except fuzz_*.c (libFuzzer targets).
# A module's own tests live in modules/NAME/tests/: unit_*.c (TAP, linked
# with the module's sources, its libraries and libcordon's objects) and *.t
# shell tests; `make check` runs them with the rest.
msrcs = $(filter-out modules/$(1)/fuzz_%.c,$(wildcard modules/$(1)/*.c))
define module_rule
$(B)/lib/cordon/modules/cordon_$(1).so: $(call msrcs,$(1)) $(wildcard modules/$(1)/*.h) include/cordon/module.h include/cordon/modutil.h modules/module.map
	$$(call say,CC,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$($(1)_CFLAGS) -shared -Wl,--version-script=modules/module.map \
		$$(ALL_LDFLAGS) -o $$@ $(call msrcs,$(1)) $$($(1)_LIBS)

$(B)/tests/$(1)/unit_%: modules/$(1)/tests/unit_%.c $(call msrcs,$(1)) $(wildcard modules/$(1)/*.h) tests/tap.h $(LIB_OBJS) $(B)/config.h
	$$(call say,CC,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$($(1)_CFLAGS) $$(DEPS_CFLAGS) -Itests -Icore -Imodules/$(1) -include $(B)/config.h \
		-fPIE -pie -o $$@ $$< $(call msrcs,$(1)) $(LIB_OBJS) $$(ALL_LDFLAGS) $$($(1)_LIBS) $$(DEPS_LIBS) -ldl

build-fuzz/fuzz_%: modules/$(1)/fuzz_%.c $(call msrcs,$(1)) $(wildcard modules/$(1)/*.h) $(LIB_SRCS) core/internal.h $(B)/config.h
	$$(call say,FUZZ,$$@)
	@mkdir -p build-fuzz
	$$(Q)$$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Icore -Imodules/$(1) -I$(B) \
		-include $(B)/config.h $$(DEPS_CFLAGS) $$(NETTLE_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$< $(call msrcs,$(1)) $(LIB_SRCS) \
		$$($(1)_LIBS) $$(DEPS_LIBS) -ldl
endef
FUZZ_CC ?= clang
$(foreach m,$(MODULE_NAMES),$(eval $(call module_rule,$(m))))
MODULE_UNIT_BINS := $(foreach m,$(MODULE_NAMES),$(patsubst modules/$(m)/tests/%.c,$(B)/tests/$(m)/%,$(wildcard modules/$(m)/tests/unit_*.c)))

$(B)/cordon.pc: Makefile $(B)/config.h
	@mkdir -p $(B)
	@{ echo 'prefix=$(PREFIX)'; echo 'libdir=$(LIBDIR)'; echo 'includedir=$(INCLUDEDIR)'; \
	   echo 'moduledir=$(MODULEDIR)'; echo 'policydir=$(POLICYDIR)'; echo; \
	   echo 'Name: cordon'; echo 'Description: pluggable policy framework for running untrusted code'; \
	   echo 'Version: $(VERSION)'; echo 'Cflags: -I$${includedir}'; echo 'Libs: -L$${libdir} -lcordon'; } > $@

# ---- tests ----

$(B)/tests/%: tests/%.c tests/tap.h $(B)/lib/$(LIBNAME) $(B)/config.h $(LIB_OBJS)
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPS_CFLAGS) -Icore -include $(B)/config.h -fPIE -pie -o $@ $< \
		$(LIB_OBJS) $(ALL_LDFLAGS) $(DEPS_LIBS) -ldl

$(B)/tests/modules/cordon_%.so: tests/modules/%.c include/cordon/module.h
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -shared $(ALL_LDFLAGS) -o $@ $<

define cfgbad_rule
$(B)/tests/modules/cordon_cfg$(1).so: tests/modules/cfgbad.c include/cordon/module.h
	$$(call say,CC,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) -DCFGBAD_$(2) -DMODNAME='"cfg$(1)"' -shared $$(ALL_LDFLAGS) -o $$@ $$<
endef
$(foreach c,$(CFGBAD),$(eval $(call cfgbad_rule,$(word 1,$(subst :, ,$(c))),$(word 2,$(subst :, ,$(c))))))

$(B)/tests/modules/cordon_tm_%.so: tests/modules/testmod.c include/cordon/module.h
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DTM_NAME='"tm_$*"' $(if $(filter req,$*),-DTM_REQUIRED) -shared $(ALL_LDFLAGS) -o $@ $<

$(B)/tests/probes/%: tests/probes/%.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIE -pie -o $@ $< $(ALL_LDFLAGS)

TESTS_BUILT := $(TEST_BINS) $(TEST_MODS) $(PROBES) $(MODULE_UNIT_BINS)

tests: all $(TESTS_BUILT)

check: tests
	@CORDON_BUILD=$(B) CORDON_SRC=$(SRC) SANITIZE=$(SANITIZE) MAKE="$(MAKE)" sh tests/run-suite.sh

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 check

# ---- fuzzing (clang's libFuzzer) ----
FUZZ_SRCS := $(wildcard core/fuzz_*.c)
FUZZ_BINS := $(patsubst core/fuzz_%.c,build-fuzz/fuzz_%,$(FUZZ_SRCS)) \
	$(patsubst %.c,build-fuzz/%,$(notdir $(wildcard modules/*/fuzz_*.c)))
fuzz: $(FUZZ_BINS) all

# Each target for FUZZ_SMOKE_SECONDS from its seeds and dictionary (CI runs
# this after check): a crash, a leak, a missing corpus or dictionary, or a
# temporary file left behind fails.
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke: fuzz
	@sh tests/fuzz-smoke.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)
build-fuzz/fuzz_%: core/fuzz_%.c $(LIB_SRCS) core/internal.h $(B)/config.h
	$(call say,FUZZ,$@)
	@mkdir -p build-fuzz
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Icore -I$(B) \
		-include $(B)/config.h $(DEPS_CFLAGS) $(NETTLE_CFLAGS) -o $@ $< $(LIB_SRCS) $(DEPS_LIBS) -ldl

# ---- install ----

# `make install` builds its own copy, configured for PREFIX, in
# $(INSTALL_BUILD), and installs that: the build tree's binaries are never
# rebuilt with the prefix's paths, so installing changes nothing the build
# tree's cordon trusts (a prefix that does not exist yet, or that someone
# else can create, is never on its library or module path).
INSTALL_BUILD ?= $(B)/install
# Where the man pages say files are: the paths of this PREFIX.
MAN_PATHS := -e 's|/usr/local/etc/cordon/policies\.d|$(POLICYDIR)|g' \
	-e 's|/usr/local/lib/cordon/modules|$(MODULEDIR)|g' -e 's|/usr/local/share/doc/cordon|$(DOCDIR)|g'

ifeq ($(CORDON_INSTALLING),)
install:
	$(Q)$(MAKE) --no-print-directory BUILD=$(INSTALL_BUILD) CORDON_INSTALLING=1 install
else
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MODULEDIR) \
		$(DESTDIR)$(INCLUDEDIR)/cordon $(DESTDIR)$(POLICYDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/cordon
	install -m 0755 $(SERVE) $(DESTDIR)$(BINDIR)/cordon-serve
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/$(LIBNAME)
	for m in $(MODULES); do install -m 0755 $$m $(DESTDIR)$(MODULEDIR)/; done
	install -m 0644 include/cordon/cordon.h include/cordon/module.h include/cordon/modutil.h $(DESTDIR)$(INCLUDEDIR)/cordon/
	cd policies.d && find . -type d -exec install -d $(DESTDIR)$(POLICYDIR)/{} \; && \
		find . -type f -name '*.yaml' -exec install -m 0644 {} $(DESTDIR)$(POLICYDIR)/{} \;
	install -m 0644 $(B)/cordon.pc $(DESTDIR)$(LIBDIR)/pkgconfig/cordon.pc
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5
	for p in man1/cordon.1 man3/cordon-module.3 man5/cordon.yaml.5; do \
		sed $(MAN_PATHS) contrib/man/$${p#*/} >$(DESTDIR)$(MANDIR)/$$p.tmp && \
		chmod 0644 $(DESTDIR)$(MANDIR)/$$p.tmp && mv -f $(DESTDIR)$(MANDIR)/$$p.tmp $(DESTDIR)$(MANDIR)/$$p || exit 1; \
	done
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 contrib/bash-completion/cordon $(DESTDIR)$(BASHCOMPDIR)/cordon
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	for r in $(wildcard modules/*/README.md); do \
		install -d $(DESTDIR)$(DOCDIR)/$$(dirname $$r) && \
		install -m 0644 $$r $(DESTDIR)$(DOCDIR)/$$r || exit 1; \
	done
	@if [ -z "$(PYTHONDIR)" ]; then echo "make install: no $(PYTHON): the Python binding is not installed"; else \
		echo "install the Python binding into $(DESTDIR)$(PYTHONDIR)"; \
		install -d $(DESTDIR)$(PYTHONDIR)/cordon && \
		install -m 0644 contrib/python/cordon/*.py contrib/python/cordon/py.typed $(DESTDIR)$(PYTHONDIR)/cordon/ && \
		$(PYTHON) -B -c 'import sys; sys.path.insert(0, "contrib/python/build_backend"); import cordon_build; \
			cordon_build.prepare_metadata_for_build_wheel(sys.argv[1])' $(DESTDIR)$(PYTHONDIR); fi
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cordon $(DESTDIR)$(BINDIR)/cordon-serve $(DESTDIR)$(LIBDIR)/$(LIBNAME)* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/cordon.pc $(DESTDIR)$(BASHCOMPDIR)/cordon \
		$(DESTDIR)$(MANDIR)/man1/cordon.1 $(DESTDIR)$(MANDIR)/man3/cordon-module.3 \
		$(DESTDIR)$(MANDIR)/man5/cordon.yaml.5
	rm -rf $(DESTDIR)$(MODULEDIR) $(DESTDIR)$(INCLUDEDIR)/cordon $(DESTDIR)$(DOCDIR)
	if [ -n "$(PYTHONDIR)" ]; then rm -rf $(DESTDIR)$(PYTHONDIR)/cordon $(DESTDIR)$(PYTHONDIR)/cordon-*.dist-info; fi

bench: all
	sh bench/launch/run.sh

clean:
	rm -rf build build-asan build-fuzz

FORCE:
