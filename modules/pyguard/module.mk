# modules/pyguard: bootstrap.py is compiled into the module as a byte array
# (od and sed: no tool beyond coreutils), so the installed module carries the
# bootstrap it hands the interpreter and nothing is read from disk at run time.
$(B)/gen/pyguard_bootstrap.h: modules/pyguard/bootstrap.py modules/pyguard/module.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)od -An -v -tx1 $< | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' >$@.tmp && mv $@.tmp $@

$(B)/lib/cordon/modules/cordon_pyguard.so: $(B)/gen/pyguard_bootstrap.h
