#include "inputs/file/file_input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/config/typed_options.h"
#include "engine/event/ecs.h"
#include "engine/runtime/batch_position_ledger.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"
#include "inputs/file/path_glob.h"
#include "inputs/file/sincedb_name.h"

namespace logpipe {

namespace {

using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------ options

// Logstash's max_open_files has no default; filewatch then opens this many.
constexpr int64_t kMaxOpenFilesUnset = 4095;

struct FileOptions {
  std::vector<std::string> path;
  std::vector<std::string> exclude;
  std::string mode;
  std::string start_position;
  std::optional<std::string> sincedb_path;
  Duration sincedb_write_interval;
  Duration sincedb_clean_after;
  Duration stat_interval;
  int64_t discover_interval = 0;
  std::string delimiter;
  Duration close_older;
  std::optional<Duration> ignore_older;
  std::optional<int64_t> max_open_files;
  std::string file_completed_action;
  std::optional<std::string> file_completed_log_path;
  int64_t file_chunk_size = 0;
  int64_t file_chunk_count = 0;
  std::string file_sort_by;
  std::string file_sort_direction;
  bool exit_after_read = false;
  std::string ecs_compatibility;
};

const OptionSchema<FileOptions>& file_schema() {
  static const OptionSchema<FileOptions> schema = [] {
    using F = FileOptions;
    OptionSchema<FileOptions> s;
    s.strings("path", &F::path,
              "Absolute paths or glob patterns (*, ?, [..], {a,b}, **) of the files to read.")
        .required();
    s.strings("exclude", &F::exclude,
              "Glob patterns matched against the file name (not the full path) of files to skip.");
    s.string("mode", &F::mode,
             "tail: follow files as they grow; read: read each file once, to its end.")
        .fallback("tail")
        .one_of({"tail", "read"});
    s.string("start_position", &F::start_position,
             "Where tail mode starts in files found at start-up that the sincedb does not know.")
        .fallback("end")
        .one_of({"beginning", "end"});
    s.string("sincedb_path", &F::sincedb_path,
             "File of read positions; default <path.data>/plugins/inputs/file/.sincedb_<md5 of "
             "paths>; "
             "/dev/null keeps none.");
    s.duration("sincedb_write_interval", &F::sincedb_write_interval, 1,
               "Longest time between writes of the sincedb (a duration; seconds when bare).")
        .fallback("15");
    s.duration("sincedb_clean_after", &F::sincedb_clean_after, 86400,
               "Sincedb entries of files unchanged for this long are dropped (days when bare).")
        .fallback("14 days");
    s.duration("stat_interval", &F::stat_interval, 1,
               "How often files are checked for new data, rotation and truncation (seconds when "
               "bare).")
        .fallback("1");
    s.integer("discover_interval", &F::discover_interval,
              "Path patterns are expanded again every this many stat intervals.")
        .fallback(15);
    s.string("delimiter", &F::delimiter, "What ends a line.").fallback("\n");
    s.duration("close_older", &F::close_older, 1,
               "Tail mode closes a file not grown for this long, and reopens it when it grows.")
        .fallback("1 hour");
    s.duration("ignore_older", &F::ignore_older, 1,
               "Files last modified longer ago than this are skipped (tail: only new data is read).");
    s.integer("max_open_files", &F::max_open_files,
              "Most files open at once (default " + std::to_string(kMaxOpenFilesUnset) +
                  "); others wait for close_older to free a slot.");
    s.string("file_completed_action", &F::file_completed_action,
             "Read mode, once every line of a file was delivered: delete it, log its path, or both.")
        .fallback("delete")
        .one_of({"delete", "log", "log_and_delete"});
    s.string("file_completed_log_path", &F::file_completed_log_path,
             "File the paths of completed files are appended to (file_completed_action log*).");
    s.integer("file_chunk_size", &F::file_chunk_size, "Bytes read from a file at a time.")
        .fallback(32768);
    s.integer("file_chunk_count", &F::file_chunk_count,
              "Tail mode: chunks read from one file before moving to the next.")
        .fallback(int64_t{4611686018427387903});
    s.string("file_sort_by", &F::file_sort_by, "Order in which files are processed.")
        .fallback("last_modified")
        .one_of({"last_modified", "path"});
    s.string("file_sort_direction", &F::file_sort_direction, "asc or desc order of file_sort_by.")
        .fallback("asc")
        .one_of({"asc", "desc"});
    s.boolean("exit_after_read", &F::exit_after_read,
              "Read mode: stop once every file found at start-up is read and delivered.")
        .fallback(false);
    declare_ecs_compatibility(s, &F::ecs_compatibility,
                              "path, host; ECS: [log][file][path], [host][name]");
    return s;
  }();
  return schema;
}


double wall_seconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

Clock::duration seconds_to_duration(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool make_dirs(const std::string& dir) {
  if (dir.empty()) return true;
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  size_t slash = dir.rfind('/');
  if (slash != std::string::npos && slash > 0 && !make_dirs(dir.substr(0, slash))) return false;
  return mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST;
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// ------------------------------------------------------------ state

struct FileKey {
  uint64_t inode = 0;
  uint32_t major = 0;
  uint32_t minor = 0;
  bool operator<(const FileKey& o) const {
    return std::tie(inode, major, minor) < std::tie(o.inode, o.major, o.minor);
  }
  bool operator==(const FileKey& o) const {
    return inode == o.inode && major == o.major && minor == o.minor;
  }
  bool operator!=(const FileKey& o) const { return !(*this == o); }
};

FileKey key_of(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_ino), major(st.st_dev), minor(st.st_dev)};
}

// A position reached in one file when a batch was sealed. `forget` drops the
// file's sincedb entry instead (the file was deleted: its inode may be reused).
struct PositionRecord {
  FileKey key;
  uint64_t position = 0;
  std::string path;
  bool forget = false;
};

struct SincedbEntry {
  uint64_t position = 0;
  double last_active = 0;  // wall-clock seconds
  std::string path;
};

enum class FileState {
  Waiting,  // known, not open: to be opened (tail: when a slot is free)
  Open,
  Closed,  // tail: closed by close_older; reopened when it grows
  Done,    // read: read to its end
};

// The fields of a line from one file (decorate() in FileInput for events a
// codec made): [@metadata][path] and [@metadata][host], path and host by
// ecs_compatibility unless present, and the tag of a line cut at max_line_bytes.
class FileLineDecorator final : public LineDecorator {
 public:
  FileLineDecorator(std::string path, const std::string& host, const FieldRef& path_field,
                    const FieldRef& host_field)
      : path_(std::move(path)), host_(host), path_field_(path_field), host_field_(host_field) {}
  void decorate(Event& e, bool too_long) const override {
    e.metadata().reserve(2);
    e.metadata().set("path", Value(path_));
    e.metadata().set("host", Value(host_));
    set_unless_present(e, path_field_, Value(path_));
    set_unless_present(e, host_field_, Value(host_));
    if (too_long) e.add_tag("_line_too_long");
  }

