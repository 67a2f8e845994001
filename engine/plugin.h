// Plugin interfaces: inputs, filters, outputs and codecs.
//
// A plugin is a small class with a name, an option schema (OptionSpecs) and
// one job. Each is registered in one place, engine/registry.cpp, with a factory
// that builds it from checked Settings. A constructor that cannot accept its
// settings throws OptionError; nothing is started until every plugin of the
// config has been built.
//
// Threads:
// - an Input runs on its own thread (run()); stop() may be called from another.
// - Filters are built once per filter worker, so a filter instance is only ever
//   used by one thread and needs no locking (per-worker caches, per-worker RE2).
// - an Output is one instance with a thread of its own (see "outputs" below);
//   its encoder, if it has one, is built once per filter worker.
// - a Codec instance belongs to one input or one output.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/event.h"
#include "engine/config/options.h"
#include "engine/config/typed_options.h"
#include "engine/metrics/plugin_metrics.h"
#include "engine/runtime/retry_backoff.h"

namespace logpipe {

class Codec;
class SprintfTemplate;

// What every plugin knows about where it runs.
// A debugging hook, set only by `logpipe sandbox` (null in production, where
// filters pay one pointer test): filters that can say what they made of an
// event (grok: which pattern matched, or how far each got) report it here.
class FilterTrace {
 public:
  virtual ~FilterTrace() = default;
  virtual void record(const Event& e, const std::string& filter_id, Value detail) = 0;
};

struct PluginEnv {
  std::string data_dir = "./data";  // --path.data: state such as file positions
  int worker_index = 0;             // for filters: which worker this copy is for
  int workers = 1;
  bool config_support_escapes = false;
  // True for the one build made while the config is compiled (also for -t);
  // workers then build their own copies. Warnings about the configuration
  // are given in that build only, so they appear once.
  bool validating = false;
  FilterTrace* trace = nullptr;  // see FilterTrace
};

struct PluginArgs {
  std::string name;  // the plugin name as written, e.g. "mutate"
  std::string id;    // the `id` option, or a generated one ("mutate_1")
  const Settings& settings;
  const PluginEnv& env;
  // Builds the codec chosen by the `codec` option (or by the plugin's default).
  std::function<std::unique_ptr<Codec>()> make_codec;
};

// ---------------------------------------------------------------- codecs

// Receives decoded events.
using EventSink = std::function<void(Event&&)>;

class Codec {
 public:
  virtual ~Codec() = default;
  // Decodes one unit of input: a chunk of a stream for line-oriented codecs
  // (which buffer partial lines), a whole message for the others.
  virtual void decode(std::string_view data, const EventSink& sink) = 0;
  // One complete line, its delimiter already removed (the file input splits
  // lines itself). Codecs that keep stream state across lines override it.
  virtual void decode_line(std::string_view line, const EventSink& sink) { decode(line, sink); }
  // End of stream: emit whatever is buffered (the last line without newline).
  virtual void flush(const EventSink& sink) { (void)sink; }
  // Called by inputs whenever they wake (at least every batch delay), per
  // stream: a codec holding events back (multiline's auto_flush_interval)
  // emits those that waited long enough.
  virtual void tick(std::chrono::steady_clock::time_point now, const EventSink& sink) {
    (void)now;
    (void)sink;
  }
  // Appends the encoded form of e to out (with its delimiter, if any).
  virtual void encode(const Event& e, std::string& out) = 0;
  // True when decode_line(line) makes exactly Event(line), keeping no state:
  // an input may then hand its lines over as they are (InputContext::push_line).
  virtual bool lines_are_messages() const { return false; }
};

// ---------------------------------------------------------------- filters

// Passed to filters: lets a filter add new events (clone, split ...); they go
// through the rest of the filter graph after this filter.
class FilterContext {
 public:
  virtual ~FilterContext() = default;
  virtual void emit(std::unique_ptr<Event> e) = 0;
};

class Filter {
 public:
  explicit Filter(const PluginArgs& args);
  virtual ~Filter() = default;

