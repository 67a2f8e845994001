#include "outputs/elasticsearch/bulk_response.h"

#include <simdjson.h>

namespace logpipe {

namespace {

using namespace simdjson;

// "type: reason", with the first caused_by appended when there is one: the
// mapping errors' useful part ("failed to parse field [x] of type [long]")
// is often there.
std::string describe(ondemand::object error) {
  std::string out;
  std::string_view type, reason;
  std::string caused;
  for (auto field : error) {
    std::string_view key;
    if (field.unescaped_key().get(key)) continue;
    if (key == "type") {
      if (field.value().get_string().get(type)) type = {};
    } else if (key == "reason") {
      if (field.value().get_string().get(reason)) reason = {};
    } else if (key == "caused_by") {
      ondemand::object inner;
      if (!field.value().get_object().get(inner)) caused = describe(inner);
    }
  }
  out = std::string(type);
  if (!reason.empty()) {
    if (!out.empty()) out += ": ";
    out += reason;
  }
  if (!caused.empty()) out += " (caused by " + caused + ")";
  return out;
}

}  // namespace

bool parse_bulk_response(std::string_view body, std::vector<BulkItemResult>& items, std::string* error) {
  items.clear();
  ondemand::parser parser;
  padded_string padded(body);
  ondemand::document doc;
  ondemand::object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) {
    *error = "the _bulk response is not a JSON object";
    return false;
  }
  bool saw_items = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    if (key != "items") continue;
    ondemand::array arr;
    if (field.value().get_array().get(arr)) break;
    saw_items = true;
    for (auto entry : arr) {
      ondemand::object one;
      if (entry.get_object().get(one)) {
        *error = "an item of the _bulk response is not an object";
        return false;
      }
      BulkItemResult r;
      for (auto action : one) {  // {"index": {...}}: one key, the action
        ondemand::object result;
        if (action.value().get_object().get(result)) break;
        for (auto f : result) {
          std::string_view k;
          if (f.unescaped_key().get(k)) break;
          if (k == "status") {
            int64_t s = 0;
            if (!f.value().get_int64().get(s)) r.status = static_cast<int>(s);
          } else if (k == "error") {
            ondemand::object err;
            std::string_view text;
            auto v = f.value();
            if (!v.get_object().get(err)) r.error = describe(err);
            else if (!v.get_string().get(text)) r.error = std::string(text);
          }
        }
        break;
      }
      if (r.status == 0) {
        *error = "an item of the _bulk response has no status";
        return false;
      }
      items.push_back(std::move(r));
    }
  }
  if (!saw_items) {
    *error = "the _bulk response has no items";
    return false;
  }
  return true;
}

std::string es_error_summary(std::string_view body) {
  ondemand::parser parser;
  padded_string padded(body);
  ondemand::document doc;
  ondemand::object root;
  if (!parser.iterate(padded).get(doc) && !doc.get_object().get(root)) {
    for (auto field : root) {
      std::string_view key;
      if (field.unescaped_key().get(key) || key != "error") continue;
      auto v = field.value();
      ondemand::object err;
      std::string_view text;
      if (!v.get_object().get(err)) return describe(err);
      if (!v.get_string().get(text)) return std::string(text);
      break;
    }
  }
  std::string head(body.substr(0, 200));
  for (char& c : head)
    if (c == '\n' || c == '\r') c = ' ';
  return head;
}

}  // namespace logpipe
