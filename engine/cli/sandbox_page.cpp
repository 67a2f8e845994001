#include "engine/cli/sandbox_page.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "engine/cli/sandbox_run.h"
#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

// An address a browser names directly: a DNS name other than localhost
// could be rebound to 127.0.0.1 by someone else's page.
bool trusted_host_header(const std::string& host_header) {
  std::string host = host_header;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
    return host.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
  }
  host = host.substr(0, host.find(':'));
  if (host == "localhost") return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

std::string string_member(const Object& o, std::string_view key, std::string fallback = "") {
  const Value* v = o.find(key);
  return v && v->is_string() ? v->as_string() : fallback;
}

std::string error_json(const std::string& message) {
  Object o;
  o.set("error", Value(message));
  return to_json(Value(std::move(o)));
}

// One /api/run: the page's config and samples through run_sandbox.
std::string run_json(const Object& body, const SandboxPageOptions& options) {
  SandboxRequest request;
  request.configs.push_back(
      {options.config_name, string_member(body, "config", options.config_text)});
  request.codec = string_member(body, "codec", options.codec);
  request.samples.push_back(string_member(body, "samples"));
  Array events;
  auto began = std::chrono::steady_clock::now();
  SandboxOutcome outcome =
      run_sandbox(request, [&](const Event& e, const std::vector<Value>* grok) {
        if (events.size() >= options.max_events_shown) return;
        Object shown;
        shown.set("event", sandbox_event_value(e));
        Array reports;
        if (grok)
          for (const Value& r : *grok) {
            Value copy = r;
            copy.as_object().erase("diagnosis_ns");
            reports.push_back(std::move(copy));
          }
        shown.set("grok", Value(std::move(reports)));
        events.push_back(Value(std::move(shown)));
      });
  double took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  Object out;
  out.set("compiled", Value(outcome.compiled));
  Array errors;
  for (auto& e : outcome.errors) errors.push_back(Value(e));
  out.set("errors", Value(std::move(errors)));
  out.set("events_shown", Value(uint64_t{events.size()}));
  out.set("events", Value(std::move(events)));
  out.set("summary", outcome.summary);
  out.set("took_ms", Value(took_ms));
  return to_json(Value(std::move(out)));
}

}  // namespace

bool parse_http_address(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  std::string port_text = colon == std::string::npos ? text : text.substr(colon + 1);
  std::string host_text = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
  if (host_text.size() > 1 && host_text.front() == '[' && host_text.back() == ']')
    host_text = host_text.substr(1, host_text.size() - 2);
  if (host_text.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  int p = std::stoi(port_text);
  if (p > 65535) return false;
  *host = host_text;
  *port = p;
  return true;
}

int serve_sandbox_page(const SandboxPageOptions& options) {
  // SIGINT and SIGTERM go to one thread that stops the server; the server's
  // threads, started after this, inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server server;
  std::mutex run_mutex;  // one run at a time: the engine is not the bottleneck here
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (trusted_host_header(req.get_header_value("Host"))) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 403;
    res.set_content(error_json("this sandbox answers only to 127.0.0.1, localhost or an IP address"),
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  auto asset = [&server](const char* path, const char* body, const char* type) {
    server.Get(path, [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy", "default-src 'self'");
      res.set_header("Cache-Control", "no-store");
      res.set_content(body, type);
    });
  };
  asset("/", kSandboxPageHtml, "text/html; charset=utf-8");
  asset("/sandbox.js", kSandboxPageJs, "text/javascript; charset=utf-8");
  asset("/sandbox.css", kSandboxPageCss, "text/css; charset=utf-8");
  server.Get("/api/session", [&options](const httplib::Request&, httplib::Response& res) {
    Object o;
    o.set("config_name", Value(options.config_name));
    o.set("config", Value(options.config_text));
    o.set("samples", Value(options.samples_text));
    o.set("codec", Value(options.codec));
    res.set_content(to_json(Value(std::move(o))), "application/json");
  });
  server.Post("/api/run", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      res.status = 415;
      res.set_content(error_json("POST /api/run takes application/json"), "application/json");
      return;
    }
    Value body;
    std::string error;
    if (!parse_json(req.body, &body, &error) || !body.is_object()) {
      res.status = 400;
      res.set_content(error_json("the request is not a JSON object: " + error), "application/json");
      return;
    }
    std::lock_guard<std::mutex> lock(run_mutex);
    res.set_content(run_json(body.as_object(), options), "application/json");
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "logpipe sandbox: cannot listen on %s:%d\n", options.host.c_str(),
                 options.port);
    return 1;
  }
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
  });
  bool v6 = options.host.find(':') != std::string::npos;
  std::printf("logpipe sandbox: http://%s%s%s:%d/\n", v6 ? "[" : "", options.host.c_str(),
              v6 ? "]" : "", port);
  std::fflush(stdout);
  server.listen_after_bind();
  pthread_kill(stopper.native_handle(), SIGTERM);  // when listening ended some other way
  stopper.join();
  return 0;
}

}  // namespace logpipe
