// grok conformance: runs every record of Logstash's own pattern and grok-filter
// specs (tests/data/grok_conformance, see its PROVENANCE.md for the record
// format) through the grok filter, as Logstash's spec helpers do: one
// `match => ["message", pattern]` per pattern case, the full options per
// filter case, an unanchored search, the ECS mode of the record. Two
// configurations:
//  (a) builtin:  logpipe's own pattern library compiled into the binary
//  (b) upstream: Logstash's pattern files loaded through patterns_dir. They are
//      upstream code and not shipped with logpipe: they are read from
//      $LOGPIPE_SHARED_DIR/conformance/grok/patterns (default: ../shared beside
//      the checkout) and this configuration skips when they are absent.
// Each configuration prints its pass rate and failing ids. The test fails when
// the failing cases differ from tests/data/grok_conformance/expected_failures.txt
// in either direction: a case fails that is not listed, or a listed case passes.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "filters/grok/grok_filter.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = LOGPIPE_SOURCE_DIR "/tests/data/grok_conformance";

// The folder of data that is not part of the repository (Logstash's pattern
// files): $LOGPIPE_SHARED_DIR, or ../shared beside the checkout.
std::string shared_dir() {
  const char* env = std::getenv("LOGPIPE_SHARED_DIR");
  return env && *env ? env : LOGPIPE_SOURCE_DIR "/../shared";
}

std::string upstream_patterns() { return shared_dir() + "/conformance/grok/patterns"; }

class NullContext : public FilterContext {
 public:
  void emit(std::unique_ptr<Event>) override {}
};

std::vector<Value> read_records(const std::string& path) {
  std::vector<Value> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Value v;
    std::string error;
    if (parse_json(line, &v, &error)) records.push_back(std::move(v));
    else ADD_FAILURE() << path << ": " << error;
  }
  return records;
}

const Value* member(const Value& v, const char* key) {
  return v.is_object() ? v.as_object().find(key) : nullptr;
}

std::string str(const Value* v) { return v && v->is_string() ? v->as_string() : ""; }

// Replaces every occurrence of `from` in *s.
void replace_all(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s->find(from, pos)) != std::string::npos; pos += to.size())
    s->replace(pos, from.size(), to);
}

// Substitutes placeholders in every string of v.
void substitute(Value* v, const std::map<std::string, std::string>& vars) {
  if (v->is_string()) {
    for (auto& [from, to] : vars) replace_all(&v->as_string(), from, to);
  } else if (v->is_array()) {
    for (auto& item : v->as_array()) substitute(&item, vars);
  } else if (v->is_object()) {
    for (auto& [k, item] : v->as_object()) substitute(&item, vars);
  }
}

// Ruby-ish equality: numbers by value, everything else by kind and content.
bool ruby_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    if (a.as_array().size() != b.as_array().size()) return false;
    for (size_t i = 0; i < a.as_array().size(); ++i)
      if (!ruby_equal(a.as_array()[i], b.as_array()[i])) return false;
    return true;
  }
  return a == b;
}

std::string show(const Value* v) { return v ? to_json(*v) : "(absent)"; }

class Runner {
 public:
  explicit Runner(bool upstream) : upstream_(upstream) {
    scratch_ = fs::temp_directory_path() /
               ("grok_conformance_" + std::to_string(getpid()) + (upstream ? "_up" : "_bi"));
    fs::create_directories(scratch_);
  }
  ~Runner() {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }

