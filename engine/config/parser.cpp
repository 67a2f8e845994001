#include "engine/config/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <system_error>

namespace logpipe::config {

namespace {

// Thrown inside the parser; parse_configs turns it into a ConfigError.
struct ParseFailure {
  SourceLoc loc;
  std::string message;
};

constexpr std::string_view kAttributeComma =
    "unexpected ',' : attributes are separated by whitespace, not commas";
constexpr std::string_view kHashComma =
    "unexpected ',' : hash entries are separated by whitespace, not commas";

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_word_start(char c) { return is_alpha(c) || c == '_'; }  // first char of a bareword
bool is_word_char(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
bool is_name_char(char c) { return is_word_char(c) || c == '-'; }  // plugin/attribute names
bool is_quote(char c) { return c == '"' || c == '\''; }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// config.support_escapes: only these pairs are translated; any other
// backslash pair (including backslash-newline) is kept as written.
std::string process_escapes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out += c;
      continue;
    }
    char next = raw[++i];
    switch (next) {
      case '"':
      case '\'':
      case '\\':
        out += next;
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      default:
        out += c;
        out += next;
        break;
    }
  }
  return out;
}

enum class ValueContext { Attribute, HashValue, ArrayElement };

// A construct whose closing bracket is still expected; named in errors.
struct Opener {
  std::string what;  // e.g. `plugin "mutate"`
  size_t offset;     // where it started
};

struct BoolOp {
  AstExpr::Kind kind;
  std::string word;
  size_t offset;
};

struct NumberLiteral {
  std::string text;
  bool is_float = false;
  int64_t integer = 0;
  double number = 0;
};

// Recursive descent straight over the characters, one function per grammar
// rule. Positions are byte offsets, turned into line:column only for errors
// and AST locations. Where Logstash's PEG grammar would backtrack, the parser
// looks ahead instead; the one real backtrack is a statement starting with
// "if..." (see parse_statement).
class Parser {
 public:
  Parser(const SourceFile& file, const ParseOptions& opts)
      : file_(file), text_(file.text), opts_(opts) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  AstConfig parse() {
    AstConfig cfg;
    // A UTF-8 byte order mark, as some Windows editors write, is not content.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    skip_ws();
    while (!at_end()) {
      cfg.sections.push_back(parse_section());
      skip_ws();
    }
    return cfg;
  }

 private:
  // Deep nesting is legal but would exhaust the stack; real configs stay far below.
  static constexpr int kMaxDepth = 256;

  struct Nesting {
    Parser& p;
    Nesting(Parser& parser, size_t at) : p(parser) {
      if (++p.depth_ > kMaxDepth) {
        --p.depth_;
        p.fail(at, "nesting too deep (more than " + std::to_string(kMaxDepth) + " levels)");
      }
    }
    ~Nesting() { --p.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
  };

  // ---- positions and errors ----

  SourceLoc loc_at(size_t off) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    size_t line = static_cast<size_t>(it - line_starts_.begin());
    SourceLoc loc;
    loc.file = file_.name;
    loc.line = static_cast<int>(line);
    loc.column = static_cast<int>(off - line_starts_[line - 1] + 1);
    return loc;
  }

  std::string where(size_t off) const {
    SourceLoc l = loc_at(off);
    return std::to_string(l.line) + ":" + std::to_string(l.column);
  }

  [[noreturn]] void fail(size_t off, std::string message) const {
    throw ParseFailure{loc_at(off), std::move(message)};
  }

  // "'}' to close plugin "mutate" opened at 3:3"
  std::string closing(const Opener& o, char closer) const {
    return std::string("'") + closer + "' to close " + o.what + " opened at " + where(o.offset);
  }

  [[noreturn]] void fail_unclosed(const Opener& o, char closer) const {
    fail(o.offset, "expected " + closing(o, closer) + " before end of file");
  }

