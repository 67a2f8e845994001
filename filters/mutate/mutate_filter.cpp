#include "filters/mutate/mutate_filter.h"

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/ruby_regex.h"
#include "engine/event/sprintf.h"
#include "engine/config/field_option.h"
#include "filters/mutate/convert.h"
#include "filters/mutate/ruby_case.h"
#include "filters/mutate/ruby_gsub.h"
#include "filters/mutate/ruby_string.h"

namespace logpipe {

namespace {

struct MutateOptions {
  Object coerce, rename, update, replace, convert;
  Array gsub;
  std::vector<std::string> uppercase, capitalize, lowercase, strip;
  Object split, join, merge, copy;
  std::string tag_on_failure;
};

const OptionSchema<MutateOptions>& mutate_schema() {
  static const OptionSchema<MutateOptions> schema = [] {
    using O = MutateOptions;
    OptionSchema<O> s;
    s.hash("coerce", &O::coerce, "Field => value to set when the field exists but is null.");
    s.hash("rename", &O::rename, "Old name => new name; a missing field is left alone.");
    s.hash("update", &O::update,
           "Field => new value (%{field} allowed), only if the field exists.");
    s.hash("replace", &O::replace, "Field => new value (%{field} allowed), set in any case.");
    s.hash("convert", &O::convert,
           "Field => type: integer, integer_eu, float, float_eu, string or boolean; arrays convert "
           "each element.");
    s.array("gsub", &O::gsub,
            "Triples of field, regex, replacement: replaces every match in a string or array of "
            "strings.");
    s.strings("uppercase", &O::uppercase, "Fields to convert to upper case.");
    s.strings("capitalize", &O::capitalize,
              "Fields to capitalize (first letter upper, rest lower).");
    s.strings("lowercase", &O::lowercase, "Fields to convert to lower case.");
    s.strings("strip", &O::strip, "Fields to strip of leading and trailing whitespace.");
    s.hash("split", &O::split, "Field => separator: splits a string into an array.");
    s.hash("join", &O::join, "Field => separator: joins an array into a string.");
    s.hash("merge", &O::merge, "Destination => source: merges arrays, strings or hashes.");
    s.hash("copy", &O::copy, "Source => destination: copies a field, replacing the destination.");
    s.string("tag_on_failure", &O::tag_on_failure, "Tag added when an operation fails.")
        .fallback("_mutate_error");
    return s;
  }();
  return schema;
}

// A field name that may contain %{...}, formatted per event (rename).
class FieldName {
 public:
  FieldName(const std::string& option, const std::string& text) {
    if (text.find("%{") != std::string::npos)
      template_ = SprintfTemplate(text);
    else
      ref_ = field_option(option, text);
  }
  // nullptr when the formatted name is not a valid field reference.
  const FieldRef* resolve(const Event& e, std::optional<FieldRef>& scratch) const {
    if (!template_) return &ref_;
    scratch = FieldRef::parse(template_->format(e));
    return scratch ? &*scratch : nullptr;
  }

 private:
  FieldRef ref_;
  std::optional<SprintfTemplate> template_;
};

Value format_value(const SprintfTemplate& t, const Event& e) {
  return t.constant() ? Value(t.text()) : Value(t.format(e));
}

class MutateFilter : public Filter {
 public:
  explicit MutateFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  struct FieldValue {
    FieldRef field;
    SprintfTemplate value;
  };
  struct Rename {
    FieldName from, to;
  };
  struct Conversion {
    FieldRef field;
    ConvertType type;
  };
  struct Gsub {
    FieldRef field;
    std::string pattern_text;
    std::unique_ptr<re2::RE2> regex;                // fixed pattern
    std::optional<SprintfTemplate> pattern_template;  // pattern with %{...}
    std::string cached_pattern;                      // last formatted pattern
    std::unique_ptr<re2::RE2> cached_regex;
    SprintfTemplate replacement_template;
    GsubReplacement replacement;  // parsed once when both parts are fixed
  };
  struct Separator {
    FieldRef field;
    std::string separator;
  };
  struct Merge {
    FieldRef dest;
    std::vector<FieldRef> sources;
  };
  struct Copy {
    FieldRef from, to;
  };

  static std::vector<FieldValue> field_values(const Object& given, const std::string& option);
  static std::vector<FieldRef> fields(const std::vector<std::string>& given,
                                      const std::string& option);
  static std::vector<Separator> separators(const Object& given, const std::string& option);

