// translate filter: lookups (exact, regex, substring), targets in both ECS
// modes, override, fallback, iterate_on, dictionary files (YAML, JSON, CSV)
// with refresh (merge/replace, a broken file keeps the old dictionary) and
// the config errors Logstash raises. Table-driven where the cases line up.
#include "filters/translate_filter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using testing::opts;

std::unique_ptr<Filter> make_filter(const Object& settings) {
  return testing::make_test_filter(translate_filter_info(), settings);
}

Value json(const std::string& text) {
  Value v;
  std::string error;
  if (!parse_json(text, &v, &error)) ADD_FAILURE() << text << ": " << error;
  return v;
}

Event event_from(const std::string& fields_json) {
  Event e;
  Value fields = json(fields_json);
  for (auto& [k, v] : fields.as_object()) e.fields().set(k, v);
  return e;
}

std::string to_json(const Event& e) {
  std::string out;
  append_json(Value(e.fields()), out);
  return out;
}

// Runs the filter over one event through process(), as a worker does.
std::string run(Filter& filter, const std::string& fields_json) {
  Event e = event_from(fields_json);
  testing::NullFilterContext ctx;
  std::vector<Event*> batch{&e};
  filter.process(batch, ctx);
  return to_json(e);
}

Object codes() {
  return opts({{"200", Value("OK")}, {"404", Value("Not Found")}, {"merci", Value("thank you")},
               {"old version", Value("new version")}});
}

struct Case {
  const char* name;
  Object settings;
  const char* in;
  const char* out;
};

void check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto filter = make_filter(c.settings);
    EXPECT_EQ(run(*filter, c.in), c.out);
  }
}

TEST(TranslateFilter, SingleValueLookups) {
  Object base = opts({{"source", Value("status")}, {"dictionary", Value(codes())}});
  auto with = [&](std::initializer_list<std::pair<const char*, Value>> extra) {
    Object o = base;
    for (auto& [k, v] : extra) o.set(k, v);
    return o;
  };
  check({
      {"exact hit goes to translation", base, R"({"status":"200"})",
       R"({"status":"200","translation":"OK"})"},
      {"miss without fallback changes nothing", base, R"({"status":"500"})", R"({"status":"500"})"},
      {"missing source is a no-op", with({{"fallback", Value("x")}}), R"({"other":1})", R"({"other":1})"},
      {"exact means the whole value", base, R"({"status":"2000"})", R"({"status":"2000"})"},
      {"a number is looked up by its text", base, R"({"status":404})",
       R"({"status":404,"translation":"Not Found"})"},
      {"an array by its first element", base, R"({"status":["404","200"]})",
       R"({"status":["404","200"],"translation":"Not Found"})"},
      {"fallback is sprintf", with({{"fallback", Value("no match for %{status}")}}),
       R"({"status":"500"})", R"({"status":"500","translation":"no match for 500"})"},
      {"existing target is kept", base, R"({"status":"200","translation":"before"})",
       R"({"status":"200","translation":"before"})"},
      {"existing target, fallback not applied either", with({{"fallback", Value("x")}}),
       R"({"status":"1","translation":"before"})", R"({"status":"1","translation":"before"})"},
      {"override replaces it", with({{"override", Value(true)}}),
       R"({"status":"200","translation":"before"})", R"({"status":"200","translation":"OK"})"},
      {"target option", with({{"target", Value("[http][text]")}}), R"({"status":"404"})",
       R"({"status":"404","http":{"text":"Not Found"}})"},
      {"destination is the old name of target", with({{"destination", Value("d")}}),
       R"({"status":"200"})", R"({"status":"200","d":"OK"})"},
      {"field is the old name of source",
       opts({{"field", Value("status")}, {"dictionary", Value(codes())}}), R"({"status":"200"})",
       R"({"status":"200","translation":"OK"})"},
      {"ECS v1: in place by default", with({{"ecs_compatibility", Value("v1")}}),
       R"({"status":"200"})", R"({"status":"OK"})"},
      {"ECS v8: in place, override implied", with({{"ecs_compatibility", Value("v8")}}),
       R"({"status":"merci"})", R"({"status":"thank you"})"},
      {"ECS with an explicit target", with({{"ecs_compatibility", Value("v8")}, {"target", Value("t")}}),
       R"({"status":"200"})", R"({"status":"200","t":"OK"})"},
      {"dictionary values keep their kind",
       opts({{"source", Value("c")},
             {"dictionary", Value(opts({{"a", Value(1)}, {"b", Value(Array{Value("x"), Value(2.5)})}}))}}),
       R"({"c":"b"})", R"({"c":"b","translation":["x",2.5]})"},
  });
}

