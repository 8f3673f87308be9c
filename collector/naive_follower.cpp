// The naive strategy: a faithful reproduction of the analysed collector's
// FASE 6H.1 design, kept as leakcheck's negative control. DELIBERATELY BROKEN.
//
// Per container a parent thread; per stream a new connection to the daemon
// (no reuse) and a reader thread blocked in a plain read(2). At every
// rotation the parent "closes" the stream the way the Go code did: it sets a
// flag and moves on, abandoning the reader, whose socket is closed only when
// its read returns. A container that writes nothing never makes it return,
// so every rotation of an idle container leaks one thread and one fd (a unix
// socket connected to the daemon), at a rate of containers / rotation
// interval. That is the leak leakcheck must see.
//
// No data is lost or duplicated: an abandoned reader discards what its read
// returns, and the next stream resumes from the shared pipeline's cursor.

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "collector/follower.h"
#include "collector/timestamp.h"
#include "docker/client.h"
#include "docker/endpoint.h"

namespace leakcheck::collector {

namespace asio = boost::asio;

namespace {

// Connects with no timeout at all, as the original did.
int connect_blocking(const docker::Endpoint& endpoint) {
  if (endpoint.kind == docker::Endpoint::Kind::unix_socket) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", endpoint.path.c_str());
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(endpoint.port);
  ::inet_pton(AF_INET, endpoint.address.c_str(), &addr.sin_addr);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// Everything a reader thread touches, shared so that an abandoned reader
// still has it when its read finally returns.
struct Shared {
  std::mutex mutex;  // guards the pipeline and `current`
  std::shared_ptr<LinePipeline> pipeline;
  uint64_t current = 0;  // the generation of the stream that is not abandoned
};

class NaiveFollower : public Follower {
 public:
  NaiveFollower(CollectorContext& context, FollowTarget target) : ctx_(context), shared_(std::make_shared<Shared>()) {
    ctx_.cursors.track(target.id);
    // Records reach the queue on its own thread; after stop() nothing is posted.
    auto executor = ctx_.executor;
    RecordQueue* queue = &ctx_.queue;
    shared_->pipeline = std::make_shared<LinePipeline>(
        target, ctx_.config.max_line_bytes, ctx_.cursors.cursor_for(target.id),
        [executor, queue](std::vector<LogRecord>&& records) {
          asio::post(executor, [queue, r = std::move(records)]() mutable { queue->push(std::move(r)); });
        },
        ctx_.metrics, ctx_.log);
    endpoint_ = ctx_.docker.endpoint();
    api_prefix_ = ctx_.docker.api_version() ? "/v" + ctx_.docker.api_version()->text() : "";
  }

  void start() override {
    ctx_.metrics.containers_followed.fetch_add(1, std::memory_order_relaxed);
    parent_ = std::thread([this] { parent_loop(); });
  }

  void container_started() override {}  // the parent simply keeps reopening

  asio::awaitable<void> stop() override {
    {
      std::lock_guard lock(wake_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    {
      // The current reader is abandoned like the others: it posts nothing more.
      std::lock_guard lock(shared_->mutex);
      ++shared_->current;
    }
    if (parent_.joinable()) parent_.join();
    ctx_.metrics.containers_followed.fetch_sub(1, std::memory_order_relaxed);
    co_return;
  }

 private:
  void parent_loop() {
    pthread_setname_np(pthread_self(), "naive-parent");
    std::unique_lock wake_lock(wake_mutex_);
    while (!stopping_) {
      wake_lock.unlock();
      open_stream();
      wake_lock.lock();
      // "Parent context times out" at the rotation interval ...
      wake_.wait_for(wake_lock, ctx_.config.rotation_interval, [this] { return stopping_; });
      // ... and the reader is abandoned, still blocked in read().
      std::lock_guard lock(shared_->mutex);
      ++shared_->current;
      ctx_.metrics.abandoned_readers.fetch_add(1, std::memory_order_relaxed);
      ctx_.metrics.rotations.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void open_stream() {
    std::string since;
    uint64_t generation = 0;
    {
      std::lock_guard lock(shared_->mutex);
      if (auto s = shared_->pipeline->resume_since_ns()) since = "&since=" + format_since(*s);
      shared_->pipeline->begin_stream();
      generation = shared_->current;
    }
    // A new connection for every stream: nothing is pooled or reused.
    int fd = connect_blocking(endpoint_);
    if (fd < 0) {
      ctx_.metrics.stream_errors.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // HTTP/1.0, so the body is the raw stream up to the close, no chunking.
    std::string request = "GET " + api_prefix_ + "/containers/" + shared_->pipeline->target().id +
                          "/logs?follow=1&stdout=1&stderr=1&timestamps=1" + since + " HTTP/1.0\r\nHost: docker\r\n\r\n";
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      ::close(fd);
      ctx_.metrics.stream_errors.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    ctx_.metrics.streams_opened.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.streams_open.fetch_add(1, std::memory_order_relaxed);
    // The goroutine: detached, never joined, on purpose.
    std::thread([shared = shared_, fd, generation, metrics = &ctx_.metrics] {
      reader(shared, fd, generation, *metrics);
    }).detach();
  }

  static void reader(std::shared_ptr<Shared> shared, int fd, uint64_t generation, CollectorMetrics& metrics) {
    pthread_setname_np(pthread_self(), "naive-reader");
    std::string pending;  // bytes before the end of the response header
    bool in_body = false;
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);  // blocks for as long as the container is silent
      std::lock_guard lock(shared->mutex);
      if (n <= 0 || shared->current != generation) break;  // abandoned: discard, finally close
      std::string_view bytes(buf, static_cast<size_t>(n));
      if (!in_body) {
        pending.append(bytes);
        size_t end = pending.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        if (pending.compare(0, 12, "HTTP/1.0 200") != 0 && pending.compare(0, 12, "HTTP/1.1 200") != 0) break;
        in_body = true;
        std::string body = pending.substr(end + 4);
        pending.clear();
        if (!body.empty() && !shared->pipeline->consume(body)) break;
        continue;
      }
      if (!shared->pipeline->consume(bytes)) break;
    }
    ::close(fd);
    metrics.streams_open.fetch_sub(1, std::memory_order_relaxed);
    metrics.streams_closed.fetch_add(1, std::memory_order_relaxed);
  }

  CollectorContext& ctx_;
  std::shared_ptr<Shared> shared_;
  docker::Endpoint endpoint_;
  std::string api_prefix_;
  std::thread parent_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<Follower> make_naive_follower(CollectorContext& context, FollowTarget target) {
  return std::make_unique<NaiveFollower>(context, std::move(target));
}

}  // namespace leakcheck::collector