 private:
  const std::string path_, host_;
  const FieldRef path_field_, host_field_;
};

struct WatchedFile {
  FileKey key;
  std::string path;
  std::shared_ptr<const LineDecorator> line_decorator;  // made at its first line
  int64_t mtime_ns = 0;  // at the last discovery, for file_sort_by
  FileState state = FileState::Waiting;
  int fd = -1;
  uint64_t read_pos = 0;            // offset of the next byte to read
  uint64_t line_pos = 0;            // offset after the last line handed on: what a seal records
  std::string partial;              // bytes read after the last delimiter (a line not yet complete)
  bool skipping_long_line = false;  // the rest of a cut line is being skipped
  bool dirty = false;               // line_pos moved since the last seal
  uint64_t emit_epoch = UINT64_MAX;  // seal_epoch_ when it last emitted; MAX: never
  bool pushed_lines = false;         // read: some of it went into a batch in this run
  bool completed = false;            // read: file_completed_action done
  bool moved = false;                // its path names another file now, or nothing
  bool moved_seen = false;           // already moved at the previous stat pass
  uint64_t read_pos_at_last_stat = 0;
  Clock::time_point last_data{};
  Clock::time_point retry_open_after{};
  bool open_error_logged = false;
  // Its own codec, made at its first line: stateful codecs (multiline) must
  // not mix the lines of two files.
  std::unique_ptr<Codec> codec;
};

class FileInput final : public Input {
 public:
  FileInput(const PluginArgs& args, size_t max_line_bytes);
  ~FileInput() override;
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  void run(InputContext& ctx) override;
  void stop() override;
  void sealed(uint64_t batch_seq) override;
  void committed(uint64_t batch_seq) override;

 private:
  bool stop_requested() const {
    return stop_flag_.load(std::memory_order_relaxed) || (ctx_ && ctx_->stopping());
  }
  void wake();
  void wait_until(Clock::time_point until);

  void discover(bool initial);
  void add_file(const std::string& path, const struct stat& st, bool initial);
  void sort_files();
  bool excluded(const std::string& path) const;

  bool open_file(WatchedFile& f);
  void close_file(WatchedFile& f);
  uint64_t read_available(WatchedFile& f, uint64_t max_chunks);
  void split_lines(WatchedFile& f, std::string& buf, size_t old_size);
  size_t find_delimiter(const std::string& buf, size_t from) const;
  void end_of_content(WatchedFile& f);
  void begin_emit(WatchedFile& f, bool too_long);
  void flush_codec(WatchedFile& f);
  void tick_codecs();
  void restart_from_zero(WatchedFile& f);
  void advance(WatchedFile& f, uint64_t pos);
  void advance_skipped(WatchedFile& f, uint64_t pos);
  bool has_unsealed_events(const WatchedFile& f) const {
    return f.dirty || f.emit_epoch == seal_epoch_;
  }
  void record_after_sealed(PositionRecord record);
  bool apply_committed_locked(std::vector<PositionRecord>& records);
  void emit(WatchedFile& f, std::string_view line, bool too_long);
  // The decorator of f's lines, made at its first line (and again after a move).
  const std::shared_ptr<const LineDecorator>& line_decorator(WatchedFile& f);
  void decorate(Event& e);
  void retire(WatchedFile& f, bool forget_position);

  bool tail_pass();
  void tail_stat_pass();
  bool read_pass();
  void finish_read(WatchedFile& f);
  void run_completed_actions();
  bool all_files_completed();

  void load_sincedb();
  void write_sincedb();
  void maybe_write_sincedb();

  // settings
  std::vector<std::string> patterns_;
  std::vector<std::string> excludes_;
  bool tail_mode_ = true;
  bool start_at_end_ = true;
  std::string sincedb_path_;
  bool persist_ = true;
  double write_interval_s_ = 0;
  double stat_interval_s_ = 0;
  int64_t discover_every_ = 0;  // stat passes
  std::string delimiter_;
  double close_older_s_ = 0;
  std::optional<double> ignore_older_s_;
  size_t max_open_files_ = 0;
  bool delete_completed_ = false;
  bool log_completed_ = false;
  std::string completed_log_path_;
  double clean_after_s_ = 0;
  size_t chunk_size_ = 0;
  uint64_t chunk_count_ = 0;
  bool sort_by_path_ = false;
  bool sort_descending_ = false;
  bool exit_after_read_ = false;
  size_t max_line_bytes_;
  std::string host_;
  FieldRef path_field_, host_field_;  // by ecs_compatibility
  std::function<std::unique_ptr<Codec>()> make_codec_;
  EventSink sink_;

