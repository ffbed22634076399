// reference::MatMul: the scalar ground truth of MatMul. Plain loops, one thread: each token's
// activation row is converted with the reference quantizer, then every output is one
// reference::VecDot.

#include <vector>

#include "base/check.h"
#include "kernels/matmul.h"
#include "kernels/vec_dot.h"

namespace dsinfer::reference {

void MatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y) {
  CHECK(MatMulSupports(w.type)) << "MatMul: unsupported weight type " << DTypeName(w.type);
  const DType activation_type = VecDotType(w.type);
  const uint64_t activation_bytes = ActivationRowBytes(activation_type, w.cols);
  const QuantizeActivationFn quantize = ActivationQuantizer(activation_type);
  std::vector<uint8_t> activation(activation_bytes);
  for (int64_t t = 0; t < n_tokens; ++t) {
    quantize(x + t * w.cols, activation.data(), w.cols);
    for (int64_t r = 0; r < w.rows; ++r) {
      y[t * w.rows + r] = VecDot(w.type, w.cols, w.data + r * w.row_bytes, activation.data());
    }
  }
}

}  // namespace dsinfer::reference
