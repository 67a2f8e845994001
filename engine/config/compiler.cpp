#include "engine/config/compiler.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "engine/config/parser.h"
#include "engine/text/byte_size.h"
#include "engine/text/friendly_duration.h"

namespace logpipe::config {

namespace {

std::string where(const SourceLoc& loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

// A value on its way from the AST to Settings: the Value plus where it was
// written, and the codec block if it was one.
struct RawValue {
  Value value;
  SourceLoc loc;
  std::shared_ptr<AstPlugin> plugin;  // plugin-valued attribute (codec => json { ... })
};

class Compiler {
 public:
  explicit Compiler(const CompileOptions& opts) : opts_(opts) {
    if (!opts_.env) opts_.env = process_env();
  }

  std::shared_ptr<PipelineConfig> run(const AstConfig& ast) {
    auto cfg = std::make_shared<PipelineConfig>();
    for (const AstSection& s : ast.sections) {
      switch (s.kind) {
        case SectionKind::Input:
          for (const AstStatement& st : s.body) {
            if (st.kind == AstStatement::Kind::If) {
              error(st.if_->loc, "conditionals are not supported in the input section: there is no event yet");
              continue;
            }
            if (auto d = declare(*st.plugin, PluginKind::Input)) cfg->inputs.push_back(std::move(*d));
          }
          break;
        case SectionKind::Filter:
          compile_body(s.body, PluginKind::Filter, cfg->filters, cfg->filter_graph);
          break;
        case SectionKind::Output:
          compile_body(s.body, PluginKind::Output, cfg->outputs, cfg->output_graph);
          break;
      }
    }
    if (!errors_.empty()) throw ConfigException(errors_);
    return cfg;
  }

 private:
  void error(const SourceLoc& loc, std::string msg) { errors_.push_back({loc, std::move(msg)}); }

  // ------------------------------------------------------------ values

  // ${VAR} substitution in a string value (layer 2 of LOGSTASH_CONFIG_FACTS §8).
  Value substitute(const std::string& text, const SourceLoc& loc) {
    if (text.find("${") == std::string::npos) return Value(text);
    std::string out;
    EnvError err;
    bool substituted = false;
    if (!substitute_env(text, opts_.env, &out, &err, &substituted)) {
      SourceLoc at = loc;
      at.column += 1 + static_cast<int>(err.offset);  // +1 for the opening quote
      error(at, err.message);
      return Value(text);
    }
    if (!substituted) return Value(out);
    std::vector<std::string> list;
    if (env_result_as_list(out, &list)) {
      Array a;
      for (auto& s : list) a.emplace_back(s);
      return Value(std::move(a));
    }
    return Value(strip_enclosing_quotes(out));
  }

  Value to_value(const AstValue& v) {
    switch (v.kind) {
      case AstValue::Kind::String: return substitute(v.text, v.loc);
      case AstValue::Kind::Integer: return Value(static_cast<int64_t>(v.integer));
      case AstValue::Kind::Float: return Value(v.number);
      case AstValue::Kind::Bareword: return Value(v.text);
      case AstValue::Kind::Array: {
        Array a;
        for (auto& e : v.elements) a.push_back(to_value(e));
        return Value(std::move(a));
      }
      case AstValue::Kind::Hash: {
        Object o;
        for (auto& [k, val] : v.entries) {
          // Hash keys are not substituted (LOGSTASH_CONFIG_FACTS §8).
          o.set(k.text, to_value(val));
        }
        return Value(std::move(o));
      }
      case AstValue::Kind::Plugin:
        error(v.loc, "a plugin block is only allowed as the value of `codec`");
        return Value();
    }
    return Value();
  }

  // Logstash's merge of a repeated attribute.
  static Value merge(Value a, Value b) {
    if (a.is_object() && b.is_object()) {
      for (auto& [k, v] : b.as_object()) a.as_object().set(k, std::move(v));
      return a;
    }
    if (a.is_array()) {
      if (b.is_array())
        for (auto& x : b.as_array()) a.as_array().push_back(std::move(x));
      else
        a.as_array().push_back(std::move(b));
      return a;
    }
    if (a == b) return a;
    Array list;
    list.push_back(std::move(a));
    if (b.is_array())
      for (auto& x : b.as_array()) list.push_back(std::move(x));
    else
      list.push_back(std::move(b));
    return Value(std::move(list));
  }

  static bool parse_number(const std::string& s, Value* out) {
    if (s.empty()) return false;
    int64_t i;
    auto r = std::from_chars(s.data(), s.data() + s.size(), i);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
      *out = Value(i);
      return true;
    }
    double d;
    auto r2 = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r2.ec == std::errc() && r2.ptr == s.data() + s.size()) {
      *out = Value(d);
      return true;
    }
    return false;
  }

