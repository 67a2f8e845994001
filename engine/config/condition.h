// Condition: a compiled `if` expression, evaluated per event.
//
// Built by the config compiler from the AST; holds parsed field references,
// constants and compiled RE2 regexes, so evaluation parses nothing. The rules
// are Logstash's (LOGSTASH_CONFIG_FACTS.md §5): truthiness, Ruby equality after
// converting constants (a string never equals a number), substring and
// membership `in`, unanchored regex search with Ruby's line anchors.
//
// Deliberate difference: Logstash raises an error (stopping the worker) when
// `<`, `>`, `<=`, `>=` compare incompatible types, e.g. a string field with a
// number; logpipe evaluates such a comparison as false and keeps going.
//
// Thread-safe after construction (RE2 objects are shared read-only).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/event/event.h"

namespace re2 {
class RE2;
}

namespace logpipe {

struct Operand {
  enum class Kind { Field, Constant, Regex };
  Kind kind = Kind::Constant;
  FieldRef field;                     // Field
  Value constant;                     // Constant: string, number or array
  std::shared_ptr<const re2::RE2> re;  // Regex (also a constant string on the right of =~)
  bool list_literal = false;          // Constant written as an array literal

  // The operand's value for this event (nullptr for a missing field).
  const Value* resolve(const Event& e) const;
};

class Condition {
 public:
  enum class Op { And, Or, Xor, Nand, Not, Eq, Ne, Lt, Gt, Le, Ge, Match, NotMatch, In, NotIn, Truthy };

  Condition(Op op, std::vector<std::unique_ptr<Condition>> children);
  Condition(Op op, std::vector<Operand> operands);

  bool eval(const Event& e) const;
  Op op() const { return op_; }

  // Compiles a regex with Ruby's defaults (`.` does not match newline, `^`
  // and `$` match at line boundaries). Returns nullptr and fills *error when
  // RE2 refuses the pattern.
  static std::shared_ptr<const re2::RE2> compile_regex(const std::string& pattern,
                                                      std::string* error);

 private:
  bool compare(const Value* a, const Value* b) const;
  bool in(const Operand& l, const Operand& r, const Event& e) const;

  Op op_;
  std::vector<std::unique_ptr<Condition>> children_;
  std::vector<Operand> operands_;
};

}  // namespace logpipe
