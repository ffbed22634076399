#include "gguf/reader.h"

#include <cstdio>
#include <optional>

#include "gguf/parser.h"

namespace dsinfer::gguf {

using internal::ParsedSplit;
using internal::ParsedTensor;

std::string TensorInfo::ShapeString() const { return internal::ShapeText(n_dims, ne); }

namespace {

// "-00001-of-00003.gguf": the file name ending of part `number` (1-based) of `count`.
std::string SplitSuffix(uint32_t number, uint32_t count) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "-%05u-of-%05u.gguf", number, count);
  return buf;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status WrongType(const std::string& path, const std::string& key, const GgufValue& v,
                 ValueType expected) {
  return InvalidArgument(path + ": key " + key + " has type " + v.TypeString() + ", expected " +
                         ValueTypeName(expected));
}

// The value of split key `key` in `split` as an integer of type `type`; nullopt when absent.
Expected<std::optional<int64_t>> SplitKey(const std::string& path, const ParsedSplit& split,
                                          const std::string& key, ValueType type) {
  auto it = split.metadata_index.find(key);
  if (it == split.metadata_index.end()) return std::optional<int64_t>();
  const GgufValue& v = split.metadata[it->second].value;
  if (v.type() != type) return WrongType(path, key, v, type);
  return std::optional<int64_t>(v.as_i64());
}

// The split keys of the first part, validated.
struct SplitPlan {
  uint32_t count = 1;          // number of parts
  int64_t tensors_total = -1;  // split.tensors.count, when count > 1
};

Expected<SplitPlan> ReadSplitPlan(const std::string& path, const ParsedSplit& first) {
  SplitPlan plan;
  DSINFER_ASSIGN_OR_RETURN(std::optional<int64_t> count,
                           SplitKey(path, first, "split.count", ValueType::kUint16));
  if (!count || *count <= 1) return plan;  // llama.cpp treats 0 and 1 as "not split"
  plan.count = static_cast<uint32_t>(*count);
  DSINFER_ASSIGN_OR_RETURN(std::optional<int64_t> no,
                           SplitKey(path, first, "split.no", ValueType::kUint16));
  if (!no)
    return DataLoss(path + ": split.count is " + std::to_string(*count) +
                    " but key split.no is missing");
  if (*no != 0) {
    return InvalidArgument(path + ": this is split part " + std::to_string(*no + 1) + " of " +
                           std::to_string(*count) + " (split.no " + std::to_string(*no) +
                           "); open the first part, the file ending in " +
                           SplitSuffix(1, plan.count));
  }
  DSINFER_ASSIGN_OR_RETURN(std::optional<int64_t> total,
                           SplitKey(path, first, "split.tensors.count", ValueType::kInt32));
  if (!total) return DataLoss(path + ": split model without key split.tensors.count");
  plan.tensors_total = *total;
  return plan;
}

}  // namespace

// Assembles GgufFile objects from parsed splits. Friend of GgufFile.
class GgufParser {
 public:
  static Expected<GgufFile> OpenFile(const std::string& path);
  static Expected<GgufFile> OpenMemory(const std::string& name, std::string_view bytes);

 private:
  // Takes version, alignment and metadata from the first split.
  static void TakeMetadata(GgufFile& f, ParsedSplit& first);
  // Appends the tensors of split `index`, whose bytes start at `base`; names must be unique
  // across splits.
  static Status AddTensors(GgufFile& f, uint32_t index, const ParsedSplit& split,
                           const uint8_t* base);
  // Opens, parses and checks part `index` (0-based) of a split model and adds its tensors.
  static Status AddPart(GgufFile& f, const std::string& prefix, uint32_t index,
                        const SplitPlan& plan);
};

void GgufParser::TakeMetadata(GgufFile& f, ParsedSplit& first) {
  f.version_ = first.version;
  f.alignment_ = first.alignment;
  f.metadata_ = std::move(first.metadata);
  f.metadata_index_ = std::move(first.metadata_index);
}

