#include "collector/sinks.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "collector/sink_format.h"
#include "docker/pool.h"
#include "util/unique_fd.h"

namespace leakcheck::collector {

namespace asio = boost::asio;

namespace {

Status write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok{};
}

// NDJSON appended to a file, made durable before the batch counts as
// accepted: the cursor moves past these lines only once they are on disk.
class FileSink : public Sink {
 public:
  FileSink(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  asio::awaitable<SinkResult> send(std::span<const LogRecord> batch) override {
    buffer_.clear();
    append_ndjson_lines(buffer_, batch);
    auto written = write_all(fd_.get(), buffer_, path_);
    // Reused between batches; one of very long lines need not be held on to.
    if (buffer_.capacity() > kKeptBufferBytes) std::string().swap(buffer_);
    if (written && ::fdatasync(fd_.get()) != 0) written = errno_error("fdatasync " + path_);
    // A full disk or an I/O error may pass: retry, never drop.
    if (!written) co_return SinkResult{SinkOutcome::retry, written.error().message()};
    co_return SinkResult{};
  }

 private:
  static constexpr size_t kKeptBufferBytes = 4u << 20;
  UniqueFd fd_;
  std::string path_;
  std::string buffer_;  // the batch as NDJSON
};

class StdoutSink : public Sink {
 public:
  asio::awaitable<SinkResult> send(std::span<const LogRecord> batch) override {
    auto written = write_all(STDOUT_FILENO, ndjson_lines(batch), "stdout");
    if (!written) co_return SinkResult{SinkOutcome::retry, written.error().message()};
    co_return SinkResult{};
  }
};

class LokiSink : public Sink {
 public:
  LokiSink(asio::any_io_executor executor, HttpUrl url, const SinkConfig& config)
      : url_(std::move(url)),
        labels_(config.labels),
        pool_(executor, docker::Endpoint{docker::Endpoint::Kind::tcp, "", url_.host, url_.port},
              pool_options(config)) {
    limits_.header_timeout = config.request_timeout;
    limits_.body_timeout = config.request_timeout;
    limits_.body_limit_bytes = 1 << 20;  // Loki answers with a short text at most
  }

  asio::awaitable<SinkResult> send(std::span<const LogRecord> batch) override {
    docker::Request request("POST", url_.path);
    request.body = loki_push_body(batch, labels_);
    auto lease = co_await pool_.acquire("POST " + url_.path);
    if (!lease) co_return SinkResult{SinkOutcome::retry, lease.error().message()};
    docker::Connection::Failure failure;
    auto response = co_await lease->connection().exchange(request, limits_, failure);
    if (!response) co_return SinkResult{SinkOutcome::retry, response.error().message()};
    unsigned status = response->status;
    std::string detail = std::to_string(status) + " " + response->reason + ": " + response->body.substr(0, 200);
    if (status >= 200 && status < 300) co_return SinkResult{};
    // Loki's 429 is its rate limit and 5xx its trouble: both pass. Any other
    // 4xx will be refused however often it is sent.
    if (status == 429 || status >= 500) co_return SinkResult{SinkOutcome::retry, detail};
    co_return SinkResult{SinkOutcome::rejected, detail};
  }

  asio::awaitable<void> shutdown() override {
    pool_.shutdown();
    co_await pool_.wait_drained(std::chrono::seconds(2));
  }

 private:
  static docker::PoolOptions pool_options(const SinkConfig& config) {
    docker::PoolOptions o;
    o.max_connections = 2;  // the shipper sends one batch at a time
    o.connect_timeout = std::min<std::chrono::nanoseconds>(config.request_timeout, std::chrono::seconds(5));
    o.acquire_timeout = config.request_timeout;
    return o;
  }

  HttpUrl url_;
  std::map<std::string, std::string> labels_;
  docker::ConnectionPool pool_;
  docker::RequestLimits limits_;
};

Result<UniqueFd> open_append(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return errno_error("cannot open " + path + " for appending");
  return fd;
}

}  // namespace

Result<std::unique_ptr<Sink>> make_sink(asio::any_io_executor executor, const SinkConfig& config) {
  if (config.kind == "stdout") return std::unique_ptr<Sink>(std::make_unique<StdoutSink>());
  if (config.kind == "file") {
    auto fd = open_append(config.path);
    if (!fd) return fd.error();
    return std::unique_ptr<Sink>(std::make_unique<FileSink>(std::move(*fd), config.path));
  }
  auto url = parse_http_url(config.url);
  if (!url) return url.error();
  return std::unique_ptr<Sink>(std::make_unique<LokiSink>(executor, std::move(*url), config));
}

Status append_ndjson(const std::string& path, std::span<const LogRecord> records) {
  auto fd = open_append(path);
  if (!fd) return fd.error();
  auto written = write_all(fd->get(), ndjson_lines(records), path);
  if (!written) return written;
  if (::fdatasync(fd->get()) != 0) return errno_error("fdatasync " + path);
  return Ok{};
}

}  // namespace leakcheck::collector
