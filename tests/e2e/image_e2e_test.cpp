// The harness's test image against the real engine: imported once under its
// content tag, found again without a new import, and able to run loggen and
// busybox applets with no network and no registry.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/image.h"
#include "harness/sha256.h"
#include "tests/e2e/delivery.h"
#include "tests/e2e/engine.h"

namespace leakcheck::testing {
namespace {

const std::string kLoggen = LOGGEN_BIN;

// The engine's id of an image ("sha256:..."): a new import gives a new one.
Result<std::string> image_id(TestEngine& engine, const std::string& ref) {
  docker::Request request("GET", "/images/" + ref + "/json");
  auto response = engine.run(engine.client().send(request), std::chrono::seconds(30));
  if (!response) return response.error();
  if (response->status != 200) return Error{0, "inspect " + ref + ": " + std::to_string(response->status)};
  auto j = nlohmann::json::parse(response->body, nullptr, false);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string()) return Error{0, "inspect " + ref + ": no Id"};
  return j["Id"].get<std::string>();
}

TEST(LoggenImageOnEngine, ImportedOnceByContentTagAndRunsLoggen) {
  TestEngine engine(unique_run_id("lc-image"));
  auto connected = engine.connect();
  ASSERT_TRUE(connected) << connected.error().message();

  auto tarball = harness::loggen_rootfs_tar(kLoggen);
  ASSERT_TRUE(tarball) << tarball.error().message();
  std::string expected_ref = "leakcheck-loggen:" + harness::sha256_hex(*tarball).substr(0, 12);

  auto first = engine.use_loggen_image(kLoggen);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(*first, expected_ref);
  auto id_before = image_id(engine, *first);
  ASSERT_TRUE(id_before) << id_before.error().message();
  auto second = engine.use_loggen_image(kLoggen);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(*second, *first);
  auto id_after = image_id(engine, *second);
  ASSERT_TRUE(id_after);
  EXPECT_EQ(*id_after, *id_before) << "the image was imported again although its tag existed";

  // loggen runs in it, statically linked, with its line format intact.
  std::string name = engine.run_id() + "-gen";
  auto gen = engine.start(name, {std::string(harness::kLoggenPathInImage), "--run", engine.run_id(), "--name", name,
                                 "--count", "3", "--rate", "100", "--stderr-share", "0.5"});
  ASSERT_TRUE(gen) << gen.error().message();
  auto code = engine.wait_exit(*gen, std::chrono::seconds(30));
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 0);
  auto raw = engine.logs(*gen);
  ASSERT_TRUE(raw) << raw.error().message();
  auto lines = decode_daemon_logs(*raw, /*tty=*/false);
  ASSERT_TRUE(lines) << lines.error().message();
  auto whole = check_loggen_lines(*lines, engine.run_id(), name, /*tty=*/false, 3);
  EXPECT_TRUE(whole) << whole.error().message();

  // And the busybox applets the harness's commands use.
  auto shell = engine.start(engine.run_id() + "-sh", {"sh", "-c", "echo hi; seq 2 3; echo pid $$"});
  ASSERT_TRUE(shell) << shell.error().message();
  code = engine.wait_exit(*shell, std::chrono::seconds(30));
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 0);
  raw = engine.logs(*shell);
  ASSERT_TRUE(raw);
  lines = decode_daemon_logs(*raw, false);
  ASSERT_TRUE(lines) << lines.error().message();
  std::vector<std::string> texts;
  for (const auto& l : *lines) texts.push_back(l.stream + ":" + l.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"stdout:hi", "stdout:2", "stdout:3", "stdout:pid 1"}));
}

}  // namespace
}  // namespace leakcheck::testing
