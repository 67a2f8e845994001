// Monotonic time in nanoseconds and the process's CPU time: what the runtime
// measures latency, deadlines and cost with.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>

namespace logpipe {

inline int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// User + system CPU seconds of the whole process so far.
inline double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace logpipe
