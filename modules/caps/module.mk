caps_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcap-ng 2>/dev/null)
caps_LIBS := $(shell $(PKG_CONFIG) --libs libcap-ng 2>/dev/null || echo -lcap-ng)