  static std::string describe(const Value& v) {
    std::string s = v.is_string() ? "\"" + v.as_string() + "\"" : to_json_like(v);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
  }
  static std::string to_json_like(const Value& v) {
    if (v.is_array()) {
      std::string s = "[";
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        if (i) s += ", ";
        s += describe(v.as_array()[i]);
      }
      return s + "]";
    }
    if (v.is_object()) return "{...}";
    return v.to_string();
  }

  bool in_range(const OptionSpec& spec, double x, const std::string& shown, const std::string& plugin,
                const SourceLoc& loc) {
    if ((spec.min && x < *spec.min) || (spec.max && x > *spec.max)) {
      error(loc, "option \"" + spec.name + "\" of " + plugin + " must be " + option_range_text(spec) +
                     ", got " + shown);
      return false;
    }
    return true;
  }

  // Checks and converts a value to an option's type. Returns false on error.
  bool coerce(const OptionSpec& spec, Value& v, const std::string& plugin, const SourceLoc& loc) {
    auto fail = [&](const char* expected) {
      error(loc, "option \"" + spec.name + "\" of " + plugin + " expects " + expected + ", got " +
                     (spec.type == OptionType::Password ? std::string("a value") : describe(v)));
      return false;
    };
    // Single-valued types accept a one-element array (Logstash keeps every
    // value as a list internally).
    auto unwrap = [&] {
      if (v.is_array() && v.as_array().size() == 1) {
        Value inner = v.as_array()[0];
        v = std::move(inner);
      }
    };
    switch (spec.type) {
      case OptionType::String:
      case OptionType::Password:
      case OptionType::Path:
        unwrap();
        if (v.is_array() || v.is_object() || v.is_null()) return fail("a string");
        if (!v.is_string()) v = Value(v.to_string());
        if (!spec.allowed.empty() &&
            std::find(spec.allowed.begin(), spec.allowed.end(), v.as_string()) ==
                spec.allowed.end()) {
          std::string list;
          for (auto& a : spec.allowed) list += (list.empty() ? "" : ", ") + a;
          error(loc, "option \"" + spec.name + "\" of " + plugin + " must be one of " + list +
                         ", got " + describe(v));
          return false;
        }
        return true;
      case OptionType::Number: {
        unwrap();
        Value n;
        if (v.is_string() && parse_number(v.as_string(), &n)) v = std::move(n);
        if (!v.is_number()) return fail(spec.whole_number ? "a whole number" : "a number");
        if (spec.whole_number && v.is_float()) {
          double d = v.as_float();
          if (d != std::floor(d) || std::fabs(d) > 9.0e18) return fail("a whole number");
          v = Value(static_cast<int64_t>(d));
        }
        return in_range(spec, v.as_number(), v.to_string(), plugin, loc);
      }
      case OptionType::Duration: {
        unwrap();
        if (!v.is_number() && !v.is_string()) return fail("a duration");
        std::optional<double> seconds = v.is_number()
                                            ? std::optional<double>(v.as_number() * spec.duration_unit)
                                            : parse_duration(v.as_string(), spec.duration_unit);
        if (!seconds) return fail("a duration (e.g. 15, 250ms, 60 sec, 1 hour, 14 days)");
        return in_range(spec, *seconds, describe(v), plugin, loc);
      }
      case OptionType::Bytes: {
        unwrap();
        std::optional<uint64_t> n;
        if (v.is_int() && v.as_int() >= 0) n = static_cast<uint64_t>(v.as_int());
        if (v.is_string()) n = parse_byte_size(v.as_string());
        if (!n) return fail("a size (e.g. 1048576, \"512 KiB\", \"20mib\", \"10mb\")");
        return in_range(spec, static_cast<double>(*n), describe(v), plugin, loc);
      }
      case OptionType::Boolean:
        unwrap();
        if (v.is_bool()) return true;
        if (v.is_string() && (v.as_string() == "true" || v.as_string() == "false")) {
          v = Value(v.as_string() == "true");
          return true;
        }
        return fail("a boolean (true or false)");
      case OptionType::Array:
        if (v.is_object()) return fail("an array");
        if (!v.is_array()) {
          Array a;
          a.push_back(std::move(v));
          v = Value(std::move(a));
        }
        return true;
      case OptionType::Hash: {
        if (v.is_object()) return true;
        if (v.is_array() && v.as_array().size() % 2 == 0) {
          Object o;
          auto& a = v.as_array();
          for (size_t i = 0; i < a.size(); i += 2) {
            std::string key = a[i].to_string();
            if (Value* existing = o.find(key)) {
              if (!existing->is_array()) {
                Array list;
                list.push_back(std::move(*existing));
                *existing = Value(std::move(list));
              }
              existing->as_array().push_back(a[i + 1]);
            } else {
              o.set(key, a[i + 1]);
            }
          }
          v = Value(std::move(o));
          return true;
        }
        return fail("a hash ({ key => value } or an even-length array)");
      }
      case OptionType::Codec:
      case OptionType::Any:
        return true;
    }
    return true;
  }

