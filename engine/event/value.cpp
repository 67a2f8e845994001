#include "engine/event/value.h"

#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/text/civil_time.h"
#include "engine/text/json_writer.h"

namespace logpipe {

Timestamp Timestamp::now() {
  using namespace std::chrono;
  return Timestamp{duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count()};
}

int64_t Timestamp::seconds() const {
  int64_t s = nanos / 1000000000LL;
  if (nanos % 1000000000LL < 0) --s;
  return s;
}

int64_t Timestamp::millis() const {
  int64_t ms = nanos / 1000000LL;
  if (nanos % 1000000LL < 0) --ms;
  return ms;
}

namespace {

inline void put2(char* p, unsigned v) {
  p[0] = char('0' + v / 10);
  p[1] = char('0' + v % 10);
}

}  // namespace

void Timestamp::append_iso8601(std::string& out) const {
  int64_t secs = seconds();
  int64_t frac = nanos % 1000000000LL;
  if (frac < 0) frac += 1000000000LL;
  // Events come in runs of the same second: format "YYYY-MM-DDTHH:MM:SS" once
  // per second per thread.
  thread_local int64_t cached_second = INT64_MIN;
  thread_local char cached[32];
  thread_local size_t cached_len = 0;
  if (secs != cached_second) {
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
      rem += 86400;
      --days;
    }
    const civil::CivilDate date = civil::civil_from_days(days);
    const int64_t y = date.year;
    const unsigned m = static_cast<unsigned>(date.month), d = static_cast<unsigned>(date.day);
    char* p = cached;
    if (y >= 0 && y <= 9999) {
      p[0] = char('0' + y / 1000);
      p[1] = char('0' + y / 100 % 10);
      p[2] = char('0' + y / 10 % 10);
      p[3] = char('0' + y % 10);
      p += 4;
    } else {
      p += std::snprintf(p, 16, "%+07lld", static_cast<long long>(y));
    }
    *p++ = '-';
    put2(p, m);
    p += 2;
    *p++ = '-';
    put2(p, d);
    p += 2;
    *p++ = 'T';
    put2(p, unsigned(rem / 3600));
    p += 2;
    *p++ = ':';
    put2(p, unsigned(rem / 60 % 60));
    p += 2;
    *p++ = ':';
    put2(p, unsigned(rem % 60));
    p += 2;
    cached_len = static_cast<size_t>(p - cached);
    cached_second = secs;
  }
  char buf[16];
  char* p = buf;
  *p++ = '.';
  // Milliseconds always; micro- and nanoseconds only when present.
  int digits = frac % 1000000 == 0 ? 3 : frac % 1000 == 0 ? 6 : 9;
  int64_t scaled = digits == 3 ? frac / 1000000 : digits == 6 ? frac / 1000 : frac;
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = char('0' + scaled % 10);
    scaled /= 10;
  }
  p += digits;
  *p++ = 'Z';
  out.append(cached, cached_len);
  out.append(buf, static_cast<size_t>(p - buf));
}

std::string Timestamp::to_iso8601() const {
  std::string s;
  append_iso8601(s);
  return s;
}

// ---------------------------------------------------------------- Object

namespace {
size_t key_hash(std::string_view key) { return std::hash<std::string_view>()(key); }
}  // namespace

ptrdiff_t Object::index_lookup(std::string_view key) const {
  const std::vector<uint32_t>& slots = *index_;
  size_t mask = slots.size() - 1;
  for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots[i];
    if (slot == 0) return -1;
    if (entries_[slot - 1].first == key) return static_cast<ptrdiff_t>(slot - 1);
  }
}

void Object::index_add(size_t position) {
  std::vector<uint32_t>& slots = *index_;
  if ((entries_.size() + 1) * 2 > slots.size()) return index_build();
  size_t mask = slots.size() - 1;
  size_t i = key_hash(entries_[position].first) & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  slots[i] = static_cast<uint32_t>(position + 1);
}

void Object::index_build() {
  size_t size = 64;
  while (size < entries_.size() * 4) size *= 2;
  if (!index_) index_ = std::make_unique<std::vector<uint32_t>>();
  index_->assign(size, 0);
  size_t mask = size - 1;
  for (size_t p = 0; p < entries_.size(); ++p) {
    size_t i = key_hash(entries_[p].first) & mask;
    while ((*index_)[i] != 0) i = (i + 1) & mask;
    (*index_)[i] = static_cast<uint32_t>(p + 1);
  }
}

Value* Object::find(std::string_view key) {
  if (entries_.size() >= kIndexFrom) {
    if (!index_) index_build();
    ptrdiff_t p = index_lookup(key);
    return p < 0 ? nullptr : &entries_[static_cast<size_t>(p)].second;
  }
  for (auto& e : entries_)
    if (same_key(e.first, key)) return &e.second;
  return nullptr;
}

