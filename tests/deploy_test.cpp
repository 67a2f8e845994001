// deploy/: the container image, its Marathon apps and a team's GitLab CI,
// checked against the code they run. Nothing here restates the deploy files:
// the tests read deploy/Dockerfile, deploy/marathon/*.json and
// deploy/gitlab-ci/.gitlab-ci.yml and run what they say.
//
// DeployContainer runs the container's command line (ENTRYPOINT + the
// Marathon app's args, the Dockerfile's ENV + the app's env) as the image's
// user, against a temporary root laid out by the Dockerfile's COPY lines, with
// the build tree's binary in place of /usr/bin/logpipe, a mock Kafka cluster
// and a local Elasticsearch. Building the real image is deploy/test-image.sh
// (it needs a Docker engine; not run here).
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "tests/kafka_mock_cluster.h"
#include "tests/logpipe_process.h"
#include "tests/loopback_socket.h"
#include "tests/subprocess.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::read_text_file;
using testing::Subprocess;

const std::string kSource = LOGPIPE_SOURCE_DIR;
const std::string kDockerfile = kSource + "/deploy/Dockerfile";
const std::vector<std::string> kMarathonApps = {kSource + "/deploy/marathon/logpipe.json",
                                                kSource + "/deploy/marathon/logpipe-unique-host.json"};
const std::string kGitlabCi = kSource + "/deploy/gitlab-ci/.gitlab-ci.yml";
const std::string kExampleFilter = kSource + "/deploy/gitlab-ci/example/filter.conf";

// ---------------------------------------------------------------- helpers

struct Finished {
  int status = -1;
  std::string out, err;
};
Finished run(const std::vector<std::string>& argv, int timeout_s = 30) {
  Subprocess p(argv);
  p.close_stdin();
  Finished r;
  r.status = p.finish(timeout_s);
  r.out = p.out();
  r.err = p.err();
  return r;
}
Finished sh(const std::string& script, int timeout_s = 30) { return run({"/bin/sh", "-c", script}, timeout_s); }

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Value json_file(const std::string& path) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(read_text_file(path), &v, &error)) << path << ": " << error;
  return v;
}
const Value& at(const Value& v, const std::string& key) {
  static const Value null;
  if (!v.is_object()) return null;
  const Value* f = v.as_object().find(key);
  return f ? *f : null;
}
std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (auto& e : v.as_array())
    if (e.is_string()) out.push_back(e.as_string());
  return out;
}
// The value after `flag` in an argument list, "" when absent.
std::string flag_value(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag) return args[i + 1];
  return "";
}
// "45s", "500ms", "2m" as seconds.
double seconds_of(const std::string& d) {
  std::smatch m;
  std::regex re("^([0-9.]+)(ms|s|m)?$");
  if (!std::regex_match(d, m, re)) return -1;
  double n = std::stod(m[1]);
  return m[2] == "ms" ? n / 1000 : m[2] == "m" ? n * 60 : n;
}

// The runtime stage of deploy/Dockerfile, as Docker reads it: logical lines
// (backslash continuations joined, comment lines dropped), the instructions
// after the last FROM.
struct Image {
  std::vector<std::string> entrypoint, cmd, healthcheck;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::vector<std::string>> copies;  // COPY arguments
  std::vector<std::string> runs;                 // RUN command lines
  std::string user, workdir, stopsignal;
};

std::vector<std::string> json_strings(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(text, &v, &error)) << "not a JSON array (exec form): " << text;
  EXPECT_TRUE(v.is_array()) << text;
  return strings_of(v);
}

