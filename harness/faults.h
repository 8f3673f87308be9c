#pragma once
// The scheduled faults of a run (a scenario's `faults:`), applied while the
// target is sampled: the verifying receiver answers 503, refuses connections
// or answers slowly; the target is killed and started again; extra
// containers come and go; a fleet group is paused, or OOM-killed by the
// kernel; the Docker engine itself is stopped and started again. Each fault is recorded as it runs, for report.json.
//
// Driven from the sampling loop: step() every sample starts and ends what is
// due (to the sample interval's resolution), so a fault never races the
// sampler. The long jobs, a container_churn fault's creations and removals
// and a dockerd_restart's stop, wait and start, run as coroutines of their
// own on the same executor so that the sampling keeps its pace; finish()
// waits for them.
//
// Threading: everything on the run's executor (one io_context thread).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "harness/scenario.h"
#include "util/log.h"

namespace leakcheck::docker {
class Client;
}
namespace leakcheck::receiver {
class Receiver;
}

namespace leakcheck::harness {

class Fleet;
class TargetProcess;

// What one fault did, as report.json shows it.
struct FaultRecord {
  std::string action;   // "sink_outage"
  std::string text;     // "sink_outage status_503 at 30s for 20s"
  double at_s = 0;      // planned, since the run's first sample
  double for_s = 0;
  std::optional<double> started_s;  // as applied
  std::optional<double> ended_s;    // restored (or, for churn, the last container removed)
  std::string outcome;              // what happened, in one line
  std::vector<std::string> errors;  // what did not happen as planned; empty: all did
  // From the receiver: lines first received while the fault applied, and
  // duplicates received from its start to the next fault's start (or the
  // end of the drain): a SIGKILL restart's repeated batch shows here.
  uint64_t received_during = 0;
  uint64_t duplicates = 0;
  std::vector<std::pair<std::string, double>> figures;  // per action: "oom_killed", "new_pid", ...
};

// "sink_outage status_503 at 30s for 20s: <outcome>" and its errors.
std::string fault_summary(const FaultRecord& record);
// Did every fault happen as planned?
bool faults_happened(const std::vector<FaultRecord>& records);

class FaultRunner {
 public:
  // `target_argv` is the target's expanded command, started again as it is
  // after a target_restart; `run_start` is the time of the first sample,
  // which a fault's `at` counts from.
  FaultRunner(docker::Client& client, receiver::Receiver& sink, TargetProcess& target, Fleet& fleet,
              const Scenario& scenario, std::string run_id, std::vector<std::string> target_argv, std::string run_dir,
              std::chrono::steady_clock::time_point run_start, Logger& log);
  ~FaultRunner();
  FaultRunner(const FaultRunner&) = delete;
  FaultRunner& operator=(const FaultRunner&) = delete;

  // Starts and ends the faults that are due at `now`; call it every sample.
  boost::asio::awaitable<void> step(std::chrono::steady_clock::time_point now);
  // A target_restart is between its kill and its new start: there is no
  // target to sample, and its exit is no crash.
  bool target_down() const { return target_down_; }
  // Ends every fault still applying (the run is over, or was cut short):
  // the receiver answers again, nothing stays paused, the target runs, the
  // churn containers are read and removed. Bounded: every Docker call has a
  // deadline.
  boost::asio::awaitable<void> finish();

  // Each fault's record, its duplicates counted up to now.
  std::vector<FaultRecord> records() const;

 private:
  enum class Phase { pending, applying, ended };
  struct State {
    Phase phase = Phase::pending;
    FaultRecord record;
    uint64_t delivered_at_start = 0;
    uint64_t duplicates_at_start = 0;
    uint64_t push_requests_at_start = 0;
    uint64_t answered_by_fault_at_start = 0;
    uint64_t connections_closed = 0;  // sink_outage refuse
    pid_t old_pid = -1;
    std::chrono::steady_clock::time_point down_since;
    std::vector<std::pair<std::string, std::string>> containers;  // (name, id) acted on
    bool worker_running = false;  // container_churn, dockerd_restart
  };

  boost::asio::awaitable<void> begin(size_t index);
  boost::asio::awaitable<void> end(size_t index, bool early);
  boost::asio::awaitable<void> churn_worker(size_t index);
  boost::asio::awaitable<void> engine_worker(size_t index);
  // Runs a fault's worker beside the sampling; worker_running until it ends.
  void spawn_worker(const boost::asio::any_io_executor& executor, size_t index, boost::asio::awaitable<void> worker);
  boost::asio::awaitable<void> restart_target(State& state, const Fault& fault);
  boost::asio::awaitable<void> check_oom(State& state, const Fault& fault);
  double since_start(std::chrono::steady_clock::time_point t) const;
  void note(State& state, const std::string& error);

  docker::Client& client_;
  receiver::Receiver& sink_;
  TargetProcess& target_;
  Fleet& fleet_;
  const Scenario& scenario_;
  std::string run_id_;
  std::vector<std::string> target_argv_;
  std::string run_dir_;
  std::chrono::steady_clock::time_point run_start_;
  Logger& log_;
  std::vector<State> states_;
  bool target_down_ = false;
  int restarts_ = 0;
  bool stopping_ = false;  // finish(): churn workers stop creating and remove what they made
};

}  // namespace leakcheck::harness
