# MatMul throughput per weight type: GEMV and GEMM, fast vs reference, 1 and 2 threads.
add_executable(dsinfer_matmul_bench ${CMAKE_CURRENT_LIST_DIR}/matmul_bench.cc)
target_link_libraries(dsinfer_matmul_bench PRIVATE dsinfer_kernels benchmark::benchmark)