  // input thread only
  InputContext* ctx_ = nullptr;
  std::map<FileKey, std::unique_ptr<WatchedFile>> files_;
  std::vector<WatchedFile*> order_;  // files_ in file_sort_by order
  std::vector<WatchedFile*> dirty_;
  std::vector<PositionRecord> retired_records_;  // of files dropped before the next seal
  size_t open_count_ = 0;
  bool need_discovery_ = false;
  std::string work_;  // read buffer: the partial line of the file being read + new bytes
  WatchedFile* current_ = nullptr;  // the file whose line is being decoded
  bool current_too_long_ = false;
  bool ran_ = false;
  uint64_t seal_epoch_ = 0;  // sealed() calls so far
  uint64_t last_sealed_seq_ = 0;

  std::atomic<bool> stop_flag_{false};
  int wake_fd_ = -1;

  // sealed batches → positions; input thread and committer
  std::mutex pending_mu_;
  BatchPositionLedger<PositionRecord> pending_;

  // committed positions (the sincedb) and read-mode completions; run() and committer
  std::mutex state_mu_;
  std::map<FileKey, SincedbEntry> committed_;
  std::map<FileKey, uint64_t> awaiting_;  // read: final position before completion
  std::vector<FileKey> completed_ready_;  // read: delivered to the end
  std::atomic<bool> persist_dirty_{false};
  std::atomic<int64_t> last_write_ns_{0};  // steady clock
  std::mutex write_mu_;                    // one writer of the sincedb file at a time
  bool write_error_logged_ = false;        // under write_mu_
};

// ------------------------------------------------------------ construction

FileInput::FileInput(const PluginArgs& args, size_t max_line_bytes)
    : Input(args), max_line_bytes_(max_line_bytes ? max_line_bytes : 1), host_(local_hostname()) {
  FileOptions o = file_schema().bind(args.settings);
  const EcsMode ecs = ecs_mode(o.ecs_compatibility);
  path_field_ = ecs_field(ecs, "path", "[log][file][path]");
  host_field_ = ecs_field(ecs, "host", "[host][name]");
  patterns_ = std::move(o.path);
  if (patterns_.empty()) throw OptionError("path", "at least one path is required");
  for (const auto& p : patterns_)
    if (p.empty() || p[0] != '/')
      throw OptionError("path", "file paths must be absolute, relative path specified: " + p);
  excludes_ = std::move(o.exclude);
  tail_mode_ = o.mode != "read";
  start_at_end_ = o.start_position == "end";
  delimiter_ = o.delimiter;
  if (delimiter_.empty()) throw OptionError("delimiter", "must not be empty");

  stat_interval_s_ = std::max(0.001, o.stat_interval.seconds);
  write_interval_s_ = o.sincedb_write_interval.seconds;
  close_older_s_ = o.close_older.seconds;
  if (o.ignore_older) ignore_older_s_ = o.ignore_older->seconds;
  clean_after_s_ = o.sincedb_clean_after.seconds;
  discover_every_ = std::max<int64_t>(1, o.discover_interval);
  max_open_files_ =
      static_cast<size_t>(std::max<int64_t>(1, o.max_open_files.value_or(kMaxOpenFilesUnset)));
  chunk_size_ = static_cast<size_t>(std::max<int64_t>(1, o.file_chunk_size));
  chunk_count_ = o.file_chunk_count > 0 ? static_cast<uint64_t>(o.file_chunk_count) : 1;
  sort_by_path_ = o.file_sort_by == "path";
  sort_descending_ = o.file_sort_direction == "desc";
  exit_after_read_ = o.exit_after_read;
  if (exit_after_read_ && tail_mode_)
    throw OptionError("exit_after_read", "only applies to mode => \"read\"");

  const std::string& action = o.file_completed_action;
  delete_completed_ = action.find("delete") != std::string::npos;
  log_completed_ = action.find("log") != std::string::npos;
  completed_log_path_ = o.file_completed_log_path.value_or("");
  if (log_completed_ && completed_log_path_.empty())
    throw OptionError("file_completed_log_path",
                      "must be given when file_completed_action is \"log\" or \"log_and_delete\"");

  sincedb_path_ = o.sincedb_path.value_or("");
  if (sincedb_path_.empty()) {
    sincedb_path_ = default_sincedb_path(args.env.data_dir, patterns_);
  }
  persist_ = sincedb_path_ != "/dev/null" && sincedb_path_ != "NUL";
  struct stat st;
  if (persist_ && stat(sincedb_path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw OptionError("sincedb_path",
                      "must point to a file, received a directory: " + sincedb_path_);

  make_codec_ = args.make_codec;
  sink_ = [this](Event&& e) {
    decorate(e);
    ctx_->push(std::move(e));
  };
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

FileInput::~FileInput() {
  if (ran_) {
    // The engine commits the last batches after run() returned: act on them now.
    run_completed_actions();
    write_sincedb();
  }
  for (auto& [key, f] : files_) close_file(*f);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void FileInput::stop() {
  stop_flag_.store(true, std::memory_order_relaxed);
  wake();
}

void FileInput::wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t r = write(wake_fd_, &one, sizeof one);
  (void)r;  // EAGAIN: a wake-up is already pending
}

// Sleeps until `until`, a wake-up, or shutdown; ticks the batch delay meanwhile.
void FileInput::wait_until(Clock::time_point until) {
  const int poll_ms = std::max(1, ctx_->poll_interval_ms());
  for (;;) {
    if (stop_requested()) return;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return;
    pollfd pfd{wake_fd_, POLLIN, 0};
    int n = poll(&pfd, wake_fd_ >= 0 ? 1 : 0, static_cast<int>(std::min<int64_t>(left, poll_ms)));
    tick_codecs();
    ctx_->tick();
    if (n > 0) {
      uint64_t count;
      ssize_t r = read(wake_fd_, &count, sizeof count);
      (void)r;
      return;
    }
  }
}

// ------------------------------------------------------------ discovery

bool FileInput::excluded(const std::string& path) const {
  if (excludes_.empty()) return false;
  std::string name(base_name(path));
  for (const auto& pattern : excludes_)
    if (fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0) return true;
  return false;
}

void FileInput::discover(bool initial) {
  need_discovery_ = false;
  struct Found {
    std::string path;
    struct stat st;
  };
  std::vector<Found> found;
  std::vector<std::string> matches;
  for (const auto& pattern : patterns_) {
    matches.clear();
    expand_glob(pattern, matches);
    size_t before = found.size();
    for (auto& path : matches) {
      if (excluded(path)) continue;
      struct stat st;
      if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) found.push_back({path, st});
    }
    if (initial && found.size() == before)
      log_warn("file input {}: no file matches {} (yet)", id(), pattern);
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.path < b.path; });

  const double now = wall_seconds();
  std::set<FileKey> seen;
  for (const Found& entry : found) {
    const std::string& path = entry.path;
    const struct stat& st = entry.st;
    FileKey key = key_of(st);
    if (!seen.insert(key).second) continue;  // the same file by another name or pattern
    auto it = files_.find(key);
    if (it != files_.end()) {
      WatchedFile& f = *it->second;
      f.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      if (f.moved) {  // back at its path, or renamed to a name we also watch
        f.path = path;
        f.line_decorator.reset();  // the next line names the new path
        f.moved = false;
        f.moved_seen = false;
      }
      continue;
    }
    // Read mode leaves old files alone until they change.
    if (!tail_mode_ && ignore_older_s_ && now - double(st.st_mtim.tv_sec) > *ignore_older_s_)
      continue;
    add_file(path, st, initial);
  }
  // Read mode: forget completed files that are gone (their sincedb entry stays).
  auto gone = [&](const WatchedFile* f) {
    return f->completed && !f->dirty && !seen.count(f->key);
  };
  std::vector<FileKey> forget;
  for (WatchedFile* f : order_)
    if (gone(f)) forget.push_back(f->key);
  order_.erase(std::remove_if(order_.begin(), order_.end(), gone), order_.end());
  for (const FileKey& key : forget) files_.erase(key);
  sort_files();
}

void FileInput::add_file(const std::string& path, const struct stat& st, bool initial) {
  auto f = std::make_unique<WatchedFile>();
  f->key = key_of(st);
  f->path = path;
  f->mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  f->last_data = Clock::now();
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  std::optional<uint64_t> known;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    auto e = committed_.find(f->key);
    if (e != committed_.end()) known = e->second.position;
  }
  uint64_t start = 0;
  if (known) {
    start = *known;
    if (start > size) {
      log_info("file input {}: {} is shorter than its recorded position, reading it from the start",
               id(), path);
      start = 0;
    }
  } else if (tail_mode_) {
    bool older = ignore_older_s_ && wall_seconds() - double(st.st_mtim.tv_sec) > *ignore_older_s_;
    // start_position only concerns files there at start-up; later ones are new content.
    if ((initial && start_at_end_) || older) {
      start = size;
      // A decision, not delivered data: stored so that a restart skips the same bytes.
      std::lock_guard<std::mutex> lock(state_mu_);
      committed_[f->key] = SincedbEntry{size, wall_seconds(), path};
      persist_dirty_ = true;
    }
  }
  f->read_pos = f->line_pos = start;
  if (!tail_mode_ && known && start >= size) {
    f->state = FileState::Done;  // read in an earlier run
    f->completed = true;
  }
  WatchedFile* raw = f.get();
  files_.emplace(raw->key, std::move(f));
  order_.push_back(raw);
}

void FileInput::sort_files() {
  std::stable_sort(
      order_.begin(), order_.end(), [this](const WatchedFile* a, const WatchedFile* b) {
        if (!sort_by_path_ && a->mtime_ns != b->mtime_ns)
          return sort_descending_ ? a->mtime_ns > b->mtime_ns : a->mtime_ns < b->mtime_ns;
        return sort_descending_ ? a->path > b->path : a->path < b->path;
      });
}

// ------------------------------------------------------------ reading

bool FileInput::open_file(WatchedFile& f) {
  int fd = open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      f.moved = true;
      need_discovery_ = true;
      return false;
    }
    if (!f.open_error_logged)
      log_warn("file input {}: cannot open {}: {}", id(), f.path, strerror(errno));
    f.open_error_logged = true;
    f.retry_open_after =
        Clock::now() + seconds_to_duration(stat_interval_s_ * double(discover_every_));
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || key_of(st) != f.key) {  // the path names another file now
    close(fd);
    f.moved = true;
    need_discovery_ = true;
    return false;
  }
  f.fd = fd;
  f.state = FileState::Open;
  f.open_error_logged = false;
  f.last_data = Clock::now();
  ++open_count_;
  if (static_cast<uint64_t>(st.st_size) < f.read_pos) {
    log_info("file input {}: {} was truncated, reading it from the start", id(), f.path);
    restart_from_zero(f);
  }
  return true;
}

