# incident_log: records built with jansson, hashed with libcrypto (sha256).
incident_log_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson libcrypto 2>/dev/null)
incident_log_LIBS := $(shell $(PKG_CONFIG) --libs jansson libcrypto 2>/dev/null || echo -ljansson -lcrypto)