Image read_image() {
  std::istringstream in(read_text_file(kDockerfile));
  std::vector<std::string> logical;
  std::string line, current;
  while (std::getline(in, line)) {
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    bool more = !line.empty() && line.back() == '\\';
    current += more ? line.substr(0, line.size() - 1) : line;
    if (!more) {
      logical.push_back(current);
      current.clear();
    }
  }
  Image image;
  for (auto& l : logical) {
    size_t sp = l.find_first_of(" \t");
    std::string keyword = l.substr(0, sp), args = sp == std::string::npos ? "" : l.substr(sp + 1);
    args.erase(0, args.find_first_not_of(" \t"));
    for (auto& c : keyword) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    if (keyword == "FROM") image = Image{};
    if (keyword == "ENTRYPOINT") image.entrypoint = json_strings(args);
    if (keyword == "CMD") image.cmd = json_strings(args);
    if (keyword == "USER") image.user = args;
    if (keyword == "WORKDIR") image.workdir = args;
    if (keyword == "STOPSIGNAL") image.stopsignal = args;
    if (keyword == "RUN") image.runs.push_back(args);
    if (keyword == "COPY") image.copies.push_back(words(args));
    if (keyword == "ENV")
      for (auto& w : words(args)) {
        size_t eq = w.find('=');
        EXPECT_NE(eq, std::string::npos) << "ENV " << w << ": write KEY=VALUE";
        EXPECT_EQ(w.find_first_of("\"'"), std::string::npos) << "ENV " << w << ": quotes are not parsed here";
        if (eq != std::string::npos) image.env.emplace_back(w.substr(0, eq), w.substr(eq + 1));
      }
    if (keyword == "HEALTHCHECK") {
      size_t cmd = args.find(" CMD ");
      EXPECT_NE(cmd, std::string::npos) << "HEALTHCHECK ... CMD [...] expected: " << args;
      if (cmd != std::string::npos) image.healthcheck = json_strings(args.substr(cmd + 5));
    }
  }
  return image;
}

// The uid the image's useradd gives its user.
int image_uid(const Image& image) {
  std::regex re("useradd\\b[^&]*--uid\\s+([0-9]+)[^&]*\\s" + image.user + "(\\s|$)");
  for (auto& r : image.runs) {
    std::smatch m;
    if (std::regex_search(r, m, re)) return std::stoi(m[1]);
  }
  return -1;
}

// ${NAME} references without a default in the cluster sections.
std::set<std::string> required_variables() {
  std::set<std::string> names;
  std::regex re("\\$\\{([A-Za-z_.][A-Za-z0-9_.]*)(:[^}]*)?\\}");
  for (auto& e : fs::directory_iterator(kSource + "/deploy/cluster")) {
    std::string text = read_text_file(e.path());
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
      if (!(*it)[2].matched) names.insert((*it)[1]);
  }
  return names;
}

