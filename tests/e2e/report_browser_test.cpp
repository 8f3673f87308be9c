// The HTML report in a real browser: Debian's chromium, headless, driven over
// the Chrome DevTools Protocol on a pipe (--remote-debugging-pipe: commands
// go to its fd 3, responses and events come from its fd 4, each message JSON
// followed by a NUL byte). A report rendered from a real smoke run, with
// hostile strings injected (reports/tests/fixtures/make_report_fixture.py),
// must load without a script error or console error, draw every chart with a
// non-zero size, run nothing it was handed and show the hostile strings as
// text. A full-page screenshot goes to <build>/artifacts/report-screenshot.png.
//
// Chromium runs in its own process group: its helpers (zygote, renderer, GPU
// process) share it, so one SIGKILL to the group ends them all whatever
// happened; the browser itself is then reaped. Every wait has a deadline: the
// whole test takes a few seconds, at most about 50.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "reports/html.h"
#include "util/unique_fd.h"

extern char** environ;

namespace leakcheck::testing {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The test's budget for everything chromium does (start, load, evaluate,
// screenshot); ctest's TIMEOUT (60 s) is the backstop.
constexpr std::chrono::seconds kBudget{45};
constexpr std::chrono::seconds kCloseWait{5};

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::optional<std::string> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// A descriptor moved to 10 or above (close-on-exec), so that the child's
// dup2 onto 3 and 4 can never overwrite another of the descriptors it maps.
UniqueFd above_ten(UniqueFd fd) {
  UniqueFd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 10));
  if (!moved) throw std::runtime_error("fcntl(F_DUPFD_CLOEXEC) failed");
  return moved;
}

void make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  read_end = above_ten(UniqueFd(p[0]));
  write_end = above_ten(UniqueFd(p[1]));
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string file_tail(const fs::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > max_bytes ? all.substr(all.size() - max_bytes) : all;
}

// Chromium with a CDP pipe: call() sends a command and waits for its
// response; every event read meanwhile is kept in events().
class Browser {
 public:
  Browser(const std::string& exe, const fs::path& profile_dir, const fs::path& log_path) : log_path_(log_path) {
    UniqueFd commands_r, commands_w, replies_r, replies_w;
    make_pipe(commands_r, commands_w);
    make_pipe(replies_r, replies_w);
    UniqueFd null_in = above_ten(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
    UniqueFd log = above_ten(UniqueFd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)));

