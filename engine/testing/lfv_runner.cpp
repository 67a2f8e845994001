#include "engine/testing/lfv_runner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/event/field_decorators.h"
#include "engine/event/field_ref.h"
#include "engine/runtime/filter_graph.h"
#include "engine/runtime/input_runner.h"
#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

// A codec as a stdin input with `codec => <text>` builds it, as LFV does.
std::unique_ptr<Codec> codec_from_text(const std::string& codec_text, const PluginEnv& env) {
  config::SourceFile src{"codec", "input { stdin { codec => " + codec_text + " } }"};
  auto cfg = config::load_pipeline({src});
  return make_codec_for(cfg->inputs.at(0), env);
}

void remove_path(Object& o, const std::string& name) {
  auto ref = FieldRef::parse(name);
  if (!ref || name.empty() || name[0] != '[') {
    o.erase(name);
    return;
  }
  Event e;
  e.fields() = std::move(o);
  e.remove(*ref);
  o = std::move(e.fields());
}

Value as_compared(const Event& e, const LfvCaseSet& set) {
  std::string json;
  append_event_json(e, json);
  Value v;
  parse_json(json, &v, nullptr);
  Object& o = v.as_object();
  if (!set.input_plugin.empty()) {
    if (Value* tags = o.find("tags"); tags && tags->is_array()) {
      Array kept;
      for (auto& t : tags->as_array())
        if (!(t.is_string() && t.as_string().rfind("__lfv_", 0) == 0)) kept.push_back(t);
      if (kept.empty()) o.erase("tags");
      else *tags = Value(std::move(kept));
    }
    if (set.export_metadata) {
      Object md;
      for (const auto& [k, val] : e.metadata())
        if (k.rfind("__lfv_", 0) != 0 && k.rfind("__tmp_", 0) != 0) md.set(k, val);
      if (!md.empty()) {
        std::string mj = to_json(Value(std::move(md)));
        Value mv;
        parse_json(mj, &mv, nullptr);
        o.set("@metadata", std::move(mv));
      }
    }
  }
  for (const auto& name : set.ignore) remove_path(o, name);
  return v;
}

}  // namespace

bool LfvSetResult::passed() const {
  if (!set_failure.empty()) return false;
  for (const auto& c : cases)
    if (!c.failures.empty()) return false;
  return true;
}

std::string lfv_event_diff(const Value& expected, const Value& actual) {
  std::set<std::string> keys;
  for (const auto& [k, v] : expected.as_object()) keys.insert(k);
  for (const auto& [k, v] : actual.as_object()) keys.insert(k);
  std::string out;
  for (const auto& k : keys) {
    const Value* e = expected.as_object().find(k);
    const Value* a = actual.as_object().find(k);
    if (e && a && *e == *a) continue;
    out += "    " + k + ":\n";
    out += "      - expected: " + (e ? to_json(*e) : std::string("(missing)")) + "\n";
    out += "      + actual:   " + (a ? to_json(*a) : std::string("(missing)")) + "\n";
  }
  return out;
}

LfvRunner::LfvRunner(std::shared_ptr<const PipelineConfig> config) : config_(std::move(config)) {}

