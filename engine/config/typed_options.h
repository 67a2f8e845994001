// Typed options: a plugin's options, each declared once and bound to a field
// of the plugin's own options struct.
//
//   struct TcpOptions {
//     std::string host;
//     int port = 0;
//     std::optional<Duration> idle;
//   };
//
//   const OptionSchema<TcpOptions>& tcp_schema() {
//     static const OptionSchema<TcpOptions> schema = [] {
//       OptionSchema<TcpOptions> s;
//       s.string("host", &TcpOptions::host, "Address to listen on.").fallback("127.0.0.1");
//       s.integer("port", &TcpOptions::port, "Port to listen on.").required().range(0, 65535);
//       s.duration("idle", &TcpOptions::idle, 1, "Close idle connections after this long.");
//       return s;
//     }();
//     return schema;
//   }
//
//   info.options = tcp_schema().specs();                        // validation and docs
//   TcpOptions o = tcp_schema().bind(args.settings);             // in the constructor
//
// The name, type, default, range and help of an option exist only in its
// declaration: the compiler validates a config against specs() (with the
// position of each bad value), the option reference is generated from them,
// and bind() fills the struct from the checked Settings. A member whose
// option has no default and is not required must be able to say "not given":
// a std::optional, or a container (empty when not given). Declaring any other
// is a programming error, reported when the schema is first used.
//
// Thread-safety: a schema is built once (a function-local static) and only
// read afterwards; bind() may run on any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/config/options.h"

namespace logpipe {

// A length of time, as Logstash's friendly durations give it ("250ms",
// "15 sec", "1 hour"; a bare number is in the option's own unit).
struct Duration {
  double seconds = 0;
  int64_t milliseconds() const { return static_cast<int64_t>(seconds * 1000 + 0.5); }
  bool operator==(const Duration& o) const { return seconds == o.seconds; }
};

// A size in bytes, as Logstash's bytes options give it: a whole number of
// bytes or a number with a unit ("10 KiB" = 10240, "10kb" = 10000, "2MiB").
struct Bytes {
  uint64_t count = 0;
  bool operator==(const Bytes& o) const { return count == o.count; }
};

// A secret (password, API key, passphrase). It has no conversion to text and
// no formatter, so it cannot reach a log line by mistake; reveal() is for the
// one place that sends it.
class Password {
 public:
  Password() = default;
  explicit Password(std::string secret) : secret_(std::move(secret)) {}
  const std::string& reveal() const { return secret_; }
  bool empty() const { return secret_.empty(); }

 private:
  std::string secret_;
};

// The checked value of an option converted to a member's type. Values reach
// these after the compiler's coercion, so they fail only for what the
// compiler does not check (an integer too large for the member's type).
namespace option_value {
std::string to_string(const Value& v);
int64_t to_integer(const OptionSpec& spec, const Value& v, int64_t lo, int64_t hi);
double to_number(const Value& v);
bool to_bool(const Value& v);
std::vector<std::string> to_strings(const Value& v);
Array to_array(const Value& v);
Object to_hash(const Value& v);
Duration to_duration(const OptionSpec& spec, const Value& v);
Bytes to_bytes(const OptionSpec& spec, const Value& v);
// Checks that a declared default is a value of the option's type (a
// programming error otherwise: std::logic_error naming the option).
void check_default(const OptionSpec& spec);
}  // namespace option_value

// One declared option, refined after its declaration.
class OptionDecl {
 public:
  explicit OptionDecl(OptionSpec& spec) : spec_(spec) {}
  OptionDecl& fallback(Value v);  // the default, in Logstash's form ("30s", 1, [])
  OptionDecl& required();
  OptionDecl& one_of(std::vector<std::string> allowed);  // an enumeration of strings
  OptionDecl& range(double lo, double hi);
  OptionDecl& at_least(double lo);
  OptionDecl& no_effect();  // accepted for compatibility, does nothing here
  const OptionSpec& spec() const { return spec_; }

 private:
  template <class>
  friend class OptionSchema;
  OptionSpec& spec_;
};

template <class T>
class OptionSchema {
 public:
  template <class M>
  using Member = M T::*;

