# modules/pyguard: bootstrap.py is compiled into the module as bytes, and so
# is its bytecode for the build machine's /usr/bin/python3 when there is one
# (the interpreter then skips compiling 30 KB of source on every run; the
# bootstrap falls back to the source when the run's interpreter has another
# bytecode version).  od and sed: nothing beyond coreutils, python3 optional.
PYGUARD_PYTHON ?= $(firstword $(wildcard /usr/bin/python3))

$(B)/gen/pyguard_bootstrap.h: modules/pyguard/bootstrap.py modules/pyguard/module.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)od -An -v -tx1 $< | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' >$@.tmp && mv $@.tmp $@

$(B)/gen/pyguard_bytecode.h: modules/pyguard/bootstrap.py modules/pyguard/module.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)if [ -n "$(PYGUARD_PYTHON)" ]; then \
		$(PYGUARD_PYTHON) -I -S -c 'import sys, marshal, _frozen_importlib_external as f; \
			c = compile(open(sys.argv[1], "rb").read(), "<pyguard bootstrap>", "exec", dont_inherit=True); \
			sys.stdout.buffer.write(f.MAGIC_NUMBER + marshal.dumps(c))' $< >$@.bin || exit 1; \
	else : >$@.bin; fi
	$(Q)od -An -v -tx1 $@.bin | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' >$@.tmp && mv $@.tmp $@ && rm -f $@.bin

$(B)/lib/cordon/modules/cordon_pyguard.so: $(B)/gen/pyguard_bootstrap.h $(B)/gen/pyguard_bytecode.h
