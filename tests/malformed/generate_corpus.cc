// Writes the malformed GGUF corpus (tests/malformed/*.gguf + expected.tsv) or the fuzzer's seed
// corpus (fuzz/corpus/gguf). See tests/malformed/README.md.
//
//   dsinfer_gguf_corpus_gen tests/malformed
//   dsinfer_gguf_corpus_gen --fuzz-seeds fuzz/corpus/gguf
//
// Each malformed file starts from a small valid model and breaks exactly one thing.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gguf/test_bytes.h"
#include "gguf/writer.h"
#include "tensor/dtype.h"

namespace {

using dsinfer::DType;
using dsinfer::gguf::GgufValue;
using dsinfer::gguf::GgufWriter;
using dsinfer::gguf::ValueType;
using dsinfer::gguf::testing::GgufBytes;
namespace t = dsinfer::gguf::testing;

constexpr uint32_t kF32 = 0;
constexpr uint32_t kF64 = 28;
constexpr uint32_t kQ8_0 = 8;
constexpr uint64_t kAlign = 32;

// One serialized KV pair.
std::string Kv(const GgufBytes& b) { return b.bytes(); }
std::string KvStr(const std::string& k, const std::string& v) {
  return GgufBytes().KvStr(k, v).bytes();
}
std::string KvU32(const std::string& k, uint32_t v) { return GgufBytes().KvU32(k, v).bytes(); }
std::string KvU16(const std::string& k, uint16_t v) { return GgufBytes().KvU16(k, v).bytes(); }
std::string KvI32(const std::string& k, int32_t v) { return GgufBytes().KvI32(k, v).bytes(); }

struct Tensor {
  Tensor(std::string name, std::vector<int64_t> ne, uint32_t type,
         std::optional<uint64_t> offset = std::nullopt)
      : name(std::move(name)), ne(std::move(ne)), type(type), offset(offset) {}
  std::string name;
  std::vector<int64_t> ne;
  uint32_t type;
  std::optional<uint64_t> offset;  // default: the contiguous offset llama.cpp expects
};

// Data bytes of a well-formed tensor; 0 when the shape or type is broken on purpose.
uint64_t DataBytes(const Tensor& x) {
  auto traits = dsinfer::LookupDType(x.type);
  if (!traits || x.ne.empty() || x.ne.size() > 4) return 0;
  uint64_t n = 1;
  for (int64_t d : x.ne) {
    if (d < 0 || d > 4096) return 0;
    n *= static_cast<uint64_t>(d);
  }
  if (x.ne[0] % traits->block_size != 0) return 0;
  return n / traits->block_size * traits->type_size;
}

uint64_t Padded(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// A complete file: header, `kvs`, tensor infos, padding and tensor data.
std::string Model(const std::vector<std::string>& kvs, const std::vector<Tensor>& tensors,
                  uint32_t version = 3) {
  GgufBytes b;
  b.Header(version, static_cast<int64_t>(tensors.size()), static_cast<int64_t>(kvs.size()));
  for (const std::string& kv : kvs) b.Raw(kv);
  uint64_t offset = 0;
  uint64_t data_end = 0;
  for (const Tensor& x : tensors) {
    uint64_t at = x.offset.value_or(offset);
    b.TensorInfo(x.name, x.ne, x.type, at);
    offset += Padded(DataBytes(x));
    if (at < (1 << 16)) data_end = std::max(data_end, at + DataBytes(x));
  }
  b.PadTo(kAlign);
  b.Fill(std::max(offset, Padded(data_end)), static_cast<uint8_t>(tensors.size()));
  return b.bytes();
}

std::vector<std::string> BaseKvs() {
  return {KvStr("general.architecture", "llama"), KvStr("general.name", "tiny"),
          KvU32("general.alignment", 32)};
}

std::vector<Tensor> BaseTensors() {
  return {{"a.weight", {8}, kF32}, {"b.weight", {32, 2}, kQ8_0}};
}

std::string Base() { return Model(BaseKvs(), BaseTensors()); }

// Byte offset where the tensor infos start in Base().
size_t TensorInfosStart() {
  GgufBytes b;
  b.Header(3, 2, 3);
  for (const std::string& kv : BaseKvs()) b.Raw(kv);
  return b.size();
}

struct Case {
  std::string file;
  std::string bytes;
  std::string expected;  // substring of the error
};

std::string Replace(std::string s, size_t at, const std::string& with) {
  s.replace(at, with.size(), with);
  return s;
}

std::string PutI64(int64_t v) { return GgufBytes().I64(v).bytes(); }

// `depth` nested array headers around one u8.
std::string NestedArrayKv(int depth) {
  GgufBytes b;
  b.Key("nested", t::kTypeArr);
  for (int i = 1; i < depth; ++i) b.U32(t::kTypeArr).U64(1);
  b.U32(t::kTypeU8).U64(1).U8(7);
  return b.bytes();
}

std::vector<Case> SingleFileCases() {
  std::vector<Case> c;
  const std::string base = Base();
  const size_t infos = TensorInfosStart();
  c.push_back({"bad_magic.gguf", Replace(base, 0, "GGML"), "bad magic"});
  c.push_back({"version_1.gguf", Model(BaseKvs(), BaseTensors(), 1), "GGUF v1 is not supported"});
  c.push_back({"version_4.gguf", Model(BaseKvs(), BaseTensors(), 4), "unsupported GGUF version 4"});
  c.push_back({"big_endian.gguf", Model(BaseKvs(), BaseTensors(), 0x03000000), "big-endian"});
  c.push_back({"empty.gguf", "", "truncated: header"});
  c.push_back({"truncated_header.gguf", base.substr(0, 12), "truncated: header"});
  c.push_back({"truncated_metadata.gguf", base.substr(0, infos - 2),
               "truncated: metadata 2 (general.alignment) needs 4 bytes"});
  c.push_back(
      {"truncated_tensor_info.gguf", base.substr(0, infos + 50), "truncated: tensor info 1"});
  c.push_back({"truncated_tensor_data.gguf", base.substr(0, base.size() - 40),
               "truncated: tensor 1 (b.weight) data"});
  c.push_back({"tensor_count_huge.gguf",
               Replace(base, 8, PutI64(std::numeric_limits<int64_t>::max())),
               "tensor count 9223372036854775807"});
  c.push_back({"metadata_count_negative.gguf", Replace(base, 16, PutI64(-1)), "metadata count -1"});
  c.push_back({"key_empty.gguf", Model({KvStr("", "x")}, BaseTensors()), "empty key"});
  c.push_back({"key_duplicate.gguf",
               Model({KvStr("general.name", "a"), KvStr("general.name", "b")}, BaseTensors()),
               "duplicate key 'general.name'"});
  c.push_back({"key_invalid_utf8.gguf", Model({KvStr("general.\xff", "x")}, BaseTensors()),
               "is not valid UTF-8"});
  c.push_back({"value_type_unknown.gguf",
               Model({Kv(GgufBytes().Key("general.x", 13).U32(0))}, BaseTensors()),
               "unknown value type 13"});
  c.push_back({"array_length_huge.gguf",
               Model({Kv(GgufBytes().Key("tokens", t::kTypeArr).U32(t::kTypeU32).U64(1ull << 61))},
                     BaseTensors()),
               "array length 2305843009213693952"});
  c.push_back(
      {"string_length_huge.gguf",
       Model({Kv(GgufBytes().Key("general.name", t::kTypeStr).U64(1ull << 63))}, BaseTensors()),
       "string length 9223372036854775808"});
  c.push_back({"array_nesting_deep.gguf", Model({NestedArrayKv(9)}, BaseTensors()),
               "nested deeper than 8"});
  c.push_back({"alignment_not_power_of_two.gguf",
               Model({KvU32("general.alignment", 48)}, BaseTensors()),
               "general.alignment 48 is not a power of two"});
  c.push_back({"alignment_wrong_type.gguf", Model({KvI32("general.alignment", 32)}, BaseTensors()),
               "general.alignment has type i32, expected u32"});
  c.push_back({"tensor_name_too_long.gguf", Model(BaseKvs(), {{std::string(64, 'n'), {8}, kF32}}),
               "name is 64 bytes"});
  c.push_back({"tensor_name_invalid_utf8.gguf", Model(BaseKvs(), {{"a\xc0\xaf.weight", {8}, kF32}}),
               "name is not valid UTF-8"});
  c.push_back({"tensor_name_duplicate.gguf",
               Model(BaseKvs(), {{"a.weight", {8}, kF32}, {"a.weight", {8}, kF32}}),
               "duplicate tensor name 'a.weight'"});
  c.push_back({"tensor_n_dims_5.gguf", Model(BaseKvs(), {{"a.weight", {8, 1, 1, 1, 1}, kF32}}),
               "n_dims 5 > 4"});
  c.push_back({"tensor_dim_negative.gguf", Model(BaseKvs(), {{"a.weight", {8, -2}, kF32}}),
               "dimension 1 is negative"});
  c.push_back({"tensor_elements_overflow.gguf",
               Model(BaseKvs(), {{"a.weight", {1ll << 32, 1ll << 32}, kF32}}), "overflows int64"});
  c.push_back({"tensor_bytes_overflow.gguf", Model(BaseKvs(), {{"a.weight", {1ll << 61}, kF64}}),
               "byte size overflows"});
  c.push_back({"tensor_type_unknown.gguf", Model(BaseKvs(), {{"a.weight", {8}, 200}}),
               "tensor info 0 (a.weight): unknown tensor type id 200"});
  c.push_back({"tensor_ne0_not_block_multiple.gguf",
               Model(BaseKvs(), {{"b.weight", {33, 2}, kQ8_0}}),
               "ne0 33 is not a multiple of the block size 32 of Q8_0"});
  c.push_back({"tensor_offset_misaligned.gguf",
               Model(BaseKvs(), {{"a.weight", {8}, kF32}, {"b.weight", {32, 2}, kQ8_0, 33}}),
               "not aligned"});
  c.push_back({"tensor_data_overlap.gguf",
               Model(BaseKvs(), {{"a.weight", {8}, kF32}, {"b.weight", {32, 2}, kQ8_0, 0}}),
               "overlaps tensor 0 (a.weight)"});
  c.push_back({"tensor_offset_gap.gguf",
               Model(BaseKvs(), {{"a.weight", {8}, kF32}, {"b.weight", {32, 2}, kQ8_0, 64}}),
               "data offset 64, expected 32"});
  c.push_back({"tensor_offset_past_end.gguf",
               Model(BaseKvs(), {{"a.weight", {8}, kF32},
                                 {"b.weight", {32, 2}, kQ8_0, ~uint64_t{0} - kAlign + 1}}),
               "truncated: tensor 1 (b.weight) data"});
  return c;
}

// The KV pairs of part `no` (0-based) of a split model.
std::vector<std::string> SplitKvs(uint16_t no, uint16_t count, int32_t total) {
  std::vector<std::string> kvs;
  if (no == 0) kvs = BaseKvs();
  kvs.push_back(KvU16("split.no", no));
  kvs.push_back(KvU16("split.count", count));
  kvs.push_back(KvI32("split.tensors.count", total));
  return kvs;
}

std::vector<Case> SplitCases() {
  std::vector<Case> c;
  const std::vector<Tensor> part1 = {{"a.weight", {8}, kF32}, {"b.weight", {32, 2}, kQ8_0}};
  const std::vector<Tensor> part2 = {{"c.weight", {8}, kF32}, {"d.weight", {4}, kF32}};
  // Part 3 of 3 is missing.
  c.push_back({"split_missing-00001-of-00003.gguf", Model(SplitKvs(0, 3, 6), part1),
               "split part 3 of 3 is missing"});
  c.push_back({"split_missing-00002-of-00003.gguf", Model(SplitKvs(1, 3, 6), part2),
               "this is split part 2 of 3"});
  // Part 2 claims a different split.count.
  c.push_back({"split_count_mismatch-00001-of-00002.gguf", Model(SplitKvs(0, 2, 4), part1),
               "split.count is 3 but the first part says 2"});
  c.push_back({"split_count_mismatch-00002-of-00002.gguf", Model(SplitKvs(1, 3, 4), part2),
               "this is split part 2 of 3"});
  // Part 2 claims to be part 1.
  c.push_back({"split_no_mismatch-00001-of-00002.gguf", Model(SplitKvs(0, 2, 4), part1),
               "split.no is 0, expected 1"});
  c.push_back({"split_no_mismatch-00002-of-00002.gguf", Model(SplitKvs(0, 2, 4), part2),
               "does not end in -00001-of-00002.gguf"});
  // split.tensors.count disagrees with the tensors found.
  c.push_back({"split_tensor_count-00001-of-00002.gguf", Model(SplitKvs(0, 2, 5), part1),
               "split.tensors.count is 5 but the 2 parts hold 4 tensors"});
  c.push_back({"split_tensor_count-00002-of-00002.gguf", Model(SplitKvs(1, 2, 5), part2),
               "this is split part 2 of 2"});
  // The same tensor name in two parts.
  c.push_back({"split_duplicate_tensor-00001-of-00002.gguf", Model(SplitKvs(0, 2, 4), part1),
               "duplicate tensor name 'b.weight' in split parts 1 and 2"});
  c.push_back({"split_duplicate_tensor-00002-of-00002.gguf",
               Model(SplitKvs(1, 2, 4), {{"b.weight", {8}, kF32}, {"d.weight", {4}, kF32}}),
               "this is split part 2 of 2"});
  // split.count stored with the wrong type.
  c.push_back({"split_count_wrong_type.gguf",
               Model({KvU32("split.count", 2), KvU16("split.no", 0)}, part1),
               "key split.count has type u32, expected u16"});
  return c;
}

bool Write(const std::filesystem::path& dir, const std::string& name, const std::string& bytes) {
  GgufBytes b;
  b.Raw(bytes);
  if (!b.WriteTo((dir / name).string())) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    return false;
  }
  return true;
}

void RemoveOldGgufFiles(const std::filesystem::path& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".gguf") std::filesystem::remove(e.path());
  }
}

