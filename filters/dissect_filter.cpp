#include "filters/dissect_filter.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

size_t find_delimiter(std::string_view text, std::string_view delimiter, size_t from) {
  if (from > text.size()) return std::string_view::npos;
  if (delimiter.size() == 1) {
    const void* hit = std::memchr(text.data() + from, delimiter[0], text.size() - from);
    return hit ? static_cast<size_t>(static_cast<const char*>(hit) - text.data())
               : std::string_view::npos;
  }
  // memchr to each candidate first byte, then a short byte loop: delimiters
  // are a few bytes, so this beats a general substring search.
  const size_t d = delimiter.size();
  if (d == 0) return from;
  if (text.size() < d || from > text.size() - d) return std::string_view::npos;
  const char* base = text.data();
  const char* p = base + from;
  const char* last = base + text.size() - d;  // the last place a match can start
  while (p <= last) {
    p = static_cast<const char*>(std::memchr(p, delimiter[0], static_cast<size_t>(last - p) + 1));
    if (!p) break;
    size_t k = 1;
    while (k < d && p[k] == delimiter[k]) ++k;
    if (k == d) return static_cast<size_t>(p - base);
    ++p;
  }
  return std::string_view::npos;
}

bool starts_with_at(std::string_view text, size_t pos, std::string_view what) {
  return pos <= text.size() && text.size() - pos >= what.size() &&
         std::memcmp(text.data() + pos, what.data(), what.size()) == 0;
}

// Stores a string under a compiled destination. Top-level names skip the
// reference walk, look only at the first search_limit fields (the name
// cannot be among those added since) and reuse an existing string's buffer.
void put_string(Event& e, const FieldRef& ref, bool top_level, std::string_view value,
                size_t search_limit = SIZE_MAX) {
  if (top_level) {
    Object& fields = e.fields();
    const std::string& name = ref.path()[0];
    Value* existing = nullptr;
    auto& entries = fields.entries();
    const size_t limit = std::min(search_limit, entries.size());
    for (size_t i = 0; i < limit; ++i) {
      const std::string& key = entries[i].first;
      if (key.size() == name.size() && !name.empty() && key[0] == name[0] && key == name) {
        existing = &entries[i].second;
        break;
      }
    }
    if (existing) {
      if (existing->is_string())
        existing->as_string().assign(value.data(), value.size());
      else
        *existing = Value(value);
    } else {
      // Built in place: the value's one copy, no temporary Value to move.
      entries.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                           std::forward_as_tuple(value));
    }
    return;
  }
  e.set(ref, Value(value));
}

// A name found in the text (indirect fields): a reference when it has brackets.
void put_dynamic(Event& e, std::string_view name, std::string_view value) {
  if (name.empty()) return;
  if (name.find('[') == std::string_view::npos) {
    e.fields().set(name, Value(value));
    return;
  }
  if (auto ref = FieldRef::parse(name)) e.set(*ref, Value(value));
}

bool parse_int64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 40) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  const char* p = buf;
  if (*p == '+' || *p == '-') ++p;
  if (*p < '0' || *p > '9') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(buf, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty() || s.size() > 400) return false;
  std::string buf(s);
  for (char c : buf)  // plain decimal notation only: no hex, inf or nan
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str() || *end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

}  // namespace

// ---------------------------------------------------------------- Dissection

