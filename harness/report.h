#pragma once
// report.json (schema leakcheck.report/1) and samples.csv of a run.

#include <optional>
#include <string>
#include <vector>

#include "harness/faults.h"
#include "harness/scenario.h"
#include "harness/series_table.h"
#include "harness/verdict.h"
#include "receiver/reconcile.h"

namespace leakcheck::harness {

inline constexpr const char* kReportSchema = "leakcheck.report/1";

struct RunRecord {
  std::string run_id;
  std::string scenario_file;
  std::string scenario_text;
  const Scenario* scenario = nullptr;
  int64_t started_unix_ns = 0;
  int64_t finished_unix_ns = 0;
  bool complete = true;     // false: interrupted, or the run ended early
  std::string error;        // an error that stopped the run before a verdict
  std::string verdict;      // PASS, FAIL, INCOMPLETE, ERROR
  std::vector<std::string> target_command;
  std::map<std::string, std::string> environment;
  TargetOutcome target;
  std::vector<std::string> target_stderr_tail;  // the last lines the target wrote to stderr
  std::optional<double> nofile_soft;
  std::optional<double> fd_exhaustion_hours;
  uint64_t fleet_containers = 0, fleet_restarts = 0, fleet_recreations = 0;
  std::vector<FaultRecord> faults;  // the scenario's faults as they ran
  std::vector<CriterionVerdict> criteria;
  const receiver::DeliveryReport* delivery = nullptr;
  const SeriesTable* samples = nullptr;
};

std::string report_json(const RunRecord& run);

}  // namespace leakcheck::harness
