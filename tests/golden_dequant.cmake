# Dequantization of every golden model's tensors against an independent decoder, and quantization
# of the F32 golden models against llama-quantize's output.
dsinfer_test(dsinfer_golden_dequant_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/golden_dequant_test.cc
  DEPS dsinfer_gguf dsinfer_tensor)
if(TARGET dsinfer_golden_dequant_test)
  # The independent decoder must round exactly like the reference: no fused multiply-adds.
  target_compile_options(dsinfer_golden_dequant_test PRIVATE -ffp-contract=off)
endif()
