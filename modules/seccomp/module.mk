# modules/seccomp: libseccomp builds the filters, jansson reads OCI profiles.
seccomp_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp jansson 2>/dev/null)
seccomp_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp jansson 2>/dev/null || echo -lseccomp -ljansson)