  OptionDecl string(std::string name, Member<std::string> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::String, m, std::move(help), &option_value::to_string);
  }
  OptionDecl string(std::string name, Member<std::optional<std::string>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::String, m, std::move(help), &option_value::to_string);
  }
  OptionDecl path(std::string name, Member<std::string> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::Path, m, std::move(help), &option_value::to_string);
  }
  OptionDecl path(std::string name, Member<std::optional<std::string>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::Path, m, std::move(help), &option_value::to_string);
  }
  OptionDecl password(std::string name, Member<Password> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::Password, m, std::move(help), &secret);
  }
  OptionDecl password(std::string name, Member<std::optional<Password>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::Password, m, std::move(help), &secret);
  }
  OptionDecl number(std::string name, Member<double> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::Number, m, std::move(help), &option_value::to_number);
  }
  OptionDecl number(std::string name, Member<std::optional<double>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::Number, m, std::move(help), &option_value::to_number);
  }
  OptionDecl boolean(std::string name, Member<bool> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::Boolean, m, std::move(help), &option_value::to_bool);
  }
  OptionDecl boolean(std::string name, Member<std::optional<bool>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::Boolean, m, std::move(help), &option_value::to_bool);
  }
  // A whole number (a config value 2.0 is 2; 2.5 is refused).
  template <class I, class = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  OptionDecl integer(std::string name, Member<I> m, std::string help) {
    OptionDecl d = add(std::move(name), OptionType::Number, std::move(help), true, false);
    last().apply = [m](const OptionSpec& s, const Value& v, T& out) { out.*m = whole<I>(s, v); };
    return mark_whole(d);
  }
  template <class I, class = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  OptionDecl integer(std::string name, Member<std::optional<I>> m, std::string help) {
    OptionDecl d = add(std::move(name), OptionType::Number, std::move(help), false, true);
    last().apply = [m](const OptionSpec& s, const Value& v, T& out) { out.*m = whole<I>(s, v); };
    return mark_whole(d);
  }
  OptionDecl strings(std::string name, Member<std::vector<std::string>> m, std::string help) {
    return bind_container(std::move(name), OptionType::Array, m, std::move(help), &option_value::to_strings);
  }
  OptionDecl array(std::string name, Member<Array> m, std::string help) {
    return bind_container(std::move(name), OptionType::Array, m, std::move(help), &option_value::to_array);
  }
  OptionDecl hash(std::string name, Member<Object> m, std::string help) {
    return bind_container(std::move(name), OptionType::Hash, m, std::move(help), &option_value::to_hash);
  }
  // A friendly duration; a bare number counts bare_unit seconds (1 for
  // seconds, 0.001 for milliseconds, 86400 for days).
  OptionDecl duration(std::string name, Member<Duration> m, double bare_unit, std::string help) {
    OptionDecl d = add(std::move(name), OptionType::Duration, std::move(help), true, false);
    set_unit(d, bare_unit);
    last().apply = [m](const OptionSpec& s, const Value& v, T& out) {
      out.*m = option_value::to_duration(s, v);
    };
    return d;
  }
  OptionDecl duration(std::string name, Member<std::optional<Duration>> m, double bare_unit,
                      std::string help) {
    OptionDecl d = add(std::move(name), OptionType::Duration, std::move(help), false, true);
    set_unit(d, bare_unit);
    last().apply = [m](const OptionSpec& s, const Value& v, T& out) {
      out.*m = option_value::to_duration(s, v);
    };
    return d;
  }
  OptionDecl bytes(std::string name, Member<Bytes> m, std::string help) {
    OptionDecl d = add(std::move(name), OptionType::Bytes, std::move(help), true, false);
    last().apply = [m](const OptionSpec& s, const Value& v, T& out) {
      out.*m = option_value::to_bytes(s, v);
    };
    return d;
  }
  // An enumeration bound to a C++ enum: each accepted string and its value.
  template <class E>
  OptionDecl enumeration(std::string name, Member<E> m,
                         std::initializer_list<std::pair<const char*, E>> names, std::string help) {
    OptionDecl d = add(std::move(name), OptionType::String, std::move(help), true, false);
    std::vector<std::pair<std::string, E>> table(names.begin(), names.end());
    std::vector<std::string> allowed;
    for (auto& [text, value] : table) allowed.push_back(text);
    d.one_of(std::move(allowed));
    last().apply = [m, table](const OptionSpec&, const Value& v, T& out) {
      std::string text = option_value::to_string(v);
      for (auto& [t, value] : table)
        if (t == text) out.*m = value;
    };
    return d;
  }
  // Any value, unchecked: the plugin checks it.
  OptionDecl any(std::string name, Member<Value> m, std::string help) {
    return bind_scalar(std::move(name), OptionType::Any, m, std::move(help), &same);
  }
  OptionDecl any(std::string name, Member<std::optional<Value>> m, std::string help) {
    return bind_optional(std::move(name), OptionType::Any, m, std::move(help), &same);
  }
  // Declared so that configs written for Logstash are accepted, but bound to
  // nothing: the option has no effect here (say so in its help).
  OptionDecl accepted(std::string name, OptionType type, std::string help) {
    return add(std::move(name), type, std::move(help), false, true);
  }
  // The codec option of an input or output: its choice reaches the plugin as
  // Settings::codec(), not as a member.
  OptionDecl codec(std::string help) { return add("codec", OptionType::Codec, std::move(help), false, true); }

  // Every option of another schema (shared options of several plugins), bound
  // through the member of T that holds that schema's struct.
  template <class U>
  void include(const OptionSchema<U>& other, Member<U> part) {
    for (const auto& e : other.entries_) {
      entries_.push_back({e.spec, nullptr, e.needs_value, e.can_be_absent});
      if (e.apply) {
        auto apply = e.apply;
        entries_.back().apply = [apply, part](const OptionSpec& s, const Value& v, T& out) {
          apply(s, v, out.*part);
        };
      }
    }
  }

  // The declarations, for validation and docs. Checks the schema itself.
  OptionSpecs specs() const {
    OptionSpecs out;
    for (const Entry& e : entries_) {
      check(e);
      out.push_back(e.spec);
    }
    return out;
  }

  // The options' values from checked Settings. The compiler has applied the
  // defaults; Settings made elsewhere (a codec built by an input, tests) get
  // the declared default of an option they lack here.
  T bind(const Settings& settings) const {
    T out{};
    for (const Entry& e : entries_) {
      if (!e.apply) continue;
      const Value* v = settings.get(e.spec.name);
      if ((!v || v->is_null()) && e.spec.default_value) v = &*e.spec.default_value;
      if (!v || v->is_null()) {
        check(e);
        continue;
      }
      e.apply(e.spec, *v, out);
    }
    return out;
  }

 private:
  template <class>
  friend class OptionSchema;
  using Apply = std::function<void(const OptionSpec&, const Value&, T&)>;
  struct Entry {
    OptionSpec spec;
    Apply apply;
    bool needs_value = false;    // a plain scalar member: default or required
    bool can_be_absent = false;  // optional or container member
  };

  static Password secret(const Value& v) { return Password(option_value::to_string(v)); }
  static Value same(const Value& v) { return v; }
  template <class I>
  static I whole(const OptionSpec& s, const Value& v) {
    return static_cast<I>(option_value::to_integer(s, v, std::numeric_limits<I>::min(),
                                                   std::numeric_limits<I>::max()));
  }

  Entry& last() { return entries_.back(); }
  OptionDecl add(std::string name, OptionType type, std::string help, bool needs_value,
                 bool can_be_absent) {
    for (const Entry& e : entries_)
      if (e.spec.name == name) throw std::logic_error("option \"" + name + "\" declared twice");
    Entry e;
    e.spec = option(std::move(name), type, std::move(help));
    e.needs_value = needs_value;
    e.can_be_absent = can_be_absent;
    entries_.push_back(std::move(e));
    return OptionDecl(entries_.back().spec);
  }
  template <class M, class F>
  OptionDecl bind_scalar(std::string name, OptionType type, Member<M> m, std::string help, F convert) {
    OptionDecl d = add(std::move(name), type, std::move(help), true, false);
    last().apply = [m, convert](const OptionSpec&, const Value& v, T& out) { out.*m = convert(v); };
    return d;
  }
  template <class M, class F>
  OptionDecl bind_optional(std::string name, OptionType type, Member<std::optional<M>> m,
                           std::string help, F convert) {
    OptionDecl d = add(std::move(name), type, std::move(help), false, true);
    last().apply = [m, convert](const OptionSpec&, const Value& v, T& out) { out.*m = convert(v); };
    return d;
  }
  template <class M, class F>
  OptionDecl bind_container(std::string name, OptionType type, Member<M> m, std::string help,
                            F convert) {
    OptionDecl d = add(std::move(name), type, std::move(help), false, true);
    last().apply = [m, convert](const OptionSpec&, const Value& v, T& out) { out.*m = convert(v); };
    return d;
  }
  static OptionDecl mark_whole(OptionDecl d);
  static void set_unit(OptionDecl d, double unit);

  static void check(const Entry& e) {
    if (e.needs_value && !e.spec.required && !e.spec.default_value)
      throw std::logic_error("option \"" + e.spec.name +
                             "\" has no default and is not required: bind it to a std::optional");
    option_value::check_default(e.spec);
  }

  std::deque<Entry> entries_;  // a deque: OptionDecl keeps a reference into it
};

template <class T>
OptionDecl OptionSchema<T>::mark_whole(OptionDecl d) {
  d.spec_.whole_number = true;
  return d;
}

template <class T>
void OptionSchema<T>::set_unit(OptionDecl d, double unit) {
  d.spec_.duration_unit = unit;
}

}  // namespace logpipe
