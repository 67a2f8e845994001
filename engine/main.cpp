// logpipe command line: flags named as Logstash's (bin/logstash --help).
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "engine/api/monitor.h"
#include "engine/api/monitoring_api.h"
#include "engine/api/statsd_push.h"
#include "engine/cli/grok_command.h"
#include "engine/cli/sandbox_command.h"
#include "engine/cli/test_command.h"
#include "engine/config/compiler.h"
#include "engine/event/ecs.h"
#include "engine/config/config_printer.h"
#include "engine/config/parser.h"
#include "engine/config/plugin_docs.h"
#include "engine/runtime/pipeline.h"
#include "engine/system/log.h"
#include "engine/text/friendly_duration.h"

namespace po = boost::program_options;
using namespace logpipe;

namespace {

constexpr const char* kVersion = "logpipe 0.1.0";

// Logstash's -e conveniences: no input means stdin, no output means stdout.
void add_default_sections(config::AstConfig& ast) {
  bool has_input = false, has_output = false;
  for (auto& s : ast.sections) {
    has_input |= s.kind == config::SectionKind::Input;
    has_output |= s.kind == config::SectionKind::Output;
  }
  std::string extra;
  if (!has_input) extra += "input { stdin { type => \"stdin\" } }\n";
  if (!has_output) extra += "output { stdout { codec => rubydebug } }\n";
  if (extra.empty()) return;
  auto more = config::parse_config(config::SourceFile{"default sections", extra});
  for (auto& s : more.sections) ast.sections.push_back(std::move(s));
}

void print_summary(const PipelineStats& s) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double eps = s.seconds > 0 ? double(s.events_in) / s.seconds : 0;
  double cpu_per_m = s.events_in ? s.cpu_seconds / (double(s.events_in) / 1e6) : 0;
  std::fprintf(stderr,
               "summary: events in %llu, filtered %llu, out %llu, batches %llu\n"
               "summary: %.3f s, %.0f events/s, %.2f CPU-s (%.3f CPU-s per million events), "
               "peak RSS %.1f MiB\n"
               "summary: latency per event, from its input to its last output: p50 %.2f ms, "
               "p99 %.2f ms, max %.2f ms\n",
               (unsigned long long)s.events_in, (unsigned long long)s.events_filtered,
               (unsigned long long)s.events_out, (unsigned long long)s.batches, s.seconds, eps,
               s.cpu_seconds, cpu_per_m, double(ru.ru_maxrss) / 1024.0,
               double(s.latency.percentile(0.50)) / 1e6, double(s.latency.percentile(0.99)) / 1e6,
               double(s.latency.percentile(1.0)) / 1e6);
  for (auto& o : s.outputs)
    std::fprintf(stderr,
                 "summary: output %s: delivered %llu, retried %llu, dead-lettered %llu, "
                 "not delivered %llu\n",
                 o.id.c_str(), (unsigned long long)o.stats.delivered,
                 (unsigned long long)o.stats.retried, (unsigned long long)o.stats.dead_lettered,
                 (unsigned long long)o.stats.pending);
}

// Settings that api.ssl.enabled or api.auth.type basic need, each given and,
// after ${VAR} from the environment (as Logstash reads its settings), not
// empty. False, having said which, otherwise.
bool required_settings(const boost::program_options::variables_map& vm, const char* because,
                       std::initializer_list<std::pair<const char*, std::string*>> wanted) {
  for (auto [name, out] : wanted) {
    std::string value;
    config::EnvError err;
    if (!vm.count(name) ||
        !config::substitute_env(vm[name].as<std::string>(), config::process_env(), &value, &err) ||
        value.empty()) {
      std::fprintf(stderr, "logpipe: %s needs %s%s%s\n", because, name, err.message.empty() ? "" : ": ",
                   err.message.c_str());
      return false;
    }
    *out = value;
  }
  return true;
}