  // ------------------------------------------------------------ plugins

  std::shared_ptr<const CodecSpec> codec_spec(const RawValue& raw, const std::string& owner,
                                              bool for_input) {
    std::string name;
    const AstPlugin* block = raw.plugin.get();
    SourceLoc loc = raw.loc;
    if (block) {
      name = block->name;
      loc = block->loc;
    } else if (raw.value.is_string()) {
      name = raw.value.as_string();
    } else {
      error(raw.loc, "option \"codec\" of " + owner + " expects a codec name");
      return nullptr;
    }
    const PluginInfo* info = find_plugin(PluginKind::Codec, name);
    if (!info) {
      error(loc, "unknown codec \"" + name + "\"" + known_names(PluginKind::Codec));
      return nullptr;
    }
    if (for_input && info->encode_only) {
      error(loc, "codec " + name + " only encodes; it cannot decode, so it cannot be the codec of " + owner);
      return nullptr;
    }
    static const AstPlugin empty;
    auto spec = std::make_shared<CodecSpec>();
    spec->name = name;
    size_t before = errors_.size();
    spec->settings = check_settings(*info, block ? *block : empty, loc, "codec " + name);
    if (errors_.size() != before) return nullptr;
    PluginEnv env = opts_.plugin_env;
    try {
      PluginArgs args{name, owner + "_codec", spec->settings, env, nullptr};
      info->make_codec(args);
    } catch (const OptionError& e) {
      error(loc, "codec " + name + ": " + e.what());
      return nullptr;
    } catch (const std::exception& e) {
      error(loc, "codec " + name + ": " + e.what());
      return nullptr;
    }
    return spec;
  }

  std::string known_names(PluginKind kind) {
    std::string s;
    for (auto& p : plugin_registry())
      if (p.kind == kind) s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? "" : " (available: " + s + ")";
  }

