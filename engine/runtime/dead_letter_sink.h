// DeadLetterSink: where events an output refused for good are kept, so that
// a refusal (a mapping conflict, a document too large) never loses an event.
//
// One JSON line per event, appended to segment files under
//   <dir>/<pipeline_id>/<NNNNNNNNNN>.jsonl
// each line {"entry_time": ISO8601, "plugin_type": the output's plugin name
// ("elasticsearch", as in Logstash's entries), "plugin_id": ...,
// "reason": ..., "event": {the event's fields, "@metadata": {...}}}.
// A segment is closed when it reaches segment_bytes and a new one started; the
// dead_letter_queue input reads them back in order. The total size is bounded
// by max_bytes: a write that would pass it fails, and the caller keeps the
// event unacknowledged (retried later) rather than dropping it.
//
// Writes go to the OS with write(2) before write() returns (they survive a
// crash of logpipe, not of the machine). Thread-safe (one mutex per write of
// a group of events).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/event/event.h"

namespace logpipe {

struct DeadLetterSinkSettings {
  std::string dir;  // e.g. <path.data>/dead_letter_queue
  std::string pipeline_id = "main";
  uint64_t max_bytes = 1024ull << 20;  // Logstash's dead_letter_queue.max_bytes
  uint64_t segment_bytes = 10ull << 20;
};

struct DeadLetter {
  const Event* event;
  const std::string* reason;
};

class DeadLetterSink {
 public:
  // Creates the directory; throws std::runtime_error when it cannot.
  explicit DeadLetterSink(DeadLetterSinkSettings settings);
  ~DeadLetterSink();
  DeadLetterSink(const DeadLetterSink&) = delete;
  DeadLetterSink& operator=(const DeadLetterSink&) = delete;

  // Appends every letter, or none: false (with *error set) when the size
  // bound or the disk refuses them.
  bool write(const std::string& plugin_type, const std::string& plugin_id,
             const std::vector<DeadLetter>& letters, std::string* error);

  uint64_t events_written() const;
  uint64_t bytes() const;
  const std::string& segment_dir() const { return segment_dir_; }

 private:
  bool open_segment(std::string* error);

  DeadLetterSinkSettings settings_;
  std::string segment_dir_;
  mutable std::mutex mu_;
  int fd_ = -1;
  uint64_t next_segment_ = 1;
  uint64_t segment_size_ = 0;
  uint64_t total_bytes_ = 0;  // every segment in the directory
  uint64_t events_written_ = 0;
  std::string line_;
};

// Appends the dead-letter line for e (with its newline) to out.
void append_dead_letter_json(const Event& e, const std::string& plugin_type, const std::string& plugin_id,
                             const std::string& reason, int64_t unix_nanos, std::string& out);

}  // namespace logpipe
