// LineSplitter: cuts a byte stream into lines at a delimiter, keeping the
// partial last line until the next chunk completes it (Logstash's
// BufferedTokenizer, used by the line and json_lines codecs).
//
// Lines are handed out without their delimiter; an empty line (two
// delimiters in a row) is an empty line, not skipped. A delimiter of several
// bytes may be split across chunks. Lines have no length limit: a stream
// without delimiters grows the buffer, so inputs bound what they read.
// Not thread-safe (one per codec instance).
#pragma once

#include <string>
#include <string_view>

namespace logpipe {

class LineSplitter {
 public:
  // delimiter must not be empty.
  explicit LineSplitter(std::string delimiter = "\n") : delimiter_(std::move(delimiter)) {}

  // Calls on_line(std::string_view) for each line completed by data. The
  // view is valid only during the call.
  template <class OnLine>
  void split(std::string_view data, OnLine&& on_line);

  // The buffered partial line (end of stream), then forgets it.
  std::string take_rest();
  bool has_rest() const { return !pending_.empty(); }
  const std::string& delimiter() const { return delimiter_; }

 private:
  template <class OnLine>
  void split_fresh(std::string_view data, OnLine& on_line);
  void keep(std::string_view rest);

  std::string delimiter_;
  std::string pending_;
};

template <class OnLine>
void LineSplitter::split(std::string_view data, OnLine&& on_line) {
  if (pending_.empty()) {
    split_fresh(data, on_line);
    return;
  }
  // The first delimiter may start inside the pending bytes.
  const size_t old = pending_.size();
  const size_t overlap = delimiter_.size() - 1;
  pending_.append(data);
  size_t pos = pending_.find(delimiter_, old > overlap ? old - overlap : 0);
  if (pos == std::string::npos) return;
  on_line(std::string_view(pending_.data(), pos));
  // That delimiter ends inside data, so what follows is a suffix of data.
  size_t used = pos + delimiter_.size() - old;
  pending_.clear();
  split_fresh(data.substr(used), on_line);
}

template <class OnLine>
void LineSplitter::split_fresh(std::string_view data, OnLine& on_line) {
  size_t start = 0;
  for (;;) {
    size_t pos = data.find(delimiter_, start);
    if (pos == std::string_view::npos) break;
    on_line(data.substr(start, pos - start));
    start = pos + delimiter_.size();
  }
  keep(data.substr(start));
}

}  // namespace logpipe
