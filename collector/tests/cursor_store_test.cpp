#include "collector/cursor_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "util/file_io.h"

namespace leakcheck::collector {
namespace {

namespace fs = std::filesystem;

const std::string kIdA(64, 'a');
const std::string kIdB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr int64_t kTs = 1795757642778921306;  // 2026-11-27T05:34:02.778921306Z

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "collector_cursor_test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

Cursor sample(const std::string& id, size_t entries = 2) {
  Cursor cursor{id, kTs, {}};
  for (size_t i = 0; i < entries; ++i)
    cursor.boundary.push_back(
        {kTs + static_cast<int64_t>(i), 0x0123456789abcdefull + i, static_cast<uint32_t>(i + 1)});
  return cursor;
}

TEST(CursorFormat, IsOneDocumentedLineOfJson) {
  const Cursor cursor{kIdB, kTs, {{kTs, 0xe65788c860f9c52cull, 1}, {kTs + 1, 0xff, 2}}};
  EXPECT_EQ(format_cursor(cursor), "{\"format\":1,\"container_id\":\"" + kIdB +
                                       "\",\"timestamp_ns\":1795757642778921306,\"boundary\":[["
                                       "1795757642778921306,\"e65788c860f9c52c\",1],"
                                       "[1795757642778921307,\"00000000000000ff\",2]]}\n");
}

TEST(CursorFormat, RoundTrips) {
  for (const Cursor& cursor :
       {sample(kIdA, 0), sample(kIdB, 3), Cursor{kIdA, INT64_MAX, {{INT64_MAX, UINT64_MAX, UINT32_MAX}}},
        Cursor{kIdA, -5, {{-5, 0, 1}}}}) {
    auto parsed = parse_cursor(format_cursor(cursor));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_EQ(*parsed, cursor);
  }
}

TEST(CursorFormat, RejectsWhatItDidNotWrite) {
  const std::string head = "{\"format\":1,\"container_id\":\"" + kIdA + "\",\"timestamp_ns\":10,";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {"{\"format\":1,", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{\"format\":2}", "\"format\" is not 1"},
      {"{\"format\":1,\"container_id\":\"abc\"}", "\"container_id\" is not a 64-hex-digit container id"},
      {"{\"format\":1,\"container_id\":\"" + kIdA + "\"}", "\"timestamp_ns\" is missing"},
      {"{\"format\":1,\"container_id\":\"" + kIdA + "\",\"timestamp_ns\":\"10\"}",
       "\"timestamp_ns\" is not a 64-bit integer"},
      {"{\"format\":1,\"container_id\":\"" + kIdA + "\",\"timestamp_ns\":9223372036854775808}",
       "\"timestamp_ns\" is not a 64-bit integer"},
      {"{\"format\":1,\"container_id\":\"" + kIdA + "\",\"timestamp_ns\":1.5}",
       "\"timestamp_ns\" is not a 64-bit integer"},
      {head + "\"boundary\":{}}", "\"boundary\" is not an array"},
      {head + "\"boundary\":[[10,\"00000000000000ff\"]]}",
       "a boundary entry is not [timestamp_ns, hash, count]"},
      {head + "\"boundary\":[[9,\"00000000000000ff\",1]]}", "a boundary entry is before timestamp_ns"},
      {head + "\"boundary\":[[10,\"ff\",1]]}", "a hash is not 16 hex digits"},
      {head + "\"boundary\":[[10,\"00000000000000fg\",1]]}", "a hash is not 16 hex digits"},
      {head + "\"boundary\":[[10,255,1]]}", "a hash is not 16 hex digits"},
      {head + "\"boundary\":[[10,\"00000000000000ff\",0]]}", "a boundary count is out of range"},
      {head + "\"boundary\":[[10,\"00000000000000ff\",4294967296]]}", "a boundary count is out of range"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = parse_cursor(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().message(), why) << text;
  }
}

TEST(ContainerId, OnlyFullLowercaseHexIds) {
  EXPECT_TRUE(is_container_id(kIdA));
  EXPECT_TRUE(is_container_id(kIdB));
  EXPECT_FALSE(is_container_id("0123456789ab"));  // a short id
  EXPECT_FALSE(is_container_id(std::string(64, 'A')));
  EXPECT_FALSE(is_container_id(std::string(63, 'a') + "/"));
  EXPECT_FALSE(is_container_id("../" + std::string(61, 'a')));
  EXPECT_FALSE(is_container_id(std::string(65, 'a')));
}

TEST(CursorStore, MissingStateDirIsAFreshStart) {
  TempDir tmp;
  CursorStore store(tmp.path() + "/not/yet");
  auto cursors = store.load();
  ASSERT_TRUE(cursors.ok()) << cursors.error().message();
  EXPECT_TRUE(cursors->empty());
}

TEST(CursorStore, SaveThenLoadEveryContainer) {
  TempDir tmp;
  CursorStore store(tmp.path() + "/state/");  // created on first save, trailing slash and all
  ASSERT_TRUE(store.save(sample(kIdB, 3)).ok());
  ASSERT_TRUE(store.save(sample(kIdA, 0)).ok());
  Cursor newer = sample(kIdB, 1);
  newer.timestamp_ns = kTs + 1000;
  newer.boundary[0].timestamp_ns = kTs + 1000;
  ASSERT_TRUE(store.save(newer).ok());  // replaces the first

  auto cursors = store.load();
  ASSERT_TRUE(cursors.ok()) << cursors.error().message();
  ASSERT_EQ(cursors->size(), 2u);
  EXPECT_EQ((*cursors)[0], newer);  // sorted by id: "0123..." before "aaaa..."
  EXPECT_EQ((*cursors)[1], sample(kIdA, 0));
  // One file per container and no temp file left behind.
  EXPECT_EQ(names_in(tmp.path() + "/state"),
            (std::set<std::string>{kIdA + ".cursor.json", kIdB + ".cursor.json"}));
  EXPECT_EQ(store.path_for(kIdA), tmp.path() + "/state/" + kIdA + ".cursor.json");
}

TEST(CursorStore, ForgetRemovesOneContainer) {
  TempDir tmp;
  CursorStore store(tmp.path());
  ASSERT_TRUE(store.save(sample(kIdA)).ok());
  ASSERT_TRUE(store.save(sample(kIdB)).ok());
  ASSERT_TRUE(store.forget(kIdA).ok());
  EXPECT_EQ(*store.load(), std::vector<Cursor>{sample(kIdB)});
  EXPECT_TRUE(store.forget(kIdA).ok());  // already gone
  EXPECT_TRUE(CursorStore(tmp.path() + "/missing").forget(kIdA).ok());
}

TEST(CursorStore, RefusesIdsThatAreNotFullContainerIds) {
  TempDir tmp;
  CursorStore store(tmp.path());
  Status saved = store.save(sample("../../etc/x"));
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().message(), "save cursor: \"../../etc/x\" is not a full container id");
  EXPECT_FALSE(store.forget("abc").ok());
  EXPECT_TRUE(names_in(tmp.path()).empty());
}

TEST(CursorStore, SaveRecreatesAVanishedStateDir) {
  TempDir tmp;
  CursorStore store(tmp.path() + "/state");
  ASSERT_TRUE(store.save(sample(kIdA)).ok());
  fs::remove_all(tmp.path() + "/state");
  ASSERT_TRUE(store.save(sample(kIdB)).ok());
  EXPECT_EQ(*store.load(), std::vector<Cursor>{sample(kIdB)});
}

TEST(CursorStore, FailedSaveLeavesThePreviousFileIntact) {
  TempDir tmp;
  CursorStore store(tmp.path());
  ASSERT_TRUE(store.save(sample(kIdA, 2)).ok());
  const std::string before = *read_file(store.path_for(kIdA));
  // The temp file cannot be created: a directory has its name.
  const std::string temp = store.path_for(kIdA) + ".tmp";
  fs::create_directory(temp);
  Status saved = store.save(sample(kIdA, 5));
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().message(), "create " + temp + ": Is a directory");
  EXPECT_EQ(*read_file(store.path_for(kIdA)), before);
  EXPECT_EQ(*store.load(), std::vector<Cursor>{sample(kIdA, 2)});
}

// Makes writes past `bytes` fail with EFBIG, as a full disk fails them midway.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // else the write kills the process
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_;
};

