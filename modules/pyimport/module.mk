# modules/pyimport: config.h gives the installed and source-tree policy
# directories, where the API data of allowlist mode (`api: "3.11"`,
# rules/python-api-3.11.yaml) is looked up.
pyimport_CFLAGS := -include $(B)/config.h
$(B)/lib/cordon/modules/cordon_pyimport.so: $(B)/config.h
