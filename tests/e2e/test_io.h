#pragma once
// Small waits and reads the end-to-end tests share.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace leakcheck::testing {

std::string read_whole(const std::filesystem::path& path);
size_t count_newlines(const std::filesystem::path& path);
// Polls `done` every 100 ms, at most `limit`; true once it holds.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
// GET http://127.0.0.1:port/metrics, headers and body; empty on any failure.
std::string scrape_metrics(uint16_t port);
// The value of an unlabelled series in Prometheus text; nullopt if absent.
std::optional<double> metric(const std::string& text, const std::string& name);

}  // namespace leakcheck::testing
