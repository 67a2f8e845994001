#include "engine/text/json_reader.h"

#include <simdjson.h>

#include <cstring>
#include <memory>
#include <utility>

namespace logpipe {

namespace {

// The DOM front end measured faster than On Demand for whole small documents
// (log events of a few hundred bytes), because its runtime-dispatched stage 2
// uses the machine's SIMD level while On Demand's inline code is compiled for
// the baseline target. On Demand is kept only for the rare document DOM
// refuses because of a number it cannot represent (integers beyond uint64).

// Buffers larger than this are released after use, so one huge document does
// not pin its memory in every worker thread for good.
constexpr size_t kKeepCapacity = 1 << 20;

struct ThreadState {
  simdjson::dom::parser dom;
  std::unique_ptr<simdjson::ondemand::parser> ondemand;  // built on first need
  std::unique_ptr<char[]> buffer;
  size_t buffer_capacity = 0;  // bytes usable before the padding

  // Copies text into the padded buffer and returns it.
  const char* pad(std::string_view text) {
    if (!buffer || buffer_capacity < text.size()) {
      size_t cap = text.size() < 4096 ? 4096 : text.size();
      buffer.reset(new char[cap + simdjson::SIMDJSON_PADDING]);
      buffer_capacity = cap;
    }
    if (!text.empty()) std::memcpy(buffer.get(), text.data(), text.size());
    std::memset(buffer.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return buffer.get();
  }

  void shrink_after(size_t size) {
    if (size <= kKeepCapacity) return;
    buffer.reset();
    buffer_capacity = 0;
    dom = simdjson::dom::parser();
    ondemand.reset();
  }
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

const char* describe(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY: return "no JSON value in the input";
    case simdjson::UTF8_ERROR: return "the input is not valid UTF-8";
    case simdjson::DEPTH_ERROR: return "nested deeper than 1024 levels";
    case simdjson::STRING_ERROR: return "invalid string (bad escape sequence)";
    case simdjson::UNESCAPED_CHARS: return "control character not escaped inside a string";
    case simdjson::UNCLOSED_STRING: return "unterminated string";
    case simdjson::NUMBER_ERROR: return "invalid number, or one beyond the range of a double";
    case simdjson::NUMBER_OUT_OF_RANGE: return "number out of range";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal (expected true, false or null)";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "malformed JSON (missing or extra comma, brace, bracket or key)";
    case simdjson::TRAILING_CONTENT: return "unexpected content after the JSON value";
    case simdjson::CAPACITY: return "document too large";
    default: return simdjson::error_message(code);
  }
}

// ---------------------------------------------------------------- DOM path

// spare: room reserved for fields added later (the root object of an event
// usually gets @version, tags ...), which saves a reallocation.
void from_dom(simdjson::dom::element e, Value* out, size_t spare = 0) {
  using Type = simdjson::dom::element_type;
  switch (e.type()) {
    case Type::OBJECT: {
      simdjson::dom::object obj = e.get_object().value_unsafe();
      *out = Value(Object());
      Object& o = out->as_object();
      o.reserve(obj.size() + spare);
      for (simdjson::dom::key_value_pair field : obj) {
        if (Value* existing = o.find(field.key)) {
          from_dom(field.value, existing);
          continue;
        }
        from_dom(field.value, &o.append(std::string(field.key), Value()));
      }
      return;
    }
    case Type::ARRAY: {
      simdjson::dom::array arr = e.get_array().value_unsafe();
      *out = Value(Array());
      Array& a = out->as_array();
      a.reserve(arr.size());
      for (simdjson::dom::element item : arr) {
        a.emplace_back();
        from_dom(item, &a.back());
      }
      return;
    }
    case Type::STRING:
      *out = Value(e.get_string().value_unsafe());
      return;
    case Type::INT64:
      *out = Value(e.get_int64().value_unsafe());
      return;
    case Type::UINT64:
      *out = Value(static_cast<double>(e.get_uint64().value_unsafe()));
      return;
    case Type::DOUBLE:
      *out = Value(e.get_double().value_unsafe());
      return;
    case Type::BOOL:
      *out = Value(e.get_bool().value_unsafe());
      return;
    case Type::NULL_VALUE:
      *out = Value();
      return;
  }
}

// ---------------------------------------------------------------- On Demand path

namespace od = simdjson::ondemand;

simdjson::error_code from_ondemand(od::value v, Value* out);

simdjson::error_code number_from_ondemand(od::value& v, Value* out) {
  int64_t i;
  if (v.get_int64().get(i) == simdjson::SUCCESS) {
    *out = Value(i);
    return simdjson::SUCCESS;
  }
  // Integers beyond int64 and fractional numbers: the nearest double.
  double d;
  SIMDJSON_TRY(v.get_double().get(d));
  *out = Value(d);
  return simdjson::SUCCESS;
}

simdjson::error_code object_from_ondemand(od::object obj, Value* out) {
  *out = Value(Object());
  Object& o = out->as_object();
  for (auto field_result : obj) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    if (Value* existing = o.find(key)) {
      SIMDJSON_TRY(from_ondemand(field.value(), existing));
      continue;
    }
    SIMDJSON_TRY(from_ondemand(field.value(), &o.append(std::string(key), Value())));
  }
  return simdjson::SUCCESS;
}

simdjson::error_code array_from_ondemand(od::array arr, Value* out) {
  *out = Value(Array());
  Array& a = out->as_array();
  for (auto item_result : arr) {
    od::value item;
    SIMDJSON_TRY(std::move(item_result).get(item));
    a.emplace_back();
    SIMDJSON_TRY(from_ondemand(item, &a.back()));
  }
  return simdjson::SUCCESS;
}

simdjson::error_code from_ondemand(od::value v, Value* out) {
  od::json_type type;
  SIMDJSON_TRY(v.type().get(type));
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      SIMDJSON_TRY(v.get_object().get(obj));
      return object_from_ondemand(obj, out);
    }
    case od::json_type::array: {
      od::array arr;
      SIMDJSON_TRY(v.get_array().get(arr));
      return array_from_ondemand(arr, out);
    }
    case od::json_type::string: {
      std::string_view s;
      SIMDJSON_TRY(v.get_string().get(s));
      *out = Value(s);
      return simdjson::SUCCESS;
    }
    case od::json_type::number:
      return number_from_ondemand(v, out);
    case od::json_type::boolean: {
      bool b;
      SIMDJSON_TRY(v.get_bool().get(b));
      *out = Value(b);
      return simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null;
      SIMDJSON_TRY(v.is_null().get(is_null));
      if (!is_null) return simdjson::N_ATOM_ERROR;
      *out = Value();
      return simdjson::SUCCESS;
    }
  }
  return simdjson::TAPE_ERROR;
}

