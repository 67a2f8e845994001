// multiline: joins lines into events, as Logstash's multiline codec does.
//
// Each line is matched against `pattern` (grok: %{NAME} from the built-in
// legacy pattern set and patterns_dir); `negate` inverts the answer. A
// matching line belongs to the previous event (what => previous: the buffer
// is flushed first on a non-matching line) or to the next one (what => next:
// a non-matching line ends the buffered event). Joined lines are separated
// by "\n"; an event of more than one line is tagged multiline_tag, and a
// buffer flushed because it exceeded max_lines or max_bytes is tagged
// multiline_codec_max_lines_reached / multiline_codec_max_bytes_reached.
// The buffer waits for the line that ends it, for flush() (end of stream) or
// for tick() once auto_flush_interval passed since its last line.
//
// State is per instance: inputs make one per stream (TCP connection, file),
// so lines of different streams never join. decode() takes a chunk of a
// stream (its last partial line waits for the next chunk); decode_line() one
// complete line.
#include "engine/codecs/charset.h"
#include "engine/codecs/codec_options.h"
#include "engine/codecs/codecs.h"
#include "engine/codecs/line_splitter.h"
#include "engine/codecs/text_format.h"
#include "filters/grok/grok_compiler.h"
#include "filters/grok/grok_matcher.h"

namespace logpipe {

namespace {

struct MultilineOptions {
  std::string pattern;
  std::string what;
  bool negate = false;
  std::vector<std::string> patterns_dir;
  std::string charset;
  std::string multiline_tag;
  int64_t max_lines = 500;
  Bytes max_bytes;
  std::optional<double> auto_flush_interval;
  std::string ecs_compatibility;
};

const OptionSchema<MultilineOptions>& multiline_schema() {
  static const OptionSchema<MultilineOptions> schema = [] {
    OptionSchema<MultilineOptions> s;
    s.string("pattern", &MultilineOptions::pattern,
             "Grok expression each line is matched against (%{NAME} patterns allowed).")
        .required();
    s.string("what", &MultilineOptions::what,
             "Where a matching line belongs: to the previous event or the next one.")
        .required()
        .one_of({"previous", "next"});
    s.boolean("negate", &MultilineOptions::negate, "Apply `what` to lines that do NOT match.")
        .fallback(false);
    s.strings("patterns_dir", &MultilineOptions::patterns_dir,
              "Directories (all their files) or files of extra grok patterns.")
        .fallback(Array{});
    codec_options::charset(s, &MultilineOptions::charset);
    s.string("multiline_tag", &MultilineOptions::multiline_tag,
             "Tag added to events made of more than one line (empty: none).")
        .fallback("multiline");
    s.integer("max_lines", &MultilineOptions::max_lines,
              "An event is flushed (and tagged multiline_codec_max_lines_reached) once it has "
              "more lines than this.")
        .fallback(500);
    s.bytes("max_bytes", &MultilineOptions::max_bytes,
            "An event is flushed (and tagged multiline_codec_max_bytes_reached) once its lines "
            "reach this size.")
        .fallback("10 MiB");
    s.number("auto_flush_interval", &MultilineOptions::auto_flush_interval,
             "Seconds without a new line after which the buffered event is flushed; default: "
             "wait for the next line or the end of the stream.");
    codec_options::ecs_compatibility(s, &MultilineOptions::ecs_compatibility);
    return s;
  }();
  return schema;
}

GrokMatcher compile_pattern(const MultilineOptions& o) {
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), "legacy");
  for (const auto& path : o.patterns_dir) {
    std::string error;
    if (!library.add_path(path, "*", &error)) throw OptionError("patterns_dir", error);
  }
  try {
    GrokCompiler compiler(library, /*named_captures_only=*/true);
    return GrokMatcher(compiler.compile(o.pattern));
  } catch (const GrokCompileError& e) {
    throw OptionError("pattern", std::string("grok pattern \"") + o.pattern + "\": " + e.what());
  }
}

