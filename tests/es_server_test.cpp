// The local Elasticsearch contract server (tests/tools/es_server) over real
// TCP with libcurl: every captured rsyslog request answered as ES 8 would, then
// one test per contract rule (ES_BULK_CONTRACT.md §1-§4) and per fault knob (§8).
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

using es_fake::EsFakeServer;
using es_fake::Options;

struct HttpAnswer {
  CURLcode code = CURLE_OK;  // not OK: no HTTP answer (refused, reset, ...)
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool has(const std::string& text) const { return body.find(text) != std::string::npos; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

size_t collect_body(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

size_t collect_header(char* p, size_t size, size_t n, void* out) {
  std::string line(p, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    static_cast<HttpAnswer*>(out)->headers.emplace(name, value);
  }
  return size * n;
}

HttpAnswer http(int port, const std::string& method, const std::string& target, const std::string& body = "",
                std::vector<std::string> headers = {"Content-Type: application/x-ndjson"}) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  answer.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

std::string gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);  // 31: gzip wrapper
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class EsServerTest : public ::testing::Test {
 protected:
  void start(Options options = {}) {
    server_ = std::make_unique<EsFakeServer>(options);
    port_ = server_->start();
  }
  void SetUp() override { start(); }
  HttpAnswer bulk(const std::string& body, const std::string& target = "/_bulk",
                  std::vector<std::string> headers = {"Content-Type: application/x-ndjson"}) {
    return http(port_, "POST", target, body, std::move(headers));
  }
  void faults(const std::string& json) { ASSERT_EQ(server_->apply_faults_json(json), ""); }

  std::unique_ptr<EsFakeServer> server_;
  int port_ = 0;
};

const std::string kTwoDocs =
    "{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"message\":\"one\"}\n"
    "{\"index\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"message\":\"two\"}\n";

// ---- captured rsyslog traffic ----

struct CapturedRequest {
  std::string name, method, target, content_type, body;
};

std::vector<CapturedRequest> captured_requests() {
  std::vector<CapturedRequest> out;
  std::filesystem::path root = std::filesystem::path(LOGPIPE_SOURCE_DIR) / "tests/data/es_captures";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".req") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CapturedRequest r;
    r.name = entry.path().parent_path().filename().string() + "/" + entry.path().filename().string();
    size_t head_end = raw.find("\n\n");
    std::istringstream head(raw.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    std::istringstream request_line(line);
    request_line >> r.method >> r.target;
    while (std::getline(head, line))
      if (line.rfind("Content-Type:", 0) == 0) r.content_type = line.substr(14);
    r.body = raw.substr(head_end + 2);
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

TEST_F(EsServerTest, ReplaysEveryCapturedRsyslogRequestAsEs8Answers) {
  std::vector<CapturedRequest> requests = captured_requests();
  ASSERT_EQ(requests.size(), 11u);
  size_t created = 0;
  for (const CapturedRequest& r : requests) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    HttpAnswer a = http(port_, r.method, r.target, r.body, {"Content-Type: " + r.content_type});
    if (r.body.find("\"_type\"") != std::string::npos) {
      // ES 7-style actions: ES 8 refuses the whole request.
      EXPECT_EQ(a.status, 400);
      EXPECT_TRUE(a.has("\"type\":\"illegal_argument_exception\""));
      EXPECT_TRUE(a.has("Action/metadata line [1] contains an unknown parameter [_type]")) << a.body;
    } else {
      // esVersion.major=8: accepted; rsyslog's blank line after each source is no document.
      size_t actions = count(r.body, "{\"create\":");
      EXPECT_EQ(a.status, 200) << a.body;
      EXPECT_TRUE(a.has("\"errors\":false")) << a.body;
      EXPECT_EQ(count(a.body, "\"result\":\"created\",\"_shards\""), actions);
      EXPECT_EQ(count(a.body, "\"status\":201"), actions);
      created += actions;
    }
  }
  EXPECT_EQ(created, 4u);
  es_fake::Stats s = server_->stats();
  EXPECT_EQ(s.docs_by_index["logs-syslog"], 4u);
  EXPECT_EQ(s.requests_by_status[400], 8u);
}

// ---- root ----

TEST_F(EsServerTest, RootDocumentAndProductHeader) {
  HttpAnswer a = http(port_, "GET", "/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.header("x-elastic-product"), "Elasticsearch");
  EXPECT_TRUE(a.has("\"number\":\"8.")) << a.body;
  EXPECT_TRUE(a.has("\"tagline\":\"You Know, for Search\""));
  EXPECT_TRUE(a.has("\"cluster_uuid\":"));
  HttpAnswer head = http(port_, "HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.header("x-elastic-product"), "Elasticsearch");
  EXPECT_EQ(bulk("x\n", "/_bulk").header("x-elastic-product"), "Elasticsearch");
}

// ---- request-level rules ----

TEST_F(EsServerTest, BodyWithoutFinalNewlineIs400) {
  HttpAnswer a = bulk("{\"index\":{\"_index\":\"logs\"}}\n{\"a\":1}");
  EXPECT_EQ(a.status, 400);
  EXPECT_TRUE(a.has("The bulk request must be terminated by a newline [\\\\n]")) << a.body;
  EXPECT_EQ(server_->stats().docs_total, 0u);
}

TEST_F(EsServerTest, ContentTypes) {
  HttpAnswer plain = bulk(kTwoDocs, "/_bulk", {"Content-Type: text/plain"});
  EXPECT_EQ(plain.status, 406);
  EXPECT_EQ(plain.body, "{\"error\":\"Content-Type header [text/plain] is not supported\",\"status\":406}");
  for (const char* type : {"application/json", "application/json; charset=UTF-8", "application/x-ndjson",
                           "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
                           "application/vnd.elasticsearch+json;compatible-with=8"}) {
    EXPECT_EQ(bulk(kTwoDocs, "/_bulk", {std::string("Content-Type: ") + type}).status, 200) << type;
  }
  // Only REST compatibility with 7 lets _type through.
  std::string typed = "{\"index\":{\"_index\":\"logs\",\"_type\":\"_doc\"}}\n{\"a\":1}\n";
  EXPECT_EQ(bulk(typed).status, 400);
  EXPECT_EQ(bulk(typed, "/_bulk", {"Content-Type: application/vnd.elasticsearch+x-ndjson; compatible-with=7"}).status,
            200);
}

TEST_F(EsServerTest, BlankLinesAndCrLfAreTolerated) {
  HttpAnswer a = bulk("\n{\"index\":{\"_index\":\"logs\",\"_id\":\"a\"}}\r\n{\"m\":1}\r\n\r\n\n"
                      "{\"create\":{\"_index\":\"logs\",\"_id\":\"b\"}}\n\n{\"m\":2}\n\n");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(a.has("\"errors\":false"));
  EXPECT_EQ(count(a.body, "\"status\":201"), 2u);
  auto docs = server_->docs("logs");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].source, "{\"m\":1}");
}

TEST_F(EsServerTest, MalformedActionLinesFailTheWholeRequest) {
  struct Case {
    std::string body, reason;
  } cases[] = {
      {"{\"index\":{\"_index\":\"logs\"}\n{\"a\":1}\n", "x_content_parse_exception"},
      {"{\"insert\":{}}\n{\"a\":1}\n",
       "Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [insert]"},
      {"[1]\n", "Malformed action/metadata line [1], expected START_OBJECT but found [START_ARRAY]"},
      {"{\"index\":{\"_index\":\"logs\",\"colour\":\"red\"}}\n{\"a\":1}\n",
       "Action/metadata line [1] contains an unknown parameter [colour]"},
      {kTwoDocs + "{\"index\":{\"_index\":\"logs\",\"_id\":[1]}}\n{}\n",
       "Malformed action/metadata line [5], expected a simple value for field [_id] but found [START_ARRAY]"},
  };
  for (const Case& c : cases) {
    HttpAnswer a = bulk(c.body);
    EXPECT_EQ(a.status, 400) << c.body;
    EXPECT_TRUE(a.has(c.reason)) << a.body;
  }
  EXPECT_EQ(server_->stats().docs_total, 0u);
}

TEST_F(EsServerTest, ActionWithoutItsSourceIs400) {
  HttpAnswer a = bulk(kTwoDocs + "{\"index\":{\"_index\":\"logs\",\"_id\":\"3\"}}\n");
  EXPECT_EQ(a.status, 400);
  EXPECT_TRUE(a.has("action_request_validation_exception"));
  EXPECT_TRUE(a.has("Validation Failed: 1: source is missing;")) << a.body;
  // An action followed by an action: the second one is the first's source, and
  // the real source then fails as an action line (ES pairs by lines).
  HttpAnswer shifted = bulk("{\"index\":{\"_index\":\"logs\"}}\n{\"delete\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n"
                            "{\"message\":\"x\"}\n");
  EXPECT_EQ(shifted.status, 400);
  EXPECT_TRUE(shifted.has("Malformed action/metadata line [3]")) << shifted.body;
  EXPECT_EQ(bulk("\n\n").status, 400);
  EXPECT_TRUE(bulk("\n").has("no requests added"));
}

TEST_F(EsServerTest, PathIndexIsTheDefaultAndAnIndexIsRequired) {
  HttpAnswer a = bulk("{\"index\":{}}\n{\"a\":1}\n{\"index\":{\"_index\":\"other\"}}\n{\"a\":2}\n"
                      "{\"create\":{\"pipeline\":\"p2\"}}\n{\"a\":3}\n",
                      "/from-path/_bulk?pipeline=p1");
  EXPECT_EQ(a.status, 200) << a.body;
  es_fake::Stats s = server_->stats();
  EXPECT_EQ(s.docs_by_index["from-path"], 2u);
  EXPECT_EQ(s.docs_by_index["other"], 1u);
  HttpAnswer none = bulk("{\"index\":{}}\n{\"a\":1}\n{\"index\":{\"_index\":\"x\"}}\n{\"a\":1}\n{\"create\":{}}\n{}\n");
  EXPECT_EQ(none.status, 400);
  EXPECT_TRUE(none.has("Validation Failed: 1: index is missing;2: index is missing;")) << none.body;
}

TEST_F(EsServerTest, GzipBodies) {
  HttpAnswer a = bulk(gzip(kTwoDocs), "/_bulk", {"Content-Type: application/json", "Content-Encoding: gzip"});
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(count(a.body, "\"status\":201"), 2u);
  es_fake::Stats s = server_->stats();
  EXPECT_EQ(s.docs_by_index["logs"], 2u);
  EXPECT_EQ(s.bytes_decoded, kTwoDocs.size());
  EXPECT_LT(s.bytes_received, s.bytes_decoded + 30);
  EXPECT_NE(s.bytes_received, s.bytes_decoded);
}

TEST_F(EsServerTest, ResponseShapeAndFilterPath) {
  HttpAnswer full = bulk(kTwoDocs);
  EXPECT_TRUE(full.has("{\"took\":")) << full.body;
  EXPECT_TRUE(full.has("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\",\"_version\":1,\"result\":\"created\","
                       "\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":0,\"_primary_term\":1,"
                       "\"status\":201}}"))
      << full.body;
  // Logstash's filter: only errors and each item's status / error remain.
  HttpAnswer filtered = bulk(kTwoDocs + "{\"create\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{}\n",
                             "/_bulk?filter_path=errors,items.*.error,items.*.status");
  EXPECT_EQ(filtered.status, 200);
  EXPECT_EQ(filtered.body.substr(0, 56), "{\"errors\":true,\"items\":[{\"index\":{\"status\":200}},{\"index");
  EXPECT_TRUE(filtered.has("{\"create\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\""));
  EXPECT_FALSE(filtered.has("_seq_no"));
  EXPECT_FALSE(filtered.has("took"));
  EXPECT_EQ(bulk(kTwoDocs, "/_bulk?filter_path=took").body.substr(0, 8), "{\"took\":");
  EXPECT_EQ(bulk(kTwoDocs, "/_bulk?filter_path=items.*._id").body,
            "{\"items\":[{\"index\":{\"_id\":\"1\"}},{\"index\":{\"_id\":\"2\"}}]}");
}

// ---- item-level rules ----

TEST_F(EsServerTest, InvalidJsonSourceIsAnItem400) {
  HttpAnswer a = bulk("{\"index\":{\"_index\":\"logs\"}}\n{\"message\":\"ok\"}\n"
                      "{\"index\":{\"_index\":\"logs\"}}\n{\"message\": nope}\n"
                      "{\"index\":{\"_index\":\"logs\"}}\n\"just a string\"\n");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(a.has("\"errors\":true"));
  EXPECT_EQ(count(a.body, "\"status\":400"), 2u);
  EXPECT_TRUE(a.has("\"type\":\"document_parsing_exception\",\"reason\":\"[1:13] failed to parse: Unrecognized "
                    "token 'nope': was expecting"))
      << a.body;
  EXPECT_TRUE(a.has("[1:1] Malformed content, must start with an object"));
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 1u);
}

TEST_F(EsServerTest, InvalidUtf8SourceIsAnItem400) {
  HttpAnswer a = bulk("{\"index\":{\"_index\":\"logs\"}}\n{\"message\":\"caf\xc3\"}\n"
                      "{\"index\":{\"_index\":\"logs\"}}\n{\"message\":\"caf\xc3\xa9\"}\n");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(a.has("[1:17] failed to parse: Invalid UTF-8 middle byte 0x22")) << a.body;
  EXPECT_EQ(count(a.body, "\"status\":201"), 1u);
}

TEST_F(EsServerTest, IndexCreateAndConflicts) {
  bulk(kTwoDocs);
  HttpAnswer a = bulk("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"message\":\"one again\"}\n"
                      "{\"create\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"message\":\"two again\"}\n"
                      "{\"create\":{\"_index\":\"logs\",\"_id\":\"3\"}}\n{\"message\":\"three\"}\n");
  EXPECT_TRUE(a.has("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\",\"_version\":2,\"result\":\"updated\"")) << a.body;
  EXPECT_TRUE(a.has("\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[2]: "
                    "version conflict, document already exists (current version [1])\""));
  EXPECT_TRUE(a.has("\"_id\":\"3\",\"_version\":1,\"result\":\"created\""));
  es_fake::Stats s = server_->stats();
  EXPECT_EQ(s.overwrites, 1u);
  EXPECT_EQ(s.docs_by_index["logs"], 3u);
  EXPECT_EQ(s.items_by_status[409], 1u);
  auto docs = server_->docs("logs");  // in _seq_no order: the overwrite of 1 came after 2
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "2");
  EXPECT_EQ(docs[0].source, "{\"message\":\"two\"}");
  EXPECT_EQ(docs[1].source, "{\"message\":\"one again\"}");
}

