#include "loadtest/sse_parser.h"

namespace dsinfer::loadtest {

Status SseParser::Feed(std::string_view bytes, std::vector<std::string>* events) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    // Copy the run of ordinary bytes up to the next line terminator in one go.
    size_t end = i;
    while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    if (line_.size() + (end - i) > max_event_bytes_) {
      return DataLoss("event stream line longer than " + std::to_string(max_event_bytes_) +
                      " bytes");
    }
    line_.append(bytes.data() + i, end - i);
    if (end == bytes.size()) break;
    after_cr_ = bytes[end] == '\r';
    i = end + 1;
    DSINFER_RETURN_IF_ERROR(EndLine(events));
  }
  return Status::Ok();
}

Status SseParser::EndLine(std::vector<std::string>* events) {
  if (line_.empty()) {
    if (has_data_) events->push_back(std::move(data_));
    data_.clear();
    has_data_ = false;
    return Status::Ok();
  }
  if (line_[0] != ':') {
    const size_t colon = line_.find(':');
    std::string_view field(line_.data(), colon == std::string::npos ? line_.size() : colon);
    if (field == "data") {
      std::string_view value;
      if (colon != std::string::npos) {
        value = std::string_view(line_).substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      }
      if (has_data_) data_ += '\n';
      if (data_.size() + value.size() > max_event_bytes_) {
        return DataLoss("event stream event larger than " + std::to_string(max_event_bytes_) +
                        " bytes");
      }
      data_.append(value);
      has_data_ = true;
    }
  }
  line_.clear();
  return Status::Ok();
}

}  // namespace dsinfer::loadtest