simdjson::error_code parse_ondemand(ThreadState& state, const char* padded, size_t size,
                                    Value* out) {
  if (!state.ondemand) state.ondemand = std::make_unique<od::parser>();
  od::document doc;
  SIMDJSON_TRY(state.ondemand->iterate(padded, size, size + simdjson::SIMDJSON_PADDING).get(doc));
  od::json_type type;
  SIMDJSON_TRY(doc.type().get(type));
  if (type == od::json_type::object) {
    od::object obj;
    SIMDJSON_TRY(doc.get_object().get(obj));
    SIMDJSON_TRY(object_from_ondemand(obj, out));
  } else if (type == od::json_type::array) {
    od::array arr;
    SIMDJSON_TRY(doc.get_array().get(arr));
    SIMDJSON_TRY(array_from_ondemand(arr, out));
  }
  if (type == od::json_type::object || type == od::json_type::array) {
    // On Demand stops at the end of the root value; anything after it is an error.
    const char* rest;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) return simdjson::TRAILING_CONTENT;
    return simdjson::SUCCESS;
  }
  // A scalar root: only a number can bring us here (DOM handles the others).
  int64_t i;
  if (doc.get_int64().get(i) == simdjson::SUCCESS) {
    *out = Value(i);
    return simdjson::SUCCESS;
  }
  double d;
  SIMDJSON_TRY(doc.get_double().get(d));
  *out = Value(d);
  return simdjson::SUCCESS;
}


// True when v nests deeper than `limit` levels; stops looking past it.
bool deeper_than(const Value& v, int limit) {
  if (v.is_array()) {
    if (limit == 0) return true;
    for (const Value& item : v.as_array())
      if (deeper_than(item, limit - 1)) return true;
  } else if (v.is_object()) {
    if (limit == 0) return true;
    for (const auto& [key, item] : v.as_object())
      if (deeper_than(item, limit - 1)) return true;
  }
  return false;
}

}  // namespace

bool parse_json(std::string_view text, Value* out, std::string* error, int max_depth) {
  if (!parse_json(text, out, error)) return false;
  // simdjson enforces kJsonMaxDepth itself; a lower bound is checked on the value.
  if (max_depth < kJsonMaxDepth && deeper_than(*out, max_depth)) {
    if (error) *error = "nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  return true;
}

bool parse_json(std::string_view text, Value* out, std::string* error) {
  ThreadState& state = thread_state();
  const char* padded = state.pad(text);
  simdjson::dom::element root;
  auto err = state.dom.parse(padded, text.size(), false).get(root);
  if (err == simdjson::SUCCESS) {
    from_dom(root, out, /*spare=*/2);
  } else if (err == simdjson::NUMBER_ERROR) {
    // Possibly an integer beyond uint64, which DOM refuses and we accept as Float.
    err = parse_ondemand(state, padded, text.size(), out);
  }
  state.shrink_after(text.size());
  if (err) {
    if (error) *error = describe(err);
    return false;
  }
  return true;
}

}  // namespace logpipe