class MultilineCodec : public Codec {
 public:
  explicit MultilineCodec(const PluginArgs& args)
      : MultilineCodec(multiline_schema().bind(args.settings)) {}
  explicit MultilineCodec(const MultilineOptions& o)
      : matcher_(compile_pattern(o)),
        previous_(o.what == "previous"),
        negate_(o.negate),
        charset_(o.charset),
        tag_(o.multiline_tag),
        max_lines_(static_cast<size_t>(std::max<int64_t>(0, o.max_lines))),
        max_bytes_(o.max_bytes.count) {
    if (o.max_lines < 1) throw OptionError("max_lines", "must be at least 1");
    if (o.auto_flush_interval) {
      if (!(*o.auto_flush_interval > 0))
        throw OptionError("auto_flush_interval", "must be a number of seconds above 0");
      auto_flush_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(*o.auto_flush_interval));
    }
    if (o.ecs_compatibility != "disabled") original_ = FieldRef::must("[event][original]");
  }

  void decode(std::string_view data, const EventSink& sink) override {
    splitter_.split(data, [&](std::string_view line) { decode_line(line, sink); });
  }

  void decode_line(std::string_view line, const EventSink& sink) override {
    if (charset_.passthrough()) {
      on_line(line, sink);
    } else {
      std::string utf8 = charset_.to_utf8(line);
      on_line(utf8, sink);
    }
  }

  void flush(const EventSink& sink) override {
    if (splitter_.has_rest()) decode_line(splitter_.take_rest(), sink);
    emit(sink);
  }

  void tick(std::chrono::steady_clock::time_point now, const EventSink& sink) override {
    if (auto_flush_ && lines_count_ > 0 && now - last_line_ >= *auto_flush_) emit(sink);
  }

  // Logstash's multiline encode hands the event on unchanged: its text form.
  void encode(const Event& e, std::string& out) override { append_event_to_s(e, out); }

 private:
  void on_line(std::string_view line, const EventSink& sink) {
    bool matched = matcher_.match(line) != negate_;
    if (previous_) {
      if (!matched || over_limits()) emit(sink);
      buffer(line);
    } else {
      buffer(line);
      if (!matched || over_limits()) emit(sink);
    }
  }

  void buffer(std::string_view line) {
    if (lines_count_ > 0) message_ += '\n';
    message_.append(line);
    bytes_ += line.size();
    ++lines_count_;
    last_line_ = std::chrono::steady_clock::now();
  }

  bool over_lines() const { return lines_count_ > max_lines_; }
  bool over_bytes() const { return bytes_ >= max_bytes_; }
  bool over_limits() const { return over_lines() || over_bytes(); }

  void emit(const EventSink& sink) {
    if (lines_count_ == 0) return;
    const bool joined = lines_count_ > 1, too_many = over_lines(), too_big = over_bytes();
    Event e(std::move(message_));
    if (original_) e.set(*original_, Value(*e.message()));
    if (joined && !tag_.empty()) e.add_tag(tag_);
    if (too_big) e.add_tag("multiline_codec_max_bytes_reached");
    if (too_many) e.add_tag("multiline_codec_max_lines_reached");
    message_.clear();
    lines_count_ = 0;
    bytes_ = 0;
    sink(std::move(e));
  }

  GrokMatcher matcher_;
  bool previous_;
  bool negate_;
  CharsetDecoder charset_;
  std::string tag_;
  size_t max_lines_;
  uint64_t max_bytes_;
  std::optional<std::chrono::steady_clock::duration> auto_flush_;
  std::optional<FieldRef> original_;
  LineSplitter splitter_;
  std::string message_;
  size_t lines_count_ = 0;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace

PluginInfo multiline_codec_info() {
  PluginInfo info;
  info.name = "multiline";
  info.kind = PluginKind::Codec;
  info.description =
      "Joins lines into events by a grok pattern (stack traces, continued lines); one state per "
      "stream.";
  info.options = multiline_schema().specs();
  info.make_codec = [](const PluginArgs& args) -> std::unique_ptr<Codec> {
    return std::make_unique<MultilineCodec>(args);
  };
  return info;
}

}  // namespace logpipe