void FileInput::close_file(WatchedFile& f) {
  if (f.fd < 0) return;
  close(f.fd);
  f.fd = -1;
  --open_count_;
}

void FileInput::advance(WatchedFile& f, uint64_t pos) {
  f.line_pos = pos;
  if (!f.dirty) {
    f.dirty = true;
    dirty_.push_back(&f);
  }
}

void FileInput::restart_from_zero(WatchedFile& f) {
  f.read_pos = 0;
  f.partial.clear();
  f.skipping_long_line = false;
  advance_skipped(f, 0);
}

// A position reached without an event (the skipped rest of a cut line, a
// truncation): it can be committed together with the last event of the file.
void FileInput::advance_skipped(WatchedFile& f, uint64_t pos) {
  if (has_unsealed_events(f)) {
    advance(f, pos);
    return;
  }
  f.line_pos = pos;
  record_after_sealed({f.key, pos, f.path, false});
}

// For a file none of whose events waits in the open batch: the record rides
// with the last sealed batch, or applies now if that one is committed already.
void FileInput::record_after_sealed(PositionRecord record) {
  bool completions;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    if (pending_.ride_with(last_sealed_seq_, record)) return;
    std::vector<PositionRecord> records;
    records.push_back(std::move(record));
    std::lock_guard<std::mutex> state_lock(state_mu_);
    completions = apply_committed_locked(records);
  }
  if (completions) wake();
}