// The command the container runs under Marathon: the ENTRYPOINT, then the
// app's args in place of CMD (Docker's rule; Marathon passes "args" as the
// container's command).
std::vector<std::string> container_command(const Image& image, const Value& app) {
  std::vector<std::string> argv = image.entrypoint;
  std::vector<std::string> args = at(app, "args").is_array() ? strings_of(at(app, "args")) : image.cmd;
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// ---------------------------------------------------------------- the image

TEST(DeployImage, DockerfilePassesDockerfilelint) {
  std::string lint = kSource + "/.tools/npm/node_modules/.bin/dockerfilelint";
  ASSERT_TRUE(fs::exists(lint)) << lint << " is missing: run scripts/deps";
  Finished r = run({lint, kDockerfile});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Issues: None found"), std::string::npos) << r.out;

  // The linter really reads what it is given: a Dockerfile with known faults fails.
  std::string dir = testing::make_temp_dir("deploy-lint");
  std::ofstream(dir + "/Dockerfile") << "FROM debian:12\nMAINTAINER someone\n"
                                        "RUN apt-get update && apt-get install -y curl\nEXPOSE 99999\n";
  Finished bad = run({lint, dir + "/Dockerfile"});
  EXPECT_NE(bad.status, 0) << bad.out;
  fs::remove_all(dir);
}

TEST(DeployImage, RuntimePackagesAreTheOwnersOfTheBinarysLibraries) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer build links libasan/libubsan/libtsan and not jemalloc; the image ships "
                  "the release binary, which the release pass of scripts/test checks";
#endif
  // deploy/runtime-packages: "lib <package>" lines are what ldd needs.
  std::set<std::string> listed;
  std::istringstream in(read_text_file(kSource + "/deploy/runtime-packages"));
  for (std::string line; std::getline(in, line);) {
    auto w = words(line.substr(0, line.find('#')));
    if (w.empty()) continue;
    ASSERT_EQ(w.size(), 2u) << line;
    ASSERT_TRUE(w[0] == "lib" || w[0] == "data" || w[0] == "tool") << line;
    if (w[0] == "lib") listed.insert(w[1]);
  }
  Finished ldd = run({"/usr/bin/ldd", testing::logpipe_binary()});
  ASSERT_EQ(ldd.status, 0) << ldd.err;
  // Each library under the path ldd gives and the paths dpkg may know it by
  // (merged /usr: a package may list /lib/... or /usr/lib/..., the link or its target).
  std::map<std::string, std::vector<std::string>> candidates;
  std::regex lib_re("(?:=>\\s+)?(/[^\\s]+)\\s+\\(0x");
  std::istringstream lines(ldd.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, lib_re)) continue;
    std::string path = m[1];
    std::vector<std::string>& c = candidates[path];
    for (std::string p : {path, fs::canonical(path).string()}) {
      c.push_back(p);
      c.push_back(p.rfind("/usr/", 0) == 0 ? p.substr(4) : "/usr" + p);
    }
  }
  ASSERT_GT(candidates.size(), 5u) << ldd.out;
  std::vector<std::string> query{"/usr/bin/dpkg", "-S"};
  for (auto& [lib, c] : candidates) query.insert(query.end(), c.begin(), c.end());
  Finished dpkg = run(query);  // non-zero: some candidate paths are unknown, as expected
  std::map<std::string, std::string> owner;  // path -> package
  std::istringstream owned(dpkg.out);
  for (std::string line; std::getline(owned, line);) {
    size_t sep = line.find(": /");
    if (sep == std::string::npos) continue;
    std::string pkg = line.substr(0, sep);
    pkg = pkg.substr(0, pkg.find(':'));  // drop ":amd64"
    owner[line.substr(sep + 2)] = pkg;
  }
  std::set<std::string> needed;
  for (auto& [lib, c] : candidates) {
    std::string pkg;
    for (auto& p : c)
      if (owner.count(p)) pkg = owner[p];
    EXPECT_FALSE(pkg.empty()) << "no Debian package owns " << lib << " (dpkg -S)";
    if (!pkg.empty()) needed.insert(pkg);
  }
  for (auto& p : needed) EXPECT_TRUE(listed.count(p)) << "deploy/runtime-packages lacks: lib " << p;
  for (auto& p : listed) EXPECT_TRUE(needed.count(p)) << "deploy/runtime-packages lists " << p << ", which ldd does not need";

  // The runtime stage installs exactly that file.
  Image image = read_image();
  bool copied = false;
  for (auto& c : image.copies) copied |= !c.empty() && c[0] == "deploy/runtime-packages";
  EXPECT_TRUE(copied) << "the runtime stage should COPY deploy/runtime-packages";
}

TEST(DeployImage, RunsAsItsOwnUserWithAnExecFormEntrypoint) {
  Image image = read_image();
  ASSERT_FALSE(image.entrypoint.empty());
  EXPECT_EQ(image.entrypoint[0], "/usr/bin/logpipe") << "exec form, logpipe itself as PID 1";
  EXPECT_EQ(image.stopsignal, "SIGTERM");
  EXPECT_FALSE(image.user.empty());
  EXPECT_NE(image.user, "root");
  EXPECT_GE(image_uid(image), 1000) << "useradd --uid N " << image.user << " in a RUN line";
  EXPECT_EQ(flag_value(image.entrypoint, "--api.http.host"), "0.0.0.0") << "reachable by Marathon's health check";
  EXPECT_EQ(flag_value(image.entrypoint, "--path.data"), image.workdir);
  ASSERT_FALSE(image.healthcheck.empty());
  std::string port = flag_value(image.cmd, "--api.http.port");
  ASSERT_FALSE(port.empty()) << "CMD sets --api.http.port (args may replace it)";
  bool probes_health = false;
  for (auto& a : image.healthcheck) probes_health |= a == "http://127.0.0.1:" + port + "/health";
  EXPECT_TRUE(probes_health) << "HEALTHCHECK should GET http://127.0.0.1:" << port << "/health";
}

