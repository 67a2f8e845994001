#include "tests/tools/es_server/bulk_body.h"


#include "tests/tools/es_server/json_syntax_error.h"

namespace logpipe::es_fake {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Jackson's token names, as ES prints them in "Malformed action/metadata line".
const char* token_name(element_type type) {
  switch (type) {
    case element_type::OBJECT: return "START_OBJECT";
    case element_type::ARRAY: return "START_ARRAY";
    case element_type::STRING: return "VALUE_STRING";
    case element_type::BOOL: return "VALUE_BOOLEAN";
    case element_type::NULL_VALUE: return "VALUE_NULL";
    default: return "VALUE_NUMBER";
  }
}

bool is_blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// The text of a simple metadata value: strings as they are, numbers/bools as written.
std::string simple_text(element value) {
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return minified(value);
}

// Every metadata key ES 8's BulkRequestParser knows; it accepts each for every
// action and leaves action-specific checks to later stages.
bool known_metadata_key(std::string_view key) {
  static const std::string_view kKeys[] = {"_index",          "_id",
                                           "routing",         "op_type",
                                           "version",         "version_type",
                                           "if_seq_no",       "if_primary_term",
                                           "retry_on_conflict", "pipeline",
                                           "require_alias",   "require_data_stream",
                                           "list_executed_pipelines"};
  for (std::string_view k : kKeys)
    if (k == key) return true;
  return false;
}

std::string located(size_t column, std::string_view message) {
  return "[1:" + std::to_string(column) + "] " + std::string(message);
}

// Jackson-worded description of why `line` does not parse; simdjson already said it does not.
JsonSyntaxError syntax_error(std::string_view line, simdjson::error_code code) {
  if (auto e = find_json_syntax_error(line)) return *e;
  return JsonSyntaxError{1, simdjson::error_message(code)};
}

bool matches_field(element doc, const FieldMatch& match) {
  element current = doc;
  std::string_view path = match.path;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    simdjson::dom::object obj;
    if (current.get_object().get(obj) != simdjson::SUCCESS) return false;
    if (obj.at_key(key).get(current) != simdjson::SUCCESS) return false;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return minified(current) == match.value_json;
}

int first_match(element doc, const std::vector<FieldMatch>& matches) {
  for (size_t i = 0; i < matches.size(); ++i)
    if (!matches[i].path.empty() && matches_field(doc, matches[i])) return static_cast<int>(i);
  return -1;
}

}  // namespace

const char* bulk_op_name(BulkOp op) {
  switch (op) {
    case BulkOp::kIndex: return "index";
    case BulkOp::kCreate: return "create";
    case BulkOp::kUpdate: return "update";
    case BulkOp::kDelete: return "delete";
  }
  return "index";
}

std::string minified(element value) { return simdjson::minify(value); }

BulkBody BulkParser::parse(std::string_view body, const BulkDefaults& defaults,
                           const std::vector<FieldMatch>& matches) {
  BulkBody out;
  if (body.empty()) {
    out.error_type = "parse_exception";
    out.error_reason = "request body is required";
    return out;
  }
  if (body.back() != '\n') {
    out.error_type = "illegal_argument_exception";
    out.error_reason = "The bulk request must be terminated by a newline [\\n]";
    return out;
  }
  body_ = body;
  out.items.reserve(body.size() / 256 + 1);  // ~300-byte documents: about right, and cheap to guess
  bool awaiting_source = false;
  size_t line_no = 0;
  for (size_t pos = 0; pos < body.size();) {
    size_t newline = body.find('\n', pos);
    std::string_view line = body.substr(pos, newline - pos);
    pos = newline + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_blank(line)) continue;
    if (awaiting_source) {
      BulkItem& item = out.items.back();
      item.source = line;
      awaiting_source = false;
      if (item.op != BulkOp::kUpdate) {
        check_source(line, item, matches);
      } else if (!parse_update(line, item, matches, out)) {
        return out;
      }
      continue;
    }
    BulkItem item;
    if (!parse_action(line, line_no, defaults, item, out)) return out;
    awaiting_source = item.op != BulkOp::kDelete;
    out.items.push_back(std::move(item));
  }

  // BulkRequest.validate(): every item's problems, numbered, in one exception.
  std::string failures;
  size_t failure_count = 0;
  auto fail = [&](const char* why) { failures += std::to_string(++failure_count) + ": " + why + ";"; };
  for (size_t i = 0; i < out.items.size(); ++i) {
    const BulkItem& item = out.items[i];
    bool sourceless = awaiting_source && i + 1 == out.items.size();
    if (item.index.empty()) fail("index is missing");
    if ((item.op == BulkOp::kUpdate || item.op == BulkOp::kDelete) && item.id.empty()) fail("id is missing");
    if (item.op == BulkOp::kUpdate && (sourceless || (item.update_doc.empty() && !item.has_script)))
      fail("script or doc is missing");
    else if (sourceless && item.op != BulkOp::kDelete)
      fail("source is missing");
  }
  if (out.items.empty()) fail("no requests added");
  if (failure_count > 0) {
    out.error_type = "action_request_validation_exception";
    out.error_reason = "Validation Failed: " + failures;
  }
  return out;
}

simdjson::error_code BulkParser::parse_line(std::string_view line, element& doc) {
  // Lines are parsed in place, the rest of the body being their padding; only
  // the last ones need a padded copy.
  if (line.data() + line.size() + simdjson::SIMDJSON_PADDING <= body_.data() + body_.size())
    return parser_.parse(line.data(), line.size(), false).get(doc);
  tail_.assign(line);
  tail_.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
  return parser_.parse(tail_.data(), line.size(), false).get(doc);
}

