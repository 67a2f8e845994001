// `logpipe sandbox --http`: the real binary serving its page, asked over
// HTTP as the page's script asks, and the page itself in Debian's headless
// Chromium driven by playwright-core (an npm client written by others),
// which types a pattern and lines and reads what the page rendered.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/logpipe_process.h"

namespace logpipe {
namespace {

const std::string kPlaywright = LOGPIPE_SOURCE_DIR "/.tools/npm/node_modules/playwright-core";
const char* const kChromium = "/usr/bin/chromium";

const char* const kFilter = R"(input { kafka { topics => ["team"] } }
filter {
  grok { match => { "message" => "%{IP:client} %{WORD:verb} %{NUMBER:status}" } }
}
output { elasticsearch { hosts => ["es:9200"] } }
)";

Value parse(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(text, &v, &error)) << error << "\n" << text;
  return v;
}

const Value& at(const Value& v, std::string_view key) {
  static const Value missing;
  const Value* m = v.is_object() ? v.as_object().find(key) : nullptr;
  return m ? *m : missing;
}

class SandboxPage : public testing::TempDirTest {
 protected:
  SandboxPage() : TempDirTest("sandbox_page") {}

  void SetUp() override {
    TempDirTest::SetUp();
    config_ = path("filter.conf");
    std::ofstream(config_) << kFilter;
    std::ofstream(path("samples.log")) << "10.1.2.3 GET 200\n";
    // Through sh so stdout goes to a file the test can poll for the URL.
    std::string command = "exec '" + testing::logpipe_binary() + "' sandbox -f '" + config_ +
                          "' --http 127.0.0.1:0 '" + path("samples.log") + "' >'" +
                          path("stdout") + "' 2>'" + path("stderr") + "'";
    server_ = std::make_unique<testing::Subprocess>(std::vector<std::string>{"/bin/sh", "-c", command});
    std::regex url(R"(logpipe sandbox: (http://127\.0\.0\.1:(\d+)/))");
    ASSERT_TRUE(testing::wait_until(
        [&] {
          std::smatch m;
          std::string out = testing::read_text_file(path("stdout"));
          if (!std::regex_search(out, m, url)) return false;
          url_ = m[1];
          port_ = std::stoi(m[2]);
          return true;
        },
        std::chrono::seconds(20), std::chrono::milliseconds(50)))
        << testing::read_text_file(path("stderr"));
  }
  void TearDown() override {
    if (server_) server_->signal(SIGKILL);
    TempDirTest::TearDown();
  }

  Value run(const std::string& config, const std::string& samples) {
    httplib::Client client("127.0.0.1", port_);
    Object body;
    body.set("config", Value(config));
    body.set("samples", Value(samples));
    auto res = client.Post("/api/run", to_json(Value(std::move(body))), "application/json");
    EXPECT_TRUE(res);
    if (!res) return Value();
    EXPECT_EQ(res->status, 200) << res->body;
    return parse(res->body);
  }

  std::string config_, url_;
  int port_ = 0;
  std::unique_ptr<testing::Subprocess> server_;
};

TEST_F(SandboxPage, ServesThePageAndTheStartingConfigAndSamples) {
  httplib::Client client("127.0.0.1", port_);
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<script src=\"/sandbox.js\""), std::string::npos);
  // Everything the page needs comes from this server.
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"), "default-src 'self'");
  for (const char* asset : {"/sandbox.js", "/sandbox.css"}) {
    auto res = client.Get(asset);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << asset;
    EXPECT_GT(res->body.size(), 500u) << asset;
  }
  auto session = client.Get("/api/session");
  ASSERT_TRUE(session);
  Value s = parse(session->body);
  EXPECT_EQ(at(s, "config").as_string(), kFilter);
  EXPECT_EQ(at(s, "config_name").as_string(), config_);
  EXPECT_EQ(at(s, "samples").as_string(), "10.1.2.3 GET 200\n");
  EXPECT_EQ(at(s, "codec").as_string(), "line");
}