TEST(TranslateFilter, RegexAndSubstringModes) {
  Object regex_dict = opts({{"^abc", Value("starts abc")}, {"b.d", Value("b any d")},
                            {"(?i)xyz", Value("xyz any case")}, {"\\h+$", Value("hex tail")}});
  Object regex = opts({{"source", Value("m")}, {"regex", Value(true)}, {"dictionary", Value(regex_dict)}});
  Object fuzzy = opts({{"source", Value("m")}, {"exact", Value(false)}, {"dictionary", Value(codes())}});
  Object fuzzy_regex = fuzzy;
  fuzzy_regex.set("regex", Value(true));
  Object overlapping = opts({{"source", Value("m")}, {"exact", Value(false)},
                             {"dictionary", Value(opts({{"ab", Value("1")}, {"abc", Value("2")}, {"c", Value("3")},
                                                        {"a.b", Value("dot")}}))}});
  check({
      {"first regex key in dictionary order wins", regex, R"({"m":"abcd"})",
       R"({"m":"abcd","translation":"starts abc"})"},
      {"unanchored search", regex, R"({"m":"xx bod yy"})", R"({"m":"xx bod yy","translation":"b any d"})"},
      {"Ruby syntax through the translator", regex, R"({"m":"XyZ"})",
       R"({"m":"XyZ","translation":"xyz any case"})"},
      {"Ruby's \\h", regex, R"({"m":"zz 0f"})", R"({"m":"zz 0f","translation":"hex tail"})"},
      {"no regex matches", regex, R"({"m":"nothing"})", R"({"m":"nothing"})"},
      {"exact => false replaces keys inside the text", fuzzy, R"({"m":"got 200 and merci"})",
       R"({"m":"got 200 and merci","translation":"got OK and thank you"})"},
      {"exact => false, keys are literal (regex ignored)", fuzzy_regex, R"({"m":"2000"})",
       R"({"m":"2000","translation":"OK0"})"},
      {"exact => false without any key is no match", fuzzy, R"({"m":"nothing here"})",
       R"({"m":"nothing here"})"},
      {"first key in dictionary order wins at a position", overlapping, R"({"m":"abc c"})",
       R"({"m":"abc c","translation":"13 3"})"},
      {"keys are escaped", overlapping, R"({"m":"axb a.b"})", R"({"m":"axb a.b","translation":"axb dot"})"},
  });
}

TEST(TranslateFilter, IterateOn) {
  Object dict = codes();
  check({
      {"array of values: results in order, null for misses",
       opts({{"source", Value("codes")}, {"iterate_on", Value("codes")}, {"target", Value("texts")},
             {"dictionary", Value(dict)}}),
       R"({"codes":["200","500","404"]})",
       R"({"codes":["200","500","404"],"texts":["OK",null,"Not Found"]})"},
      {"array of values: fallback fills misses",
       opts({{"source", Value("codes")}, {"iterate_on", Value("codes")}, {"target", Value("texts")},
             {"fallback", Value("?")}, {"dictionary", Value(dict)}}),
       R"({"codes":["200","500"]})", R"({"codes":["200","500"],"texts":["OK","?"]})"},
      {"array of values: a scalar counts as one element",
       opts({{"source", Value("codes")}, {"iterate_on", Value("codes")}, {"target", Value("texts")},
             {"dictionary", Value(dict)}}),
       R"({"codes":"404"})", R"({"codes":"404","texts":["Not Found"]})"},
      {"array of values, ECS: in place",
       opts({{"source", Value("codes")}, {"iterate_on", Value("codes")}, {"ecs_compatibility", Value("v8")},
             {"dictionary", Value(dict)}}),
       R"({"codes":["200","x"]})", R"({"codes":["OK",null]})"},
      {"array of objects: source and target inside each",
       opts({{"source", Value("code")}, {"iterate_on", Value("[http][calls]")}, {"target", Value("text")},
             {"dictionary", Value(dict)}}),
       R"({"http":{"calls":[{"code":"200"},{"code":"500"},{"other":1},{"code":"404"}]}})",
       R"({"http":{"calls":[{"code":"200","text":"OK"},{"code":"500"},{"other":1},{"code":"404","text":"Not Found"}]}})"},
      {"array of objects with fallback and a nested target",
       opts({{"source", Value("code")}, {"iterate_on", Value("calls")}, {"target", Value("[res][text]")},
             {"fallback", Value("unknown %{id}")}, {"dictionary", Value(dict)}}),
       R"({"id":7,"calls":[{"code":"500"}]})",
       R"({"id":7,"calls":[{"code":"500","res":{"text":"unknown 7"}}]})"},
      {"array of objects, ECS: in place in each",
       opts({{"source", Value("code")}, {"iterate_on", Value("calls")}, {"ecs_compatibility", Value("v1")},
             {"dictionary", Value(dict)}}),
       R"({"calls":[{"code":"200"},{"code":"9"}]})", R"({"calls":[{"code":"OK"},{"code":"9"}]})"},
  });
}