  // Each returns false when the operation fails on e, with failure_ set.
  bool coerce(Event& e) const;
  bool rename(Event& e);
  bool update(Event& e) const;
  bool replace(Event& e);
  bool convert(Event& e);
  bool gsub(Event& e);
  bool gsub_string(std::string& s, Gsub& g, const Event& e);
  void recase(Event& e, const std::vector<FieldRef>& which, CaseOp op);
  bool strip(Event& e);
  void split(Event& e) const;
  void join(Event& e) const;
  bool merge(Event& e);
  bool copy(Event& e);
  bool conversion_failed(const Conversion& c, const Value& v) {
    return fail("convert: cannot convert " + c.field.text() + " value '" + v.to_string() + "' to " +
                convert_type_name(c.type));
  }
  bool fail(std::string why) {
    failure_ = std::move(why);
    return false;
  }

  std::vector<FieldValue> coerce_, update_, replace_;
  std::vector<Rename> rename_;
  std::vector<Conversion> convert_;
  std::vector<Gsub> gsub_;
  std::vector<FieldRef> uppercase_, capitalize_, lowercase_, strip_;
  std::vector<Separator> split_, join_;
  std::vector<Merge> merge_;
  std::vector<Copy> copy_;
  std::string tag_on_failure_;

  // Per-worker scratch, reused across events.
  std::string scratch_;
  std::vector<re2::StringPiece> submatches_;
  GsubReplacement dynamic_replacement_;
  std::string failure_;
};

std::vector<MutateFilter::FieldValue> MutateFilter::field_values(const Object& given,
                                                                 const std::string& option) {
  std::vector<FieldValue> out;
  for (auto& [name, value] : given)
    out.push_back({field_option(option, name), SprintfTemplate(value.to_string())});
  return out;
}

std::vector<FieldRef> MutateFilter::fields(const std::vector<std::string>& given,
                                           const std::string& option) {
  std::vector<FieldRef> out;
  for (auto& name : given) out.push_back(field_option(option, name));
  return out;
}

std::vector<MutateFilter::Separator> MutateFilter::separators(const Object& given,
                                                              const std::string& option) {
  std::vector<Separator> out;
  for (auto& [name, value] : given)
    out.push_back({field_option(option, name), value.to_string()});
  return out;
}

MutateFilter::MutateFilter(const PluginArgs& args) : Filter(args) {
  MutateOptions o = mutate_schema().bind(args.settings);
  coerce_ = field_values(o.coerce, "coerce");
  update_ = field_values(o.update, "update");
  replace_ = field_values(o.replace, "replace");
  for (auto& [from, to] : o.rename)
    rename_.push_back({FieldName("rename", from), FieldName("rename", to.to_string())});

  for (auto& [name, type] : o.convert) {
    auto t = type.is_string() ? convert_type_named(type.as_string()) : std::nullopt;
    if (!t)
      throw OptionError("convert", "Invalid conversion type '" + type.to_string() + "' for field '" +
                                       name + "', expected one of 'string,integer,float,boolean,integer_eu,float_eu'");
    convert_.push_back({field_option("convert", name), *t});
  }

  const Array& gsub = o.gsub;
  if (gsub.size() % 3 != 0)
    throw OptionError("gsub", "gsub requires 3 elements per entry (field, pattern, replacement); got " +
                                  std::to_string(gsub.size()) + " elements");
  for (size_t i = 0; i < gsub.size(); i += 3) {
    for (size_t k = i; k < i + 3; ++k)
      if (gsub[k].is_null()) throw OptionError("gsub", "gsub entries must not be null");
    Gsub g;
    g.field = field_option("gsub", gsub[i].to_string());
    g.pattern_text = gsub[i + 1].to_string();
    g.replacement_template = SprintfTemplate(gsub[i + 2].to_string());
    if (g.pattern_text.find("%{") != std::string::npos) {
      g.pattern_template = SprintfTemplate(g.pattern_text);
    } else {
      std::string why;
      g.regex = compile_ruby_regex(g.pattern_text, &why);
      if (!g.regex) throw OptionError("gsub", "invalid regex '" + g.pattern_text + "': " + why);
    }
    if (g.regex && g.replacement_template.constant()) {
      g.replacement.parse(g.replacement_template.text());
      std::string missing;
      if (!g.replacement.bind(*g.regex, &missing))
        throw OptionError("gsub", "replacement '" + g.replacement_template.text() +
                                      "' refers to group <" + missing + ">, which regex '" +
                                      g.pattern_text + "' does not define");
    }
    gsub_.push_back(std::move(g));
  }

  uppercase_ = fields(o.uppercase, "uppercase");
  capitalize_ = fields(o.capitalize, "capitalize");
  lowercase_ = fields(o.lowercase, "lowercase");
  strip_ = fields(o.strip, "strip");
  split_ = separators(o.split, "split");
  join_ = separators(o.join, "join");

  for (auto& [dest, sources] : o.merge) {
    Merge m{field_option("merge", dest), {}};
    if (sources.is_array()) {
      for (auto& src : sources.as_array()) m.sources.push_back(field_option("merge", src.to_string()));
    } else {
      m.sources.push_back(field_option("merge", sources.to_string()));
    }
    merge_.push_back(std::move(m));
  }
  for (auto& [from, to] : o.copy)
    copy_.push_back({field_option("copy", from), field_option("copy", to.to_string())});

  tag_on_failure_ = std::move(o.tag_on_failure);
}

void MutateFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  // Logstash's fixed order; the first failure skips the rest.
  bool ok = coerce(e) && rename(e) && update(e) && replace(e) && convert(e) && gsub(e);
  if (ok) {
    recase(e, uppercase_, CaseOp::Upper);
    recase(e, capitalize_, CaseOp::Capitalize);
    recase(e, lowercase_, CaseOp::Lower);
    ok = strip(e);
  }
  if (ok) {
    split(e);
    join(e);
    ok = merge(e) && copy(e);
  }
  if (ok) {
    filter_matched(e);
    return;
  }
  log_warn("mutate {}: {}; event tagged {}", id(), failure_, tag_on_failure_);
  e.add_tag(tag_on_failure_);
}

bool MutateFilter::coerce(Event& e) const {
  for (auto& c : coerce_) {
    Value* v = e.get(c.field);
    if (v && v->is_null()) *v = format_value(c.value, e);
  }
  return true;
}

bool MutateFilter::rename(Event& e) {
  std::optional<FieldRef> from_scratch, to_scratch;
  for (auto& r : rename_) {
    const FieldRef* from = r.from.resolve(e, from_scratch);
    const FieldRef* to = r.to.resolve(e, to_scratch);
    if (!from || !to) return fail("rename: a name formats to an invalid field reference");
    if (!e.has(*from)) continue;
    if (from->is_top_level() && to->is_top_level()) {
      e.fields().rename(from->path()[0], to->path()[0]);  // keeps the field's position
      continue;
    }
    Value moved = std::move(*e.get(*from));
    e.remove(*from);
    if (!e.set(*to, std::move(moved))) return fail("rename: cannot set " + to->text());
  }
  return true;
}

bool MutateFilter::update(Event& e) const {
  for (auto& u : update_) {
    if (Value* v = e.get(u.field)) *v = format_value(u.value, e);
  }
  return true;
}

bool MutateFilter::replace(Event& e) {
  for (auto& r : replace_)
    if (!e.set(r.field, format_value(r.value, e))) return fail("replace: cannot set " + r.field.text());
  return true;
}

bool MutateFilter::convert(Event& e) {
  for (auto& c : convert_) {
    Value* v = e.get(c.field);
    if (!v || v->is_null() || v->is_object()) continue;
    if (!v->is_array()) {
      if (!convert_value(*v, c.type)) return conversion_failed(c, *v);
      continue;
    }
    // All or nothing, as Logstash maps the array and then sets it.
    Array converted = v->as_array();
    for (auto& elem : converted)
      if (!elem.is_null() && !convert_value(elem, c.type)) return conversion_failed(c, elem);
    v->as_array() = std::move(converted);
  }
  return true;
}

bool MutateFilter::gsub_string(std::string& s, Gsub& g, const Event& e) {
  const re2::RE2* re = g.regex.get();
  if (!re) {
    std::string pattern = g.pattern_template->format(e);
    if (!g.cached_regex || pattern != g.cached_pattern) {
      std::string why;
      g.cached_regex = compile_ruby_regex(pattern, &why);
      g.cached_pattern = std::move(pattern);
      if (!g.cached_regex)  // Ruby raises RegexpError
        return fail("gsub: invalid regex '" + g.cached_pattern + "': " + why);
    }
    re = g.cached_regex.get();
  }
  const GsubReplacement* rep = &g.replacement;
  if (!g.regex || !g.replacement_template.constant()) {
    dynamic_replacement_.parse(g.replacement_template.constant() ? g.replacement_template.text()
                                                                 : g.replacement_template.format(e));
    std::string missing;
    if (!dynamic_replacement_.bind(*re, &missing))
      return fail("gsub: replacement refers to undefined group <" + missing + ">");
    rep = &dynamic_replacement_;
  }
  ruby_gsub(s, *re, *rep, submatches_, scratch_);
  return true;
}

bool MutateFilter::gsub(Event& e) {
  for (auto& g : gsub_) {
    Value* v = e.get(g.field);
    if (!v) continue;
    // Formatting a dynamic pattern or replacement only reads the event, and
    // happens before the string is rewritten, so strings change in place.
    if (v->is_string()) {
      if (!gsub_string(v->as_string(), g, e)) return false;
      continue;
    }
    if (!v->is_array()) continue;
    bool dynamic = !g.regex || !g.replacement_template.constant();
    if (!dynamic) {
      for (auto& elem : v->as_array())
        if (elem.is_string() && !gsub_string(elem.as_string(), g, e)) return false;
      continue;
    }
    // Logstash formats every element's templates against the unchanged event.
    Array rewritten = v->as_array();
    for (auto& elem : rewritten)
      if (elem.is_string() && !gsub_string(elem.as_string(), g, e)) return false;
    v->as_array() = std::move(rewritten);
  }
  return true;
}

void MutateFilter::recase(Event& e, const std::vector<FieldRef>& which, CaseOp op) {
  for (auto& f : which) {
    Value* v = e.get(f);
    if (!v) continue;
    if (v->is_string()) {
      recase_string(v->as_string(), op, scratch_);
    } else if (v->is_array()) {
      for (auto& elem : v->as_array())
        if (elem.is_string()) recase_string(elem.as_string(), op, scratch_);
    }
  }
}

bool MutateFilter::strip(Event& e) {
  for (auto& f : strip_) {
    Value* v = e.get(f);
    if (!v) continue;
    if (v->is_string()) {
      strip_in_place(v->as_string());
    } else if (v->is_array()) {
      // Ruby calls strip on every element: anything but a string raises.
      for (auto& elem : v->as_array())
        if (!elem.is_string()) return fail("strip: " + f.text() + " holds a non-string element");
      for (auto& elem : v->as_array()) strip_in_place(elem.as_string());
    }
  }
  return true;
}

void MutateFilter::split(Event& e) const {
  for (auto& s : split_) {
    Value* v = e.get(s.field);
    if (v && v->is_string()) *v = Value(ruby_split(v->as_string(), s.separator));
  }
}

void MutateFilter::join(Event& e) const {
  for (auto& j : join_) {
    Value* v = e.get(j.field);
    if (!v || !v->is_array()) continue;
    std::string joined;
    ruby_join(v->as_array(), j.separator, joined);
    *v = Value(std::move(joined));
  }
}

// Ruby's Array(x): nil -> [], array -> itself, anything else -> [x].
void append_as_array(Array& out, const Value* v) {
  if (!v || v->is_null()) return;
  if (v->is_array())
    out.insert(out.end(), v->as_array().begin(), v->as_array().end());
  else
    out.push_back(*v);
}

bool MutateFilter::merge(Event& e) {
  for (auto& m : merge_) {
    for (auto& source : m.sources) {
      Value* dest = e.get(m.dest);
      const Value* added = e.get(source);
      bool dest_hash = dest && dest->is_object();
      bool added_hash = added && added->is_object();
      if (dest_hash != added_hash) {  // Logstash logs this and goes on
        log_debug("mutate {}: cannot merge {} into {}: one is a hash, the other not", id(),
                  source.text(), m.dest.text());
        continue;
      }
      if (dest_hash) {
        Object copy = added->as_object();  // the source may live inside dest
        for (auto& [k, v] : copy) dest->as_object().set(k, std::move(v));
        continue;
      }
      Array addition;
      append_as_array(addition, added);
      if (dest && dest->is_array()) {
        auto& a = dest->as_array();
        a.insert(a.end(), std::make_move_iterator(addition.begin()), std::make_move_iterator(addition.end()));
        continue;
      }
      Array merged;
      if (dest && !dest->is_null()) merged.push_back(std::move(*dest));
      merged.insert(merged.end(), std::make_move_iterator(addition.begin()), std::make_move_iterator(addition.end()));
      if (!e.set(m.dest, Value(std::move(merged)))) return fail("merge: cannot set " + m.dest.text());
    }
  }
  return true;
}

bool MutateFilter::copy(Event& e) {
  for (auto& c : copy_) {
    const Value* v = e.get(c.from);
    if (!v || v->is_null()) continue;
    if (!e.set(c.to, Value(*v))) return fail("copy: cannot set " + c.to.text());
  }
  return true;
}

}  // namespace

PluginInfo mutate_filter_info() {
  PluginInfo info;
  info.name = "mutate";
  info.kind = PluginKind::Filter;
  info.description =
      "Renames, replaces, converts and rewrites fields; operations run in a fixed order "
      "(coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, "
      "strip, split, join, merge, copy).";
  info.options = mutate_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<MutateFilter>(args);
  };
  return info;
}

}  // namespace logpipe
