// The CI job definitions in docs/ci/ parse, have the jobs the README promises
// (a per-change smoke, nightly 30 min / 4 h / 24 h soaks), keep the run
// directory, publish junit.xml, compare with the last good run, and run only
// the README's commands on scenarios that exist.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace {

const std::string kSource = SOURCE_DIR;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

// Every command line of a job's shell text that calls one of our scripts.
std::vector<std::string> script_calls(const std::string& shell) {
  std::vector<std::string> calls;
  static const std::regex call(R"(\./scripts/[A-Za-z0-9_-]+[^;&|\n]*)");
  for (auto it = std::sregex_iterator(shell.begin(), shell.end(), call); it != std::sregex_iterator(); ++it)
    calls.push_back(it->str());
  return calls;
}

// A script call is one of the README's commands: run a scenario, compare,
// or the tests. Returns the scenario file a run names (with ${{ matrix.scenario }}
// or $SCENARIO replaced by `scenario`), or "" for compare and test.
std::string check_call(const std::string& raw_call, const std::string& scenario) {
  const std::string call =
      std::regex_replace(raw_call, std::regex(R"(\$\{\{ matrix\.scenario \}\}|\$SCENARIO)"), scenario);
  static const std::regex run(R"(^\./scripts/leakcheck run "?scenarios/([^" ]+)\.yaml"? --runs-dir .*)");
  static const std::regex compare(R"(^\./scripts/leakcheck compare .*)");
  static const std::regex test(R"(^\./scripts/test\s*$)");
  std::smatch m;
  if (std::regex_match(call, m, run)) {
    std::string name = m[1];
    std::string file = kSource + "/scenarios/" + name + ".yaml";
    EXPECT_TRUE(exists(file)) << call << ": no " << file;
    return name;
  }
  EXPECT_TRUE(std::regex_match(call, compare) || std::regex_match(call, test)) << "not a README command: " << call;
  return "";
}

TEST(CiJobs, ReadmeHasTheCommandsTheJobsRun) {
  std::string readme = read(kSource + "/README.md");
  EXPECT_NE(readme.find("./scripts/leakcheck run scenarios/smoke.yaml"), std::string::npos);
  EXPECT_NE(readme.find("./scripts/test"), std::string::npos);
  EXPECT_NE(readme.find("leakcheck compare"), std::string::npos);
  EXPECT_NE(readme.find("docs/ci/"), std::string::npos);
}

TEST(CiJobs, GithubActionsWorkflow) {
  YAML::Node doc = YAML::LoadFile(kSource + "/docs/ci/github-actions.yml");
  ASSERT_TRUE(doc["on"]["push"]) << "runs on every push";
  ASSERT_TRUE(doc["on"]["schedule"].IsSequence());
  EXPECT_EQ(doc["on"]["schedule"].size(), 2u);
  YAML::Node jobs = doc["jobs"];
  ASSERT_TRUE(jobs["smoke"]);
  ASSERT_TRUE(jobs["soak"]);
  std::set<std::string> soaks;
  for (const auto& m : jobs["soak"]["strategy"]["matrix"]["include"]) soaks.insert(m["scenario"].as<std::string>());
  EXPECT_EQ(soaks, (std::set<std::string>{"soak-30m", "soak-4h", "soak-24h"}));

  for (const char* job : {"smoke", "soak"}) {
    std::set<std::string> uses, ran;
    bool compared = false;
    for (const auto& step : jobs[job]["steps"]) {
      if (step["uses"]) uses.insert(step["uses"].as<std::string>().substr(0, step["uses"].as<std::string>().find('@')));
      if (!step["run"]) continue;
      for (const std::string& call : script_calls(step["run"].as<std::string>())) {
        for (const std::string& s : std::string(job) == "soak" ? soaks : std::set<std::string>{"smoke"}) {
          std::string scenario = check_call(call, s);
          if (!scenario.empty()) ran.insert(scenario);
        }
        compared = compared || call.find("leakcheck compare") != std::string::npos;
      }
    }
    EXPECT_TRUE(uses.count("actions/upload-artifact")) << job << " keeps its run directory";
    EXPECT_TRUE(uses.count("mikepenz/action-junit-report")) << job << " publishes junit.xml";
    if (std::string(job) == "soak") {
      EXPECT_TRUE(compared) << "a soak compares with the last good run";
      EXPECT_TRUE(uses.count("actions/cache/restore") && uses.count("actions/cache/save"));
      EXPECT_EQ(ran, soaks);
    } else {
      EXPECT_EQ(ran, (std::set<std::string>{"smoke"}));
    }
  }
}

TEST(CiJobs, GitlabPipeline) {
  YAML::Node doc = YAML::LoadFile(kSource + "/docs/ci/gitlab-ci.yml");
  ASSERT_TRUE(doc["smoke"]);
  ASSERT_TRUE(doc[".soak"]);
  auto scripts_of = [&](const YAML::Node& job) {
    std::string text;
    for (const auto& line : job["script"]) text += line.as<std::string>() + "\n";
    return text;
  };
  std::string smoke = scripts_of(doc["smoke"]);
  std::set<std::string> ran;
  for (const std::string& call : script_calls(smoke)) {
    std::string s = check_call(call, "smoke");
    if (!s.empty()) ran.insert(s);
  }
  EXPECT_EQ(ran, (std::set<std::string>{"smoke"}));
  EXPECT_TRUE(doc["smoke"]["artifacts"]["reports"]["junit"]);
  std::string soak = scripts_of(doc[".soak"]);
  EXPECT_NE(soak.find("leakcheck compare"), std::string::npos);
  EXPECT_TRUE(doc[".soak"]["artifacts"]["reports"]["junit"]);
  for (const char* job : {"soak-30m", "soak-4h", "soak-24h"}) {
    ASSERT_TRUE(doc[job]) << job;
    EXPECT_EQ(doc[job]["extends"].as<std::string>(), ".soak");
    std::string scenario = doc[job]["variables"]["SCENARIO"].as<std::string>();
    EXPECT_EQ(scenario, job);
    for (const std::string& call : script_calls(soak)) check_call(call, scenario);
  }
}

}  // namespace
