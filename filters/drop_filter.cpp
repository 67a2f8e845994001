#include "filters/drop_filter.h"

#include <random>

#include "engine/config/typed_options.h"

namespace logpipe {

namespace {

struct DropOptions {
  double percentage = 0;
};

const OptionSchema<DropOptions>& drop_schema() {
  static const OptionSchema<DropOptions> schema = [] {
    OptionSchema<DropOptions> s;
    s.number("percentage", &DropOptions::percentage,
             "Share of events to drop, in percent (at random); 100 drops all.")
        .fallback(100);
    return s;
  }();
  return schema;
}

}  // namespace

DropFilter::DropFilter(const PluginArgs& args, uint64_t seed) : Filter(args), state_(seed) {
  DropOptions o = drop_schema().bind(args.settings);
  double percentage = o.percentage;
  if (percentage >= 100) {
    mode_ = Mode::All;
  } else if (!(percentage > 0)) {  // also NaN
    mode_ = Mode::None;
  } else {
    mode_ = Mode::Share;
    share_ = percentage / 100.0;
  }
}

// splitmix64: one add and a few multiplies per draw, good enough statistics
// for sampling, and every seed (even 0) gives a full-period sequence.
double DropFilter::next_unit() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

void DropFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  bool drop = mode_ == Mode::All || (mode_ == Mode::Share && next_unit() < share_);
  if (drop) {
    e.cancel();
    return;
  }
  filter_matched(e);
}

PluginInfo drop_filter_info() {
  PluginInfo info;
  info.name = "drop";
  info.kind = PluginKind::Filter;
  info.description = "Drops the events that reach it, or a random share of them.";
  info.options = drop_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    std::random_device rd;
    uint64_t seed = (uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(args.env.worker_index);
    return std::make_unique<DropFilter>(args, seed);
  };
  return info;
}

}  // namespace logpipe