    std::vector<std::string> argv = {exe,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--user-data-dir=" + profile_dir.string(),
                                     "--remote-debugging-pipe"};
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, null_in.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, log.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, log.get(), 2);
    posix_spawn_file_actions_adddup2(&actions, commands_r.get(), 3);
    posix_spawn_file_actions_adddup2(&actions, replies_w.get(), 4);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);  // this process ignores it; chromium gets the default
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group: pid == pgid
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    int rc = ::posix_spawn(&pid_, exe.c_str(), &actions, &attr, c_argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
    to_browser_ = std::move(commands_w);
    from_browser_ = std::move(replies_r);
  }

  ~Browser() { stop(); }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Asks chromium to close, waits a little, then kills its whole process
  // group (helpers included) and reaps it. Safe to call twice.
  void stop() {
    if (pid_ <= 0) return;
    if (to_browser_) {
      try {
        send({{"id", next_id_++}, {"method", "Browser.close"}}, Clock::now() + std::chrono::seconds(1));
      } catch (const std::exception&) {
        // Already gone or not reading: the SIGKILL below ends it.
      }
    }
    // Wait for it to exit without reaping it (WNOWAIT): until it is reaped
    // its pid, and so the group's id, cannot be reused by another process.
    auto deadline = Clock::now() + kCloseWait;
    for (;;) {
      siginfo_t info{};
      int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
      if ((rc == 0 && info.si_pid == pid_) || (rc < 0 && errno != EINTR) || Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid_, SIGKILL);  // the whole group: the browser if it hangs, helpers that outlived it
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    to_browser_.reset();
    from_browser_.reset();
  }

  json call(const std::string& method, const json& params, const std::string& session,
            Clock::time_point deadline) {
    int id = next_id_++;
    json message = {{"id", id}, {"method", method}, {"params", params}};
    if (!session.empty()) message["sessionId"] = session;
    send(message, deadline);
    for (;;) {
      if (auto it = responses_.find(id); it != responses_.end()) {
        json response = std::move(it->second);
        responses_.erase(it);
        if (response.contains("error"))
          throw std::runtime_error(method + " failed: " + response["error"].dump());
        return response.value("result", json::object());
      }
      read_some(deadline, method);
    }
  }

  // The first event `method` of `session` ("" for the browser's own).
  json wait_event(const std::string& method, const std::string& session, Clock::time_point deadline) {
    for (;;) {
      for (const json& e : events_)
        if (e.value("method", "") == method && e.value("sessionId", "") == session) return e;
      read_some(deadline, method);
    }
  }

  const std::vector<json>& events() const { return events_; }
  std::string log_tail() const { return file_tail(log_path_, 3000); }

 private:
  void send(const json& message, Clock::time_point deadline) {
    std::string bytes = message.dump();
    bytes.push_back('\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
      pollfd p{to_browser_.get(), POLLOUT, 0};
      int n = ::poll(&p, 1, remaining_ms(deadline));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("timed out writing to chromium");
      ssize_t w = ::write(to_browser_.get(), bytes.data() + done, bytes.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw std::runtime_error("chromium closed its command pipe (errno " + std::to_string(errno) + ")");
      done += static_cast<std::size_t>(w);
    }
  }

  // Reads what is there (waiting until `deadline`) and files every complete
  // message as a response (it has an id) or an event.
  void read_some(Clock::time_point deadline, const std::string& waiting_for) {
    pollfd p{from_browser_.get(), POLLIN, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) return;
    if (n == 0) throw std::runtime_error("timed out waiting for " + waiting_for + " from chromium");
    char chunk[65536];
    ssize_t r = ::read(from_browser_.get(), chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) return;
    if (r <= 0) throw std::runtime_error("chromium closed its pipe while we waited for " + waiting_for);
    std::size_t scan_from = buffer_.size();
    buffer_.append(chunk, static_cast<std::size_t>(r));
    std::size_t start = 0;
    for (std::size_t end; (end = buffer_.find('\0', scan_from)) != std::string::npos; scan_from = start) {
      json message = json::parse(buffer_.begin() + static_cast<long>(start), buffer_.begin() + static_cast<long>(end));
      start = end + 1;
      if (message.contains("id")) {
        int id = message["id"].get<int>();  // json's operator= takes its argument by value: read first
        responses_[id] = std::move(message);
      } else {
        events_.push_back(std::move(message));
      }
    }
    buffer_.erase(0, start);
  }

  fs::path log_path_;
  pid_t pid_ = -1;
  UniqueFd to_browser_;    // its fd 3
  UniqueFd from_browser_;  // its fd 4
  std::string buffer_;
  int next_id_ = 1;
  std::map<int, json> responses_;
  std::vector<json> events_;
};

std::string base64_decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) continue;  // '=' padding
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// Script errors, console errors, log errors and dialogs (an alert() that ran).
std::vector<std::string> page_errors(const std::vector<json>& events) {
  std::vector<std::string> errors;
  for (const json& e : events) {
    std::string method = e.value("method", "");
    const json params = e.value("params", json::object());
    if (method == "Runtime.exceptionThrown") errors.push_back("exception: " + params.dump());
    if (method == "Runtime.consoleAPICalled" && params.value("type", "") == "error")
      errors.push_back("console error: " + params.dump());
    if (method == "Log.entryAdded" && params.value("entry", json::object()).value("level", "") == "error")
      errors.push_back("log error: " + params.dump());
    if (method == "Page.javascriptDialogOpening") errors.push_back("a dialog opened: " + params.dump());
  }
  return errors;
}

// What the page shows, measured by the browser itself.
constexpr const char* kInspect = R"js(JSON.stringify({
  title: document.title,
  verdict: (document.querySelector('.verdict-word') || {}).textContent,
  charts: Array.from(document.querySelectorAll('svg.chart')).map(e => {
    const r = e.getBoundingClientRect(); return {w: r.width, h: r.height};
  }),
  svgs: document.querySelectorAll('svg').length,
  scripts: document.querySelectorAll('script').length,
  images: document.images.length,
  handlers: document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover]').length,
  text_script: document.body.innerText.includes('<script>alert(1)</script>'),
  text_img: document.body.innerText.includes('<img src=x onerror=alert(1)>'),
  text_pre: document.body.innerText.includes('</pre><script>alert(2)</script>'),
  text_series: document.body.textContent.includes('evil"\'<svg onload=alert(3)>.sock'),
  width: document.documentElement.scrollWidth,
  height: document.documentElement.scrollHeight
}))js";

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override { ::signal(SIGPIPE, SIG_IGN); }  // a dead browser is an error, not a kill
};