LfvSetResult LfvRunner::run(const LfvCaseSet& set) {
  auto start = std::chrono::steady_clock::now();
  LfvSetResult result;
  result.path = set.path;
  PluginEnv env;
  FilterGraph graph(*config_, env);
  const bool daemon = !set.input_plugin.empty();

  std::unique_ptr<Codec> codec;
  AddFields input_add_fields;
  std::optional<InputDecorations> decorations;
  if (daemon) {
    const PluginDecl* in = nullptr;
    for (const auto& d : config_->inputs)
      if (d.id == set.input_plugin) in = &d;
    if (!in) throw LfvCaseError(set.path + ": input_plugin " + set.input_plugin + " is not an input of the config");
    // Not make_codec_for: LFV's generator input is not a stream, so plain
    // stays plain and json stays json.
    const CodecSpec& spec = *in->settings->codec();
    codec = make_codec(spec, spec.name, in->id, env);
    decorations.emplace(*in->settings);
  } else {
    codec = codec_from_text(set.codec, env);
    input_add_fields = AddFields(set.fields);
  }

  std::vector<Value> actual;
  std::vector<std::unique_ptr<Event>> owned;
  std::vector<std::vector<const Event*>> per_output;
  for (const auto& tc : set.cases) {
    Object fields = set.fields;
    for (const auto& [k, v] : tc.fields) fields.set(k, v);
    std::vector<std::string> lines = tc.input;
    // LFV re-serialises json_lines input, expanding bracket keys, so that
    // multi-line JSON (YAML `>`) is one line.
    if (set.codec == "json_lines")
      for (auto& line : lines) {
        Value v;
        if (!parse_json(line, &v, nullptr) || !v.is_object())
          throw LfvCaseError(set.path + ": json_lines input is not a JSON object: " + line);
        line = to_json(Value(expand_bracket_keys(v.as_object())));
      }
    if (lines.empty()) lines.push_back("__lfv_dummy_event");
    std::vector<Event> decoded;
    for (const auto& line : lines) {
      // Standalone writes each line and "\n" to stdin; the daemon's generator
      // hands each line to the codec as it is.
      codec->decode(daemon ? line : line + "\n", [&](Event&& e) { decoded.push_back(std::move(e)); });
      codec->flush([&](Event&& e) { decoded.push_back(std::move(e)); });
    }
    for (auto& ev : decoded) {
      if (!ev.has(*FieldRef::parse("@timestamp"))) ev.set_timestamp(Timestamp::now());
      if (daemon) {
        // As LFV's `event.set(key, value)`: "@metadata" is the event's metadata.
        for (const auto& [k, v] : fields) {
          if (k != "@metadata" || !v.is_object()) {
            ev.set_top(k, v);
            continue;
          }
          for (const auto& [mk, mv] : v.as_object()) ev.set(*FieldRef::parse("[@metadata][" + mk + "]"), mv);
        }
        if (tc.input.empty()) ev.fields().erase("message");
        decorations->apply(ev);
      } else {
        input_add_fields.apply(ev);
      }
      std::vector<Event*> batch{&ev};
      owned.clear();
      graph.run(batch, [&](std::unique_ptr<Event> made) { owned.push_back(std::move(made)); });
      std::vector<Event*> live;
      for (Event* e : batch)
        if (!e->cancelled()) live.push_back(e);
      if (!daemon || config_->outputs.empty()) {
        for (Event* e : live) actual.push_back(as_compared(*e, set));
        continue;
      }
      // LFV's daemon returns each event once per output it reaches, those
      // of one input event ordered by output id.
      per_output.assign(config_->outputs.size(), {});
      graph.route(live, per_output);
      std::vector<std::pair<const std::string*, const Event*>> reached;
      for (size_t i = 0; i < per_output.size(); ++i)
        for (const Event* e : per_output[i]) reached.emplace_back(&config_->outputs[i].id, e);
      std::stable_sort(reached.begin(), reached.end(), [](auto& a, auto& b) { return *a.first < *b.first; });
      for (const auto& [output, e] : reached) {
        Value v = as_compared(*e, set);
        if (set.export_outputs) v.as_object().set("__lfv_out_passed", Value(*output));
        actual.push_back(std::move(v));
      }
    }
  }

  size_t expected_count = 0;
  for (const auto& tc : set.cases) expected_count += tc.expected.size();
  if (expected_count != actual.size())
    result.set_failure = "expected " + std::to_string(expected_count) + " events, got " +
                         std::to_string(actual.size());
  size_t i = 0;
  for (const auto& tc : set.cases) {
    LfvCaseResult cr;
    cr.description = tc.description;
    for (const auto& exp : tc.expected) {
      if (result.set_failure.empty() && !(exp == actual[i]))
        cr.failures.push_back("  event " + std::to_string(i + 1) + " differs:\n" +
                              lfv_event_diff(exp, actual[i]));
      ++i;
    }
    if (!result.set_failure.empty()) cr.failures.push_back(result.set_failure);
    result.cases.push_back(std::move(cr));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

namespace {
std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') o += ' ';
        else o += c;
    }
  }
  return o;
}
}  // namespace

std::string lfv_junit_xml(const std::vector<LfvSetResult>& results) {
  size_t tests = 0, failures = 0;
  double secs = 0;
  std::string body;
  for (const auto& r : results) {
    size_t f = 0;
    for (const auto& c : r.cases) f += c.failures.empty() ? 0 : 1;
    tests += r.cases.size();
    failures += f;
    secs += r.seconds;
    body += "  <testsuite name=\"" + xml_escape(r.path) + "\" tests=\"" + std::to_string(r.cases.size()) +
            "\" failures=\"" + std::to_string(f) + "\" errors=\"0\" skipped=\"0\" time=\"" +
            std::to_string(r.seconds) + "\">\n";
    size_t n = 0;
    for (const auto& c : r.cases) {
      std::string name = c.description.empty() ? "test case " + std::to_string(n + 1) : c.description;
      ++n;
      body += "    <testcase classname=\"" + xml_escape(r.path) + "\" name=\"" + xml_escape(name) +
              "\" time=\"" + std::to_string(r.seconds / double(r.cases.size())) + "\"";
      if (c.failures.empty()) {
        body += "/>\n";
        continue;
      }
      std::string text;
      for (const auto& fl : c.failures) text += fl + "\n";
      body += ">\n      <failure message=\"events differ\" type=\"lfv\">" + xml_escape(text) +
              "</failure>\n    </testcase>\n";
    }
    body += "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"logpipe test\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" time=\"" +
         std::to_string(secs) + "\">\n" + body + "</testsuites>\n";
}

}  // namespace logpipe
