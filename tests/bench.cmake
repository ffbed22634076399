# `dsinfer bench` (single-stream roofline report and engine concurrency report) on the demo
# model: report fields and sanity, not speed.
if(DSINFER_BUILD_TESTS AND TARGET dsinfer)
  add_test(NAME bench_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/bench/bench_cli_test.sh $<TARGET_FILE:dsinfer>)
  set_tests_properties(bench_cli PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS cli)
endif()