Status GgufParser::AddTensors(GgufFile& f, uint32_t index, const ParsedSplit& split,
                              const uint8_t* base) {
  for (const ParsedTensor& p : split.tensors) {
    auto [it, inserted] = f.tensor_index_.emplace(p.name, f.tensors_.size());
    if (!inserted) {
      return DataLoss(f.path_ + ": duplicate tensor name '" + internal::Printable(p.name) +
                      "' in split parts " + std::to_string(f.tensors_[it->second].split + 1) +
                      " and " + std::to_string(index + 1));
    }
    TensorInfo t;
    t.name = p.name;
    t.type = p.type;
    t.n_dims = p.n_dims;
    for (int d = 0; d < 4; ++d) t.ne[d] = p.ne[d];
    t.offset = p.offset;
    t.nbytes = p.nbytes;
    t.split = index;
    t.file_offset = split.data_start + p.offset;
    t.data = base + t.file_offset;  // inside the file: checked by the parser
    f.tensors_.push_back(std::move(t));
  }
  return Status::Ok();
}

Status GgufParser::AddPart(GgufFile& f, const std::string& prefix, uint32_t index,
                           const SplitPlan& plan) {
  const std::string part_path = prefix + SplitSuffix(index + 1, plan.count);
  const std::string context =
      f.path_ + ": split part " + std::to_string(index + 1) + " of " + std::to_string(plan.count);
  Expected<MappedFile> file = MappedFile::Open(part_path);
  if (!file.ok()) {
    return Status(file.status().code(), context + " is missing: " + file.status().message());
  }
  Expected<ParsedSplit> split = internal::ParseSplit(part_path, file->data(), file->size());
  if (!split.ok()) return split.status().WithPrefix(context);
  Expected<std::optional<int64_t>> no = SplitKey(part_path, *split, "split.no", ValueType::kUint16);
  if (!no.ok()) return no.status().WithPrefix(context);
  if (!no->has_value()) return DataLoss(context + ": " + part_path + ": key split.no is missing");
  if (**no != static_cast<int64_t>(index)) {
    return DataLoss(context + ": " + part_path + ": split.no is " + std::to_string(**no) +
                    ", expected " + std::to_string(index));
  }
  Expected<std::optional<int64_t>> count =
      SplitKey(part_path, *split, "split.count", ValueType::kUint16);
  if (!count.ok()) return count.status().WithPrefix(context);
  if (count->has_value() && **count != static_cast<int64_t>(plan.count)) {
    return DataLoss(context + ": " + part_path + ": split.count is " + std::to_string(**count) +
                    " but the first part says " + std::to_string(plan.count));
  }
  Expected<std::optional<int64_t>> total =
      SplitKey(part_path, *split, "split.tensors.count", ValueType::kInt32);
  if (!total.ok()) return total.status().WithPrefix(context);
  if (total->has_value() && **total != plan.tensors_total) {
    return DataLoss(context + ": " + part_path + ": split.tensors.count is " +
                    std::to_string(**total) + " but the first part says " +
                    std::to_string(plan.tensors_total));
  }
  DSINFER_RETURN_IF_ERROR(AddTensors(f, index, *split, file->data()));
  f.file_bytes_ += file->size();
  f.files_.push_back(std::move(*file));
  return Status::Ok();
}

Expected<GgufFile> GgufParser::OpenFile(const std::string& path) {
  DSINFER_ASSIGN_OR_RETURN(MappedFile first, MappedFile::Open(path));
  DSINFER_ASSIGN_OR_RETURN(ParsedSplit split,
                           internal::ParseSplit(path, first.data(), first.size()));
  DSINFER_ASSIGN_OR_RETURN(SplitPlan plan, ReadSplitPlan(path, split));
  GgufFile f;
  f.path_ = path;
  f.split_count_ = plan.count;
  f.file_bytes_ = first.size();
  TakeMetadata(f, split);
  DSINFER_RETURN_IF_ERROR(AddTensors(f, 0, split, first.data()));
  f.files_.push_back(std::move(first));  // moving keeps the mapping, so data pointers stay valid
  if (plan.count == 1) return f;

  const std::string suffix = SplitSuffix(1, plan.count);
  if (!EndsWith(path, suffix)) {
    return InvalidArgument(path + ": split.count is " + std::to_string(plan.count) +
                           " but the file name does not end in " + suffix +
                           ", so the other parts cannot be found");
  }
  const std::string prefix = path.substr(0, path.size() - suffix.size());
  for (uint32_t index = 1; index < plan.count; ++index) {
    DSINFER_RETURN_IF_ERROR(AddPart(f, prefix, index, plan));
  }
  if (static_cast<int64_t>(f.tensors_.size()) != plan.tensors_total) {
    return DataLoss(path + ": split.tensors.count is " + std::to_string(plan.tensors_total) +
                    " but the " + std::to_string(plan.count) + " parts hold " +
                    std::to_string(f.tensors_.size()) + " tensors");
  }
  return f;
}

