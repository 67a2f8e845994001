#include "filters/translate_dictionary.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "engine/system/log.h"
#include "engine/text/json_reader.h"
#include "engine/text/ruby_regex.h"

namespace logpipe {

// ---------------------------------------------------------------- snapshot

std::shared_ptr<const TranslateDictionary> TranslateDictionary::build(std::vector<Entry> entries) {
  auto d = std::make_shared<TranslateDictionary>();
  d->entries.reserve(entries.size());
  std::unordered_map<std::string, size_t> seen;
  seen.reserve(entries.size());
  for (auto& [key, value] : entries) {
    auto [it, fresh] = seen.emplace(key, d->entries.size());
    if (fresh)
      d->entries.emplace_back(std::move(key), std::move(value));
    else
      d->entries[it->second].second = std::move(value);
  }
  // The index points into entries, which no longer move.
  d->index.reserve(d->entries.size());
  for (size_t i = 0; i < d->entries.size(); ++i) d->index.emplace(d->entries[i].first, i);
  return d;
}

// ---------------------------------------------------------------- matcher

DictionaryMatcher::DictionaryMatcher() = default;
DictionaryMatcher::~DictionaryMatcher() = default;
DictionaryMatcher::DictionaryMatcher(DictionaryMatcher&&) noexcept = default;
DictionaryMatcher& DictionaryMatcher::operator=(DictionaryMatcher&&) noexcept = default;

DictionaryMatcher::DictionaryMatcher(MatchMode mode,
                                     std::shared_ptr<const TranslateDictionary> dictionary)
    : mode_(mode), dictionary_(std::move(dictionary)) {
  if (mode_ == MatchMode::Regex) {
    regexes_.reserve(dictionary_->entries.size());
    for (const auto& [key, value] : dictionary_->entries) {
      std::string error;
      auto re = compile_ruby_regex(key, &error);
      if (!re) throw std::runtime_error("dictionary key /" + key + "/ is not a usable regex: " + error);
      regexes_.push_back(std::move(re));
    }
    if (regexes_.size() > 1) {
      auto set = std::make_unique<RE2::Set>(regexes_.front()->options(), RE2::UNANCHORED);
      bool added = true;
      for (const auto& re : regexes_) added = added && set->Add(re->pattern(), nullptr) >= 0;
      if (added && set->Compile()) any_regex_ = std::move(set);
    }
  } else if (mode_ == MatchMode::Substring) {
    // Ruby's Regexp.union of the keys: each escaped, the first alternative
    // that matches at the leftmost position wins (RE2's leftmost-first).
    std::string pattern;
    for (const auto& [key, value] : dictionary_->entries) {
      if (!pattern.empty()) pattern += '|';
      pattern += RE2::QuoteMeta(key);
    }
    if (dictionary_->entries.empty()) pattern = "[^\\x00-\\x{10FFFF}]";  // matches nothing
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(int64_t{256} << 20);  // a big dictionary is one big alternation
    any_key_ = std::make_unique<RE2>(pattern, o);
    if (!any_key_->ok())
      throw std::runtime_error("the dictionary keys cannot be searched for: " + any_key_->error());
  }
}

bool DictionaryMatcher::lookup(std::string_view text, Value* out) {
  switch (mode_) {
    case MatchMode::Exact:
      if (const Value* v = dictionary_->find(text)) {
        *out = *v;
        return true;
      }
      return false;
    case MatchMode::Regex: {
      if (any_regex_) {
        std::vector<int> hits;
        RE2::Set::ErrorInfo info;
        if (any_regex_->Match(text, &hits, &info)) {
          size_t first = static_cast<size_t>(*std::min_element(hits.begin(), hits.end()));
          *out = dictionary_->entries[first].second;
          return true;
        }
        if (info.kind == RE2::Set::kNoError) return false;
      }
      for (size_t i = 0; i < regexes_.size(); ++i)
        if (RE2::PartialMatch(text, *regexes_[i])) {
          *out = dictionary_->entries[i].second;
          return true;
        }
      return false;
    }
    case MatchMode::Substring: {
      // gsub(union, dictionary): every key found is replaced by its value's
      // string form, scanning left to right.
      std::string result;
      size_t pos = 0;
      re2::StringPiece match;
      while (pos <= text.size() &&
             any_key_->Match(text, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
        size_t begin = static_cast<size_t>(match.data() - text.data());
        result.append(text.substr(pos, begin - pos));
        if (const Value* v = dictionary_->find(std::string_view(match.data(), match.size())))
          v->append_string(result);
        pos = begin + match.size();
        if (match.empty()) {  // an empty key: step over one character, as gsub does
          if (pos >= text.size()) break;
          size_t n = 1;
          while (pos + n < text.size() && (static_cast<unsigned char>(text[pos + n]) & 0xC0) == 0x80) ++n;
          result.append(text.substr(pos, n));
          pos += n;
        }
      }
      if (pos < text.size()) result.append(text.substr(pos));
      if (result == text) return false;
      *out = Value(std::move(result));
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- reading files

bool dictionary_format_of(std::string_view path, DictionaryFormat* out) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".yml") || ends(".yaml")) *out = DictionaryFormat::Yaml;
  else if (ends(".json")) *out = DictionaryFormat::Json;
  else if (ends(".csv")) *out = DictionaryFormat::Csv;
  else return false;
  return true;
}

namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  std::string s = std::move(text).str();
  if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);  // read as 'bom|utf-8'
  return s;
}

