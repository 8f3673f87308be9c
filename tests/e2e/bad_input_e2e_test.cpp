// "Faults and bad input", end to end: every bad input to leakcheck-collector
// and `leakcheck run` ends in ONE error line that names the file, key, path
// or address, and the documented exit code (README, "Exit codes and error
// messages"); and a state dir that fills up while the collector runs costs
// no cursor it already persisted and, after a restart, no line.
//
// Each case runs the real binary and compares its error line exactly (the
// logfmt timestamp aside). Permission errors are provoked as an unprivileged
// user (setpriv), never with chmod: the tests run as root, and root passes
// every permission check. Read-only and full state dirs are small tmpfs
// mounts, always unmounted, even when a test fails. The one container
// (loggen) carries leakcheck.run=<run id> and network none, and TestEngine
// removes it whatever happens.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "collector/cursor_store.h"
#include "tests/e2e/test_io.h"
#include "tests/e2e/delivery.h"
#include "tests/e2e/engine.h"
#include "tests/e2e/subprocess.h"
#include "util/unique_fd.h"

namespace leakcheck::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kCollector = COLLECTOR_BIN;
const std::string kLoggen = LOGGEN_BIN;
const std::string kLeakcheck = LEAKCHECK_BIN;
const std::string kSmoke = std::string(SOURCE_DIR) + "/scenarios/smoke.yaml";
constexpr const char* kLoggenInImage = "/usr/local/bin/leakcheck-loggen";
constexpr uid_t kNobody = 65534;

// The error lines of a program's output: logfmt "level=error" lines without
// their "ts=... " (the time is all that varies), and plain lines such as
// "leakcheck-collector: ..." or "leakcheck run: ...".
std::vector<std::string> error_lines(const std::string& output) {
  std::vector<std::string> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("ts=")) {
      size_t space = line.find(' ');
      if (line.find(" level=error ") == space) out.push_back(line.substr(space + 1));
    } else if (line.starts_with("leakcheck")) {
      out.push_back(line);
    }
  }
  return out;
}

struct Outcome {
  std::optional<int> exit_code;  // nullopt: still running at the deadline (then killed)
  std::string output;            // stdout and stderr
};

// Runs argv to its exit, at most `limit`, with its output in `log`.
Outcome run_to_exit(const std::vector<std::string>& argv, const fs::path& log,
                    std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  fs::remove(log);
  Outcome outcome;
  {
    Child child(argv, log.string());
    outcome.exit_code = child.wait_exit(limit);
  }  // killed and reaped if still running
  outcome.output = read_whole(log);
  return outcome;
}

// The exit code and the one error line, exactly.
void expect_one_error(const Outcome& o, int exit_code, const std::string& line) {
  EXPECT_EQ(o.exit_code.value_or(-2), exit_code) << "(-2: did not exit in time) output:\n" << o.output;
  auto errors = error_lines(o.output);
  ASSERT_EQ(errors.size(), 1u) << "one error line expected, output:\n" << o.output;
  EXPECT_EQ(errors[0], line) << "output:\n" << o.output;
}

// A tmpfs mounted for one test, unmounted (detached, so even while busy) when
// it goes out of scope.
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, const std::string& options) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0) mounted_ = true;
    else error_ = std::string("mount -t tmpfs -o ") + options + " " + dir_.string() + ": " + std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// A listening TCP socket on 127.0.0.1 (a free port): an address in use.
class Listener {
 public:
  Listener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (!fd_ || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_.get(), 1) != 0 || ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return;
    port_ = ntohs(addr.sin_port);
  }
  uint16_t port() const { return port_; }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

// Fills the file system of `path` until a write fails with ENOSPC.
Status fill_up(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_error("create " + path.string());
  std::string block(4096, 'x');
  for (int i = 0; i < 1 << 20; ++i) {  // 4 GiB at most: the test's tmpfs is far smaller
    if (::write(fd.get(), block.data(), block.size()) >= 0) continue;
    if (errno == ENOSPC) return Ok{};
    return errno_error("write " + path.string());
  }
  return Error{0, "write " + path.string() + ": 4 GiB written and still not full"};
}

