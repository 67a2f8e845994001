// logpipe-es-server: the local Elasticsearch `_bulk` contract server
// (tests/tools/es_server) in a process of its own, for scripts and benchmarks.
//
//   logpipe-es-server --port 0 --store ids          # prints "port NNNN"
//   curl -XPOST localhost:NNNN/_fake/faults -H 'Content-Type: application/json'
//        -d '{"request_statuses":[429,429]}'
//
// Fault flags set the same knobs as POST /_fake/faults at start. SIGINT/SIGTERM
// stop the server; SIGUSR1 ends a refusal started with "refuse_ms": -1.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "tests/tools/es_server/es_fake_server.h"

namespace {

using logpipe::es_fake::EsFakeServer;
using logpipe::es_fake::Options;

struct Flag {
  const char* name;
  const char* arg;   // nullptr: no argument
  const char* help;
  std::function<bool(const std::string&)> apply;
};

// "N:S" -> {N, S}.
bool split_pair(const std::string& v, char sep, std::string& a, std::string& b) {
  size_t at = v.rfind(sep);
  if (at == std::string::npos || at == 0 || at + 1 == v.size()) return false;
  a = v.substr(0, at);
  b = v.substr(at + 1);
  return true;
}

bool is_number(const std::string& s, bool allow_negative = false) {
  if (s.empty()) return false;
  size_t start = allow_negative && s[0] == '-' ? 1 : 0;
  if (start == s.size()) return false;
  for (size_t i = start; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// "N:STATUS" of the every-Nth flags.
bool every_nth(const std::string& v, std::string& n, std::string& status) {
  return split_pair(v, ':', n, status) && is_number(n) && is_number(status);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string port_file;
  std::vector<std::string> fault_json;  // fragments of one /_fake/faults body
  std::vector<std::string> item_rules;

  std::vector<Flag> flags = {
      {"--host", "ADDR", "address to listen on (default 127.0.0.1)",
       [&](const std::string& v) { return options.host = v, true; }},
      {"--port", "N", "port; 0 = any free one (printed as \"port N\")",
       [&](const std::string& v) { return is_number(v) && (options.port = std::stoi(v), true); }},
      {"--port-file", "FILE", "also write the port to FILE", [&](const std::string& v) { return port_file = v, true; }},
      {"--store", "full|ids|count", "what is kept per document (default full)",
       [&](const std::string& v) { return logpipe::es_fake::parse_store_mode(v, options.store); }},
      {"--max-content-length", "BYTES", "larger bodies get 413 (default 104857600)",
       [&](const std::string& v) { return is_number(v) && (options.max_content_length = std::stoull(v), true); }},
      {"--user", "USER:PASSWORD", "require these Basic credentials",
       [&](const std::string& v) { return v.find(':') != std::string::npos && (options.basic_auth = v, true); }},
      {"--api-key", "ID:KEY", "accept (and require) this API key",
       [&](const std::string& v) { return v.find(':') != std::string::npos && (options.api_key = v, true); }},
      {"--tls-cert", "PEM", "serve HTTPS with this certificate", [&](const std::string& v) { return options.tls_cert = v, true; }},
      {"--tls-key", "PEM", "private key of --tls-cert", [&](const std::string& v) { return options.tls_key = v, true; }},
      {"--threads", "N", "connections served at once (default 16)",
       [&](const std::string& v) { return is_number(v) && (options.threads = std::stoi(v), true); }},
      {"--request-log", "N", "recent requests kept for /_fake/requests (default 64, 0 = none)",
       [&](const std::string& v) { return is_number(v) && (options.request_log_entries = std::stoull(v), true); }},
      {"--faults", "JSON", "a /_fake/faults body applied at start",
       [&](const std::string& v) {
         if (v.size() < 2 || v.front() != '{' || v.back() != '}') return false;
         if (v.size() > 2) fault_json.push_back(v.substr(1, v.size() - 2));
         return true;
       }},
      {"--item-status-every", "N:STATUS", "every Nth item gets STATUS",
       [&](const std::string& v) {
         std::string n, s;
         return every_nth(v, n, s) && (item_rules.push_back("{\"every_nth\":" + n + ",\"status\":" + s + "}"), true);
       }},
      {"--item-status-field", "FIELD=JSON:STATUS", "items whose FIELD equals the JSON value get STATUS",
       [&](const std::string& v) {
         std::string match, s, field, value;
         if (!split_pair(v, ':', match, s) || !is_number(s) || !split_pair(match, '=', field, value)) return false;
         item_rules.push_back("{\"field\":" + quoted(field) + ",\"value\":" + value + ",\"status\":" + s + "}");
         return true;
       }},
      {"--request-statuses", "S,S,...", "whole-request statuses of the next bulk requests",
       [&](const std::string& v) { return fault_json.push_back("\"request_statuses\":[" + v + "]"), true; }},
      {"--request-status-every", "N:STATUS", "every Nth bulk request gets STATUS",
       [&](const std::string& v) {
         std::string n, s;
         return every_nth(v, n, s) &&
                (fault_json.push_back("\"every_nth_request\":{\"n\":" + n + ",\"status\":" + s + "}"), true);
       }},
      {"--latency-ms", "MS", "added before every response",
       [&](const std::string& v) { return is_number(v) && (fault_json.push_back("\"latency_ms\":" + v), true); }},
      {"--reset-every", "N", "every Nth bulk request: connection reset, no response",
       [&](const std::string& v) { return is_number(v) && (fault_json.push_back("\"reset\":{\"every_nth\":" + v + "}"), true); }},
      {"--reset-next", "K", "the next K bulk requests: connection reset, no response",
       [&](const std::string& v) { return is_number(v) && (fault_json.push_back("\"reset\":{\"next\":" + v + "}"), true); }},
      {"--reset-after-store", nullptr, "with --reset-*: store the documents before resetting",
       [&](const std::string&) { return fault_json.push_back("\"reset_after_store\":true"), true; }},
      {"--short-items-next", "K", "the next K bulk responses lack their last item",
       [&](const std::string& v) { return is_number(v) && (fault_json.push_back("\"short_items_next\":" + v), true); }},
      {"--refuse-ms", "MS", "right after start, refuse connections for MS (-1: until SIGUSR1)",
       [&](const std::string& v) { return is_number(v, true) && (fault_json.push_back("\"refuse_ms\":" + v), true); }},
  };

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: logpipe-es-server [flags]\n");
      for (const Flag& f : flags)
        std::printf("  %-22s %-18s %s\n", f.name, f.arg ? f.arg : "", f.help);
      return 0;
    }
    std::string value;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags)
      if (arg == f.name) flag = &f;
    if (flag == nullptr) {
      std::fprintf(stderr, "logpipe-es-server: unknown flag %s (see --help)\n", arg.c_str());
      return 2;
    }
    if (flag->arg != nullptr && eq == std::string::npos) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "logpipe-es-server: %s needs %s\n", flag->name, flag->arg);
        return 2;
      }
      value = argv[++i];
    }
    if (!flag->apply(value)) {
      std::fprintf(stderr, "logpipe-es-server: %s: bad value '%s' (expected %s)\n", flag->name, value.c_str(),
                   flag->arg);
      return 2;
    }
  }

  // The reset knob is one JSON object: merge --reset-every/--reset-next/--reset-after-store.
  std::string reset_knob;
  std::vector<std::string> knobs;
  for (const std::string& f : fault_json) {
    if (f.rfind("\"reset\":{", 0) == 0) {
      reset_knob += (reset_knob.empty() ? "" : ",") + f.substr(9, f.size() - 10);
    } else if (f == "\"reset_after_store\":true") {
      reset_knob += std::string(reset_knob.empty() ? "" : ",") + "\"after_store\":true";
    } else {
      knobs.push_back(f);
    }
  }
  if (!reset_knob.empty()) knobs.push_back("\"reset\":{" + reset_knob + "}");
  if (!item_rules.empty()) {
    std::string rules;
    for (const std::string& r : item_rules) rules += (rules.empty() ? "" : ",") + r;
    knobs.push_back("\"item_rules\":[" + rules + "]");
  }
  std::string faults = "{";
  for (const std::string& k : knobs) faults += (faults.size() > 1 ? "," : "") + k;
  faults += "}";

  // Signals go to this thread only (sigwait below), not to the server's threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  EsFakeServer server(options);
  int port = 0;
  try {
    port = server.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe-es-server: %s\n", e.what());
    return 1;
  }
  std::string why = server.apply_faults_json(faults);
  if (!why.empty()) {
    std::fprintf(stderr, "logpipe-es-server: faults: %s\n", why.c_str());
    return 2;
  }
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cout << "port " << port << std::endl;

  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) {
      server.resume_listening();
      continue;
    }
    break;
  }
  server.stop();
  return 0;
}
