#pragma once
// junit.xml from a report.json document: one test case per criterion, so a
// CI system shows which criterion failed, with the measured value and the
// bound in the failure message.
//
// Besides the criteria: "the run completed" (an error for ERROR and
// INCOMPLETE runs, with the reason) and "the target stayed up". A negative
// control (expect_fail) turns its failed criteria into skipped cases
// ("failed as expected") and adds "the negative control is detected", which
// fails when the run passed: the toolkit did not see the leak it must see.

#include <nlohmann/json.hpp>
#include <string>

namespace leakcheck::reports {

std::string render_junit_xml(const nlohmann::json& report);

// Text for XML character data and attribute values: & < > " ' escaped, and
// characters XML 1.0 cannot carry at all (most C0 controls, invalid UTF-8)
// replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace leakcheck::reports