// ---------------------------------------------------------------- Marathon

TEST(DeployMarathon, AppDefinitionsAreValidJsonAndFitTheImage) {
  // Strict JSON as Marathon's parser takes it (no comments, no trailing commas).
  std::vector<std::string> check{"/usr/bin/env", "python3", "-c",
                                 "import json, sys\nfor f in sys.argv[1:]: json.load(open(f))"};
  check.insert(check.end(), kMarathonApps.begin(), kMarathonApps.end());
  Finished py = run(check);
  ASSERT_EQ(py.status, 0) << py.err;

  Image image = read_image();
  double drain_s = seconds_of(flag_value(image.entrypoint, "--pipeline.shutdown_timeout"));
  ASSERT_GT(drain_s, 0) << "the ENTRYPOINT sets --pipeline.shutdown_timeout";
  std::set<std::string> image_env;
  for (auto& [k, v] : image.env) image_env.insert(k);
  bool unique_variant = false;
  for (auto& file : kMarathonApps) {
    SCOPED_TRACE(file);
    Value app = json_file(file);
    ASSERT_TRUE(app.is_object());
    EXPECT_EQ(at(app, "id").is_string() ? at(app, "id").as_string().substr(0, 1) : "", "/");
    ASSERT_TRUE(at(app, "instances").is_int());
    EXPECT_GE(at(app, "instances").as_int(), 1);
    ASSERT_TRUE(at(app, "cpus").is_number());
    ASSERT_TRUE(at(app, "mem").is_number());
    EXPECT_GE(at(app, "mem").as_number(), 256);
    EXPECT_EQ(at(at(app, "container"), "type").as_string(), "DOCKER");
    EXPECT_TRUE(at(at(at(app, "container"), "docker"), "image").is_string());
    ASSERT_TRUE(at(app, "networks").is_array());
    EXPECT_EQ(at(at(app, "networks").as_array().at(0), "mode").as_string(), "host");

    // Host networking: the API port is a fixed host port, the same in the
    // command, the port definition, the health check and the HEALTHCHECK.
    std::vector<std::string> argv = container_command(image, app);
    std::string port = flag_value(argv, "--api.http.port");
    ASSERT_FALSE(port.empty());
    ASSERT_TRUE(at(app, "portDefinitions").is_array());
    EXPECT_EQ(at(at(app, "portDefinitions").as_array().at(0), "port").as_int(), std::stoi(port));
    EXPECT_TRUE(at(app, "requirePorts").is_bool() && at(app, "requirePorts").as_bool());
    EXPECT_EQ(flag_value(image.cmd, "--api.http.port"), port);
    // Filter workers as many as the cpus Mesos gives the task (the default
    // would be the host's core count).
    EXPECT_EQ(flag_value(argv, "--pipeline.workers"), std::to_string(static_cast<int>(at(app, "cpus").as_number())));

    ASSERT_TRUE(at(app, "healthChecks").is_array());
    ASSERT_FALSE(at(app, "healthChecks").as_array().empty());
    const Value& hc = at(app, "healthChecks").as_array()[0];
    std::string protocol = at(hc, "protocol").as_string();
    EXPECT_TRUE(protocol == "HTTP" || protocol == "MESOS_HTTP") << protocol;
    EXPECT_EQ(at(hc, "path").as_string(), "/health");
    bool by_index = at(hc, "portIndex").is_int() && at(hc, "portIndex").as_int() == 0;
    bool by_port = at(hc, "port").is_int() && at(hc, "port").as_int() == std::stoi(port);
    EXPECT_TRUE(by_index || by_port);
    EXPECT_GE(at(hc, "gracePeriodSeconds").as_int(), 30) << "a Kafka group join takes seconds";

    // SIGKILL comes taskKillGracePeriodSeconds after SIGTERM: the drain must end first.
    ASSERT_TRUE(at(app, "taskKillGracePeriodSeconds").is_number());
    EXPECT_GT(at(app, "taskKillGracePeriodSeconds").as_number(), drain_s);

    const Value& up = at(app, "upgradeStrategy");
    ASSERT_TRUE(at(up, "minimumHealthCapacity").is_number());
    ASSERT_TRUE(at(up, "maximumOverCapacity").is_number());
    for (const char* k : {"minimumHealthCapacity", "maximumOverCapacity"}) {
      EXPECT_GE(at(up, k).as_number(), 0) << k;
      EXPECT_LE(at(up, k).as_number(), 1) << k;
    }

    // Every ${VAR} the cluster sections need without a default is set.
    for (auto& name : required_variables())
      EXPECT_TRUE(image_env.count(name) || at(at(app, "env"), name).is_string())
          << name << " is neither in the Dockerfile's ENV nor in the app's env";

    for (auto& c : at(app, "constraints").is_array() ? at(app, "constraints").as_array() : Array{}) {
      if (strings_of(c) != std::vector<std::string>{"hostname", "UNIQUE"}) continue;
      unique_variant = true;
      // One task per host: a new task can only start where an old one
      // stopped, unless there are spare hosts.
      EXPECT_EQ(at(up, "maximumOverCapacity").as_number(), 0);
      EXPECT_LT(at(up, "minimumHealthCapacity").as_number(), 1);
    }
  }
  EXPECT_TRUE(unique_variant) << "one app should have constraints [[\"hostname\", \"UNIQUE\"]]";
}