TEST_F(SandboxPage, RunsTheFiltersAndSaysWhereGrokStopped) {
  // The config's kafka input and elasticsearch output are set aside, as on
  // the terminal: only the filter runs.
  Value answer = run(kFilter, "10.1.2.3 GET 200\n10.1.2.4 GET abc\n");
  ASSERT_TRUE(at(answer, "compiled").as_bool()) << to_json(answer);
  const Array& events = at(answer, "events").as_array();
  ASSERT_EQ(events.size(), 2u);
  const Value& first = at(events[0], "event");
  EXPECT_EQ(at(first, "client").as_string(), "10.1.2.3");
  EXPECT_EQ(at(first, "status").as_string(), "200");
  EXPECT_TRUE(at(at(events[0], "grok").as_array().at(0), "matched").as_bool());
  const Value& report = at(events[1], "grok").as_array().at(0);
  EXPECT_FALSE(at(report, "matched").as_bool());
  const Value& failure = at(report, "failures").as_array().at(0);
  EXPECT_EQ(at(failure, "match_begin").as_int(), 0);
  EXPECT_EQ(at(failure, "stop").as_int(), 13);  // "10.1.2.4 GET " matched, "abc" is no NUMBER
  EXPECT_EQ(at(at(answer, "summary"), "events_out").as_int(), 2);
  EXPECT_EQ(at(at(at(answer, "summary"), "failures"), "_grokparsefailure").as_int(), 1);
}

TEST_F(SandboxPage, AConfigErrorSaysLineAndColumn) {
  Value answer = run("filter {\n  grok { match => }\n}\n", "x\n");
  EXPECT_FALSE(at(answer, "compiled").as_bool());
  ASSERT_FALSE(at(answer, "errors").as_array().empty()) << to_json(answer);
  EXPECT_EQ(at(answer, "errors").as_array()[0].as_string().rfind(config_ + ":2:", 0), 0u)
      << to_json(answer);
}

TEST_F(SandboxPage, RefusesOtherHostNamesAndNonJsonPosts) {
  httplib::Client client("127.0.0.1", port_);
  auto rebound = client.Get("/api/session", {{"Host", "sandbox.attacker.example"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  auto form = client.Post("/api/run", "config=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  auto localhost = client.Get("/api/session", {{"Host", "localhost:" + std::to_string(port_)}});
  ASSERT_TRUE(localhost);
  EXPECT_EQ(localhost->status, 200);
}

TEST_F(SandboxPage, StopsOnSigterm) {
  server_->signal(SIGTERM);
  EXPECT_EQ(server_->finish(10), 0) << testing::read_text_file(path("stderr"));
  server_.reset();
}

// The page in a real browser: playwright-core launches Debian's chromium
// headless, the script types a grok pattern into the config and two lines
// into the samples, waits until the page shows the answer to the last edit
// and prints what it rendered as JSON. A screenshot is kept under build/.
std::string browser_script(const std::string& url, const std::string& screenshot) {
  return "const { chromium } = require('" + kPlaywright + "');\n" +
         "const url = '" + url + "', shot = '" + screenshot + "';\n" + R"JS(
const filter = 'filter {\n  grok { match => { "message" => "%{IP:client} %{WORD:verb} %{NUMBER:bytes:int}" } }\n}\n';
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const settled = () => page.waitForFunction(() => {
    const d = document.body.dataset;
    return d.sent && !d.pending && d.run === d.sent;
  }, null, { timeout: 15000 });
  await page.goto(url);
  await settled();
  const initial = await page.locator('.event').count();
  await page.fill('#config', '');
  await page.type('#config', filter);
  await page.fill('#samples', '');
  await page.type('#samples', '192.168.0.7 POST 512\n192.168.0.8 POST x512\nnothing here\nüber 10.0.0.1 GET x\n');
  await settled();
  const events = await page.$$eval('.event', (cards) => cards.map((card) => ({
    fields: Object.fromEntries([...card.querySelectorAll('tr[data-field]')].map(
        (r) => [r.dataset.field, r.querySelector('td.value').textContent])),
    failureTags: [...card.querySelectorAll('.tag.failure')].map((t) => t.textContent),
    matched: !!card.querySelector('.grok-matched'),
    lines: [...card.querySelectorAll('.grok-line')].map((l) => ({
      stop: Number(l.dataset.stop), before: l.querySelector('.before').textContent,
      matched: l.querySelector('.matched').textContent, rest: l.querySelector('.rest').textContent,
      markVisible: l.querySelector('.stop-mark').getBoundingClientRect().width > 0 })),
  })));
  const status = await page.textContent('#status');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ initial, events, status }));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
)JS";
}

