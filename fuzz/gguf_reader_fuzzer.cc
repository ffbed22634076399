// libFuzzer target for the GGUF reader: any input must either open or fail with a one-line
// error that names the file; an opened file must be internally consistent. Built only with
// -DDSINFER_FUZZ=ON (clang); run with fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gguf/reader.h"

namespace {

constexpr const char* kName = "fuzz.gguf";

// Written with what CheckOpened read, so the reads are not optimized away.
volatile size_t g_sink = 0;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

void CheckOpened(const dsinfer::gguf::GgufFile& f) {
  size_t chars = 0;
  for (const auto& e : f.metadata()) {
    chars += e.value.ToString().size() + e.value.TypeString().size();
    if (f.Find(e.key) != &e.value) Fail("Find", e.key);
  }
  (void)f.GetU32Or("general.alignment", 32);
  (void)f.GetStringOr("general.architecture", "");
  uint8_t sum = 0;
  for (const auto& t : f.tensors()) {
    chars += t.ShapeString().size();
    if (t.n_dims > 4) Fail("n_dims", t.name);
    if (t.file_offset % f.alignment() != 0 && t.split == 0) Fail("alignment", t.name);
    if (t.file_offset + t.nbytes > f.file_bytes()) Fail("bounds", t.name);
    if (f.FindTensor(t.name) != &t) Fail("FindTensor", t.name);
    if (t.nbytes > 0) sum += t.data[0] ^ t.data[t.nbytes - 1];  // ASan checks both ends
  }
  g_sink = chars + sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = dsinfer::gguf::GgufFile::OpenFromMemory(
      kName, std::string_view(reinterpret_cast<const char*>(data), size));
  if (f.ok()) {
    CheckOpened(*f);
    return 0;
  }
  const std::string& message = f.status().message();
  if (message.find('\n') != std::string::npos) Fail("error has a newline", message);
  if (message.rfind(std::string(kName) + ": ", 0) != 0)
    Fail("error does not name the file", message);
  return 0;
}