int WriteCorpus(const std::filesystem::path& dir) {
  RemoveOldGgufFiles(dir);
  std::vector<Case> cases = SingleFileCases();
  for (Case& c : SplitCases()) cases.push_back(std::move(c));
  std::ofstream tsv(dir / "expected.tsv");
  for (const Case& c : cases) {
    if (!Write(dir, c.file, c.bytes)) return 1;
    tsv << c.file << '\t' << c.expected << '\n';
  }
  std::printf("wrote %zu files and expected.tsv to %s\n", cases.size(), dir.c_str());
  return tsv.good() ? 0 : 1;
}

// A valid model that uses every value type, nested arrays and several tensor types.
dsinfer::Status WriteValidSeed(const std::string& path, uint32_t alignment) {
  GgufWriter w(path);
  w.SetMetadata("general.architecture", GgufValue::Str("llama"));
  w.SetMetadata("general.alignment", GgufValue::U32(alignment));
  w.SetMetadata("u8", GgufValue::U8(1));
  w.SetMetadata("i8", GgufValue::I8(-1));
  w.SetMetadata("u16", GgufValue::U16(2));
  w.SetMetadata("i16", GgufValue::I16(-2));
  w.SetMetadata("u32", GgufValue::U32(3));
  w.SetMetadata("i32", GgufValue::I32(-3));
  w.SetMetadata("f32", GgufValue::F32(0.5f));
  w.SetMetadata("bool", GgufValue::Bool(true));
  w.SetMetadata("u64", GgufValue::U64(4));
  w.SetMetadata("i64", GgufValue::I64(-4));
  w.SetMetadata("f64", GgufValue::F64(0.25));
  w.SetMetadata("split.count", GgufValue::U16(1));
  w.SetMetadata("tokens", GgufValue::StrArray({"<s>", "a", "b"}));
  w.SetMetadata("nested", GgufValue::Array(ValueType::kArray, {GgufValue::I32Array({1, 2}),
                                                               GgufValue::I32Array({3})}));
  DSINFER_RETURN_IF_ERROR(w.AddTensor("a.weight", DType::kF32, {4, 2}));
  DSINFER_RETURN_IF_ERROR(w.AddTensor("b.weight", DType::kQ8_0, {32}));
  DSINFER_RETURN_IF_ERROR(w.AddTensor("c.weight", DType::kQ4_K, {256}));
  std::vector<uint8_t> data(256, 0x3c);
  DSINFER_RETURN_IF_ERROR(w.WriteTensorData("a.weight", data.data(), 32));
  DSINFER_RETURN_IF_ERROR(w.WriteTensorData("b.weight", data.data(), 34));
  DSINFER_RETURN_IF_ERROR(w.WriteTensorData("c.weight", data.data(), 144));
  return w.Finish();
}

