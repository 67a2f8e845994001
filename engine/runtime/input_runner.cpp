#include "engine/runtime/input_runner.h"

#include "engine/system/log.h"
#include "engine/runtime/steady_clock.h"

namespace logpipe {

namespace {

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
}

}  // namespace

InputDecorations::InputDecorations(const Settings& settings) {
  Input::CommonOptions common = Input::common_schema().bind(settings);
  type_ = common.type;
  add_field_ = AddFields(common.add_field);
  tags_ = TagList(common.tags);
}

void InputDecorations::apply(Event& e) const {
  if (type_ && !e.get_top("type")) e.set_top("type", Value(*type_));
  if (!add_field_.empty()) add_field_.apply(e);
  if (!tags_.empty()) tags_.add_to(e);
}

InputRunner::InputRunner(const PluginDecl& decl, std::unique_ptr<Input> input,
                         InputRunnerSettings settings, BoundedQueue<Batch*>& queue,
                         const std::atomic<bool>& stopping, const std::atomic<bool>& abandoned)
    : decl_(decl),
      input_(std::move(input)),
      settings_(settings),
      queue_(queue),
      stopping_(stopping),
      abandoned_(abandoned),
      decorations_(*decl.settings) {
  never_blocks_ = input_->never_blocks();
}

InputRunner::~InputRunner() {
  Batch* b;
  while (recycled_.try_dequeue(b)) delete b;
  for (Batch* w : waiting_) delete w;
  delete current_;
}

bool InputRunner::run() {
  bool ok = true;
  try {
    input_->run(*this);
  } catch (const std::exception& ex) {
    log_error("input {} ({}) failed: {}", decl_.id, decl_.where, ex.what());
    ok = false;
  }
  // The input is done with its source: now the last batches may wait for room.
  never_blocks_ = false;
  flush();
  return ok;
}

Batch* InputRunner::new_batch() {
  Batch* b;
  if (recycled_.try_dequeue(b)) return b;  // emptied by batch_done
  b = new Batch;
  b->input = this;
  b->events.reserve(static_cast<size_t>(settings_.batch_size));
  b->made_ns.reserve(static_cast<size_t>(settings_.batch_size));
  return b;
}

void InputRunner::finish_event(Event& e) const {
  decorations_.apply(e);
  if (Value* m = e.fields().find("message");
      m && m->is_string() && m->as_string().size() > settings_.max_message_bytes) {
    truncate_utf8(m->as_string(), settings_.max_message_bytes);
    e.add_tag("_message_truncated");
  }
}

Batch& InputRunner::batch_for(bool line) {
  if (!waiting_.empty()) queue_waiting(false);
  if (current_ && (line ? !current_->events.empty() : current_->lines.size() > 0)) flush();
  // The clock is read for every 16th event and at the start of a batch: the
  // events in between were made within microseconds of that reading, which
  // latencies measured in milliseconds cannot tell apart.
  if (!current_ || (events_in_.load(std::memory_order_relaxed) & 15) == 0) made_ns_ = steady_ns();
  if (!current_) {
    current_ = new_batch();
    current_first_ns_ = made_ns_;
  }
  return *current_;
}

void InputRunner::added_one() {
  current_->made_ns.push_back(made_ns_);
  events_in_.fetch_add(1, std::memory_order_relaxed);
  if (current_->size() >= static_cast<size_t>(settings_.batch_size)) flush();
}

void InputRunner::push(Event&& e) {
  finish_event(e);
  batch_for(false).events.push_back(std::move(e));
  added_one();
}

bool InputRunner::lines_to_workers() const {
  // A batch begun keeps its kind; a new one holds lines while the workers
  // keep up (the queue less than half full). When they fall behind, the input
  // thread's own time is what is spare, and it makes the events itself.
  if (current_ && current_->size() > 0) return current_->lines.size() > 0;
  return queue_.depth() * 2 < queue_.capacity();
}

void InputRunner::push_line(std::string_view line, const std::shared_ptr<const LineDecorator>& decorator,
                            bool too_long) {
  if (!lines_to_workers()) {
    InputContext::push_line(line, decorator, too_long);
    return;
  }
  PendingLines& lines = batch_for(true).lines;
  if (lines.decorators.empty() || lines.decorators.back().second != decorator)
    lines.decorators.emplace_back(lines.size(), decorator);
  lines.bytes.append(line);
  lines.ends.push_back(lines.bytes.size());
  lines.timestamps.push_back(Timestamp::now().nanos);
  lines.too_long.push_back(too_long);
  added_one();
}

void InputRunner::make_line_events(Batch* b) const {
  PendingLines& lines = b->lines;
  if (lines.size() == 0) return;
  b->events.reserve(lines.size());
  size_t begin = 0, next_decorator = 0;
  const LineDecorator* decorator = nullptr;
  for (size_t i = 0; i < lines.size(); ++i) {
    while (next_decorator < lines.decorators.size() && lines.decorators[next_decorator].first <= i)
      decorator = lines.decorators[next_decorator++].second.get();
    const size_t end = lines.ends[i];
    Event& e = b->events.emplace_back(std::string(lines.bytes, begin, end - begin),
                                      Timestamp{lines.timestamps[i]});
    begin = end;
    if (decorator) decorator->decorate(e, lines.too_long[i] != 0);
    finish_event(e);
  }
  lines.clear();
  // A batch of huge lines does not keep their room for its next use.
  if (lines.bytes.capacity() > (size_t{4} << 20)) lines.bytes = std::string();
}

void InputRunner::tick() {
  if (!waiting_.empty()) queue_waiting(false);
  if (current_ && steady_ns() - current_first_ns_ >= settings_.batch_delay_ms * 1000000LL) flush();
}

void InputRunner::flush() {
  if (current_) seal_current();
  queue_waiting(!never_blocks_);
}

void InputRunner::seal_current() {
  Batch* b = current_;
  current_ = nullptr;
  b->seq = ++next_seq_;
  b->sealed_ns = steady_ns();
  input_->sealed(b->seq);
  waiting_.push_back(b);
  waiting_count_.store(waiting_.size(), std::memory_order_relaxed);
}

void InputRunner::queue_waiting(bool may_block) {
  while (!waiting_.empty()) {
    Batch* b = waiting_.front();
    if (may_block) {
      if (!queue_.push(b, abandoned_)) {
        // The drain deadline passed: the batch is never acknowledged, so its
        // position is not stored and a source that can replay it will.
        ++batches_dropped_;
        delete b;
      }
    } else if (!queue_.try_push(b)) {
      break;
    }
    waiting_.pop_front();
  }
  waiting_count_.store(waiting_.size(), std::memory_order_relaxed);
}

void InputRunner::close_input() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  input_.reset();
}

void InputRunner::batch_done(Batch* b) {
  uint64_t seq = b->seq;
  // The events are destroyed here, on the thread that finished the batch
  // (an output's, most often), not on the input's, which is the one thread
  // a single busy source cannot spread over more cores.
  b->events.clear();
  b->lines.clear();  // abandoned before a worker took it
  b->made_ns.clear();
  b->extra.clear();
  b->extra_made_ns.clear();
  b->undeliverable = false;
  recycled_.enqueue(b);
  if (uint64_t wm = acks_.done(seq)) {
    std::lock_guard<std::mutex> lock(commit_mu_);
    if (input_ && wm > committed_seq_) {
      committed_seq_ = wm;
      input_->committed(wm);
    }
  }
}

}  // namespace logpipe
