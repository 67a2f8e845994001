#include "outputs/file_output.h"

#include "engine/config/typed_options.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "engine/system/log.h"
#include "engine/system/system_io.h"
#include "engine/event/sprintf.h"

namespace logpipe {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStaleCleanupInterval = std::chrono::seconds(10);  // Logstash's, fixed
constexpr size_t kMaxOpenFiles = 256;
constexpr size_t kKeepCapacity = 1 << 20;



std::string errno_text(int err) { return std::strerror(err); }

// Logstash's FIELD_REF test: a %{...} with something inside.
bool has_field_ref(std::string_view s) {
  for (size_t pos = s.find("%{"); pos != std::string_view::npos; pos = s.find("%{", pos + 1)) {
    size_t close = s.find('}', pos + 2);
    if (close != std::string_view::npos && close > pos + 2) return true;
  }
  return false;
}

// An absolute path with "." and ".." resolved and repeated slashes removed,
// without touching the file system (Ruby's File.expand_path).
std::string normalize_path(std::string_view path) {
  std::string base;
  if (path == "~" || path.substr(0, 2) == "~/") {
    const char* home = std::getenv("HOME");
    base = home ? home : "";
    path.remove_prefix(1);
  } else if (path.empty() || path[0] != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd)) base = cwd;
  }
  std::vector<std::string_view> parts;
  auto add_parts = [&parts](std::string_view s) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find('/', start);
      if (end == std::string_view::npos) end = s.size();
      std::string_view part = s.substr(start, end - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
  };
  add_parts(base);
  add_parts(path);
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

struct FileOutputOptions {
  std::string path;
  bool gzip = false;
  bool create_if_deleted = true;
  int64_t dir_mode = -1, file_mode = -1;
  std::string filename_failure, write_behavior;
};

const OptionSchema<FileOutputOptions>& file_output_schema() {
  static const OptionSchema<FileOutputOptions> schema = [] {
    using O = FileOutputOptions;
    OptionSchema<O> s;
    s.string("path", &O::path,
             "File to write; may use %{field} and %{+yyyy.MM.dd}. Its first directory must be fixed.")
        .required();
    s.accepted("flush_interval", OptionType::Number,
               "Seconds between flushes. Accepted; logpipe writes every batch to the OS before "
               "acknowledging it.")
        .fallback(2);
    s.boolean("gzip", &O::gzip, "Gzip the output (not supported yet).").fallback(false);
    s.boolean("create_if_deleted", &O::create_if_deleted,
              "Recreate a file deleted while in use; when false, its events go to filename_failure.")
        .fallback(true);
    s.integer("dir_mode", &O::dir_mode, "Mode of created directories, as octal digits (0750); -1: the OS default.")
        .fallback(-1);
    s.integer("file_mode", &O::file_mode, "Mode of created files, as octal digits (0640); -1: the OS default.")
        .fallback(-1);
    s.string("filename_failure", &O::filename_failure, "File, inside the file root, for events whose path is invalid.")
        .fallback("_filepath_failures");
    s.string("write_behavior", &O::write_behavior,
             "append: add each event; overwrite: keep only the last event written.")
        .fallback("append")
        .one_of({"append", "overwrite"});
    return s;
  }();
  return schema;
}

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Logstash writes modes as 0750; a config number keeps the digits, so read
// them as octal. -1 means the OS default.
int octal_mode(int64_t v, const std::string& name) {
  if (v == -1) return -1;
  if (v < 0) throw OptionError(name, "must be -1 or a mode such as 0750");
  int mode = 0;
  int shift = 0;
  for (int64_t rest = v; rest > 0; rest /= 10, shift += 3) {
    int digit = static_cast<int>(rest % 10);
    if (digit > 7) throw OptionError(name, "must be an octal mode such as 0750 (digits 0 to 7)");
    mode |= digit << shift;
  }
  if (mode > 07777) throw OptionError(name, "must be an octal mode no larger than 7777");
  return mode;
}

// mkdir -p; directories it creates get exactly `mode` when one is given.
bool make_directories(const std::string& dir, int mode, int* err) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return true;
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), mode >= 0 ? static_cast<mode_t>(mode) : 0777) == 0) {
      if (mode >= 0) ::chmod(prefix.c_str(), static_cast<mode_t>(mode));
    } else if (errno != EEXIST) {
      *err = errno;
      return false;
    }
  }
  return true;
}


class FileOutput : public Output {
 public:
  explicit FileOutput(const PluginArgs& args);
  ~FileOutput() override;

  // Events are encoded on the filter workers; this thread sorts the bytes
  // into files and writes them.
  std::unique_ptr<OutputEncoder> make_encoder() override {
    return std::make_unique<CodecEncoder>(make_codec_());
  }
  void deliver(OutputWork& work) override;

 private:
  struct OpenFile {
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string pending;  // this batch's bytes for the file
    // Or, for a fixed path, the work's own bytes, written without a copy.
    std::string_view borrowed;
    bool touched = false;
    Clock::time_point last_write{};
  };
  using Files = std::unordered_map<std::string, OpenFile>;

