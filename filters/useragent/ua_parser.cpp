#include "filters/useragent/ua_parser.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/text/utf8.h"

namespace logpipe {

namespace {

constexpr int kMaxGroup = 9;  // $1..$9
// Group texts by number; [0] is the whole match. nullopt: did not take part.
using Groups = std::array<std::optional<std::string_view>, kMaxGroup + 1>;

// PCRE2 match data of this thread, large enough for any rule.
struct ThreadMatchData {
  pcre2_match_data* data = pcre2_match_data_create(kMaxGroup + 1, nullptr);
  ~ThreadMatchData() { pcre2_match_data_free(data); }
};

pcre2_match_data* thread_match_data() {
  thread_local ThreadMatchData md;
  return md.data;
}

}  // namespace

re2::RE2::Options regex_options(bool icase) {
  re2::RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_case_sensitive(!icase);
  // A cap, not an allocation: with RE2's default (8 MiB) the DFAs of the
  // big device regexes keep filling and resetting their state cache on new
  // strings, which made a cache miss about 1.6x slower; the memory actually
  // used stayed the same (measured with bench/lookup_filters_bench.cpp).
  opt.set_max_mem(int64_t{64} << 20);
  return opt;
}

class UaParser::Regex {
 public:
  // An RE2 owned by the list's prefilter.
  explicit Regex(const re2::RE2* borrowed)
      : re2_(borrowed), groups_(borrowed->NumberOfCapturingGroups()) {}

  // Its own RE2, or PCRE2 when RE2 refuses the pattern.
  Regex(const std::string& pattern, bool icase) {
    auto re = std::make_unique<re2::RE2>(pattern, regex_options(icase));
    if (re->ok()) {
      groups_ = re->NumberOfCapturingGroups();
      owned_ = std::move(re);
      re2_ = owned_.get();
      return;
    }
    int error = 0;
    PCRE2_SIZE offset = 0;
    uint32_t options = PCRE2_UTF | (icase ? PCRE2_CASELESS : 0);
    pcre_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                          &error, &offset, nullptr);
    if (!pcre_) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(error, msg, sizeof msg);
      throw std::runtime_error("regex '" + pattern + "' does not compile with RE2 (" + re->error() +
                               ") nor PCRE2 (" + reinterpret_cast<const char*>(msg) + ")");
    }
    pcre2_jit_compile(pcre_, PCRE2_JIT_COMPLETE);  // without JIT it still matches, slower
    uint32_t count = 0;
    pcre2_pattern_info(pcre_, PCRE2_INFO_CAPTURECOUNT, &count);
    groups_ = static_cast<int>(count);
  }
  ~Regex() { pcre2_code_free(pcre_); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  bool is_re2() const { return re2_ != nullptr; }

  // Unanchored search; fills g[0..min(groups, 9)].
  bool match(std::string_view s, Groups& g) const {
    int n = groups_ < kMaxGroup ? groups_ : kMaxGroup;
    g.fill(std::nullopt);
    if (re2_) {
      re2::StringPiece sub[kMaxGroup + 1];
      if (!re2_->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), re2::RE2::UNANCHORED, sub,
                       n + 1))
        return false;
      for (int i = 0; i <= n; ++i)
        if (sub[i].data()) g[i] = std::string_view(sub[i].data(), sub[i].size());
      return true;
    }
    pcre2_match_data* md = thread_match_data();
    int rc = pcre2_match(pcre_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0,
                         PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc < 0) return false;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    for (int i = 0; i <= n && i < rc; ++i)
      if (ov[2 * i] != PCRE2_UNSET) g[i] = s.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
    return true;
  }

 private:
  const re2::RE2* re2_ = nullptr;
  std::unique_ptr<re2::RE2> owned_;
  pcre2_code* pcre_ = nullptr;
  int groups_ = 0;
};

// One entry of a parser list: its regex and up to five replacements, in the
// order of the values they replace (family, major, minor, patch,
// patch_minor; for devices family, brand, model).
struct UaParser::Rule {
  std::unique_ptr<Regex> regex;
  int prefilter_id = -1;  // its id in the list's prefilter, if it is there
  std::array<std::optional<std::string>, 5> replacement;
};