TEST(CursorStore, WriteFailingMidwayLeavesThePreviousFileIntact) {
  TempDir tmp;
  CursorStore store(tmp.path());
  ASSERT_TRUE(store.save(sample(kIdA, 2)).ok());
  const std::string before = *read_file(store.path_for(kIdA));
  const Cursor big = sample(kIdA, 500);  // ~25 KB of JSON
  ASSERT_GT(format_cursor(big).size(), 8192u);
  Status saved = [&] {
    FileSizeLimit limit(4096);
    return store.save(big);
  }();
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().message(), "write " + store.path_for(kIdA) + ".tmp: File too large");
  EXPECT_EQ(*read_file(store.path_for(kIdA)), before);
  EXPECT_EQ(names_in(tmp.path()), std::set<std::string>{kIdA + ".cursor.json"});  // temp file removed
  // And the next save, with room, goes through.
  ASSERT_TRUE(store.save(big).ok());
  EXPECT_EQ(*store.load(), std::vector<Cursor>{big});
}

TEST(CursorStore, UnusableStateDirIsAnErrorNamingIt) {
  // Root ignores permission bits; a path under a regular file fails for anyone.
  TempDir tmp;
  write_text(tmp.path() + "/file", "not a directory\n");
  CursorStore store(tmp.path() + "/file/state");
  Status saved = store.save(sample(kIdA));
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().message(), "create state dir " + tmp.path() + "/file/state: Not a directory");
  auto loaded = store.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message(), "list state dir " + tmp.path() + "/file/state: Not a directory");
}

