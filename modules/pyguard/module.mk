# modules/pyguard: bootstrap.py is compiled into the module, and so is its
# bytecode for the build machine's /usr/bin/python3 when there is one (the
# interpreter then skips compiling 30 KB of source on every run; the
# bootstrap falls back to the source when the run's interpreter has another
# bytecode version).  Each is kept as the body of the Python bytes literal
# the bootstrap file carries (printable ASCII but \ and ' as it is, every
# other byte as \xNN), made here once instead of on every run (with the
# copy it no longer needs, a run's prepare went from 1.0-1.8 to 0.5-0.6 ms,
# perf probes).  od and awk: nothing beyond the base system, python3
# optional.
PYGUARD_PYTHON ?= $(firstword $(wildcard /usr/bin/python3))
# $(call pyguard_escape,FILE): od's decimal bytes -> the literal's bytes,
# as C initialisers.
pyguard_escape = test -r $(1) && od -An -v -tu1 $(1) | awk 'function hx(d) { return d < 10 ? 48 + d : 87 + d } \
	{ for (i = 1; i <= NF; i++) { c = $$i + 0; \
	    if (c >= 32 && c < 127 && c != 92 && c != 39) printf "%d,", c; \
	    else printf "92,120,%d,%d,", hx(int(c / 16)), hx(c % 16) } printf "\n" }'

$(B)/gen/pyguard_bootstrap.h: modules/pyguard/bootstrap.py modules/pyguard/module.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)$(call pyguard_escape,$<) >$@.tmp && mv $@.tmp $@

$(B)/gen/pyguard_bytecode.h: modules/pyguard/bootstrap.py modules/pyguard/module.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)if [ -n "$(PYGUARD_PYTHON)" ]; then \
		$(PYGUARD_PYTHON) -I -S -c 'import sys, marshal, _frozen_importlib_external as f; \
			c = compile(open(sys.argv[1], "rb").read(), "<pyguard bootstrap>", "exec", dont_inherit=True); \
			sys.stdout.buffer.write(f.MAGIC_NUMBER + marshal.dumps(c))' $< >$@.bin || exit 1; \
	else : >$@.bin; fi
	$(Q)$(call pyguard_escape,$@.bin) >$@.tmp && mv $@.tmp $@ && rm -f $@.bin

$(B)/lib/cordon/modules/cordon_pyguard.so: $(B)/gen/pyguard_bootstrap.h $(B)/gen/pyguard_bytecode.h
