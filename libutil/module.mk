# libutil - the shared library: every .c except tests, the test runner and
# fuzz targets goes into build/libutil.a.  Fuzz targets are fuzz_*.c here.
LIBUTIL_SRCS := $(filter-out %_test.c libutil/test.c libutil/fuzz_%.c,$(wildcard libutil/*.c))
LIBUTIL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBUTIL_SRCS))
$(foreach f,$(wildcard libutil/fuzz_*.c),$(eval $(call fuzzer,$(f))))