  // One character (a whole UTF-8 sequence) for messages.
  std::string describe_char(size_t off) const {
    if (off >= text_.size()) return "end of file";
    unsigned char u = static_cast<unsigned char>(text_[off]);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + text_[off] + "'";
    if (u >= 0xC0) {
      size_t end = off + 1;
      while (end < text_.size() && end - off < 4 &&
             (static_cast<unsigned char>(text_[end]) & 0xC0) == 0x80) {
        ++end;
      }
      return "'" + std::string(text_.substr(off, end - off)) + "'";
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
    return buf;
  }

  // The token at `off` for "found ...": a whole word, a two-character operator or one character.
  std::string describe(size_t off) const {
    if (off >= text_.size()) return "end of file";
    char c = text_[off];
    if (is_name_char(c)) {
      size_t end = off;
      while (end < text_.size() && is_name_char(text_[end]) && end - off < 40) ++end;
      return "'" + std::string(text_.substr(off, end - off)) + "'";
    }
    if (is_quote(c)) return "a quoted string";
    for (std::string_view op : {"=>", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||"}) {
      if (text_.compare(off, op.size(), op) == 0) return "'" + std::string(op) + "'";
    }
    return describe_char(off);
  }

  // ---- characters ----

  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool starts_with(std::string_view s) const {
    return text_.size() - pos_ >= s.size() && text_.compare(pos_, s.size(), s) == 0;
  }
  size_t name_run_end(size_t off) const {
    while (off < text_.size() && is_name_char(text_[off])) ++off;
    return off;
  }

  // Whitespace and `#` comments, wherever the grammar allows optional space.
  void skip_ws() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (is_ws(c)) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // ---- sections and statements ----

  AstSection parse_section() {
    size_t start = pos_;
    char c = peek();
    if (c == '}') fail(start, "unexpected '}' (no section is open)");
    if (!is_name_char(c)) {
      fail(start, "expected 'input', 'filter' or 'output', found " + describe(start));
    }
    pos_ = name_run_end(start);
    std::string word(text_.substr(start, pos_ - start));
    AstSection section;
    if (word == "input") {
      section.kind = SectionKind::Input;
    } else if (word == "filter") {
      section.kind = SectionKind::Filter;
    } else if (word == "output") {
      section.kind = SectionKind::Output;
    } else {
      fail(start, "unknown section '" + word + "': expected 'input', 'filter' or 'output'");
    }
    section.loc = loc_at(start);
    skip_ws();
    if (peek() != '{') {
      fail(pos_, "expected '{' after section name '" + word + "', found " + describe(pos_));
    }
    ++pos_;
    section.body = parse_block(Opener{"section " + quoted(word), start});
    return section;
  }

  // Statements up to and including the closing '}' (the '{' is consumed).
  std::vector<AstStatement> parse_block(const Opener& block) {
    Nesting nest(*this, block.offset);
    std::vector<AstStatement> body;
    for (;;) {
      skip_ws();
      if (at_end()) fail_unclosed(block, '}');
      if (peek() == '}') {
        ++pos_;
        return body;
      }
      body.push_back(parse_statement(block));
    }
  }

  // Whether the word at pos_ (after `skip`) is followed by '{' or the keyword `if`.
  bool followed_by_brace_or_if(size_t skip) {
    size_t save = pos_;
    pos_ += skip;
    skip_ws();
    bool yes = peek() == '{' || (starts_with("if") && !is_name_char(peek(2)));
    pos_ = save;
    return yes;
  }

  AstStatement parse_statement(const Opener& block) {
    size_t start = pos_;
    char c = peek();
    AstStatement st;
    if (is_quote(c)) {
      st.kind = AstStatement::Kind::Plugin;
      st.plugin = parse_plugin();
      return st;
    }
    if (!is_name_char(c)) {
      fail(start, "expected a plugin name, 'if' or '}' to close " + block.what + " opened at " +
                      where(block.offset) + ", found " + describe(start));
    }
    std::string_view word = text_.substr(start, name_run_end(start) - start);
    if (word == "if") {
      st.kind = AstStatement::Kind::If;
      st.if_ = parse_if();
      return st;
    }
    if (word.size() > 2 && word.substr(0, 2) == "if") {
      // Logstash tries a conditional before a plugin and needs no space after
      // `if`, so `if1 == 1 {` is a conditional while `ifconfig {` is a plugin.
      try {
        st.kind = AstStatement::Kind::If;
        st.if_ = parse_if();
        return st;
      } catch (const ParseFailure&) {
        pos_ = start;
      }
    }
    if ((word == "else" && followed_by_brace_or_if(4)) || word == "elseif") {
      fail(start,
           "'else' without a matching 'if': it must directly follow the '}' of an 'if' or "
           "'else if' block");
    }
    if (word == "elsif") fail(start, "'elsif' is not a keyword; write 'else if'");
    st.kind = AstStatement::Kind::Plugin;
    st.plugin = parse_plugin();
    return st;
  }

  // ---- plugins and attributes ----

  // NAME: a run of [A-Za-z0-9_-] or a quoted string (quotes dropped, escapes
  // not processed, as Logstash does for names).
  std::string parse_name() {
    if (is_quote(peek())) return std::string(scan_string());
    size_t start = pos_;
    pos_ = name_run_end(start);
    return std::string(text_.substr(start, pos_ - start));
  }

  std::shared_ptr<AstPlugin> parse_plugin() {
    size_t start = pos_;
    auto plugin = std::make_shared<AstPlugin>();
    plugin->loc = loc_at(start);
    plugin->name = parse_name();
    skip_ws();
    if (peek() != '{') {
      std::string msg =
          "expected '{' after plugin name " + quoted(plugin->name) + ", found " + describe(pos_);
      if (starts_with("=>")) msg += " (attributes must be inside a plugin block)";
      fail(pos_, msg);
    }
    ++pos_;
    parse_plugin_body(*plugin, Opener{"plugin " + quoted(plugin->name), start});
    return plugin;
  }

  void parse_plugin_body(AstPlugin& plugin, const Opener& opener) {
    Nesting nest(*this, opener.offset);
    for (;;) {
      skip_ws();
      if (at_end()) fail_unclosed(opener, '}');
      char c = peek();
      if (c == '}') {
        ++pos_;
        return;
      }
      if (c == ',') fail(pos_, std::string(kAttributeComma));
      if (!is_quote(c) && !is_name_char(c)) {
        fail(pos_,
             "expected an attribute name or " + closing(opener, '}') + ", found " + describe(pos_));
      }
      plugin.attributes.push_back(parse_attribute(opener));
    }
  }

  AstAttribute parse_attribute(const Opener& plugin) {
    size_t start = pos_;
    AstAttribute attr;
    attr.loc = loc_at(start);
    attr.name = parse_name();
    skip_ws();
    if (!starts_with("=>")) {
      std::string msg =
          "expected '=>' after attribute name " + quoted(attr.name) + ", found " + describe(pos_);
      if (attr.name == "if") {
        msg += " (conditionals cannot appear inside a plugin block)";
      } else if (peek() == '{') {
        msg += " (a plugin cannot be nested in another; is a '}' missing to close " + plugin.what +
               " opened at " + where(plugin.offset) + "?)";
      }
      fail(pos_, msg);
    }
    pos_ += 2;
    skip_ws();
    attr.value = parse_value("after '=>' of attribute " + quoted(attr.name));
    check_value_end(attr.value, ValueContext::Attribute, "attribute " + quoted(attr.name));
    return attr;
  }

  // ---- values ----

  // Raw text between the quotes; pos_ ends after the closing quote. Inside
  // "...", the pair \" does not end the string (likewise \' inside '...').
  std::string_view scan_string() {
    size_t start = pos_;
    char quote = text_[start];
    bool saw_escaped_quote = false;
    size_t i = start + 1;
    for (;;) {
      if (i >= text_.size()) {
        std::string msg = "unterminated string starting here";
        if (saw_escaped_quote) {
          msg += std::string(" (\\") + quote +
                 " does not end a string, so a string cannot end with a backslash)";
        }
        fail(start, msg);
      }
      char c = text_[i];
      if (c == '\\' && i + 1 < text_.size() && text_[i + 1] == quote) {
        saw_escaped_quote = true;
        i += 2;
        continue;
      }
      if (c == quote) break;
      ++i;
    }
    pos_ = i + 1;
    return text_.substr(start + 1, i - start - 1);
  }

  std::string string_value(std::string_view raw) const {
    return opts_.support_escapes ? process_escapes(raw) : std::string(raw);
  }

  // -?[0-9]+(\.[0-9]*)?  A dot without digits passes Logstash's grammar but not
  // its number conversion, so it is reported here.
  NumberLiteral scan_number() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    while (is_digit(peek())) ++pos_;
    NumberLiteral n;
    if (peek() == '.') {
      n.is_float = true;
      ++pos_;
      size_t fraction = pos_;
      while (is_digit(peek())) ++pos_;
      if (pos_ == fraction) {
        fail(start, "invalid number '" + std::string(text_.substr(start, pos_ - start)) +
                        "': a digit must follow the decimal point");
      }
    }
    n.text = std::string(text_.substr(start, pos_ - start));
    const char* first = n.text.data();
    const char* last = first + n.text.size();
    if (n.is_float) {
      auto res = std::from_chars(first, last, n.number);
      if (res.ec != std::errc()) fail(start, "invalid number '" + n.text + "': out of range");
    } else {
      auto res = std::from_chars(first, last, n.integer);
      if (res.ec != std::errc()) {
        fail(start, "invalid number '" + n.text + "': integer out of the 64-bit range");
      }
      n.number = static_cast<double>(n.integer);
    }
    return n;
  }

  AstValue number_value() {
    AstValue v;
    v.loc = loc_at(pos_);
    NumberLiteral n = scan_number();
    v.kind = n.is_float ? AstValue::Kind::Float : AstValue::Kind::Integer;
    v.text = std::move(n.text);
    v.integer = n.integer;
    v.number = n.number;
    return v;
  }

  // [A-Za-z_][A-Za-z0-9_]+
  AstValue bareword_value() {
    size_t start = pos_;
    while (is_word_char(peek())) ++pos_;
    std::string word(text_.substr(start, pos_ - start));
    if (word.size() < 2) {
      fail(start, "'" + word +
                      "' is too short for a bareword (two characters at least); quote it: " +
                      quoted(word));
    }
    AstValue v;
    v.kind = AstValue::Kind::Bareword;
    v.loc = loc_at(start);
    v.text = std::move(word);
    return v;
  }

  // A value that is a name followed by '{' is a plugin block (`codec => json {`).
  bool plugin_block_follows(size_t name_end) {
    size_t save = pos_;
    pos_ = name_end;
    skip_ws();
    bool yes = peek() == '{';
    pos_ = save;
    return yes;
  }

  AstValue plugin_value() {
    AstValue v;
    v.kind = AstValue::Kind::Plugin;
    v.loc = loc_at(pos_);
    v.plugin = parse_plugin();
    v.text = v.plugin->name;
    return v;
  }

  // `context` completes "expected a value ...", e.g. "in array".
  AstValue parse_value(const std::string& context) {
    Nesting nest(*this, pos_);
    size_t start = pos_;
    char c = peek();
    if (at_end()) fail(start, "expected a value " + context + ", found end of file");
    if (is_quote(c)) {
      std::string_view raw = scan_string();
      if (plugin_block_follows(pos_)) {
        pos_ = start;
        return plugin_value();
      }
      AstValue v;
      v.kind = AstValue::Kind::String;
      v.loc = loc_at(start);
      v.text = string_value(raw);
      return v;
    }
    if (c == '[') return parse_array();
    if (c == '{') return parse_hash();
    if (c == '$' && peek(1) == '{') {
      size_t close = text_.find_first_of("}\n", start);
      std::string ref = close != std::string_view::npos && text_[close] == '}'
                            ? std::string(text_.substr(start, close - start + 1))
                            : "${VAR}";
      fail(start, "environment variable references must be quoted: write " + quoted(ref));
    }
    if (is_name_char(c)) {
      if (plugin_block_follows(name_run_end(start))) return plugin_value();
      if (is_word_start(c)) return bareword_value();
      if (is_digit(c) || (c == '-' && is_digit(peek(1)))) return number_value();
    }
    fail(start, "expected a value (string, number, bareword, array, hash or plugin) " + context +
                    ", found " + describe(start));
  }

  // The character right after a value must separate it from what follows.
  void check_value_end(const AstValue& v, ValueContext ctx, const std::string& owner) {
    if (at_end()) return;
    char c = peek();
    if (is_ws(c) || c == '#') return;
    if (ctx == ValueContext::ArrayElement ? (c == ',' || c == ']') : c == '}') return;
    if (c == ',' && ctx == ValueContext::Attribute) fail(pos_, std::string(kAttributeComma));
    if (c == ',' && ctx == ValueContext::HashValue) fail(pos_, std::string(kHashComma));
    if (v.kind == AstValue::Kind::Bareword) {
      fail(pos_, "unexpected " + describe_char(pos_) + " after bareword " + v.text +
                     ": barewords hold only letters, digits and '_'; quote the value");
    }
    if (v.kind == AstValue::Kind::Integer || v.kind == AstValue::Kind::Float) {
      fail(pos_, "unexpected " + describe_char(pos_) + " after number " + v.text +
                     ": quote the value if it is not a plain number");
    }
    if (ctx == ValueContext::ArrayElement) {
      fail(pos_, "expected ',' or ']' after array element, found " + describe(pos_));
    }
    fail(pos_,
         "expected whitespace or '}' after the value of " + owner + ", found " + describe(pos_));
  }

  // [ value, value ... ]  no trailing comma.
  AstValue parse_array() {
    size_t open = pos_;
    Opener opener{"array", open};
    ++pos_;
    AstValue v;
    v.kind = AstValue::Kind::Array;
    v.loc = loc_at(open);
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      return v;
    }
    for (;;) {
      if (at_end()) fail_unclosed(opener, ']');
      if (peek() == ',') fail(pos_, "unexpected ',' in array: expected a value");
      if (peek() == ']') fail(pos_, "unexpected ']' after ',': arrays take no trailing comma");
      v.elements.push_back(parse_value("in array"));
      check_value_end(v.elements.back(), ValueContext::ArrayElement, "");
      skip_ws();
      if (at_end()) fail_unclosed(opener, ']');
      if (peek() == ',') {
        ++pos_;
        skip_ws();
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return v;
      }
      fail(pos_, "expected ',' or " + closing(opener, ']') + ", found " + describe(pos_));
    }
  }

