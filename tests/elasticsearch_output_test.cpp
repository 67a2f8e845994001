// The elasticsearch output's parts that need no server: the NDJSON of each
// event, the reading of `_bulk` answers, hosts and cloud ids. Its behaviour
// against the local contract server is in elasticsearch_delivery_test.cpp.
#include <gtest/gtest.h>

#include "engine/config/options.h"
#include "engine/event/field_ref.h"
#include "outputs/elasticsearch/bulk_encoder.h"
#include "outputs/elasticsearch/bulk_response.h"
#include "outputs/elasticsearch/elasticsearch_output.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;
using testing::settings_with_defaults;

// The bytes the output's encoder makes for e (built for validation: no
// connection is made).
std::string encode(const Object& overrides, const Event& e) {
  PluginInfo info = elasticsearch_output_info();
  Settings settings = settings_with_defaults(info, overrides);
  PluginEnv env;
  env.validating = true;
  auto out = info.make_output(PluginArgs{info.name, "es_1", settings, env, nullptr});
  std::string bytes;
  out->make_encoder()->encode(e, bytes);
  return bytes;
}

std::string build_error(const Object& overrides) {
  PluginInfo info = elasticsearch_output_info();
  Settings settings = settings_with_defaults(info, overrides);
  PluginEnv env;
  env.validating = true;
  try {
    info.make_output(PluginArgs{info.name, "es_1", settings, env, nullptr});
  } catch (const OptionError& e) {
    return e.option + ": " + e.what();
  }
  return "";
}

Event sample() {
  Event e("GET /index.html 200", Timestamp::from_seconds(1700000000));  // 2023-11-14T22:13:20Z
  e.set_top("status", Value(int64_t(200)));
  e.set_top("user", Value("ann"));
  e.metadata().set("route", Value("r7"));
  return e;
}

TEST(ElasticsearchEncoder, IndexActionWithTheDefaultIndexThenTheEventWithoutMetadata) {
  std::string got = encode({}, sample());
  EXPECT_EQ(got,
            "{\"index\":{\"_index\":\"logstash-2023.11.14\"}}\n"
            "{\"@timestamp\":\"2023-11-14T22:13:20.000Z\",\"@version\":\"1\",\"message\":\"GET /index.html 200\","
            "\"status\":200,\"user\":\"ann\"}\n");
}

TEST(ElasticsearchEncoder, DocumentIdRoutingAndPipelineAreFormattedPerEvent) {
  std::string got = encode(opts({{"index", Value("web-%{user}")},
                                 {"document_id", Value("%{user}-%{status}")},
                                 {"routing", Value("%{[@metadata][route]}")},
                                 {"pipeline", Value("p-%{status}")},
                                 {"action", Value("create")}}),
                           sample());
  EXPECT_EQ(got.substr(0, got.find('\n')),
            "{\"create\":{\"_index\":\"web-ann\",\"_id\":\"ann-200\",\"routing\":\"r7\",\"pipeline\":\"p-200\"}}");
}

TEST(ElasticsearchEncoder, UpdateWrapsTheEventAsDocWithUpsertChoices) {
  Object base = opts({{"action", Value("update")}, {"document_id", Value("%{user}")}, {"index", Value("u")}});
  Object upsert = base;
  upsert.set("doc_as_upsert", Value(true));
  upsert.set("retry_on_conflict", Value(int64_t(3)));
  std::string got = encode(upsert, sample());
  EXPECT_EQ(got.substr(0, got.find('\n')),
            "{\"update\":{\"_index\":\"u\",\"_id\":\"ann\",\"retry_on_conflict\":3}}");
  EXPECT_EQ(got.substr(got.find('\n') + 1, 7), "{\"doc\":");
  EXPECT_NE(got.find("},\"doc_as_upsert\":true}\n"), std::string::npos) << got;

  Object with_upsert = base;
  with_upsert.set("upsert", Value("{\"count\":0}"));
  got = encode(with_upsert, sample());
  EXPECT_NE(got.find("},\"upsert\":{\"count\":0}}\n"), std::string::npos) << got;
}