// ---------------------------------------------------------------- GitLab CI

std::string job_script(const YAML::Node& job) {
  std::string s;
  for (auto line : job["script"]) s += line.as<std::string>() + "\n";
  return s;
}
bool runs_on_tags_only(const YAML::Node& job) {
  if (!job["rules"] || !job["rules"].IsSequence() || job["rules"].size() != 1) return false;
  return job["rules"][0]["if"].as<std::string>("") == "$CI_COMMIT_TAG" && !job["rules"][0]["when"];
}

TEST(DeployGitlabCi, ValidatesTestsAndDeploysOnTags) {
  YAML::Node ci = YAML::LoadFile(kGitlabCi);
  ASSERT_TRUE(ci.IsMap());
  std::vector<std::string> stages = ci["stages"].as<std::vector<std::string>>();
  std::set<std::string> reserved = {"variables", "stages", "default", "include", "workflow", "image",
                                    "services", "before_script", "after_script", "cache"};
  std::map<std::string, YAML::Node> jobs;
  for (auto it = ci.begin(); it != ci.end(); ++it) {
    std::string name = it->first.as<std::string>();
    if (reserved.count(name) || name[0] == '.') continue;
    jobs[name] = it->second;
    SCOPED_TRACE(name);
    ASSERT_TRUE(it->second["script"].IsSequence());
    // What the runner's shell gets parses (a YAML slip such as an unquoted
    // ": " turns a line into a mapping, which fails the load above instead).
    Finished syntax = run({"/bin/bash", "-n", "-c", job_script(it->second)});
    EXPECT_EQ(syntax.status, 0) << syntax.err;
    std::string stage = it->second["stage"].as<std::string>("test");
    EXPECT_NE(std::find(stages.begin(), stages.end(), stage), stages.end()) << stage;
  }
  for (auto& [name, job] : jobs)
    for (auto n : job["needs"]) EXPECT_TRUE(jobs.count(n.as<std::string>())) << name << " needs " << n.as<std::string>();
  auto find_job = [&](const std::string& needle) -> std::string {
    for (auto& [name, job] : jobs)
      if (job_script(job).find(needle) != std::string::npos) return name;
    return "";
  };
  std::string validate = find_job("logpipe -t -f cluster/input.conf -f filter.conf -f cluster/output.conf");
  ASSERT_FALSE(validate.empty());
  EXPECT_FALSE(jobs[validate]["rules"]) << "validation runs on every push";

  std::string tests = find_job("logpipe test -f filter.conf tests/ --junit report.xml");
  ASSERT_FALSE(tests.empty());
  EXPECT_EQ(jobs[tests]["artifacts"]["reports"]["junit"].as<std::string>(""), "report.xml");
  EXPECT_EQ(jobs[tests]["artifacts"]["when"].as<std::string>(""), "always") << "the report also when tests fail";

  std::string deploy = find_job("/v2/apps/");
  ASSERT_FALSE(deploy.empty());
  EXPECT_TRUE(runs_on_tags_only(jobs[deploy]));
  EXPECT_NE(job_script(jobs[deploy]).find("curl -fsS -X PUT"), std::string::npos);
  // Everything a deploy needs runs on tags only, in order.
  for (std::string job = deploy; jobs[job]["needs"];) {
    job = jobs[job]["needs"][0].as<std::string>();
    EXPECT_TRUE(runs_on_tags_only(jobs[job])) << job;
  }
  std::string compose = find_job("cp filter.conf pipeline/50-filter.conf");
  ASSERT_FALSE(compose.empty());
  EXPECT_NE(job_script(jobs[compose]).find("logpipe -t -f pipeline/"), std::string::npos);
}

