// clone filter: one copy per name, the name as type (ECS disabled) or tag
// (v1/v8), the common options on the copies only, and the copies going on
// through the rest of the filter graph as the original does.
#include "filters/clone_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/config/compiler.h"
#include "engine/runtime/filter_graph.h"
#include "engine/text/json_writer.h"

namespace logpipe {
namespace {

// The events leaving the filters of `config` for one event with `message`,
// as JSON without @timestamp, in the order the graph gives them.
std::vector<std::string> run(const std::string& config, const std::string& message = "m") {
  auto cfg = config::load_pipeline({config::SourceFile{"clone.conf", config}});
  PluginEnv env;
  FilterGraph graph(*cfg, env);
  Event e;
  e.set_top("message", Value(message));
  std::vector<Event*> batch{&e};
  std::vector<std::unique_ptr<Event>> owned;
  graph.run(batch, [&](std::unique_ptr<Event> made) { owned.push_back(std::move(made)); });
  std::vector<std::string> out;
  for (Event* ev : batch)
    if (!ev->cancelled()) out.push_back(to_json(Value(ev->fields())));
  return out;
}

TEST(CloneFilter, EcsDisabledSetsTypeAndCommonOptionsOnlyOnCopies) {
  auto out = run(R"(filter { clone { clones => ["a", "b"] add_tag => ["cloned"] } })");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], R"({"message":"m"})");
  EXPECT_EQ(out[1], R"({"message":"m","type":"a","tags":["cloned"]})");
  EXPECT_EQ(out[2], R"({"message":"m","type":"b","tags":["cloned"]})");
}

TEST(CloneFilter, EcsModesTagInsteadOfType) {
  auto out = run(R"(filter { clone { clones => ["copy"] ecs_compatibility => "v8" } })");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], R"({"message":"m","tags":["copy"]})");
}

TEST(CloneFilter, CopiesGoThroughTheFiltersAfterIt) {
  auto out = run(R"(filter {
    clone { clones => ["copy"] }
    if [type] == "copy" { mutate { replace => { "message" => "changed" } } }
    mutate { add_field => { "seen" => "yes" } }
  })");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], R"({"message":"m","seen":"yes"})");
  EXPECT_EQ(out[1], R"({"message":"changed","type":"copy","seen":"yes"})");
}

TEST(CloneFilter, NoClonesIsANoOpAndBadOptionsAreConfigErrors) {
  EXPECT_EQ(run(R"(filter { clone { } })").size(), 1u);
  EXPECT_THROW(config::load_pipeline({config::SourceFile{"c.conf", R"(filter { clone { clones => ["x"] ecs_compatibility => "v9" } })"}}),
               config::ConfigException);
}

}  // namespace
}  // namespace logpipe
