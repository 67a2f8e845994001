#include "tests/tools/es_server/faults_json.h"

#include <simdjson.h>

#include "tests/tools/es_server/bulk_body.h"
#include "tests/tools/es_server/json_text.h"

namespace logpipe::es_fake {
namespace {

using simdjson::dom::element;

// Reads an unsigned integer knob; "" or why not.
std::string read_count(element value, std::string_view name, uint64_t& out) {
  int64_t signed_value = 0;
  if (value.get_uint64().get(out) == simdjson::SUCCESS) return "";
  if (value.get_int64().get(signed_value) == simdjson::SUCCESS && signed_value < 0)
    return std::string(name) + " must not be negative";
  return std::string(name) + " must be an integer";
}

std::string read_status(element value, std::string_view name, int& out) {
  uint64_t n = 0;
  std::string why = read_count(value, name, n);
  if (!why.empty()) return why;
  if (n < 100 || n > 599) return std::string(name) + " must be an HTTP status (100-599)";
  out = static_cast<int>(n);
  return "";
}

std::string read_item_rule(element value, ItemRule& rule) {
  simdjson::dom::object obj;
  if (value.get_object().get(obj)) return "item_rules entries must be objects";
  for (auto [key, v] : obj) {
    std::string why;
    std::string_view text;
    if (key == "every_nth") why = read_count(v, "every_nth", rule.every_nth);
    else if (key == "limit") why = read_count(v, "limit", rule.limit);
    else if (key == "status") why = read_status(v, "status", rule.status);
    else if (key == "value") rule.value_json = minified(v);
    else if (key == "id" || key == "field" || key == "type" || key == "reason") {
      if (v.get_string().get(text)) return "item_rules." + std::string(key) + " must be a string";
      std::string& target = key == "id" ? rule.id : key == "field" ? rule.field : key == "type" ? rule.type : rule.reason;
      target = std::string(text);
    } else {
      return "unknown key item_rules." + std::string(key);
    }
    if (!why.empty()) return "item_rules." + why;
  }
  int selectors = (rule.every_nth > 0) + !rule.id.empty() + !rule.field.empty();
  if (selectors != 1) return "an item rule needs exactly one of every_nth, id, field";
  if (!rule.field.empty() && rule.value_json.empty()) return "an item rule with field needs a value";
  return "";
}

std::string read_object(element value, std::string_view name, simdjson::dom::object& obj) {
  return value.get_object().get(obj) ? std::string(name) + " must be an object" : "";
}

std::string apply_key(std::string_view key, element value, FaultsUpdate& out) {
  Faults& f = out.faults;
  simdjson::dom::array array;
  simdjson::dom::object obj;
  uint64_t n = 0;
  std::string why;
  if (key == "item_rules") {
    if (value.get_array().get(array)) return "item_rules must be an array";
    f.item_rules.clear();
    for (element entry : array) {
      ItemRule rule;
      if (!(why = read_item_rule(entry, rule)).empty()) return why;
      f.item_rules.push_back(std::move(rule));
    }
  } else if (key == "request_statuses") {
    if (value.get_array().get(array)) return "request_statuses must be an array";
    f.request_statuses.clear();
    for (element entry : array) {
      int status = 0;
      if (!(why = read_status(entry, "request_statuses", status)).empty()) return why;
      f.request_statuses.push_back(status);
    }
  } else if (key == "every_nth_request") {
    if (!(why = read_object(value, key, obj)).empty()) return why;
    f.every_nth_request = 0;
    for (auto [k, v] : obj) {
      if (k == "n") why = read_count(v, "every_nth_request.n", f.every_nth_request);
      else if (k == "status") why = read_status(v, "every_nth_request.status", f.every_nth_request_status);
      else why = "unknown key every_nth_request." + std::string(k);
      if (!why.empty()) return why;
    }
  } else if (key == "reset") {
    if (!(why = read_object(value, key, obj)).empty()) return why;
    f.reset_every_nth = f.reset_next = 0;
    f.reset_after_store = false;
    for (auto [k, v] : obj) {
      if (k == "every_nth") why = read_count(v, "reset.every_nth", f.reset_every_nth);
      else if (k == "next") why = read_count(v, "reset.next", f.reset_next);
      else if (k == "after_store") why = v.get_bool().get(f.reset_after_store) ? "reset.after_store must be a boolean" : "";
      else why = "unknown key reset." + std::string(k);
      if (!why.empty()) return why;
    }
  } else if (key == "latency_ms") {
    if (!(why = read_count(value, key, n)).empty()) return why;
    f.latency_ms = static_cast<int>(n);
  } else if (key == "short_items_next") {
    return read_count(value, key, f.short_items_next);
  } else if (key == "max_content_length") {
    if (!(why = read_count(value, key, n)).empty()) return why;
    f.max_content_length = static_cast<size_t>(n);
  } else if (key == "refuse_ms") {
    int64_t ms = 0;
    if (value.get_int64().get(ms)) return "refuse_ms must be an integer (-1: until resumed)";
    out.refuse_ms = static_cast<long>(ms);
  } else {
    return "unknown key " + std::string(key);
  }
  return "";
}

}  // namespace

std::string parse_faults_json(std::string_view json, const Faults& current, FaultsUpdate& out) {
  simdjson::dom::parser parser;
  element doc;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get(doc) || doc.get_object().get(obj))
    return "the body must be a JSON object";
  out.faults = current;
  for (auto [key, value] : obj) {
    std::string why = apply_key(key, value, out);
    if (!why.empty()) return why;
  }
  return "";
}

std::string faults_to_json(const Faults& f) {
  std::string out = "{\"item_rules\":[";
  for (size_t i = 0; i < f.item_rules.size(); ++i) {
    const ItemRule& r = f.item_rules[i];
    if (i) out += ',';
    out += '{';
    if (r.every_nth) out += "\"every_nth\":" + std::to_string(r.every_nth) + ",";
    if (!r.id.empty()) out += "\"id\":" + json_string(r.id) + ",";
    if (!r.field.empty()) out += "\"field\":" + json_string(r.field) + ",\"value\":" + r.value_json + ",";
    if (!r.type.empty()) out += "\"type\":" + json_string(r.type) + ",";
    if (!r.reason.empty()) out += "\"reason\":" + json_string(r.reason) + ",";
    out += "\"status\":" + std::to_string(r.status) + ",\"limit\":" + std::to_string(r.limit) +
           ",\"fired\":" + std::to_string(r.fired) + "}";
  }
  out += "],\"request_statuses\":[";
  for (size_t i = 0; i < f.request_statuses.size(); ++i) out += (i ? "," : "") + std::to_string(f.request_statuses[i]);
  out += "],\"every_nth_request\":{\"n\":" + std::to_string(f.every_nth_request) +
         ",\"status\":" + std::to_string(f.every_nth_request_status) + "},\"latency_ms\":" +
         std::to_string(f.latency_ms) + ",\"reset\":{\"every_nth\":" + std::to_string(f.reset_every_nth) +
         ",\"next\":" + std::to_string(f.reset_next) + ",\"after_store\":" + (f.reset_after_store ? "true" : "false") +
         "},\"short_items_next\":" + std::to_string(f.short_items_next) +
         ",\"max_content_length\":" + std::to_string(f.max_content_length) + "}";
  return out;
}

}  // namespace logpipe::es_fake
