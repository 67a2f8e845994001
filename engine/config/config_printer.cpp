#include "engine/config/config_printer.h"

#include <algorithm>
#include <cctype>

#include "engine/plugin.h"

namespace logpipe::config {

namespace {

PluginKind kind_of(SectionKind s) {
  switch (s) {
    case SectionKind::Input: return PluginKind::Input;
    case SectionKind::Filter: return PluginKind::Filter;
    case SectionKind::Output: return PluginKind::Output;
  }
  return PluginKind::Filter;
}

const char* section_name(SectionKind s) {
  switch (s) {
    case SectionKind::Input: return "input";
    case SectionKind::Filter: return "filter";
    case SectionKind::Output: return "output";
  }
  return "filter";
}

// A double-quoted config string. The parser keeps backslashes as written
// (unless escapes are on), so a quote in its text already has one; only a
// quote that came from an environment variable needs one added.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) out += '\\';
    out += text[i];
  }
  out += '"';
  return out;
}

class Printer {
 public:
  explicit Printer(const EnvLookup& env) : env_(env) {}

  std::string run(const AstConfig& ast) {
    for (const AstSection& section : ast.sections) {
      out_ += section_name(section.kind);
      out_ += " {\n";
      statements(section.body, kind_of(section.kind), 1);
      out_ += "}\n";
    }
    return out_;
  }

 private:
  void indent(int depth) { out_.append(static_cast<size_t>(depth) * 2, ' '); }

  void statements(const std::vector<AstStatement>& body, PluginKind kind, int depth) {
    for (const AstStatement& st : body) {
      if (st.kind == AstStatement::Kind::Plugin)
        plugin(*st.plugin, kind, depth);
      else
        conditional(*st.if_, kind, depth);
    }
  }

  void plugin(const AstPlugin& p, PluginKind kind, int depth) {
    indent(depth);
    out_ += "# " + p.loc.file + ":" + std::to_string(p.loc.line) + "\n";
    indent(depth);
    block(p, kind, depth);
    out_ += "\n";
  }

  // name { attributes } without the trailing newline (codecs are inline).
  void block(const AstPlugin& p, PluginKind kind, int depth) {
    // The options declared as passwords, looked up once per block.
    std::vector<std::string> passwords;
    if (const PluginInfo* info = find_plugin(kind, p.name))
      for (const OptionSpec& spec : info->all_options())
        if (spec.type == OptionType::Password) passwords.push_back(spec.name);
    out_ += p.name + " {";
    if (p.attributes.empty()) {
      out_ += " }";
      return;
    }
    out_ += "\n";
    for (const AstAttribute& a : p.attributes) {
      indent(depth + 1);
      out_ += a.name + " => ";
      const bool secret = secret_option_name(a.name) ||
                          std::find(passwords.begin(), passwords.end(), a.name) != passwords.end();
      if (secret)
        out_ += quoted(kMaskedValue);
      else
        value(a.value, a.name == "codec" ? PluginKind::Codec : kind, depth + 1);
      out_ += "\n";
    }
    indent(depth);
    out_ += "}";
  }

  std::string resolved(const std::string& text) {
    std::string out;
    if (!substitute_env(text, env_, &out, nullptr)) out = text;  // the compiler reports it
    return mask_url_passwords(out);
  }

  void value(const AstValue& v, PluginKind kind, int depth) {
    switch (v.kind) {
      case AstValue::Kind::String:
        out_ += quoted(resolved(v.text));
        return;
      case AstValue::Kind::Integer:
      case AstValue::Kind::Float:
      case AstValue::Kind::Bareword:
        out_ += v.text;
        return;
      case AstValue::Kind::Array: {
        out_ += "[";
        for (size_t i = 0; i < v.elements.size(); ++i) {
          if (i) out_ += ", ";
          value(v.elements[i], kind, depth);
        }
        out_ += "]";
        return;
      }
      case AstValue::Kind::Hash: {
        out_ += "{";
        for (auto& [key, val] : v.entries) {
          out_ += " ";
          value(key, kind, depth);  // hash keys are not substituted, but may be quoted
          out_ += " => ";
          if (secret_option_name(key.text))
            out_ += quoted(kMaskedValue);
          else
            value(val, kind, depth);
        }
        out_ += v.entries.empty() ? "}" : " }";
        return;
      }
      case AstValue::Kind::Plugin:
        block(*v.plugin, PluginKind::Codec, depth);
        return;
    }
  }