Dissection::Dissection(std::string_view pattern) : pattern_(pattern) {
  std::string pending;  // delimiter text since the last field
  size_t i = 0;
  auto close_delimiter = [&]() {
    if (fields_.empty())
      leading_ = pending;
    else
      fields_.back().delimiter = pending;
  };
  while (i < pattern.size()) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      size_t close = pattern.find('}', i + 2);
      if (close == std::string_view::npos) {  // no field: literal text
        pending.append(pattern.substr(i));
        break;
      }
      close_delimiter();
      Field f;
      f.preceding = pending;
      pending.clear();
      std::string_view spec = pattern.substr(i + 2, close - i - 2);
      i = close + 1;
      if (spec.size() >= 2 && spec.substr(spec.size() - 2) == "->") {
        f.right_padding = true;
        spec.remove_suffix(2);
      }
      if (!spec.empty() && (spec[0] == '?' || spec[0] == '+' || spec[0] == '&')) {
        f.kind = spec[0] == '?' ? Kind::Skip : spec[0] == '+' ? Kind::Append : Kind::Indirect;
        spec.remove_prefix(1);
      }
      f.order = 0;  // appends without /N keep pattern order, before the numbered ones
      if (f.kind == Kind::Append) {
        size_t slash = spec.rfind('/');
        if (slash != std::string_view::npos) {
          std::string_view digits = spec.substr(slash + 1);
          if (digits.empty() || digits.size() > 6 ||
              !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw std::invalid_argument("dissect field %{+" + std::string(spec) +
                                        "}: the order after / must be digits");
          f.order = std::atoi(std::string(digits).c_str());
          spec = spec.substr(0, slash);
        }
      }
      f.key = std::string(spec);
      if (f.key.empty()) f.kind = Kind::Skip;  // %{}, %{?}, %{->}
      if (f.kind == Kind::Normal || f.kind == Kind::Append) {
        std::string error;
        auto ref = FieldRef::parse(f.key, &error);
        if (!ref) throw std::invalid_argument("dissect field %{" + f.key + "}: " + error);
        f.ref = *ref;
        f.top_level = ref->is_top_level();
      }
      fields_.push_back(std::move(f));
    } else {
      pending.push_back(pattern[i++]);
    }
  }
  close_delimiter();

  // Appends join per key: a plain field of the same key comes first, then
  // the appends sorted by their order (stable: pattern order breaks ties).
  for (size_t k = 0; k < fields_.size(); ++k) {
    if (fields_[k].kind != Kind::Append) continue;
    auto it = std::find_if(appends_.begin(), appends_.end(),
                           [&](const AppendGroup& g) { return fields_[g.target].key == fields_[k].key; });
    if (it == appends_.end()) {
      appends_.push_back(AppendGroup{k, {}, false});
      it = appends_.end() - 1;
    }
    it->parts.push_back(k);
  }
  for (auto& group : appends_) {
    std::stable_sort(group.parts.begin(), group.parts.end(),
                     [&](size_t a, size_t b) { return fields_[a].order < fields_[b].order; });
    for (size_t k = 0; k < fields_.size(); ++k) {
      if (fields_[k].kind == Kind::Normal && fields_[k].key == fields_[group.target].key) {
        group.parts.insert(group.parts.begin(), k);
        group.has_normal = true;
        fields_[k].kind = Kind::Append;  // set once, through the group
        break;
      }
    }
  }
  for (const auto& f : fields_) has_indirect_ = has_indirect_ || f.kind == Kind::Indirect;
  for (size_t k = 0; k < fields_.size(); ++k) {
    Field& f = fields_[k];
    if (has_indirect_ || !f.top_level || (f.kind != Kind::Normal && f.kind != Kind::Append)) continue;
    f.unique_name = true;
    for (size_t j = 0; j < fields_.size(); ++j) {
      const Field& o = fields_[j];
      if (j != k && (o.kind == Kind::Normal || o.kind == Kind::Append) && o.ref.path()[0] == f.ref.path()[0] &&
          !(o.kind == Kind::Append && o.key == f.key))  // the group sets the name once
        f.unique_name = false;
    }
  }
  for (size_t g = 0; g < appends_.size(); ++g) {  // set where the key first appears
    size_t first = *std::min_element(appends_[g].parts.begin(), appends_[g].parts.end());
    fields_[first].group_first = static_cast<int>(g);
  }
  values_.resize(fields_.size());
}

bool Dissection::may_write(std::string_view name) const {
  if (has_indirect_) return true;
  for (const auto& f : fields_)
    if ((f.kind == Kind::Normal || f.kind == Kind::Append) && !f.ref.metadata() && !f.ref.path().empty() &&
        f.ref.path()[0] == name)
      return true;
  return false;
}