bool BulkParser::parse_action(std::string_view line, size_t line_no, const BulkDefaults& defaults,
                              BulkItem& item, BulkBody& out) {
  const std::string where = "Malformed action/metadata line [" + std::to_string(line_no) + "], ";
  auto refuse = [&](const char* type, std::string reason) {
    out.error_type = type;
    out.error_reason = std::move(reason);
    return false;
  };
  element doc;
  if (auto code = parse_line(line, doc)) {
    JsonSyntaxError e = syntax_error(line, code);
    return refuse("x_content_parse_exception", located(e.column, e.message));
  }
  simdjson::dom::object action;
  if (doc.get_object().get(action))
    return refuse("illegal_argument_exception",
                  where + "expected START_OBJECT but found [" + token_name(doc.type()) + "]");
  auto field = action.begin();
  if (field == action.end())
    return refuse("illegal_argument_exception", where + "expected FIELD_NAME but found [END_OBJECT]");
  std::string_view name = field.key();
  if (name == "index") item.op = BulkOp::kIndex;
  else if (name == "create") item.op = BulkOp::kCreate;
  else if (name == "update") item.op = BulkOp::kUpdate;
  else if (name == "delete") item.op = BulkOp::kDelete;
  else
    return refuse("illegal_argument_exception", where +
                                                    "expected field [create], [delete], [index] or [update] but "
                                                    "found [" + std::string(name) + "]");
  simdjson::dom::object metadata;
  if (field.value().get_object().get(metadata))
    return refuse("illegal_argument_exception",
                  where + "expected START_OBJECT but found [" + token_name(field.value().type()) + "]");
  for (auto [key, value] : metadata) {
    element_type type = value.type();
    bool object_allowed = key == "dynamic_templates" || key == "_source";
    if (type == element_type::ARRAY || (type == element_type::OBJECT && !object_allowed))
      return refuse("illegal_argument_exception", where + "expected a simple value for field [" + std::string(key) +
                                                      "] but found [" + token_name(type) + "]");
    if (object_allowed || type == element_type::NULL_VALUE) continue;
    if (key == "_type" && defaults.allow_type) continue;
    if (!known_metadata_key(key))
      return refuse("illegal_argument_exception", "Action/metadata line [" + std::to_string(line_no) +
                                                      "] contains an unknown parameter [" + std::string(key) + "]");
    if (key == "_index") item.index = simple_text(value);
    else if (key == "_id") item.id = simple_text(value);
    else if (key == "pipeline") item.pipeline = simple_text(value);
  }
  if (++field != action.end())
    return refuse("illegal_argument_exception", where + "expected END_OBJECT but found [FIELD_NAME]");
  if (item.index.empty()) item.index = std::string(defaults.index);
  if (item.pipeline.empty()) item.pipeline = std::string(defaults.pipeline);
  return true;
}

void BulkParser::check_source(std::string_view line, BulkItem& item, const std::vector<FieldMatch>& matches) {
  element doc;
  if (auto code = parse_line(line, doc)) {
    JsonSyntaxError e = syntax_error(line, code);
    item.source_error = located(e.column, "failed to parse: " + e.message + jackson_location_suffix(e.column));
    return;
  }
  if (doc.type() != element_type::OBJECT) {
    item.source_error = located(1, "Malformed content, must start with an object");
    return;
  }
  if (!matches.empty()) item.matched_rule = first_match(doc, matches);
}

bool BulkParser::parse_update(std::string_view line, BulkItem& item, const std::vector<FieldMatch>& matches,
                              BulkBody& out) {
  element doc;
  simdjson::dom::object body;
  if (auto code = parse_line(line, doc)) {
    JsonSyntaxError e = syntax_error(line, code);
    out.error_type = "x_content_parse_exception";
    out.error_reason = located(e.column, e.message);
    return false;
  }
  if (doc.get_object().get(body)) {
    out.error_type = "x_content_parse_exception";
    out.error_reason = located(1, std::string("[UpdateRequest] Expected START_OBJECT but was: ") + token_name(doc.type()));
    return false;
  }
  static const std::string_view kKnown[] = {"doc", "upsert", "doc_as_upsert", "script", "scripted_upsert",
                                            "detect_noop", "_source"};
  for (auto [key, value] : body) {
    bool known = false;
    for (std::string_view k : kKnown) known = known || k == key;
    if (!known) {
      out.error_type = "x_content_parse_exception";
      out.error_reason = located(2, "[UpdateRequest] unknown field [" + std::string(key) + "]");
      return false;
    }
    if (key == "doc") item.update_doc = minified(value);
    else if (key == "upsert") item.upsert_doc = minified(value);
    else if (key == "script") item.has_script = true;
    else if (key == "doc_as_upsert" && value.get_bool().get(item.doc_as_upsert) != simdjson::SUCCESS)
      item.doc_as_upsert = false;
  }
  // Rules on fields look at what would be indexed: the partial doc, else the upsert.
  element target;
  if (!matches.empty() && (body.at_key("doc").get(target) == simdjson::SUCCESS ||
                           body.at_key("upsert").get(target) == simdjson::SUCCESS))
    item.matched_rule = first_match(target, matches);
  return true;
}

}  // namespace logpipe::es_fake
