#include "receiver/seq_set.h"

#include <gtest/gtest.h>

namespace leakcheck::receiver {
namespace {

TEST(SeqSet, InsertReportsDuplicates) {
  SeqSet s;
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.max());
  EXPECT_TRUE(s.insert(5));
  EXPECT_TRUE(s.insert(0));
  EXPECT_FALSE(s.insert(5));
  EXPECT_TRUE(s.insert(9000));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.max(), 9000u);
  EXPECT_TRUE(s.contains(0));
  EXPECT_TRUE(s.contains(5));
  EXPECT_FALSE(s.contains(4));
  EXPECT_FALSE(s.contains(4096));
}

TEST(SeqSet, AFullChunkDropsItsBitmap) {
  SeqSet s;
  s.insert_range(0, SeqSet::kChunkSeqs - 1);
  size_t partial = s.memory_bytes();
  s.insert(SeqSet::kChunkSeqs - 1);
  EXPECT_EQ(partial - s.memory_bytes(), sizeof(SeqSet::Words));
  EXPECT_EQ(s.size(), SeqSet::kChunkSeqs);
  EXPECT_EQ(s.max(), SeqSet::kChunkSeqs - 1);
  EXPECT_FALSE(s.insert(17));  // still a duplicate without the bitmap
  EXPECT_TRUE(s.contains(4095));
}

TEST(SeqSet, DayOfLinesAllDeliveredIsSmall) {
  // 24 h at 100 lines/s, all arrived: 2110 full chunks, under 160 KiB.
  SeqSet s;
  const uint64_t n = 24ull * 3600 * 100;
  for (uint64_t i = 0; i < n; ++i) s.insert(i);
  EXPECT_EQ(s.size(), n);
  EXPECT_LT(s.memory_bytes(), 160u * 1024);
}

TEST(SeqSet, ChunkWords) {
  SeqSet s;
  s.insert(4096 + 1);
  s.insert(4096 + 64 + 3);
  SeqSet::Words w{};
  s.chunk_words(1, w);
  EXPECT_EQ(w[0], 0b10u);
  EXPECT_EQ(w[1], 0b1000u);
  EXPECT_EQ(w[2], 0u);
  s.chunk_words(0, w);
  EXPECT_EQ(w[0], 0u);
  s.insert_range(0, 4096);
  s.chunk_words(0, w);
  EXPECT_EQ(w[63], ~uint64_t{0});
  std::vector<uint64_t> chunks;
  s.for_each_chunk([&](uint64_t c) { chunks.push_back(c); });
  EXPECT_EQ(chunks, (std::vector<uint64_t>{0, 1}));
}

}  // namespace
}  // namespace leakcheck::receiver
