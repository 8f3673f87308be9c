#include "reports/junit.h"

#include <gtest/gtest.h>

namespace leakcheck::reports {
namespace {

using json = nlohmann::json;

json report(const std::string& verdict, bool expect_fail) {
  return {{"schema", "leakcheck.report/1"},
          {"run_id", "lc1"},
          {"verdict", verdict},
          {"error", verdict == "ERROR" ? json("the Docker engine is unavailable") : json(nullptr)},
          {"expect_fail", expect_fail},
          {"started_unix_ns", 1'000'000'000},
          {"finished_unix_ns", 61'500'000'000},
          {"scenario", {{"name", "smoke"}, {"file", "scenarios/smoke.yaml"}}},
          {"environment", {{"hostname", "ci-1"}, {"kernel", "Linux 6.1"}}},
          {"target", {{"crashed", false}}},
          {"criteria",
           {{{"text", "fds.total growth_per_min < 5"},
             {"op", "<"},
             {"bound", 5},
             {"value", 72},
             {"ci_low", 70},
             {"ci_high", 74},
             {"passed", false},
             {"evaluated", true},
             {"detail", "Theil-Sen 72/min"}},
            {{"text", "loss_pct == 0"}, {"op", "=="}, {"bound", 0}, {"value", 0}, {"passed", true}, {"evaluated", true}},
            {{"text", "latency_p99 < 1"}, {"op", "<"}, {"bound", 1}, {"value", nullptr}, {"passed", false},
             {"evaluated", false}, {"detail", "no line was timed"}}}}};
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Junit, OneCasePerCriterionWithValueAndBoundInTheFailure) {
  std::string x = render_junit_xml(report("FAIL", false));
  // the run completed, the target stayed up, three criteria
  EXPECT_NE(x.find("tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"60.500\""), std::string::npos) << x;
  EXPECT_EQ(count(x, "<testcase "), 5u);
  EXPECT_NE(x.find("name=\"fds.total growth_per_min &lt; 5\""), std::string::npos);
  EXPECT_NE(x.find("<failure message=\"value 72, bound &lt; 5 (95% CI 70 to 74)\" type=\"criterion\">"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("<failure message=\"not evaluated: no line was timed\""), std::string::npos);
  EXPECT_NE(x.find("classname=\"leakcheck.smoke\""), std::string::npos);
  EXPECT_NE(x.find("<property name=\"kernel\" value=\"Linux 6.1\"/>"), std::string::npos);
}

TEST(Junit, ErrorRunIsAnError) {
  std::string x = render_junit_xml(report("ERROR", false));
  EXPECT_NE(x.find("<error message=\"ERROR: the Docker engine is unavailable\""), std::string::npos) << x;
  EXPECT_NE(x.find("errors=\"1\""), std::string::npos);
}

TEST(Junit, NegativeControlSkipsItsExpectedFailuresAndFailsWhenItPasses) {
  std::string failed = render_junit_xml(report("FAIL", true));
  EXPECT_NE(failed.find("failures=\"0\""), std::string::npos) << failed;
  EXPECT_NE(failed.find("skipped=\"2\""), std::string::npos);
  EXPECT_NE(failed.find("failed as expected (negative control): value 72"), std::string::npos);
  EXPECT_NE(failed.find("name=\"the negative control is detected\" time=\"0\"></testcase>"), std::string::npos);

  json passing = report("PASS", true);
  for (auto& c : passing["criteria"]) c["passed"] = true, c["evaluated"] = true;
  std::string passed = render_junit_xml(passing);
  EXPECT_NE(passed.find("the leak went unseen"), std::string::npos) << passed;
  EXPECT_NE(passed.find("failures=\"1\""), std::string::npos);
}

TEST(Junit, CrashedTargetFails) {
  json r = report("FAIL", false);
  r["target"] = {{"crashed", true}, {"exit_code", -1}, {"signal", 9}};
  std::string x = render_junit_xml(r);
  EXPECT_NE(x.find("the target exited during the run (exit code -1, signal 9)"), std::string::npos) << x;
}

TEST(Junit, EscapesMarkupControlsAndInvalidUtf8) {
  EXPECT_EQ(xml_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  EXPECT_EQ(xml_escape(std::string("a\0b\x1b[31m", 8)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31m");
  EXPECT_EQ(xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");           // valid UTF-8 kept
  EXPECT_EQ(xml_escape("\xC3(\xFF"), "\xEF\xBF\xBD(\xEF\xBF\xBD");  // invalid bytes replaced
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");    // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(xml_escape("a\tb\nc"), "a&#9;b&#10;c");
  EXPECT_EQ(xml_escape("\xE2\x82"), "\xEF\xBF\xBD");  // a truncated sequence: one replacement
  EXPECT_EQ(xml_escape("\xEF\xBF\xBF!"), "\xEF\xBF\xBD!");  // U+FFFF is no XML character
}

TEST(Junit, ToleratesAReportWithoutCriteria) {
  json r = {{"schema", "leakcheck.report/1"}, {"verdict", "INCOMPLETE"}};
  std::string x = render_junit_xml(r);
  EXPECT_NE(x.find("INCOMPLETE: interrupted before the end"), std::string::npos) << x;
}

}  // namespace
}  // namespace leakcheck::reports
