# Tokenizer throughput (MB/s of UTF-8 input encoded on one thread) with the DeepSeek-V3 vocab.
# bench/tokenizer_hf.mjs measures the same inputs through Hugging Face tokenizers (Node).
if(TARGET dsinfer_tokenizer)
  add_executable(dsinfer_tokenizer_bench ${CMAKE_CURRENT_LIST_DIR}/tokenizer_bench.cc)
  target_link_libraries(dsinfer_tokenizer_bench PRIVATE dsinfer_tokenizer benchmark::benchmark)
  target_compile_definitions(dsinfer_tokenizer_bench PRIVATE
    DSINFER_GOLDEN_DIR="${DSINFER_GOLDEN_DIR}")
endif()
