#include "support.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace leakcheck::docker::testing {

namespace {

// --- a minimal ustar writer -------------------------------------------------

void put_octal(char* field, std::size_t width, unsigned long long value) {
  // width - 1 octal digits, then NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), value);
}

void add_entry(std::string& tar, const std::string& name, char type, unsigned mode,
               std::string_view data = {}, const std::string& link = {}) {
  char h[512] = {};
  std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 99));
  put_octal(h + 100, 8, mode);
  put_octal(h + 108, 8, 0);  // uid
  put_octal(h + 116, 8, 0);  // gid
  put_octal(h + 124, 12, data.size());
  put_octal(h + 136, 12, 0);  // mtime: fixed, so the tarball is reproducible
  h[156] = type;
  std::memcpy(h + 157, link.data(), std::min<std::size_t>(link.size(), 99));
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memcpy(h + 265, "root", 4);
  std::memcpy(h + 297, "root", 4);
  // The checksum is taken with its own field read as spaces.
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 7, "%06o", sum);
  h[154] = '\0';
  h[155] = ' ';
  tar.append(h, sizeof h);
  tar.append(data);
  tar.append((512 - data.size() % 512) % 512, '\0');
}

std::atomic<int> g_run_counter{0};
bool g_image_ready = false;

asio::awaitable<Status> remove_labelled(Client& client, Filters filters) {
  ListOptions list;
  list.all = true;
  list.filters = std::move(filters);
  auto containers = co_await client.list_containers(list);
  if (!containers) co_return containers.error();
  for (const auto& c : *containers) {
    auto removed = co_await client.remove_container(c.id, /*force=*/true);
    if (!removed) co_return removed.error();
  }
  co_return Ok{};
}

asio::awaitable<Status> ensure_image(Client& client) {
  auto exists = co_await client.image_exists(kTestImage);
  if (!exists) co_return exists.error();
  if (*exists) co_return Ok{};
  auto tar = busybox_rootfs_tar();
  if (!tar) co_return tar.error();
  std::string name = kTestImage;
  auto colon = name.find(':');
  co_return co_await client.import_image(std::move(*tar), name.substr(0, colon), name.substr(colon + 1));
}

}  // namespace

Endpoint test_endpoint() {
  auto ep = endpoint_from_environment();
  if (ep) return *ep;
  ADD_FAILURE() << ep.error().message();
  return *parse_endpoint(kDefaultDockerHost);
}

Result<std::string> busybox_rootfs_tar(const std::string& busybox_path) {
  std::ifstream in(busybox_path, std::ios::binary);
  if (!in) return errno_error("reading " + busybox_path);
  std::string busybox((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string tar;
  for (const char* dir : {"bin/", "dev/", "etc/", "proc/", "sys/", "tmp/"}) add_entry(tar, dir, '5', 0755);
  add_entry(tar, "bin/busybox", '0', 0755, busybox);
  for (const char* applet : {"sh", "echo", "sleep", "cat", "seq", "printf", "true", "false", "yes",
                             "head", "env", "kill"})
    add_entry(tar, std::string("bin/") + applet, '2', 0777, {}, "busybox");
  tar.append(1024, '\0');  // two empty blocks end the archive
  return tar;
}

std::string frame(int stream, std::string_view payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  auto n = static_cast<std::uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + std::string(payload);
}

std::vector<Frame> take_frames(std::string& bytes) {
  std::vector<Frame> out;
  std::size_t pos = 0;
  while (bytes.size() - pos >= 8) {
    auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[pos + i])); };
    std::uint32_t n = b(4) << 24 | b(5) << 16 | b(6) << 8 | b(7);
    if (bytes.size() - pos - 8 < n) break;
    out.push_back(Frame{static_cast<int>(b(0)), bytes.substr(pos + 8, n)});
    pos += 8 + n;
  }
  bytes.erase(0, pos);
  return out;
}

std::size_t count_open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

EngineTest::EngineTest()
    : run_id_("docker-test-" + std::to_string(::getpid()) + "-" + std::to_string(++g_run_counter)) {}

void EngineTest::SetUp() {
  Endpoint endpoint = test_endpoint();
  ClientOptions options;
  options.pool.connect_timeout = 3s;
  client_ = std::make_unique<Client>(io_.get_executor(), endpoint, options);

  auto version = run(client_->negotiate(), 10s);
  ASSERT_TRUE(version) << "no answer from the Docker engine";
  ASSERT_TRUE(*version) << "Docker engine not usable at " << endpoint.text() << ": "
                        << version->error().message()
                        << "\nThe integration tests need a running engine (dockerd "
                           "--iptables=false --bridge=none); they do not skip without one.";
  engine_reachable_ = true;
  if (!g_image_ready) {
    auto image = run(ensure_image(*client_), 120s);
    ASSERT_TRUE(image && *image) << "importing " << kTestImage << ": "
                                 << (image ? image->error().message() : "timed out");
    g_image_ready = true;
  }
}

EngineTest::~EngineTest() {
  if (!engine_reachable_) return;
  // A fresh client on a fresh io_context: the test's own may be mid-request.
  asio::io_context io;
  Client cleaner(io.get_executor(), test_endpoint());
  auto removed = run_for(io, remove_labelled(cleaner, our_label()), 60s);
  if (removed && !*removed) ADD_FAILURE() << "removing containers of " << run_id_ << ": " << removed->error().message();
  run_for(io, cleaner.shutdown(), 10s);
}

ContainerSpec EngineTest::spec(std::vector<std::string> cmd, bool tty) const {
  ContainerSpec s;
  s.image = kTestImage;
  s.cmd = std::move(cmd);
  s.tty = tty;
  s.labels = {{"leakcheck.run", run_id_}};
  s.network_mode = "none";
  return s;
}

std::string EngineTest::start(std::vector<std::string> cmd, bool tty) {
  auto create_and_start = [](Client& c, ContainerSpec s) -> asio::awaitable<Result<std::string>> {
    auto id = co_await c.create_container(std::move(s));
    if (!id) co_return id.error();
    if (auto started = co_await c.start_container(*id); !started) co_return started.error();
    co_return id;
  };
  auto id = run(create_and_start(*client_, spec(std::move(cmd), tty)));
  if (!id) return "";
  if (!*id) {
    ADD_FAILURE() << "starting a container: " << id->error().message();
    return "";
  }
  return **id;
}

}  // namespace leakcheck::docker::testing
