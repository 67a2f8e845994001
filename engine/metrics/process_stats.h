// ProcessStats: what the kernel says about this process (Linux /proc), for
// the monitoring API. Each call reads /proc afresh; thread-safe.
#pragma once

#include <cstdint>

namespace logpipe {

struct ProcessStats {
  uint64_t resident_bytes = 0;
  uint64_t peak_resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  int threads = 0;
  int open_file_descriptors = 0;
  int64_t max_file_descriptors = 0;
  double cpu_seconds = 0;  // user + system, whole process
  double load_average[3] = {0, 0, 0};
};

ProcessStats read_process_stats();

}  // namespace logpipe