TEST(ElasticsearchEncoder, DeleteHasNoSourceLine) {
  std::string got = encode(opts({{"action", Value("delete")}, {"document_id", Value("%{user}")}, {"index", Value("d")}}),
                           sample());
  EXPECT_EQ(got, "{\"delete\":{\"_index\":\"d\",\"_id\":\"ann\"}}\n");
}

TEST(ElasticsearchEncoder, AnUnknownActionOrAnUnresolvedIndexIsRefusedWithItsReason) {
  Event e = sample();
  std::string got = encode(opts({{"action", Value("%{user}")}}), e);
  ASSERT_TRUE(bulk_refused(got));
  EXPECT_EQ(got.substr(1), "unsupported action [ann]: must be index, create, update or delete");

  got = encode(opts({{"index", Value("logs-%{missing}")}}), e);
  ASSERT_TRUE(bulk_refused(got));
  EXPECT_NE(got.find("still contains placeholder: [logs-%{missing}]"), std::string::npos) << got;

  // Without dlq_on_failed_indexname_interpolation the name is sent as it is
  // (Elasticsearch then refuses it as an invalid index name).
  got = encode(opts({{"index", Value("logs-%{missing}")}, {"dlq_on_failed_indexname_interpolation", Value(false)}}), e);
  EXPECT_FALSE(bulk_refused(got));
}

TEST(ElasticsearchEncoder, DataStreamsCreateIntoTypeDatasetNamespaceAndSayWhereInTheDocument) {
  Event e = sample();
  std::string got = encode(opts({{"data_stream", Value("true")}, {"data_stream_dataset", Value("nginx")}}), e);
  EXPECT_EQ(got.substr(0, got.find('\n')), "{\"create\":{\"_index\":\"logs-nginx-default\"}}");
  EXPECT_NE(got.find("\"data_stream\":{\"type\":\"logs\",\"dataset\":\"nginx\",\"namespace\":\"default\"}"),
            std::string::npos) << got;

  // auto routing: the event's own [data_stream] fields choose.
  e.set(FieldRef::must("[data_stream][namespace]"), Value("prod"));
  got = encode(opts({{"data_stream", Value("true")}}), e);
  EXPECT_EQ(got.substr(0, got.find('\n')), "{\"create\":{\"_index\":\"logs-generic-prod\"}}");
  got = encode(opts({{"data_stream", Value("true")}, {"data_stream_auto_routing", Value(false)}}), e);
  EXPECT_EQ(got.substr(0, got.find('\n')), "{\"create\":{\"_index\":\"logs-generic-default\"}}");
}

TEST(ElasticsearchEncoder, InvalidUtf8IsRepairedSoTheBodyIsAlwaysValidJson) {
  Event e("bad \xff\xfe byte", Timestamp::from_seconds(0));
  std::string got = encode(opts({{"index", Value("i")}}), e);
  EXPECT_NE(got.find("\"bad \xEF\xBF\xBD\xEF\xBF\xBD byte\""), std::string::npos) << got;
}

TEST(ElasticsearchOptions, ConflictsAndUnsupportedSettingsAreConfigErrors) {
  EXPECT_EQ(build_error(opts({{"data_stream", Value("true")}, {"index", Value("x")}})).substr(0, 6), "index:");
  EXPECT_EQ(build_error(opts({{"action", Value("update")}})).substr(0, 12), "document_id:");
  EXPECT_EQ(build_error(opts({{"action", Value("upsert")}})).substr(0, 7), "action:");
  EXPECT_EQ(build_error(opts({{"api_key", Value("id:key")}})).substr(0, 8), "api_key:") << "needs TLS";
  EXPECT_EQ(build_error(opts({{"api_key", Value("id:key")}, {"ssl_enabled", Value(true)}})), "");
  EXPECT_EQ(build_error(opts({{"ilm_enabled", Value("true")}})).substr(0, 12), "ilm_enabled:");
  EXPECT_EQ(build_error(opts({{"ilm_enabled", Value("false")}})), "");
  EXPECT_EQ(build_error(opts({{"sniffing", Value(true)}})).substr(0, 9), "sniffing:");
  EXPECT_EQ(build_error(opts({{"dlq_custom_codes", Value(Array{Value(int64_t(404))})}})).substr(0, 17),
            "dlq_custom_codes:");
  EXPECT_EQ(build_error(opts({{"upsert", Value("{nope")}})).substr(0, 7), "upsert:");
  EXPECT_EQ(build_error(opts({{"cloud_id", Value("x:bm9wZQ==")}})).substr(0, 9), "cloud_id:");
  EXPECT_EQ(build_error(opts({{"user", Value("u")}})).substr(0, 9), "password:");
}