TEST_F(EsServerTest, AutoIdsAreTwentyCharactersAndUnique) {
  std::string body;
  for (int i = 0; i < 50; ++i) body += "{\"create\":{\"_index\":\"logs\"}}\n{\"n\":" + std::to_string(i) + "}\n";
  HttpAnswer a = bulk(body);
  EXPECT_EQ(count(a.body, "\"status\":201"), 50u);
  auto docs = server_->docs("logs");
  ASSERT_EQ(docs.size(), 50u);
  for (const auto& d : docs) {
    EXPECT_EQ(d.id.size(), 20u);
    EXPECT_EQ(d.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
  }
}

TEST_F(EsServerTest, UpdateAndDelete) {
  bulk("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"a\":1,\"o\":{\"x\":1}}\n");
  HttpAnswer a = bulk("{\"update\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"doc\":{\"b\":2,\"o\":{\"y\":2}}}\n"
                      "{\"update\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"doc\":{\"b\":2}}\n"
                      "{\"update\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"doc\":{\"c\":3},\"doc_as_upsert\":true}\n"
                      "{\"update\":{\"_index\":\"logs\",\"_id\":\"3\"}}\n{\"doc\":{\"d\":4},\"upsert\":{\"d\":0}}\n"
                      "{\"update\":{\"_index\":\"logs\",\"_id\":\"4\"}}\n{\"doc\":{\"e\":5}}\n"
                      "{\"delete\":{\"_index\":\"logs\",\"_id\":\"3\"}}\n"
                      "{\"delete\":{\"_index\":\"logs\",\"_id\":\"5\"}}\n");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(a.has("\"_id\":\"1\",\"_version\":2,\"result\":\"updated\""));
  EXPECT_TRUE(a.has("\"_id\":\"1\",\"_version\":2,\"result\":\"noop\""));
  EXPECT_TRUE(a.has("\"_id\":\"2\",\"_version\":1,\"result\":\"created\""));
  EXPECT_TRUE(a.has("\"_id\":\"4\",\"status\":404,\"error\":{\"type\":\"document_missing_exception\",\"reason\":"
                    "\"[4]: document missing\""))
      << a.body;
  EXPECT_TRUE(a.has("\"_id\":\"3\",\"_version\":2,\"result\":\"deleted\""));
  EXPECT_TRUE(a.has("{\"delete\":{\"_index\":\"logs\",\"_id\":\"5\",\"_version\":1,\"result\":\"not_found\""));
  auto docs = server_->docs("logs");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].source, "{\"a\":1,\"o\":{\"x\":1,\"y\":2},\"b\":2}");
  EXPECT_EQ(docs[1].source, "{\"c\":3}");
  // A malformed update body fails the whole request (ES parses it with the request).
  EXPECT_EQ(bulk("{\"update\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"dock\":{}}\n").status, 400);
  EXPECT_TRUE(bulk("{\"update\":{\"_index\":\"logs\"}}\n{\"doc\":{}}\n").has("id is missing"));
}

