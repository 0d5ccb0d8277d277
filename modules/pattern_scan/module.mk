# modules/pattern_scan: PCRE2 (libpcre2-8) with its JIT; pthreads for the
# once-per-process table of PCRE2's byte classes (in libc on glibc 2.34 and
# later).  config.h gives the installed and source-tree policy
# directories, where bare rule-set names (`rules: [python]`) are looked up.
pattern_scan_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null) -include $(B)/config.h
pattern_scan_LIBS := $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null || echo -lpcre2-8) -pthread
$(B)/lib/cordon/modules/cordon_pattern_scan.so: $(B)/config.h
