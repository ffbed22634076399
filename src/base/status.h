// Status and Expected<T>: errors that come from outside the process (files, requests, network)
// travel as values carrying a message a user can act on. Programmer errors use CHECK instead.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/check.h"

namespace dsinfer {

// Broad error classes; the server maps them to HTTP statuses, the CLI to exit codes.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad flag, bad request field)
  kNotFound,          // a named file, key or tensor does not exist
  kDataLoss,          // a file is malformed, truncated or inconsistent
  kUnimplemented,     // a valid input that dsinfer does not support (e.g. an IQ quant type)
  kResourceExhausted, // out of memory, queue full, limit reached
  kIoError,           // the OS refused a read, write, open or mmap
  kInternal,          // an invariant broke in a way that is reported instead of crashing
};

const char* StatusCodeName(StatusCode code);

// A success or an error code plus message. Cheap to copy on success. Thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "message" for errors, "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message" (for adding context such as a file name).
  Status WithPrefix(const std::string& prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status. Accessing the value of an error is a CHECK failure.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    CHECK(!std::get<Status>(v_).ok()) << "Expected constructed from an OK status";
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    CHECK(ok()) << status().message();
    return std::get<T>(v_);
  }
  const T& value() const& {
    CHECK(ok()) << status().message();
    return std::get<T>(v_);
  }
  T&& value() && {
    CHECK(ok()) << status().message();
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dsinfer

// Returns early from the enclosing function if `expr` (a Status) is not OK.
#define DSINFER_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::dsinfer::Status _st = (expr);              \
    if (!_st.ok()) return _st;                   \
  } while (0)

#define DSINFER_CONCAT_INNER(a, b) a##b
#define DSINFER_CONCAT(a, b) DSINFER_CONCAT_INNER(a, b)

// Declares `lhs` from an Expected-returning `expr`, or returns its Status from the function.
#define DSINFER_ASSIGN_OR_RETURN(lhs, expr)                                    \
  auto DSINFER_CONCAT(_exp_, __LINE__) = (expr);                               \
  if (!DSINFER_CONCAT(_exp_, __LINE__).ok())                                   \
    return DSINFER_CONCAT(_exp_, __LINE__).status();                           \
  lhs = std::move(DSINFER_CONCAT(_exp_, __LINE__)).value()
