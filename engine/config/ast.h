// AST of the Logstash pipeline configuration language, as the parser builds it.
//
// The tree mirrors the text: sections in file order, statements (plugin blocks
// and if/else chains) in body order, attributes in the order written. Nothing
// is merged, looked up or validated here: repeated attributes stay separate
// AstAttributes, barewords stay words, `${VAR}` inside strings stays literal.
// That is the compiler's job (compiler.h). Every node carries the SourceLoc of
// its first character so later stages can point at it in errors.
//
// Plain value types; a tree owns its children (shared_ptr only where the type
// would otherwise contain itself).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/config_error.h"

namespace logpipe::config {

struct AstPlugin;

// A plugin option value: `"text"`, `42`, `1.5`, `true`, `[...]`, `{ k => v }`
// or a plugin block such as `codec => json { charset => "UTF-8" }`.
struct AstValue {
  enum class Kind { String, Integer, Float, Bareword, Array, Hash, Plugin };
  Kind kind = Kind::String;
  SourceLoc loc;
  // String: the value after escape processing (raw text between the quotes
  // unless ParseOptions::support_escapes); Bareword: the word; Integer/Float:
  // the literal as written; Plugin: the plugin name.
  std::string text;
  int64_t integer = 0;                                 // Integer
  double number = 0;                                   // Float, and Integer converted to double
  std::vector<AstValue> elements;                      // Array
  std::vector<std::pair<AstValue, AstValue>> entries;  // Hash: key (String/Integer/Float/Bareword)
  std::shared_ptr<AstPlugin> plugin;                   // Plugin
};

struct AstAttribute {
  std::string name;  // quotes removed when the name was a quoted string
  SourceLoc loc;     // of the name
  AstValue value;
};

struct AstPlugin {
  std::string name;  // quotes removed when the name was a quoted string
  SourceLoc loc;     // of the name
  std::vector<AstAttribute> attributes;
};

// An operand in a condition.
struct AstRValue {
  enum class Kind { String, Integer, Float, Selector, Array, Regex, MethodCall };
  Kind kind = Kind::String;
  SourceLoc loc;
  // String: value after escape processing; Integer/Float: literal text;
  // Selector: as written, e.g. "[a][b]"; Regex: the source between the slashes,
  // untouched (so "\/" stays "\/"); MethodCall: the method name.
  std::string text;
  int64_t integer = 0;
  double number = 0;
  // Array: the elements (a bareword element becomes a String, as Logstash
  // treats it); MethodCall: the arguments.
  std::vector<AstRValue> elements;
};

struct AstExpr {
  enum class Kind { And, Or, Xor, Nand, Not, Compare, Match, NotMatch, In, NotIn, Truthy };
  Kind kind = Kind::Truthy;
  SourceLoc loc;     // first character of the expression (of the left operand for binary ones)
  SourceLoc op_loc;  // the operator: "and", "==", "=~", "in", "not", "!"; for Truthy = loc
  // Compare: "==", "!=", "<", ">", "<=", ">="; also set for the others
  // ("and", "or", "xor", "nand", "!", "=~", "!~", "in", "not in").
  std::string op;
  std::vector<AstExpr> children;    // And/Or/Xor/Nand: 2 (left, right); Not: 1
  std::vector<AstRValue> operands;  // Compare/Match/NotMatch/In/NotIn: 2 (left, right); Truthy: 1
};

struct AstStatement;

// One `if COND { ... }` or `else if COND { ... }`.
struct AstBranch {
  AstExpr condition;
  SourceLoc loc;  // of the `if` keyword, or of `else` for an else-if
  std::vector<AstStatement> body;
};

struct AstIf {
  std::vector<AstBranch> branches;  // the `if`, then every `else if`, in order
  bool has_else = false;
  std::vector<AstStatement> else_body;
  SourceLoc loc;  // of the first `if`
};

struct AstStatement {
  enum class Kind { Plugin, If };
  Kind kind = Kind::Plugin;
  std::shared_ptr<AstPlugin> plugin;  // Plugin
  std::shared_ptr<AstIf> if_;         // If
};

enum class SectionKind { Input, Filter, Output };

struct AstSection {
  SectionKind kind = SectionKind::Filter;
  SourceLoc loc;  // of the section keyword
  std::vector<AstStatement> body;
};

struct AstConfig {
  std::vector<AstSection> sections;  // in text order (file order, then position)
};

}  // namespace logpipe::config
