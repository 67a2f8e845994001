#include "tests/tools/es_server/document_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include "tests/tools/es_server/json_text.h"

namespace logpipe::es_fake {
namespace {

// ES's deep merge of a partial update `patch` into `base` (objects merge
// recursively, anything else is replaced).
void merge_into(std::string& out, simdjson::dom::element base, simdjson::dom::element patch) {
  simdjson::dom::object b, p;
  if (base.get_object().get(b) || patch.get_object().get(p)) {
    out += minified(patch);
    return;
  }
  out.push_back('{');
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
  };
  for (auto [k, v] : b) {
    key(k);
    simdjson::dom::element replacement;
    if (p.at_key(k).get(replacement) == simdjson::SUCCESS)
      merge_into(out, v, replacement);
    else
      out += minified(v);
  }
  for (auto [k, v] : p) {
    simdjson::dom::element existing;
    if (b.at_key(k).get(existing) == simdjson::SUCCESS) continue;
    key(k);
    out += minified(v);
  }
  out.push_back('}');
}

// The merged source, or "" when the update changes nothing (ES's noop).
std::string merged_source(const std::string& base, const std::string& patch) {
  simdjson::dom::parser base_parser, patch_parser;
  simdjson::dom::element b, p;
  if (base_parser.parse(base).get(b) || patch_parser.parse(patch).get(p)) return patch;
  std::string out;
  merge_into(out, b, p);
  return out == minified(b) ? std::string() : out;
}

}  // namespace

std::string invalid_index_name_reason(std::string_view name) {
  if (name.find_first_of("\\/*?\"<>| ,") != std::string_view::npos)
    return "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]";
  if (name.find('#') != std::string_view::npos) return "must not contain '#'";
  if (name.find(':') != std::string_view::npos) return "must not contain ':'";
  if (name.front() == '_' || name.front() == '-' || name.front() == '+')
    return "must not start with '_', '-', or '+'";
  if (name.size() > 255) return "index name is too long, (" + std::to_string(name.size()) + " > 255)";
  if (name == "." || name == "..") return "must not be '.' or '..'";
  if (std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return "must be lowercase";
  return "";
}

std::string generate_document_id() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  static const uint64_t kNode = std::random_device{}() * 0x9E3779B97F4A7C15ull;
  static std::atomic<uint64_t> sequence{std::random_device{}()};
  uint64_t seq = sequence.fetch_add(1, std::memory_order_relaxed);
  // The clock is read every 64 ids: uniqueness comes from the sequence.
  thread_local uint64_t millis = 0;
  thread_local unsigned uses = 0;
  if (uses++ % 64 == 0)
    millis = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  unsigned char bytes[15];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(millis >> (8 * (5 - i)));
  for (int i = 0; i < 3; ++i) bytes[6 + i] = static_cast<unsigned char>(seq >> (8 * (2 - i)));
  for (int i = 0; i < 6; ++i) bytes[9 + i] = static_cast<unsigned char>((kNode ^ (seq >> 24)) >> (8 * i));
  std::string id(20, ' ');
  for (int group = 0; group < 5; ++group) {
    uint32_t v = (uint32_t{bytes[3 * group]} << 16) | (uint32_t{bytes[3 * group + 1]} << 8) | bytes[3 * group + 2];
    for (int j = 0; j < 4; ++j) id[4 * group + j] = kAlphabet[(v >> (18 - 6 * j)) & 63];
  }
  return id;
}

ItemOutcome DocumentStore::apply(const BulkItem& item) {
  Index& index = indices_[item.index];
  switch (item.op) {
    case BulkOp::kIndex:
    case BulkOp::kCreate: return write(index, item, item.id.empty() ? generate_document_id() : item.id);
    case BulkOp::kUpdate: return update(index, item);
    case BulkOp::kDelete: return remove(index, item);
  }
  return {};
}

ItemOutcome DocumentStore::write(Index& index, const BulkItem& item, std::string id) {
  ItemOutcome out;
  if (mode_ == StoreMode::kCount) {
    ++index.counted;
    out.status = 201;
    out.result = "created";
    out.version = 1;
    out.seq_no = index.next_seq_no++;
    out.id = std::move(id);
    return out;
  }
  auto [it, inserted] = index.docs.try_emplace(id);
  Doc& doc = it->second;
  if (!inserted && item.op == BulkOp::kCreate) {
    out.status = 409;
    out.error_type = "version_conflict_engine_exception";
    out.error_reason = "[" + id + "]: version conflict, document already exists (current version [" +
                       std::to_string(doc.version) + "])";
    out.id = std::move(id);
    return out;
  }
  if (!inserted) ++overwrites_;
  doc.version = inserted ? 1 : doc.version + 1;
  doc.seq_no = index.next_seq_no++;
  doc.source.assign(kept(item.source));
  out.status = inserted ? 201 : 200;
  out.result = inserted ? "created" : "updated";
  out.version = doc.version;
  out.seq_no = doc.seq_no;
  out.id = std::move(id);
  return out;
}

ItemOutcome DocumentStore::update(Index& index, const BulkItem& item) {
  ItemOutcome out;
  out.id = item.id;
  auto it = index.docs.find(item.id);
  if (it == index.docs.end()) {
    const std::string& initial = item.doc_as_upsert ? item.update_doc : item.upsert_doc;
    if (mode_ == StoreMode::kCount || initial.empty()) {
      out.status = 404;
      out.error_type = "document_missing_exception";
      out.error_reason = "[" + item.id + "]: document missing";
      return out;
    }
    Doc& doc = index.docs[item.id];
    doc.version = 1;
    doc.seq_no = index.next_seq_no++;
    doc.source.assign(kept(initial));
    out.status = 201;
    out.result = "created";
    out.version = 1;
    out.seq_no = doc.seq_no;
    return out;
  }
  Doc& doc = it->second;
  if (mode_ == StoreMode::kFull) {
    std::string merged = merged_source(doc.source, item.update_doc);
    if (merged.empty()) {
      out.status = 200;
      out.result = "noop";
      out.version = doc.version;
      out.seq_no = doc.seq_no;
      return out;
    }
    doc.source = std::move(merged);
  }
  ++doc.version;
  doc.seq_no = index.next_seq_no++;
  out.status = 200;
  out.result = "updated";
  out.version = doc.version;
  out.seq_no = doc.seq_no;
  return out;
}

ItemOutcome DocumentStore::remove(Index& index, const BulkItem& item) {
  ItemOutcome out;
  out.id = item.id;
  out.seq_no = index.next_seq_no++;
  auto it = index.docs.find(item.id);
  if (it == index.docs.end()) {
    out.status = 404;
    out.result = "not_found";
    out.version = 1;
    return out;
  }
  out.status = 200;
  out.result = "deleted";
  out.version = it->second.version + 1;
  index.docs.erase(it);
  return out;
}

std::map<std::string, uint64_t> DocumentStore::docs_by_index() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, index] : indices_) out[name] = index.counted + index.docs.size();
  return out;
}

std::vector<StoredDoc> DocumentStore::docs(std::string_view name) const {
  std::vector<StoredDoc> out;
  auto it = indices_.find(std::string(name));
  if (it == indices_.end()) return out;
  for (const auto& [id, doc] : it->second.docs) out.push_back(StoredDoc{id, doc.version, doc.seq_no, doc.source});
  std::sort(out.begin(), out.end(), [](const StoredDoc& a, const StoredDoc& b) { return a.seq_no < b.seq_no; });
  return out;
}

}  // namespace logpipe::es_fake
