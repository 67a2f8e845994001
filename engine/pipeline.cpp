#include "engine/pipeline.h"

#include <sys/resource.h>

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "engine/ack_tracker.h"
#include "engine/field_decorators.h"
#include "engine/log.h"
#include "engine/system_io.h"

namespace logpipe {

namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
}

}  // namespace

std::unique_ptr<Codec> make_codec_for(const PluginDecl& decl, const PluginEnv& env) {
  const CodecSpec* spec = decl.settings->codec();
  if (!spec) return nullptr;
  const PluginInfo* info = find_plugin(PluginKind::Codec, spec->name);
  if (!info || !info->make_codec) return nullptr;
  PluginArgs args{spec->name, decl.id + "_codec", spec->settings, env, nullptr};
  return info->make_codec(args);
}

struct Pipeline::Batch {
  std::vector<Event> events;
  std::vector<std::unique_ptr<Event>> extra;  // events made by filters
  InputRunner* input = nullptr;
  uint64_t seq = 0;
  int64_t first_event_ns = 0;
};

struct Pipeline::Queue {
  explicit Queue(size_t capacity) : slots(static_cast<ssize_t>(capacity)) {}
  moodycamel::BlockingConcurrentQueue<Batch*> batches;
  moodycamel::LightweightSemaphore slots;  // free places: bounds the queue
};

struct Pipeline::InputRunner final : InputContext {
  Pipeline* pipeline = nullptr;
  const PluginDecl* decl = nullptr;
  std::unique_ptr<Input> input;
  std::string type;
  bool has_type = false;
  AddFields add_field;
  TagList tags;

  Batch* current = nullptr;
  uint64_t next_seq = 0;
  uint64_t events_in = 0;
  AckTracker acks;
  std::mutex commit_mu;
  uint64_t committed_seq = 0;
  // Finished batches come back here to be reused by this input's thread: their
  // events are then freed by the thread that allocated them (malloc's fast
  // path, no arena lock) and their vectors keep their capacity.
  moodycamel::ConcurrentQueue<Batch*> recycled;

  ~InputRunner() override {
    Batch* b;
    while (recycled.try_dequeue(b)) delete b;
    delete current;
  }

  Batch* new_batch() {
    Batch* b;
    if (recycled.try_dequeue(b)) {
      b->events.clear();
      b->extra.clear();
      return b;
    }
    b = new Batch;
    b->input = this;
    b->events.reserve(static_cast<size_t>(pipeline->settings_.batch_size));
    return b;
  }

  void push(Event&& e) override {
    if (has_type && !e.get_top("type")) e.set_top("type", Value(type));
    if (!add_field.empty()) add_field.apply(e);
    if (!tags.empty()) tags.add_to(e);
    if (Value* m = e.fields().find("message");
        m && m->is_string() && m->as_string().size() > pipeline->settings_.max_message_bytes) {
      truncate_utf8(m->as_string(), pipeline->settings_.max_message_bytes);
      e.add_tag("_message_truncated");
    }
    if (!current) {
      current = new_batch();
      current->first_event_ns = steady_ns();
    }
    current->events.push_back(std::move(e));
    ++events_in;
    if (current->events.size() >= static_cast<size_t>(pipeline->settings_.batch_size)) flush();
  }

  void tick() override {
    if (current &&
        steady_ns() - current->first_event_ns >= pipeline->settings_.batch_delay_ms * 1000000LL)
      flush();
  }

  void flush() override {
    if (!current) return;
    Batch* b = current;
    current = nullptr;
    b->seq = ++next_seq;
    input->sealed(b->seq);
    pipeline->enqueue(b);
  }

  bool stopping() const override { return pipeline->stopping_.load(std::memory_order_relaxed); }
  bool congested() const override { return pipeline->queue_->slots.availableApprox() <= 0; }
  int poll_interval_ms() const override {
    return pipeline->settings_.batch_delay_ms > 0 ? pipeline->settings_.batch_delay_ms : 1;
  }
};

struct Pipeline::OutputSlot {
  std::unique_ptr<Output> output;
  std::mutex mu;
  bool serial = true;
};

struct Pipeline::Worker final : FilterContext {
  std::vector<std::unique_ptr<Filter>> filters;
  Batch* batch = nullptr;
  std::vector<Event*> emitted;
  std::vector<std::vector<const Event*>> per_output;
  LatencyHistogram latency;
  uint64_t events_filtered = 0;
  uint64_t events_out = 0;
  uint64_t batches = 0;

  void emit(std::unique_ptr<Event> e) override {
    emitted.push_back(e.get());
    batch->extra.push_back(std::move(e));
  }
};

namespace {

void drop_cancelled(std::vector<Event*>& events) {
  size_t j = 0;
  for (Event* e : events)
    if (!e->cancelled()) events[j++] = e;
  events.resize(j);
}

// Index of the branch an event takes, -1 for none.
int choose_branch(const GraphNode& node, const Event& e) {
  for (size_t i = 0; i < node.branches.size(); ++i)
    if (node.branches[i].condition->eval(e)) return static_cast<int>(i);
  return node.else_body.empty() && node.branches.size() > 0 ? -1
                                                            : static_cast<int>(node.branches.size());
}

}  // namespace

