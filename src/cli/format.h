// Human-readable number formatting shared by the CLI commands.
#pragma once

#include <cstdint>
#include <string>

namespace dsinfer::cli {

// 1536 -> "1.50 KiB"; 31058656 -> "29.62 MiB".
std::string FormatBytes(uint64_t bytes);
// 15700000000 -> "15.70 B"; 2400000 -> "2.40 M".
std::string FormatCount(uint64_t n);

// Draws "\r[#####.....]  45% name" on stderr when stderr is a terminal; no-op otherwise.
class ProgressBar {
 public:
  ProgressBar();
  void Update(double fraction, const std::string& label);
  // Ends the line if anything was drawn.
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace dsinfer::cli
