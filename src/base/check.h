// CHECK(cond) << "context": aborts with file:line and the message when an invariant is broken.
// Only for programmer errors; input from outside is reported through Status instead.
#pragma once

#include <sstream>

namespace dsinfer::internal {

// Collects the streamed message and aborts in its destructor.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <typename T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

// Turns the streaming expression into void so CHECK works as a statement inside ?:.
struct Voidify {
  void operator&(const CheckFailure&) {}
};

}  // namespace dsinfer::internal

#define CHECK(cond)                      \
  (cond) ? (void)0                       \
         : ::dsinfer::internal::Voidify() & \
               ::dsinfer::internal::CheckFailure(__FILE__, __LINE__, #cond)

#define CHECK_EQ(a, b) CHECK((a) == (b)) << " (" << (a) << " vs " << (b) << ") "
#define CHECK_LT(a, b) CHECK((a) < (b)) << " (" << (a) << " vs " << (b) << ") "
#define CHECK_LE(a, b) CHECK((a) <= (b)) << " (" << (a) << " vs " << (b) << ") "

#ifndef NDEBUG
#define DCHECK(cond) CHECK(cond)
#else
#define DCHECK(cond) \
  while (false) CHECK(cond)
#endif