TEST_F(EsServerTest, InvalidIndexNamesAreItem400) {
  const char* names[] = {"Logs", "lo gs", "a*b", "_logs", "-logs", "+logs", ".", "..", "a#b", "a\\\\b", "a,b"};
  std::string body;
  for (const char* n : names) body += std::string("{\"index\":{\"_index\":\"") + n + "\"}}\n{}\n";
  body += "{\"index\":{\"_index\":\".ok-index\"}}\n{}\n";
  HttpAnswer a = bulk(body);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(count(a.body, "invalid_index_name_exception"), 11u) << a.body;
  EXPECT_TRUE(a.has("\"reason\":\"Invalid index name [Logs], must be lowercase\",\"index_uuid\":\"_na_\""));
  EXPECT_TRUE(a.has("Invalid index name [_logs], must not start with '_', '-', or '+'"));
  EXPECT_TRUE(a.has("Invalid index name [..], must not be '.' or '..'"));
  EXPECT_EQ(count(a.body, "\"status\":201"), 1u);
}

// ---- templates ----

TEST_F(EsServerTest, ComposableAndLegacyTemplates) {
  std::vector<std::string> json = {"Content-Type: application/json"};
  std::string body = "{\"index_patterns\":[\"logs-*\"],\"template\":{\"settings\":{\"number_of_shards\":1}}}";
  EXPECT_EQ(http(port_, "HEAD", "/_index_template/logs").status, 404);
  HttpAnswer missing = http(port_, "GET", "/_index_template/logs");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.has("\"type\":\"resource_not_found_exception\",\"reason\":\"index template matching [logs] not found\""));
  HttpAnswer put = http(port_, "PUT", "/_index_template/logs", body, json);
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(put.body, "{\"acknowledged\":true}");
  EXPECT_EQ(http(port_, "HEAD", "/_index_template/logs").status, 200);
  EXPECT_EQ(http(port_, "GET", "/_index_template/logs").body,
            "{\"index_templates\":[{\"name\":\"logs\",\"index_template\":" + body + "}]}");
  EXPECT_EQ(http(port_, "PUT", "/_index_template/logs?create=true", body, json).status, 400);
  EXPECT_EQ(http(port_, "PUT", "/_index_template/bad", "{not json", json).status, 400);
  EXPECT_EQ(http(port_, "PUT", "/_index_template/bad", body, {"Content-Type: text/plain"}).status, 406);

  std::string legacy = "{\"index_patterns\":[\"old-*\"],\"order\":0}";
  EXPECT_EQ(http(port_, "HEAD", "/_template/old").status, 404);
  EXPECT_EQ(http(port_, "PUT", "/_template/old", legacy, json).status, 200);
  EXPECT_EQ(http(port_, "GET", "/_template/old").body, "{\"old\":" + legacy + "}");
  EXPECT_EQ(server_->index_templates().count("logs"), 1u);
  EXPECT_EQ(server_->legacy_templates().count("old"), 1u);
  EXPECT_TRUE(server_->stats_json().find("\"templates\":{\"index_templates\":[\"logs\"],\"legacy_templates\":[\"old\"]}") !=
              std::string::npos);
  EXPECT_EQ(http(port_, "DELETE", "/_template/old").status, 200);
  EXPECT_EQ(http(port_, "DELETE", "/_template/old").status, 404);
  EXPECT_EQ(http(port_, "DELETE", "/_index_template/logs").status, 200);
  EXPECT_EQ(http(port_, "GET", "/_index_template/logs").status, 404);
}

