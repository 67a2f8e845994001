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
// - an Output is one instance, called by every worker; the pipeline serialises
//   the calls (one batch at a time) unless the output says it is thread-safe.
// - a Codec instance belongs to one input or one output.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/options.h"

namespace logpipe {

class Codec;
class SprintfTemplate;

// What every plugin knows about where it runs.
struct PluginEnv {
  std::string data_dir = "./data";  // --path.data: state such as file positions
  int worker_index = 0;             // for filters: which worker this copy is for
  int workers = 1;
  bool config_support_escapes = false;
  // True for the one build made while the config is compiled (also for -t);
  // workers then build their own copies. Warnings about the configuration
  // are given in that build only, so they appear once.
  bool validating = false;
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
  // End of stream: emit whatever is buffered (the last line without newline).
  virtual void flush(const EventSink& sink) { (void)sink; }
  // Appends the encoded form of e to out (with its delimiter, if any).
  virtual void encode(const Event& e, std::string& out) = 0;
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
  // calls filter() on each; override for batch-wide work.
  virtual void process(const std::vector<Event*>& events, FilterContext& ctx);
  virtual void filter(Event& e, FilterContext& ctx) { (void)e; (void)ctx; }

  const std::string& id() const { return id_; }

  // Options every filter has (Logstash's filter base): add_field, add_tag,
  // remove_field, remove_tag, id, enable_metric, periodic_flush.
  static OptionSpecs common_options();

 protected:
  // Call when the filter succeeded on e: applies add_field, add_tag,
  // remove_field and remove_tag, in Logstash's order.
  void filter_matched(Event& e) const;

 private:
  struct Common;
  std::shared_ptr<const Common> common_;
  std::string id_;
};

// ---------------------------------------------------------------- inputs

class InputContext {
 public:
  virtual ~InputContext() = default;
  // Adds an event to the batch being built, after applying the input's common
  // options (type, tags, add_field). May seal the batch (when it is full) and
  // then blocks while the pipeline queue is full: that is backpressure.
  virtual void push(Event&& e) = 0;
  // Seals the batch being built if it holds events older than the batch delay.
  // Inputs call this whenever they wake up, at least every batch delay.
  virtual void tick() = 0;
  // Seals the batch being built now (end of a file, shutdown).
  virtual void flush() = 0;
  // True once shutdown began: run() should return soon.
  virtual bool stopping() const = 0;
  // Milliseconds an input may block waiting for data before calling tick().
  virtual int poll_interval_ms() const = 0;
  // True while the pipeline queue has no free place, i.e. the next sealed
  // batch would make push() block. Inputs that must keep talking to their
  // source while the pipeline is full (Kafka: pause partitions, keep polling)
  // check this instead of blocking in push().
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
  // Every event of every batch up to and including batch_seq has been
  // accepted by every output. Called from a worker thread (never concurrently
  // with itself); store positions / offsets here.
  virtual void committed(uint64_t batch_seq) { (void)batch_seq; }

  const std::string& id() const { return id_; }

  // Options every input has: type, tags, add_field, codec, id, enable_metric.
  static OptionSpecs common_options();

 private:
  std::string id_;
};

// ---------------------------------------------------------------- outputs

class Output {
 public:
  explicit Output(const PluginArgs& args) : id_(args.id) {}
  virtual ~Output() = default;

  // Delivers the events. Returns once they are accepted (written, or handed
  // to a dead-letter file); throws only on a failure the output cannot retry.
  virtual void receive(const std::vector<const Event*>& events) = 0;
  // Pushes buffered bytes out (called when the pipeline drains and after each
  // batch when the output buffers).
  virtual void flush() {}
  // True when receive() may be called by several workers at once.
  virtual bool thread_safe() const { return false; }

  const std::string& id() const { return id_; }

  // Options every output has: codec, id, enable_metric, workers.
  static OptionSpecs common_options();

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

}  // namespace logpipe
