#include "filters/useragent/useragent_filter.h"

#include <stdexcept>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/config/field_option.h"
#include "filters/shared_by_path.h"
#include "filters/useragent/ua_parser.h"

namespace logpipe {

namespace {

struct UseragentOptions {
  std::string source;
  std::optional<std::string> target;
  std::string regexes;
  std::string prefix;
  int64_t lru_cache_size = 100000;
  std::string ecs_compatibility;
};

const OptionSchema<UseragentOptions>& useragent_schema() {
  static const OptionSchema<UseragentOptions> schema = [] {
    OptionSchema<UseragentOptions> s;
    s.string("source", &UseragentOptions::source, "Field holding the User-Agent text.").required();
    s.string("target", &UseragentOptions::target,
             "Field the results go under; default: the root (legacy) or [user_agent] (ECS).");
    s.path("regexes", &UseragentOptions::regexes, "uap-core regexes.yaml to parse with.")
        .fallback("/usr/share/uap-core/regexes.yaml");
    s.string("prefix", &UseragentOptions::prefix,
             "Text put before each field name (legacy mode only).")
        .fallback("");
    s.integer("lru_cache_size", &UseragentOptions::lru_cache_size,
              "Parse results cached per worker (least recently used go first).")
        .fallback(100000)
        .at_least(0);
    s.string("ecs_compatibility", &UseragentOptions::ecs_compatibility,
             "Field names: disabled (legacy: name, os_name ...) or v1/v8 (ECS: [user_agent][name], "
             "[user_agent][os][name] ...).")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

// Ruby's `s.to_i.to_s == s`: a plain decimal integer.
bool is_integer_text(const std::string& s) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;
  if (s == "-0") return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// Logstash's check_and_adjust_version: after "major.minor.patch" found in the
// text, a '.' and a number up to the next space give a fourth part.
std::string adjusted_version(std::string_view text, const std::string& version) {
  size_t at = text.find(version);
  if (at == std::string_view::npos) return version;
  size_t i = at + version.size();
  if (i >= text.size() || text[i] != '.') return version;
  size_t space = text.find(' ', i + 1);
  if (space == std::string_view::npos) return version;
  std::string part(text.substr(i + 1, space - i - 1));
  return is_integer_text(part) ? version + "." + part : version;
}

}  // namespace

UseragentFilter::UseragentFilter(const PluginArgs& args) : Filter(args), cache_(0) {
  UseragentOptions o = useragent_schema().bind(args.settings);
  bool ecs = o.ecs_compatibility != "disabled";
  source_ = field_option("source", o.source);
  remove_source_ = o.target && *o.target == o.source;
  if (ecs && !o.prefix.empty() && args.env.validating)
    log_warn("useragent {}: prefix is not supported in ECS compatibility mode; remove prefix => \"{}\"",
             id(), o.prefix);

  std::string target = o.target ? *o.target : ecs ? "[user_agent]" : "";
  std::string base;
  if (!target.empty()) {
    FieldRef t = field_option("target", target);
    base = t.metadata() ? "[@metadata]" : "";
    for (auto& p : t.path()) base += "[" + p + "]";
  }
  auto field = [&](Slot slot, const std::string& ref) { refs_[slot] = FieldRef::must(ref); };
  if (ecs) {
    const std::string meta = "[@metadata][filter][user_agent]";
    field(kName, base + "[name]");
    field(kDevice, base + "[device][name]");
    field(kVersion, base + "[version]");
    field(kMajor, meta + "[version][major]");
    field(kMinor, meta + "[version][minor]");
    field(kPatch, meta + "[version][patch]");
    field(kOsFull, base + "[os][full]");
    field(kOsName, base + "[os][name]");
    field(kOsVersion, base + "[os][version]");
    field(kOsMajor, meta + "[os][version][major]");
    field(kOsMinor, meta + "[os][version][minor]");
    field(kOsPatch, meta + "[os][version][patch]");
  } else {
    static const char* const names[kSlotCount] = {
        "name", "device", "major", "minor", "patch", "version", "os_major", "os_minor",
        "os_patch", "os_version", "os_name", "os", "os_full"};
    for (int s = 0; s < kSlotCount; ++s) {
      std::string ref = base + "[" + o.prefix + names[s] + "]";
      std::string error;
      auto parsed = FieldRef::parse(ref, &error);
      // The parse error quotes the reference the prefix made.
      if (!parsed) throw OptionError("prefix", "makes an " + error);
      refs_[s] = *parsed;
    }
  }

  try {
    parser_ = shared_by_path<UaParser>(o.regexes, [](const std::string& path) {
      return std::shared_ptr<const UaParser>(UaParser::from_file(path));
    });
  } catch (const std::runtime_error& e) {
    throw OptionError("regexes", e.what());
  }
  cache_ = LruCache<Fields>(static_cast<size_t>(o.lru_cache_size));
}

UseragentFilter::~UseragentFilter() = default;

UseragentFilter::Fields UseragentFilter::resolve(std::string_view text) const {
  UaParsed p = parser_->parse(text);
  Fields out;
  out.reserve(kSlotCount);
  auto put = [&](Slot s, std::string v) {
    if (refs_[s]) out.emplace_back(s, std::move(v));
  };
  const UaVersion& ua = p.ua;
  put(kName, ua.family);
  put(kDevice, p.device.family);
  if (ua.major) put(kMajor, *ua.major);
  if (ua.minor) put(kMinor, *ua.minor);
  if (ua.patch) put(kPatch, *ua.patch);
  if (ua.major) {
    std::string version = *ua.major;
    if (ua.minor) {
      version += "." + *ua.minor;
      if (ua.patch) {
        version += "." + *ua.patch;
        version = ua.patch_minor ? version + "." + *ua.patch_minor : adjusted_version(text, version);
      }
    }
    put(kVersion, version);
  }
  const UaVersion& os = p.os;
  if (os.major) put(kOsMajor, *os.major);
  if (os.minor) put(kOsMinor, *os.minor);
  if (os.patch) put(kOsPatch, *os.patch);
  std::optional<std::string> os_version;
  if (os.major) {
    os_version = *os.major;
    if (os.minor) {
      *os_version += (is_integer_text(*os.major) ? "." : " ") + *os.minor;
      if (os.patch) {
        *os_version += "." + *os.patch;
        if (os.patch_minor) *os_version += "." + *os.patch_minor;
      }
    }
    put(kOsVersion, *os_version);
  }
  put(kOsName, os.family);
  put(kLegacyOs, os.family);
  put(kOsFull, os_version ? os.family + " " + *os_version : os.family);
  return out;
}

const UseragentFilter::Fields& UseragentFilter::lookup(std::string_view ua) {
  if (const Fields* hit = cache_.find(ua)) return *hit;
  return cache_.put(ua, resolve(ua));
}

void UseragentFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  const Value* src = e.get(source_);
  if (src && src->is_array()) src = src->as_array().empty() ? nullptr : &src->as_array()[0];
  if (!src || !src->is_string()) {
    if (src && !src->is_null()) log_debug("useragent {}: field {} is not a string", id(), source_.text());
    return;
  }
  if (src->as_string().empty()) return;
  const Fields& fields = lookup(src->as_string());
  if (remove_source_) e.remove(source_);
  for (auto& [slot, value] : fields) e.set(*refs_[slot], Value(value));
  filter_matched(e);
}

PluginInfo useragent_filter_info() {
  PluginInfo info;
  info.name = "useragent";
  info.kind = PluginKind::Filter;
  info.description = "Parses a User-Agent string into browser, OS and device fields (uap-core regexes).";
  info.options = useragent_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<UseragentFilter>(args);
  };
  return info;
}

}  // namespace logpipe