// ---- faults ----

TEST_F(EsServerTest, EveryNthItemGetsAStatusWithinItsLimit) {
  faults(R"({"item_rules":[{"every_nth":2,"status":429,"limit":2}]})");
  std::string body;
  for (int i = 1; i <= 6; ++i) body += "{\"index\":{\"_index\":\"logs\",\"_id\":\"" + std::to_string(i) + "\"}}\n{}\n";
  HttpAnswer a = bulk(body);
  EXPECT_TRUE(a.has("\"errors\":true"));
  EXPECT_EQ(count(a.body, "\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\""), 2u) << a.body;
  EXPECT_TRUE(a.has("\"_id\":\"2\",\"status\":429"));
  EXPECT_TRUE(a.has("\"_id\":\"4\",\"status\":429"));
  EXPECT_TRUE(a.has("\"_id\":\"6\",\"_version\":1"));
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 4u);  // rejected items are not indexed
  EXPECT_EQ(server_->faults().item_rules[0].fired, 2u);
}

TEST_F(EsServerTest, ItemsWithAFieldValueGetAMappingError) {
  faults(R"({"item_rules":[{"field":"user.id","value":"bad","status":400},{"id":"x9","status":503}]})");
  HttpAnswer a = bulk("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"user\":{\"id\":\"bad\"}}\n"
                      "{\"index\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"user\":{\"id\":\"good\"}}\n"
                      "{\"index\":{\"_index\":\"logs\",\"_id\":\"x9\"}}\n{}\n");
  EXPECT_TRUE(a.has("\"_id\":\"1\",\"status\":400,\"error\":{\"type\":\"document_parsing_exception\",\"reason\":\"[1:2] "
                    "failed to parse field [user.id]"))
      << a.body;
  EXPECT_TRUE(a.has("\"_id\":\"2\",\"_version\":1"));
  EXPECT_TRUE(a.has("\"_id\":\"x9\",\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\""));
}