Expected<GgufFile> GgufParser::OpenMemory(const std::string& name, std::string_view bytes) {
  GgufFile f;
  f.path_ = name;
  f.memory_.assign(bytes.begin(), bytes.end());
  f.file_bytes_ = f.memory_.size();
  DSINFER_ASSIGN_OR_RETURN(ParsedSplit split,
                           internal::ParseSplit(name, f.memory_.data(), f.memory_.size()));
  DSINFER_ASSIGN_OR_RETURN(SplitPlan plan, ReadSplitPlan(name, split));
  if (plan.count > 1) {
    return InvalidArgument(name + ": split.count is " + std::to_string(plan.count) +
                           "; split models can only be opened from files");
  }
  TakeMetadata(f, split);
  DSINFER_RETURN_IF_ERROR(AddTensors(f, 0, split, f.memory_.data()));
  return f;
}

Expected<GgufFile> GgufFile::Open(const std::string& path) { return GgufParser::OpenFile(path); }

Expected<GgufFile> GgufFile::OpenFromMemory(const std::string& name, std::string_view bytes) {
  return GgufParser::OpenMemory(name, bytes);
}

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

uint32_t GgufFile::split_count() const { return split_count_; }

uint64_t GgufFile::file_bytes() const { return file_bytes_; }

const GgufValue* GgufFile::Find(const std::string& key) const {
  auto it = metadata_index_.find(key);
  return it == metadata_index_.end() ? nullptr : &metadata_[it->second].value;
}

const TensorInfo* GgufFile::FindTensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

namespace {

// The value of `key` if it has type `type`; NotFound / InvalidArgument otherwise.
Expected<const GgufValue*> FindTyped(const GgufFile& f, const std::string& key, ValueType type) {
  const GgufValue* v = f.Find(key);
  if (v == nullptr) return NotFound(f.path() + ": key not found: " + key);
  if (v->type() != type) return WrongType(f.path(), key, *v, type);
  return v;
}

}  // namespace

Expected<uint32_t> GgufFile::GetU32(const std::string& key) const {
  DSINFER_ASSIGN_OR_RETURN(const GgufValue* v, FindTyped(*this, key, ValueType::kUint32));
  return static_cast<uint32_t>(v->as_u64());
}

Expected<float> GgufFile::GetF32(const std::string& key) const {
  DSINFER_ASSIGN_OR_RETURN(const GgufValue* v, FindTyped(*this, key, ValueType::kFloat32));
  return static_cast<float>(v->as_f64());
}

Expected<bool> GgufFile::GetBool(const std::string& key) const {
  DSINFER_ASSIGN_OR_RETURN(const GgufValue* v, FindTyped(*this, key, ValueType::kBool));
  return v->as_bool();
}

Expected<std::string> GgufFile::GetString(const std::string& key) const {
  DSINFER_ASSIGN_OR_RETURN(const GgufValue* v, FindTyped(*this, key, ValueType::kString));
  return v->as_string();
}

Expected<uint32_t> GgufFile::GetU32Or(const std::string& key, uint32_t fallback) const {
  if (Find(key) == nullptr) return fallback;
  return GetU32(key);
}

Expected<float> GgufFile::GetF32Or(const std::string& key, float fallback) const {
  if (Find(key) == nullptr) return fallback;
  return GetF32(key);
}

Expected<bool> GgufFile::GetBoolOr(const std::string& key, bool fallback) const {
  if (Find(key) == nullptr) return fallback;
  return GetBool(key);
}

Expected<std::string> GgufFile::GetStringOr(const std::string& key,
                                            const std::string& fallback) const {
  if (Find(key) == nullptr) return fallback;
  return GetString(key);
}

}  // namespace dsinfer::gguf