int WriteFuzzSeeds(const std::filesystem::path& dir) {
  RemoveOldGgufFiles(dir);
  for (uint32_t alignment : {32u, 64u}) {
    auto path = dir / ("valid_align" + std::to_string(alignment) + ".gguf");
    dsinfer::Status s = WriteValidSeed(path.string(), alignment);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;
    }
  }
  if (!Write(dir, "valid_v2.gguf", Model(BaseKvs(), BaseTensors(), 2))) return 1;
  if (!Write(dir, "valid_no_tensors.gguf", Model(BaseKvs(), {}))) return 1;
  for (const Case& c : SingleFileCases()) {
    if (c.file == "array_nesting_deep.gguf" || c.file == "tensor_offset_gap.gguf" ||
        c.file == "truncated_tensor_info.gguf" || c.file == "tensor_data_overlap.gguf") {
      if (!Write(dir, c.file, c.bytes)) return 1;
    }
  }
  std::printf("wrote fuzz seeds to %s\n", dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]).rfind("--", 0) != 0) return WriteCorpus(argv[1]);
  if (argc == 3 && std::string(argv[1]) == "--fuzz-seeds") return WriteFuzzSeeds(argv[2]);
  std::fprintf(stderr, "usage: %s CORPUS_DIR | --fuzz-seeds SEED_DIR\n", argv[0]);
  return 2;
}
