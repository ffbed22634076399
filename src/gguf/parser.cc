#include "gguf/parser.h"

#include <bit>
#include <cstring>
#include <unordered_set>

namespace dsinfer::gguf::internal {

static_assert(std::endian::native == std::endian::little, "GGUF parsing assumes little-endian");

namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32

// Lower bounds on the bytes one item occupies, used to reject counts before allocating.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // key length, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // name length, n_dims, type, offset

// Bytes a value of scalar type `t` occupies, or the minimum for str (its length) and arr
// (element type and count).
uint64_t MinValueBytes(ValueType t) {
  switch (t) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUint16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64:
    case ValueType::kString:
      return 8;
    case ValueType::kArray:
      return 4 + 8;
  }
  return 1;
}

std::string Quoted(std::string_view s) { return "'" + Printable(s) + "'"; }

// Parses one split. Holds a read position and a description of what is being read (`where_`)
// for error messages.
class SplitParser {
 public:
  SplitParser(const std::string& path, const uint8_t* data, uint64_t size)
      : path_(path), data_(data), size_(size) {}

  Expected<ParsedSplit> Parse();

 private:
  Status Error(const std::string& problem) const { return DataLoss(path_ + ": " + problem); }
  // Error unless `n` bytes remain at the read position.
  Status Need(uint64_t n) const;
  template <typename T>
  Status Read(T* out);
  Status ReadString(std::string* out);
  Status ReadValue(ValueType type, int nesting, GgufValue* out);
  Status ReadHeader(int64_t* n_tensors, int64_t* n_kv);
  Status ReadMetadata(int64_t n_kv);
  Status ReadAlignment();
  Status ReadTensorInfo(int64_t index);
  Status CheckTensorData();

  const std::string& path_;
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string where_ = "header";
  uint64_t values_read_ = 0;  // array elements so far, bounded by kMaxMetadataValues
  ParsedSplit out_;
  std::unordered_set<std::string> tensor_names_;
};

Status SplitParser::Need(uint64_t n) const {
  if (n <= size_ - pos_) return Status::Ok();
  return Error("truncated: " + where_ + " needs " + std::to_string(n) + " bytes at offset " +
               std::to_string(pos_) + " but the file has " + std::to_string(size_));
}

template <typename T>
Status SplitParser::Read(T* out) {
  DSINFER_RETURN_IF_ERROR(Need(sizeof(T)));
  std::memcpy(out, data_ + pos_, sizeof(T));
  pos_ += sizeof(T);
  return Status::Ok();
}

Status SplitParser::ReadString(std::string* out) {
  uint64_t len = 0;
  DSINFER_RETURN_IF_ERROR(Read(&len));
  if (len > size_ - pos_) {
    return Error("truncated: " + where_ + ": string length " + std::to_string(len) +
                 " needs that many bytes at offset " + std::to_string(pos_) + " but the file has " +
                 std::to_string(size_));
  }
  out->assign(reinterpret_cast<const char*>(data_ + pos_), len);
  pos_ += len;
  return Status::Ok();
}