  const std::string& resolve(const Event& e);
  bool inside_root(const std::string& path) const;
  Files::value_type& entry(const std::string& path);
  // Writes f.pending; false (with *err) when the file cannot be opened, or
  // was deleted and may not be recreated.
  bool write_file(const std::string& path, OpenFile& f, bool may_recreate, int* err);
  bool open_file(const std::string& path, OpenFile& f, bool exists, int* err);
  void close_file(OpenFile& f);
  void make_room();
  void close_stale(Clock::time_point now);
  void discard_pending();

  std::function<std::unique_ptr<Codec>()> make_codec_;
  SprintfTemplate path_;
  std::string fixed_path_;  // the path when it has no %{...}
  bool dynamic_ = false;
  std::string root_;
  std::string failure_path_;
  bool overwrite_ = false;
  bool create_if_deleted_ = true;
  int dir_mode_ = -1;
  int file_mode_ = -1;

  Files files_;
  std::vector<Files::value_type*> touched_;  // this batch's files, first use first
  size_t open_count_ = 0;
  std::string scratch_;  // the current event's path
  std::string normalized_;
  Clock::time_point last_cleanup_ = Clock::now();
};

FileOutput::FileOutput(const PluginArgs& args) : Output(args) {
  FileOutputOptions o = file_output_schema().bind(args.settings);
  if (o.gzip) throw OptionError("gzip", "gzip is not supported yet");
  const std::string& raw = o.path;
  if (raw.empty()) throw OptionError("path", "the path must not be empty");
  std::string expanded = normalize_path(raw);

  // Split into components to find the first dynamic one.
  std::vector<std::string> parts;
  for (size_t start = 1; start < expanded.size();) {
    size_t end = expanded.find('/', start);
    if (end == std::string::npos) end = expanded.size();
    parts.push_back(expanded.substr(start, end - start));
    start = end + 1;
  }
  dynamic_ = has_field_ref(expanded);
  if (dynamic_) {
    if (parts.empty() || has_field_ref(parts[0]))
      throw OptionError("path", "The starting part of the path should not be dynamic.");
    for (auto& part : parts) {
      if (has_field_ref(part)) break;
      root_ += '/';
      root_ += part;
    }
    path_ = SprintfTemplate(expanded);
  } else {
    root_ = dirname_of(expanded);
    fixed_path_ = expanded;
  }
  const std::string& failure_name = o.filename_failure;
  if (failure_name.empty() || failure_name.find('/') != std::string::npos || failure_name == "." ||
      failure_name == "..")
    throw OptionError("filename_failure", "must be a plain file name");
  failure_path_ = (root_ == "/" ? "" : root_) + "/" + failure_name;

  overwrite_ = o.write_behavior == "overwrite";
  create_if_deleted_ = o.create_if_deleted;
  dir_mode_ = octal_mode(o.dir_mode, "dir_mode");
  file_mode_ = octal_mode(o.file_mode, "file_mode");

  // Built once here so that a codec that cannot be built fails validation.
  make_codec_ = args.make_codec;
  if (!make_codec_ || !make_codec_()) throw OptionError("codec", "file: no codec could be built");
}

FileOutput::~FileOutput() {
  for (auto& [path, f] : files_) close_file(f);
}

bool FileOutput::inside_root(const std::string& path) const {
  // The literal start of the template is the root, so only what the fields
  // put in can leave it: a "." or ".." component, an empty one, a NUL.
  size_t n = path.size();
  for (size_t i = 0; i < n; ++i) {
    char c = path[i];
    if (c == '\0') return false;
    if (c != '/') continue;
    if (i + 1 == n || path[i + 1] == '/') return false;
    if (path[i + 1] == '.') {
      size_t after = i + 2;
      if (after == n || path[after] == '/') return false;
      if (path[after] == '.' && (after + 1 == n || path[after + 1] == '/')) return false;
    }
  }
  return path.size() > root_.size() + 1 && path.compare(0, root_.size(), root_) == 0 &&
         path[root_.size()] == '/';
}

const std::string& FileOutput::resolve(const Event& e) {
  if (!dynamic_) return fixed_path_;
  scratch_.clear();
  path_.append(e, scratch_);
  if (inside_root(scratch_)) return scratch_;
  if (scratch_.find('\0') == std::string::npos) {
    normalized_ = normalize_path(scratch_);
    if (normalized_.size() > root_.size() + 1 &&
        normalized_.compare(0, root_.size(), root_) == 0 && normalized_[root_.size()] == '/')
      return normalized_;
  }
  log_warn("file output {}: the event's path leaves the file root {}, writing it to {}", id(),
           root_, failure_path_);
  return failure_path_;
}

FileOutput::Files::value_type& FileOutput::entry(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.emplace(path, OpenFile{}).first;
  if (!it->second.touched) {
    it->second.touched = true;
    touched_.push_back(&*it);
  }
  return *it;
}

