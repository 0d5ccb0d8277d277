# incident_log: records built with jansson, hashed with libcrypto (sha256).
incident_log_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson libcrypto 2>/dev/null)
incident_log_LIBS := $(shell $(PKG_CONFIG) --libs jansson libcrypto 2>/dev/null || echo -ljansson -lcrypto)
# `cordon log verify` (core/cli/logverify.c) parses the records with jansson,
# which the cordon command's link line does not name yet (it links libcrypto
# only): add it for that one target.
$(CLI): CLI_LIBS += $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