Status SplitParser::ReadValue(ValueType type, int nesting, GgufValue* out) {
  switch (type) {
    case ValueType::kUint8: {
      uint8_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::U8(v);
      return Status::Ok();
    }
    case ValueType::kInt8: {
      int8_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::I8(v);
      return Status::Ok();
    }
    case ValueType::kUint16: {
      uint16_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::U16(v);
      return Status::Ok();
    }
    case ValueType::kInt16: {
      int16_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::I16(v);
      return Status::Ok();
    }
    case ValueType::kUint32: {
      uint32_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::U32(v);
      return Status::Ok();
    }
    case ValueType::kInt32: {
      int32_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::I32(v);
      return Status::Ok();
    }
    case ValueType::kFloat32: {
      float v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::F32(v);
      return Status::Ok();
    }
    case ValueType::kBool: {
      uint8_t v;  // llama.cpp accepts any byte; non-zero is true
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::Bool(v != 0);
      return Status::Ok();
    }
    case ValueType::kString: {
      std::string s;
      DSINFER_RETURN_IF_ERROR(ReadString(&s));
      *out = GgufValue::Str(std::move(s));
      return Status::Ok();
    }
    case ValueType::kUint64: {
      uint64_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::U64(v);
      return Status::Ok();
    }
    case ValueType::kInt64: {
      int64_t v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::I64(v);
      return Status::Ok();
    }
    case ValueType::kFloat64: {
      double v;
      DSINFER_RETURN_IF_ERROR(Read(&v));
      *out = GgufValue::F64(v);
      return Status::Ok();
    }
    case ValueType::kArray:
      break;
  }
  if (nesting >= kMaxArrayNesting) {
    return Error(where_ + ": arrays nested deeper than " + std::to_string(kMaxArrayNesting) +
                 " levels");
  }
  uint32_t elem_id = 0;
  DSINFER_RETURN_IF_ERROR(Read(&elem_id));
  std::optional<ValueType> elem_type = ValueTypeFromId(elem_id);
  if (!elem_type) {
    return Error(where_ + ": unknown array element type " + std::to_string(elem_id) +
                 " (known: 0..12)");
  }
  uint64_t count = 0;
  DSINFER_RETURN_IF_ERROR(Read(&count));
  uint64_t min_bytes = 0;
  if (__builtin_mul_overflow(count, MinValueBytes(*elem_type), &min_bytes) ||
      min_bytes > size_ - pos_) {
    return Error(where_ + ": array length " + std::to_string(count) + " of " +
                 ValueTypeName(*elem_type) + " cannot fit in the " + std::to_string(size_ - pos_) +
                 " bytes left at offset " + std::to_string(pos_) + " (truncated or corrupt file)");
  }
  if (count > kMaxMetadataValues - values_read_) {
    return ResourceExhausted(path_ + ": " + where_ + ": array length " + std::to_string(count) +
                             " exceeds the limit of " + std::to_string(kMaxMetadataValues) +
                             " metadata values per file");
  }
  values_read_ += count;
  std::vector<GgufValue> elems(count);
  for (uint64_t i = 0; i < count; ++i) {
    DSINFER_RETURN_IF_ERROR(ReadValue(*elem_type, nesting + 1, &elems[i]));
  }
  *out = GgufValue::Array(*elem_type, std::move(elems));
  return Status::Ok();
}

Status SplitParser::ReadHeader(int64_t* n_tensors, int64_t* n_kv) {
  where_ = "header";
  uint32_t magic = 0;
  DSINFER_RETURN_IF_ERROR(Read(&magic));
  if (magic != kGgufMagic) {
    std::string found = Printable(std::string_view(reinterpret_cast<const char*>(data_), 4));
    return Error("bad magic '" + found + "': not a GGUF file (expected 'GGUF')");
  }
  uint32_t version = 0;
  DSINFER_RETURN_IF_ERROR(Read(&version));
  if (version == 1) {
    return Unimplemented(path_ + ": GGUF v1 is not supported (llama.cpp dropped it too); " +
                         "convert the model again");
  }
  if (version != 0 && (version & 0xFFFF) == 0) {
    return Unimplemented(path_ + ": big-endian GGUF (version " +
                         std::to_string(__builtin_bswap32(version)) +
                         " stored byte-swapped) is not supported");
  }
  if (version != 2 && version != 3) {
    return Unimplemented(path_ + ": unsupported GGUF version " + std::to_string(version) +
                         " (supported: 2, 3)");
  }
  out_.version = version;
  DSINFER_RETURN_IF_ERROR(Read(n_tensors));
  DSINFER_RETURN_IF_ERROR(Read(n_kv));
  uint64_t left = size_ - pos_;
  uint64_t need = 0;
  if (*n_kv < 0 || __builtin_mul_overflow(static_cast<uint64_t>(*n_kv), kMinKvBytes, &need) ||
      need > left) {
    return Error("metadata count " + std::to_string(*n_kv) + " cannot fit in the " +
                 std::to_string(left) + " bytes left after the header (truncated or corrupt file)");
  }
  if (*n_tensors < 0 ||
      __builtin_mul_overflow(static_cast<uint64_t>(*n_tensors), kMinTensorInfoBytes, &need) ||
      need > left) {
    return Error("tensor count " + std::to_string(*n_tensors) + " cannot fit in the " +
                 std::to_string(left) + " bytes left after the header (truncated or corrupt file)");
  }
  return Status::Ok();
}