// The validate job's command, run as the job runs it: in a checkout holding
// filter.conf, with cluster/ as the image has it, the image's ENV and the
// job's variables.
TEST(DeployGitlabCi, ValidateJobAcceptsTheExampleFilterAndNamesErrorsInABrokenOne) {
  YAML::Node ci = YAML::LoadFile(kGitlabCi);
  std::string command;
  for (auto line : ci["validate"]["script"])
    if (line.as<std::string>().rfind("logpipe -t", 0) == 0) command = line.as<std::string>();
  ASSERT_FALSE(command.empty());
  std::string dir = testing::make_temp_dir("deploy-ci");
  fs::create_directories(dir + "/bin");
  fs::create_symlink(testing::logpipe_binary(), dir + "/bin/logpipe");
  fs::copy(kSource + "/deploy/cluster", dir + "/cluster");
  // The job runs in the platform's image: its ENV, then the job's variables.
  std::string vars;
  for (auto& [k, v] : read_image().env) vars += k + "='" + v + "' ";
  for (auto it = ci["variables"].begin(); it != ci["variables"].end(); ++it)
    vars += it->first.as<std::string>() + "='" + it->second.as<std::string>() + "' ";
  std::string job = "cd '" + dir + "' && env -i PATH='" + dir + "/bin:/usr/bin:/bin' " + vars + command;

  fs::copy_file(kExampleFilter, dir + "/filter.conf");
  Finished ok = sh(job);
  EXPECT_EQ(ok.status, 0) << job << "\n" << ok.out << ok.err;
  EXPECT_NE(ok.out.find("Configuration OK"), std::string::npos) << ok.out;

  std::ofstream(dir + "/filter.conf", std::ios::trunc) << "filter {\n  mutate { colour => \"red\" }\n}\n";
  Finished bad = sh(job);
  EXPECT_EQ(bad.status, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("filter.conf:2:12: unknown option \"colour\""), std::string::npos) << bad.err;
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- the container

class DeployContainer : public testing::TempDirTest {
 protected:
  DeployContainer() : TempDirTest("deploy") {}
};

// The image's user on this machine, made as the Dockerfile makes it if absent.
bool ensure_user(const std::string& name, int uid, uid_t* out_uid, gid_t* out_gid) {
  if (!getpwnam(name.c_str()))
    sh("useradd --system --uid " + std::to_string(uid) + " --user-group --no-create-home "
       "--shell /usr/sbin/nologin " + name);
  passwd* pw = getpwnam(name.c_str());
  if (!pw) return false;
  *out_uid = pw->pw_uid;
  *out_gid = pw->pw_gid;
  return static_cast<int>(pw->pw_uid) == uid;
}

TEST_F(DeployContainer, StartsAnswersHealthPassesAnEventAndDrainsOnSigterm) {
  ASSERT_EQ(geteuid(), 0u) << "runs logpipe as the image's user: needs root";
  Image image = read_image();
  Value app = json_file(kMarathonApps[0]);
  uid_t uid;
  gid_t gid;
  ASSERT_TRUE(ensure_user(image.user, image_uid(image), &uid, &gid))
      << "user " << image.user << " with uid " << image_uid(image);

  // The image's filesystem, from the runtime stage's COPY lines, under a
  // temporary root; the build stage's binary is the build tree's.
  std::string root = path("root");
  for (auto& c : image.copies) {
    ASSERT_GE(c.size(), 2u);
    std::string dst = root + c.back();
    fs::create_directories(fs::path(dst).parent_path());
    if (c[0].rfind("--from=", 0) == 0) {
      ASSERT_EQ(c.back(), "/usr/bin/logpipe");
      fs::create_symlink(testing::logpipe_binary(), dst);
    } else if (fs::is_directory(kSource + "/" + c[0])) {
      fs::copy(kSource + "/" + c[0], dst, fs::copy_options::recursive);
    } else {
      fs::copy_file(kSource + "/" + c[0], dst);
    }
  }
  // The team's filter, where the GitLab CI's compose job puts it.
  fs::copy_file(kExampleFilter, root + "/usr/share/logpipe/pipeline/50-filter.conf");
  std::string workdir = root + image.workdir;
  fs::create_directories(workdir);
  ASSERT_EQ(chown(workdir.c_str(), uid, gid), 0);
  for (fs::path p = root; p != fs::path(dir_).parent_path(); p = p.parent_path()) chmod(p.c_str(), 0755);

  testing::KafkaMockCluster kafka(1, "");
  es_fake::EsFakeServer es;
  es.start();

  // The app's env, with its endpoints pointed at the local ones; what
  // Docker and Marathon add; the Dockerfile's ENV under both.
  std::map<std::string, std::string> env;
  for (auto& [k, v] : image.env) env[k] = v;
  for (auto& [k, v] : at(app, "env").as_object()) env[k] = v.as_string();
  env["KAFKA_BOOTSTRAP_SERVERS"] = kafka.bootstrap_servers();
  env["ES_HOSTS"] = es.url();
  env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  // Not the container's: a sanitizer build of the suite hands its options
  // (TSan's suppressions of uninstrumented librdkafka) to the binary it runs.
  for (const char* tool : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
    if (const char* v = std::getenv(tool)) env[tool] = v;
  env["HOME"] = workdir;
  env["MARATHON_APP_ID"] = at(app, "id").as_string();
  env["MESOS_TASK_ID"] = "logpipe_team-example.deploy-test";
  env["PORT0"] = flag_value(container_command(image, app), "--api.http.port");  // requirePorts: the fixed one
  std::string topics = env["KAFKA_TOPICS"];
  std::vector<std::string> topic_names;
  std::regex item("[^\\[\\], ]+");
  for (std::sregex_iterator it(topics.begin(), topics.end(), item), end; it != end; ++it)
    topic_names.push_back(it->str());
  ASSERT_FALSE(topic_names.empty());
  for (auto& t : topic_names) kafka.create_topic(t, 1, 1);

  // The container's command: image paths under the root, the API on a port
  // the kernel picks (the app's fixed one may be taken on a shared machine,
  // and a port found free and closed again can be taken by a parallel test
  // before logpipe binds it); the log names the port.
  std::vector<std::string> command = container_command(image, app);
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i][0] == '/') command[i] = root + command[i];
    if (i > 0 && command[i - 1] == "--api.http.port") command[i] = "0";
  }
  std::vector<std::string> argv{"/bin/sh", "-c", "cd \"$1\" && log=$2 && shift 2 && exec \"$@\" >\"$log\" 2>&1",
                                "sh", workdir, path("container.log"),
                                "/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                "--regid=" + std::to_string(gid), "--clear-groups", "/usr/bin/env", "-i"};
  for (auto& [k, v] : env) argv.push_back(k + "=" + v);
  argv.insert(argv.end(), command.begin(), command.end());
  auto log = [&] { return read_text_file(path("container.log")); };

  auto started = std::chrono::steady_clock::now();
  Subprocess container(argv);
  int api_port = 0;
  ASSERT_TRUE(testing::wait_until([&] {
    std::smatch m;
    std::string text = log();
    if (std::regex_search(text, m, std::regex(R"(monitoring API on http://[0-9.]+:(\d+)/)")))
      api_port = std::stoi(m[1]);
    return api_port != 0;
  }, 30s, 50ms)) << log();
  httplib::Client api("127.0.0.1", api_port);
  api.set_connection_timeout(1, 0);
  // Marathon's health check waits gracePeriodSeconds (30 or more) for the first answer.
  ASSERT_TRUE(testing::wait_until([&] {
    auto r = api.Get("/health");
    return r && r->status == 200;
  }, 30s, 100ms)) << log();
  // Docker's HEALTHCHECK command, against this port.
  std::vector<std::string> probe{"/usr/bin/env"};  // exec form: found on PATH
  probe.insert(probe.end(), image.healthcheck.begin(), image.healthcheck.end());
  for (auto& a : probe)
    a = std::regex_replace(a, std::regex(":" + flag_value(image.cmd, "--api.http.port") + "/"),
                           ":" + std::to_string(api_port) + "/");
  Finished healthy = run(probe);
  EXPECT_EQ(healthy.status, 0) << healthy.err;

  // auto_offset_reset is "latest": lines count from when the group has its
  // partitions, so send until the line just sent arrives (then nothing sent
  // is still unread). The DEBUG line of each pair is dropped by the team's filter.
  const std::string index = env["ES_INDEX_PREFIX"] + "-2026.11.26";
  int sent = 0;
  auto arrived = [&](int n) {
    std::string text = "\"payment failed " + std::to_string(n) + "\"";
    for (auto& d : es.docs(index))
      if (d.source.find(text) != std::string::npos) return true;
    return false;
  };
  auto send_pair = [&] {
    ++sent;
    kafka.produce(topic_names[0], 2, [&](size_t i) {
      return std::string("2026-11-26 04:13:16.149|") + (i == 0 ? "DEBUG" : "ERROR") +
             "|checkout|alice|56|payment failed " + std::to_string(sent);
    }, 1);
  };
  send_pair();
  ASSERT_TRUE(testing::wait_until([&] {
    if (testing::wait_until([&] { return arrived(sent); }, 300ms, 20ms)) return true;
    send_pair();
    return false;
  }, 30s, 1ms)) << log();

  auto sigterm = std::chrono::steady_clock::now();
  container.signal(SIGTERM);
  int grace = static_cast<int>(at(app, "taskKillGracePeriodSeconds").as_number());
  int status = container.finish(grace);
  double drain_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - sigterm).count();
  EXPECT_EQ(status, 0) << log();
  EXPECT_LT(drain_s, grace);
  EXPECT_NE(log().find("received SIGTERM, draining"), std::string::npos) << log();

  auto docs = es.docs(index);
  ASSERT_FALSE(docs.empty());
  for (auto& d : docs) {
    Value doc;
    ASSERT_TRUE(parse_json(d.source, &doc, nullptr)) << d.source;
    EXPECT_EQ(at(doc, "level").as_string(), "ERROR") << d.source;
    EXPECT_EQ(at(doc, "team").as_string(), "example") << d.source;
    EXPECT_EQ(at(doc, "took_ms").is_int() ? at(doc, "took_ms").as_int() : -1, 56) << d.source;
    EXPECT_EQ(at(doc, "@timestamp").as_string(), "2026-11-26T04:13:16.149Z") << d.source;
  }
  // The drain committed the group's offsets up to the end: everything sent
  // was read and delivered (or dropped) before the SIGTERM.
  auto committed = kafka.committed_offsets(env["KAFKA_GROUP_ID"], topic_names[0], 1);
  auto high = kafka.high_watermarks(topic_names[0], 1);
  EXPECT_EQ(committed[0], high[0]);
  // It ran as the image's user: what it wrote under --path.data is the user's.
  struct stat st {};
  ASSERT_EQ(stat((workdir + "/uuid").c_str(), &st), 0) << log();
  EXPECT_EQ(st.st_uid, uid);
  std::printf("container: up and healthy, %d pair(s) sent, drained in %.2f s, %.2f s in all\n", sent, drain_s,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
}  // namespace logpipe