size_t FileInput::find_delimiter(const std::string& buf, size_t from) const {
  if (delimiter_.size() == 1) {
    if (from >= buf.size()) return std::string::npos;
    const void* hit = memchr(buf.data() + from, delimiter_[0], buf.size() - from);
    return hit ? static_cast<size_t>(static_cast<const char*>(hit) - buf.data())
               : std::string::npos;
  }
  return buf.find(delimiter_, from);
}

// buf holds the file's bytes up to read_pos; the first old_size were searched already.
void FileInput::split_lines(WatchedFile& f, std::string& buf, size_t old_size) {
  const size_t dlen = delimiter_.size();
  const uint64_t buf_offset = f.read_pos - buf.size();
  size_t scan = old_size >= dlen - 1 ? old_size - (dlen - 1) : 0;  // a delimiter may straddle
  size_t line_start = 0;
  for (size_t hit; (hit = find_delimiter(buf, scan)) != std::string::npos;) {
    const uint64_t end = buf_offset + hit + dlen;
    if (f.skipping_long_line) {
      f.skipping_long_line = false;
      advance_skipped(f, end);
    } else {
      // The position moves before the push: a batch sealed by the push includes this line.
      advance(f, end);
      const size_t len = hit - line_start;
      emit(f, std::string_view(buf.data() + line_start, std::min(len, max_line_bytes_)),
           len > max_line_bytes_);
    }
    line_start = scan = hit + dlen;
  }
  size_t rest = buf.size() - line_start;
  // Longer than the cap for sure: even if its last bytes begin a delimiter.
  if (!f.skipping_long_line && rest >= max_line_bytes_ + dlen) {
    // line_pos stays at the start of the line until its end is seen: a crash
    // before that repeats the cut line rather than emitting its tail as a line.
    emit(f, std::string_view(buf.data() + line_start, max_line_bytes_), true);
    f.skipping_long_line = true;
  }
  if (f.skipping_long_line) line_start = buf.size() - std::min(rest, dlen - 1);
  buf.erase(0, line_start);
}

// Reads from read_pos to the end (or max_chunks chunks), emitting whole lines;
// returns the bytes read.
uint64_t FileInput::read_available(WatchedFile& f, uint64_t max_chunks) {
  // Lines are split in work_, shared by all files, so that thousands of open
  // files do not each keep a chunk-sized buffer; a file keeps only its partial line.
  if (f.partial.size() <= chunk_size_) {
    work_.assign(f.partial);
  } else {
    work_.swap(f.partial);  // a long line being accumulated: move, do not copy
  }
  f.partial.clear();
  if (f.partial.capacity() > chunk_size_) std::string().swap(f.partial);

  uint64_t total = 0;
  for (uint64_t chunk = 0; chunk < max_chunks && !stop_requested(); ++chunk) {
    size_t old = work_.size();
    work_.resize(old + chunk_size_);
    ssize_t n = pread(f.fd, &work_[old], chunk_size_, static_cast<off_t>(f.read_pos));
    if (n <= 0) {
      work_.resize(old);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) log_warn("file input {}: reading {} failed: {}", id(), f.path, strerror(errno));
      break;
    }
    work_.resize(old + static_cast<size_t>(n));
    f.read_pos += static_cast<uint64_t>(n);
    total += static_cast<uint64_t>(n);
    split_lines(f, work_, old);
    ctx_->tick();
  }
  if (total) f.last_data = Clock::now();

  if (work_.size() <= chunk_size_) {
    f.partial.assign(work_);
  } else {
    f.partial.swap(work_);
  }
  work_.clear();
  return total;
}