  // Validates a block's attributes against the plugin's options; returns the
  // checked Settings (errors recorded).
  Settings check_settings(const PluginInfo& info, const AstPlugin& block, const SourceLoc& loc,
                          const std::string& what, std::map<std::string, SourceLoc>* locs = nullptr) {
    OptionSpecs specs = info.all_options();
    // Merge repeated attributes, keeping the first position for messages.
    std::vector<std::pair<std::string, RawValue>> merged;
    for (const AstAttribute& attr : block.attributes) {
      RawValue raw;
      raw.loc = attr.value.loc;
      if (attr.value.kind == AstValue::Kind::Plugin)
        raw.plugin = attr.value.plugin;
      else
        raw.value = to_value(attr.value);
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](auto& m) { return m.first == attr.name; });
      if (it == merged.end()) {
        merged.emplace_back(attr.name, std::move(raw));
        if (locs) (*locs)[attr.name] = attr.loc;
        continue;
      }
      if (attr.name == "codec") {
        error(attr.loc, what + " has more than one codec");
        continue;
      }
      it->second.value = merge(std::move(it->second.value), std::move(raw.value));
    }

    Settings settings;
    std::set<std::string> refused;
    for (auto& [name, raw] : merged) {
      // By name, not [&]: clang (the fuzz build) cannot capture a structured binding.
      auto spec = std::find_if(specs.begin(), specs.end(), [&key = name](auto& s) { return s.name == key; });
      if (spec == specs.end()) {
        SourceLoc at = locs && locs->count(name) ? (*locs)[name] : raw.loc;
        error(at, "unknown option \"" + name + "\" for " + what);
        continue;
      }
      if (spec->type == OptionType::Codec) {
        if (auto c = codec_spec(raw, what, info.kind == PluginKind::Input)) settings.set_codec(c);
        continue;
      }
      if (raw.plugin) {
        error(raw.loc, "option \"" + name + "\" of " + what + " does not take a plugin block");
        continue;
      }
      if (coerce(*spec, raw.value, what, raw.loc))
        settings.set(name, std::move(raw.value));
      else
        refused.insert(name);  // reported once, as refused, not also as missing
    }
    for (auto& spec : specs) {
      if (spec.type == OptionType::Codec) continue;
      if (settings.has(spec.name) || refused.count(spec.name)) continue;
      if (spec.required) {
        error(loc, what + " is missing required option \"" + spec.name + "\"");
        continue;
      }
      if (spec.name == "ecs_compatibility" && spec.type == OptionType::String) {
        settings.set(spec.name, Value(opts_.ecs_compatibility));
        continue;
      }
      if (spec.default_value) settings.set(spec.name, *spec.default_value);
    }
    // The default codec, with its own defaults, when none was given.
    bool takes_codec = std::any_of(specs.begin(), specs.end(),
                                   [](auto& s) { return s.type == OptionType::Codec; });
    if (takes_codec && !settings.codec() && !info.default_codec.empty()) {
      RawValue raw;
      raw.value = Value(info.default_codec);
      raw.loc = loc;
      if (auto c = codec_spec(raw, what, info.kind == PluginKind::Input)) settings.set_codec(c);
    }
    return settings;
  }

  std::optional<PluginDecl> declare(const AstPlugin& block, PluginKind kind) {
    const PluginInfo* info = find_plugin(kind, block.name);
    if (!info && find_refused_plugin(kind, block.name)) {
      error(block.loc, std::string(plugin_kind_name(kind)) + " plugin \"" + block.name +
                           "\" is not supported by logpipe and will not be: " +
                           find_refused_plugin(kind, block.name)->reason);
      return std::nullopt;
    }
    if (!info) {
      error(block.loc, std::string("unknown ") + plugin_kind_name(kind) + " plugin \"" +
                           block.name + "\"" + known_names(kind));
      return std::nullopt;
    }
    size_t before = errors_.size();
    std::map<std::string, SourceLoc> locs;
    std::string what = std::string(plugin_kind_name(kind)) + " " + block.name;
    auto settings = std::make_shared<Settings>(check_settings(*info, block, block.loc, what, &locs));
    if (errors_.size() != before) return std::nullopt;

    PluginDecl decl;
    decl.info = info;
    decl.where = where(block.loc);
    if (const Value* id = settings->get("id"); id && id->is_string()) {
      decl.id = id->as_string();
    } else {
      decl.id = block.name + "_" + std::to_string(++counts_[block.name]);
    }
    if (!ids_.insert(decl.id).second) {
      error(block.loc, "duplicate plugin id \"" + decl.id + "\"");
      return std::nullopt;
    }
    decl.settings = settings;
    switch (kind) {
      case PluginKind::Input: decl.enable_metric = Input::common_schema().bind(*settings).enable_metric; break;
      case PluginKind::Filter: decl.enable_metric = Filter::common_schema().bind(*settings).enable_metric; break;
      case PluginKind::Output: decl.enable_metric = Output::common_schema().bind(*settings).enable_metric; break;
      case PluginKind::Codec: break;
    }

    // Build it once, so the plugin's own checks are reported now, with a place.
    try {
      PluginEnv env = opts_.plugin_env;
      env.validating = true;
      PluginArgs args{info->name, decl.id, *settings, env,
                      [&decl, &env] { return make_codec_for(decl, env); }};
      switch (kind) {
        case PluginKind::Input: info->make_input(args); break;
        case PluginKind::Filter: info->make_filter(args); break;
        case PluginKind::Output: info->make_output(args); break;
        case PluginKind::Codec: break;
      }
    } catch (const OptionError& e) {
      SourceLoc at = locs.count(e.option) ? locs[e.option] : block.loc;
      std::string msg = what + ": ";
      if (!e.option.empty()) msg += "option \"" + e.option + "\": ";
      error(at, msg + e.what());
      return std::nullopt;
    } catch (const std::exception& e) {
      error(block.loc, what + ": " + e.what());
      return std::nullopt;
    }
    return decl;
  }

  void compile_body(const std::vector<AstStatement>& body, PluginKind kind,
                    std::vector<PluginDecl>& decls, std::vector<GraphNode>& out) {
    for (const AstStatement& st : body) {
      if (st.kind == AstStatement::Kind::Plugin) {
        if (auto d = declare(*st.plugin, kind)) {
          GraphNode n;
          n.kind = GraphNode::Kind::Plugin;
          n.plugin = decls.size();
          decls.push_back(std::move(*d));
          out.push_back(std::move(n));
        }
        continue;
      }
      GraphNode n;
      n.kind = GraphNode::Kind::If;
      for (const AstBranch& br : st.if_->branches) {
        GraphNode::Branch b;
        b.condition = condition(br.condition);
        compile_body(br.body, kind, decls, b.body);
        n.branches.push_back(std::move(b));
      }
      if (st.if_->has_else) compile_body(st.if_->else_body, kind, decls, n.else_body);
      out.push_back(std::move(n));
    }
  }

  // ------------------------------------------------------------ conditions

  // In conditions only a string that is exactly one ${VAR} is substituted.
  std::string condition_string(const AstRValue& rv) {
    const std::string& s = rv.text;
    if (s.size() > 3 && s.compare(0, 2, "${") == 0 && s.back() == '}' &&
        s.find('}') == s.size() - 1) {
      std::string out;
      EnvError err;
      if (!substitute_env(s, opts_.env, &out, &err)) {
        error(rv.loc, err.message);
        return s;
      }
      return out;
    }
    return s;
  }

  std::optional<Operand> operand(const AstRValue& rv) {
    Operand op;
    switch (rv.kind) {
      case AstRValue::Kind::String:
        op.constant = Value(condition_string(rv));
        return op;
      case AstRValue::Kind::Integer:
        op.constant = Value(static_cast<int64_t>(rv.integer));
        return op;
      case AstRValue::Kind::Float:
        op.constant = Value(rv.number);
        return op;
      case AstRValue::Kind::Selector: {
        std::string err;
        auto ref = FieldRef::parse(rv.text, &err);
        if (!ref) {
          error(rv.loc, err);
          return std::nullopt;
        }
        op.kind = Operand::Kind::Field;
        op.field = *ref;
        return op;
      }
      case AstRValue::Kind::Array: {
        Array a;
        for (auto& e : rv.elements) {
          auto sub = operand(e);
          if (!sub) return std::nullopt;
          if (sub->kind != Operand::Kind::Constant) {
            error(e.loc, "an array in a condition may hold only strings and numbers");
            return std::nullopt;
          }
          a.push_back(sub->constant);
        }
        op.constant = Value(std::move(a));
        op.list_literal = true;
        return op;
      }
      case AstRValue::Kind::Regex:
        error(rv.loc, "a regular expression can only stand on the right of =~ or !~");
        return std::nullopt;
      case AstRValue::Kind::MethodCall:
        error(rv.loc, "method calls in conditions (" + rv.text +
                          "(...)) are not supported; Logstash does not implement them either");
        return std::nullopt;
    }
    return std::nullopt;
  }

  std::shared_ptr<const Condition> condition(const AstExpr& e) {
    auto c = build(e);
    if (!c) return std::make_shared<Condition>(Condition::Op::Truthy, std::vector<Operand>{Operand{}});
    return std::shared_ptr<const Condition>(std::move(c));
  }

  std::unique_ptr<Condition> build(const AstExpr& e) {
    using Op = Condition::Op;
    auto children = [&](Op op) -> std::unique_ptr<Condition> {
      std::vector<std::unique_ptr<Condition>> kids;
      for (auto& ch : e.children) {
        auto k = build(ch);
        if (!k) return nullptr;
        kids.push_back(std::move(k));
      }
      return std::make_unique<Condition>(op, std::move(kids));
    };
    auto operands = [&](Op op) -> std::unique_ptr<Condition> {
      std::vector<Operand> ops;
      for (auto& rv : e.operands) {
        auto o = operand(rv);
        if (!o) return nullptr;
        ops.push_back(std::move(*o));
      }
      return std::make_unique<Condition>(op, std::move(ops));
    };
    switch (e.kind) {
      case AstExpr::Kind::And: return children(Op::And);
      case AstExpr::Kind::Or: return children(Op::Or);
      case AstExpr::Kind::Xor: return children(Op::Xor);
      case AstExpr::Kind::Nand: return children(Op::Nand);
      case AstExpr::Kind::Not: return children(Op::Not);
      case AstExpr::Kind::Truthy: return operands(Op::Truthy);
      case AstExpr::Kind::In: return operands(Op::In);
      case AstExpr::Kind::NotIn: return operands(Op::NotIn);
      case AstExpr::Kind::Compare: {
        static const std::pair<const char*, Op> ops[] = {{"==", Op::Eq}, {"!=", Op::Ne},
                                                         {"<", Op::Lt},  {">", Op::Gt},
                                                         {"<=", Op::Le}, {">=", Op::Ge}};
        for (auto& [text, op] : ops)
          if (e.op == text) return operands(op);
        error(e.loc, "unknown comparison operator " + e.op);
        return nullptr;
      }
      case AstExpr::Kind::Match:
      case AstExpr::Kind::NotMatch: {
        auto left = operand(e.operands[0]);
        if (!left) return nullptr;
        const AstRValue& r = e.operands[1];
        std::string pattern;
        if (r.kind == AstRValue::Kind::Regex)
          pattern = r.text;
        else if (r.kind == AstRValue::Kind::String)
          pattern = condition_string(r);
        else {
          error(r.loc, "the right side of =~ and !~ must be a regular expression or a string");
          return nullptr;
        }
        std::string err;
        Operand right;
        right.kind = Operand::Kind::Regex;
        right.re = Condition::compile_regex(pattern, &err);
        if (!right.re) {
          error(r.loc, "invalid regular expression /" + pattern + "/: " + err);
          return nullptr;
        }
        std::vector<Operand> ops;
        ops.push_back(std::move(*left));
        ops.push_back(std::move(right));
        return std::make_unique<Condition>(
            e.kind == AstExpr::Kind::Match ? Op::Match : Op::NotMatch, std::move(ops));
      }
    }
    return nullptr;
  }

  CompileOptions opts_;
  std::vector<ConfigError> errors_;
  std::map<std::string, int> counts_;
  std::set<std::string> ids_;
};

