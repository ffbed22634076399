// Runs the real dsinfer binary: `dsinfer inspect --json` must report, for every golden model,
// the tensor names, types and shapes that llama.cpp recorded in the model's manifest.json.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "testing/golden.h"

namespace {

std::string RunCapture(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  int status = ::pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

TEST(InspectGoldenTest, EveryGoldenModelMatchesItsManifest) {
  DSINFER_REQUIRE_GOLDEN(golden);
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(golden)) {
    const std::string manifest_path = entry.path().string() + "/manifest.json";
    if (!std::filesystem::exists(manifest_path)) continue;
    std::ifstream in(manifest_path);
    nlohmann::json manifest = nlohmann::json::parse(in);
    const std::string model = golden + "/" + manifest["model_file"].get<std::string>();
    SCOPED_TRACE(model);
    int code = 0;
    std::string out = RunCapture(std::string(DSINFER_BINARY) + " inspect --json '" + model + "'", &code);
    ASSERT_EQ(code, 0) << out;
    nlohmann::json report = nlohmann::json::parse(out);
    const auto& expected = manifest["tensors"];
    const auto& actual = report["tensors"];
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(actual[i]["name"], expected[i]["name"]);
      EXPECT_EQ(actual[i]["type"], expected[i]["type"]) << expected[i]["name"];
      EXPECT_EQ(actual[i]["ne"], expected[i]["ne"]) << expected[i]["name"];
      EXPECT_EQ(actual[i]["n_bytes"], expected[i]["n_bytes"]) << expected[i]["name"];
    }
    for (const auto& [type, count] : manifest["tensor_type_counts"].items()) {
      EXPECT_EQ(report["types"][type]["tensors"], count) << type;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 12) << "expected 12 golden models with manifests";
}

}  // namespace