bool Dissection::match(std::string_view text) {
  // Logstash fails an empty source and a pattern without fields.
  if (text.empty() || fields_.empty()) return false;
  size_t pos = 0;
  if (!leading_.empty()) {  // anchored: the text must start with it
    if (!starts_with_at(text, 0, leading_)) return false;
    pos = leading_.size();
  }
  const size_t n = fields_.size();
  for (size_t i = 0; i < n; ++i) {
    const Field& f = fields_[i];
    if (f.delimiter.empty()) {
      // The last field takes the rest; two adjacent fields split nothing.
      size_t len = i + 1 == n ? text.size() - pos : 0;
      values_[i] = text.substr(pos, len);
      pos += len;
      continue;
    }
    size_t at = find_delimiter(text, f.delimiter, pos);
    if (at == std::string_view::npos) return false;
    values_[i] = text.substr(pos, at - pos);
    pos = at + f.delimiter.size();
    if (f.right_padding)
      while (starts_with_at(text, pos, f.delimiter)) pos += f.delimiter.size();
  }
  return true;
}

void Dissection::set_append_group(const AppendGroup& group, Event& e) {
  joined_.clear();
  bool first = true;
  const Field& target = fields_[group.target];
  if (!group.has_normal) {
    if (const Value* existing = e.get(target.ref)) {
      if (!existing->is_null()) {
        existing->append_string(joined_);
        first = false;
      }
    }
  }
  for (size_t k : group.parts) {
    if (!first) {
      const std::string& sep = fields_[k].preceding;
      if (sep.empty())
        joined_.push_back(' ');
      else
        joined_.append(sep);
    }
    joined_.append(values_[k].data(), values_[k].size());
    first = false;
  }
  put_string(e, target.ref, target.top_level, joined_, target.unique_name ? existing_fields_ : SIZE_MAX);
}

bool Dissection::apply(std::string_view text, Event& e) {
  if (!match(text)) return false;
  const size_t n = fields_.size();
  e.fields().reserve(e.fields().size() + n);
  existing_fields_ = e.fields().size();
  for (size_t i = 0; i < n; ++i) {
    const Field& f = fields_[i];
    if (f.group_first >= 0) set_append_group(appends_[f.group_first], e);
    if (f.kind == Kind::Normal) {
      put_string(e, f.ref, f.top_level, values_[i], f.unique_name ? existing_fields_ : SIZE_MAX);
    } else if (f.kind == Kind::Indirect) {
      // The name is the value of the last skip or plain field with this key
      // (before this one), else the event's field of that name.
      std::string_view name;
      bool found = false;
      for (size_t k = i; k-- > 0;) {
        if ((fields_[k].kind == Kind::Skip || fields_[k].kind == Kind::Normal) && fields_[k].key == f.key) {
          name = values_[k];
          found = true;
          break;
        }
      }
      std::string from_event;
      if (!found) {
        auto ref = FieldRef::parse(f.key);
        const Value* v = ref ? e.get(*ref) : nullptr;
        if (!v || v->is_null()) continue;
        from_event = v->to_string();
        name = from_event;
      }
      put_dynamic(e, name, values_[i]);
    }
  }
  return true;
}

// ---------------------------------------------------------------- filter

namespace {

struct DissectOptions {
  Object mapping;
  Object convert_datatype;
  std::vector<std::string> tag_on_failure;
};

const OptionSchema<DissectOptions>& dissect_schema() {
  static const OptionSchema<DissectOptions> schema = [] {
    OptionSchema<DissectOptions> s;
    s.hash("mapping", &DissectOptions::mapping, "Source field => dissect pattern.")
        .fallback(Value(Object()));
    s.hash("convert_datatype", &DissectOptions::convert_datatype,
           "Field => int or float: conversions done after all mappings.")
        .fallback(Value(Object()));
    s.strings("tag_on_failure", &DissectOptions::tag_on_failure,
              "Tags added when a pattern does not match.")
        .fallback(Value(Array{Value("_dissectfailure")}));
    return s;
  }();
  return schema;
}

}  // namespace