TEST_F(SandboxPage, ChromiumShowsFieldsAndWhereAFailingLineStopped) {
  if (::access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed: scripts/deps installs it";
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << "chromium is not installed: scripts/deps installs it";
  if (::access((kPlaywright + "/package.json").c_str(), R_OK) != 0)
    GTEST_SKIP() << "playwright-core is not installed at " << kPlaywright << ": run scripts/deps";
  std::string artifacts = std::filesystem::path(LOGPIPE_BINARY).parent_path() / "test-artifacts";
  std::filesystem::create_directories(artifacts);
  std::string screenshot = artifacts + "/sandbox_page.png";
  std::filesystem::remove(screenshot);
  std::ofstream(path("page.js")) << browser_script(url_, screenshot);
  testing::Subprocess node({"/usr/bin/node", path("page.js")});
  ASSERT_EQ(node.finish(90), 0) << node.err() << node.out();
  Value shown = parse(node.out());
  EXPECT_EQ(at(shown, "initial").as_int(), 1);  // the sample file the server started with
  const Array& events = at(shown, "events").as_array();
  ASSERT_EQ(events.size(), 4u) << node.out();

  const Value& ok = events[0];
  EXPECT_TRUE(at(ok, "matched").as_bool());
  EXPECT_EQ(at(at(ok, "fields"), "client").as_string(), "192.168.0.7");
  EXPECT_EQ(at(at(ok, "fields"), "bytes").as_string(), "512");  // :int, shown as JSON
  EXPECT_TRUE(at(ok, "failureTags").as_array().empty());

  // "192.168.0.8 POST " matched; "x512" is no NUMBER: stopped at byte 17.
  const Value& partial = events[1];
  EXPECT_FALSE(at(partial, "matched").as_bool());
  ASSERT_EQ(at(partial, "lines").as_array().size(), 1u) << to_json(partial);
  const Value& stopped = at(partial, "lines").as_array()[0];
  EXPECT_EQ(at(stopped, "stop").as_int(), 17);
  EXPECT_EQ(at(stopped, "before").as_string(), "");
  EXPECT_EQ(at(stopped, "matched").as_string(), "192.168.0.8 POST ");
  EXPECT_EQ(at(stopped, "rest").as_string(), "x512");
  // The third line has no IP anywhere: nothing matched, stopped at 0.
  const Value& none = events[2];
  EXPECT_FALSE(at(none, "matched").as_bool());
  ASSERT_EQ(at(none, "failureTags").as_array().size(), 1u);
  EXPECT_EQ(at(none, "failureTags").as_array()[0].as_string(), "_grokparsefailure");
  const Value& line = at(none, "lines").as_array().at(0);
  EXPECT_EQ(at(line, "stop").as_int(), 0);
  EXPECT_EQ(at(line, "matched").as_string(), "");
  EXPECT_EQ(at(line, "rest").as_string(), "nothing here");
  EXPECT_TRUE(at(line, "markVisible").as_bool());
  // Offsets are bytes of UTF-8; the page cuts the line at characters.
  const Value& accented = at(events[3], "lines").as_array().at(0);
  EXPECT_EQ(at(accented, "stop").as_int(), 19);
  EXPECT_EQ(at(accented, "before").as_string(), "über ");
  EXPECT_EQ(at(accented, "matched").as_string(), "10.0.0.1 GET ");
  EXPECT_EQ(at(accented, "rest").as_string(), "x");
  EXPECT_NE(at(shown, "status").as_string().find("4 events"), std::string::npos);

  std::ifstream png(screenshot, std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG") << screenshot;
}

}  // namespace
}  // namespace logpipe