  // Runs over the live events of one batch that reach this filter. The default
  // calls filter() on each; an exception tags that event `_filter_error` and
  // the others go on. Override for batch-wide work.
  virtual void process(const std::vector<Event*>& events, FilterContext& ctx);
  virtual void filter(Event& e, FilterContext& ctx) { (void)e; (void)ctx; }
  // Figures of its own for the monitoring API (grok: matches per pattern).
  // Called from any thread while this worker's copy runs: use relaxed
  // atomics. The figures of every worker's copy are summed.
  virtual void collect_metrics(PluginMetrics& out) const { (void)out; }

  const std::string& id() const { return id_; }

  // Options every filter has (Logstash's filter base).
  struct CommonOptions {
    Object add_field;
    std::vector<std::string> add_tag, remove_field, remove_tag;
    std::optional<std::string> id;
    bool enable_metric = true;
  };
  static const OptionSchema<CommonOptions>& common_schema();

 protected:
  // Call when the filter succeeded on e: applies add_field, add_tag,
  // remove_field and remove_tag, in Logstash's order.
  void filter_matched(Event& e) const;
  // Logs a failure that was turned into a tag, at most once a second.
  void report_failure(const char* what);

 private:
  struct Common;
  uint64_t failures_unreported_ = 0;
  int64_t last_failure_log_ms_ = -1000000;
  std::shared_ptr<const Common> common_;
  std::string id_;
};

// ---------------------------------------------------------------- inputs

// What an input adds to the event of a line it hands over with push_line():
// called later, on a filter worker, so it may only read what does not change
// (a file's path, the host name). too_long: the flag given with the line.
class LineDecorator {
 public:
  virtual ~LineDecorator() = default;
  virtual void decorate(Event& e, bool too_long) const = 0;
};

class InputContext {
 public:
  virtual ~InputContext() = default;
  // Adds an event to the batch being built, after applying the input's common
  // options (type, tags, add_field). May seal the batch (when it is full) and
  // then blocks while the pipeline queue is full: that is backpressure.
  virtual void push(Event&& e) = 0;
  // The same for the usual event of a line (message, @timestamp now,
  // @version "1") that `decorator` completes. A context may copy the line
  // into the batch and make the event later, on the worker that filters it,
  // so that the event is built, filtered and encoded in one core's cache.
  // The decorator must outlive the batch (it is shared).
  virtual void push_line(std::string_view line, const std::shared_ptr<const LineDecorator>& decorator,
                         bool too_long) {
    Event e{std::string(line)};
    if (decorator) decorator->decorate(e, too_long);
    push(std::move(e));
  }
  // Seals the batch being built if it holds events older than the batch delay.
  // Inputs call this whenever they wake up, at least every batch delay.
  virtual void tick() = 0;
  // Seals the batch being built now (end of a file, shutdown).
  virtual void flush() = 0;
  // True once shutdown began: run() should return soon.
  virtual bool stopping() const = 0;
  // Milliseconds an input may block waiting for data before calling tick().
  virtual int poll_interval_ms() const = 0;
  // True while the pipeline queue has no free place (or, for an input that
  // never blocks, a sealed batch still waits for one): the next sealed batch
  // would have to wait. Safe to call from any thread.
  virtual bool congested() const = 0;
};

class Input {
 public:
  explicit Input(const PluginArgs& args) : id_(args.id) {}
  virtual ~Input() = default;

