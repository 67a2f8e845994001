#include "engine/testing/lfv_cases.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/text/json_reader.h"

namespace logpipe {

namespace {

namespace fs = std::filesystem;

bool has_case_extension(const std::string& p) {
  std::string ext = fs::path(p).extension().string();
  return ext == ".json" || ext == ".yaml" || ext == ".yml";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// go-yaml v2 resolution of plain scalars: YAML 1.1 booleans, null, numbers.
Value yaml_scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return Value(s);  // quoted
  static const std::regex kInt("[-+]?(0|[1-9][0-9_]*)");
  static const std::regex kFloat("[-+]?([0-9][0-9_]*)?\\.[0-9]*([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+");
  std::string l = lower(s);
  if (l == "true" || l == "yes" || l == "on" || l == "y") return Value(true);
  if (l == "false" || l == "no" || l == "off" || l == "n") return Value(false);
  if (s.empty() || s == "~" || l == "null") return Value();
  std::string digits = s;
  digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
  try {
    if (std::regex_match(s, kInt)) return Value(static_cast<int64_t>(std::stoll(digits)));
    if (std::regex_match(s, kFloat) && s != "." ) return Value(std::stod(digits));
  } catch (const std::out_of_range&) {
    return Value(std::stod(digits));
  }
  return Value(s);
}

Value from_yaml(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      Array a;
      for (const auto& item : n) a.push_back(from_yaml(item));
      return Value(std::move(a));
    }
    case YAML::NodeType::Map: {
      Object o;
      for (const auto& kv : n) o.set(kv.first.as<std::string>(), from_yaml(kv.second));
      return Value(std::move(o));
    }
    case YAML::NodeType::Scalar:
      return yaml_scalar(n);
    default:
      return Value();
  }
}

// Looks a key up as LFV's decoder does: JSON case-insensitively, YAML exactly.
const Value* key(const Object& o, std::string_view name, bool json) {
  if (!json) return o.find(name);
  const Value* hit = o.find(name);
  if (hit) return hit;
  for (const auto& [k, v] : o)
    if (lower(k) == name) return &v;
  return nullptr;
}

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw LfvCaseError(path + ": " + why);
}

std::vector<std::string> strings_of(const Value* v, const std::string& path, const char* what) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) fail(path, std::string(what) + " must be an array of strings");
  for (const auto& s : v->as_array()) {
    if (!s.is_string()) fail(path, std::string(what) + " must be an array of strings");
    out.push_back(s.as_string());
  }
  return out;
}

std::vector<Value> events_of(const Value* v, const std::string& path) {
  std::vector<Value> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) fail(path, "expected must be an array of objects");
  for (const auto& e : v->as_array()) {
    if (!e.is_object()) fail(path, "expected must be an array of objects");
    out.push_back(Value(expand_bracket_keys(e.as_object())));
  }
  return out;
}

Object object_of(const Value* v, const std::string& path, const char* what) {
  if (!v) return {};
  if (!v->is_object()) fail(path, std::string(what) + " must be an object");
  return expand_bracket_keys(v->as_object());
}

bool bracket_path(const std::string& k, std::vector<std::string>* parts) {
  static const std::regex kPath("^(\\[[^\\[\\],]+\\])+$");
  if (!std::regex_match(k, kPath)) return false;
  size_t i = 0;
  while (i < k.size()) {
    size_t close = k.find(']', i);
    parts->push_back(k.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return true;
}

}  // namespace

Object expand_bracket_keys(const Object& o) {
  Object out;
  for (const auto& [k, v] : o) {
    Value val = v.is_object() ? Value(expand_bracket_keys(v.as_object())) : v;
    std::vector<std::string> parts;
    if (!bracket_path(k, &parts)) {
      out.set(k, std::move(val));
      continue;
    }
    Object* at = &out;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      Value& next = (*at)[parts[i]];
      if (!next.is_object()) next = Value(Object{});
      at = &next.as_object();
    }
    at->set(parts.back(), std::move(val));
  }
  return out;
}

LfvCaseSet parse_lfv_case_set(const std::string& path, const std::string& text) {
  if (!has_case_extension(path)) fail(path, "a test case file must end in .json, .yaml or .yml");
  const bool json = fs::path(path).extension() == ".json";
  Value root;
  if (json) {
    std::string err;
    if (!parse_json(text, &root, &err)) fail(path, "invalid JSON: " + err);
  } else {
    try {
      root = from_yaml(YAML::Load(text));
    } catch (const YAML::Exception& e) {
      fail(path, std::string("invalid YAML: ") + e.what());
    }
  }
  if (!root.is_object()) fail(path, "the file must hold one object");
  const Object& top = root.as_object();

  LfvCaseSet set;
  set.path = path;
  const Value* fields = key(top, "fields", json);
  if (fields && fields->is_null()) fail(path, "fields must be an object, not null");
  set.fields = object_of(fields, path, "fields");
  set.ignore = strings_of(key(top, "ignore", json), path, "ignore");
  set.ignore.push_back("@version");
  if (const Value* c = key(top, "codec", json); c && c->is_string()) set.codec = c->as_string();
  if (const Value* p = key(top, "input_plugin", json); p && p->is_string())
    set.input_plugin = p->as_string();
  if (const Value* m = key(top, "export_metadata", json); m && m->is_bool())
    set.export_metadata = m->as_bool();
  if (const Value* m = key(top, "export_outputs", json); m && m->is_bool())
    set.export_outputs = m->as_bool();

  // LFV 1.x flat form: its lines and events come before the testcases'.
  std::vector<std::string> flat_input = strings_of(key(top, "input", json), path, "input");
  std::vector<Value> flat_expected = events_of(key(top, "expected", json), path);
  if (!flat_input.empty() || !flat_expected.empty()) {
    LfvCase flat;
    flat.description = "(top-level input/expected)";
    flat.input = std::move(flat_input);
    flat.expected = std::move(flat_expected);
    set.cases.push_back(std::move(flat));
  }
  const Value* cases = key(top, "testcases", json);
  if (cases && !cases->is_null()) {
    if (!cases->is_array()) fail(path, "testcases must be an array of objects");
    for (const auto& c : cases->as_array()) {
      if (!c.is_object()) fail(path, "testcases must be an array of objects");
      const Object& co = c.as_object();
      LfvCase tc;
      if (const Value* d = key(co, "description", json); d && d->is_string()) tc.description = d->as_string();
      tc.input = strings_of(key(co, "input", json), path, "input");
      tc.expected = events_of(key(co, "expected", json), path);
      tc.fields = object_of(key(co, "fields", json), path, "fields");
      set.cases.push_back(std::move(tc));
    }
  }
  return set;
}

LfvCaseSet load_lfv_case_set(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_lfv_case_set(path, ss.str());
}

std::vector<std::string> discover_lfv_case_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && has_case_extension(entry.path().string()))
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      throw LfvCaseError(p + ": no such file or directory");
    }
  }
  return out;
}

}  // namespace logpipe
