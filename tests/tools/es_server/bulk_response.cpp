#include "tests/tools/es_server/bulk_response.h"

#include <functional>
#include <vector>

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

// What the filter keeps of the items of one action, decided once per
// response rather than per item (responses carry up to ~100k items).
struct ItemFields {
  bool index, id, version, result, shards, seq_no, primary_term, status;
  bool error_type, error_reason, error_index_uuid, error_shard, error_index;
};

ItemFields item_fields(const FilterPath& filter, std::string_view op) {
  auto in = [&](std::string_view field, std::string_view sub = {}) {
    if (filter.everything()) return true;
    std::vector<std::string_view> path = {"items", op, field};
    if (!sub.empty()) path.push_back(sub);
    return filter.includes(path);
  };
  return ItemFields{in("_index"),         in("_id"),           in("_version"),        in("result"),
                    in("_shards"),        in("_seq_no"),       in("_primary_term"),   in("status"),
                    in("error", "type"),  in("error", "reason"), in("error", "index_uuid"),
                    in("error", "shard"), in("error", "index")};
}

// Appends `,"name":` (no comma first in an object) to `out`.
void key(std::string& out, size_t object_start, const char* name) {
  if (out.size() != object_start) out.push_back(',');
  out.push_back('"');
  out += name;
  out += "\":";
}

// One items[] entry; returns false (and writes nothing) if the filter left it empty.
bool write_item(std::string& out, const ItemFields& k, const BulkItem& item, const ItemOutcome& o) {
  size_t mark = out.size();
  out += "{\"";
  out += bulk_op_name(item.op);
  out += "\":{";
  const size_t start = out.size();
  bool failed = !o.error_type.empty();
  if (k.index) key(out, start, "_index"), append_json_string(out, item.index);
  if (k.id) {
    key(out, start, "_id");
    if (o.id.empty()) out += "null";
    else append_json_string(out, o.id);
  }
  if (!failed) {
    if (k.version) key(out, start, "_version"), out += std::to_string(o.version);
    if (k.result) key(out, start, "result"), append_json_string(out, o.result);
    if (k.shards) key(out, start, "_shards"), out += "{\"total\":2,\"successful\":1,\"failed\":0}";
    if (k.seq_no) key(out, start, "_seq_no"), out += std::to_string(o.seq_no);
    if (k.primary_term) key(out, start, "_primary_term"), out += "1";
  }
  if (k.status) key(out, start, "status"), out += std::to_string(o.status);
  if (failed && (k.error_type || k.error_reason || k.error_index_uuid || k.error_shard || k.error_index)) {
    key(out, start, "error");
    out.push_back('{');
    const size_t error_start = out.size();
    if (k.error_type) key(out, error_start, "type"), append_json_string(out, o.error_type);
    if (k.error_reason) key(out, error_start, "reason"), append_json_string(out, o.error_reason);
    if (k.error_index_uuid)
      key(out, error_start, "index_uuid"), append_json_string(out, o.index_known ? index_uuid(item.index) : "_na_");
    if (k.error_shard && o.index_known) key(out, error_start, "shard"), out += "\"0\"";
    if (k.error_index) key(out, error_start, "index"), append_json_string(out, item.index);
    out.push_back('}');
  }
  if (out.size() == start) {
    out.resize(mark);  // ES drops what the filter left empty
    return false;
  }
  out += "}}";
  return true;
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
  const size_t start = out.size();
  if (filter.everything() || filter.includes({"took"})) key(out, start, "took"), out += std::to_string(took_ms);
  if (filter.everything() || filter.includes({"errors"})) key(out, start, "errors"), out += errors ? "true" : "false";
  if (filter.everything() || filter.match({"items"}) != Match::kNone) {
    const ItemFields fields[] = {item_fields(filter, "index"), item_fields(filter, "create"),
                                 item_fields(filter, "update"), item_fields(filter, "delete")};
    key(out, start, "items");
    out.push_back('[');
    bool first = true;
    for (size_t i = 0; i < count; ++i) {
      if (!first) out.push_back(',');
      bool wrote = write_item(out, fields[static_cast<int>(items[i].op)], items[i], outcomes[i]);
      if (!wrote && !first) out.pop_back();
      first = first && !wrote;
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

}  // namespace logpipe::es_fake