Status SplitParser::ReadMetadata(int64_t n_kv) {
  out_.metadata.reserve(static_cast<size_t>(n_kv));
  for (int64_t i = 0; i < n_kv; ++i) {
    const std::string index = std::to_string(i);
    where_ = "metadata " + index + " key";
    MetadataEntry entry;
    DSINFER_RETURN_IF_ERROR(ReadString(&entry.key));
    if (entry.key.empty()) return Error("metadata " + index + ": empty key");
    if (!IsValidUtf8(entry.key)) {
      return Error("metadata " + index + ": key " + Quoted(entry.key) + " is not valid UTF-8");
    }
    auto [it, inserted] = out_.metadata_index.emplace(entry.key, out_.metadata.size());
    if (!inserted) {
      return Error("duplicate key " + Quoted(entry.key) + " (metadata " +
                   std::to_string(it->second) + " and " + index + ")");
    }
    where_ = "metadata " + index + " (" + Printable(entry.key) + ")";
    uint32_t type_id = 0;
    DSINFER_RETURN_IF_ERROR(Read(&type_id));
    std::optional<ValueType> type = ValueTypeFromId(type_id);
    if (!type) {
      return Error(where_ + ": unknown value type " + std::to_string(type_id) + " (known: 0..12)");
    }
    DSINFER_RETURN_IF_ERROR(ReadValue(*type, 0, &entry.value));
    out_.metadata.push_back(std::move(entry));
  }
  return Status::Ok();
}

Status SplitParser::ReadAlignment() {
  auto it = out_.metadata_index.find("general.alignment");
  if (it == out_.metadata_index.end()) return Status::Ok();
  const GgufValue& v = out_.metadata[it->second].value;
  if (v.type() != ValueType::kUint32) {
    return Error("key general.alignment has type " + v.TypeString() + ", expected u32");
  }
  uint64_t a = v.as_u64();
  if (a == 0 || (a & (a - 1)) != 0) {
    return Error("general.alignment " + std::to_string(a) + " is not a power of two");
  }
  out_.alignment = static_cast<uint32_t>(a);
  return Status::Ok();
}

Status SplitParser::ReadTensorInfo(int64_t index) {
  const std::string id = "tensor info " + std::to_string(index);
  where_ = id;
  ParsedTensor t;
  DSINFER_RETURN_IF_ERROR(ReadString(&t.name));
  where_ = id + " (" + Printable(t.name) + ")";
  if (t.name.size() > kMaxTensorNameBytes) {
    return Error(where_ + ": name is " + std::to_string(t.name.size()) + " bytes, the limit is " +
                 std::to_string(kMaxTensorNameBytes));
  }
  if (!IsValidUtf8(t.name)) return Error(where_ + ": name is not valid UTF-8");
  if (!tensor_names_.insert(t.name).second) {
    return Error(where_ + ": duplicate tensor name " + Quoted(t.name));
  }
  DSINFER_RETURN_IF_ERROR(Read(&t.n_dims));
  if (t.n_dims > kMaxDims) {
    return Error(where_ + ": n_dims " + std::to_string(t.n_dims) + " > " +
                 std::to_string(kMaxDims));
  }
  int64_t n_elements = 1;
  bool elements_overflow = false;
  for (uint32_t d = 0; d < t.n_dims; ++d) {
    DSINFER_RETURN_IF_ERROR(Read(&t.ne[d]));
    if (t.ne[d] < 0) {
      return Error(where_ + ": dimension " + std::to_string(d) + " is negative (" +
                   std::to_string(t.ne[d]) + ")");
    }
    elements_overflow |= __builtin_mul_overflow(n_elements, t.ne[d], &n_elements);
  }
  if (elements_overflow) {
    return Error(where_ + ": element count of shape " + ShapeText(t.n_dims, t.ne) +
                 " overflows int64");
  }
  uint32_t type_id = 0;
  DSINFER_RETURN_IF_ERROR(Read(&type_id));
  std::optional<DTypeTraits> traits = LookupDType(type_id);
  if (!traits) {
    return Error(where_ + ": unknown tensor type id " + std::to_string(type_id));
  }
  t.type = traits->type;
  if (t.ne[0] % traits->block_size != 0) {
    return Error(where_ + ": ne0 " + std::to_string(t.ne[0]) +
                 " is not a multiple of the block size " + std::to_string(traits->block_size) +
                 " of " + traits->name);
  }
  uint64_t nbytes = 0;
  bool bytes_overflow = __builtin_mul_overflow(static_cast<uint64_t>(t.ne[0]) / traits->block_size,
                                               traits->type_size, &nbytes);
  for (int d = 1; d < 4; ++d) {
    bytes_overflow |= __builtin_mul_overflow(nbytes, static_cast<uint64_t>(t.ne[d]), &nbytes);
  }
  if (bytes_overflow) return Error(where_ + ": byte size overflows 64 bits");
  t.nbytes = nbytes;
  DSINFER_RETURN_IF_ERROR(Read(&t.offset));
  out_.tensors.push_back(std::move(t));
  return Status::Ok();
}