// A plain (unquoted) YAML scalar typed as Ruby's loaders type it: Psych
// (one_shot) knows YAML 1.1's yes/no/on/off; the streaming parser only
// true/false, and numbers without exponents.
Value plain_scalar(const std::string& s, bool streaming) {
  static const char* const kNull[] = {"", "~", "null", "Null", "NULL"};
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (streaming) {
    if (s.empty() || s == "~" || s == "null") return Value();
    if (s == "true") return Value(true);
    if (s == "false") return Value(false);
  } else {
    for (const char* n : kNull)
      if (s == n) return Value();
    for (const char* t : kTrue)
      if (s == t) return Value(true);
    for (const char* f : kFalse)
      if (s == f) return Value(false);
  }
  const char* b = s.data();
  const char* e = s.data() + s.size();
  const char* digits = (b < e && (*b == '-' || (!streaming && *b == '+'))) ? b + 1 : b;
  if (digits == e) return Value(s);
  int64_t i = 0;
  auto [ip, iec] = std::from_chars(*b == '+' ? b + 1 : b, e, i);
  if (iec == std::errc() && ip == e) return Value(i);
  bool decimal = false;
  const char* p = digits;
  while (p < e && *p >= '0' && *p <= '9') ++p;
  if (p > digits && p < e && *p == '.') {
    const char* frac = ++p;
    while (p < e && *p >= '0' && *p <= '9') ++p;
    decimal = p > frac && (p == e || (!streaming && (*p == 'e' || *p == 'E')));
  }
  if (decimal) {
    double d = 0;
    auto [dp, dec] = std::from_chars(*b == '+' ? b + 1 : b, e, d);
    if (dec == std::errc() && dp == e) return Value(d);
  }
  return Value(s);
}

Value yaml_value(const YAML::Node& node, bool streaming) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value();
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return Value(node.Scalar());  // quoted
      return plain_scalar(node.Scalar(), streaming);
    }
    case YAML::NodeType::Sequence: {
      Array a;
      a.reserve(node.size());
      for (const auto& item : node) a.push_back(yaml_value(item, streaming));
      return Value(std::move(a));
    }
    case YAML::NodeType::Map: {
      Object o;
      for (const auto& kv : node) o.set(kv.first.Scalar(), yaml_value(kv.second, streaming));
      return Value(std::move(o));
    }
  }
  return Value();
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void read_yaml(const DictionaryFileOptions& o, const std::string& text,
               std::vector<TranslateDictionary::Entry>& out) {
  size_t points = code_points(text);
  if (static_cast<int64_t>(points) > o.yaml_code_point_limit)
    throw std::runtime_error("the YAML document has " + std::to_string(points) +
                             " code points, more than yaml_dictionary_code_point_limit (" +
                             std::to_string(o.yaml_code_point_limit) + ")");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& ex) {
    throw std::runtime_error(std::string("invalid YAML: ") + ex.what());
  }
  if (root.IsNull() || !root.IsDefined()) return;
  if (!root.IsMap()) throw std::runtime_error("the YAML document is not a mapping of keys to values");
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) throw std::runtime_error("a YAML dictionary key is not a scalar");
    out.emplace_back(kv.first.Scalar(), yaml_value(kv.second, o.yaml_streaming));
  }
}

void read_json(const std::string& text, std::vector<TranslateDictionary::Entry>& out) {
  if (text.empty()) return;
  Value root;
  std::string error;
  if (!parse_json(text, &root, &error)) throw std::runtime_error("invalid JSON: " + error);
  if (!root.is_object()) throw std::runtime_error("the JSON document is not an object");
  for (auto& [key, value] : root.as_object()) out.emplace_back(key, std::move(value));
}

