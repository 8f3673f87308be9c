#pragma once
// The HTML report of a run: one self-contained file (inline CSS and SVG
// charts, no script, no network) rendered from report.json
// (schema leakcheck.report/1, harness/report.cpp).
//
// Reads old and new reports alike: fields added later (a criterion's "fit",
// the per-interval delivery.latency_* series, target.stderr_tail) are used
// when present; a missing field, a null (NaN is written as null) or a value of
// the wrong type shows as "n/a" or leaves its chart out, never throws. Every
// string from the report is HTML-escaped, in text and in attributes, SVG
// included.

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace leakcheck::reports {

std::string render_report_html(const nlohmann::json& report);

}  // namespace leakcheck::reports