  void conditional(const AstIf& f, PluginKind kind, int depth) {
    for (size_t i = 0; i < f.branches.size(); ++i) {
      indent(depth);
      out_ += i == 0 ? "if " : "} else if ";
      expr(f.branches[i].condition);
      out_ += " {\n";
      statements(f.branches[i].body, kind, depth + 1);
    }
    if (f.has_else) {
      indent(depth);
      out_ += "} else {\n";
      statements(f.else_body, kind, depth + 1);
    }
    indent(depth);
    out_ += "}\n";
  }

  void expr(const AstExpr& e) {
    switch (e.kind) {
      case AstExpr::Kind::And:
      case AstExpr::Kind::Or:
      case AstExpr::Kind::Xor:
      case AstExpr::Kind::Nand:
        out_ += "(";
        expr(e.children[0]);
        out_ += " " + e.op + " ";
        expr(e.children[1]);
        out_ += ")";
        return;
      case AstExpr::Kind::Not:
        out_ += "!(";
        expr(e.children[0]);
        out_ += ")";
        return;
      case AstExpr::Kind::Truthy:
        rvalue(e.operands[0]);
        return;
      default:
        rvalue(e.operands[0]);
        out_ += " " + e.op + " ";
        rvalue(e.operands[1]);
        return;
    }
  }

  void rvalue(const AstRValue& r) {
    switch (r.kind) {
      case AstRValue::Kind::String:
        out_ += quoted(mask_url_passwords(r.text));
        return;
      case AstRValue::Kind::Integer:
      case AstRValue::Kind::Float:
      case AstRValue::Kind::Selector:
        out_ += r.text;
        return;
      case AstRValue::Kind::Regex:
        out_ += "/" + r.text + "/";
        return;
      case AstRValue::Kind::Array:
      case AstRValue::Kind::MethodCall: {
        const bool call = r.kind == AstRValue::Kind::MethodCall;
        out_ += call ? r.text + "(" : "[";
        for (size_t i = 0; i < r.elements.size(); ++i) {
          if (i) out_ += ", ";
          rvalue(r.elements[i]);
        }
        out_ += call ? ")" : "]";
        return;
      }
    }
  }

  const EnvLookup& env_;
  std::string out_;
};

}  // namespace

bool secret_option_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* const kWords[] = {"password", "passphrase", "secret", "token",
                                       "api_key",  "apikey",     "jaas",   "cloud_auth",
                                       "credentials", "authorization"};
  for (const char* w : kWords)
    if (lower.find(w) != std::string::npos) return true;
  return false;
}

std::string mask_url_passwords(std::string_view text) {
  std::string out;
  size_t pos = 0;
  for (size_t scheme; (scheme = text.find("://", pos)) != std::string_view::npos;) {
    const size_t start = scheme + 3;
    // The authority ends at the first '/', '?', '#', space, quote or comma.
    size_t end = text.find_first_of("/?# \"',", start);
    if (end == std::string_view::npos) end = text.size();
    const size_t at = text.rfind('@', end);
    const size_t colon = at != std::string_view::npos && at >= start ? text.find(':', start) : end;
    out.append(text.substr(pos, start - pos));
    if (at != std::string_view::npos && at >= start && colon < at) {
      out.append(text.substr(start, colon + 1 - start));
      out += kMaskedValue;
      out.append(text.substr(at, end - at));
    } else {
      out.append(text.substr(start, end - start));
    }
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

std::string print_config(const AstConfig& ast, const EnvLookup& env) {
  return Printer(env).run(ast);
}

}  // namespace logpipe::config