// RFC 4180 as Ruby's CSV reads it: "," between fields, fields in double
// quotes may hold commas, newlines and "" for a quote. The first column is
// the key, the second the value (null when missing); other columns are
// ignored, blank lines skipped.
void read_csv(const std::string& text, std::vector<TranslateDictionary::Entry>& out) {
  size_t i = 0, line = 1;
  std::vector<std::optional<std::string>> row;
  auto fail = [&](const char* why) {
    throw std::runtime_error("CSV line " + std::to_string(line) + ": " + why);
  };
  while (i < text.size()) {
    row.clear();
    size_t row_line = line;
    for (;;) {  // one field
      std::optional<std::string> field;
      if (i < text.size() && text[i] == '"') {
        field.emplace();
        ++i;
        for (;;) {
          if (i >= text.size()) {
            line = row_line;
            fail("unclosed quoted field");
          }
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field->push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field->push_back(c);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          fail("text after a closing quote");
      } else {
        size_t begin = i;
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') fail("a quote inside an unquoted field");
          ++i;
        }
        if (i > begin) field = text.substr(begin, i - begin);
      }
      row.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') {
      ++i;
      ++line;
    }
    if (row.size() == 1 && !row[0]) continue;  // a blank line
    if (!row[0]) continue;                    // no key: nothing can match it
    Value value = row.size() > 1 && row[1] ? Value(std::move(*row[1])) : Value();
    out.emplace_back(std::move(*row[0]), std::move(value));
  }
}

}  // namespace

std::vector<TranslateDictionary::Entry> read_dictionary_file(const DictionaryFileOptions& options) {
  std::string text = read_whole_file(options.path);
  std::vector<TranslateDictionary::Entry> out;
  switch (options.format) {
    case DictionaryFormat::Yaml: read_yaml(options, text, out); break;
    case DictionaryFormat::Json: read_json(text, out); break;
    case DictionaryFormat::Csv: read_csv(text, out); break;
  }
  return out;
}

// ---------------------------------------------------------------- refreshing file

namespace {

// One DictionaryFile per filter, found again by each worker's copy. Entries
// go away with the last copy that holds them.
std::mutex registry_mu;
std::map<std::string, std::weak_ptr<DictionaryFile>>& registry() {
  static std::map<std::string, std::weak_ptr<DictionaryFile>> files;
  return files;
}

}  // namespace

std::shared_ptr<DictionaryFile> DictionaryFile::open(const std::string& owner,
                                                     const DictionaryFileOptions& o,
                                                     const std::string& check_kind, Check check) {
  std::string key;
  for (const std::string& part :
       {owner, o.path, std::to_string(o.refresh_interval), std::string(o.replace ? "replace" : "merge"),
        std::to_string(o.yaml_code_point_limit), std::string(o.yaml_streaming ? "streaming" : "one_shot"),
        check_kind}) {
    key += part;
    key += '\0';
  }
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& files = registry();
  for (auto it = files.begin(); it != files.end();)
    it = it->second.expired() ? files.erase(it) : std::next(it);
  if (auto existing = files[key].lock()) return existing;
  auto file = std::make_shared<DictionaryFile>(o, std::move(check));
  file->load();
  if (o.refresh_interval > 0) file->thread_ = std::thread([f = file.get()] { f->refresh_loop(); });
  files[key] = file;
  return file;
}

DictionaryFile::DictionaryFile(DictionaryFileOptions options, Check check)
    : options_(std::move(options)), check_(std::move(check)) {}

DictionaryFile::~DictionaryFile() {
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DictionaryFile::refresh_loop() {
  auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options_.refresh_interval));
  std::unique_lock<std::mutex> lock(thread_mu_);
  auto next = std::chrono::steady_clock::now() + interval;
  while (!stopping_) {
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
    lock.unlock();
    refresh();
    lock.lock();
    next = std::chrono::steady_clock::now() + interval;  // no overlap, as Logstash's scheduler
  }
}

std::shared_ptr<const TranslateDictionary> DictionaryFile::current() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

bool DictionaryFile::stamp_of(const std::string& path, Stamp* out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  out->mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out->size = st.st_size;
  out->inode = st.st_ino;
  return true;
}

void DictionaryFile::load() {
  Stamp stamp;
  if (!stamp_of(options_.path, &stamp)) throw std::runtime_error("cannot read " + options_.path);
  std::vector<TranslateDictionary::Entry> entries = read_dictionary_file(options_);
  std::shared_ptr<const TranslateDictionary> old = current();
  if (!options_.replace && old) {
    std::vector<TranslateDictionary::Entry> merged = old->entries;
    merged.insert(merged.end(), std::make_move_iterator(entries.begin()),
                  std::make_move_iterator(entries.end()));
    entries = std::move(merged);
  }
  auto fresh = TranslateDictionary::build(std::move(entries));
  if (check_) check_(fresh);
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    snapshot_ = std::move(fresh);
  }
  stamp_ = stamp;
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void DictionaryFile::refresh() {
  // Short intervals reload only a changed file, long ones always (Logstash).
  if (options_.refresh_interval <= 300) {
    Stamp stamp;
    if (!stamp_of(options_.path, &stamp)) {
      log_warn("translate: dictionary file {} cannot be read, continuing with the old dictionary",
               options_.path);
      return;
    }
    if (stamp == stamp_) return;
  }
  try {
    load();
  } catch (const std::exception& ex) {
    log_warn("translate: {} when loading dictionary file {}, continuing with the old dictionary",
             ex.what(), options_.path);
  }
}

}  // namespace logpipe
