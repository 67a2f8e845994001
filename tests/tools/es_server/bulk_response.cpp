#include "tests/tools/es_server/bulk_response.h"

#include <functional>

#include "tests/tools/es_server/json_text.h"

namespace logpipe::es_fake {
namespace {

using Match = FilterPath::Match;

Match match_from(const std::vector<std::string>& pattern, size_t i, const std::vector<std::string_view>& path,
                 size_t j) {
  if (i == pattern.size()) return Match::kFull;
  if (j == path.size()) return Match::kPartial;
  if (pattern[i] == "**") {
    Match rest = match_from(pattern, i + 1, path, j);
    if (rest == Match::kFull) return rest;
    Match deeper = match_from(pattern, i, path, j + 1);
    return deeper == Match::kFull ? deeper : Match::kPartial;
  }
  if (pattern[i] != "*" && pattern[i] != path[j]) return Match::kNone;
  return match_from(pattern, i + 1, path, j + 1);
}

// Writes `"name":value` pairs of one object, skipping what the filter leaves out.
class ObjectWriter {
 public:
  ObjectWriter(std::string& out, const FilterPath& filter, std::vector<std::string_view>& path)
      : out_(out), filter_(filter), path_(path) {}

  // Returns false if the field is filtered out; else writes `"name":` and returns true.
  bool key(std::string_view name) {
    if (!filter_.everything()) {
      path_.push_back(name);
      bool in = filter_.includes(path_);
      path_.pop_back();
      if (!in) return false;
    }
    separator();
    append_json_string(out_, name);
    out_.push_back(':');
    return true;
  }
  void raw(std::string_view name, std::string_view value) {
    if (key(name)) out_ += value;
  }
  void string(std::string_view name, std::string_view value) {
    if (key(name)) append_json_string(out_, value);
  }
  void number(std::string_view name, uint64_t value) {
    if (key(name)) out_ += std::to_string(value);
  }
  // A nested object, written if anything below `name` is included.
  void object(std::string_view name, const std::function<void(ObjectWriter&)>& body) {
    path_.push_back(name);
    Match m = filter_.everything() ? Match::kFull : filter_.match(path_);
    if (m != Match::kNone) {
      size_t mark = out_.size();
      separator();
      append_json_string(out_, name);
      out_ += ":{";
      ObjectWriter inner(out_, m == Match::kFull ? kEverything : filter_, path_);
      body(inner);
      out_.push_back('}');
      if (!inner.wrote_) {
        out_.resize(mark);  // ES drops objects left empty by the filter
      } else {
        wrote_ = true;
      }
    }
    path_.pop_back();
  }
  bool wrote() const { return wrote_; }

 private:
  void separator() {
    if (wrote_) out_.push_back(',');
    wrote_ = true;
  }
  static const FilterPath kEverything;
  std::string& out_;
  const FilterPath& filter_;
  std::vector<std::string_view>& path_;
  bool wrote_ = false;
};

const FilterPath ObjectWriter::kEverything;

void write_item(ObjectWriter& w, const BulkItem& item, const ItemOutcome& o) {
  w.string("_index", item.index);
  if (!o.id.empty()) w.string("_id", o.id);
  else w.raw("_id", "null");
  if (o.error_type.empty()) {
    w.number("_version", o.version);
    w.string("result", o.result);
    w.object("_shards", [](ObjectWriter& s) {
      s.raw("total", "2");
      s.raw("successful", "1");
      s.raw("failed", "0");
    });
    w.number("_seq_no", o.seq_no);
    w.raw("_primary_term", "1");
  }
  w.number("status", static_cast<uint64_t>(o.status));
  if (!o.error_type.empty()) {
    w.object("error", [&](ObjectWriter& e) {
      e.string("type", o.error_type);
      e.string("reason", o.error_reason);
      e.string("index_uuid", o.index_known ? index_uuid(item.index) : "_na_");
      if (o.index_known) e.string("shard", "0");
      e.string("index", item.index);
    });
  }
}

}  // namespace

FilterPath::FilterPath(std::string_view spec) {
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view one = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (one.empty() || one.front() == '-') continue;
    std::vector<std::string> segments;
    for (;;) {
      size_t dot = one.find('.');
      segments.emplace_back(one.substr(0, dot));
      if (dot == std::string_view::npos) break;
      one.remove_prefix(dot + 1);
    }
    patterns_.push_back(std::move(segments));
  }
}

FilterPath::Match FilterPath::match(const std::vector<std::string_view>& path) const {
  Match best = Match::kNone;
  for (const auto& pattern : patterns_) {
    Match m = match_from(pattern, 0, path, 0);
    if (m == Match::kFull) return m;
    if (m == Match::kPartial) best = m;
  }
  return best;
}

std::string index_uuid(std::string_view index) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint64_t h = std::hash<std::string_view>{}(index) | 1;
  std::string out(22, 'A');
  for (char& c : out) {
    h ^= h << 13, h ^= h >> 7, h ^= h << 17;  // xorshift: spreads one hash over 22 characters
    c = kAlphabet[h & 63];
  }
  return out;
}

std::string bulk_response_json(const std::vector<BulkItem>& items, const std::vector<ItemOutcome>& outcomes,
                               size_t count, uint64_t took_ms, const FilterPath& filter) {
  bool errors = false;
  for (size_t i = 0; i < count; ++i) errors = errors || !outcomes[i].error_type.empty();
  std::string out;
  out.reserve(64 + count * (filter.everything() ? 200 : 32));
  out.push_back('{');
  std::vector<std::string_view> path;
  ObjectWriter top(out, filter, path);
  top.number("took", took_ms);
  top.raw("errors", errors ? "true" : "false");
  path.push_back("items");
  if (filter.match(path) != Match::kNone || filter.everything()) {
    if (top.wrote()) out.push_back(',');
    out += "\"items\":[";
    bool first = true;
    for (size_t i = 0; i < count; ++i) {
      size_t mark = out.size();
      if (!first) out.push_back(',');
      out.push_back('{');
      ObjectWriter entry(out, filter, path);
      entry.object(bulk_op_name(items[i].op), [&](ObjectWriter& w) { write_item(w, items[i], outcomes[i]); });
      out.push_back('}');
      if (entry.wrote()) first = false;
      else out.resize(mark);
    }
    out += ']';
  }
  out.push_back('}');
  return out;
}

}  // namespace logpipe::es_fake