TEST(ElasticsearchHosts, HostForms) {
  std::string user, password;
  EXPECT_EQ(es_base_url("127.0.0.1", false, &user, &password), "http://127.0.0.1:9200");
  EXPECT_EQ(es_base_url("//127.0.0.1", false, &user, &password), "http://127.0.0.1:9200");
  EXPECT_EQ(es_base_url("es1:9201", true, &user, &password), "https://es1:9201");
  EXPECT_EQ(es_base_url("http://es1/proxy/", true, &user, &password), "http://es1:9200/proxy");
  EXPECT_EQ(es_base_url("[::1]:9300", false, &user, &password), "http://[::1]:9300");
  EXPECT_TRUE(user.empty());
  EXPECT_EQ(es_base_url("https://elastic:s3cret@es2:9243", false, &user, &password), "https://es2:9243");
  EXPECT_EQ(user, "elastic");
  EXPECT_EQ(password, "s3cret");
  EXPECT_THROW(es_base_url("ftp://x", false, &user, &password), OptionError);
}

TEST(ElasticsearchHosts, CloudIdDecodesToTheElasticsearchEndpoint) {
  // base64("us-east-1.aws.found.io$abc123$def456")
  EXPECT_EQ(es_cloud_url("my-deployment:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRhYmMxMjMkZGVmNDU2"),
            "https://abc123.us-east-1.aws.found.io:443");
  // base64("example.com:9243$es$kb"), without padding
  EXPECT_EQ(es_cloud_url("x:ZXhhbXBsZS5jb206OTI0MyRlcyRrYg"), "https://es.example.com:9243");
}

TEST(BulkResponse, ItemsInOrderWithStatusAndReason) {
  std::vector<BulkItemResult> items;
  std::string error;
  ASSERT_TRUE(parse_bulk_response(
      R"({"took":3,"errors":true,"items":[{"index":{"_index":"a","status":201}},)"
      R"({"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[2]: version conflict"}}},)"
      R"({"index":{"status":400,"error":{"type":"document_parsing_exception","reason":"[1:10] failed to parse field [n] of type [long]",)"
      R"("caused_by":{"type":"illegal_argument_exception","reason":"For input string: \"x\""}}}}]})",
      items, &error))
      << error;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].status, 201);
  EXPECT_EQ(items[0].error, "");
  EXPECT_EQ(items[1].status, 409);
  EXPECT_EQ(items[1].error, "version_conflict_engine_exception: [2]: version conflict");
  EXPECT_EQ(items[2].error,
            "document_parsing_exception: [1:10] failed to parse field [n] of type [long] "
            "(caused by illegal_argument_exception: For input string: \"x\")");
}

TEST(BulkResponse, NotABulkAnswerIsAnError) {
  std::vector<BulkItemResult> items;
  std::string error;
  EXPECT_FALSE(parse_bulk_response("<html>", items, &error));
  EXPECT_FALSE(parse_bulk_response(R"({"took":1,"errors":false})", items, &error));
  EXPECT_EQ(error, "the _bulk response has no items");
  EXPECT_FALSE(parse_bulk_response(R"({"items":[{"index":{"_id":"x"}}]})", items, &error));
}

TEST(BulkResponse, ErrorSummaries) {
  EXPECT_EQ(es_error_summary(R"({"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"must be terminated"},"status":400})"),
            "illegal_argument_exception: must be terminated");
  EXPECT_EQ(es_error_summary(R"({"error":"Content-Type header [text/plain] is not supported","status":406})"),
            "Content-Type header [text/plain] is not supported");
  EXPECT_EQ(es_error_summary("Bad Gateway\n"), "Bad Gateway ");
}

}  // namespace
}  // namespace logpipe
