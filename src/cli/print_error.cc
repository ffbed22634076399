#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace dsinfer::cli {

void PrintError(const std::string& message) {
  std::string line = message;
  for (char& ch : line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  std::fprintf(stderr, "dsinfer: error: %s\n", line.c_str());
}

}  // namespace dsinfer::cli
