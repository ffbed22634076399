# Integration tests of `dsinfer serve`: the real binary on an ephemeral loopback port, driven by
# curl (tests/server/*_test.sh) and by the official OpenAI SDK for Node
# (tests/server/openai_sdk.test.mjs; npm package `openai` installed into <root>/node_modules by
# scripts/setup), plus a real Prometheus scrape. Each test starts its own servers, waits for
# /readyz, and kills everything it started. Exit code 77 (missing curl/node/prometheus) is a skip.
if(DSINFER_BUILD_TESTS AND TARGET dsinfer AND TARGET dsinfer_server)
  set(_server_tests ${CMAKE_CURRENT_LIST_DIR}/server)
  foreach(_name api_curl auth_limits lifecycle prometheus memory_limit)
    add_test(NAME server_${_name} COMMAND bash ${_server_tests}/${_name}_test.sh $<TARGET_FILE:dsinfer>)
    set_tests_properties(server_${_name} PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 LABELS server)
  endforeach()
  find_program(DSINFER_NODE node)
  if(DSINFER_NODE)
    add_test(NAME server_openai_sdk COMMAND ${DSINFER_NODE} --test ${_server_tests}/openai_sdk.test.mjs)
    set_tests_properties(server_openai_sdk PROPERTIES TIMEOUT 600 LABELS server
                         ENVIRONMENT "DSINFER_BIN=$<TARGET_FILE:dsinfer>")
    # 200 concurrent streaming clients for 2 minutes (DSINFER_SOAK_SECONDS overrides), then the
    # resident memory must be back within 10% of idle. `ctest -LE soak` leaves it out.
    add_test(NAME server_soak COMMAND ${DSINFER_NODE} --test ${_server_tests}/soak.test.mjs)
    set_tests_properties(server_soak PROPERTIES TIMEOUT 900 LABELS "server;soak"
                         ENVIRONMENT "DSINFER_BIN=$<TARGET_FILE:dsinfer>")
  endif()
endif()
