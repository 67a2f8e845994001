#include "engine/text/ruby_regex.h"

#include <re2/re2.h>

#include <cctype>
#include <vector>

#include "engine/text/utf8.h"

namespace logpipe {

namespace {

constexpr size_t kNone = std::string::npos;

[[noreturn]] void refuse(const std::string& where, const std::string& construct,
                         const std::string& why) {
  std::string message = construct + " cannot be used: " + why;
  throw RubyRegexError(where.empty() ? message : where + ": " + message);
}

// Bytes of the character at t[i]; an invalid byte is a character of its own.
size_t char_length(std::string_view t, size_t i) {
  size_t n = 1;
  decode_utf8(t, i, &n);
  return n;
}

// Why a construct only the PCRE2 twin keeps is refused without a PCRE2 judge.
const char* kNeedsPcre =
    "RE2 would run it as a looser regex; only grok checks its matches with PCRE2";

// Ruby's \s is [ \t\n\v\f\r]; RE2's lacks \v.
const char* kSpaceSet = "\\t\\n\\x0B\\f\\r ";

// POSIX bracket names inside a class. Joni matches them against Unicode
// properties in UTF-8 mode; RE2's are ASCII-only, so the Unicode ones are
// spelled with \p classes.
std::string posix_class(std::string_view name) {
  if (name == "alnum") return "\\p{L}\\p{M}\\p{Nd}";
  if (name == "alpha") return "\\p{L}\\p{M}";
  if (name == "digit") return "\\p{Nd}";
  if (name == "upper") return "\\p{Lu}";
  if (name == "lower") return "\\p{Ll}";
  if (name == "space") return std::string(kSpaceSet) + "\\p{Z}";
  return "[:" + std::string(name) + ":]";
}

// Escapes shared by classes and atoms that mean one character in Ruby and
// need another spelling (or none) in RE2/PCRE2. Returns false if not one of them.
bool simple_char_escape(char d, std::string* out) {
  switch (d) {
    case 'n': *out = "\\n"; return true;
    case 't': *out = "\\t"; return true;
    case 'r': *out = "\\r"; return true;
    case 'f': *out = "\\f"; return true;
    case 'v': *out = "\\x0B"; return true;
    case 'a': *out = "\\x07"; return true;
    case 'e': *out = "\\x1B"; return true;
    default: return false;
  }
}

// Copies \x{..}, \xHH, \uHHHH, \p{..}, \pL, \0oo forms; returns chars consumed
// after the backslash, or 0 if not such a form.
size_t numeric_escape(std::string_view t, size_t i, std::string* out) {
  char d = t[i];
  if (d == 'x') {
    if (i + 1 < t.size() && t[i + 1] == '{') {
      size_t close = t.find('}', i);
      if (close == std::string_view::npos) return 0;
      *out = "\\" + std::string(t.substr(i, close - i + 1));
      return close - i + 1;
    }
    size_t j = i + 1;
    while (j < t.size() && j < i + 3 && std::isxdigit(static_cast<unsigned char>(t[j]))) ++j;
    *out = j == i + 1 ? std::string("\\x00") : "\\x" + std::string(t.substr(i + 1, j - i - 1));
    return j - i;
  }
  if (d == 'u') {
    size_t j = i + 1;
    while (j < t.size() && j < i + 5 && std::isxdigit(static_cast<unsigned char>(t[j]))) ++j;
    if (j != i + 5) return 0;
    *out = "\\x{" + std::string(t.substr(i + 1, 4)) + "}";
    return 5;
  }
  if (d == 'p' || d == 'P') {
    if (i + 1 < t.size() && t[i + 1] == '{') {
      size_t close = t.find('}', i);
      if (close == std::string_view::npos) return 0;
      *out = "\\" + std::string(t.substr(i, close - i + 1));
      return close - i + 1;
    }
    if (i + 1 < t.size()) {
      *out = "\\" + std::string(t.substr(i, 2));
      return 2;
    }
    return 0;
  }
  if (d == '0') {
    size_t j = i + 1;
    while (j < t.size() && j < i + 3 && t[j] >= '0' && t[j] <= '7') ++j;
    *out = "\\" + std::string(t.substr(i, j - i));
    return j - i;
  }
  return 0;
}

// A literal character (possibly multi-byte) in a form both engines read literally.
std::string literal(std::string_view ch) {
  if (ch.size() == 1) {
    char c = ch[0];
    if (std::string_view("\\.^$|?*+()[]{}-").find(c) != std::string_view::npos)
      return std::string("\\") + c;
  }
  return std::string(ch);
}

struct Group {
  size_t re2_start;
  size_t pcre_start;
};

}  // namespace

struct RubyRegexTranslator::Output {
  std::string re2;
  std::string pcre;
  bool exact = true;