bool is_directory(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

std::shared_ptr<PipelineConfig> compile(const AstConfig& ast, const CompileOptions& opts) {
  return Compiler(opts).run(ast);
}

std::vector<SourceFile> load_sources(const std::vector<std::string>& paths,
                                     const std::vector<std::string>& config_strings) {
  std::vector<SourceFile> out;
  std::vector<ConfigError> errors;
  for (const std::string& p : paths) {
    std::vector<std::string> files;
    if (is_directory(p)) {
      if (DIR* d = opendir(p.c_str())) {
        while (dirent* ent = readdir(d)) {
          std::string name = ent->d_name;
          std::string full = p + (p.back() == '/' ? "" : "/") + name;
          if (name == "." || name == ".." || is_directory(full)) continue;
          files.push_back(full);
        }
        closedir(d);
      }
    } else {
      glob_t g{};
      if (glob(p.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i)
          if (!is_directory(g.gl_pathv[i])) files.emplace_back(g.gl_pathv[i]);
      globfree(&g);
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      errors.push_back({SourceLoc{p, 0, 0}, "no config file found at " + p});
      continue;
    }
    for (auto& f : files) {
      SourceFile src;
      src.name = f;
      if (!read_file(f, &src.text)) {
        errors.push_back({SourceLoc{f, 0, 0}, std::string("cannot read: ") + std::strerror(errno)});
        continue;
      }
      out.push_back(std::move(src));
    }
  }
  for (size_t i = 0; i < config_strings.size(); ++i) {
    out.push_back(SourceFile{config_strings.size() == 1 ? "config string"
                                                        : "config string " + std::to_string(i + 1),
                             config_strings[i]});
  }
  if (!errors.empty()) throw ConfigException(errors);
  return out;
}

std::shared_ptr<PipelineConfig> load_pipeline(const std::vector<SourceFile>& sources,
                                              const CompileOptions& opts) {
  ParseOptions popts;
  popts.support_escapes = opts.support_escapes;
  AstConfig ast = parse_configs(sources, popts);
  return compile(ast, opts);
}

}  // namespace logpipe::config
