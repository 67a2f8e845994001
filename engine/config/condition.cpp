#include "engine/config/condition.h"

#include <re2/re2.h>

#include "engine/text/ruby_regex.h"

namespace logpipe {

const Value* Operand::resolve(const Event& e) const {
  return kind == Kind::Field ? e.get(field) : &constant;
}

Condition::Condition(Op op, std::vector<std::unique_ptr<Condition>> children)
    : op_(op), children_(std::move(children)) {}

Condition::Condition(Op op, std::vector<Operand> operands)
    : op_(op), operands_(std::move(operands)) {}

std::shared_ptr<const re2::RE2> Condition::compile_regex(const std::string& pattern,
                                                         std::string* error) {
  std::string why;
  std::shared_ptr<const re2::RE2> re = compile_ruby_regex(pattern, &why);
  if (!re && error) *error = why;
  return re;
}

namespace {

// Orders two values when they are comparable: numbers with numbers, strings
// with strings, timestamps with timestamps. Returns false otherwise.
bool order(const Value& a, const Value& b, int* cmp) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int())
      *cmp = a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
    else
      *cmp = a.as_number() < b.as_number() ? -1 : a.as_number() > b.as_number();
    return true;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    *cmp = c < 0 ? -1 : c > 0;
    return true;
  }
  if (a.is_timestamp() && b.is_timestamp()) {
    *cmp = a.as_timestamp() < b.as_timestamp() ? -1 : b.as_timestamp() < a.as_timestamp();
    return true;
  }
  return false;
}

bool contains_substring(const Value& haystack, const Value& needle) {
  return haystack.is_string() && needle.is_string() &&
         haystack.as_string().find(needle.as_string()) != std::string::npos;
}

bool array_contains(const Value& arr, const Value& x) {
  if (!arr.is_array()) return false;
  for (auto& e : arr.as_array())
    if (e == x) return true;
  return false;
}

}  // namespace

bool Condition::compare(const Value* a, const Value* b) const {
  if (op_ == Op::Eq || op_ == Op::Ne) {
    bool eq;
    if (!a || !b)
      eq = (!a || a->is_null()) && (!b || b->is_null());
    else
      eq = *a == *b;
    return op_ == Op::Eq ? eq : !eq;
  }
  int cmp;
  if (!a || !b || !order(*a, *b, &cmp)) return false;
  switch (op_) {
    case Op::Lt: return cmp < 0;
    case Op::Gt: return cmp > 0;
    case Op::Le: return cmp <= 0;
    case Op::Ge: return cmp >= 0;
    default: return false;
  }
}

bool Condition::in(const Operand& l, const Operand& r, const Event& e) const {
  const Value* lv = l.resolve(e);
  const Value* rv = r.resolve(e);
  if (!lv || !rv) return false;
  if (l.kind == Operand::Kind::Field && r.kind == Operand::Kind::Field) {
    if (lv->is_array() || lv->is_object()) return false;
    if (lv->is_string() && rv->is_string()) return contains_substring(*rv, *lv);
    if (rv->is_array()) return array_contains(*rv, *lv);
    return *lv == *rv;
  }
  if (l.kind == Operand::Kind::Field) {
    // field in "constant" (substring) or field in [list] (string forms equal).
    if (r.list_literal || rv->is_array()) {
      if (lv->is_null()) return false;
      std::string ls = lv->to_string();
      for (auto& x : rv->as_array())
        if (x.to_string() == ls) return true;
      return false;
    }
    return contains_substring(*rv, *lv);
  }
  if (r.kind == Operand::Kind::Field) {
    // "constant" in field: substring of a string field or element of an array.
    if (lv->is_string()) return contains_substring(*rv, *lv) || array_contains(*rv, *lv);
    return array_contains(*rv, *lv);
  }
  // Constant in constant.
  if (rv->is_array()) return array_contains(*rv, *lv);
  return contains_substring(*rv, *lv);
}

bool Condition::eval(const Event& e) const {
  switch (op_) {
    case Op::And: return children_[0]->eval(e) && children_[1]->eval(e);
    case Op::Or: return children_[0]->eval(e) || children_[1]->eval(e);
    case Op::Xor: return children_[0]->eval(e) != children_[1]->eval(e);
    case Op::Nand: return !(children_[0]->eval(e) && children_[1]->eval(e));
    case Op::Not: return !children_[0]->eval(e);
    case Op::Truthy: {
      const Operand& o = operands_[0];
      // [@metadata] itself is a hash that always exists: truthy, as in Logstash.
      if (o.kind == Operand::Kind::Field && o.field.metadata() && o.field.path().empty()) return true;
      const Value* v = o.resolve(e);
      return v && v->truthy();
    }
    case Op::Match:
    case Op::NotMatch: {
      const Value* v = operands_[0].resolve(e);
      bool m = v && v->is_string() && re2::RE2::PartialMatch(v->as_string(), *operands_[1].re);
      return op_ == Op::Match ? m : !m;
    }
    case Op::In: return in(operands_[0], operands_[1], e);
    case Op::NotIn: return !in(operands_[0], operands_[1], e);
    default:
      return compare(operands_[0].resolve(e), operands_[1].resolve(e));
  }
}

}  // namespace logpipe