  // Where the last quantifiable atom starts, and what came last: a quantifier
  // after a quantifier stacks in Ruby (`.?*`) and must be wrapped for RE2.
  enum class Last { None, Atom, Quantifier, Interval, Modified };
  Last last = Last::None;
  size_t atom_re2 = kNone;
  size_t atom_pcre = kNone;

  void both(std::string_view s) {
    re2 += s;
    pcre += s;
  }
  void atom(std::string_view re2_text, std::string_view pcre_text) {
    atom_re2 = re2.size();
    atom_pcre = pcre.size();
    re2 += re2_text;
    pcre += pcre_text;
    last = Last::Atom;
  }
  void atom(std::string_view s) { atom(s, s); }
  void zero_width(std::string_view s) {
    both(s);
    last = Last::None;
  }
};

namespace {

// Translates one escape outside a class. Sets *zero_width for anchors.
// Returns chars consumed after the backslash.
size_t atom_escape(std::string_view t, size_t i, const std::string& where, std::string* out,
                   bool* zero_width) {
  *zero_width = false;
  if (i >= t.size()) refuse(where, "a trailing backslash", "the pattern ends inside an escape");
  char d = t[i];
  if (simple_char_escape(d, out)) return 1;
  if (size_t n = numeric_escape(t, i, out)) return n;
  switch (d) {
    case 'h': *out = "[0-9a-fA-F]"; return 1;
    case 'H': *out = "[^0-9a-fA-F]"; return 1;
    case 's': *out = std::string("[") + kSpaceSet + "]"; return 1;
    case 'S': *out = std::string("[^") + kSpaceSet + "]"; return 1;
    case 'd': case 'D': case 'w': case 'W':
      *out = std::string("\\") + d;
      return 1;
    case 'b': case 'B': case 'A': case 'z':
      *out = std::string("\\") + d;
      *zero_width = true;
      return 1;
    case 'Z':
      refuse(where, "\\Z", "'end of text or before a final newline' has no RE2 equivalent");
    case 'G': refuse(where, "\\G", "RE2 has no 'where the previous match ended' anchor");
    case 'K': refuse(where, "\\K", "RE2 cannot reset the match start");
    case 'R': refuse(where, "\\R", "RE2 has no generic-newline escape");
    case 'X': refuse(where, "\\X", "RE2 has no extended-grapheme escape");
    case 'k': refuse(where, "the backreference \\k<name>", "RE2 has no backreferences");
    case 'g': refuse(where, "the subexpression call \\g<name>", "RE2 cannot call subexpressions");
    case 'c': case 'C': case 'M':
      refuse(where, std::string("the control escape \\") + d, "not supported");
    default: break;
  }
  if (d >= '1' && d <= '9')
    refuse(where, std::string("the backreference \\") + d, "RE2 has no backreferences");
  size_t n = char_length(t, i);
  // Ruby reads an unknown letter escape as the letter itself.
  *out = literal(t.substr(i, n));
  return n;
}

// Translates one escape inside a class into class-body text.
size_t class_escape(std::string_view t, size_t i, const std::string& where, std::string* out) {
  if (i >= t.size()) refuse(where, "a trailing backslash", "the pattern ends inside a class");
  char d = t[i];
  if (simple_char_escape(d, out)) return 1;
  if (size_t n = numeric_escape(t, i, out)) return n;
  switch (d) {
    case 'h': *out = "0-9a-fA-F"; return 1;
    case 's': *out = kSpaceSet; return 1;
    case 'b': *out = "\\x08"; return 1;
    case 'd': case 'D': case 'w': case 'W': case 'S':
      *out = std::string("\\") + d;
      return 1;
    case 'H':
      refuse(where, "\\H inside a character class", "a negated set cannot be merged into a class");
    default: break;
  }
  size_t n = char_length(t, i);
  *out = literal(t.substr(i, n));
  return n;
}

// Reads a class starting at t[i] == '[' and returns its body without the
// brackets, flattening Oniguruma's nested classes (a union) into one.
std::string class_body(std::string_view t, size_t& i, const std::string& where, bool* negated) {
  ++i;
  *negated = false;
  if (i < t.size() && t[i] == '^') {
    *negated = true;
    ++i;
  }
  std::string body;
  bool first = true;
  for (;;) {
    if (i >= t.size()) refuse(where, "a character class", "it is not closed with ]");
    char c = t[i];
    if (c == ']' && !first) {
      ++i;
      break;
    }
    if (c == '[' && i + 1 < t.size() && t[i + 1] == ':') {
      size_t close = t.find(":]", i + 2);
      if (close == std::string_view::npos) refuse(where, "a POSIX bracket", "it is not closed with :]");
      std::string_view name = t.substr(i + 2, close - i - 2);
      body += posix_class(name);
      i = close + 2;
    } else if (c == '[') {
      bool inner_negated = false;
      std::string inner = class_body(t, i, where, &inner_negated);
      if (inner_negated)
        refuse(where, "a negated class nested in a class",
               "RE2 has no class union with a complement");
      body += inner;
    } else if (c == '&' && i + 1 < t.size() && t[i + 1] == '&') {
      refuse(where, "class intersection &&", "RE2 has no class intersection");
    } else if (c == '\\') {
      std::string esc;
      i += 1 + class_escape(t, i + 1, where, &esc);
      body += esc;
    } else if (c == '-') {
      // A dash at either end is literal; escape it so flattening cannot turn
      // it into a range.
      bool at_end = i + 1 < t.size() && t[i + 1] == ']';
      body += (first || at_end) ? "\\-" : "-";
      ++i;
    } else if (c == ']') {
      body += "\\]";
      ++i;
    } else if (c == '[') {
      body += "\\[";
      ++i;
    } else {
      size_t n = char_length(t, i);
      body += t.substr(i, n);
      i += n;
    }
    first = false;
  }
  return body;
}

// Index of the ')' that closes the group whose content starts at `from`.
size_t group_end(std::string_view t, size_t from) {
  int depth = 0;
  for (size_t i = from; i < t.size(); ++i) {
    char c = t[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      int class_depth = 1;
      ++i;
      if (i < t.size() && t[i] == '^') ++i;
      if (i < t.size() && t[i] == ']') ++i;
      for (; i < t.size() && class_depth > 0; ++i) {
        if (t[i] == '\\') ++i;
        else if (t[i] == '[') ++class_depth;
        else if (t[i] == ']') --class_depth;
      }
      --i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth == 0) return i;
      --depth;
    }
  }
  return kNone;
}

bool valid_interval(std::string_view t, size_t i, size_t* end, std::string* spelled) {
  // t[i] == '{'. Accepts {n}, {n,}, {n,m}, {,m} as Ruby does.
  size_t j = i + 1;
  size_t digits_min = 0;
  while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j, ++digits_min;
  std::string min = std::string(t.substr(i + 1, digits_min));
  if (j < t.size() && t[j] == '}') {
    if (digits_min == 0) return false;
    *end = j + 1;
    *spelled = "{" + min + "}";
    return true;
  }
  if (j >= t.size() || t[j] != ',') return false;
  ++j;
  size_t max_start = j;
  while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
  std::string max = std::string(t.substr(max_start, j - max_start));
  if (j >= t.size() || t[j] != '}') return false;
  if (min.empty() && max.empty()) return false;
  *end = j + 1;
  *spelled = "{" + (min.empty() ? std::string("0") : min) + "," + max + "}";
  return true;
}

}  // namespace

