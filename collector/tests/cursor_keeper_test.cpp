#include "collector/cursor_keeper.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "collector/boundary_dedup.h"

namespace leakcheck::collector {
namespace {

namespace fs = std::filesystem;

const std::string kIdA(64, 'a');
const std::string kIdB(64, 'b');
constexpr int64_t kTs = 1795757642778921306;

class CursorKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "collector_keeper_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::vector<LogRecord> lines(const std::shared_ptr<const LogSource>& source, int64_t from_ts, int count) {
    std::vector<LogRecord> out;
    for (int i = 0; i < count; ++i) {
      LogRecord& r = out.emplace_back();
      r.source = source;
      r.timestamp_ns = from_ts + i;
      r.text = "line " + std::to_string(i);
      r.hash = line_hash(r.stream, r.text);
    }
    return out;
  }

  std::string dir_;
  CollectorMetrics metrics_;
  std::shared_ptr<const LogSource> a_ = std::make_shared<const LogSource>(LogSource{kIdA, "a"});
  std::shared_ptr<const LogSource> b_ = std::make_shared<const LogSource>(LogSource{kIdB, "b"});
};

// Acknowledging moves cursors in memory only; flush() writes each moved
// container once, and only those.
TEST_F(CursorKeeperTest, AcknowledgedCursorsAreSavedByFlushNotBefore) {
  CursorStore store(dir_);
  CursorKeeper keeper(store, metrics_);
  keeper.track(kIdA);
  keeper.track(kIdB);
  keeper.acknowledge(lines(a_, kTs, 3));
  keeper.acknowledge(lines(a_, kTs + 3, 2));
  EXPECT_EQ(keeper.unsaved_lines(), 5u);
  EXPECT_EQ(metrics_.cursor_unsaved_lines.load(), 5);
  EXPECT_FALSE(fs::exists(store.path_for(kIdA))) << "saved before flush()";

  ASSERT_TRUE(keeper.flush().ok());
  EXPECT_EQ(keeper.unsaved_lines(), 0u);
  EXPECT_EQ(metrics_.cursor_unsaved_lines.load(), 0);
  EXPECT_EQ(metrics_.cursor_saves.load(), 1u) << "one file for five lines in two batches";
  EXPECT_TRUE(fs::exists(store.path_for(kIdA)));
  EXPECT_FALSE(fs::exists(store.path_for(kIdB))) << "nothing of b was acknowledged";
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front(), *keeper.cursor_for(kIdA));
  EXPECT_EQ(loaded->front().boundary.size(), 5u);

  // Nothing moved since: nothing written.
  ASSERT_TRUE(keeper.flush().ok());
  EXPECT_EQ(metrics_.cursor_saves.load(), 1u);
}

// What a restart finds is what was flushed: lines acknowledged after the
// last flush (lost by a SIGKILL) are read again, and only those.
TEST_F(CursorKeeperTest, ARestartResumesFromTheLastFlush) {
  CursorKeeper first(CursorStore(dir_), metrics_);
  first.track(kIdA);
  auto all = lines(a_, kTs, 10);
  first.acknowledge(std::span(all).first(6));
  ASSERT_TRUE(first.flush().ok());
  first.acknowledge(std::span(all).subspan(6));  // then SIGKILL: never flushed
  EXPECT_EQ(first.unsaved_lines(), 4u);

  CursorKeeper second(CursorStore(dir_), metrics_);
  ASSERT_TRUE(second.load().ok());
  auto cursor = second.cursor_for(kIdA);
  ASSERT_TRUE(cursor);
  BoundaryDedup dedup = BoundaryDedup::restore(cursor->timestamp_ns, cursor->boundary);
  dedup.begin_replay();
  size_t again = 0;
  for (const LogRecord& r : all)
    if (r.timestamp_ns >= cursor->timestamp_ns && dedup.admit(r.timestamp_ns, r.hash)) ++again;
  EXPECT_EQ(again, 4u) << "exactly the lines acknowledged after the last flush come again";
}

// A save that fails keeps its lines unsaved and is retried by the next flush.
TEST_F(CursorKeeperTest, AFailedSaveIsRetriedByTheNextFlush) {
  CursorStore store(dir_);
  CursorKeeper keeper(store, metrics_);
  keeper.track(kIdA);
  keeper.acknowledge(lines(a_, kTs, 3));
  // A directory where the temporary file goes: the save fails, even for root.
  const std::string temp = store.path_for(kIdA) + ".tmp";
  fs::create_directory(temp);
  EXPECT_FALSE(keeper.flush().ok());
  EXPECT_EQ(keeper.unsaved_lines(), 3u);
  EXPECT_EQ(metrics_.cursor_save_errors.load(), 1u);
  fs::remove(temp);
  EXPECT_TRUE(keeper.flush().ok());
  EXPECT_EQ(keeper.unsaved_lines(), 0u);
  EXPECT_TRUE(fs::exists(store.path_for(kIdA)));
}

// A removed container's unsaved lines are no one's any more.
TEST_F(CursorKeeperTest, ForgetDropsTheContainersUnsavedLines) {
  CursorKeeper keeper(CursorStore(dir_), metrics_);
  keeper.track(kIdA);
  keeper.track(kIdB);
  keeper.acknowledge(lines(a_, kTs, 3));
  keeper.acknowledge(lines(b_, kTs, 2));
  EXPECT_EQ(keeper.unsaved_lines(), 5u);
  ASSERT_TRUE(keeper.forget(kIdA).ok());
  EXPECT_EQ(keeper.unsaved_lines(), 2u);
  keeper.acknowledge(lines(a_, kTs + 3, 1));  // late: a removed container is not tracked
  EXPECT_EQ(keeper.unsaved_lines(), 2u);
  ASSERT_TRUE(keeper.flush().ok());
  EXPECT_FALSE(fs::exists(CursorStore(dir_).path_for(kIdA)));
  EXPECT_TRUE(fs::exists(CursorStore(dir_).path_for(kIdB)));
}

}  // namespace
}  // namespace leakcheck::collector
