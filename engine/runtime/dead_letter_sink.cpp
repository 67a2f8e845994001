#include "engine/runtime/dead_letter_sink.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "engine/text/json_writer.h"
#include "engine/system/system_io.h"

namespace logpipe {

namespace {

// Segment files are named by a zero-padded number, so lexical order is order.
bool segment_number(const std::string& name, uint64_t* n) {
  if (name.size() != 16 || name.compare(10, 6, ".jsonl") != 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *n = v;
  return true;
}

std::string segment_name(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%010llu.jsonl", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

void append_dead_letter_json(const Event& e, const std::string& plugin_type, const std::string& plugin_id,
                             const std::string& reason, int64_t unix_nanos, std::string& out) {
  out += "{\"entry_time\":\"";
  Timestamp{unix_nanos}.append_iso8601(out);
  out += "\",\"plugin_type\":";
  append_json_string(plugin_type, out);
  out += ",\"plugin_id\":";
  append_json_string(plugin_id, out);
  out += ",\"reason\":";
  append_json_string(reason, out);
  out += ",\"event\":";
  // The event's fields, and its @metadata, which outputs otherwise never write.
  size_t object_start = out.size();
  append_event_json(e, out);
  if (!e.metadata().empty()) {
    out.pop_back();  // the closing brace
    if (out.size() > object_start + 1) out += ',';
    out += "\"@metadata\":";
    append_json(Value(e.metadata()), out);
    out += '}';
  }
  out += "}\n";
}

DeadLetterSink::DeadLetterSink(DeadLetterSinkSettings settings) : settings_(std::move(settings)) {
  segment_dir_ = settings_.dir + "/" + settings_.pipeline_id;
  std::error_code ec;
  std::filesystem::create_directories(segment_dir_, ec);
  if (ec)
    throw std::runtime_error("dead letter queue: cannot create " + segment_dir_ + ": " +
                             ec.message());
  // Segments of earlier runs count against the bound and are never appended
  // to: a new run starts a new segment after the last one.
  if (DIR* d = ::opendir(segment_dir_.c_str())) {
    while (dirent* ent = ::readdir(d)) {
      uint64_t n = 0;
      if (!segment_number(ent->d_name, &n)) continue;
      next_segment_ = std::max(next_segment_, n + 1);
      struct stat st;
      if (::stat((segment_dir_ + "/" + ent->d_name).c_str(), &st) == 0)
        total_bytes_ += static_cast<uint64_t>(st.st_size);
    }
    ::closedir(d);
  }
}

DeadLetterSink::~DeadLetterSink() {
  if (fd_ >= 0) ::close(fd_);
}

bool DeadLetterSink::open_segment(std::string* error) {
  if (fd_ >= 0) ::close(fd_);
  std::string path = segment_dir_ + "/" + segment_name(next_segment_++);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  segment_size_ = 0;
  if (fd_ < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool DeadLetterSink::write(const std::string& plugin_type, const std::string& plugin_id,
                           const std::vector<DeadLetter>& letters, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  line_.clear();
  int64_t now = Timestamp::now().nanos;
  for (const DeadLetter& l : letters) append_dead_letter_json(*l.event, plugin_type, plugin_id, *l.reason, now, line_);
  if (total_bytes_ + line_.size() > settings_.max_bytes) {
    *error = "the dead letter queue is full (" + std::to_string(total_bytes_) + " of " +
             std::to_string(settings_.max_bytes) + " bytes, dead_letter_queue.max_bytes)";
    return false;
  }
  if ((fd_ < 0 || segment_size_ >= settings_.segment_bytes) && !open_segment(error)) return false;
  off_t before = ::lseek(fd_, 0, SEEK_END);
  if (!write_fully(fd_, line_)) {
    *error = std::string("cannot write the dead letter queue: ") + std::strerror(errno);
    // Leave no half line: the reader would take it for a broken entry.
    if (before >= 0 && ::ftruncate(fd_, before) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    return false;
  }
  segment_size_ += line_.size();
  total_bytes_ += line_.size();
  events_written_ += letters.size();
  return true;
}

uint64_t DeadLetterSink::events_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_written_;
}

uint64_t DeadLetterSink::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_bytes_;
}

}  // namespace logpipe