  // { key => value ... }  entries separated by whitespace; a key may appear once.
  AstValue parse_hash() {
    size_t open = pos_;
    Opener opener{"hash", open};
    ++pos_;
    AstValue v;
    v.kind = AstValue::Kind::Hash;
    v.loc = loc_at(open);
    // Logstash compares keys as written, so "a" and 'a' are different keys.
    std::vector<std::pair<std::string_view, size_t>> seen;
    for (;;) {
      skip_ws();
      if (at_end()) fail_unclosed(opener, '}');
      char c = peek();
      if (c == '}') {
        ++pos_;
        return v;
      }
      if (c == ',') fail(pos_, std::string(kHashComma));
      size_t key_start = pos_;
      AstValue key;
      if (is_quote(c)) {
        key.kind = AstValue::Kind::String;
        key.loc = loc_at(key_start);
        key.text = string_value(scan_string());
      } else if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
        key = number_value();
      } else if (is_word_start(c)) {
        key = bareword_value();
      } else {
        fail(pos_, "expected a hash key (string, number or bareword) or " + closing(opener, '}') +
                       ", found " + describe(pos_));
      }
      std::string_view raw = text_.substr(key_start, pos_ - key_start);
      std::string shown = is_quote(raw[0]) ? std::string(raw) : quoted(raw);
      for (const auto& [prev, prev_off] : seen) {
        if (prev == raw) {
          fail(key_start, "duplicate key " + shown + " in hash (first at " + where(prev_off) + ")");
        }
      }
      seen.emplace_back(raw, key_start);
      if (!is_quote(c) && (is_name_char(peek()) || peek() == '.')) {
        fail(pos_, "unexpected " + describe_char(pos_) + " after hash key " + shown +
                       ": quote keys that are not plain barewords or numbers");
      }
      skip_ws();
      if (!starts_with("=>")) {
        fail(pos_, "expected '=>' after hash key " + shown + ", found " + describe(pos_));
      }
      pos_ += 2;
      skip_ws();
      AstValue value = parse_value("after '=>' of hash key " + shown);
      check_value_end(value, ValueContext::HashValue, "hash key " + shown);
      v.entries.emplace_back(std::move(key), std::move(value));
    }
  }

  // ---- conditionals ----

  std::shared_ptr<AstIf> parse_if() {
    size_t start = pos_;
    auto node = std::make_shared<AstIf>();
    node->loc = loc_at(start);
    AstBranch first;
    first.loc = node->loc;
    pos_ += 2;
    first.condition = parse_condition_and_brace("'if'");
    first.body = parse_block(Opener{"'if' block", start});
    node->branches.push_back(std::move(first));
    for (;;) {
      size_t save = pos_;
      skip_ws();
      size_t kw = pos_;
      // `else` may touch `if` (Logstash allows no space: `elseif`).
      bool is_else = starts_with("else") && !is_name_char(peek(4));
      bool is_elseif = starts_with("elseif") && !is_name_char(peek(6));
      if (!is_else && !is_elseif) {
        pos_ = save;
        return node;
      }
      pos_ += 4;
      skip_ws();
      if (peek() == '{') {
        ++pos_;
        node->has_else = true;
        node->else_body = parse_block(Opener{"'else' block", kw});
        return node;
      }
      if (!starts_with("if") || is_name_char(peek(2))) {
        fail(pos_, "expected '{' or 'if' after 'else', found " + describe(pos_));
      }
      AstBranch branch;
      branch.loc = loc_at(kw);
      pos_ += 2;
      branch.condition = parse_condition_and_brace("'else if'");
      branch.body = parse_block(Opener{"'else if' block", kw});
      node->branches.push_back(std::move(branch));
    }
  }

  // Condition after `if`/`else if`, then the '{' that opens the body.
  AstExpr parse_condition_and_brace(const std::string& keyword) {
    skip_ws();
    if (at_end() || peek() == '{') {
      fail(pos_, "expected a condition after " + keyword + ", found " + describe(pos_));
    }
    AstExpr cond = parse_condition("expected a condition after " + keyword);
    skip_ws();
    if (peek() != '{') fail_in_condition(pos_, "expected '{' after the condition of " + keyword);
    ++pos_;
    return cond;
  }

  // Errors where an operator or closing bracket was expected, with hints for
  // operators from other languages.
  [[noreturn]] void fail_in_condition(size_t off, const std::string& expected) {
    size_t save = pos_;
    pos_ = off;
    bool amp = starts_with("&&"), bar = starts_with("||");
    bool lone_eq = peek() == '=' && peek(1) != '=' && peek(1) != '~' && peek(1) != '>';
    bool notin = starts_with("notin");
    pos_ = save;
    if (amp) fail(off, "unexpected '&&': the boolean operator is 'and'");
    if (bar) fail(off, "unexpected '||': the boolean operator is 'or'");
    if (lone_eq) fail(off, "unexpected '=': use '==' to compare");
    if (notin) fail(off, "unexpected 'notin': write 'not in' (with a space)");
    fail(off, expected + ", found " + describe(off));
  }

  // Whether an operator that takes a left operand starts at pos_.
  bool operand_operator_here() const {
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">", "=~", "!~"}) {
      if (starts_with(op)) return true;
    }
    return (starts_with("in") && !is_word_char(peek(2))) || (starts_with("not") && is_ws(peek(3)));
  }

  // EXPR (BOOLOP EXPR)*, grouped the way Logstash's compiler groups it.
  AstExpr parse_condition(const std::string& expected) {
    Nesting nest(*this, pos_);
    std::vector<AstExpr> operands;
    std::vector<BoolOp> ops;
    operands.push_back(parse_expression(expected));
    for (;;) {
      size_t save = pos_;
      skip_ws();
      BoolOp op{AstExpr::Kind::And, "", pos_};
      if (starts_with("and")) {
        op = {AstExpr::Kind::And, "and", pos_};
      } else if (starts_with("or")) {
        op = {AstExpr::Kind::Or, "or", pos_};
      } else if (starts_with("xor")) {
        op = {AstExpr::Kind::Xor, "xor", pos_};
      } else if (starts_with("nand")) {
        op = {AstExpr::Kind::Nand, "nand", pos_};
      } else {
        pos_ = save;
        break;
      }
      // Logstash's precedence table has no entry for xor/nand: any second
      // operator at this level next to one of them fails to compile.
      auto is_xn = [](AstExpr::Kind k) {
        return k == AstExpr::Kind::Xor || k == AstExpr::Kind::Nand;
      };
      if (!ops.empty() && (is_xn(op.kind) || is_xn(ops.back().kind))) {
        fail(op.offset,
             "xor/nand cannot be mixed with other boolean operators without parentheses");
      }
      pos_ += op.word.size();
      skip_ws();
      operands.push_back(parse_expression("expected an expression after '" + op.word + "'"));
      ops.push_back(std::move(op));
    }
    return group_boolean(std::move(operands), ops);
  }

  // Logstash's shunting-yard: an incoming operator pops at most one operator,
  // and only one of strictly higher precedence (and 2 > or 1). Hence
  // `A or B and C and D or E` => A or (B and ((C and D) or E)), and plain
  // chains nest to the right: A and (B and C).
  AstExpr group_boolean(std::vector<AstExpr> operands, const std::vector<BoolOp>& ops) {
    if (ops.empty()) return std::move(operands[0]);
    auto precedence = [](AstExpr::Kind k) { return k == AstExpr::Kind::And ? 2 : 1; };
    struct Item {
      bool is_op;
      size_t index;
    };
    std::vector<Item> rpn{{false, 0}};
    std::vector<size_t> pending;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!pending.empty() && precedence(ops[pending.back()].kind) > precedence(ops[i].kind)) {
        rpn.push_back({true, pending.back()});
        pending.pop_back();
      }
      pending.push_back(i);
      rpn.push_back({false, i + 1});
    }
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) rpn.push_back({true, *it});

    std::vector<AstExpr> stack;
    for (const Item& item : rpn) {
      if (!item.is_op) {
        stack.push_back(std::move(operands[item.index]));
        continue;
      }
      AstExpr right = std::move(stack.back());
      stack.pop_back();
      AstExpr left = std::move(stack.back());
      stack.pop_back();
      const BoolOp& op = ops[item.index];
      AstExpr e;
      e.kind = op.kind;
      e.loc = left.loc;
      e.op_loc = loc_at(op.offset);
      e.op = op.word;
      e.children.push_back(std::move(left));
      e.children.push_back(std::move(right));
      stack.push_back(std::move(e));
    }
    return std::move(stack.back());
  }

  AstExpr binary(AstExpr::Kind kind, AstRValue left, size_t op_off, std::string op,
                 AstRValue right) {
    AstExpr e;
    e.kind = kind;
    e.loc = left.loc;
    e.op_loc = loc_at(op_off);
    e.op = std::move(op);
    e.operands.push_back(std::move(left));
    e.operands.push_back(std::move(right));
    return e;
  }

  AstExpr parse_expression(const std::string& expected) {
    Nesting nest(*this, pos_);
    size_t start = pos_;
    if (peek() == '(') {
      ++pos_;
      skip_ws();
      AstExpr inner = parse_condition("expected a condition after '('");
      skip_ws();
      if (at_end()) fail_unclosed(Opener{"'('", start}, ')');
      if (peek() != ')') {
        fail_in_condition(pos_, "expected " + closing(Opener{"'('", start}, ')'));
      }
      ++pos_;
      return inner;
    }
    if (peek() == '!' && peek(1) != '=' && peek(1) != '~') {
      ++pos_;
      skip_ws();
      AstExpr neg;
      neg.kind = AstExpr::Kind::Not;
      neg.loc = neg.op_loc = loc_at(start);
      neg.op = "!";
      if (peek() == '(') {
        neg.children.push_back(parse_expression(expected));
        return neg;
      }
      if (selector_element_end(pos_) == std::string_view::npos) {
        fail(pos_, "expected '(' or a field reference such as [field] after '!', found " +
                       describe(pos_));
      }
      AstExpr truthy;
      truthy.kind = AstExpr::Kind::Truthy;
      truthy.operands.push_back(parse_selector());
      truthy.loc = truthy.op_loc = truthy.operands[0].loc;
      neg.children.push_back(std::move(truthy));
      // Logstash's `!` takes only the field: `![a] == 1` is not `!([a] == 1)`.
      size_t save = pos_;
      skip_ws();
      if (operand_operator_here()) {
        fail(pos_, "unexpected " + describe(pos_) +
                       ": '!' negates only the field reference before it; write !( ... ) to "
                       "negate a comparison");
      }
      pos_ = save;
      return neg;
    }

    AstRValue left = parse_rvalue(expected);
    size_t save = pos_;
    skip_ws();
    size_t op_off = pos_;
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (starts_with(op)) {
        pos_ += op.size();
        skip_ws();
        std::string op_text(op);
        AstRValue right = parse_rvalue("expected a value after '" + op_text + "'");
        return binary(AstExpr::Kind::Compare, std::move(left), op_off, op_text, std::move(right));
      }
    }
    if (starts_with("=~") || starts_with("!~")) {
      std::string op_text(text_.substr(pos_, 2));
      pos_ += 2;
      skip_ws();
      size_t right_start = pos_;
      AstRValue right;
      right.loc = loc_at(right_start);
      if (is_quote(peek())) {
        right.kind = AstRValue::Kind::String;
        right.text = string_value(scan_string());
      } else if (peek() == '/') {
        right.kind = AstRValue::Kind::Regex;
        right.text = scan_regex();
      } else {
        fail(right_start, "expected a regular expression (/.../) or a quoted string after '" +
                              op_text + "', found " + describe(right_start));
      }
      return binary(op_text == "=~" ? AstExpr::Kind::Match : AstExpr::Kind::NotMatch,
                    std::move(left), op_off, op_text, std::move(right));
    }
    if (starts_with("in")) {
      pos_ += 2;
      skip_ws();
      AstRValue right = parse_rvalue("expected a value after 'in'");
      return binary(AstExpr::Kind::In, std::move(left), op_off, "in", std::move(right));
    }
    if (starts_with("not") && is_ws(peek(3))) {
      pos_ += 3;
      skip_ws();
      if (!starts_with("in")) fail(pos_, "expected 'in' after 'not', found " + describe(pos_));
      pos_ += 2;
      skip_ws();
      AstRValue right = parse_rvalue("expected a value after 'not in'");
      return binary(AstExpr::Kind::NotIn, std::move(left), op_off, "not in", std::move(right));
    }
    pos_ = save;
    AstExpr truthy;
    truthy.kind = AstExpr::Kind::Truthy;
    truthy.loc = truthy.op_loc = left.loc;
    truthy.operands.push_back(std::move(left));
    return truthy;
  }

  // End of the `[TEXT]` starting at `off` (TEXT: one or more characters other
  // than '[', ']' and ','), or npos when there is none.
  size_t selector_element_end(size_t off) const {
    if (off >= text_.size() || text_[off] != '[') return std::string_view::npos;
    size_t i = off + 1;
    while (i < text_.size() && text_[i] != '[' && text_[i] != ']' && text_[i] != ',') ++i;
    if (i >= text_.size() || text_[i] != ']' || i == off + 1) return std::string_view::npos;
    return i + 1;
  }

  AstRValue parse_selector() {
    size_t start = pos_;
    for (size_t end; (end = selector_element_end(pos_)) != std::string_view::npos;) pos_ = end;
    AstRValue r;
    r.kind = AstRValue::Kind::Selector;
    r.loc = loc_at(start);
    r.text = std::string(text_.substr(start, pos_ - start));
    return r;
  }

  // Text between the slashes; `\/` does not end the regexp and is kept.
  std::string scan_regex() {
    size_t start = pos_;
    size_t i = start + 1;
    for (;;) {
      if (i >= text_.size()) fail(start, "unterminated regular expression starting here");
      if (text_[i] == '\\' && i + 1 < text_.size() && text_[i + 1] == '/') {
        i += 2;
        continue;
      }
      if (text_[i] == '/') break;
      ++i;
    }
    pos_ = i + 1;
    return std::string(text_.substr(start + 1, i - start - 1));
  }

  // An array literal in a condition holds plugin-option values; barewords
  // count as strings there, as in Logstash.
  AstRValue array_element_to_rvalue(const AstValue& v) {
    AstRValue r;
    r.loc = v.loc;
    r.text = v.text;
    r.integer = v.integer;
    r.number = v.number;
    switch (v.kind) {
      case AstValue::Kind::String:
      case AstValue::Kind::Bareword:
        r.kind = AstRValue::Kind::String;
        break;
      case AstValue::Kind::Integer:
        r.kind = AstRValue::Kind::Integer;
        break;
      case AstValue::Kind::Float:
        r.kind = AstRValue::Kind::Float;
        break;
      case AstValue::Kind::Array:
        r.kind = AstRValue::Kind::Array;
        for (const AstValue& e : v.elements) r.elements.push_back(array_element_to_rvalue(e));
        break;
      case AstValue::Kind::Hash:
      case AstValue::Kind::Plugin:
        throw ParseFailure{v.loc,
                           "an array in a condition may hold only strings, numbers, "
                           "barewords and arrays"};
    }
    return r;
  }

  AstRValue parse_method_call(size_t start, std::string name) {
    size_t open = pos_;  // at '('
    Opener opener{"the arguments of " + name + "(", open};
    ++pos_;
    AstRValue call;
    call.kind = AstRValue::Kind::MethodCall;
    call.loc = loc_at(start);
    call.text = std::move(name);
    skip_ws();
    if (peek() == ')') {
      ++pos_;
      return call;
    }
    for (;;) {
      if (at_end()) fail_unclosed(opener, ')');
      call.elements.push_back(parse_rvalue("expected a method argument"));
      skip_ws();
      if (at_end()) fail_unclosed(opener, ')');
      if (peek() == ',') {
        ++pos_;
        skip_ws();
        continue;
      }
      if (peek() == ')') {
        ++pos_;
        return call;
      }
      fail(pos_, "expected ',' or " + closing(opener, ')') + ", found " + describe(pos_));
    }
  }

  // string / number / selector / array / method call / regexp
  AstRValue parse_rvalue(const std::string& expected) {
    Nesting nest(*this, pos_);
    size_t start = pos_;
    if (at_end()) fail(start, expected + ", found end of file");
    char c = peek();
    AstRValue r;
    r.loc = loc_at(start);
    if (is_quote(c)) {
      r.kind = AstRValue::Kind::String;
      r.text = string_value(scan_string());
      return r;
    }
    if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
      NumberLiteral n = scan_number();
      r.kind = n.is_float ? AstRValue::Kind::Float : AstRValue::Kind::Integer;
      r.text = std::move(n.text);
      r.integer = n.integer;
      r.number = n.number;
      return r;
    }
    if (c == '[') {
      // `[a]` is a selector, `[a, b]` and `[]` are arrays (Logstash tries the selector first).
      if (selector_element_end(start) != std::string_view::npos) return parse_selector();
      return array_element_to_rvalue(parse_array());
    }
    if (c == '/') {
      r.kind = AstRValue::Kind::Regex;
      r.text = scan_regex();
      return r;
    }
    if (is_word_start(c)) {
      size_t end = start;
      while (end < text_.size() && is_word_char(text_[end])) ++end;
      std::string word(text_.substr(start, end - start));
      if (word.size() >= 2) {
        pos_ = end;
        skip_ws();
        if (peek() == '(') return parse_method_call(start, word);
        pos_ = start;
      }
      std::string hint = word == "true" || word == "false"
                             ? " (conditions have no boolean literals; compare with a string)"
                             : " (a field reference is written in brackets: [" + word + "])";
      fail(start, expected + ", found '" + word + "'" + hint);
    }
    fail_in_condition(start, expected);
  }

  const SourceFile& file_;
  std::string_view text_;
  ParseOptions opts_;
  std::vector<size_t> line_starts_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// Parses one file into `out`; on failure records its error and returns false.
bool parse_into(const SourceFile& file, const ParseOptions& opts, AstConfig& out,
                std::vector<ConfigError>& errors) {
  try {
    AstConfig one = Parser(file, opts).parse();
    for (AstSection& s : one.sections) out.sections.push_back(std::move(s));
    return true;
  } catch (const ParseFailure& f) {
    errors.push_back(ConfigError{f.loc, f.message});
    return false;
  }
}

}  // namespace

AstConfig parse_config(const SourceFile& file, const ParseOptions& opts) {
  AstConfig out;
  std::vector<ConfigError> errors;
  if (!parse_into(file, opts, out, errors)) throw ConfigException(std::move(errors), {file});
  return out;
}

AstConfig parse_configs(const std::vector<SourceFile>& files, const ParseOptions& opts) {
  AstConfig out;
  std::vector<ConfigError> errors;
  for (const SourceFile& file : files) parse_into(file, opts, out, errors);
  if (!errors.empty()) throw ConfigException(std::move(errors), files);
  return out;
}

}  // namespace logpipe::config