  // Reads until the source is exhausted or ctx.stopping(); then returns.
  virtual void run(InputContext& ctx) = 0;
  // Asks a blocked run() to return soon; called from another thread.
  virtual void stop() {}
  // Called on the input's thread, just before a batch is handed to the
  // pipeline, with that batch's sequence number (1, 2, 3 ...): remember what
  // has been read so far (a file position) under this number.
  virtual void sealed(uint64_t batch_seq) { (void)batch_seq; }
  // True for an input that must keep serving its source while the pipeline
  // is full (Kafka: a consumer that stops polling is thrown out of its group).
  // For such an input push(), tick() and flush() never block: a sealed batch
  // that finds the queue full waits in the input's context, congested() stays
  // true until it is queued, and the input is expected to stop pushing
  // meanwhile. Only the final flush, after run() returned, may block.
  virtual bool never_blocks() const { return false; }
  // Every event of every batch up to and including batch_seq has been
  // accepted by every output. Called from a worker thread (never concurrently
  // with itself); store positions / offsets here.
  virtual void committed(uint64_t batch_seq) { (void)batch_seq; }
  // Figures of its own for the monitoring API (Kafka lag). Called from any
  // thread while the input runs, so it must be thread-safe.
  virtual void collect_metrics(PluginMetrics& out) const { (void)out; }

  const std::string& id() const { return id_; }

  // Options every input has (Logstash's input base); codec is Settings::codec().
  struct CommonOptions {
    std::optional<std::string> type;
    std::vector<std::string> tags;
    Object add_field;
    std::optional<std::string> id;
    bool enable_metric = true;
  };
  static const OptionSchema<CommonOptions>& common_schema();

 private:
  std::string id_;
};

// ---------------------------------------------------------------- outputs
//
// Outputs run on the output stage (engine/runtime/output_stage.h). Each
// output has a bounded queue and a thread of its own; the filter workers put
// work on the queue (the events of one batch routed to this output, in
// order, with their bytes already encoded when the output asks for that) and
// block while it is full: that is backpressure. The output's thread calls
// submit() with each piece of work; the output finishes it, at once or later
// from any thread, by calling OutputWork::complete() exactly once. Until
// then the events stay valid and their batch is not acknowledged.
//
// Per event, an output says: delivered (the default), retry later (the
// engine waits with exponential backoff and jitter, then submits the
// remaining events again), or rejected for good with a reason (the event
// goes to the dead-letter sink and counts as done).

// Produces an output's bytes for one event on a filter worker. One instance
// per worker, so it needs no locking.
class OutputEncoder {
 public:
  virtual ~OutputEncoder() = default;
  virtual void encode(const Event& e, std::string& out) = 0;
};

// The encoder of outputs that write what their codec makes (stdout, file).
class CodecEncoder final : public OutputEncoder {
 public:
  explicit CodecEncoder(std::unique_ptr<Codec> codec) : codec_(std::move(codec)) {}
  void encode(const Event& e, std::string& out) override { codec_->encode(e, out); }

 private:
  std::unique_ptr<Codec> codec_;
};

enum class Delivery : uint8_t { Delivered, Retry, Rejected };

class OutputWork {
 public:
  virtual ~OutputWork() = default;
  const std::vector<const Event*>& events() const { return events_; }
  size_t size() const { return events_.size(); }
  // With an encoder: the bytes of event i, and of all of them in order.
  std::string_view encoded(size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  const std::string& encoded_all() const { return bytes_; }
  // How many times these events were submitted before (0 the first time).
  int attempt() const { return attempt_; }

  // The outcome of event i (every event starts as Delivered).
  void set(size_t i, Delivery d, std::string reason = {}) {
    outcomes_[i] = d;
    if (d == Delivery::Delivered) return;
    if (reasons_.empty()) reasons_.resize(outcomes_.size());  // only when one is needed
    reasons_[i] = std::move(reason);
  }
  void retry_all(const std::string& reason) {
    for (size_t i = 0; i < outcomes_.size(); ++i) set(i, Delivery::Retry, reason);
  }
  Delivery outcome(size_t i) const { return outcomes_[i]; }
  const std::string& reason(size_t i) const {
    static const std::string kNone;
    return reasons_.empty() ? kNone : reasons_[i];
  }

  // Hands the work back to the engine; it must not be touched afterwards.
  virtual void complete() = 0;

 protected:
  std::vector<const Event*> events_;
  std::string bytes_;
  std::vector<size_t> ends_;  // with an encoder: end offset of event i in bytes_
  std::vector<Delivery> outcomes_;
  std::vector<std::string> reasons_;  // empty while every event is delivered
  int attempt_ = 0;
};

class Output {
 public:
  explicit Output(const PluginArgs& args) : id_(args.id) {}
  virtual ~Output() = default;