TEST_F(EsServerTest, WholeRequestStatusSequenceThenNormal) {
  faults(R"({"request_statuses":[429,429,503]})");
  HttpAnswer first = bulk(kTwoDocs);
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.body,
            "{\"error\":{\"root_cause\":[{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution "
            "of coordinating operation\"}],\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected "
            "execution of coordinating operation\"},\"status\":429}");
  EXPECT_EQ(bulk(kTwoDocs).status, 429);
  EXPECT_EQ(bulk(kTwoDocs).status, 503);
  EXPECT_EQ(bulk(kTwoDocs).status, 200);
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 2u);
  EXPECT_EQ(http(port_, "GET", "/").status, 200);  // only bulk requests consume the sequence
}

TEST_F(EsServerTest, EveryNthRequestStatus) {
  faults(R"({"every_nth_request":{"n":3,"status":502}})");
  std::vector<long> statuses;
  for (int i = 0; i < 6; ++i) statuses.push_back(bulk(kTwoDocs).status);
  EXPECT_EQ(statuses, (std::vector<long>{200, 200, 502, 200, 200, 502}));
}

TEST_F(EsServerTest, BodiesAboveMaxContentLengthAre413) {
  server_->stop();
  Options o;
  o.max_content_length = 100;
  start(o);
  EXPECT_EQ(bulk(kTwoDocs).status, 413);
  EXPECT_EQ(bulk("{\"index\":{\"_index\":\"a\"}}\n{}\n").status, 200);
  faults(R"({"max_content_length":10})");
  EXPECT_EQ(bulk("{\"index\":{\"_index\":\"a\"}}\n{}\n").status, 413);
  EXPECT_EQ(server_->stats().requests_by_status[413], 2u);
}

