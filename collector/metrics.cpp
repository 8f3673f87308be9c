#include "collector/metrics.h"

#include "collector/prometheus_text.h"

namespace leakcheck::collector {

std::string render_metrics(const CollectorMetrics& m, const ScrapeFigures& f) {
  PrometheusText p;
  auto v = [](const auto& atomic) { return static_cast<double>(atomic.load(std::memory_order_relaxed)); };
  const std::string prefix = "leakcheck_collector_";
  auto counter = [&](const char* name, const char* help, double value, const MetricLabels& labels = {}) {
    p.counter(prefix + name, help, value, labels);
  };
  auto gauge = [&](const char* name, const char* help, double value) { p.gauge(prefix + name, help, value); };

  gauge("containers_followed", "Containers being followed now.", v(m.containers_followed));
  gauge("streams_open", "Log follow streams open now.", v(m.streams_open));
  counter("streams_opened_total", "Log follow streams opened.", v(m.streams_opened));
  counter("streams_closed_total", "Log follow streams closed.", v(m.streams_closed));
  counter("rotations_total", "Streams closed and reopened on the rotation interval.", v(m.rotations));
  counter("idle_reopens_total", "Streams reopened after idle_timeout without a byte.", v(m.idle_reopens));
  counter("stream_errors_total", "Failures opening or reading a stream.", v(m.stream_errors));
  counter("close_timeouts_total", "Readers that had not finished 5 s after close(); 0 unless something leaks.",
          v(m.close_timeouts));
  counter("abandoned_readers_total", "Naive strategy: readers abandoned blocked at a rotation.",
          v(m.abandoned_readers));
  for (auto s : {LogStream::stdout_stream, LogStream::stderr_stream}) {
    MetricLabels l{{"stream", std::string(stream_name(s))}};
    counter("lines_total", "Log lines read, after boundary dedup.", v(m.lines[static_cast<size_t>(s)]), l);
  }
  for (auto s : {LogStream::stdout_stream, LogStream::stderr_stream}) {
    MetricLabels l{{"stream", std::string(stream_name(s))}};
    counter("bytes_total", "Bytes of log text read.", v(m.bytes[static_cast<size_t>(s)]), l);
  }
  counter("duplicates_dropped_total", "Lines a reopened stream sent again, dropped.", v(m.duplicates_dropped));
  counter("truncated_lines_total", "Lines cut at max_line_bytes.", v(m.truncated_lines));
  counter("daemon_errors_total", "Error messages from the Docker daemon in log streams.", v(m.daemon_errors));
  counter("sink_batches_total", "Batches the sink accepted.", v(m.sink_batches));
  counter("sink_lines_total", "Lines the sink accepted.", v(m.sink_lines));
  counter("sink_errors_total", "Failed sink attempts (retried).", v(m.sink_errors));
  counter("sink_retries_total", "Sink retries after a backoff.", v(m.sink_retries));
  counter("dead_lettered_lines_total", "Lines the sink rejected for good, kept in the dead-letter file.",
          v(m.dead_lettered_lines));
  counter("cursor_saves_total", "Cursor files written.", v(m.cursor_saves));
  counter("cursor_save_errors_total", "Cursor files that could not be written.", v(m.cursor_save_errors));
  gauge("cursor_unsaved_lines", "Lines accepted by the sink whose cursor is not saved yet (repeated after a SIGKILL).",
        v(m.cursor_unsaved_lines));
  counter("events_reconnects_total", "Reconnections of the Docker events stream.", v(m.events_reconnects));
  gauge("queue_depth", "Lines waiting for the sink.", static_cast<double>(f.queue_depth));
  gauge("queue_bytes", "Bytes of text waiting for the sink.", static_cast<double>(f.queue_bytes));
  gauge("queue_capacity", "Lines the queue holds before readers wait.", static_cast<double>(f.queue_capacity));
  counter("docker_connections_opened_total", "Pooled Docker API connections opened.",
          static_cast<double>(f.docker_connections_opened));
  counter("docker_connections_reused_total", "Docker API requests served by a reused connection.",
          static_cast<double>(f.docker_connections_reused));
  gauge("docker_connections_idle", "Idle pooled Docker API connections.", static_cast<double>(f.docker_connections_idle));
  if (f.own_fds >= 0) gauge("open_fds", "File descriptors this process holds.", static_cast<double>(f.own_fds));
  if (f.own_threads >= 0) gauge("threads", "Threads of this process.", static_cast<double>(f.own_threads));
  if (f.own_rss_bytes >= 0) gauge("rss_bytes", "Resident memory of this process.", static_cast<double>(f.own_rss_bytes));
  return p.text();
}

}  // namespace leakcheck::collector
