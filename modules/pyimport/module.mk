# modules/pyimport: config.h gives the installed and source-tree policy
# directories, where the API data of allowlist mode (`api: "3.11"`,
# rules/python-api-3.11.yaml) is looked up.
pyimport_CFLAGS := -include $(B)/config.h
$(B)/lib/cordon/modules/cordon_pyimport.so: $(B)/config.h

# unidata.c is generated and checked in (the interpreters of the other
# Python versions are not on every machine); regenerate it with each
# version pyimport parses:
#   make unidata UNIDATA_PYTHONS="python3.11 python3.12 python3.13"
UNIDATA_PYTHONS ?= python3.11 python3.12 python3.13
unidata:
	/usr/bin/python3 modules/pyimport/gen_unidata.py $(UNIDATA_PYTHONS) >modules/pyimport/unidata.c.tmp
	mv -f modules/pyimport/unidata.c.tmp modules/pyimport/unidata.c
.PHONY: unidata
