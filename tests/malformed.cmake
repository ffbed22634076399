# Malformed GGUF corpus (tests/malformed): the generator that rewrites it, and an integration
# test that runs `dsinfer inspect` on every file and requires a clean one-line error.
add_executable(dsinfer_gguf_corpus_gen ${CMAKE_CURRENT_LIST_DIR}/malformed/generate_corpus.cc)
target_link_libraries(dsinfer_gguf_corpus_gen PRIVATE dsinfer_gguf)

if(DSINFER_BUILD_TESTS AND TARGET dsinfer)
  add_test(NAME malformed_gguf_cli
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/malformed/run_cli.sh $<TARGET_FILE:dsinfer>
            ${CMAKE_CURRENT_LIST_DIR}/malformed)
  set_tests_properties(malformed_gguf_cli PROPERTIES TIMEOUT 120)
endif()