class BadInputE2E : public ::testing::Test {
 protected:
  BadInputE2E() : engine_(unique_run_id("lc-bad")) {}

  void SetUp() override {
    auto connected = engine_.connect();
    ASSERT_TRUE(connected) << connected.error().message();
    std::string pattern = (fs::temp_directory_path() / ("leakcheck-" + engine_.run_id() + "-XXXXXX")).string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    state_dir_ = dir_ / "state";
  }

  void TearDown() override {
    collector_.reset();  // still running after a failure: killed and reaped
    if (HasFailure()) {
      std::cerr << "kept for inspection: " << dir_ << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(dir_, ec);  // a mount point inside is detached already
    }
  }

  // The collector, following only this test's containers, with `extra` flags.
  std::vector<std::string> collector_argv(const std::vector<std::string>& extra) const {
    std::vector<std::string> argv = {kCollector,        "--docker-host",    engine_.endpoint_text(),
                                     "--include-label", engine_.label(),    "--state-dir",
                                     state_dir_.string(), "--metrics-listen", "off"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  Outcome collector(const std::vector<std::string>& extra) {
    return run_to_exit(collector_argv(extra), dir_ / ("collector-" + std::to_string(++runs_) + ".log"));
  }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }

  // Starts the collector in the background; waits until it says it runs.
  void start_collector(const std::vector<std::string>& extra, const std::string& log_name) {
    collector_log_ = dir_ / log_name;
    collector_ = std::make_unique<Child>(collector_argv(extra), collector_log_.string());
    std::optional<int> early_exit;
    bool running = wait_until(
        [&] {
          early_exit = collector_->wait_exit(std::chrono::milliseconds(0));
          return early_exit || read_whole(collector_log_).find("msg=\"collector running\"") != std::string::npos;
        },
        std::chrono::seconds(20));
    ASSERT_FALSE(early_exit) << "the collector exited with " << *early_exit << ":\n" << read_whole(collector_log_);
    ASSERT_TRUE(running) << "the collector did not report running within 20 s";
  }

  TestEngine engine_;
  fs::path dir_, state_dir_, collector_log_;
  std::unique_ptr<Child> collector_;
  int runs_ = 0;
};

// --- 1. configuration: exit 2, "FILE:LINE: KEY: ..." or "--flag: ..." -------

TEST_F(BadInputE2E, ConfigFileErrorsNameFileLineAndKey) {
  struct Case {
    std::string text, message;
  } cases[] = {
      {"sink:\n  type: loki\n  url: [\n", ":4:1: invalid YAML: end of sequence flow not found"},
      {"docker_host: unix:///var/run/docker.sock\nrotation_intervall: 5s\n", ":2: rotation_intervall: unknown key"},
      {"rotation_interval: 5 minutes\n",
       ":1: rotation_interval: invalid duration \"5 minutes\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {"sink:\n  type: loki\n  url: http://loki:3100/loki/api/v1/push\n",
       ":3: sink.url: invalid URL \"http://loki:3100/loki/api/v1/push\": the host must be a numeric IP address or "
       "localhost (no name resolution) (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {"sink:\n  type: file\n", ":2: sink.path: a file sink needs a path"},
      {"queue_max_lines: -5\n", ":1: queue_max_lines: expected a non-negative whole number, got \"-5\""},
      {"queue_max_lines: 0\n", ":1: queue_max_lines: must be above zero"},
  };
  for (const auto& tc : cases) {
    fs::path file = write("collector.yaml", tc.text);
    Outcome o = collector({"--config", file.string()});
    expect_one_error(o, 2, "leakcheck-collector: " + file.string() + tc.message + " (see --help)");
  }
  Outcome missing = collector({"--config", (dir_ / "nowhere.yaml").string()});
  expect_one_error(missing, 2,
                   "leakcheck-collector: cannot read " + (dir_ / "nowhere.yaml").string() +
                       ": No such file or directory (see --help)");
}

TEST_F(BadInputE2E, BadFlagsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--sink", "kafka=x"}, "--sink: expected loki=URL, file=PATH or stdout, got \"kafka=x\""},
      {{"--sink", "loki=127.0.0.1:3100"},
       "--sink: invalid URL \"127.0.0.1:3100\": only http:// is supported (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {{"--rotation-interval", "-5s"}, "--rotation-interval: invalid duration \"-5s\": must not be negative"},
      {{"--idle-timeout", "soon"}, "--idle-timeout: invalid duration \"soon\": expected a number, e.g. 30s, 500ms, 4h"},
      {{"--queue-max-lines", "-3"}, "--queue-max-lines: expected a positive whole number, got \"-3\""},
      {{"--frobnicate", "1"}, "unknown option --frobnicate"},
      {{"--log-level"}, "--log-level: needs a value"},
  };
  for (const auto& tc : cases) {
    Outcome o = collector(tc.args);
    expect_one_error(o, 2, "leakcheck-collector: " + tc.message + " (see --help)");
  }
}

