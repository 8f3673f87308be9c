#pragma once
// The log-generating containers of a run: created from the scenario's
// groups, labelled leakcheck.run=<id>, network none, a memory limit,
// json-file logs; restarted and recreated on the churn schedule; their full
// logs read back as ground truth before they are removed.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "docker/client.h"
#include "harness/scenario.h"
#include "util/log.h"

namespace leakcheck::harness {

inline constexpr const char* kRunLabel = "leakcheck.run";
inline constexpr const char* kGroupLabel = "leakcheck.group";
inline constexpr const char* kLoggenPath = "/usr/local/bin/leakcheck-loggen";

// The argv of one container's leakcheck-loggen (pure; no shell anywhere).
std::vector<std::string> loggen_argv(const LogProfile& profile, const std::string& run_id, const std::string& name,
                                     uint64_t seed);

// What the daemon itself holds of one container: its log lines (text
// without the newline; TTY lines without '\r').
struct ContainerTruth {
  std::string name;
  std::string id;
  std::string group;
  std::vector<std::string> lines;
  std::string error;  // reading the log failed: the container's delivery is unknown
};

class Fleet {
 public:
  Fleet(docker::Client& client, const Scenario& scenario, std::string run_id, std::string image, Logger& log);

  // Creates and starts every container. The error names the container.
  boost::asio::awaitable<Status> start();
  // Restarts and recreates what is due; call it every sample.
  boost::asio::awaitable<void> churn(std::chrono::steady_clock::time_point now);
  // docker stop for all (SIGTERM: loggen exits 0, nothing more is written).
  boost::asio::awaitable<void> stop();
  // Every container's log as the daemon has it, including those recreated
  // away during the run (read before their removal).
  boost::asio::awaitable<std::vector<ContainerTruth>> truth();

  // Extra containers (a container_churn fault), outside the groups: labelled
  // and verified like the fleet's. start_extra creates and starts one;
  // retire_extra stops it, keeps its log as truth (truth() returns it) and
  // removes it.
  boost::asio::awaitable<Result<std::string>> start_extra(const std::string& name, const std::string& group,
                                                         const LogProfile& profile, uint64_t seed);
  boost::asio::awaitable<Status> retire_extra(const std::string& name, const std::string& id, const std::string& group);
  // After an engine restart (a dockerd_restart fault) stopped them: docker
  // start for every container of the fleet that is not running (a new boot
  // number in its lines). Errors name the container.
  struct Revival {
    size_t stopped = 0;  // found not running
    size_t started = 0;
    std::vector<std::string> errors;
  };
  boost::asio::awaitable<Revival> start_stopped();
  // (name, id) of the current containers of a group.
  std::vector<std::pair<std::string, std::string>> group_containers(const std::string& group) const;

  size_t size() const { return containers_.size(); }
  uint64_t extras_started() const { return extras_started_; }
  uint64_t restarts() const { return restarts_; }
  uint64_t recreations() const { return recreations_; }

  // Removes every container labelled with this run (or, with an empty run
  // id, any leakcheck run); returns how many. Used at the end of every run,
  // on failure and Ctrl-C alike, and by `leakcheck clean`.
  static boost::asio::awaitable<Result<size_t>> remove_all(docker::Client& client, const std::string& run_id);

 private:
  struct Member {
    const FleetGroup* group = nullptr;
    size_t index = 0;
    uint64_t generation = 0;  // recreations so far
    std::string name;
    std::string id;
    std::chrono::steady_clock::time_point next_restart, next_recreate;
  };
  boost::asio::awaitable<Status> create(Member& m);
  boost::asio::awaitable<Result<std::string>> create_started(const std::string& name, const std::string& group,
                                                            const LogProfile& profile, bool tty, uint64_t memory_bytes,
                                                            uint64_t seed);
  // By value: a coroutine must not keep references to its caller's temporaries.
  boost::asio::awaitable<ContainerTruth> read_truth(std::string name, std::string id, std::string group, bool tty);

  docker::Client& client_;
  const Scenario& scenario_;
  std::string run_id_;
  std::string image_;
  Logger& log_;
  std::vector<Member> containers_;
  std::vector<ContainerTruth> retired_;  // truth of recreated-away containers
  uint64_t restarts_ = 0;
  uint64_t recreations_ = 0;
  uint64_t extras_started_ = 0;
};

}  // namespace leakcheck::harness