// The file will not grow any more (read mode at its end, a rotated file):
// its last line counts even without a delimiter.
void FileInput::end_of_content(WatchedFile& f) {
  if (!f.skipping_long_line && !f.partial.empty()) {
    advance(f, f.read_pos);
    std::string line = std::move(f.partial);
    f.partial.clear();
    bool too_long = line.size() > max_line_bytes_;
    if (too_long) line.resize(max_line_bytes_);
    emit(f, line, too_long);
  }
  f.skipping_long_line = false;
  f.partial.clear();
  if (f.line_pos != f.read_pos) advance_skipped(f, f.read_pos);
  flush_codec(f);
}

void FileInput::emit(WatchedFile& f, std::string_view line, bool too_long) {
  begin_emit(f, too_long);
  if (make_codec_ && !f.codec) f.codec = make_codec_();
  if (!f.codec || f.codec->lines_are_messages()) {
    // The line as it is: the worker that filters it makes its event.
    ctx_->push_line(line, line_decorator(f), too_long);
    return;
  }
  f.codec->decode_line(line, sink_);
}

void FileInput::begin_emit(WatchedFile& f, bool too_long) {
  current_ = &f;
  current_too_long_ = too_long;
  f.pushed_lines = true;
  f.emit_epoch = seal_epoch_;
}

// Events a codec still holds (multiline's buffered lines) go out now.
void FileInput::flush_codec(WatchedFile& f) {
  if (!f.codec) return;
  begin_emit(f, false);
  f.codec->flush(sink_);
}

void FileInput::tick_codecs() {
  const auto now = std::chrono::steady_clock::now();
  for (WatchedFile* f : order_) {
    if (!f->codec) continue;
    begin_emit(*f, false);
    f->codec->tick(now, sink_);
  }
}

const std::shared_ptr<const LineDecorator>& FileInput::line_decorator(WatchedFile& f) {
  if (!f.line_decorator)
    f.line_decorator = std::make_shared<FileLineDecorator>(f.path, host_, path_field_, host_field_);
  return f.line_decorator;
}

void FileInput::decorate(Event& e) { line_decorator(*current_)->decorate(e, current_too_long_); }

void FileInput::retire(WatchedFile& f, bool forget_position) {
  close_file(f);
  flush_codec(f);
  const bool unsealed = has_unsealed_events(f);
  if (f.dirty) {
    retired_records_.push_back({f.key, f.line_pos, f.path, false});
    dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &f), dirty_.end());
  }
  if (forget_position) {
    PositionRecord forget{f.key, 0, f.path, true};
    if (unsealed) {
      retired_records_.push_back(std::move(forget));  // after its last position
    } else {
      record_after_sealed(std::move(forget));
    }
  }
  order_.erase(std::remove(order_.begin(), order_.end(), &f), order_.end());
  files_.erase(f.key);  // f is gone now
}

// ------------------------------------------------------------ tail mode

bool FileInput::tail_pass() {
  bool progressed = false;
  const auto now = Clock::now();
  for (WatchedFile* f : order_) {
    if (stop_requested()) break;
    if (f->state == FileState::Waiting && open_count_ < max_open_files_ &&
        now >= f->retry_open_after)
      open_file(*f);
    if (f->state == FileState::Open && read_available(*f, chunk_count_) > 0) progressed = true;
  }
  return progressed;
}

void FileInput::tail_stat_pass() {
  // 1. Which files does their path still name?
  for (WatchedFile* f : order_) {
    struct stat st;
    bool same = stat(f->path.c_str(), &st) == 0 && key_of(st) == f->key;
    f->moved = !same;
    if (!same) need_discovery_ = true;
  }
  // 2. A moved file may have moved to a name we watch too: that keeps it.
  if (need_discovery_) discover(false);

  // 3. Act.
  const auto now = Clock::now();
  std::vector<std::pair<WatchedFile*, bool>> to_retire;  // file, forget its position
  for (WatchedFile* f : order_) {
    if (f->state == FileState::Open) {
      struct stat st;
      if (fstat(f->fd, &st) != 0) continue;
      bool deleted = st.st_nlink == 0;
      if (static_cast<uint64_t>(st.st_size) < f->read_pos) {
        log_info("file input {}: {} was truncated, reading it from the start", id(), f->path);
        restart_from_zero(*f);
        read_available(*f, chunk_count_);
      }
      if (f->moved || deleted) {
        // A writer may still append for a moment after a rename: keep reading
        // until the file has been quiet for a whole stat interval.
        read_available(*f, UINT64_MAX);
        if (f->moved_seen && f->read_pos == f->read_pos_at_last_stat) {
          end_of_content(*f);
          to_retire.emplace_back(f, deleted);
        }
        f->moved_seen = true;
      } else {
        f->moved_seen = false;
        if (close_older_s_ > 0 && now - f->last_data >= seconds_to_duration(close_older_s_)) {
          close_file(*f);
          f->state = FileState::Closed;
        }
      }
      f->read_pos_at_last_stat = f->read_pos;
    } else if (f->moved) {
      // Closed or not yet opened, and gone from its path: what it still held is out of reach.
      log_info("file input {}: {} is gone", id(), f->path);
      to_retire.emplace_back(f, false);
    } else if (f->state == FileState::Closed) {
      struct stat st;
      if (stat(f->path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) != f->read_pos)
        f->state = FileState::Waiting;  // grew (or shrank): reopen
    }
  }
  for (auto& [f, forget] : to_retire) retire(*f, forget);
}

// ------------------------------------------------------------ read mode

