#include "inputs/dead_letter_queue_input.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/codecs/iso8601.h"
#include "engine/config/typed_options.h"
#include "engine/codecs/json_event_decoder.h"
#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "engine/system/log.h"

namespace logpipe {

namespace {

struct Position {
  uint64_t segment = 0;  // segment number; 0 = before the first
  uint64_t offset = 0;   // bytes of that segment already read
  bool operator<(const Position& o) const {
    return segment != o.segment ? segment < o.segment : offset < o.offset;
  }
};

std::vector<uint64_t> list_segments(const std::string& dir) {
  std::vector<uint64_t> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* ent = ::readdir(d)) {
    std::string name = ent->d_name;
    if (name.size() != 16 || name.compare(10, 6, ".jsonl") != 0) continue;
    if (name.find_first_not_of("0123456789") != 10) continue;
    out.push_back(std::stoull(name.substr(0, 10)));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string segment_path(const std::string& dir, uint64_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "/%010llu.jsonl", static_cast<unsigned long long>(n));
  return dir + name;
}

struct DlqOptions {
  std::string path;
  std::string pipeline_id;
  bool commit_offsets = false;
  std::optional<std::string> sincedb_path;
  std::optional<std::string> start_timestamp;
  bool clean_consumed = false;
};

const OptionSchema<DlqOptions>& dead_letter_queue_schema() {
  static const OptionSchema<DlqOptions> schema = [] {
    OptionSchema<DlqOptions> s;
    s.path("path", &DlqOptions::path,
           "The dead letter queue directory (path.dead_letter_queue of the pipeline "
           "that wrote it, by default <path.data>/dead_letter_queue).")
        .required();
    s.string("pipeline_id", &DlqOptions::pipeline_id, "Whose dead letters to read.").fallback("main");
    s.boolean("commit_offsets", &DlqOptions::commit_offsets,
              "Store how far every output accepted the replayed events, and go on from there after a restart.")
        .fallback(true);
    s.path("sincedb_path", &DlqOptions::sincedb_path,
           "Where the position is stored (default <path.data>/dead_letter_queue_input/<id>.sincedb).");
    s.string("start_timestamp", &DlqOptions::start_timestamp,
             "Skip entries written before this ISO 8601 time.");
    s.boolean("clean_consumed", &DlqOptions::clean_consumed,
              "Delete segments whose events every output has accepted.")
        .fallback(false);
    return s;
  }();
  return schema;
}

class DeadLetterQueueInput : public Input {
 public:
  explicit DeadLetterQueueInput(const PluginArgs& args)
      : Input(args), decoder_(Settings(), /*set_original=*/false) {
    DlqOptions o = dead_letter_queue_schema().bind(args.settings);
    dir_ = o.path + "/" + o.pipeline_id;
    commit_offsets_ = o.commit_offsets;
    clean_consumed_ = o.clean_consumed;
    sincedb_path_ = o.sincedb_path.value_or("");
    if (sincedb_path_.empty())
      sincedb_path_ = args.env.data_dir + "/dead_letter_queue_input/" + args.id + ".sincedb";
    std::string start = o.start_timestamp.value_or("");
    if (!start.empty() && !parse_iso8601(start, &start_))
      throw OptionError("start_timestamp", "'" + start + "' is not an ISO 8601 time such as 2026-11-26T04:00:00");
    has_start_ = !start.empty();
    if (commit_offsets_) read_sincedb();
  }

  ~DeadLetterQueueInput() override {
    if (commit_offsets_) write_sincedb();
  }

  void run(InputContext& ctx) override {
    std::string pending;  // a line not yet ended by its newline
    while (!ctx.stopping()) {
      bool progressed = false;
      for (uint64_t seg : list_segments(dir_)) {
        if (seg < read_.segment) continue;
        if (seg > read_.segment) read_ = Position{seg, 0};
        progressed |= read_segment(ctx, pending);
        if (ctx.stopping()) break;
      }
      ctx.tick();
      if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(ctx.poll_interval_ms()));
    }
  }

  void sealed(uint64_t seq) override {
    std::lock_guard<std::mutex> lock(mu_);
    ledger_[seq] = read_;
  }