DissectFilter::DissectFilter(const PluginArgs& args) : Filter(args) {
  DissectOptions o = dissect_schema().bind(args.settings);
  for (const auto& [field, pattern] : o.mapping) {
    if (pattern.is_string() && pattern.as_string().empty()) continue;  // ignored, as Logstash does
    FieldRef source = field_option("mapping", field);
    if (!pattern.is_string())
      throw OptionError("mapping", "the pattern for '" + field + "' must be a string");
    try {
      Dissection dissection(pattern.as_string());
      // The source can be read in place when it is a root field that the
      // pattern never writes: apply() reserves room first, so the root's
      // entries (and the source string in them) do not move.
      bool copy = !source.is_top_level() || dissection.may_write(source.path()[0]);
      mappings_.push_back(Mapping{source, std::move(dissection), copy});
    } catch (const std::invalid_argument& ex) {
      throw OptionError("mapping", ex.what());
    }
  }
  for (const auto& [field, type] : o.convert_datatype) {
    FieldRef ref = field_option("convert_datatype", field);
    std::string t = type.is_string() ? type.as_string() : type.to_string();
    if (t != "int" && t != "float")
      throw OptionError("convert_datatype", "type for '" + field + "' must be int or float, not '" + t + "'");
    conversions_.push_back(Conversion{field, ref, t == "int"});
  }
  tag_on_failure_ = std::move(o.tag_on_failure);
}

void DissectFilter::convert(Event& e, const Conversion& c) {
  const char* type = c.to_int ? "int" : "float";
  Value* v = e.get(c.field);
  if (!v || v->is_null()) {
    e.add_tag("_dataconversionnullvalue_" + c.field_name + "_" + type);
    return;
  }
  bool ok = true;
  if (v->is_int()) {
    if (!c.to_int) *v = Value(static_cast<double>(v->as_int()));
  } else if (v->is_float()) {
    double d = v->as_float();
    if (c.to_int) {
      if (std::isfinite(d) && std::fabs(d) < 9.2e18)
        *v = Value(static_cast<int64_t>(d));
      else
        ok = false;
    }
  } else if (v->is_string()) {
    if (c.to_int) {
      int64_t i;
      if ((ok = parse_int64(v->as_string(), &i))) *v = Value(i);
    } else {
      double d;
      if ((ok = parse_double(v->as_string(), &d))) *v = Value(d);
    }
  } else {
    ok = false;
  }
  if (!ok) e.add_tag("_dataconversionuncoercible_" + c.field_name + "_" + type);
}

void DissectFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  bool failed = false;
  for (auto& m : mappings_) {
    e.fields().reserve(e.fields().size() + m.dissection.field_count());
    const Value* v = e.get(m.source);
    if (!v || !v->is_string()) {
      log_debug("dissect {}: field {} is missing or not a string", id(), m.source.text());
      failed = true;
      continue;
    }
    std::string_view text = v->as_string();
    if (m.copy_source) {
      scratch_.assign(text.data(), text.size());
      text = scratch_;
    }
    if (!m.dissection.apply(text, e)) {
      log_debug("dissect {}: pattern does not match field {}", id(), m.source.text());
      failed = true;
    }
  }
  for (const auto& c : conversions_) convert(e, c);
  if (failed) {
    for (const auto& tag : tag_on_failure_) e.add_tag(tag);
    return;
  }
  filter_matched(e);
}

PluginInfo dissect_filter_info() {
  PluginInfo info;
  info.name = "dissect";
  info.kind = PluginKind::Filter;
  info.description =
      "Splits fields by patterns of literal delimiters (%{a} %{+a} %{?a} %{&a} %{a->}), no regex.";
  info.options = dissect_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<DissectFilter>(args);
  };
  return info;
}

}  // namespace logpipe