TEST_F(EsServerTest, AddedLatency) {
  faults(R"({"latency_ms":300})");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(bulk(kTwoDocs).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
  faults(R"({"latency_ms":0})");
  t0 = std::chrono::steady_clock::now();
  bulk(kTwoDocs);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
}

TEST_F(EsServerTest, ConnectionResetBeforeStore) {
  faults(R"({"reset":{"next":1}})");
  HttpAnswer a = bulk(kTwoDocs);
  EXPECT_NE(a.code, CURLE_OK);  // no HTTP answer at all
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(server_->stats().docs_total, 0u);
  EXPECT_EQ(server_->stats().connection_resets, 1u);
  EXPECT_EQ(bulk(kTwoDocs).status, 200);  // only the next one
  EXPECT_EQ(server_->stats().docs_total, 2u);
}

TEST_F(EsServerTest, ConnectionResetAfterStoreMakesDuplicatesOnResend) {
  faults(R"({"reset":{"next":1,"after_store":true}})");
  std::string auto_ids = "{\"index\":{\"_index\":\"logs\"}}\n{\"m\":1}\n{\"index\":{\"_index\":\"logs\"}}\n{\"m\":2}\n";
  HttpAnswer lost = bulk(auto_ids);
  EXPECT_NE(lost.code, CURLE_OK);
  EXPECT_EQ(server_->stats().docs_total, 2u);  // stored although the client saw no answer
  EXPECT_EQ(bulk(auto_ids).status, 200);       // the client's retry
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 4u);
}