TEST(TranslateFilter, AddTagOnlyWhenSomethingWasTranslated) {
  Object o = opts({{"source", Value("s")}, {"dictionary", Value(codes())}, {"add_tag", Value(Array{Value("t")})}});
  auto f = make_filter(o);
  EXPECT_EQ(run(*f, R"({"s":"200"})"), R"({"s":"200","translation":"OK","tags":["t"]})");
  EXPECT_EQ(run(*f, R"({"s":"201"})"), R"({"s":"201"})");
  // In place, Logstash calls filter_matched whether or not a key matched.
  o.set("target", Value("s"));
  auto in_place = make_filter(o);
  EXPECT_EQ(run(*in_place, R"({"s":"201"})"), R"({"s":"201","tags":["t"]})");
}

TEST(TranslateFilter, ConfigErrors) {
  Object dict = codes();
  struct Bad {
    Object settings;
    const char* option;
  };
  std::vector<Bad> bad = {
      {opts({{"dictionary", Value(dict)}}), "source"},
      {opts({{"source", Value("a")}, {"field", Value("a")}, {"dictionary", Value(dict)}}), "field"},
      {opts({{"source", Value("a")}, {"target", Value("b")}, {"destination", Value("c")}}), "destination"},
      {opts({{"source", Value("a")}, {"target", Value("a")}, {"override", Value(false)}}), "override"},
      {opts({{"source", Value("a")}, {"dictionary", Value(dict)}, {"dictionary_path", Value("/x.yml")}}),
       "dictionary_path"},
      {opts({{"source", Value("a")}, {"dictionary_path", Value("/tmp/does-not-exist.yml")}}), "dictionary_path"},
      {opts({{"source", Value("a")}, {"dictionary_path", Value("/etc/hostname")}}), "dictionary_path"},
      {opts({{"source", Value("a")}, {"dictionary", Value(dict)}, {"yaml_dictionary_code_point_limit", Value(10)}}),
       "yaml_dictionary_code_point_limit"},
      {opts({{"source", Value("a")}, {"regex", Value(true)}, {"dictionary", Value(opts({{"(a", Value("b")}}))}}),
       "dictionary"},
      {opts({{"source", Value("a")}, {"regex", Value(true)}, {"dictionary", Value(opts({{"(?<=a)b", Value("b")}}))}}),
       "dictionary"},
      {opts({{"source", Value("[a")}}), "source"},
  };
  for (auto& b : bad) {
    std::string settings;
    append_json(Value(b.settings), settings);
    SCOPED_TRACE(settings);
    try {
      make_filter(b.settings);
      ADD_FAILURE() << "no error";
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, b.option) << e.what();
      EXPECT_FALSE(std::string(e.what()).empty());
    }
  }
}

// ---------------------------------------------------------------- files