  // Empty string: the record passed; otherwise why it failed.
  std::string run(const Value& record, bool filter_case) {
    std::string ecs = str(member(record, "ecs"));
    PluginInfo info = grok_filter_info();
    Settings settings;
    for (auto& spec : info.all_options())
      if (spec.default_value) settings.set(spec.name, *spec.default_value);
    settings.set("ecs_compatibility", ecs == "v1" ? "v1" : "disabled");

    std::map<std::string, std::string> vars{{"${TMPDIR}", (scratch_ / "tmp").string()},
                                            {"${LOGSTASH_HOME}", (scratch_ / "home").string()},
                                            {"./patterns", (scratch_ / "patterns").string()}};
    Value options = member(record, "options") ? *member(record, "options") : Value(Object());
    substitute(&options, vars);
    if (!filter_case) {
      Object match;
      match.set("message", *member(record, "pattern"));
      settings.set("match", Value(std::move(match)));
    }
    const OptionSpecs all_options = info.all_options();
    for (auto& [name, value] : options.as_object()) {
      // The engine's coercions: scalars to arrays, [k, v] pairs to a hash.
      Value v = value;
      const OptionSpec* spec = nullptr;
      for (auto& s : all_options)
        if (s.name == name) spec = &s;
      if (!spec) return "unknown option " + name;
      if (spec->type == OptionType::Array && !v.is_array()) v = Value(Array{v});
      if (spec->type == OptionType::Hash && v.is_array()) {
        Object h;
        const Array& a = v.as_array();
        for (size_t i = 0; i + 1 < a.size(); i += 2) h.set(a[i].to_string(), a[i + 1]);
        v = Value(std::move(h));
      }
      settings.set(name, v);
    }
    if (const Value* files = member(record, "pattern_files")) {
      Value copy = *files;
      substitute(&copy, vars);
      for (auto& f : copy.as_array()) {
        fs::path dir = str(member(f, "dir"));
        fs::create_directories(dir);
        std::ofstream(dir / str(member(f, "file"))) << str(member(f, "content"));
      }
    }
    if (upstream_) {
      Array dirs{Value((fs::path(upstream_patterns()) / (ecs == "v1" ? "ecs-v1" : "legacy")).string())};
      if (const Value* given = settings.get("patterns_dir"); given && given->is_array())
        for (auto& d : given->as_array()) dirs.push_back(d);
      settings.set("patterns_dir", Value(std::move(dirs)));
    }

    PluginEnv env;
    static const GrokFilter::PatternFiles kNone;
    std::unique_ptr<Filter> filter;
    try {
      PluginArgs args{info.name, "grok_conformance", settings, env, nullptr};
      filter = std::make_unique<GrokFilter>(args, upstream_ ? kNone : builtin_pattern_files());
    } catch (const std::exception& e) {
      return std::string("filter rejected: ") + e.what();
    }

    Event event(std::string(), Timestamp::now());
    if (filter_case) {
      event.fields().erase("message");
      for (auto& [k, v] : member(record, "event")->as_object()) event.fields().set(k, v);
    } else {
      event.set_top("message", *member(record, "input"));
    }
    NullContext ctx;
    filter->filter(event, ctx);
    std::error_code ec;
    fs::remove_all(scratch_ / "tmp", ec);
    fs::remove_all(scratch_ / "home", ec);
    fs::remove_all(scratch_ / "patterns", ec);
    return check(record, event, settings);
  }