// Runs the filter nodes over events. On return, events holds the survivors in
// their original order, followed by any events the filters created.
static void run_filter_nodes(std::vector<std::unique_ptr<Filter>>& filters,
                             const std::vector<GraphNode>& nodes, std::vector<Event*>& events,
                             FilterContext& ctx, std::vector<Event*>& emitted,
                             const PipelineConfig& config) {
  for (const GraphNode& node : nodes) {
    if (events.empty()) return;
    if (node.kind == GraphNode::Kind::Plugin) {
      emitted.clear();
      try {
        filters[node.plugin]->process(events, ctx);
      } catch (const std::exception& ex) {
        // A filter bug must not lose the batch: tag and carry on.
        log_error("filter {} ({}) failed: {}", config.filters[node.plugin].id,
                  config.filters[node.plugin].where, ex.what());
        for (Event* e : events) e->add_tag("_filter_error");
      }
      drop_cancelled(events);
      events.insert(events.end(), emitted.begin(), emitted.end());
      emitted.clear();
      continue;
    }
    size_t nparts = node.branches.size() + 1;
    std::vector<int> choice(events.size());
    std::vector<std::vector<Event*>> parts(nparts);
    for (size_t i = 0; i < events.size(); ++i) {
      choice[i] = choose_branch(node, *events[i]);
      if (choice[i] >= 0) parts[static_cast<size_t>(choice[i])].push_back(events[i]);
    }
    for (size_t b = 0; b < nparts; ++b) {
      if (parts[b].empty()) continue;
      const auto& body = b < node.branches.size() ? node.branches[b].body : node.else_body;
      run_filter_nodes(filters, body, parts[b], ctx, emitted, config);
    }
    // Merge back in the original order; created events go last.
    std::vector<size_t> cursor(nparts, 0);
    std::vector<Event*> merged;
    merged.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i]->cancelled()) continue;
      if (choice[i] >= 0) ++cursor[static_cast<size_t>(choice[i])];
      merged.push_back(events[i]);
    }
    for (size_t b = 0; b < nparts; ++b)
      merged.insert(merged.end(), parts[b].begin() + static_cast<long>(cursor[b]), parts[b].end());
    events.swap(merged);
  }
}

static void route_outputs(const std::vector<GraphNode>& nodes, const std::vector<Event*>& events,
                          std::vector<std::vector<const Event*>>& per_output) {
  for (const GraphNode& node : nodes) {
    if (events.empty()) return;
    if (node.kind == GraphNode::Kind::Plugin) {
      auto& list = per_output[node.plugin];
      list.insert(list.end(), events.begin(), events.end());
      continue;
    }
    size_t nparts = node.branches.size() + 1;
    std::vector<std::vector<Event*>> parts(nparts);
    for (Event* e : events) {
      int c = choose_branch(node, *e);
      if (c >= 0) parts[static_cast<size_t>(c)].push_back(e);
    }
    for (size_t b = 0; b < nparts; ++b) {
      const auto& body = b < node.branches.size() ? node.branches[b].body : node.else_body;
      route_outputs(body, parts[b], per_output);
    }
  }
}

Pipeline::Pipeline(std::shared_ptr<const PipelineConfig> config, PipelineSettings settings)
    : config_(std::move(config)), settings_(std::move(settings)) {
  if (settings_.workers < 1) settings_.workers = 1;
  if (settings_.batch_size < 1) settings_.batch_size = 1;
  env_.data_dir = settings_.data_dir;
  env_.workers = settings_.workers;
  size_t capacity = settings_.queue_batches ? settings_.queue_batches
                                            : static_cast<size_t>(settings_.workers) * 4 + 8;
  queue_ = std::make_unique<Queue>(capacity);

  for (auto& decl : config_->inputs) {
    auto in = std::make_unique<InputRunner>();
    in->pipeline = this;
    in->decl = &decl;
    PluginArgs args{decl.info->name, decl.id, *decl.settings, env_,
                    [&decl, this] { return make_codec_for(decl, env_); }};
    in->input = decl.info->make_input(args);
    if (const Value* t = decl.settings->get("type"); t && !t->is_null()) {
      in->has_type = true;
      in->type = t->to_string();
    }
    in->add_field = AddFields(decl.settings->get_hash("add_field"));
    in->tags = TagList(decl.settings->get_strings("tags"));
    inputs_.push_back(std::move(in));
  }
  for (int w = 0; w < settings_.workers; ++w) {
    auto worker = std::make_unique<Worker>();
    PluginEnv wenv = env_;
    wenv.worker_index = w;
    for (auto& decl : config_->filters) {
      PluginArgs args{decl.info->name, decl.id, *decl.settings, wenv, nullptr};
      worker->filters.push_back(decl.info->make_filter(args));
    }
    worker->per_output.resize(config_->outputs.size());
    workers_.push_back(std::move(worker));
  }
  for (auto& decl : config_->outputs) {
    auto slot = std::make_unique<OutputSlot>();
    PluginArgs args{decl.info->name, decl.id, *decl.settings, env_,
                    [&decl, this] { return make_codec_for(decl, env_); }};
    slot->output = decl.info->make_output(args);
    slot->serial = !slot->output->thread_safe();
    outputs_.push_back(std::move(slot));
  }
}

