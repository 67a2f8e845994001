// Value: the JSON-like tree an event is made of.
//
// A Value is null, a bool, a 64-bit integer, a double, a UTF-8 string (bytes as
// received: invalid UTF-8 is carried and repaired only when written as JSON), a
// Timestamp, an Array or an Object. Objects keep insertion order, which is the
// order fields are written out; lookups are linear because events have few
// fields and a scan of a short vector beats hashing. An object that grows past
// a few dozen keys (kv over 20,000 pairs, a JSON document with as many keys)
// gets a hash index of its keys, so that it is not built in quadratic time.
//
// Values own their data. Not thread-safe: an event belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace logpipe {

// Nanoseconds since the Unix epoch, UTC. Logstash's @timestamp.
struct Timestamp {
  int64_t nanos = 0;
  static Timestamp now();
  static Timestamp from_seconds(int64_t s) { return Timestamp{s * 1000000000LL}; }
  int64_t seconds() const;  // floor division, correct before 1970
  int64_t millis() const;
  // ISO 8601 in UTC with millisecond precision (more digits only when needed):
  // 2026-11-26T04:55:19.123Z — what Logstash writes.
  std::string to_iso8601() const;
  void append_iso8601(std::string& out) const;
  bool operator==(const Timestamp& o) const { return nanos == o.nanos; }
  bool operator<(const Timestamp& o) const { return nanos < o.nanos; }
};

class Value;
using Array = std::vector<Value>;

// key == name, for the scans of an object's keys: most keys a scan passes
// have the length of the one sought but not its first byte ("@version" and
// "clientip"), and are told apart without a call to memcmp.
inline bool same_key(const std::string& key, std::string_view name) {
  return key.size() == name.size() && (name.empty() || (key[0] == name[0] && key == name));
}

class Object {
 public:
  using Entry = std::pair<std::string, Value>;

  Object() = default;
  Object(const Object& o) : entries_(o.entries_) {}
  Object(Object&&) noexcept = default;
  Object& operator=(const Object& o) {
    if (this != &o) {
      entries_ = o.entries_;
      index_.reset();
    }
    return *this;
  }
  Object& operator=(Object&&) noexcept = default;

  Value* find(std::string_view key);
  const Value* find(std::string_view key) const;
  // Returns the value under key, inserting null at the end when missing.
  Value& operator[](std::string_view key);
  void set(std::string_view key, Value v);
  // Adds an entry the caller knows is not there yet (no search).
  Value& append(std::string key, Value v);
  bool erase(std::string_view key);
  // Renames in place (keeps position); replaces an existing `to`.
  bool rename(std::string_view from, std::string_view to);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  void clear() {
    entries_.clear();
    index_.reset();
  }
  void reserve(size_t n) { entries_.reserve(n); }

  // Mutable access to the entries may change keys: it drops the index, which
  // the next non-const lookup of a large object builds again.
  std::vector<Entry>::iterator begin() { return entries().begin(); }
  std::vector<Entry>::iterator end() { return entries().end(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }
  std::vector<Entry>& entries() {
    index_.reset();
    return entries_;
  }
  const std::vector<Entry>& entries() const { return entries_; }

  bool operator==(const Object& o) const;  // order-insensitive
  bool operator!=(const Object& o) const { return !(*this == o); }

 private:
  // Objects this large are indexed (smaller ones are scanned).
  static constexpr size_t kIndexFrom = 32;
  // The position of key (-1: none) through the index, which must exist.
  ptrdiff_t index_lookup(std::string_view key) const;
  void index_add(size_t position);  // grows the table as needed
  void index_build();

  std::vector<Entry> entries_;
  // Open addressing: entry position + 1, 0 for an empty slot; a power of two
  // at least twice the entries. Null: not indexed (small, or dropped).
  std::unique_ptr<std::vector<uint32_t>> index_;
};

class Value {
 public:
  enum class Kind : uint8_t { Null, Bool, Int, Float, String, Timestamp, Array, Object };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(int64_t i) : v_(i) {}
  Value(uint64_t i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Timestamp t) : v_(t) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::Null; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind() == Kind::String; }
  bool is_timestamp() const { return kind() == Kind::Timestamp; }
  bool is_array() const { return kind() == Kind::Array; }
  bool is_object() const { return kind() == Kind::Object; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  double as_number() const { return is_int() ? double(as_int()) : as_float(); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  Timestamp as_timestamp() const { return std::get<Timestamp>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Logstash's string form: strings as is, numbers as Ruby prints them (1, 1.5,
  // 1.0), booleans true/false, null as "", timestamps ISO 8601, arrays joined
  // with "," and objects as JSON. This is what sprintf inserts.
  std::string to_string() const;
  void append_string(std::string& out) const;

  // Logstash truthiness: false for null, false, "" and the string "false".
  bool truthy() const;

  bool operator==(const Value& o) const;  // 1 == 1.0 is true, as in Ruby
  bool operator!=(const Value& o) const { return !(*this == o); }

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Timestamp, Array, Object> v_;
};

// Formats a double the way Ruby's Float#to_s does for ordinary magnitudes:
// shortest round-trip digits, always with a fractional part ("1.0", "0.1").
void append_ruby_float(std::string& out, double d);

}  // namespace logpipe
