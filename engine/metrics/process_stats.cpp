#include "engine/metrics/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/runtime/steady_clock.h"

namespace logpipe {

namespace {

// A "Name:   123 kB" line of /proc/self/status, in bytes (or the number).
bool status_field(const char* line, const char* name, uint64_t* out, uint64_t scale) {
  size_t n = strlen(name);
  if (strncmp(line, name, n) != 0 || line[n] != ':') return false;
  *out = strtoull(line + n + 1, nullptr, 10) * scale;
  return true;
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats p;
  if (FILE* f = fopen("/proc/self/status", "r")) {
    char line[256];
    uint64_t threads = 0;
    while (fgets(line, sizeof line, f)) {
      status_field(line, "VmRSS", &p.resident_bytes, 1024) ||
          status_field(line, "VmHWM", &p.peak_resident_bytes, 1024) ||
          status_field(line, "VmSize", &p.virtual_bytes, 1024) || status_field(line, "Threads", &threads, 1);
    }
    p.threads = static_cast<int>(threads);
    fclose(f);
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
    p.open_file_descriptors = n - 1;  // not the one opendir holds
  }
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) p.max_file_descriptors = static_cast<int64_t>(rl.rlim_cur);
  p.cpu_seconds = process_cpu_seconds();
  if (FILE* f = fopen("/proc/loadavg", "r")) {
    if (fscanf(f, "%lf %lf %lf", &p.load_average[0], &p.load_average[1], &p.load_average[2]) != 3)
      p.load_average[0] = p.load_average[1] = p.load_average[2] = 0;
    fclose(f);
  }
  return p;
}

}  // namespace logpipe
