# Small wrappers in the style of Abseil's absl_cc_library / absl_cc_test, so
# that each folder's CMakeLists.txt lists only names, sources and deps.

set(MLMDX_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)

# mlmdx_cc_library(NAME x SRCS a.cc HDRS a.h DEPS y)
function(mlmdx_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
    target_compile_options(${ARG_NAME} PRIVATE ${MLMDX_WARNINGS})
  else()
    add_library(${ARG_NAME} INTERFACE)
    target_link_libraries(${ARG_NAME} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# mlmdx_cc_test(NAME x SRCS x_test.cc DEPS y [LABELS l] [TEST_PREFIX p]
#               [TEST_FILTER f])
# TEST_PREFIX is prepended to every discovered test name (ctest -R p);
# TEST_FILTER (a --gtest_filter) registers only the tests it matches.
function(mlmdx_cc_test)
  if(NOT MLMDX_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TEST_PREFIX;TEST_FILTER" "SRCS;DEPS;LABELS"
                        ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock
                        GTest::gtest_main)
  target_compile_options(${ARG_NAME} PRIVATE ${MLMDX_WARNINGS})
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
                       TEST_PREFIX "${ARG_TEST_PREFIX}"
                       TEST_FILTER "${ARG_TEST_FILTER}"
                       PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