  // Called once per filter worker before start. An output that returns an
  // encoder gets every event's bytes made on the workers, in parallel.
  virtual std::unique_ptr<OutputEncoder> make_encoder() { return nullptr; }
  // How many pieces of work may be submitted and not yet completed. 1 keeps
  // the order of events (a retry holds back what follows it).
  virtual size_t max_in_flight() const { return 1; }
  // The wait before events asked to be retried are submitted again; unset:
  // the engine's default.
  virtual std::optional<RetryBackoff> retry_backoff() const { return std::nullopt; }

  // On the output's thread, one call at a time. The default runs deliver()
  // and completes the work: synchronous outputs override deliver() only.
  virtual void submit(OutputWork& work);
  // Delivers work.events() and returns when done, setting outcomes where an
  // event is not simply delivered. An exception means: retry all of them.
  virtual void deliver(OutputWork& work) { (void)work; }
  // On the output's thread, at least every 100 ms while it has nothing to
  // submit (time-based flushing, timeouts).
  virtual void tick() {}
  // On the output's thread when the drain begins to wait for the last work:
  // push out whatever is buffered.
  virtual void flush() {}
  // Figures of its own for the monitoring API (bulk requests by status).
  // Called from any thread while the output runs: must be thread-safe.
  virtual void collect_metrics(PluginMetrics& out) const { (void)out; }

  const std::string& id() const { return id_; }

  // Options every output has (Logstash's output base); codec is Settings::codec().
  struct CommonOptions {
    std::optional<std::string> id;
    bool enable_metric = true;
  };
  static const OptionSchema<CommonOptions>& common_schema();

 private:
  std::string id_;
};

// ---------------------------------------------------------------- registry

enum class PluginKind { Input, Filter, Output, Codec };
const char* plugin_kind_name(PluginKind k);

struct PluginInfo {
  std::string name;
  PluginKind kind;
  std::string description;
  OptionSpecs options;               // the plugin's own; common ones are added
  std::string default_codec;         // inputs/outputs: codec when none is given
  // Inputs that read a byte stream (stdin, tcp): as in Logstash, a `plain`
  // codec given to them becomes `line` and `json` becomes `json_lines`, so
  // each line is one event rather than each read chunk.
  bool streaming_input = false;
  // Codecs that only encode (dots): refused in an input's `codec`.
  bool encode_only = false;
  std::function<std::unique_ptr<Input>(const PluginArgs&)> make_input;
  std::function<std::unique_ptr<Filter>(const PluginArgs&)> make_filter;
  std::function<std::unique_ptr<Output>(const PluginArgs&)> make_output;
  std::function<std::unique_ptr<Codec>(const PluginArgs&)> make_codec;

  // Own options plus those common to the kind.
  OptionSpecs all_options() const;
};

// All plugins, in registration order. Built once, on first use.
const std::vector<PluginInfo>& plugin_registry();
const PluginInfo* find_plugin(PluginKind kind, std::string_view name);

// Logstash plugins that logpipe will not have, and why: a config naming one
// is refused at validation with that reason rather than "unknown plugin".
struct RefusedPlugin {
  PluginKind kind;
  std::string name;
  std::string reason;
};
const std::vector<RefusedPlugin>& refused_plugins();
const RefusedPlugin* find_refused_plugin(PluginKind kind, std::string_view name);

}  // namespace logpipe
