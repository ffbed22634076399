# `dsinfer inspect --json` on every golden model agrees with llama.cpp's manifests.
dsinfer_test(dsinfer_inspect_golden_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/inspect_golden_test.cc
  DEPS dsinfer_base)
if(TARGET dsinfer_inspect_golden_test)
  target_compile_definitions(dsinfer_inspect_golden_test PRIVATE
    DSINFER_BINARY="$<TARGET_FILE:dsinfer>")
  add_dependencies(dsinfer_inspect_golden_test dsinfer)
endif()