RubyRegexTranslation RubyRegexTranslator::translate(std::string_view pattern,
                                                    const std::string& where) {
  Output out;
  // Ruby's ^ and $ are always line anchors; its m option (dot-all) is RE2's s.
  out.both(options_.dot_matches_newline ? "(?sm)" : "(?m)");
  translate_into(pattern, where, 0, out);
  return {std::move(out.re2), std::move(out.pcre), out.exact};
}

void RubyRegexTranslator::translate_into(std::string_view t, const std::string& where, int depth,
                             Output& out) {
  std::vector<Group> groups;
  using Last = Output::Last;
  out.last = Last::None;

  auto quantify = [&](const std::string& q, bool interval) {
    if (out.last == Last::None)
      refuse(where, "the quantifier " + q, "it has nothing to repeat");
    if (out.last == Last::Quantifier && q == "?") {  // lazy
      out.both("?");
      out.last = Last::Modified;
      return;
    }
    if (out.last == Last::Quantifier && q == "+") {  // possessive: atomic
      if (!options_.allow_pcre_only)
        refuse(where, "a possessive quantifier (++, *+, ?+)", kNeedsPcre);
      out.pcre += "+";
      out.exact = false;
      out.last = Last::Modified;
      return;
    }
    if (out.last != Last::Atom) {
      // Stacked quantifiers (`.?*`, `a{2}+`): Ruby applies the second to the
      // quantified atom; RE2 needs that spelled as a group.
      out.re2.insert(out.atom_re2, "(?:");
      out.pcre.insert(out.atom_pcre, "(?:");
      out.both(")");
    }
    out.both(q);
    out.last = interval ? Last::Interval : Last::Quantifier;
  };

  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    switch (c) {
      case '\\': {
        std::string esc;
        bool zero_width = false;
        i += 1 + atom_escape(t, i + 1, where, &esc, &zero_width);
        if (zero_width) out.zero_width(esc);
        else out.atom(esc);
        break;
      }
      case '[': {
        bool negated = false;
        std::string body = class_body(t, i, where, &negated);
        out.atom("[" + std::string(negated ? "^" : "") + body + "]");
        break;
      }
      case '(': {
        std::string_view rest = t.substr(i);
        Group g{out.re2.size(), out.pcre.size()};
        if (rest.compare(0, 3, "(?#") == 0) {
          size_t close = t.find(')', i);
          if (close == std::string_view::npos) refuse(where, "a comment (?#", "it is not closed");
          i = close + 1;
          break;
        }
        bool behind = rest.compare(0, 4, "(?<=") == 0 || rest.compare(0, 4, "(?<!") == 0;
        bool ahead = rest.compare(0, 3, "(?=") == 0 || rest.compare(0, 3, "(?!") == 0;
        if (behind || ahead) {
          size_t open_len = behind ? 4 : 3;
          size_t close = group_end(t, i + open_len);
          if (close == kNone) refuse(where, "a lookaround", "it is not closed");
          std::string_view whole = t.substr(i, close - i + 1);
          std::string_view content = t.substr(i + open_len, close - i - open_len);
          std::string kind = behind ? "lookbehind" : "lookahead";
          // Only guards made of plain characters are kept: RE2 runs without
          // them (a superset) and the PCRE2 extractor checks them exactly.
          std::string guard;
          size_t interval_end = 0;
          std::string interval;
          for (size_t j = 0; j < content.size();) {
            char g = content[j];
            if (g == '[') {
              bool negated = false;
              std::string body = class_body(content, j, where, &negated);
              guard += "[" + std::string(negated ? "^" : "") + body + "]";
            } else if (g == '\\') {
              std::string esc;
              bool zero_width = false;
              j += 1 + atom_escape(content, j + 1, where, &esc, &zero_width);
              if (zero_width)
                refuse(where, kind + " " + std::string(whole),
                       "RE2 has no lookaround; only guards of plain characters are kept");
              guard += esc;
            } else if (g == '.') {
              guard += '.';
              ++j;
            } else if (std::string_view("()|*+?^$%").find(g) != std::string_view::npos ||
                       (g == '{' && valid_interval(content, j, &interval_end, &interval))) {
              refuse(where, kind + " " + std::string(whole),
                     "RE2 has no lookaround; only guards of plain characters are kept");
            } else {
              size_t n = char_length(content, j);
              guard += literal(content.substr(j, n));
              j += n;
            }
          }
          if (!options_.allow_pcre_only) refuse(where, kind + " " + std::string(whole), kNeedsPcre);
          out.pcre += std::string(whole.substr(0, open_len)) + guard + ")";
          out.exact = false;
          out.last = Last::None;
          i = close + 1;
          break;
        }
        if (rest.compare(0, 3, "(?>") == 0) {
          if (!options_.allow_pcre_only) refuse(where, "the atomic group (?>", kNeedsPcre);
          out.re2 += "(?:";
          out.pcre += "(?>";
          out.exact = false;
          groups.push_back(g);
          out.last = Last::None;
          i += 3;
          break;
        }
        bool named = false;
        size_t name_start = 0;
        char name_close = '>';
        if (rest.compare(0, 3, "(?<") == 0 || rest.compare(0, 3, "(?'") == 0) {
          named = true;
          name_start = i + 3;
          name_close = rest[2] == '<' ? '>' : '\'';
        } else if (rest.compare(0, 4, "(?P<") == 0) {
          named = true;
          name_start = i + 4;
        }
        if (named) {
          size_t name_end = t.find(name_close, name_start);
          if (name_end == std::string_view::npos)
            refuse(where, "a named group", "its name is not closed");
          std::string name(t.substr(name_start, name_end - name_start));
          if (name.empty()) refuse(where, "a named group", "its name is empty");
          std::string re2_name = extensions_ ? extensions_->group_name(name) : name;
          out.both("(?P<" + re2_name + ">");
          groups.push_back(g);
          out.last = Last::None;
          i = name_end + 1;
          break;
        }
        if (rest.compare(0, 3, "(?:") == 0) {
          out.both("(?:");
          groups.push_back(g);
          out.last = Last::None;
          i += 3;
          break;
        }
        if (rest.compare(0, 2, "(?") == 0) {
          // Option groups: (?imx-imx) and (?imx-imx:...). Ruby's m is dot-all.
          // Ruby has no s; it is read as RE2's (dot-all too), which conditions
          // always passed through.
          size_t j = i + 2;
          std::string flags;
          while (j < t.size() && std::string_view("imsx-").find(t[j]) != std::string_view::npos) {
            char f = t[j];
            if (f == 'x')
              refuse(where, "the extended-syntax option (?x)", "not supported; remove it and its whitespace");
            flags += f == 'm' ? 's' : f;
            ++j;
          }
          if (j < t.size() && (t[j] == ')' || t[j] == ':')) {
            if (flags == "-") flags.clear();
            if (t[j] == ')') {
              if (!flags.empty()) out.zero_width("(?" + flags + ")");
            } else {
              out.both(flags.empty() ? "(?:" : "(?" + flags + ":");
              groups.push_back(g);
              out.last = Last::None;
            }
            i = j + 1;
            break;
          }
          std::string construct = std::string(rest.substr(0, 3));
          if (rest.compare(0, 3, "(?~") == 0)
            refuse(where, "the absent operator (?~", "RE2 has no such operator");
          if (rest.compare(0, 3, "(?(") == 0)
            refuse(where, "a conditional group (?(", "RE2 has no conditionals");
          refuse(where, "the group " + construct, "unknown group syntax");
        }
        out.both(options_.plain_groups_capture ? "(" : "(?:");
        groups.push_back(g);
        out.last = Last::None;
        ++i;
        break;
      }
      case ')': {
        if (groups.empty()) refuse(where, "a closing )", "it has no opening (");
        Group g = groups.back();
        groups.pop_back();
        out.both(")");
        out.atom_re2 = g.re2_start;
        out.atom_pcre = g.pcre_start;
        out.last = Last::Atom;
        ++i;
        break;
      }
      case '|':
        out.zero_width("|");
        ++i;
        break;
      case '^':
      case '$':
        out.zero_width(std::string(1, c));
        ++i;
        break;
      case '*':
      case '+':
      case '?':
        quantify(std::string(1, c), false);
        ++i;
        break;
      case '{': {
        size_t end = 0;
        std::string spelled;
        if (out.last != Last::None && valid_interval(t, i, &end, &spelled)) {
          quantify(spelled, true);
          i = end;
        } else {
          out.atom("\\{");
          ++i;
        }
        break;
      }
      case '}':
        out.atom("\\}");
        ++i;
        break;
      case '.':
        out.atom(".");
        ++i;
        break;
      default: {
        Extensions::Inline sub;
        if (extensions_ && extensions_->inline_at(t, i, where, depth, &sub)) {
          size_t re2_start = out.re2.size();
          size_t pcre_start = out.pcre.size();
          out.both(sub.open);
          translate_into(sub.body, sub.where, depth + 1, out);
          out.both(")");
          out.atom_re2 = re2_start;
          out.atom_pcre = pcre_start;
          out.last = Last::Atom;
          i += sub.length;
          break;
        }
        size_t n = char_length(t, i);
        out.atom(literal(t.substr(i, n)));
        i += n;
        break;
      }
    }
  }
  if (!groups.empty()) refuse(where, "an opening (", "it is never closed");
}


std::unique_ptr<re2::RE2> compile_ruby_regex(std::string_view pattern, std::string* error,
                                             bool latin1) {
  RubyRegexTranslation translated;
  try {
    translated = RubyRegexTranslator({}).translate(pattern);
  } catch (const RubyRegexError& e) {
    *error = e.what();
    return nullptr;
  }
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  if (latin1) opts.set_encoding(re2::RE2::Options::EncodingLatin1);
  auto re = std::make_unique<re2::RE2>(translated.re2, opts);
  if (!re->ok()) {
    *error = re->error();
    const std::string suffix = ": " + re->error_arg();
    if (re->error_arg() == translated.re2 && error->size() >= suffix.size() &&
        error->compare(error->size() - suffix.size(), suffix.size(), suffix) == 0)
      error->resize(error->size() - suffix.size());
    return nullptr;
  }
  return re;
}

}  // namespace logpipe
