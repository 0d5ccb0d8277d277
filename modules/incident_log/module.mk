# incident_log: records built with jansson, hashed with nettle (sha256).
incident_log_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson nettle 2>/dev/null)
incident_log_LIBS := $(shell $(PKG_CONFIG) --libs jansson nettle 2>/dev/null || echo -ljansson -lnettle)