 private:
  std::string check(const Value& record, const Event& event, const Settings& settings) {
    std::ostringstream why;
    const Value* should = member(record, "should_match");
    bool failed_tag = false;
    if (const Value* tags = settings.get("tag_on_failure"); tags && tags->is_array())
      for (auto& tag : tags->as_array()) failed_tag |= event.has_tag(tag.to_string());
    if (should && should->is_bool()) {
      if (should->as_bool() && failed_tag) why << "did not match; ";
      if (!should->as_bool() && !failed_tag && !member(record, "checks")) why << "matched; ";
    }
    auto get = [&](const std::string& ref_text) -> const Value* {
      auto ref = FieldRef::parse(ref_text);
      return ref ? event.get(*ref) : nullptr;
    };
    if (const Value* expected = member(record, "expected")) {
      for (auto& [ref, want] : expected->as_object()) {
        const Value* got = get(ref);
        if (!got || !ruby_equal(*got, want))
          why << ref << " = " << show(got) << " want " << to_json(want) << "; ";
      }
      if (const Value* exact = member(record, "exact_objects")) {
        for (auto& path_value : exact->as_array()) {
          auto path = FieldRef::parse(path_value.as_string());
          std::set<std::string> want_keys;
          for (auto& [ref_text, ignored] : expected->as_object()) {
            auto ref = FieldRef::parse(ref_text);
            if (!ref || !path || ref->metadata() != path->metadata()) continue;
            auto& a = ref->path();
            auto& p = path->path();
            if (a.size() > p.size() && std::equal(p.begin(), p.end(), a.begin()))
              want_keys.insert(a[p.size()]);
          }
          const Value* got = path ? event.get(*path) : nullptr;
          std::set<std::string> got_keys;
          if (got && got->is_object())
            for (auto& [k, v] : got->as_object()) got_keys.insert(k);
          if (got_keys != want_keys)
            why << path_value.as_string() << " has keys " << show(got) << "; ";
        }
      }
    }
    if (const Value* absent = member(record, "absent"))
      for (auto& ref : absent->as_array()) {
        const Value* got = get(ref.as_string());
        if (got && !got->is_null()) why << ref.as_string() << " present " << show(got) << "; ";
      }
    if (const Value* present = member(record, "present"))
      for (auto& ref : present->as_array())
        if (!get(ref.as_string())) why << ref.as_string() << " absent; ";
    if (const Value* allowed = member(record, "allowed_top_level")) {
      std::set<std::string> ok{"@timestamp", "@version", "message"};
      for (auto& a : allowed->as_array()) ok.insert(a.as_string());
      for (auto& [k, v] : event.fields())
        if (!ok.count(k)) why << "top-level " << k << " not allowed; ";
    }
    if (const Value* checks = member(record, "checks"))
      for (auto& c : checks->as_array()) {
        std::string failure = run_check(c, event, get);
        if (!failure.empty()) why << failure << "; ";
      }
    return why.str();
  }

  template <typename Get>
  std::string run_check(const Value& c, const Event& event, Get get) {
    std::string op = str(member(c, "op"));
    const Value* want = member(c, "value");
    std::string field = str(member(c, "field"));
    if (op == "json_matches") {
      std::string json;
      append_event_json(event, json);
      RE2::Options o;
      o.set_case_sensitive(!(member(c, "ignore_case") && member(c, "ignore_case")->truthy()));
      RE2 re(str(want), o);
      return RE2::PartialMatch(json, re) ? "" : "json " + json + " !~ " + str(want);
    }
    const Value* got = get(field);
    if (const Value* index = member(c, "index"); index && got) {
      int64_t i = index->as_int();
      if (got->is_array()) {
        const Array& a = got->as_array();
        int64_t at = i < 0 ? int64_t(a.size()) + i : i;
        got = at >= 0 && at < int64_t(a.size()) ? &a[at] : nullptr;
      } else if (i != -1) {
        got = nullptr;
      }
    }
    std::string label = field + " " + op + " " + (want ? to_json(*want) : "") + " (got " + show(got) + ")";
    bool ok = false;
    if (op == "not_null") ok = got && !got->is_null();
    else if (op == "eq") ok = got && want && ruby_equal(*got, *want);
    else if (op == "ne") ok = !got || !want || !ruby_equal(*got, *want);
    else if (op == "to_s_eq") ok = got && want && got->to_string() == want->to_string();
    else if (op == "to_i_eq") ok = got && want && std::atoll(got->to_string().c_str()) == want->as_int();
    else if (op == "type") {
      std::string t = str(want);
      ok = got && ((t == "object" && got->is_object()) || (t == "integer" && got->is_int()) ||
                   (t == "float" && got->is_float()) || (t == "string" && got->is_string()));
    } else if (op == "json_eq") {
      ok = got && to_json(*got) == str(want);
    } else if (op == "contains" || op == "not_contains") {
      bool has = false;
      if (got && got->is_array()) {
        for (auto& item : got->as_array()) has |= want && ruby_equal(item, *want);
      } else if (got && got->is_string() && want) {
        has = got->as_string().find(want->to_string()) != std::string::npos;
      }
      ok = op == "contains" ? has : !has;
    } else if (op == "starts_with" || op == "ends_with" || op == "not_ends_with") {
      std::string s = got && got->is_string() ? got->as_string() : "";
      std::string w = str(want);
      bool starts = got && s.compare(0, w.size(), w) == 0;
      bool ends = got && s.size() >= w.size() && s.compare(s.size() - w.size(), w.size(), w) == 0;
      ok = op == "starts_with" ? starts : op == "ends_with" ? ends : !ends;
    } else {
      return "unknown check op " + op;
    }
    return ok ? "" : label;
  }

