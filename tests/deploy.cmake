# Deployment kit (deploy/): configuration checks that need no Docker and no cluster, driven by
# tests/deploy/check_configs.sh with the real dsinfer binary (promtool, nginx -t, Kubernetes
# manifest schemas and their agreement with the server, Grafana/rules metric names, the Vector
# log pipeline), and the Dockerfile's build script (install + smoke test of the built binary).
# Exit code 77 (a tool such as promtool, nginx or python3-yaml not installed) is a skip.
if(DSINFER_BUILD_TESTS AND TARGET dsinfer)
  foreach(_check docker prometheus nginx k8s metrics logging)
    add_test(NAME deploy_${_check}
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/deploy/check_configs.sh $<TARGET_FILE:dsinfer> ${_check})
    set_tests_properties(deploy_${_check} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS deploy)
  endforeach()
  # deploy/build.sh as the Dockerfile runs it, minus apt-get and the compile (this tree is built
  # already): installs the binary into a prefix and smoke-tests the installed copy.
  add_test(NAME deploy_build_script
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/../deploy/build.sh --no-deps --binary $<TARGET_FILE:dsinfer>
                   --prefix ${CMAKE_CURRENT_BINARY_DIR}/deploy-install)
  set_tests_properties(deploy_build_script PROPERTIES TIMEOUT 300 LABELS deploy)
  # scripts/stack end to end: nginx (HTTPS) + two replicas + Prometheus; the OpenAI SDK through
  # nginx, both replicas serve, a killed replica is failed over, both are `up` in Prometheus.
  add_test(NAME deploy_stack COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/deploy/stack_test.sh $<TARGET_FILE:dsinfer>)
  set_tests_properties(deploy_stack PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS deploy)
endif()
