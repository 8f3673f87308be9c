#pragma once
// One followed container, from discovery to removal, whatever the strategy.
// The discovery creates a follower when a wanted container first runs,
// tells it when the container starts again, and stops it when the container
// is removed or the collector shuts down.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>

#include "collector/config.h"
#include "collector/cursor_keeper.h"
#include "collector/line_pipeline.h"
#include "collector/metrics.h"
#include "collector/record_queue.h"
#include "util/log.h"

namespace leakcheck::docker {
class Client;
}

namespace leakcheck::collector {

// What every follower works with; owned by the collector, which outlives them.
struct CollectorContext {
  boost::asio::any_io_executor executor;
  const CollectorConfig& config;
  docker::Client& docker;
  RecordQueue& queue;
  CursorKeeper& cursors;
  CollectorMetrics& metrics;
  Logger& log;
};

class Follower {
 public:
  virtual ~Follower() = default;
  virtual void start() = 0;
  // The container (re)started: follow it again from where reading stopped.
  virtual void container_started() = 0;
  // Stops reading and waits until nothing of the follower is running
  // (bounded; see each strategy).
  virtual boost::asio::awaitable<void> stop() = 0;
};

// The reference design: coroutines and managed streams, no thread of its own.
std::unique_ptr<Follower> make_managed_follower(CollectorContext& context, FollowTarget target);
// The analysis's FASE 6H.1 design, deliberately broken (see naive_follower.cpp).
std::unique_ptr<Follower> make_naive_follower(CollectorContext& context, FollowTarget target);

}  // namespace leakcheck::collector