// api.ssl.* and api.auth.*. 0, or the exit status.
int api_security_settings(const boost::program_options::variables_map& vm, ApiSettings* api) {
  api->ssl = vm["api.ssl.enabled"].as<bool>();
  if (api->ssl && !required_settings(vm, "api.ssl.enabled", {{"api.ssl.keystore.path", &api->keystore_path},
                                                              {"api.ssl.keystore.password", &api->keystore_password}}))
    return 2;
  const std::string type = vm["api.auth.type"].as<std::string>();
  if (type == "none") return 0;
  if (type != "basic") {
    std::fprintf(stderr, "logpipe: api.auth.type must be none or basic, got \"%s\"\n", type.c_str());
    return 2;
  }
  if (!required_settings(vm, "api.auth.type basic", {{"api.auth.basic.username", &api->username},
                                                      {"api.auth.basic.password", &api->password}}))
    return 2;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "grok") return run_grok_command(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "sandbox") return run_sandbox_command(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "test") return run_test_command(argc - 1, argv + 1);
  po::options_description desc(
      "Usage: logpipe [options]\n"
      "Runs a Logstash pipeline config (inputs -> filters -> outputs).\n\nOptions");
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  if (cpus < 1) cpus = 1;
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("version,V", "print the version")
    ("path.config,f", po::value<std::vector<std::string>>()->composing(),
       "config file, directory (all files, lexical order) or glob; repeatable")
    ("config.string,e", po::value<std::vector<std::string>>()->composing(),
       "config text; without an input section stdin is used, without an output stdout")
    ("config.test_and_exit,t", po::bool_switch(), "check the config, print Configuration OK or every error, exit")
    ("config.support_escapes", po::bool_switch(), "process \\n \\t \\\" ... in quoted strings")
    ("config.debug", po::bool_switch(),
       "print the merged config (every -f and -e, ${VAR} resolved, secrets masked): on stdout with -t, else on stderr")
    ("pipeline.workers,w", po::value<int>()->default_value(cpus), "filter worker threads (default: CPU count)")
    ("pipeline.batch.size,b", po::value<int>()->default_value(125), "events per batch")
    ("pipeline.batch.delay,u", po::value<int>()->default_value(50), "ms to wait before sending a partial batch")
    ("pipeline.ordered", po::value<std::string>()->default_value("auto"), "auto|true|false: keep event order (needs one worker)")
    ("pipeline.ecs_compatibility", po::value<std::string>()->default_value("disabled"),
       "disabled|v1|v8: ecs_compatibility of every plugin that does not set it (Logstash 8's default is v8)")
    ("pipeline.max_message_bytes", po::value<size_t>()->default_value(1 << 20), "longer messages are truncated and tagged _message_truncated")
    ("pipeline.shutdown_timeout", po::value<std::string>()->default_value("60s"),
       "how long the drain may take (30s, 500ms, 2m); then exit 1, leaving what was not delivered unacknowledged")
    ("path.data", po::value<std::string>()->default_value("./data"), "where state (file positions) is kept")
    ("dead_letter_queue.enable", po::value<bool>()->default_value(true),
       "keep events an output refuses for good under path.dead_letter_queue (false: log and drop them)")
    ("dead_letter_queue.max_bytes", po::value<uint64_t>()->default_value(1024ull << 20),
       "size bound of the dead letter queue; past it refused events wait unacknowledged")
    ("path.dead_letter_queue", po::value<std::string>(), "default: <path.data>/dead_letter_queue")
    ("log.level", po::value<std::string>()->default_value("info"), "fatal, error, warn, info, debug, trace")
    ("log.format", po::value<std::string>()->default_value("plain"),
       "plain or json: the log, and -t's errors, as one JSON object per line")
    ("log.summary_interval", po::value<std::string>()->default_value("0"),
       "log a line with events/s, queue depths, p99 latency and Kafka lag this often (30s, 1m; 0: never)")
    ("api.enabled", po::value<bool>()->default_value(true), "serve the monitoring API (/, /_node/stats, /metrics, /health)")
    ("api.http.host", po::value<std::string>()->default_value("127.0.0.1"), "address of the monitoring API")
    ("api.ssl.enabled", po::value<bool>()->default_value(false), "serve the monitoring API over HTTPS")
    ("api.ssl.keystore.path", po::value<std::string>(), "its PKCS#12 keystore: certificate, chain and key")
    ("api.ssl.keystore.password", po::value<std::string>(), "the keystore's password (${VAR} from the environment)")
    ("api.auth.type", po::value<std::string>()->default_value("none"),
     "none, or basic: every API endpoint but /health asks for api.auth.basic.username and .password")
    ("api.auth.basic.username", po::value<std::string>(), "the API's user (${VAR} is read from the environment)")
    ("api.auth.basic.password", po::value<std::string>(),
     "the API's password; give it as ${VAR} to keep it out of the process list")
    ("api.http.port", po::value<std::string>()->default_value("9600-9700"),
       "port of the monitoring API, or a range: the first free one is taken")
    ("metrics.statsd.host", po::value<std::string>(), "push the monitoring figures to this statsd (UDP)")
    ("metrics.statsd.port", po::value<int>()->default_value(8125), "its port")
    ("metrics.statsd.prefix", po::value<std::string>(),
       "first part of every name; default logpipe.<MARATHON_APP_ID>.<MESOS_TASK_ID> (those that are set)")
    ("metrics.statsd.interval", po::value<std::string>()->default_value("10s"), "how often to push")
    ("api.health.output_stall", po::value<std::string>()->default_value("10s"),
       "/health is 503 when an output with events waiting has delivered nothing this long")
    ("summary", po::bool_switch(), "print events, events/s, CPU and latency percentiles at exit")
    ("list-plugins", po::bool_switch(), "list every plugin")
    ("help-plugin", po::value<std::string>(), "print a plugin's options with types, defaults and help")
    ("plugin-docs", po::bool_switch(), "print the option reference of every plugin (Markdown)");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe: %s\n(see logpipe --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << kVersion << "\n";
    return 0;
  }
  if (!set_log_level(vm["log.level"].as<std::string>())) {
    std::fprintf(stderr, "logpipe: unknown log level %s\n", vm["log.level"].as<std::string>().c_str());
    return 2;
  }
  const bool json_log = vm["log.format"].as<std::string>() == "json";
  if (!set_log_format(vm["log.format"].as<std::string>())) {
    std::fprintf(stderr, "logpipe: log.format must be plain or json\n");
    return 2;
  }
  if (vm["list-plugins"].as<bool>()) {
    for (auto& p : plugin_registry())
      std::printf("%-8s %-18s %s\n", plugin_kind_name(p.kind), p.name.c_str(), p.description.c_str());
    std::printf("\nNot supported, and not planned:\n");
    for (auto& p : refused_plugins())
      std::printf("%-8s %-18s %s\n", plugin_kind_name(p.kind), p.name.c_str(), p.reason.c_str());
    return 0;
  }
  if (vm.count("help-plugin")) {
    std::string name = vm["help-plugin"].as<std::string>();
    std::string text = plugin_help(name);
    if (text.empty()) {
      std::fprintf(stderr, "logpipe: no plugin named %s\n", name.c_str());
      return 2;
    }
    std::cout << text;
    return 0;
  }
  if (vm["plugin-docs"].as<bool>()) {
    std::cout << plugin_reference_markdown();
    return 0;
  }

  std::vector<std::string> paths, strings;
  if (vm.count("path.config")) paths = vm["path.config"].as<std::vector<std::string>>();
  if (vm.count("config.string")) strings = vm["config.string"].as<std::vector<std::string>>();
  if (paths.empty() && strings.empty()) {
    std::fprintf(stderr, "logpipe: give a config with -f PATH or -e 'CONFIG' (see --help)\n");
    return 2;
  }

  PipelineSettings settings;
  settings.workers = vm["pipeline.workers"].as<int>();
  settings.batch_size = vm["pipeline.batch.size"].as<int>();
  settings.batch_delay_ms = vm["pipeline.batch.delay"].as<int>();
  settings.data_dir = vm["path.data"].as<std::string>();
  settings.max_message_bytes = vm["pipeline.max_message_bytes"].as<size_t>();
  // A bare number is seconds, as in Logstash's settings.
  std::optional<double> shutdown_s = parse_duration(vm["pipeline.shutdown_timeout"].as<std::string>(), 1);
  if (!shutdown_s || *shutdown_s < 0) {
    std::fprintf(stderr, "logpipe: pipeline.shutdown_timeout must be a duration such as 30s, 500ms or 2m\n");
    return 2;
  }
  settings.shutdown_timeout_ms = static_cast<int64_t>(*shutdown_s * 1000);
  settings.dead_letter_queue = vm["dead_letter_queue.enable"].as<bool>();
  settings.dead_letter_max_bytes = vm["dead_letter_queue.max_bytes"].as<uint64_t>();
  if (vm.count("path.dead_letter_queue"))
    settings.dead_letter_dir = vm["path.dead_letter_queue"].as<std::string>();
  std::string ordered = vm["pipeline.ordered"].as<std::string>();
  if (ordered == "true") {
    if (settings.workers != 1) {
      std::fprintf(stderr, "logpipe: pipeline.ordered => true needs pipeline.workers => 1 (-w 1)\n");
      return 1;
    }
    settings.ordered = true;
  } else if (ordered == "auto") {
    settings.ordered = settings.workers == 1;
  } else if (ordered != "false") {
    std::fprintf(stderr, "logpipe: pipeline.ordered must be auto, true or false\n");
    return 2;
  }
  if (settings.workers < 1 || settings.batch_size < 1 || settings.batch_delay_ms < 0) {
    std::fprintf(stderr, "logpipe: workers and batch size must be at least 1, batch delay at least 0\n");
    return 2;
  }

  std::optional<double> summary_s = parse_duration(vm["log.summary_interval"].as<std::string>(), 1);
  std::optional<double> stall_s = parse_duration(vm["api.health.output_stall"].as<std::string>(), 1);
  ApiSettings api;
  api.host = vm["api.http.host"].as<std::string>();
  if (int bad = api_security_settings(vm, &api)) return bad;
  if (!summary_s || !stall_s || *stall_s <= 0 ||
      !parse_port_range(vm["api.http.port"].as<std::string>(), &api.port_first, &api.port_last)) {
    std::fprintf(stderr, "logpipe: log.summary_interval and api.health.output_stall take durations (30s, 1m); "
                         "api.http.port a port or a range such as 9600-9700\n");
    return 2;
  }

  std::optional<StatsdPushSettings> statsd;
  if (vm.count("metrics.statsd.host")) {
    statsd.emplace();
    statsd->host = vm["metrics.statsd.host"].as<std::string>();
    statsd->port = vm["metrics.statsd.port"].as<int>();
    if (vm.count("metrics.statsd.prefix")) statsd->prefix = vm["metrics.statsd.prefix"].as<std::string>();
    std::optional<double> every = parse_duration(vm["metrics.statsd.interval"].as<std::string>(), 1);
    if (!every || *every < 0.01 || statsd->port < 1 || statsd->port > 65535) {
      std::fprintf(stderr, "logpipe: metrics.statsd.interval takes a duration (10s, 1m); metrics.statsd.port 1 to 65535\n");
      return 2;
    }
    statsd->interval_ms = static_cast<int64_t>(*every * 1000);
  }

  config::CompileOptions copts;
  copts.support_escapes = vm["config.support_escapes"].as<bool>();
  copts.ecs_compatibility = vm["pipeline.ecs_compatibility"].as<std::string>();
  if (!is_ecs_compatibility(copts.ecs_compatibility)) {
    std::fprintf(stderr, "logpipe: pipeline.ecs_compatibility is disabled, v1 or v8, not %s\n",
                 copts.ecs_compatibility.c_str());
    return 2;
  }
  copts.plugin_env.data_dir = settings.data_dir;
  copts.plugin_env.workers = settings.workers;
  copts.plugin_env.config_support_escapes = copts.support_escapes;

  std::vector<config::SourceFile> sources;
  std::shared_ptr<PipelineConfig> pipeline_config;
  try {
    sources = config::load_sources(paths, strings);
    config::ParseOptions popts;
    popts.support_escapes = copts.support_escapes;
    config::AstConfig ast = config::parse_configs(sources, popts);
    if (paths.empty()) add_default_sections(ast);
    if (vm["config.debug"].as<bool>()) {
      std::string text = config::print_config(ast, config::process_env());
      std::fputs(text.c_str(), vm["config.test_and_exit"].as<bool>() ? stdout : stderr);
      std::fflush(stdout);
    }
    pipeline_config = config::compile(ast, copts);
  } catch (const config::ConfigException& e) {
    for (auto& err : e.errors) {
      std::string line = json_log ? config::format_error_json(err) : config::format_error(err, sources);
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    if (!json_log)
      std::fprintf(stderr, "Configuration has %zu error%s\n", e.errors.size(),
                   e.errors.size() == 1 ? "" : "s");
    return 1;
  }
  if (vm["config.test_and_exit"].as<bool>()) {
    std::printf("Configuration OK\n");
    return 0;
  }

  // Signals go to one thread that starts the drain; every other thread has
  // them blocked.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Pipeline> pipeline;
  try {
    std::filesystem::create_directories(settings.data_dir);
    pipeline = std::make_unique<Pipeline>(pipeline_config, settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logpipe: cannot start the pipeline: %s\n", e.what());
    return 1;
  }
  std::atomic<bool> done{false};
  std::thread signal_thread([&] {
    timespec poll{0, 100 * 1000000};
    while (!done.load()) {
      int sig = sigtimedwait(&sigs, nullptr, &poll);
      if (sig == SIGINT || sig == SIGTERM) {
        log_info("received {}, draining: inputs stop, queued events are delivered",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
        pipeline->request_stop();
      }
    }
  });
  // Before the pipeline starts: what failed, and the signal thread stopped.
  auto cannot_start = [&](const std::exception& e) {
    std::fprintf(stderr, "logpipe: %s\n", e.what());
    done = true;
    signal_thread.join();
    return 1;
  };
  MonitorSettings monitor_settings;
  monitor_settings.output_stall_ms = static_cast<int64_t>(*stall_s * 1000);
  Pipeline* running = pipeline.get();
  Monitor monitor([running] { return running->stats(); }, monitor_settings);
  std::unique_ptr<MonitoringApi> api_server;
  if (vm["api.enabled"].as<bool>()) {
    try {
      api_server = std::make_unique<MonitoringApi>(monitor, make_node_info(settings.data_dir, kVersion));
      api_server->start(api);
      log_info("monitoring API on {}://{}:{}/ (/_node/stats, /metrics, /health)", api.ssl ? "https" : "http", api.host,
               api_server->port());
    } catch (const std::exception& e) {
      return cannot_start(e);
    }
  }
  std::unique_ptr<StatsdPush> statsd_push;
  if (statsd) {
    try {
      statsd_push = std::make_unique<StatsdPush>(monitor, *statsd);
      statsd_push->start();
    } catch (const std::exception& e) {
      return cannot_start(e);
    }
  }
  pipeline->start();
  monitor.start();
  std::thread summary_thread;
  if (*summary_s > 0) {
    summary_thread = std::thread([&] {
      auto period = std::chrono::milliseconds(static_cast<int64_t>(*summary_s * 1000));
      auto next = std::chrono::steady_clock::now() + period;
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (std::chrono::steady_clock::now() < next) continue;
        next += period;
        log_info("summary: {}", summary_line(monitor.snapshot()));
      }
    });
  }
  pipeline->wait();
  done = true;
  signal_thread.join();
  if (summary_thread.joinable()) summary_thread.join();
  if (statsd_push) statsd_push->stop();  // the last push has the final figures
  if (api_server) api_server->stop();
  monitor.stop();
  PipelineStats stats = pipeline->stats();
  if (vm["summary"].as<bool>()) print_summary(stats);
  // Non-zero for a supervisor (Marathon, systemd) when the run did not end well.
  int status = 0;
  for (auto& id : stats.failed_inputs) {
    std::fprintf(stderr, "logpipe: input %s failed\n", id.c_str());
    status = 1;
  }
  if (pipeline->abandoned()) {
    std::fprintf(stderr,
                 "logpipe: the drain did not finish within pipeline.shutdown_timeout: %llu "
                 "event(s) not delivered and not acknowledged to their source\n",
                 (unsigned long long)stats.undelivered);
    status = 1;
  }
  if (status != 0 || pipeline->abandoned()) {
    std::fflush(stdout);
    std::fflush(stderr);
    // Threads of a stuck output may still run: end without unwinding them.
    if (pipeline->abandoned()) std::_Exit(status);
  }
  return status;
}