class TranslateFile : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("translate"); }
  void TearDown() override {
    if (!HasFailure()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::string tmp = path + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::rename(tmp.c_str(), path.c_str());  // whole at once, as a deploy would
    return path;
  }
  std::unique_ptr<Filter> file_filter(const std::string& path, Object extra = {}) {
    Object o = opts({{"source", Value("k")}, {"dictionary_path", Value(path)}, {"fallback", Value("-")}});
    for (auto& [k, v] : extra) o.set(k, v);
    return make_filter(o);
  }
  // The translation of key k.
  static std::string lookup(Filter& f, const std::string& k) {
    Event e;
    e.set_top("k", Value(k));
    testing::NullFilterContext ctx;
    std::vector<Event*> batch{&e};
    f.process(batch, ctx);
    const Value* t = e.get_top("translation");
    return t ? (t->is_string() ? t->as_string() : t->to_string()) : "<none>";
  }
  // Polls until key k translates to `want` (the refresh runs on a batch).
  static bool eventually(Filter& f, const std::string& k, const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
      if (lookup(f, k) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  std::string dir_;
};

TEST_F(TranslateFile, YamlJsonAndCsvFormats) {
  struct FileCase {
    const char* name;
    const char* text;
    std::vector<std::pair<const char*, const char*>> lookups;  // key -> translation
  };
  std::vector<FileCase> cases = {
      {"d.yml", "\"100\": Continue\n'101': Switching\nmerci: gracias\nold version: new version\n"
                "n: 42\nf: 1.5\nb: yes\nq: \"yes\"\nlist: [a, b]\nmap: {x: 1}\n200: unquoted int key\n",
       {{"100", "Continue"}, {"101", "Switching"}, {"merci", "gracias"}, {"old version", "new version"},
        {"n", "42"}, {"f", "1.5"}, {"b", "true"}, {"q", "yes"}, {"list", "a,b"}, {"map", R"({"x":1})"},
        {"200", "unquoted int key"}, {"nope", "-"}}},
      {"d.yaml", "\xEF\xBB\xBF" "a: b\n", {{"a", "b"}}},
      {"empty.yml", "", {{"a", "-"}}},
      {"d.json", R"({"100":"Continue","n":7,"obj":{"deep":[1,2]}})",
       {{"100", "Continue"}, {"n", "7"}, {"obj", R"({"deep":[1,2]})"}, {"x", "-"}}},
      {"d.csv", "100,Continue\r\n\"a,b\",\"quoted, \"\"comma\"\"\"\nonly_key\n\nmulti,\"line\nvalue\"\nthree,cols,ignored\n",
       {{"100", "Continue"}, {"a,b", "quoted, \"comma\""}, {"only_key", ""}, {"multi", "line\nvalue"},
        {"three", "cols"}, {"x", "-"}}},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto f = file_filter(write(c.name, c.text));
    for (auto& [k, want] : c.lookups) EXPECT_EQ(lookup(*f, k), want) << k;
  }
}

TEST_F(TranslateFile, YamlStreamingTypesOnlyTrueFalseAndPlainNumbers) {
  auto f = file_filter(write("s.yml", "b: yes\nt: true\nn: 5\n"),
                       opts({{"yaml_load_strategy", Value("streaming")}}));
  EXPECT_EQ(lookup(*f, "b"), "yes");
  EXPECT_EQ(lookup(*f, "t"), "true");
  EXPECT_EQ(lookup(*f, "n"), "5");
}

TEST_F(TranslateFile, BrokenFilesAreConfigErrorsAtStart) {
  std::vector<std::pair<const char*, const char*>> broken = {
      {"bad.yml", "a: [unclosed\n"},
      {"list.yml", "- a\n- b\n"},
      {"bad.json", "{\"a\": "},
      {"array.json", "[1,2]"},
      {"bad.csv", "a,\"unclosed\n"},
      {"stray.csv", "a\"b,c\n"},
  };
  for (auto& [name, text] : broken) {
    SCOPED_TRACE(name);
    EXPECT_THROW(file_filter(write(name, text)), OptionError);
  }
  std::string big = write("big.yml", "key: value with some length\n");
  EXPECT_THROW(file_filter(big, opts({{"yaml_dictionary_code_point_limit", Value(5)}})), OptionError);
  EXPECT_THROW(file_filter(big, opts({{"yaml_dictionary_code_point_limit", Value(0)}})), OptionError);
  EXPECT_NO_THROW(file_filter(big, opts({{"yaml_dictionary_code_point_limit", Value(1000)}})));
  EXPECT_THROW(file_filter(write("r.yml", "\"(a\": x\n"), opts({{"regex", Value(true)}})), OptionError);
}

TEST_F(TranslateFile, RefreshMergeKeepsRemovedKeys) {
  std::string path = write("m.yml", "a: one\nb: two\n");
  auto f = file_filter(path, opts({{"refresh_interval", Value(0.01)}}));
  EXPECT_EQ(lookup(*f, "a"), "one");
  write("m.yml", "a: uno\nc: tres\n");
  EXPECT_TRUE(eventually(*f, "a", "uno"));
  EXPECT_EQ(lookup(*f, "c"), "tres");
  EXPECT_EQ(lookup(*f, "b"), "two");  // merge: removed from the file, kept here
}

TEST_F(TranslateFile, RefreshReplaceDropsRemovedKeys) {
  std::string path = write("r.json", R"({"a":"one","b":"two"})");
  auto f = file_filter(path, opts({{"refresh_interval", Value(0.01)}, {"refresh_behaviour", Value("replace")}}));
  write("r.json", R"({"a":"uno"})");
  EXPECT_TRUE(eventually(*f, "a", "uno"));
  EXPECT_EQ(lookup(*f, "b"), "-");
}

TEST_F(TranslateFile, ABrokenOrMissingFileAtRefreshKeepsTheOldDictionary) {
  std::string path = write("k.csv", "a,one\n");
  auto f = file_filter(path, opts({{"refresh_interval", Value(0.01)}, {"refresh_behaviour", Value("replace")}}));
  write("k.csv", "a,\"broken\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // several refresh intervals
  for (int i = 0; i < 5; ++i) EXPECT_EQ(lookup(*f, "a"), "one");
  std::remove(path.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(lookup(*f, "a"), "one");
  write("k.csv", "a,fixed\n");
  EXPECT_TRUE(eventually(*f, "a", "fixed"));
}

TEST_F(TranslateFile, ARegexKeyThatBreaksAtRefreshKeepsTheOldDictionary) {
  std::string path = write("x.yml", "\"^a\": starts a\n");
  auto f = file_filter(path, opts({{"refresh_interval", Value(0.01)}, {"regex", Value(true)},
                                   {"refresh_behaviour", Value("replace")}}));
  EXPECT_EQ(lookup(*f, "abc"), "starts a");
  write("x.yml", "\"(a\": broken\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(lookup(*f, "abc"), "starts a");
  write("x.yml", "\"^a\": fixed\n");
  EXPECT_TRUE(eventually(*f, "abc", "fixed"));
}

TEST_F(TranslateFile, RefreshIntervalZeroNeverReloads) {
  std::string path = write("z.yml", "a: one\n");
  auto f = file_filter(path, opts({{"refresh_interval", Value(0)}}));
  write("z.yml", "a: two\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(lookup(*f, "a"), "one");
}

// Worker copies of one filter share the file; each one keeps translating
// while another reloads, and all of them end on the new dictionary.
TEST_F(TranslateFile, WorkersTranslateWhileTheFileIsReloaded) {
  std::string path = write("w.yml", "a: v0\n");
  Object o = opts({{"source", Value("k")}, {"dictionary_path", Value(path)}, {"refresh_interval", Value(0.001)},
                   {"refresh_behaviour", Value("replace")}});
  std::vector<std::unique_ptr<Filter>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(make_filter(o));
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (auto& w : workers)
    threads.emplace_back([&, f = w.get()] {
      while (!done.load()) {
        std::string t = lookup(*f, "a");
        if (t.size() < 2 || t[0] != 'v') ++bad;  // always one whole version or another
      }
    });
  for (int v = 1; v <= 20; ++v) {
    write("w.yml", "a: v" + std::to_string(v) + "\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // A filter copy belongs to one worker: its thread lets go before this one
  // looks through it (ThreadSanitizer saw both use one copy at once).
  done = true;
  for (auto& t : threads) t.join();
  for (auto& w : workers) EXPECT_TRUE(eventually(*w, "a", "v20"));
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace logpipe
