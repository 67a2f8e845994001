#include "engine/testing/lfv_config.h"

#include <yaml-cpp/yaml.h>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/testing/lfv_cases.h"

namespace logpipe {

namespace {

const std::string* plugin_id(const config::AstPlugin& p) {
  for (const auto& a : p.attributes)
    if (a.name == "id" && (a.value.kind == config::AstValue::Kind::String || a.value.kind == config::AstValue::Kind::Bareword))
      return &a.value.text;
  return nullptr;
}

config::AstAttribute string_attribute(const std::string& name, const std::string& value, const config::SourceLoc& loc) {
  config::AstAttribute attr{name, loc, {}};
  attr.value.kind = config::AstValue::Kind::String;
  attr.value.loc = loc;
  attr.value.text = value;
  return attr;
}

std::shared_ptr<config::AstPlugin> parse_mock(const std::string& id, const std::string& text, const std::string& name,
                                              std::vector<config::SourceFile>& sources) {
  // LFV wraps the snippet in a filter section; its first line is therefore
  // line 2 of the pseudo file, and errors say so.
  sources.push_back(config::SourceFile{name, "filter {\n" + text + "\n}\n"});
  config::AstConfig ast = config::parse_config(sources.back());
  const auto& body = ast.sections.empty() ? std::vector<config::AstStatement>{} : ast.sections[0].body;
  if (ast.sections.size() != 1 || body.size() != 1 || body[0].kind != config::AstStatement::Kind::Plugin) {
    config::SourceLoc loc{name, 2, 1};
    throw config::ConfigException({{loc, "the mock for id \"" + id + "\" must be exactly one plugin block"}}, sources);
  }
  auto plugin = std::make_shared<config::AstPlugin>(*body[0].plugin);
  if (!plugin_id(*plugin)) plugin->attributes.push_back(string_attribute("id", id, plugin->loc));
  return plugin;
}

// Every input plugin, conditionals flattened (LFV names inputs by id, not
// by where they sit), as `stdin { id => ... codec => ... }` keeping the
// options LFV keeps: type, add_field and tags.
void replace_inputs(const std::vector<config::AstStatement>& body, std::vector<config::AstStatement>& out) {
  for (const auto& st : body) {
    if (st.kind == config::AstStatement::Kind::If) {
      for (const auto& branch : st.if_->branches) replace_inputs(branch.body, out);
      replace_inputs(st.if_->else_body, out);
      continue;
    }
    auto in = std::make_shared<config::AstPlugin>();
    in->name = "stdin";
    in->loc = st.plugin->loc;
    const config::AstAttribute* codec = nullptr;
    for (const auto& a : st.plugin->attributes) {
      if (a.name == "id" || a.name == "type" || a.name == "add_field" || a.name == "tags") in->attributes.push_back(a);
      if (a.name == "codec") codec = &a;
    }
    in->attributes.push_back(codec ? *codec : string_attribute("codec", "plain", st.plugin->loc));
    config::AstStatement replaced;
    replaced.plugin = std::move(in);
    out.push_back(std::move(replaced));
  }
}

// The output section's shape with every output as `stdout { id => ... }`:
// only which outputs an event reaches matters. Pipeline outputs go: the
// pipeline they feed is part of the same config here.
std::vector<config::AstStatement> replace_outputs(const std::vector<config::AstStatement>& body) {
  std::vector<config::AstStatement> out;
  for (const auto& st : body) {
    config::AstStatement replaced;
    replaced.kind = st.kind;
    if (st.kind == config::AstStatement::Kind::If) {
      auto if_ = std::make_shared<config::AstIf>(*st.if_);
      for (auto& branch : if_->branches) branch.body = replace_outputs(branch.body);
      if_->else_body = replace_outputs(if_->else_body);
      replaced.if_ = std::move(if_);
    } else {
      if (st.plugin->name == "pipeline") continue;
      auto stub = std::make_shared<config::AstPlugin>();
      stub->name = "stdout";
      stub->loc = st.plugin->loc;
      for (const auto& a : st.plugin->attributes)
        if (a.name == "id") stub->attributes.push_back(a);
      replaced.plugin = std::move(stub);
    }
    out.push_back(std::move(replaced));
  }
  return out;
}

size_t apply(std::vector<config::AstStatement>& body, const std::vector<LfvPluginMock>& mocks) {
  size_t changed = 0;
  for (auto it = body.begin(); it != body.end();) {
    if (it->kind == config::AstStatement::Kind::If) {
      for (auto& branch : it->if_->branches) changed += apply(branch.body, mocks);
      changed += apply(it->if_->else_body, mocks);
      ++it;
      continue;
    }
    const std::string* id = plugin_id(*it->plugin);
    const LfvPluginMock* mock = nullptr;
    for (const auto& m : mocks)
      if (id && m.id == *id) mock = &m;
    if (!mock) {
      ++it;
      continue;
    }
    ++changed;
    if (mock->replacement) {
      it->plugin = std::make_shared<config::AstPlugin>(*mock->replacement);
      ++it;
    } else {
      it = body.erase(it);
    }
  }
  return changed;
}

}  // namespace

std::vector<LfvPluginMock> load_lfv_plugin_mocks(const std::string& path, std::vector<config::SourceFile>& sources) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw LfvCaseError(path + ": " + e.what());
  }
  if (!root.IsSequence() && !root.IsNull()) throw LfvCaseError(path + ": expected a list of {id, mock} entries");
  std::vector<LfvPluginMock> mocks;
  for (const auto& entry : root) {
    if (!entry.IsMap() || !entry["id"] || !entry["id"].IsScalar())
      throw LfvCaseError(path + ":" + std::to_string(entry.Mark().line + 1) + ": an entry needs an id");
    LfvPluginMock m;
    m.id = entry["id"].as<std::string>();
    std::string text = entry["mock"] && entry["mock"].IsScalar() ? entry["mock"].as<std::string>() : "";
    if (!text.empty()) m.replacement = parse_mock(m.id, text, path + ": mock " + m.id, sources);
    mocks.push_back(std::move(m));
  }
  return mocks;
}

size_t apply_lfv_plugin_mocks(config::AstConfig& ast, const std::vector<LfvPluginMock>& mocks) {
  size_t changed = 0;
  for (auto& section : ast.sections) changed += apply(section.body, mocks);
  return changed;
}

config::AstConfig lfv_test_config(const config::AstConfig& ast) {
  config::AstConfig out;
  config::AstSection inputs;
  inputs.kind = config::SectionKind::Input;
  for (const auto& section : ast.sections) {
    if (section.kind == config::SectionKind::Filter) out.sections.push_back(section);
    if (section.kind == config::SectionKind::Input) {
      if (inputs.loc.line == 0) inputs.loc = section.loc;
      replace_inputs(section.body, inputs.body);
    }
    if (section.kind == config::SectionKind::Output) {
      config::AstSection outputs = section;
      outputs.body = replace_outputs(section.body);
      out.sections.push_back(std::move(outputs));
    }
  }
  if (!inputs.body.empty()) out.sections.push_back(std::move(inputs));
  return out;
}

std::shared_ptr<PipelineConfig> load_lfv_test_pipeline(std::vector<config::SourceFile>& sources,
                                                       const std::string& plugin_mock_path,
                                                       const config::CompileOptions& options) {
  config::AstConfig ast = config::parse_configs(sources);
  if (!plugin_mock_path.empty()) apply_lfv_plugin_mocks(ast, load_lfv_plugin_mocks(plugin_mock_path, sources));
  return config::compile(lfv_test_config(ast), options);
}

}  // namespace logpipe