// --- 2. the Docker socket --------------------------------------------------

TEST_F(BadInputE2E, MissingDockerSocketIsExit2NamingIt) {
  auto argv = collector_argv({});
  argv[2] = "unix:///nonexistent.sock";
  Outcome o = run_to_exit(argv, dir_ / "collector.log");
  expect_one_error(o, 2,
                   "level=error msg=\"the Docker engine is unreachable\" docker_host=unix:///nonexistent.sock "
                   "error=\"unix:///nonexistent.sock: GET /version: connecting: No such file or directory\"");
}

TEST_F(BadInputE2E, DockerSocketPermissionDeniedIsExit2WithAHint) {
  const std::string socket = "/var/run/docker.sock";
  struct stat st {};
  if (::geteuid() != 0 || ::stat(socket.c_str(), &st) != 0 || (st.st_mode & S_IRWXO) != 0 ||
      ::access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs root, setpriv and " << socket << " closed to others (mode 660)";
  // The unprivileged user needs its own state dir (it comes before the engine).
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::create_directories(state_dir_);
  ASSERT_EQ(::chown(state_dir_.c_str(), kNobody, kNobody), 0);
  auto argv = collector_argv({});
  argv[2] = "unix://" + socket;
  argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  Outcome o = run_to_exit(argv, dir_ / "collector.log");
  expect_one_error(o, 2,
                   "level=error msg=\"permission denied on the Docker socket /var/run/docker.sock: access to it is "
                   "root-equivalent; run the collector as a user in the socket's group (usually docker) or through a "
                   "read-only socket proxy (README, Security)\" docker_host=unix:///var/run/docker.sock "
                   "error=\"unix:///var/run/docker.sock: GET /version: connecting: Permission denied\"");
}

// --- 3. the sink -----------------------------------------------------------

TEST_F(BadInputE2E, UnreachableLokiIsExit2NamingTheUrlUnlessSinkWait) {
  const std::string url = "http://127.0.0.1:1/loki/api/v1/push";  // port 1: nothing listens
  Outcome o = collector({"--sink", "loki=" + url});
  expect_one_error(o, 2,
                   "level=error msg=\"the sink is unreachable; start anyway with --sink-wait (config sink.wait: "
                   "true)\" error=\"cannot connect to the Loki sink " + url + ": Connection refused\"");

  // --sink-wait: it starts, says why it may not deliver yet, and stops cleanly.
  ASSERT_NO_FATAL_FAILURE(start_collector({"--sink", "loki=" + url, "--sink-wait"}, "collector-wait.log"));
  std::string log = read_whole(collector_log_);
  EXPECT_NE(log.find("level=warn msg=\"the sink does not answer yet; starting anyway (--sink-wait) and retrying "
                     "until it does\" error=\"cannot connect to the Loki sink " + url + ": Connection refused\""),
            std::string::npos)
      << log;
  EXPECT_TRUE(error_lines(log).empty()) << log;
  ASSERT_TRUE(collector_->send_signal(SIGTERM));
  EXPECT_EQ(collector_->wait_exit(std::chrono::seconds(15)).value_or(-2), 0) << read_whole(collector_log_);
}

TEST_F(BadInputE2E, FileSinkInAMissingOrReadOnlyDirectoryIsExit2NamingThePath) {
  fs::path missing = dir_ / "no-such-dir" / "lines.ndjson";
  expect_one_error(collector({"--sink", "file=" + missing.string()}), 2,
                   "level=error msg=\"cannot open the sink\" error=\"cannot open " + missing.string() +
                       " for appending: No such file or directory\"");
  TmpfsMount ro(dir_ / "ro", "ro,size=1m");
  ASSERT_TRUE(ro.mounted()) << ro.error();
  fs::path read_only = dir_ / "ro" / "lines.ndjson";
  expect_one_error(collector({"--sink", "file=" + read_only.string()}), 2,
                   "level=error msg=\"cannot open the sink\" error=\"cannot open " + read_only.string() +
                       " for appending: Read-only file system\"");
}

// --- 4. the state dir at start ---------------------------------------------

TEST_F(BadInputE2E, StateDirThatIsAFileIsExit2NamingIt) {
  fs::path file = write("not-a-dir", "x\n");
  auto argv = collector_argv({});
  argv[6] = file.string();
  expect_one_error(run_to_exit(argv, dir_ / "collector.log"), 2,
                   "level=error msg=\"cannot use the state dir\" error=\"state dir " + file.string() +
                       " is not writable: Not a directory\"");
}

TEST_F(BadInputE2E, ReadOnlyStateDirIsExit2NamingIt) {
  TmpfsMount ro(state_dir_, "ro,size=1m");
  ASSERT_TRUE(ro.mounted()) << ro.error();
  expect_one_error(collector({}), 2,
                   "level=error msg=\"cannot use the state dir\" error=\"state dir " + state_dir_.string() +
                       " is not writable: Read-only file system\"");
}

// --- 5. the /metrics address ----------------------------------------------

TEST_F(BadInputE2E, MetricsAddressBusyOrInvalidIsExit2NamingIt) {
  Listener busy;
  ASSERT_NE(busy.port(), 0);
  std::string address = "127.0.0.1:" + std::to_string(busy.port());
  expect_one_error(collector({"--metrics-listen", address}), 2,
                   "level=error msg=\"cannot serve /metrics\" metrics_listen=" + address + " error=\"listen on " +
                       address + ": Address already in use\"");
  expect_one_error(collector({"--metrics-listen", "nonsense"}), 2,
                   "level=error msg=\"cannot serve /metrics\" metrics_listen=nonsense error=\"invalid listen address "
                   "\\\"nonsense\\\": no port (expected HOST:PORT, e.g. 127.0.0.1:9464)\"");
}

// --- 4 (c). the state dir fills up while the collector runs ----------------
//
// What a user relies on: the failure is said clearly (the path, ENOSPC, the
// metric), the cursor file already persisted stays whole and unchanged (the
// temporary file of a failed save is removed), the collector stops with exit
// 3 within a bound instead of shipping on with a cursor it cannot persist,
// and after space is freed a restart delivers every line: the lines shipped
// since the last save come again (duplicates), none is missing.
TEST_F(BadInputE2E, FullStateDirKeepsPersistedCursorsStopsWithExit3AndLosesNothing) {
  auto image = engine_.use_loggen_image(kLoggen);
  ASSERT_TRUE(image) << image.error().message();
  TmpfsMount tmpfs(state_dir_, "size=256k");
  ASSERT_TRUE(tmpfs.mounted()) << tmpfs.error();
  const std::string name = engine_.run_id() + "-writer";
  constexpr size_t kLines = 2500;  // 50 s at 50 lines/s: it writes on across the stop and the restart
  auto id = engine_.start(name, {kLoggenInImage, "--run", engine_.run_id(), "--name", name, "--rate", "50", "--count",
                                 std::to_string(kLines)});
  ASSERT_TRUE(id) << id.error().message();
  const fs::path sink = dir_ / "sink.ndjson";  // outside the tmpfs
  const fs::path cursor_file = state_dir_ / (*id + ".cursor.json");
  auto flags = [&](const char* metrics) {
    return std::vector<std::string>{"--sink", "file=" + sink.string(), "--metrics-listen", metrics};
  };

  // 1. Running, delivering, its cursor persisted.
  ASSERT_NO_FATAL_FAILURE(start_collector(flags("127.0.0.1:0"), "collector-1.log"));
  std::string log = read_whole(collector_log_);
  size_t at = log.find("metrics=127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << log;
  uint16_t port = static_cast<uint16_t>(std::stoi(log.substr(at + 18)));
  ASSERT_TRUE(wait_until([&] { return fs::exists(cursor_file) && count_newlines(sink) >= 100; }, std::chrono::seconds(20)))
      << "no cursor file or no lines after 20 s:\n" << read_whole(collector_log_);

  // 2. The state dir fills up.
  ASSERT_TRUE(fill_up(state_dir_ / "dummy"));
  const std::string failure = "level=error msg=\"cannot persist cursor; the previous one stays in place and is retried\" "
                              "error=\"write " + cursor_file.string() + ".tmp: No space left on device\"";
  ASSERT_TRUE(wait_until([&] { return read_whole(collector_log_).find(failure) != std::string::npos; },
                         std::chrono::seconds(10)))
      << "expected, within 10 s: " << failure << "\nlog:\n" << read_whole(collector_log_);
  const std::string persisted = read_whole(cursor_file);
  auto cursor = collector::parse_cursor(persisted);
  ASSERT_TRUE(cursor) << "the persisted cursor is damaged: " << cursor.error().message() << "\n" << persisted;
  EXPECT_EQ(cursor->container_id, *id);
  auto errors = metric(scrape_metrics(port), "leakcheck_collector_cursor_save_errors_total");
  ASSERT_TRUE(errors.has_value()) << "no cursor_save_errors_total in /metrics";
  EXPECT_GE(*errors, 1);

  // 3. Exit 3 within the documented bound (30 s of failed saves), the cursor
  // file as it was, no temporary file left.
  auto started_failing = Clock::now();
  auto code = collector_->wait_exit(std::chrono::seconds(45));
  double took = std::chrono::duration<double>(Clock::now() - started_failing).count();
  ASSERT_TRUE(code) << "still running 45 s after saves began to fail:\n" << read_whole(collector_log_);
  EXPECT_EQ(*code, 3) << read_whole(collector_log_);
  std::cout << "[ measure  ] exit " << *code << " " << took << " s after the first failed save was seen\n";
  log = read_whole(collector_log_);
  EXPECT_NE(log.find("level=error msg=\"cursors could not be persisted; stopping (exit 3). The cursor files already "
                     "saved are intact: after a restart nothing is lost, and lines since the last save are delivered "
                     "again\" state_dir=" + state_dir_.string() + " for=30s error=\"write " + cursor_file.string() +
                     ".tmp: No space left on device\""),
            std::string::npos)
      << log;
  EXPECT_EQ(read_whole(cursor_file), persisted) << "a cursor file changed although no save could succeed";
  EXPECT_FALSE(fs::exists(cursor_file.string() + ".tmp")) << "a failed save left its temporary file";
  size_t first_run = count_newlines(sink);

  // 4. Space again; a restart delivers everything, missing nothing.
  fs::remove(state_dir_ / "dummy");
  ASSERT_NO_FATAL_FAILURE(start_collector(flags("off"), "collector-2.log"));
  auto exited = engine_.wait_exit(*id, std::chrono::seconds(90));
  ASSERT_TRUE(exited) << exited.error().message();
  auto raw = engine_.logs(*id);
  ASSERT_TRUE(raw) << raw.error().message();
  auto lines = decode_daemon_logs(*raw, /*tty=*/false);
  ASSERT_TRUE(lines) << lines.error().message();
  ASSERT_TRUE(check_loggen_lines(*lines, engine_.run_id(), name, false, kLines));
  std::map<std::string, ContainerTruth> truth = {{name, ContainerTruth{*id, false, std::move(*lines)}}};
  auto delivered_all = [&] {
    auto parsed = parse_ndjson(read_whole(sink));
    return parsed && check_exactly_once(truth, *parsed, false).missing == 0;
  };
  EXPECT_TRUE(wait_until(delivered_all, std::chrono::seconds(30))) << "lines still missing 30 s after the writer ended";
  ASSERT_TRUE(collector_->send_signal(SIGTERM));
  EXPECT_EQ(collector_->wait_exit(std::chrono::seconds(15)).value_or(-2), 0) << read_whole(collector_log_);
  collector_.reset();

  auto parsed = parse_ndjson(read_whole(sink));
  ASSERT_TRUE(parsed) << parsed.error().message();
  DeliveryReport report = check_exactly_once(truth, *parsed, /*short_ids=*/false);
  EXPECT_EQ(report.expected, kLines);
  EXPECT_EQ(report.missing, 0u);
  EXPECT_EQ(report.matched, kLines);
  EXPECT_EQ(report.unexpected, 0u);
  EXPECT_EQ(report.wrong_ts, 0u);
  // The lines shipped while no save succeeded came again: the cursor on disk
  // never moved past lines it could not record.
  EXPECT_GT(report.duplicated, 0u);
  std::cout << "[ measure  ] " << report.text() << "; " << first_run << " lines before the stop\n";
}

// --- 6. `leakcheck run` ----------------------------------------------------

TEST_F(BadInputE2E, RunWithoutADockerEngineIsExit2NamingTheSocket) {
  const std::string expected =
      "level=error msg=\"the Docker engine is unavailable\" docker_host=unix:///nonexistent.sock "
      "error=\"unix:///nonexistent.sock: GET /version: connecting: No such file or directory\"";
  const std::string runs = (dir_ / "runs").string();
  expect_one_error(run_to_exit({kLeakcheck, "run", kSmoke, "--runs-dir", runs, "--docker-host",
                                "unix:///nonexistent.sock"},
                               dir_ / "run-1.log"),
                   2, expected);
  expect_one_error(run_to_exit({"env", "DOCKER_HOST=unix:///nonexistent.sock", kLeakcheck, "run", kSmoke, "--runs-dir",
                                runs},
                               dir_ / "run-2.log"),
                   2, expected);
}

TEST_F(BadInputE2E, RunWithAMissingCollectorIsExit2NamingThePath) {
  const std::string collector = (dir_ / "no-such-collector").string();
  Outcome o = run_to_exit({kLeakcheck, "run", kSmoke, "--runs-dir", (dir_ / "runs").string(), "--collector", collector,
                           "--docker-host", engine_.endpoint_text()},
                          dir_ / "run.log", std::chrono::seconds(150));
  expect_one_error(o, 2,
                   "level=error msg=\"the target failed to start\" error=\"cannot start the target " + collector +
                       ": No such file or directory\"");
}

TEST_F(BadInputE2E, RunWithAReadOnlyRunsDirIsExit2NamingIt) {
  TmpfsMount ro(dir_ / "runs", "ro,size=1m");
  ASSERT_TRUE(ro.mounted()) << ro.error();
  const std::string runs = (dir_ / "runs").string();
  Outcome o = run_to_exit({kLeakcheck, "run", kSmoke, "--runs-dir", runs, "--docker-host", engine_.endpoint_text()},
                          dir_ / "run.log");
  EXPECT_EQ(o.exit_code.value_or(-2), 2) << o.output;
  auto errors = error_lines(o.output);
  ASSERT_EQ(errors.size(), 1u) << o.output;
  // "leakcheck run: cannot create RUNS/<run id>: Read-only file system"
  EXPECT_TRUE(errors[0].starts_with("leakcheck run: cannot create " + runs + "/lc")) << errors[0];
  EXPECT_TRUE(errors[0].ends_with(": Read-only file system")) << errors[0];
}

}  // namespace
}  // namespace leakcheck::testing
