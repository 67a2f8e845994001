#include "filters/date_filter.h"

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/civil_time.h"
#include "engine/text/date_names.h"
#include "filters/date/named_date_formats.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

int64_t system_clock_seconds() { return Timestamp::now().seconds(); }

YearContext year_context_at(int64_t utc_seconds, const TimeZoneRules& zone) {
  const int64_t local = utc_seconds + zone.offset_at(utc_seconds);
  const civil::CivilDate d = civil::civil_from_days(civil::floor_div(local, 86400));
  return YearContext{static_cast<int>(d.year), d.month};
}

struct DateOptions {
  std::vector<std::string> match;
  std::optional<std::string> timezone;
  std::optional<std::string> locale;
  std::string target;
  std::vector<std::string> tag_on_failure;
};

const OptionSchema<DateOptions>& date_schema() {
  static const OptionSchema<DateOptions> schema = [] {
    OptionSchema<DateOptions> s;
    s.strings("match", &DateOptions::match,
              "A field name followed by one or more formats, tried in order.")
        .fallback(Value(Array{}));
    s.string("timezone", &DateOptions::timezone,
             "Time zone for dates without one: IANA name, UTC or an offset; %{field} allowed.");
    s.string("locale", &DateOptions::locale,
             "Locale of month and day names (English names are used whatever the value).");
    s.string("target", &DateOptions::target, "Field that receives the parsed date.")
        .fallback("@timestamp");
    s.strings("tag_on_failure", &DateOptions::tag_on_failure, "Tags added when no format matches.")
        .fallback(Value(Array{Value("_dateparsefailure")}));
    return s;
  }();
  return schema;
}

}  // namespace

DateFilter::DateFilter(const PluginArgs& args, Clock clock)
    : Filter(args), clock_(clock ? std::move(clock) : Clock(system_clock_seconds)) {
  DateOptions o = date_schema().bind(args.settings);
  const std::vector<std::string>& match = o.match;
  if (match.size() < 2)
    throw OptionError("match", "match needs a field name followed by at least one format");
  source_ = field_option("match", match[0]);
  target_ = field_option("target", o.target);
  std::string error;

  const std::string zone_text = o.timezone.value_or("");
  if (!zone_text.empty()) {
    auto tmpl = std::make_unique<SprintfTemplate>(zone_text);
    if (tmpl->constant()) {
      auto rules = TimeZoneRules::lookup(zone_text);
      if (!rules) throw OptionError("timezone", "unknown time zone \"" + zone_text + "\"");
      zone_ = *rules;
    } else {
      zone_template_ = std::move(tmpl);
    }
  }
  const std::string locale = o.locale.value_or("");
  if (!date_locale_supported(locale) && args.env.validating)
    log_warn("date filter {}: locale \"{}\" is read with English month and day names", id(),
             locale);

  const YearContext compile_time = year_context_at(clock_(), zone_);
  for (size_t i = 1; i < match.size(); ++i) {
    const std::string& f = match[i];
    Format format{Format::Kind::Joda, std::nullopt};
    if (f == "ISO8601") {
      format.kind = Format::Kind::Iso8601;
    } else if (f == "UNIX") {
      format.kind = Format::Kind::Unix;
    } else if (f == "UNIX_MS") {
      format.kind = Format::Kind::UnixMs;
    } else if (f == "TAI64N") {
      format.kind = Format::Kind::Tai64n;
    } else {
      format.joda = JodaDateParser::compile(f, compile_time.current_year, &error);
      if (!format.joda) throw OptionError("match", error);
      if (!format.joda->has_year()) needs_year_context_ = true;
    }
    formats_.push_back(std::move(format));
  }
  tag_on_failure_ = std::move(o.tag_on_failure);
}

void DateFilter::refresh_year_context() {
  const int64_t now = clock_();
  const int64_t minute = civil::floor_div(now, 60);
  if (minute == year_context_minute_) return;
  year_context_minute_ = minute;
  year_context_ = year_context_at(now, zone_);
}

