#include "model/quantize_model.h"

#include <algorithm>
#include <vector>

#include "gguf/reader.h"
#include "gguf/writer.h"
#include "tensor/quant.h"

namespace dsinfer {

namespace {

// Rows converted per step: bounded so a 100k-row embedding never needs its full f32 copy.
constexpr int64_t kChunkElements = 1 << 22;

bool IsBlockQuantized(DType t) {
  return t != DType::kF32 && t != DType::kF16 && t != DType::kBF16;
}

Status ConvertTensor(const gguf::TensorInfo& t, DType out_type, ThreadPool& pool,
                     gguf::GgufWriter& writer) {
  const int64_t n_per_row = t.ne[0];
  const int64_t n_rows = t.n_rows();
  const uint64_t in_row_bytes = *RowBytes(t.type, static_cast<uint64_t>(n_per_row));
  const uint64_t out_row_bytes = *RowBytes(out_type, static_cast<uint64_t>(n_per_row));
  const int64_t rows_per_chunk = std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, n_per_row));
  std::vector<float> f32(static_cast<size_t>(std::min(rows_per_chunk, n_rows) * n_per_row));
  std::vector<uint8_t> out(static_cast<size_t>(std::min(rows_per_chunk, n_rows)) * out_row_bytes);
  DSINFER_RETURN_IF_ERROR(writer.BeginTensor(t.name));
  for (int64_t row0 = 0; row0 < n_rows; row0 += rows_per_chunk) {
    const int64_t rows = std::min(rows_per_chunk, n_rows - row0);
    pool.ParallelFor(static_cast<size_t>(rows), [&](int, size_t begin, size_t end) {
      for (size_t r = begin; r < end; ++r) {
        const uint8_t* src = t.data + (static_cast<uint64_t>(row0) + r) * in_row_bytes;
        float* row = f32.data() + r * static_cast<size_t>(n_per_row);
        DequantizeRow(t.type, src, row, n_per_row);
        QuantizeRow(out_type, row, out.data() + r * out_row_bytes, n_per_row);
      }
    });
    DSINFER_RETURN_IF_ERROR(writer.AppendTensorData(out.data(), static_cast<uint64_t>(rows) * out_row_bytes));
  }
  return Status::Ok();
}

}  // namespace

Expected<QuantizeReport> QuantizeModel(const std::string& input_path,
                                       const std::string& output_path, const QuantRecipe& recipe,
                                       ThreadPool& pool,
                                       const std::function<void(const QuantizeProgress&)>& progress) {
  DSINFER_ASSIGN_OR_RETURN(gguf::GgufFile in, gguf::GgufFile::Open(input_path));
  DSINFER_ASSIGN_OR_RETURN(ModelConfig config, ReadModelConfig(in));
  DSINFER_ASSIGN_OR_RETURN(std::vector<TensorPlan> plan, PlanQuantization(in.tensors(), config, recipe));

  const auto& tensors = in.tensors();
  for (const TensorPlan& p : plan) {
    const gguf::TensorInfo& t = tensors[p.tensor_index];
    if (p.type == t.type) continue;
    DSINFER_RETURN_IF_ERROR(CheckDequantizable(t.type, t.name).WithPrefix(input_path));
    if (!CanQuantize(p.type)) {
      return Unimplemented(t.name + ": cannot quantize to " + DTypeName(p.type));
    }
  }

  QuantizeReport report;
  gguf::GgufWriter writer(output_path);
  // Like llama-quantize: copy everything but the split keys, then (re)append the two keys it
  // sets, at the end, so the header is byte-identical to llama.cpp's.
  for (const gguf::MetadataEntry& e : in.metadata()) {
    if (e.key.rfind("split.", 0) == 0 || e.key == "general.quantization_version" ||
        e.key == "general.file_type") {
      continue;
    }
    writer.SetMetadata(e.key, e.value);
  }
  writer.SetMetadata("general.quantization_version", gguf::GgufValue::U32(2));
  writer.SetMetadata("general.file_type", gguf::GgufValue::U32(recipe.file_type));
  for (const TensorPlan& p : plan) {
    const gguf::TensorInfo& t = tensors[p.tensor_index];
    std::vector<int64_t> ne(t.ne, t.ne + std::max<uint32_t>(1, t.n_dims));
    DSINFER_RETURN_IF_ERROR(writer.AddTensor(t.name, p.type, ne));
  }

  QuantizeProgress prog;
  prog.tensor_count = plan.size();
  for (const gguf::TensorInfo& t : tensors) prog.bytes_total += t.nbytes;
  for (const TensorPlan& p : plan) {
    const gguf::TensorInfo& t = tensors[p.tensor_index];
    prog.tensor_index++;
    prog.tensor_name = &t.name;
    if (progress) progress(prog);
    if (p.type == t.type) {
      DSINFER_RETURN_IF_ERROR(writer.WriteTensorData(t.name, t.data, t.nbytes));
    } else {
      DSINFER_RETURN_IF_ERROR(ConvertTensor(t, p.type, pool, writer));
      report.converted++;
      if (IsBlockQuantized(t.type)) report.requantized++;
    }
    if (p.fallback) report.fallbacks++;
    report.output_types[DTypeName(p.type)]++;
    report.output_bytes += *RowBytes(p.type, static_cast<uint64_t>(t.ne[0])) *
                           static_cast<uint64_t>(t.n_rows());
    prog.bytes_done += t.nbytes;
  }
  prog.tensor_name = nullptr;
  if (progress) progress(prog);
  DSINFER_RETURN_IF_ERROR(writer.Finish());
  report.tensors = plan.size();
  report.input_bytes = prog.bytes_total;
  return report;
}

}  // namespace dsinfer