Status SplitParser::CheckTensorData() {
  const uint64_t align = out_.alignment;
  uint64_t expected_offset = 0;  // llama.cpp: sum of the padded sizes of the tensors before
  for (size_t i = 0; i < out_.tensors.size(); ++i) {
    const ParsedTensor& t = out_.tensors[i];
    const std::string what = "tensor " + std::to_string(i) + " (" + Printable(t.name) + ")";
    if (t.offset % align != 0) {
      return Error(what + ": data offset " + std::to_string(t.offset) +
                   " is not aligned to general.alignment " + std::to_string(align));
    }
    uint64_t begin = 0;
    uint64_t end = 0;
    const bool begin_overflows = __builtin_add_overflow(out_.data_start, t.offset, &begin);
    if (begin_overflows || __builtin_add_overflow(begin, t.nbytes, &end) || end > size_) {
      const std::string at = begin_overflows
                                 ? std::to_string(out_.data_start) + "+" + std::to_string(t.offset)
                                 : std::to_string(begin);
      return Error("truncated: " + what + " data needs " + std::to_string(t.nbytes) +
                   " bytes at offset " + at + " but the file has " + std::to_string(size_));
    }
    if (i > 0) {
      const ParsedTensor& prev = out_.tensors[i - 1];
      if (t.offset < prev.offset + prev.nbytes) {  // cannot overflow: prev passed the check
        return Error(what + ": data at offset " + std::to_string(t.offset) + " overlaps tensor " +
                     std::to_string(i - 1) + " (" + Printable(prev.name) + ") at offset " +
                     std::to_string(prev.offset) + " with " + std::to_string(prev.nbytes) +
                     " bytes");
      }
    }
    if (t.offset != expected_offset) {
      return Error(what + ": data offset " + std::to_string(t.offset) + ", expected " +
                   std::to_string(expected_offset) +
                   " (tensors must be contiguous in declaration order, each padded to the "
                   "alignment, as llama.cpp requires)");
    }
    // Cannot overflow: offset + nbytes <= file size (checked above), align <= 2^31.
    expected_offset += (t.nbytes + align - 1) / align * align;
  }
  return Status::Ok();
}

Expected<ParsedSplit> SplitParser::Parse() {
  int64_t n_tensors = 0;
  int64_t n_kv = 0;
  DSINFER_RETURN_IF_ERROR(ReadHeader(&n_tensors, &n_kv));
  DSINFER_RETURN_IF_ERROR(ReadMetadata(n_kv));
  DSINFER_RETURN_IF_ERROR(ReadAlignment());
  out_.tensors.reserve(static_cast<size_t>(n_tensors));
  for (int64_t i = 0; i < n_tensors; ++i) DSINFER_RETURN_IF_ERROR(ReadTensorInfo(i));
  // llama.cpp pads to the alignment only when there are tensors.
  out_.data_start = pos_;
  if (n_tensors > 0)
    out_.data_start = (pos_ + out_.alignment - 1) / out_.alignment * out_.alignment;
  DSINFER_RETURN_IF_ERROR(CheckTensorData());
  return std::move(out_);
}

}  // namespace

Expected<ParsedSplit> ParseSplit(const std::string& path, const uint8_t* data, uint64_t size) {
  return SplitParser(path, data, size).Parse();
}

std::string ShapeText(uint32_t n_dims, const int64_t* ne) {
  std::string out = "[";
  for (uint32_t d = 0; d < n_dims && d < kMaxDims; ++d) {
    if (d > 0) out += ", ";
    out += std::to_string(ne[d]);
  }
  return out + "]";
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr uint32_t kMinForLen[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string Printable(std::string_view s, size_t max_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      // Keep a valid multi-byte sequence as it is.
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len != 0 && i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
  }
  return out;
}

}  // namespace dsinfer::gguf::internal
