// DequantizeRow dispatch: for each type, the best implementation this CPU supports (AVX-512, then
// AVX2, then the scalar reference), chosen once from GetCpuFeatures() (which honours the
// DSINFER_CPU=scalar|avx2 pin). QuantizeRow lives in quantize.cc.

#include <array>
#include <string>

#include "base/check.h"
#include "base/cpu_features.h"
#include "tensor/quant.h"
#include "tensor/x86/dequant_x86.h"

namespace dsinfer {

namespace {

// Every type CanDequantize accepts, in the order error messages list them.
constexpr DType kDequantizable[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K,
};

constexpr size_t kMaxTypeId = 64;  // larger than every ggml type id in DType

// The implementation chosen for one type; fn == nullptr means reference::DequantizeRow.
struct DequantImpl {
  x86::DequantizeRowFn fn = nullptr;
  const char* name = "scalar";
};

std::array<DequantImpl, kMaxTypeId> ChooseImplementations() {
  std::array<DequantImpl, kMaxTypeId> table{};
  const CpuFeatures& cpu = GetCpuFeatures();
  for (DType type : kDequantizable) {
    DequantImpl& impl = table[static_cast<size_t>(type)];
    if (cpu.avx512) {
      if (x86::DequantizeRowFn fn = x86::Avx512Dequantizer(type)) {
        impl = {fn, "avx512"};
        continue;
      }
    }
    if (cpu.avx2) {
      if (x86::DequantizeRowFn fn = x86::Avx2Dequantizer(type)) impl = {fn, "avx2"};
    }
  }
  return table;
}

const DequantImpl& ImplFor(DType type) {
  static const std::array<DequantImpl, kMaxTypeId> table = ChooseImplementations();
  const size_t id = static_cast<size_t>(type);
  CHECK_LT(id, kMaxTypeId);
  return table[id];
}

}  // namespace

bool CanDequantize(DType type) {
  for (DType t : kDequantizable) {
    if (t == type) return true;
  }
  return false;
}

Status CheckDequantizable(DType type, const std::string& what) {
  if (CanDequantize(type)) return Status::Ok();
  std::string supported;
  for (DType t : kDequantizable) {
    if (!supported.empty()) supported += ", ";
    supported += DTypeName(t);
  }
  const auto traits = LookupDType(static_cast<uint32_t>(type));
  const std::string name =
      traits ? traits->name : "id " + std::to_string(static_cast<uint32_t>(type));
  return Unimplemented(what + ": tensor type " + name +
                       " is not supported (supported: " + supported + ")");
}

void DequantizeRow(DType type, const void* src, float* dst, int64_t n) {
  CHECK(CanDequantize(type)) << "DequantizeRow: unsupported type " << DTypeName(type);
  CHECK(n >= 0 && n % Traits(type).block_size == 0)
      << "DequantizeRow: " << n << " elements is not a multiple of the " << DTypeName(type)
      << " block size";
  const DequantImpl& impl = ImplFor(type);
  if (impl.fn != nullptr) {
    impl.fn(src, dst, n);
  } else {
    reference::DequantizeRow(type, src, dst, n);
  }
}

const char* DequantizeImplName(DType type) {
  if (!CanDequantize(type)) return "none";
  return ImplFor(type).name;
}

}  // namespace dsinfer
