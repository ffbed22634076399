#include "gguf/writer.h"

#include <cstring>
#include <map>

#include "gguf/parser.h"

namespace dsinfer::gguf {

namespace {

// Little-endian serialization into a growing byte buffer.
class ByteSink {
 public:
  template <typename T>
  void Put(T v) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
  }
  void PutString(const std::string& s) {
    Put<uint64_t>(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  // The value body (without its type id); arrays carry their element type and count.
  void PutValue(const GgufValue& v) {
    switch (v.type()) {
      case ValueType::kUint8:
      case ValueType::kInt8:
      case ValueType::kBool:
        Put(static_cast<uint8_t>(v.raw_bits()));
        return;
      case ValueType::kUint16:
      case ValueType::kInt16:
        Put(static_cast<uint16_t>(v.raw_bits()));
        return;
      case ValueType::kUint32:
      case ValueType::kInt32:
      case ValueType::kFloat32:
        Put(static_cast<uint32_t>(v.raw_bits()));
        return;
      case ValueType::kUint64:
      case ValueType::kInt64:
      case ValueType::kFloat64:
        Put(v.raw_bits());
        return;
      case ValueType::kString:
        PutString(v.as_string());
        return;
      case ValueType::kArray:
        Put(static_cast<uint32_t>(v.elem_type()));
        Put<uint64_t>(v.as_array().size());
        for (const GgufValue& e : v.as_array()) PutValue(e);
        return;
    }
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

struct GgufWriter::Impl {
  struct Entry {
    std::string key;
    GgufValue value;
  };
  struct Tensor {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    uint64_t nbytes = 0;
    uint64_t offset = 0;  // relative to the data section; set when the header is written
  };

  std::string path;
  std::vector<Entry> metadata;
  std::map<std::string, size_t> metadata_index;
  std::vector<Tensor> tensors;
  std::map<std::string, size_t> tensor_index;
  uint32_t alignment = internal::kDefaultAlignment;

  Status misuse;                    // the first misuse seen by SetMetadata (which cannot return it)
  Status io_error;                  // sticky: once a write failed, the file is unusable
  std::unique_ptr<OutputFile> out;  // created with the header
  bool finished = false;
  size_t next_tensor = 0;  // the tensor being written, or the next one
  bool in_tensor = false;  // BeginTensor called, bytes still missing
  uint64_t written = 0;    // bytes of tensors[next_tensor] written so far

  Status Error(const std::string& problem) const { return InvalidArgument(path + ": " + problem); }
  // Misuse recorded earlier, a failed write, or a call after Finish().
  Status CheckUsable() const {
    if (!misuse.ok()) return misuse;
    if (!io_error.ok()) return io_error;
    if (finished) return Error("writer already finished");
    return Status::Ok();
  }
  Status Track(Status s) {
    if (!s.ok() && io_error.ok()) io_error = s;
    return s;
  }
  Status WriteHeader();
  // Pads after the completed tensor and moves on to the next one.
  Status CompleteTensor();
};

Status GgufWriter::Impl::WriteHeader() {
  uint64_t offset = 0;
  for (Tensor& t : tensors) {
    t.offset = offset;
    offset += (t.nbytes + alignment - 1) / alignment * alignment;
  }
  ByteSink sink;
  sink.Put<uint32_t>(0x46554747);  // "GGUF"
  sink.Put<uint32_t>(3);
  sink.Put<int64_t>(static_cast<int64_t>(tensors.size()));
  sink.Put<int64_t>(static_cast<int64_t>(metadata.size()));
  for (const Entry& e : metadata) {
    sink.PutString(e.key);
    sink.Put(static_cast<uint32_t>(e.value.type()));
    sink.PutValue(e.value);
  }
  for (const Tensor& t : tensors) {
    sink.PutString(t.name);
    sink.Put(static_cast<uint32_t>(t.ne.size()));
    for (int64_t n : t.ne) sink.Put(n);
    sink.Put(static_cast<uint32_t>(t.type));
    sink.Put(t.offset);
  }
  Expected<OutputFile> file = OutputFile::Create(path);
  if (!file.ok()) return Track(file.status());
  out = std::make_unique<OutputFile>(std::move(*file));
  DSINFER_RETURN_IF_ERROR(Track(out->Write(sink.bytes().data(), sink.bytes().size())));
  return Track(out->PadTo(alignment));
}

Status GgufWriter::Impl::CompleteTensor() {
  in_tensor = false;
  written = 0;
  ++next_tensor;
  return Track(out->PadTo(alignment));
}

GgufWriter::GgufWriter(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
}

GgufWriter::~GgufWriter() = default;

void GgufWriter::SetMetadata(const std::string& key, GgufValue value) {
  Impl& m = *impl_;
  if (!m.misuse.ok()) return;
  if (m.out != nullptr) {
    m.misuse = m.Error("SetMetadata(" + key + ") after tensor data started");
    return;
  }
  if (key.empty() || !internal::IsValidUtf8(key)) {
    m.misuse =
        m.Error("metadata key '" + internal::Printable(key) + "' is empty or not valid UTF-8");
    return;
  }
  if (key == "general.alignment") {
    if (value.type() != ValueType::kUint32) {
      m.misuse = m.Error("general.alignment has type " + value.TypeString() + ", expected u32");
      return;
    }
    uint64_t a = value.as_u64();
    if (a == 0 || (a & (a - 1)) != 0) {
      m.misuse = m.Error("general.alignment " + std::to_string(a) + " is not a power of two");
      return;
    }
    m.alignment = static_cast<uint32_t>(a);
  }
  auto [it, inserted] = m.metadata_index.emplace(key, m.metadata.size());
  if (inserted) {
    m.metadata.push_back({key, std::move(value)});
  } else {
    m.metadata[it->second].value = std::move(value);
  }
}

Status GgufWriter::AddTensor(const std::string& name, DType type, const std::vector<int64_t>& ne) {
  Impl& m = *impl_;
  DSINFER_RETURN_IF_ERROR(m.CheckUsable());
  const std::string what = "tensor '" + internal::Printable(name) + "'";
  if (m.out != nullptr) return m.Error("AddTensor: " + what + " declared after data started");
  if (name.empty() || name.size() > internal::kMaxTensorNameBytes || !internal::IsValidUtf8(name)) {
    return m.Error(what + ": name must be 1.." + std::to_string(internal::kMaxTensorNameBytes) +
                   " bytes of UTF-8");
  }
  if (m.tensor_index.count(name) != 0) return m.Error(what + " declared twice");
  if (ne.empty() || ne.size() > internal::kMaxDims) {
    return m.Error(what + ": needs 1..4 dimensions, got " + std::to_string(ne.size()));
  }
  std::optional<DTypeTraits> traits = LookupDType(static_cast<uint32_t>(type));
  if (!traits) {
    return m.Error(what + ": unknown type id " + std::to_string(static_cast<uint32_t>(type)));
  }
  uint64_t nbytes = 1;
  bool overflow = false;
  int64_t elements = 1;
  for (size_t d = 0; d < ne.size(); ++d) {
    if (ne[d] < 0) return m.Error(what + ": dimension " + std::to_string(d) + " is negative");
    overflow |= __builtin_mul_overflow(elements, ne[d], &elements);
    uint64_t factor = static_cast<uint64_t>(ne[d]);
    if (d == 0) {
      if (ne[0] % traits->block_size != 0) {
        return m.Error(what + ": ne0 " + std::to_string(ne[0]) +
                       " is not a multiple of the block size " +
                       std::to_string(traits->block_size) + " of " + traits->name);
      }
      factor = factor / traits->block_size * traits->type_size;
    }
    overflow |= __builtin_mul_overflow(nbytes, factor, &nbytes);
  }
  if (overflow) return m.Error(what + ": size overflows 64 bits");
  m.tensor_index.emplace(name, m.tensors.size());
  m.tensors.push_back({name, type, ne, nbytes, 0});
  return Status::Ok();
}

Status GgufWriter::BeginTensor(const std::string& name) {
  Impl& m = *impl_;
  DSINFER_RETURN_IF_ERROR(m.CheckUsable());
  if (m.in_tensor) {
    const Impl::Tensor& cur = m.tensors[m.next_tensor];
    return m.Error("BeginTensor('" + internal::Printable(name) + "') while tensor '" +
                   internal::Printable(cur.name) + "' has only " + std::to_string(m.written) +
                   " of " + std::to_string(cur.nbytes) + " bytes");
  }
  if (m.next_tensor >= m.tensors.size()) {
    return m.Error("BeginTensor('" + internal::Printable(name) + "'): all " +
                   std::to_string(m.tensors.size()) + " declared tensors are written");
  }
  const Impl::Tensor& t = m.tensors[m.next_tensor];
  if (t.name != name) {
    return m.Error("tensors must be written in declaration order: expected '" +
                   internal::Printable(t.name) + "', got '" + internal::Printable(name) + "'");
  }
  if (m.out == nullptr) DSINFER_RETURN_IF_ERROR(m.WriteHeader());
  m.in_tensor = true;
  m.written = 0;
  if (t.nbytes == 0) return m.CompleteTensor();
  return Status::Ok();
}

Status GgufWriter::AppendTensorData(const void* data, uint64_t nbytes) {
  Impl& m = *impl_;
  DSINFER_RETURN_IF_ERROR(m.CheckUsable());
  if (!m.in_tensor) return m.Error("AppendTensorData without BeginTensor");
  const Impl::Tensor& t = m.tensors[m.next_tensor];
  if (nbytes > t.nbytes - m.written) {
    return m.Error("tensor '" + internal::Printable(t.name) + "' is " + std::to_string(t.nbytes) +
                   " bytes; " + std::to_string(m.written) + " written, " + std::to_string(nbytes) +
                   " more is too many");
  }
  DSINFER_RETURN_IF_ERROR(m.Track(m.out->Write(data, nbytes)));
  m.written += nbytes;
  if (m.written == t.nbytes) return m.CompleteTensor();
  return Status::Ok();
}

Status GgufWriter::WriteTensorData(const std::string& name, const void* data, uint64_t nbytes) {
  Impl& m = *impl_;
  DSINFER_RETURN_IF_ERROR(m.CheckUsable());
  auto it = m.tensor_index.find(name);
  if (it == m.tensor_index.end()) {
    return m.Error("WriteTensorData: tensor '" + internal::Printable(name) + "' not declared");
  }
  const Impl::Tensor& t = m.tensors[it->second];
  if (nbytes != t.nbytes) {
    return m.Error("tensor '" + internal::Printable(name) + "' is " + std::to_string(t.nbytes) +
                   " bytes, got " + std::to_string(nbytes));
  }
  DSINFER_RETURN_IF_ERROR(BeginTensor(name));
  if (nbytes == 0) return Status::Ok();
  return AppendTensorData(data, nbytes);
}

Status GgufWriter::Finish() {
  Impl& m = *impl_;
  DSINFER_RETURN_IF_ERROR(m.CheckUsable());
  if (m.next_tensor < m.tensors.size()) {
    const Impl::Tensor& t = m.tensors[m.next_tensor];
    return m.Error("Finish() before tensor '" + internal::Printable(t.name) + "' (" +
                   std::to_string(m.next_tensor + 1) + " of " + std::to_string(m.tensors.size()) +
                   ") was written in full");
  }
  if (m.out == nullptr) DSINFER_RETURN_IF_ERROR(m.WriteHeader());
  DSINFER_RETURN_IF_ERROR(m.Track(m.out->Commit()));
  m.finished = true;
  return Status::Ok();
}

}  // namespace dsinfer::gguf