const Value* Object::find(std::string_view key) const {
  if (index_) {
    ptrdiff_t p = index_lookup(key);
    return p < 0 ? nullptr : &entries_[static_cast<size_t>(p)].second;
  }
  for (auto& e : entries_)
    if (same_key(e.first, key)) return &e.second;
  return nullptr;
}

Value& Object::append(std::string key, Value v) {
  entries_.emplace_back(std::move(key), std::move(v));
  if (index_)
    index_add(entries_.size() - 1);
  else if (entries_.size() >= kIndexFrom)
    index_build();
  return entries_.back().second;
}

Value& Object::operator[](std::string_view key) {
  if (Value* v = find(key)) return *v;
  return append(std::string(key), Value());
}

void Object::set(std::string_view key, Value v) {
  if (Value* old = find(key)) {
    *old = std::move(v);
    return;
  }
  append(std::string(key), std::move(v));
}

bool Object::erase(std::string_view key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      index_.reset();  // positions after it moved
      return true;
    }
  }
  return false;
}

bool Object::rename(std::string_view from, std::string_view to) {
  if (from == to) return find(from) != nullptr;
  index_.reset();
  auto it = entries_.begin();
  for (; it != entries_.end(); ++it)
    if (it->first == from) break;
  if (it == entries_.end()) return false;
  for (auto jt = entries_.begin(); jt != entries_.end(); ++jt) {
    if (jt->first == to) {
      jt->second = std::move(it->second);
      entries_.erase(it);
      return true;
    }
  }
  it->first = std::string(to);
  return true;
}

bool Object::operator==(const Object& o) const {
  if (size() != o.size()) return false;
  for (auto& e : entries_) {
    const Value* v = o.find(e.first);
    if (!v || !(*v == e.second)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- Value

void append_ruby_float(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[64];
  double mag = std::fabs(d);
  // Ruby picks the notation from the decimal exponent alone (fixed for
  // 1e-4 <= |d| < 1e16), whereas to_chars' shortest form would pick "1e+05".
  if (mag != 0 && (mag >= 1e16 || mag < 1e-4)) {
    // Ruby's scientific form: 1.0e+16, 1.0e-05.
    auto r2 = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sc(buf, r2.ptr - buf);
    size_t e = sc.find('e');
    out += sc.substr(0, e);
    if (sc.substr(0, e).find('.') == std::string_view::npos) out += ".0";
    std::string_view ex = sc.substr(e + 1);
    char sign = '+';
    if (!ex.empty() && (ex[0] == '-' || ex[0] == '+')) {
      sign = ex[0];
      ex.remove_prefix(1);
    }
    while (ex.size() > 2 && ex[0] == '0') ex.remove_prefix(1);
    out += 'e';
    out += sign;
    out += ex;
    return;
  }
  // Shortest digits that round-trip, in fixed notation.
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  std::string_view s(buf, res.ptr - buf);
  out += s;
  if (s.find('.') == std::string_view::npos) out += ".0";
}

void Value::append_string(std::string& out) const {
  switch (kind()) {
    case Kind::Null:
      break;
    case Kind::Bool:
      out += as_bool() ? "true" : "false";
      break;
    case Kind::Int: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, as_int());
      out.append(buf, r.ptr - buf);
      break;
    }
    case Kind::Float:
      append_ruby_float(out, as_float());
      break;
    case Kind::String:
      out += as_string();
      break;
    case Kind::Timestamp:
      as_timestamp().append_iso8601(out);
      break;
    case Kind::Array: {
      bool first = true;
      for (auto& v : as_array()) {
        if (!first) out += ',';
        first = false;
        v.append_string(out);
      }
      break;
    }
    case Kind::Object:
      append_json(*this, out);
      break;
  }
}

std::string Value::to_string() const {
  std::string s;
  append_string(s);
  return s;
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::Null:
      return false;
    case Kind::Bool:
      return as_bool();
    case Kind::String:
      return !as_string().empty() && as_string() != "false";
    default:
      return true;
  }
}

bool Value::operator==(const Value& o) const {
  if (is_number() && o.is_number()) {
    if (is_int() && o.is_int()) return as_int() == o.as_int();
    return as_number() == o.as_number();
  }
  if (kind() != o.kind()) return false;
  switch (kind()) {
    case Kind::Null:
      return true;
    case Kind::Bool:
      return as_bool() == o.as_bool();
    case Kind::String:
      return as_string() == o.as_string();
    case Kind::Timestamp:
      return as_timestamp() == o.as_timestamp();
    case Kind::Array:
      return as_array() == o.as_array();
    case Kind::Object:
      return as_object() == o.as_object();
    default:
      return false;
  }
}

}  // namespace logpipe
