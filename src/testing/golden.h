// Locating the read-only golden reference data (../shared/golden) from tests.
// Header-only; test code only.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace dsinfer::testing {

// DSINFER_GOLDEN_DIR from the environment, else the path CMake baked in. Empty when absent.
inline std::string GoldenDir() {
  std::string dir;
  if (const char* env = std::getenv("DSINFER_GOLDEN_DIR")) {
    dir = env;
  } else {
#ifdef DSINFER_GOLDEN_DIR
    dir = DSINFER_GOLDEN_DIR;
#endif
  }
  struct stat st {};
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return dir;
}

}  // namespace dsinfer::testing

// Skips the current test with a clear message when the golden data is not present.
#define DSINFER_REQUIRE_GOLDEN(dir_var)                                                   \
  const std::string dir_var = ::dsinfer::testing::GoldenDir();                            \
  if (dir_var.empty()) {                                                                  \
    GTEST_SKIP() << "../shared/golden is absent (fresh clone without shared data); "      \
                    "set DSINFER_GOLDEN_DIR to run this test";                            \
  }