  void committed(uint64_t seq) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto end = ledger_.upper_bound(seq);
    if (end == ledger_.begin()) return;
    committed_ = std::prev(end)->second;
    ledger_.erase(ledger_.begin(), end);
    if (clean_consumed_) remove_consumed();
  }

 private:
  // Reads what is new in the current segment; true if anything was read.
  bool read_segment(InputContext& ctx, std::string& pending) {
    std::string path = segment_path(dir_, read_.segment);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool any = false;
    char buf[65536];
    uint64_t file_pos = read_.offset;  // read into pending so far
    pending.clear();
    for (;;) {
      ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(file_pos));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      any = true;
      file_pos += static_cast<uint64_t>(n);
      pending.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(pending.data() + start, nl - start);
        // Moved before the push: a batch sealed by it must include this line.
        read_.offset += line.size() + 1;
        emit(line, ctx);
      }
      pending.erase(0, start);
      if (ctx.stopping()) break;
    }
    ::close(fd);
    // A line without its newline yet is read again from its start next time
    // (the sink truncates a failed write, so a partial line only lasts while
    // it is being written).
    pending.clear();
    return any;
  }

  void emit(std::string_view line, InputContext& ctx) {
    Value entry;
    std::string error;
    const Value* event = nullptr;
    if (parse_json(line, &entry, &error) && entry.is_object()) {
      event = entry.as_object().find("event");
      if (event && !event->is_object()) event = nullptr;
    }
    if (!event) {
      Event e{std::string(line)};
      e.add_tag("_dead_letter_queue_parse_failure");
      ctx.push(std::move(e));
      return;
    }
    const Object& o = entry.as_object();
    auto text = [&](const char* key) {
      const Value* v = o.find(key);
      return v && v->is_string() ? v->as_string() : std::string();
    };
    if (has_start_) {
      Timestamp at;
      if (parse_iso8601(text("entry_time"), &at) && at < start_) return;
    }
    Object info;
    info.set("entry_time", Value(text("entry_time")));
    info.set("plugin_id", Value(text("plugin_id")));
    info.set("plugin_type", Value(text("plugin_type")));
    info.set("reason", Value(text("reason")));
    json_.clear();
    append_json(*event, json_);
    decoder_.decode(json_, [&](Event&& e) {
      e.metadata().set("dead_letter_queue", Value(info));
      ctx.push(std::move(e));
    });
  }

  void read_sincedb() {
    std::ifstream in(sincedb_path_);
    uint64_t seg = 0, off = 0;
    if (in >> seg >> off) read_ = committed_ = Position{seg, off};
  }

  void write_sincedb() {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(sincedb_path_).parent_path(), ec);
    std::string tmp = sincedb_path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      std::lock_guard<std::mutex> lock(mu_);
      out << committed_.segment << ' ' << committed_.offset << '\n';
      if (!out) {
        log_warn("dead_letter_queue {}: cannot write {}", id(), tmp);
        return;
      }
    }
    if (std::rename(tmp.c_str(), sincedb_path_.c_str()) != 0)
      log_warn("dead_letter_queue {}: cannot write {}: {}", id(), sincedb_path_, std::strerror(errno));
  }

  // Under mu_: segments before the committed one are fully accepted.
  void remove_consumed() {
    for (uint64_t seg : list_segments(dir_)) {
      if (seg >= committed_.segment) break;
      ::unlink(segment_path(dir_, seg).c_str());
    }
  }

  std::string dir_;
  bool commit_offsets_ = true;
  bool clean_consumed_ = false;
  std::string sincedb_path_;
  Timestamp start_{};
  bool has_start_ = false;
  JsonEventDecoder decoder_;
  std::string json_;
  Position read_;  // the input thread's
  std::mutex mu_;
  std::map<uint64_t, Position> ledger_;  // sealed batch -> position after it
  Position committed_;
};

}  // namespace

PluginInfo dead_letter_queue_input_info() {
  PluginInfo info;
  info.name = "dead_letter_queue";
  info.kind = PluginKind::Input;
  info.description = "Reads back the events outputs refused (the dead letter queue), for reprocessing.";
  info.default_codec = "plain";
  info.options = dead_letter_queue_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<DeadLetterQueueInput>(args);
  };
  return info;
}

}  // namespace logpipe