// A parser list, tried in order. Its ASCII RE2 regexes sit in a FilteredRE2,
// which knows the literal strings ("atoms") each needs in the text; one
// RE2::Set pass over the lowercased text finds the atoms present, and only
// the regexes those allow (plus those without atoms and the PCRE2 ones)
// are then run, still in list order.
struct UaParser::RuleList {
  std::vector<Rule> rules;
  re2::FilteredRE2 prefilter{3};
  std::vector<int> rule_of_prefilter_id;
  std::unique_ptr<re2::RE2::Set> atoms;  // null: no atoms to look for
  bool screened = false;

  void add(Rule rule, const std::string& pattern, bool icase) {
    bool ascii = true;
    for (unsigned char c : pattern) ascii = ascii && c < 0x80;
    int id = -1;
    if (ascii && prefilter.Add(pattern, regex_options(icase), &id) == re2::RE2::NoError) {
      rule.regex = std::make_unique<Regex>(&prefilter.GetRE2(id));
      rule.prefilter_id = id;
      rule_of_prefilter_id.push_back(static_cast<int>(rules.size()));
    } else {
      rule.regex = std::make_unique<Regex>(pattern, icase);
    }
    rules.push_back(std::move(rule));
  }

  void compile() {
    if (rule_of_prefilter_id.empty()) return;
    std::vector<std::string> strings;
    prefilter.Compile(&strings);
    if (!strings.empty()) {
      re2::RE2::Options opt;
      opt.set_log_errors(false);
      opt.set_max_mem(int64_t{64} << 20);
      auto set = std::make_unique<re2::RE2::Set>(opt, re2::RE2::UNANCHORED);
      for (auto& a : strings)
        if (set->Add(re2::RE2::QuoteMeta(a), nullptr) < 0) return;
      if (!set->Compile()) return;
      atoms = std::move(set);
    }
    screened = true;
  }
};

namespace {

// A replacement with $1..$9 replaced by the groups.
std::string interpolate(const std::string& r, const Groups& g) {
  std::string out;
  out.reserve(r.size() + 16);
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] == '$' && i + 1 < r.size() && r[i + 1] >= '1' && r[i + 1] <= '9') {
      if (auto& group = g[r[i + 1] - '0']) out.append(group->data(), group->size());
      ++i;
    } else {
      out += r[i];
    }
  }
  return out;
}

std::string trimmed(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

// Value `slot` of a match: its replacement, else capture group `group`
// (0: none). Empty means absent.
std::optional<std::string> value_of(const UaParser::Rule& rule, size_t slot, int group,
                                    const Groups& g, bool trim) {
  std::string v;
  if (rule.replacement[slot]) {
    v = interpolate(*rule.replacement[slot], g);
    if (trim) v = trimmed(std::move(v));
  } else if (group > 0 && g[group]) {
    v = std::string(*g[group]);
  }
  if (v.empty()) return std::nullopt;
  return v;
}

// Valid UTF-8 as is, else a repaired copy in scratch.
std::string_view utf8_text(std::string_view s, std::string& scratch) {
  if (valid_utf8(s)) return s;
  scratch.clear();
  append_repaired_utf8(s, scratch);
  return scratch;
}

std::unique_ptr<UaParser::RuleList> load_rules(const YAML::Node& root, const char* list,
                                               std::initializer_list<const char*> keys,
                                               const std::string& name) {
  const YAML::Node& entries = root[list];
  if (!entries || !entries.IsSequence())
    throw std::runtime_error(name + ": `" + list + "` is missing or not a list");
  auto parsed = std::make_unique<UaParser::RuleList>();
  parsed->rules.reserve(entries.size());
  size_t index = 0;
  for (const auto& entry : entries) {
    std::string where = name + ": " + list + "[" + std::to_string(index++) + "]";
    if (!entry.IsMap() || !entry["regex"]) throw std::runtime_error(where + ": no regex");
    UaParser::Rule rule;
    bool icase = entry["regex_flag"] && entry["regex_flag"].as<std::string>() == "i";
    size_t slot = 0;
    for (const char* key : keys) {
      if (entry[key] && !entry[key].IsNull()) rule.replacement[slot] = entry[key].as<std::string>();
      ++slot;
    }
    try {
      parsed->add(std::move(rule), entry["regex"].as<std::string>(), icase);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(where + ": " + e.what());
    }
  }
  parsed->compile();
  return parsed;
}

// Calls fill with each matching rule, in order, until it returns true.
template <class Fill>
bool first_match(const UaParser::RuleList& list, std::string_view s, Fill fill) {
  thread_local std::string lower;
  thread_local std::vector<int> atom_hits, potentials;
  thread_local std::vector<char> may_match;
  bool screened = list.screened;
  if (screened) {
    lower.assign(s.data(), s.size());
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    atom_hits.clear();
    if (list.atoms) {
      re2::RE2::Set::ErrorInfo error{};
      if (!list.atoms->Match(lower, &atom_hits, &error) && error.kind != re2::RE2::Set::kNoError)
        screened = false;  // out of memory: try every regex
    }
  }
  if (screened) {
    potentials.clear();
    list.prefilter.AllPotentials(atom_hits, &potentials);
    may_match.assign(list.rules.size(), 0);
    for (int id : potentials) may_match[list.rule_of_prefilter_id[id]] = 1;
  }
  Groups g;
  for (size_t i = 0; i < list.rules.size(); ++i) {
    const auto& rule = list.rules[i];
    if (screened && rule.prefilter_id >= 0 && !may_match[i]) continue;
    if (rule.regex->match(s, g) && fill(rule, g)) return true;
  }
  return false;
}

}  // namespace

