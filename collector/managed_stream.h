#pragma once
// The analysis's ManagedDockerStream done right: one object owns a follow
// stream's socket, its buffer and its reader coroutine.
//
// close() shuts the socket down and closes it (the fd is released at once),
// cancels the reader wherever it waits, and then waits - at most 5 s - until
// the reader has finished. Both places a reader waits (for room in the queue,
// for bytes) are cancellable and hold nothing half-done, so it always
// finishes promptly; one that did not is counted in close_timeouts, which
// must stay 0. There is no thread per stream and nothing is abandoned.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "collector/line_pipeline.h"
#include "collector/metrics.h"
#include "collector/record_queue.h"
#include "docker/follow_stream.h"

namespace leakcheck::collector {

// Why a reader stopped.
enum class StreamEnd {
  running,  // not yet
  ended,    // the daemon ended the body: the container stopped
  idle,     // no byte for idle_timeout
  closed,   // close() was called
  failed,   // a read, protocol or decoding error (see error())
};

class ManagedStream {
 public:
  ManagedStream(boost::asio::any_io_executor executor, docker::FollowStream stream,
                std::shared_ptr<LinePipeline> pipeline, RecordQueue& queue, CollectorMetrics& metrics);
  ~ManagedStream();
  ManagedStream(const ManagedStream&) = delete;
  ManagedStream& operator=(const ManagedStream&) = delete;

  void start();
  // Until the reader has finished or `deadline`; true if it has finished.
  boost::asio::awaitable<bool> wait_finished(std::chrono::steady_clock::time_point deadline);
  // The synchronous half of close(): socket closed, reader cancelled. For a
  // caller that cannot wait here (another coroutine owns the stream).
  void request_close();
  // request_close(), then wait for the reader, at most kCloseWait.
  boost::asio::awaitable<void> close();

  bool finished() const;
  StreamEnd end() const;
  const std::string& error() const;

  static constexpr std::chrono::seconds kCloseWait{5};

 private:
  struct State;
  static boost::asio::awaitable<void> read_loop(std::shared_ptr<State> s);
  std::shared_ptr<State> state_;
};

}  // namespace leakcheck::collector
