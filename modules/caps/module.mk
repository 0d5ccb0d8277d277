# modules/caps: libcap-ng parses the capability names of `keep`.  It is
# loaded with dlopen only when a policy keeps capabilities (most keep none,
# and loading it on every launch costs more than the rest of the module), so
# the module is not linked with it: the header gives the prototype, the
# library's SONAME (read from the development link, libcap-ng.so.0 if that
# fails) names the file to load.
caps_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libcap-ng.so)" 2>/dev/null | awk '/SONAME/ { print $$2 }')
caps_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcap-ng 2>/dev/null) -DCAPNG_SONAME='"$(or $(caps_SONAME),libcap-ng.so.0)"'
caps_LIBS :=