TEST_F(ReportBrowserTest, RendersInChromiumWithoutErrorsAndWithoutRunningHostileStrings) {
  const auto deadline = Clock::now() + kBudget;
  std::optional<std::string> chromium = find_in_path("chromium");
  ASSERT_TRUE(chromium) << "chromium is not installed: this test renders the HTML report in Debian's chromium "
                           "(apt-get install chromium; scripts/lib/bootstrap.sh installs it)";

  // The report, rendered to a file.
  std::ifstream fixture(REPORT_FIXTURE);
  ASSERT_TRUE(fixture) << "cannot read " << REPORT_FIXTURE;
  const std::string html = reports::render_report_html(json::parse(fixture));
  std::size_t charts_in_html = 0;
  for (auto pos = html.find("<svg class=\"chart\""); pos != std::string::npos;
       pos = html.find("<svg class=\"chart\"", pos + 1))
    ++charts_in_html;
  ASSERT_GT(charts_in_html, 5u);
  TempDir work("leakcheck-report-");
  TempDir profile("leakcheck-chromium-");
  const fs::path page = work.path() / "report.html";
  std::ofstream(page) << html;

  Browser browser(*chromium, profile.path(), work.path() / "chromium.log");
  try {
    // A tab, attached in flattened mode: its commands carry its sessionId.
    json target = browser.call("Target.createTarget", {{"url", "about:blank"}}, "", deadline);
    json attached = browser.call("Target.attachToTarget", {{"targetId", target.at("targetId")}, {"flatten", true}},
                                 "", deadline);
    const std::string session = attached.at("sessionId");
    for (const char* domain : {"Runtime.enable", "Log.enable", "Page.enable"})
      browser.call(domain, json::object(), session, deadline);
    browser.call("Emulation.setDeviceMetricsOverride",
                 {{"width", 1200}, {"height", 900}, {"deviceScaleFactor", 1}, {"mobile", false}}, session, deadline);

    json nav = browser.call("Page.navigate", {{"url", "file://" + page.string()}}, session, deadline);
    ASSERT_FALSE(nav.contains("errorText")) << nav.dump();
    browser.wait_event("Page.loadEventFired", session, deadline);

    json evaluated = browser.call("Runtime.evaluate", {{"expression", kInspect}, {"returnByValue", true}}, session,
                                  deadline);
    ASSERT_FALSE(evaluated.contains("exceptionDetails")) << evaluated.dump();
    json page_state = json::parse(evaluated.at("result").at("value").get<std::string>());

    // Every chart laid out with a size, and nothing else drawn or run.
    EXPECT_EQ(page_state["verdict"], "PASS");
    EXPECT_NE(page_state["title"].get<std::string>().find("leakcheck PASS: smoke"), std::string::npos);
    ASSERT_EQ(page_state["charts"].size(), charts_in_html) << page_state.dump();
    for (const json& c : page_state["charts"]) {
      EXPECT_GT(c["w"].get<double>(), 100) << c.dump();
      EXPECT_GT(c["h"].get<double>(), 100) << c.dump();
    }
    EXPECT_EQ(page_state["svgs"], charts_in_html);
    EXPECT_EQ(page_state["scripts"], 0);
    EXPECT_EQ(page_state["images"], 0);
    EXPECT_EQ(page_state["handlers"], 0);
    EXPECT_LE(page_state["width"].get<int>(), 1200) << "the page scrolls sideways";
    // The hostile strings are on the page, as text.
    EXPECT_TRUE(page_state["text_script"]);
    EXPECT_TRUE(page_state["text_img"]);
    EXPECT_TRUE(page_state["text_pre"]);
    EXPECT_TRUE(page_state["text_series"]);

    // The whole page as one PNG.
    json metrics = browser.call("Page.getLayoutMetrics", json::object(), session, deadline);
    json size = metrics.contains("cssContentSize") ? metrics["cssContentSize"] : metrics.at("contentSize");
    json shot = browser.call("Page.captureScreenshot",
                             {{"format", "png"},
                              {"captureBeyondViewport", true},
                              {"clip",
                               {{"x", 0},
                                {"y", 0},
                                {"width", size.at("width")},
                                {"height", size.at("height")},
                                {"scale", 1}}}},
                             session, deadline);
    const std::string png = base64_decode(shot.at("data").get<std::string>());
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png.substr(1, 3), "PNG");
    fs::create_directories(ARTIFACTS_DIR);
    const fs::path artifact = fs::path(ARTIFACTS_DIR) / "report-screenshot.png";
    std::ofstream(artifact, std::ios::binary) << png;
    std::cout << "screenshot: " << artifact.string() << " (" << size.at("width") << "x" << size.at("height")
              << " CSS px, " << png.size() << " bytes)\n";

    // No script error, console error or error log entry at any point.
    std::vector<std::string> errors = page_errors(browser.events());
    EXPECT_TRUE(errors.empty()) << errors.size() << " errors, the first ones:\n" << [&] {
      std::string first;
      for (std::size_t i = 0; i < errors.size() && i < 5; ++i) first += errors[i].substr(0, 600) + "\n";
      return first;
    }();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << "\nchromium's log (tail):\n" << browser.log_tail();
  }
  browser.stop();
}

}  // namespace
}  // namespace leakcheck::testing