void FileOutput::deliver(OutputWork& work) {
  struct DiscardOnThrow {
    FileOutput* self;
    ~DiscardOnThrow() {
      if (self) self->discard_pending();
    }
  } guard{this};

  if (!dynamic_ && !overwrite_) {
    if (work.size() > 0) entry(fixed_path_).second.borrowed = work.encoded_all();
  } else {
    Files::value_type* last = nullptr;  // consecutive events usually share a file
    for (size_t i = 0; i < work.size(); ++i) {
      const std::string& path = resolve(*work.events()[i]);
      if (!last || last->first != path) last = &entry(path);
      std::string& out = last->second.pending;
      if (overwrite_) out.clear();
      out.append(work.encoded(i));
    }
  }

  // Files first, the failure file last: failed opens are redirected to it.
  Files::value_type* failure = nullptr;
  for (size_t i = 0; i < touched_.size(); ++i) {
    auto* item = touched_[i];
    if (item->first == failure_path_) {
      failure = item;
      continue;
    }
    OpenFile& f = item->second;
    int err = 0;
    if (!create_if_deleted_ && f.fd < 0 && ::access(item->first.c_str(), F_OK) != 0) {
      err = ENOENT;
    } else if (write_file(item->first, f, create_if_deleted_, &err)) {
      continue;
    }
    log_warn("file output {}: cannot write {} ({}), writing its events to {}", id(), item->first,
             errno_text(err), failure_path_);
    if (!failure) failure = &entry(failure_path_);
    std::string& dest = failure->second.pending;
    if (overwrite_) dest.clear();
    dest += f.pending;
    dest.append(f.borrowed);
    f.pending.clear();
    f.borrowed = {};
  }
  if (failure) {
    int err = 0;
    if (!write_file(failure->first, failure->second, /*may_recreate=*/true, &err))
      throw std::runtime_error("file output " + id() + ": cannot write " + failure->first + ": " +
                               errno_text(err));
  }

  guard.self = nullptr;
  for (auto* item : touched_) item->second.touched = false;
  touched_.clear();
  close_stale(Clock::now());
}

bool FileOutput::write_file(const std::string& path, OpenFile& f, bool may_recreate, int* err) {
  std::string_view data = f.pending.empty() ? f.borrowed : std::string_view(f.pending);
  if (data.empty() && !overwrite_) return true;
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (f.fd >= 0 && !(exists && st.st_dev == f.dev && st.st_ino == f.ino)) {
    // Deleted or replaced (rotated) since we opened it: write to the path again.
    if (!may_recreate && !exists) {
      *err = ENOENT;
      return false;
    }
    close_file(f);
  }
  if (f.fd < 0 && !open_file(path, f, exists, err)) return false;
  if (overwrite_ && ::ftruncate(f.fd, 0) != 0) {
    throw std::runtime_error("file output " + id() + ": cannot truncate " + path + ": " +
                             errno_text(errno));
  }
  if (!write_fully(f.fd, data)) {
    int e = errno;
    throw std::runtime_error("file output " + id() + ": write to " + path + " failed: " +
                             errno_text(e));
  }
  f.pending.clear();
  f.borrowed = {};
  if (f.pending.capacity() > kKeepCapacity) std::string().swap(f.pending);
  f.last_write = Clock::now();
  return true;
}

bool FileOutput::open_file(const std::string& path, OpenFile& f, bool exists, int* err) {
  if (!exists && !make_directories(dirname_of(path), dir_mode_, err)) return false;
  make_room();
  mode_t mode = file_mode_ >= 0 ? static_cast<mode_t>(file_mode_) : 0666;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *err = errno;
    ::close(fd);
    return false;
  }
  if (!exists && file_mode_ >= 0) ::fchmod(fd, mode);  // exactly the mode asked for
  f.fd = fd;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  ++open_count_;
  log_info("file output {}: opened {}", id(), path);
  return true;
}

void FileOutput::close_file(OpenFile& f) {
  if (f.fd < 0) return;
  ::close(f.fd);
  f.fd = -1;
  --open_count_;
}

void FileOutput::make_room() {
  if (open_count_ < kMaxOpenFiles) return;
  OpenFile* oldest = nullptr;
  for (auto& [path, f] : files_)
    if (f.fd >= 0 && (!oldest || f.last_write < oldest->last_write)) oldest = &f;
  if (oldest) close_file(*oldest);
}

void FileOutput::close_stale(Clock::time_point now) {
  if (now - last_cleanup_ < kStaleCleanupInterval) return;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.last_write < last_cleanup_) {
      close_file(it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  last_cleanup_ = now;
}

void FileOutput::discard_pending() {
  for (auto* item : touched_) {
    item->second.pending.clear();
    item->second.borrowed = {};
    item->second.touched = false;
  }
  touched_.clear();
}

}  // namespace

PluginInfo file_output_info() {
  PluginInfo info;
  info.name = "file";
  info.kind = PluginKind::Output;
  info.description = "Appends events to files; the path may use %{field} and %{+date} formats.";
  info.default_codec = "json_lines";
  info.options = file_output_schema().specs();
  info.make_output = [](const PluginArgs& args) -> std::unique_ptr<Output> {
    return std::make_unique<FileOutput>(args);
  };
  return info;
}

}  // namespace logpipe