Pipeline::~Pipeline() {
  if (!threads_.empty() && !waited_) {
    request_stop();
    wait();
  }
}

void Pipeline::start() {
  start_ns_ = steady_ns();
  start_cpu_ = cpu_seconds();
  inputs_running_ = static_cast<int>(inputs_.size());
  // Named for top -H and perf: worker-N, in-PLUGIN (15 characters at most).
  for (size_t i = 0; i < workers_.size(); ++i)
    threads_.emplace_back([this, i, wp = workers_[i].get()] {
      name_this_thread("worker-" + std::to_string(i));
      run_worker(*wp);
    });
  for (auto& in : inputs_)
    threads_.emplace_back([this, ip = in.get()] {
      name_this_thread("in-" + ip->decl->info->name);
      run_input(*ip);
    });
}

void Pipeline::request_stop() {
  if (stopping_.exchange(true)) return;
  for (auto& in : inputs_)
    if (in->input) in->input->stop();
}

void Pipeline::run_input(InputRunner& in) {
  try {
    in.input->run(in);
  } catch (const std::exception& ex) {
    log_error("input {} ({}) stopped: {}", in.decl->id, in.decl->where, ex.what());
  }
  in.flush();
  inputs_running_.fetch_sub(1);
}

void Pipeline::enqueue(Batch* b) {
  queue_->slots.wait();
  batches_in_flight_.fetch_add(1);
  queue_->batches.enqueue(b);
}

void Pipeline::run_worker(Worker& w) {
  std::vector<Event*> live;
  for (;;) {
    Batch* b = nullptr;
    if (queue_->batches.wait_dequeue_timed(b, std::chrono::milliseconds(20))) {
      queue_->slots.signal();
      live.clear();
      for (Event& e : b->events) live.push_back(&e);
      w.batch = b;
      run_filter_nodes(w.filters, config_->filter_graph, live, w, w.emitted, *config_);
      w.events_filtered += live.size();
      for (auto& list : w.per_output) list.clear();
      route_outputs(config_->output_graph, live, w.per_output);
      finish_batch(w, b);
      batches_in_flight_.fetch_sub(1);
      continue;
    }
    if (inputs_running_.load() == 0 && batches_in_flight_.load() == 0) return;
  }
}

void Pipeline::finish_batch(Worker& w, Batch* b) {
  for (size_t i = 0; i < outputs_.size(); ++i) {
    auto& events = w.per_output[i];
    if (events.empty()) continue;
    OutputSlot& slot = *outputs_[i];
    // An output that fails is retried: the batch is not done until it is accepted.
    for (int attempt = 0;; ++attempt) {
      try {
        if (slot.serial) {
          std::lock_guard<std::mutex> lock(slot.mu);
          slot.output->receive(events);
        } else {
          slot.output->receive(events);
        }
        break;
      } catch (const std::exception& ex) {
        int delay_ms = std::min(5000, 50 << std::min(attempt, 7));
        log_error("output {} ({}) failed, retrying in {} ms: {}", config_->outputs[i].id,
                  config_->outputs[i].where, delay_ms, ex.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      }
    }
    w.events_out += events.size();
  }
  w.latency.record(steady_ns() - b->first_event_ns, b->events.size() + b->extra.size());
  ++w.batches;

  InputRunner& in = *b->input;
  uint64_t seq = b->seq;
  in.recycled.enqueue(b);
  if (uint64_t wm = in.acks.done(seq)) {
    std::lock_guard<std::mutex> lock(in.commit_mu);
    if (wm > in.committed_seq) {
      in.committed_seq = wm;
      in.input->committed(wm);
    }
  }
}

void Pipeline::wait() {
  if (waited_) return;
  for (auto& t : threads_) t.join();
  for (auto& slot : outputs_) {
    try {
      slot->output->flush();
    } catch (const std::exception& ex) {
      log_error("output flush failed: {}", ex.what());
    }
  }
  PipelineStats s;
  for (auto& in : inputs_) s.events_in += in->events_in;
  for (auto& w : workers_) {
    s.events_filtered += w->events_filtered;
    s.events_out += w->events_out;
    s.batches += w->batches;
    s.latency.merge(w->latency);
  }
  s.seconds = double(steady_ns() - start_ns_) / 1e9;
  s.cpu_seconds = cpu_seconds() - start_cpu_;
  final_stats_ = s;
  // Inputs store their final positions when they are destroyed.
  for (auto& in : inputs_) in->input.reset();
  for (auto& slot : outputs_) slot->output.reset();
  waited_ = true;
}

PipelineStats Pipeline::stats() const { return final_stats_; }

}  // namespace logpipe
