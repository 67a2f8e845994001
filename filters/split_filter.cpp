#include "filters/split_filter.h"

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

constexpr const char* kTypeFailureTag = "_split_type_failure";

struct SplitOptions {
  std::string field;
  std::optional<std::string> target;
  std::string terminator;
};

const OptionSchema<SplitOptions>& split_schema() {
  static const OptionSchema<SplitOptions> schema = [] {
    OptionSchema<SplitOptions> s;
    s.string("field", &SplitOptions::field, "Field to split: a string, or an array (one event per element).")
        .fallback("message");
    s.string("target", &SplitOptions::target,
             "Field each piece is stored in; without it the piece replaces the split field.");
    s.string("terminator", &SplitOptions::terminator,
             "Text a string is cut at (\" \": runs of whitespace; \"\": every character).")
        .fallback("\n");
    return s;
  }();
  return schema;
}

bool ruby_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

size_t utf8_length(unsigned char lead) {
  if (lead < 0xC0) return 1;  // ASCII, or a stray continuation byte taken alone
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

}  // namespace

SplitFilter::SplitFilter(const PluginArgs& args) : Filter(args) {
  SplitOptions o = split_schema().bind(args.settings);
  field_ = field_option("field", o.field);
  if (o.target) target_ = field_option("target", *o.target);
  terminator_ = std::move(o.terminator);
}

void SplitFilter::cut(std::string_view text) {
  pieces_.clear();
  if (text.empty()) return;
  if (terminator_ == " ") {
    size_t i = 0;
    while (i < text.size() && ruby_space(text[i])) ++i;
    while (i < text.size()) {
      size_t begin = i;
      while (i < text.size() && !ruby_space(text[i])) ++i;
      pieces_.push_back(text.substr(begin, i - begin));
      while (i < text.size() && ruby_space(text[i])) ++i;
    }
    if (!pieces_.empty() && ruby_space(text.back())) pieces_.push_back({});
    return;
  }
  if (terminator_.empty()) {
    for (size_t i = 0; i < text.size();) {
      size_t n = std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
      pieces_.push_back(text.substr(i, n));
      i += n;
    }
    pieces_.push_back({});
    return;
  }
  size_t begin = 0;
  for (;;) {
    size_t at = text.find(terminator_, begin);
    if (at == std::string_view::npos) break;
    pieces_.push_back(text.substr(begin, at - begin));
    begin = at + terminator_.size();
  }
  pieces_.push_back(text.substr(begin));
}

void SplitFilter::emit_copy(const Event& e, Value piece, FilterContext& ctx) {
  auto copy = std::make_unique<Event>(e);
  copy->set(target_ ? *target_ : field_, std::move(piece));
  filter_matched(*copy);
  ctx.emit(std::move(copy));
}

void SplitFilter::split_string(Event& e, Value* value, FilterContext& ctx) {
  // In place, the text is taken out first so that each copy does not carry
  // (and copy) the whole original; the field keeps its position.
  Value taken;
  std::string_view text = value->as_string();
  if (!target_) {
    taken = std::move(*value);
    *value = Value();
    text = taken.as_string();
  }
  cut(text);
  if (pieces_.size() == 1) {  // nothing to split: left as it was
    if (!target_) *value = std::move(taken);
    return;
  }
  for (std::string_view piece : pieces_)
    if (!piece.empty()) emit_copy(e, Value(piece), ctx);
  e.cancel();
}

void SplitFilter::split_array(Event& e, Value* value, FilterContext& ctx) {
  if (target_) {
    for (const Value& element : value->as_array())
      if (!element.is_null() && !(element.is_string() && element.as_string().empty()))
        emit_copy(e, element, ctx);
  } else {
    Array elements = std::move(value->as_array());
    e.remove(field_);
    for (Value& element : elements)
      if (!element.is_null() && !(element.is_string() && element.as_string().empty()))
        emit_copy(e, std::move(element), ctx);
  }
  e.cancel();
}

void SplitFilter::filter(Event& e, FilterContext& ctx) {
  Value* value = e.get(field_);
  if (value && value->is_string()) return split_string(e, value, ctx);
  if (value && value->is_array()) return split_array(e, value, ctx);
  log_debug("split {}: only strings and arrays can be split; field {} is {}", id(), field_.text(),
            value ? "of another type" : "missing");
  e.add_tag(kTypeFailureTag);
  type_failures_.store(type_failures_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void SplitFilter::collect_metrics(PluginMetrics& out) const {
  out.push_back({"failures_total", "Events whose field was neither a string nor an array (tagged _split_type_failure).",
                 PluginMetric::Kind::Counter, {}, double(type_failures_.load(std::memory_order_relaxed))});
}

PluginInfo split_filter_info() {
  PluginInfo info;
  info.name = "split";
  info.kind = PluginKind::Filter;
  info.description =
      "Splits a string field at a terminator, or an array field, into one event per piece.";
  info.options = split_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<SplitFilter>(args);
  };
  return info;
}

}  // namespace logpipe
