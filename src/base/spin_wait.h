// Busy-waiting for another thread's next move, when that move is microseconds away (a parallel
// loop's last chunk, a small input another thread is converting) and a futex wake-up would cost
// more than the wait.
#pragma once

#include <thread>

namespace dsinfer {

// One polite step of a spin: tells an x86 core it is spinning (frees the sibling hyperthread,
// avoids a memory-order flush on exit); elsewhere gives up the time slice.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Returns once done() is true: spins for a few thousand rounds, then yields the core between
// checks, so a thread waiting on a descheduled one lets it run on a busy machine.
template <typename Done>
void SpinUntil(Done&& done) {
  constexpr int kSpinRounds = 4096;
  for (int spins = 0; !done(); ++spins) {
    if (spins < kSpinRounds) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace dsinfer