bool FileInput::read_pass() {
  for (WatchedFile* f : order_) {
    if (stop_requested()) return false;
    if (f->state != FileState::Waiting || Clock::now() < f->retry_open_after) continue;
    if (!open_file(*f)) {
      if (f->moved) {
        log_info("file input {}: {} vanished before it was read", id(), f->path);
        retire(*f, false);
      } else {
        // Unreadable (logged): skipped for this run, so that exit_after_read ends.
        f->state = FileState::Done;
        f->completed = true;
      }
      return true;
    }
    read_available(*f, UINT64_MAX);
    if (stop_requested()) {  // leave the rest for the next run
      close_file(*f);
      f->state = FileState::Waiting;
      return false;
    }
    finish_read(*f);
    return true;
  }
  return false;
}

void FileInput::finish_read(WatchedFile& f) {
  end_of_content(f);
  close_file(f);
  f.state = FileState::Done;
  std::lock_guard<std::mutex> lock(state_mu_);
  auto e = committed_.find(f.key);
  if (!f.pushed_lines || (e != committed_.end() && e->second.position >= f.line_pos)) {
    completed_ready_.push_back(f.key);
  } else {
    awaiting_[f.key] = f.line_pos;
  }
}

// file_completed_action for files whose every line was delivered.
void FileInput::run_completed_actions() {
  std::vector<FileKey> ready;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    ready.swap(completed_ready_);
  }
  for (const FileKey& key : ready) {
    auto it = files_.find(key);
    if (it == files_.end()) continue;
    WatchedFile& f = *it->second;
    f.completed = true;
    if (log_completed_) {
      int fd = open(completed_log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      std::string line = f.path + "\n";
      if (fd < 0 || write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        log_error("file input {}: cannot append to {}: {}", id(), completed_log_path_,
                  strerror(errno));
      if (fd >= 0) close(fd);
    }
    if (delete_completed_) {
      struct stat st;
      // Only the file that was read: the path may name a new one by now.
      if (stat(f.path.c_str(), &st) == 0 && key_of(st) == f.key && unlink(f.path.c_str()) != 0)
        log_error("file input {}: cannot delete {}: {}", id(), f.path, strerror(errno));
      {
        std::lock_guard<std::mutex> lock(state_mu_);
        committed_.erase(key);  // its inode may be reused by a new file
        persist_dirty_ = true;
      }
      // Deleted: nothing of it is to be recorded any more.
      dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &f), dirty_.end());
      order_.erase(std::remove(order_.begin(), order_.end(), &f), order_.end());
      files_.erase(it);
    }
  }
}

bool FileInput::all_files_completed() {
  for (auto& [key, f] : files_)
    if (!f->completed) return false;
  std::lock_guard<std::mutex> lock(state_mu_);
  return awaiting_.empty() && completed_ready_.empty();
}

// ------------------------------------------------------------ run