TEST_F(EsServerTest, EveryNthRequestIsReset) {
  faults(R"({"reset":{"every_nth":2}})");
  EXPECT_EQ(bulk(kTwoDocs).code, CURLE_OK);
  EXPECT_NE(bulk(kTwoDocs).code, CURLE_OK);
  EXPECT_EQ(bulk(kTwoDocs).code, CURLE_OK);
  EXPECT_NE(bulk(kTwoDocs).code, CURLE_OK);
}

TEST_F(EsServerTest, RefusedConnectionsThenListeningAgainOnTheSamePort) {
  HttpAnswer ok = http(port_, "POST", "/_fake/faults", R"({"refuse_ms":400})", {"Content-Type: application/json"});
  EXPECT_EQ(ok.status, 200);  // the asking connection still gets its answer
  HttpAnswer refused = http(port_, "GET", "/");
  EXPECT_EQ(refused.code, CURLE_COULDNT_CONNECT);
  EXPECT_TRUE(server_->refusing());
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(http(port_, "GET", "/").status, 200);
  // Until told.
  server_->refuse_connections(std::chrono::milliseconds(-1));
  EXPECT_EQ(bulk(kTwoDocs).code, CURLE_COULDNT_CONNECT);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(bulk(kTwoDocs).code, CURLE_COULDNT_CONNECT);
  server_->resume_listening();
  for (int i = 0; i < 100 && server_->refusing(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(bulk(kTwoDocs).status, 200);
}

TEST_F(EsServerTest, OneItemFewerForOneResponse) {
  faults(R"({"short_items_next":1})");
  HttpAnswer a = bulk(kTwoDocs);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(count(a.body, "\"status\":"), 1u) << a.body;
  EXPECT_EQ(server_->stats().docs_total, 2u);  // both stored, one answer missing
  EXPECT_EQ(count(bulk(kTwoDocs).body, "\"status\":"), 2u);
}

TEST_F(EsServerTest, FaultsApiOverHttpAndReset) {
  std::vector<std::string> json = {"Content-Type: application/json"};
  HttpAnswer bad = http(port_, "POST", "/_fake/faults", R"({"latency":5})", json);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.has("unknown key latency"));
  EXPECT_EQ(http(port_, "POST", "/_fake/faults", R"({"item_rules":[{"status":429}]})", json).status, 400);
  HttpAnswer set = http(port_, "POST", "/_fake/faults", R"({"request_statuses":[503],"latency_ms":1})", json);
  EXPECT_EQ(set.status, 200);
  EXPECT_TRUE(set.has("\"request_statuses\":[503]")) << set.body;
  EXPECT_TRUE(http(port_, "GET", "/_fake/faults").has("\"latency_ms\":1"));
  // Keys absent from a later body are kept.
  http(port_, "POST", "/_fake/faults", R"({"short_items_next":0})", json);
  EXPECT_EQ(server_->faults().request_statuses.size(), 1u);
  bulk(kTwoDocs);
  EXPECT_EQ(http(port_, "POST", "/_fake/reset", "", json).status, 200);
  EXPECT_EQ(server_->faults().latency_ms, 0);
  EXPECT_EQ(server_->stats().requests, 0u);
  EXPECT_EQ(bulk(kTwoDocs).status, 200);
}

// ---- credentials ----

TEST_F(EsServerTest, CredentialsAreRequiredWhenConfigured) {
  server_->stop();
  Options o;
  o.basic_auth = "elastic:changeme";
  o.api_key = "key-id:key-secret";
  start(o);
  HttpAnswer none = bulk(kTwoDocs);
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(none.has("\"type\":\"security_exception\",\"reason\":\"missing authentication credentials for REST "
                       "request [/_bulk]\""))
      << none.body;
  EXPECT_EQ(none.header("www-authenticate").rfind("Basic realm=\"security\"", 0), 0u);
  EXPECT_EQ(none.headers.count("www-authenticate"), 2u);
  HttpAnswer wrong = bulk(kTwoDocs, "/_bulk", {"Content-Type: application/json", "Authorization: Basic ZWxhc3RpYzp4"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(wrong.has("unable to authenticate user [elastic] for REST request [/_bulk]"));
  // elastic:changeme and key-id:key-secret
  EXPECT_EQ(bulk(kTwoDocs, "/_bulk", {"Content-Type: application/json", "Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="})
                .status,
            200);
  EXPECT_EQ(bulk(kTwoDocs, "/_bulk",
                 {"Content-Type: application/json", "Authorization: ApiKey a2V5LWlkOmtleS1zZWNyZXQ="})
                .status,
            200);
  EXPECT_EQ(http(port_, "GET", "/").status, 401);
  EXPECT_EQ(http(port_, "GET", "/_fake/stats").status, 200);  // the control API needs no credentials
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 2u);
}

// ---- introspection ----

TEST_F(EsServerTest, StatsDocsAndRequestLog) {
  bulk(kTwoDocs);
  const std::string conflict = "{\"create\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{}\n";
  bulk(conflict, "/_bulk?refresh=false",
       {"Content-Type: application/json", "X-Trace: t1"});
  bulk("no newline");
  HttpAnswer stats = http(port_, "GET", "/_fake/stats");
  EXPECT_EQ(stats.status, 200);
  EXPECT_TRUE(stats.has("\"requests\":{\"total\":3,\"by_status\":{\"200\":2,\"400\":1}}")) << stats.body;
  EXPECT_TRUE(stats.has("\"items\":{\"total\":3,\"by_status\":{\"201\":2,\"409\":1}}"));
  EXPECT_TRUE(stats.has("\"docs\":{\"total\":2,\"by_index\":{\"logs\":2}}"));
  EXPECT_TRUE(stats.has("\"overwrites\":0"));
  EXPECT_TRUE(stats.has("\"bytes_received\":" + std::to_string(kTwoDocs.size() + conflict.size() + 10)));

  HttpAnswer docs = http(port_, "GET", "/_fake/docs/logs");
  EXPECT_EQ(docs.body, "{\"_id\":\"1\",\"_version\":1,\"_source\":{\"message\":\"one\"}}\n"
                       "{\"_id\":\"2\",\"_version\":1,\"_source\":{\"message\":\"two\"}}\n");
  EXPECT_EQ(http(port_, "GET", "/_fake/docs/none").body, "");

  HttpAnswer log = http(port_, "GET", "/_fake/requests?last=2");
  EXPECT_EQ(count(log.body, "\"method\":\"POST\""), 2u) << log.body;
  EXPECT_TRUE(log.has("\"path\":\"/_bulk?refresh=false\""));
  EXPECT_TRUE(log.has("\"X-Trace\":\"t1\""));
  EXPECT_TRUE(log.has("\"body\":\"no newline\",\"body_truncated\":false,\"status\":400"));
  auto recent = server_->recent_requests(10);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].body, kTwoDocs);
  EXPECT_EQ(recent[0].status, 200);
}

TEST_F(EsServerTest, IdsAndCountStoresForBenchmarks) {
  server_->stop();
  Options o;
  o.store = es_fake::StoreMode::kIds;
  start(o);
  bulk(kTwoDocs);
  EXPECT_TRUE(bulk("{\"create\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{}\n").has("\"status\":409"));
  EXPECT_EQ(server_->docs("logs")[0].source, "");
  server_->stop();
  o.store = es_fake::StoreMode::kCount;
  start(o);
  bulk(kTwoDocs);
  EXPECT_TRUE(bulk(kTwoDocs).has("\"errors\":false"));
  EXPECT_EQ(server_->stats().docs_by_index["logs"], 4u);
  EXPECT_TRUE(server_->docs("logs").empty());
}

}  // namespace
}  // namespace logpipe
