# Dequantization throughput per weight type (fast dispatched path, reference, each ISA).
add_executable(dsinfer_dequant_bench ${CMAKE_CURRENT_LIST_DIR}/dequant_bench.cc)
target_link_libraries(dsinfer_dequant_bench PRIVATE dsinfer_tensor benchmark::benchmark)
