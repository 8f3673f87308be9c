#include "reports/junit.h"

#include <cmath>
#include <cstdio>

#include "reports/json_view.h"
#include "util/utf8.h"

namespace leakcheck::reports {

namespace {

// Characters XML 1.0 cannot carry even escaped: U+FFFE and U+FFFF.
bool not_xml(std::string_view sequence) { return sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF"; }

struct Case {
  std::string name;
  std::string failure;  // empty: passed
  std::string skipped;  // non-empty: skipped with this message
  std::string error;    // non-empty: an error (the run could not judge)
  std::string output;   // system-out: how the value was found
};

std::string value_and_bound(const nlohmann::json& c) {
  return "value " + number_text(c, "value") + ", bound " + string_at(c, "op") + " " + number_text(c, "bound") +
         (is_number(c, "ci_low") && is_number(c, "ci_high")
              ? " (95% CI " + number_text(c, "ci_low") + " to " + number_text(c, "ci_high") + ")"
              : "");
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&apos;"; ++i; continue;
      case '\t': out += "&#9;"; ++i; continue;
      case '\n': out += "&#10;"; ++i; continue;
      case '\r': out += "&#13;"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out += kUtf8Replacement;
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t bad = 0;
    const size_t n = utf8_sequence(text.substr(i), bad);
    if (n == 0 || not_xml(text.substr(i, n))) {
      out += kUtf8Replacement;
      i += n == 0 ? bad : n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string render_junit_xml(const nlohmann::json& report) {
  const std::string verdict = string_at(report, "verdict");
  const bool expect_fail = report.value("expect_fail", false);
  const nlohmann::json& scenario = object_at(report, "scenario");
  const std::string suite = "leakcheck." + string_at(scenario, "name");
  std::vector<Case> cases;

  Case completed{"the run completed", "", "", "", ""};
  if (verdict == "ERROR" || verdict == "INCOMPLETE") {
    const std::string why = string_at(report, "error");
    completed.error = verdict + (why.empty() ? std::string(": interrupted before the end") : ": " + why);
  }
  cases.push_back(completed);
  const nlohmann::json& target = object_at(report, "target");
  if (target.value("crashed", false)) {
    cases.push_back(Case{"the target stayed up",
                         "the target exited during the run (exit code " + number_text(target, "exit_code") +
                             ", signal " + number_text(target, "signal") + ")",
                         "", "", ""});
  } else {
    cases.push_back(Case{"the target stayed up", "", "", "", ""});
  }
  for (const nlohmann::json& c : array_at(report, "criteria")) {
    Case k{string_at(c, "text"), "", "", "", string_at(c, "detail")};
    const bool evaluated = c.value("evaluated", false);
    if (!evaluated) {
      k.failure = "not evaluated: " + string_at(c, "detail");
    } else if (!c.value("passed", false)) {
      k.failure = value_and_bound(c);
    } else {
      k.output = value_and_bound(c) + "\n" + k.output;
    }
    if (expect_fail && !k.failure.empty()) {
      k.skipped = "failed as expected (negative control): " + k.failure;
      k.failure.clear();
    }
    cases.push_back(std::move(k));
  }
  if (expect_fail) {
    Case detected{"the negative control is detected", "", "", "", ""};
    if (verdict == "PASS") detected.failure = "the negative control passed every criterion: the leak went unseen";
    cases.push_back(detected);
  }

  size_t failures = 0, errors = 0, skipped = 0;
  for (const Case& k : cases) {
    failures += !k.failure.empty();
    errors += !k.error.empty();
    skipped += !k.skipped.empty();
  }
  const double seconds = static_cast<double>(int_at(report, "finished_unix_ns") - int_at(report, "started_unix_ns")) / 1e9;
  char time_text[32];
  std::snprintf(time_text, sizeof time_text, "%.3f", std::max(0.0, seconds));

  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string counts = " tests=\"" + std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) +
                             "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
                             "\" time=\"" + time_text + "\"";
  x += "<testsuites name=\"leakcheck\"" + counts + ">\n";
  x += "  <testsuite name=\"" + xml_escape(suite) + "\"" + counts + " hostname=\"" +
       xml_escape(string_at(object_at(report, "environment"), "hostname")) + "\">\n";
  x += "    <properties>\n";
  const auto property = [&](std::string_view name, const std::string& value) {
    x += "      <property name=\"" + xml_escape(name) + "\" value=\"" + xml_escape(value) + "\"/>\n";
  };
  property("run_id", string_at(report, "run_id"));
  property("verdict", verdict);
  property("expect_fail", expect_fail ? "true" : "false");
  property("scenario_file", string_at(scenario, "file"));
  for (const auto& [key, value] : object_at(report, "environment").items())
    if (value.is_string()) property(key, value.get<std::string>());
  x += "    </properties>\n";
  for (const Case& k : cases) {
    x += "    <testcase classname=\"" + xml_escape(suite) + "\" name=\"" + xml_escape(k.name) + "\" time=\"0\">";
    if (!k.error.empty()) x += "\n      <error message=\"" + xml_escape(k.error) + "\" type=\"run\"/>";
    if (!k.failure.empty())
      x += "\n      <failure message=\"" + xml_escape(k.failure) + "\" type=\"criterion\">" + xml_escape(k.output) +
           "</failure>";
    if (!k.skipped.empty()) x += "\n      <skipped message=\"" + xml_escape(k.skipped) + "\"/>";
    if (k.failure.empty() && !k.output.empty()) x += "\n      <system-out>" + xml_escape(k.output) + "</system-out>";
    x += k.error.empty() && k.failure.empty() && k.skipped.empty() && k.output.empty() ? "</testcase>\n"
                                                                                        : "\n    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace leakcheck::reports
