# `dsinfer loadtest` end to end (tests/loadtest/): against the real `dsinfer serve` on the demo
# model with /metrics deltas compared (server_metrics), against fake_upstream.py for every failure
# mode and the --duration deadline (failure_modes), the bench/scenarios scripts and report.sh
# shrunk to seconds (scenarios), and 1,000 concurrent streams from one core (scale, label soak:
# `ctest -LE soak` and the asan pass of scripts/test leave it out). Exit code 77 (curl, node or
# python3 missing) is a skip.
if(DSINFER_BUILD_TESTS AND TARGET dsinfer AND TARGET dsinfer_loadtest)
  set(_loadtest_tests ${CMAKE_CURRENT_LIST_DIR}/loadtest)
  foreach(_name server_metrics failure_modes scenarios)
    add_test(NAME loadtest_${_name} COMMAND bash ${_loadtest_tests}/${_name}_test.sh $<TARGET_FILE:dsinfer>)
    set_tests_properties(loadtest_${_name} PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 LABELS loadtest)
  endforeach()
  add_test(NAME loadtest_scale COMMAND bash ${_loadtest_tests}/scale_test.sh $<TARGET_FILE:dsinfer>)
  set_tests_properties(loadtest_scale PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS "loadtest;soak")
endif()