UaParser::UaParser() = default;
UaParser::~UaParser() = default;

std::unique_ptr<UaParser> UaParser::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return from_yaml(text.str(), path);
}

std::unique_ptr<UaParser> UaParser::from_yaml(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(name + ": " + e.what());
  }
  if (!root.IsMap()) throw std::runtime_error(name + ": not a YAML mapping");
  std::unique_ptr<UaParser> p(new UaParser());
  p->ua_ = load_rules(root, "user_agent_parsers",
                      {"family_replacement", "v1_replacement", "v2_replacement", "v3_replacement",
                       "v4_replacement"},
                      name);
  p->os_ = load_rules(root, "os_parsers",
                      {"os_replacement", "os_v1_replacement", "os_v2_replacement",
                       "os_v3_replacement", "os_v4_replacement"},
                      name);
  p->device_ = load_rules(root, "device_parsers",
                          {"device_replacement", "brand_replacement", "model_replacement"}, name);
  return p;
}

namespace {

UaVersion parse_version(const UaParser::RuleList& rules, std::string_view s) {
  UaVersion v;
  first_match(rules, s, [&](const UaParser::Rule& rule, const Groups& g) {
    auto family = value_of(rule, 0, 1, g, false);
    if (!family) return false;  // as the reference parsers: try the next regex
    v.family = std::move(*family);
    v.major = value_of(rule, 1, 2, g, false);
    v.minor = value_of(rule, 2, 3, g, false);
    v.patch = value_of(rule, 3, 4, g, false);
    v.patch_minor = value_of(rule, 4, 5, g, false);
    return true;
  });
  if (v.family.empty()) v.family = "Other";
  return v;
}

}  // namespace

UaVersion UaParser::parse_ua(std::string_view s) const {
  std::string scratch;
  return parse_version(*ua_, utf8_text(s, scratch));
}

UaVersion UaParser::parse_os(std::string_view s) const {
  std::string scratch;
  return parse_version(*os_, utf8_text(s, scratch));
}

UaDevice UaParser::parse_device(std::string_view s) const {
  std::string scratch;
  s = utf8_text(s, scratch);
  UaDevice d;
  first_match(*device_, s, [&](const Rule& rule, const Groups& g) {
    auto family = value_of(rule, 0, 1, g, true);
    if (!family) return false;
    d.family = std::move(*family);
    d.brand = value_of(rule, 1, 0, g, true);
    d.model = value_of(rule, 2, 1, g, true);
    return true;
  });
  if (d.family.empty()) d.family = "Other";
  return d;
}

UaParsed UaParser::parse(std::string_view s) const {
  std::string scratch;
  s = utf8_text(s, scratch);
  return UaParsed{parse_version(*ua_, s), parse_version(*os_, s), parse_device(s)};
}

size_t UaParser::re2_count() const {
  size_t n = 0;
  for (auto* list : {ua_.get(), os_.get(), device_.get()})
    for (auto& r : list->rules) n += r.regex->is_re2();
  return n;
}

size_t UaParser::pcre2_count() const {
  return ua_->rules.size() + os_->rules.size() + device_->rules.size() - re2_count();
}


}  // namespace logpipe