bool DateFilter::parse_text(std::string_view text, const TimeZoneRules& zone,
                            int64_t* millis) const {
  for (const Format& f : formats_) {
    bool ok = false;
    switch (f.kind) {
      case Format::Kind::Joda:
        ok = f.joda->parse(text, zone, year_context_, millis);
        break;
      case Format::Kind::Iso8601:
        ok = parse_iso8601_date(text, zone, millis);
        break;
      case Format::Kind::Unix:
        ok = parse_epoch_text(text, 1000, millis);
        break;
      case Format::Kind::UnixMs:
        ok = parse_epoch_text(text, 1, millis);
        break;
      case Format::Kind::Tai64n:
        ok = parse_tai64n(text, millis);
        break;
    }
    if (ok) return true;
  }
  return false;
}

bool DateFilter::parse_value(const Value& v, const TimeZoneRules& zone, int64_t* millis) {
  if (v.is_number()) {
    // Numbers go straight to UNIX/UNIX_MS; patterns see their text form.
    for (const Format& f : formats_) {
      if (f.kind != Format::Kind::Unix && f.kind != Format::Kind::UnixMs) {
        scratch_.clear();
        v.append_string(scratch_);
        if (parse_text(scratch_, zone, millis)) return true;
        continue;
      }
      const int64_t scale = f.kind == Format::Kind::Unix ? 1000 : 1;
      if (v.is_int() ? parse_epoch_integer(v.as_int(), scale, millis)
                     : parse_epoch_number(v.as_float(), scale, millis))
        return true;
    }
    return false;
  }
  std::string_view text;
  if (v.is_string()) {
    text = v.as_string();
  } else {
    scratch_.clear();
    v.append_string(scratch_);
    text = scratch_;
  }
  const bool dynamic_zone = zone_template_ != nullptr;
  if (cache_valid_ && text == cache_text_ &&
      (!needs_year_context_ || (cache_year_.current_year == year_context_.current_year &&
                                cache_year_.current_month == year_context_.current_month)) &&
      (!dynamic_zone || cache_zone_name_ == zone_name_)) {
    *millis = cache_millis_;
    return cache_ok_;
  }
  cache_ok_ = parse_text(text, zone, &cache_millis_);
  cache_text_.assign(text.data(), text.size());
  if (dynamic_zone) cache_zone_name_ = zone_name_;
  cache_year_ = year_context_;
  cache_valid_ = true;
  *millis = cache_millis_;
  return cache_ok_;
}

const TimeZoneRules* DateFilter::zone_for(const Event& e) {
  if (!zone_template_) return &zone_;
  zone_name_.clear();
  zone_template_->append(e, zone_name_);
  if (!resolved_zone_ || zone_name_ != resolved_zone_name_) {
    resolved_zone_name_ = zone_name_;
    resolved_zone_ = TimeZoneRules::lookup(zone_name_);
  }
  return resolved_zone_ ? &*resolved_zone_ : nullptr;
}

void DateFilter::filter(Event& e, FilterContext& ctx) {
  const Value* v = e.get(source_);
  if (v == nullptr || v->is_null()) return;
  if (v->is_array()) {
    if (v->as_array().empty()) return;
    v = &v->as_array().front();
    if (v->is_null()) return;
  }
  if (needs_year_context_) refresh_year_context();
  int64_t millis = 0;
  const TimeZoneRules* zone = zone_for(e);
  if (zone != nullptr && parse_value(*v, *zone, &millis)) {
    e.set(target_, Value(Timestamp{millis * civil::kNanosPerMilli}));
    filter_matched(e);
    return;
  }
  for (const auto& tag : tag_on_failure_) e.add_tag(tag);
}

PluginInfo date_filter_info() {
  PluginInfo info;
  info.name = "date";
  info.kind = PluginKind::Filter;
  info.description =
      "Parses a date from a field (Joda-Time patterns, ISO8601, UNIX, UNIX_MS, TAI64N) and "
      "stores it as a timestamp, by default in @timestamp.";
  info.options = date_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<DateFilter>(args);
  };
  return info;
}

}  // namespace logpipe