  bool upstream_;
  fs::path scratch_;
};

// The cases expected to fail in configuration `name`: id -> reason. Each line
// of the file is `CONFIG ID REASON...`; `#` starts a comment line.
std::map<std::string, std::string> expected_failures(const std::string& name) {
  const std::string path = kCorpus + "/expected_failures.txt";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::map<std::string, std::string> expected;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string config, id, reason;
    if (!(words >> config) || config[0] == '#') continue;
    words >> id >> std::ws;
    std::getline(words, reason);
    if (id.empty() || reason.empty()) {
      ADD_FAILURE() << path << ":" << number << ": want `CONFIG ID REASON`, got: " << line;
      continue;
    }
    if (config != "builtin" && config != "upstream")
      ADD_FAILURE() << path << ":" << number << ": unknown configuration " << config;
    if (config != name) continue;
    if (!expected.emplace(id, reason).second)
      ADD_FAILURE() << path << ":" << number << ": " << id << " listed twice for " << name;
  }
  return expected;
}

void run_configuration(bool upstream) {
  ASSERT_TRUE(fs::exists(kCorpus + "/cases.jsonl")) << "no conformance records at " << kCorpus;
  if (upstream && !fs::is_directory(upstream_patterns()))
    GTEST_SKIP() << "needs Logstash's pattern files at " << upstream_patterns()
                 << " (not shipped with logpipe: upstream code)";
  std::string name = upstream ? "upstream" : "builtin";
  std::map<std::string, std::string> expected = expected_failures(name);
  Runner runner(upstream);
  size_t passed = 0;
  size_t total = 0;
  std::set<std::string> seen;
  std::vector<std::string> failures;
  for (bool filter_case : {false, true}) {
    auto records = read_records(kCorpus + (filter_case ? "/filter_cases.jsonl" : "/cases.jsonl"));
    for (auto& record : records) {
      ++total;
      std::string id = str(member(record, "id"));
      EXPECT_TRUE(seen.insert(id).second) << "two records with id " << id;
      std::string why = runner.run(record, filter_case);
      auto listed = expected.find(id);
      if (why.empty()) {
        ++passed;
        if (listed != expected.end())
          ADD_FAILURE() << name << ": " << id << " passes but is listed in expected_failures.txt ("
                        << listed->second << "); remove the entry";
      } else {
        failures.push_back(id + ": " + why);
        if (listed == expected.end())
          ADD_FAILURE() << name << ": " << id << " fails and is not in expected_failures.txt: "
                        << why.substr(0, 400);
      }
    }
  }
  for (auto& [id, reason] : expected)
    if (!seen.count(id)) ADD_FAILURE() << name << ": expected_failures.txt lists unknown case " << id;
  double rate = total ? 100.0 * double(passed) / double(total) : 0;
  std::cout << "grok conformance [" << name << "]: " << passed << "/" << total << " passed ("
            << rate << "%)\n";
  for (auto& f : failures) std::cout << "  FAIL " << f.substr(0, 400) << "\n";
}

TEST(GrokConformance, BuiltinLibrary) { run_configuration(false); }
TEST(GrokConformance, UpstreamPatternFiles) { run_configuration(true); }

}  // namespace
}  // namespace logpipe
