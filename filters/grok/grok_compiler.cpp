#include "filters/grok/grok_compiler.h"

#include <cctype>
#include <unordered_map>

#include "engine/text/ruby_regex.h"

namespace logpipe {

namespace {

constexpr int kMaxDepth = 64;

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_subname_char(char c) {
  return is_name_char(c) || c == '@' || c == '[' || c == ']' || c == ':' || c == '.' || c == '-';
}

// The grok part of an expression: %{NAME...} expands to its definition, and
// every group that stores a field is named g<N> for captures[N - 1].
class PatternExpansion : public RubyRegexTranslator::Extensions {
 public:
  PatternExpansion(const PatternLibrary& library, bool named_captures_only)
      : library_(library), named_captures_only_(named_captures_only) {}

  std::vector<GrokCapture> captures;

  std::string group_name(std::string_view name) override {
    captures.push_back({std::string(name), GrokCoercion::None});
    return "g" + std::to_string(captures.size());
  }

  // %{NAME[:field[:type]][=definition] ignored text}
  bool inline_at(std::string_view t, size_t i, const std::string& where, int depth,
                 Inline* out) override {
    size_t j = i + 1;
    size_t name_start = j + 1;
    size_t k = name_start;
    if (t[i] != '%' || j >= t.size() || t[j] != '{') return false;
    while (k < t.size() && is_name_char(t[k])) ++k;
    if (k == name_start) return false;
    std::string name(t.substr(name_start, k - name_start));
    std::string subname;
    if (k < t.size() && t[k] == ':') {
      size_t s = k + 1;
      size_t e = s;
      while (e < t.size() && is_subname_char(t[e])) ++e;
      if (e > s) {
        subname = std::string(t.substr(s, e - s));
        k = e;
      }
    }
    std::string definition;
    bool has_definition = false;
    if (k < t.size() && t[k] == '=') {
      size_t s = k + 1;
      size_t e = s;
      int braces = 0;
      while (e < t.size()) {
        if (t[e] == '\\' && e + 1 < t.size()) {
          e += 2;
          continue;
        }
        if (t[e] == '{') ++braces;
        if (t[e] == '}') {
          if (braces == 0) break;
          --braces;
        }
        ++e;
      }
      definition = std::string(t.substr(s, e - s));
      has_definition = true;
      k = e;
    }
    size_t close = t.find('}', k);
    if (close == std::string_view::npos) return false;
    if (has_definition) inline_definitions_[name] = definition;
    const std::string* body = nullptr;
    auto inline_it = inline_definitions_.find(name);
    if (inline_it != inline_definitions_.end()) body = &inline_it->second;
    else body = library_.find(name);
    if (!body) throw GrokUndefinedPattern(where + ": pattern %{" + name + "} not defined");
    if (depth + 1 > kMaxDepth)
      throw GrokCompileError("pattern %{" + name +
                             "}: patterns nest deeper than 64 levels (a recursive definition?)");

    std::string field;
    GrokCoercion coercion = GrokCoercion::None;
    if (!subname.empty()) {
      size_t colon = subname.find(':');
      field = subname.substr(0, colon);
      if (colon != std::string::npos) {
        std::string type = subname.substr(colon + 1);
        type = type.substr(0, type.find(':'));
        if (type == "int") coercion = GrokCoercion::Int;
        else if (type == "float") coercion = GrokCoercion::Float;
      }
    } else if (!named_captures_only_) {
      field = name;
    }
    if (!field.empty()) {
      captures.push_back({field, coercion});
      out->open = "(?P<g" + std::to_string(captures.size()) + ">";
    } else {
      out->open = "(?:";
    }
    out->body = *body;  // a copy: the definitions may grow while it is translated
    out->where = "pattern %{" + name + "}";
    out->length = close + 1 - i;
    return true;
  }

 private:
  const PatternLibrary& library_;
  bool named_captures_only_;
  std::unordered_map<std::string, std::string> inline_definitions_;
};

}  // namespace

GrokProgram GrokCompiler::compile(std::string_view expression) {
  PatternExpansion expansion(library_, named_captures_only_);
  RubyRegexTranslator::Options options;
  options.dot_matches_newline = true;    // jls-grok compiles with Regexp::MULTILINE
  options.plain_groups_capture = false;  // group numbers are exactly the stored captures
  options.allow_pcre_only = true;        // GrokMatcher judges with the PCRE2 twin
  RubyRegexTranslation translated;
  try {
    translated = RubyRegexTranslator(options, &expansion).translate(expression, "expression");
  } catch (const RubyRegexError& e) {
    throw GrokCompileError(e.what());
  }
  GrokProgram program;
  program.expression = std::string(expression);
  program.re2 = std::move(translated.re2);
  program.pcre = std::move(translated.pcre);
  program.exact_in_re2 = translated.exact_in_re2;
  program.captures = std::move(expansion.captures);
  return program;
}

}  // namespace logpipe