void FileInput::run(InputContext& ctx) {
  ctx_ = &ctx;
  ran_ = true;
  last_write_ns_ = Clock::now().time_since_epoch().count();
  load_sincedb();
  if (log_completed_ && !tail_mode_) {
    int fd = open(completed_log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
      log_error("file input {}: file_completed_log_path {} cannot be created: {}", id(),
                completed_log_path_, strerror(errno));
    else
      close(fd);
  }

  discover(true);
  const auto stat_period = seconds_to_duration(stat_interval_s_);
  auto next_stat = Clock::now() + stat_period;
  int64_t stat_passes = 0;
  const bool keep_discovering = tail_mode_ || !exit_after_read_;
  while (!stop_requested()) {
    bool progressed = tail_mode_ ? tail_pass() : read_pass();
    if (!tail_mode_) {
      run_completed_actions();
      if (exit_after_read_ && all_files_completed()) break;
    }
    maybe_write_sincedb();
    auto now = Clock::now();
    if (now >= next_stat) {
      if (tail_mode_) tail_stat_pass();
      ++stat_passes;
      if (keep_discovering && (need_discovery_ || stat_passes % discover_every_ == 0))
        discover(false);
      next_stat = now + stat_period;
      continue;
    }
    if (progressed) continue;
    if (!tail_mode_ && exit_after_read_)
      ctx.flush();  // nothing left to read: let the last lines go
    wait_until(next_stat);
  }
  // Bytes after the last whole line are not consumed: the next run reads them again.
  for (WatchedFile* f : order_) flush_codec(*f);
  ctx.flush();
  for (auto& [key, f] : files_) {
    close_file(*f);
    if (f->state == FileState::Open) f->state = FileState::Waiting;
  }
  write_sincedb();
}

// ------------------------------------------------------------ acknowledgements

void FileInput::sealed(uint64_t batch_seq) {
  ++seal_epoch_;
  last_sealed_seq_ = batch_seq;
  if (dirty_.empty() && retired_records_.empty()) return;
  std::vector<PositionRecord> records = std::move(retired_records_);
  retired_records_.clear();
  records.reserve(records.size() + dirty_.size());
  for (WatchedFile* f : dirty_) {
    records.push_back({f->key, f->line_pos, f->path, false});
    f->dirty = false;
  }
  dirty_.clear();
  std::lock_guard<std::mutex> lock(pending_mu_);
  pending_.sealed(batch_seq, std::move(records));
}

void FileInput::committed(uint64_t batch_seq) {
  bool completions = false;
  {
    // Both locks: a position-only record (advance_skipped) must not be
    // applied before older records of the same file.
    std::lock_guard<std::mutex> lock(pending_mu_);
    std::vector<PositionRecord> records = pending_.committed(batch_seq);
    if (!records.empty()) {
      std::lock_guard<std::mutex> state_lock(state_mu_);
      completions = apply_committed_locked(records);
    }
  }
  if (completions) wake();
  maybe_write_sincedb();
}

// Moves delivered positions into the sincedb state; true when a read-mode
// file became complete.
bool FileInput::apply_committed_locked(std::vector<PositionRecord>& records) {
  bool completions = false;
  const double now = wall_seconds();
  for (auto& r : records) {
    if (r.forget) {
      committed_.erase(r.key);
      continue;
    }
    SincedbEntry& e = committed_[r.key];
    e.position = r.position;
    e.last_active = now;
    e.path = std::move(r.path);
    auto waiting = awaiting_.find(r.key);
    if (waiting != awaiting_.end() && r.position >= waiting->second) {
      completed_ready_.push_back(r.key);
      awaiting_.erase(waiting);
      completions = true;
    }
  }
  persist_dirty_ = true;
  return completions;
}

// ------------------------------------------------------------ sincedb

void FileInput::load_sincedb() {
  if (!persist_) return;
  if (!make_dirs(parent_dir(sincedb_path_)))
    log_warn("file input {}: cannot create the directory of {}", id(), sincedb_path_);
  FILE* in = fopen(sincedb_path_.c_str(), "re");
  if (!in) {
    if (errno != ENOENT)
      log_warn("file input {}: cannot read {}: {}", id(), sincedb_path_, strerror(errno));
    return;
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  char* line = nullptr;
  size_t cap = 0;
  size_t bad = 0;
  const double now = wall_seconds();
  for (ssize_t len; (len = getline(&line, &cap, in)) > 0;) {
    std::string_view text(line, static_cast<size_t>(len));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.empty()) continue;
    // inode major minor position [last_active [path]] — the path may hold spaces.
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (fields.size() < 5 && start <= text.size()) {
      size_t space = text.find(' ', start);
      if (space == std::string_view::npos) space = text.size();
      fields.push_back(text.substr(start, space - start));
      start = space + 1;
    }
    std::string_view path = start < text.size() ? text.substr(start) : std::string_view();
    auto number = [](std::string_view s, uint64_t* out) {
      if (s.empty()) return false;
      std::string tmp(s);
      char* end = nullptr;
      errno = 0;
      *out = strtoull(tmp.c_str(), &end, 10);
      return errno == 0 && end == tmp.c_str() + tmp.size();
    };
    uint64_t inode, maj, min, pos;
    if (fields.size() < 4 || !number(fields[0], &inode) || !number(fields[1], &maj) ||
        !number(fields[2], &min) || !number(fields[3], &pos)) {
      ++bad;
      continue;
    }
    SincedbEntry e{pos, now, std::string(path)};
    if (fields.size() >= 5) {
      std::string ts(fields[4]);
      char* end = nullptr;
      double t = strtod(ts.c_str(), &end);
      if (end == ts.c_str() + ts.size() && t > 0) e.last_active = t;
    }
    committed_[FileKey{inode, static_cast<uint32_t>(maj), static_cast<uint32_t>(min)}] =
        std::move(e);
  }
  free(line);
  fclose(in);
  if (bad) log_warn("file input {}: skipped {} unreadable lines of {}", id(), bad, sincedb_path_);
}

void FileInput::maybe_write_sincedb() {
  if (!persist_dirty_.load()) return;
  int64_t since = Clock::now().time_since_epoch().count() - last_write_ns_.load();
  if (std::chrono::nanoseconds(since) >= seconds_to_duration(write_interval_s_)) write_sincedb();
}

// Writes the committed positions: temporary file, fsync, rename, so that a
// crash leaves the old file or the new one, never half of one.
void FileInput::write_sincedb() {
  if (!persist_) return;
  std::lock_guard<std::mutex> write_lock(write_mu_);
  std::string text;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (!persist_dirty_.exchange(false)) return;
    const double now = wall_seconds();
    char buf[128];
    for (auto it = committed_.begin(); it != committed_.end();) {
      const SincedbEntry& e = it->second;
      if (clean_after_s_ > 0 && now - e.last_active > clean_after_s_) {
        it = committed_.erase(it);
        continue;
      }
      snprintf(buf, sizeof buf, "%llu %u %u %llu %.6f",
               static_cast<unsigned long long>(it->first.inode), it->first.major, it->first.minor,
               static_cast<unsigned long long>(e.position), e.last_active);
      text += buf;
      if (!e.path.empty()) text.append(" ").append(e.path);
      text.push_back('\n');
      ++it;
    }
  }
  last_write_ns_ = Clock::now().time_since_epoch().count();

  std::string tmp = sincedb_path_ + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  for (size_t off = 0; ok && off < text.size();) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  if (fd >= 0) ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp.c_str(), sincedb_path_.c_str()) == 0;
  if (!ok) {
    if (!write_error_logged_)
      log_error("file input {}: cannot write {}: {}", id(), sincedb_path_, strerror(errno));
    write_error_logged_ = true;
    unlink(tmp.c_str());
    persist_dirty_ = true;  // try again later
  } else {
    write_error_logged_ = false;
  }
}

}  // namespace

// ------------------------------------------------------------ registration

std::unique_ptr<Input> make_file_input(const PluginArgs& args, size_t max_line_bytes) {
  return std::make_unique<FileInput>(args, max_line_bytes);
}

PluginInfo file_input_info() {
  PluginInfo info;
  info.name = "file";
  info.kind = PluginKind::Input;
  info.description =
      "Reads lines from files: follows them as they grow (tail) or reads each once (read).";
  info.default_codec = "plain";
  info.options = file_schema().specs();
  info.make_input = [](const PluginArgs& args) -> std::unique_ptr<Input> {
    return std::make_unique<FileInput>(args, kFileInputMaxLineBytes);
  };
  return info;
}

}  // namespace logpipe