TEST(CursorStore, CorruptFileIsAnErrorNamingItsPath) {
  TempDir tmp;
  CursorStore store(tmp.path());
  ASSERT_TRUE(store.save(sample(kIdB)).ok());
  write_text(store.path_for(kIdA), "{\"format\":1,\"contai");
  auto loaded = store.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message(), "corrupt cursor file " + store.path_for(kIdA) + ": not valid JSON");
}

TEST(CursorStore, FileHoldingAnotherContainersCursorIsCorrupt) {
  TempDir tmp;
  CursorStore store(tmp.path());
  write_text(store.path_for(kIdA), format_cursor(sample(kIdB)));
  auto loaded = store.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message(),
            "corrupt cursor file " + store.path_for(kIdA) + ": it holds the cursor of " + kIdB);
}

TEST(CursorStore, LoadSkipsTheTempFileOfAnInterruptedSave) {
  TempDir tmp;
  CursorStore store(tmp.path());
  ASSERT_TRUE(store.save(sample(kIdA)).ok());
  write_text(store.path_for(kIdA) + ".tmp", "{\"format\":1,\"cont");  // crashed before the rename
  write_text(tmp.path() + "/README", "operator notes\n");
  EXPECT_EQ(*store.load(), std::vector<Cursor>{sample(kIdA)});
  ASSERT_TRUE(store.forget(kIdA).ok());  // takes the leftover with it
  EXPECT_EQ(names_in(tmp.path()), std::set<std::string>{"README"});
}

TEST(CursorStore, CarriesTheDedupStateAcrossARestart) {
  TempDir tmp;
  CursorStore store(tmp.path());
  BoundaryDedup before({.reorder_window_ns = 0, .max_entries = 4096});
  const uint64_t hello = line_hash(LogStream::stdout_stream, "hello");
  ASSERT_TRUE(before.admit(kTs, hello));
  ASSERT_TRUE(before.admit(kTs, hello));
  ASSERT_TRUE(store.save({kIdA, *before.resume_since_ns(), before.boundary()}).ok());

  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  const Cursor& cursor = (*loaded)[0];
  EXPECT_EQ(cursor.timestamp_ns, kTs);
  BoundaryDedup after =
      BoundaryDedup::restore(cursor.timestamp_ns, cursor.boundary, {.reorder_window_ns = 0});
  after.begin_replay();
  EXPECT_FALSE(after.admit(kTs, hello));
  EXPECT_FALSE(after.admit(kTs, hello));
  EXPECT_TRUE(after.admit(kTs, hello));
}

}  // namespace
}  // namespace leakcheck::collector
