#pragma once
// A set of sequence numbers, compact for the common case: loggen numbers a
// boot's lines 0, 1, 2, ... and most of them arrive.
//
// Seqs are kept in chunks of 4096: a chunk with every seq present is a map
// node and a count (about 64 bytes); a partial chunk adds a 512-byte bitmap;
// an empty chunk is not stored. So a boot of N lines costs about N/64 bytes
// when all arrive, and never more than N/7 bytes however they are lost
// (24 h at 100 lines/s: 135 KiB, at worst 1.2 MiB). A stray huge seq costs
// one chunk, not a bitmap up to it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace leakcheck::receiver {

class SeqSet {
 public:
  static constexpr uint64_t kChunkSeqs = 4096;
  static constexpr size_t kChunkWords = kChunkSeqs / 64;
  using Words = std::array<uint64_t, kChunkWords>;

  // Adds `seq`; false when it was there already.
  bool insert(uint64_t seq);
  // Adds [first, first + count).
  void insert_range(uint64_t first, uint64_t count);
  bool contains(uint64_t seq) const;
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::optional<uint64_t> max() const;

  // Chunk indices (seq / kChunkSeqs) holding at least one seq, ascending.
  template <typename F>
  void for_each_chunk(F f) const {
    for (const auto& [index, chunk] : chunks_) f(index);
  }
  // The bitmap of chunk `index`: bit b of word w is seq index*4096 + w*64 + b.
  void chunk_words(uint64_t index, Words& out) const;

  // Bytes held, for the documented bounds.
  size_t memory_bytes() const;

 private:
  struct Chunk {
    uint32_t count = 0;
    std::unique_ptr<Words> bits;  // null once the chunk is full
  };
  std::map<uint64_t, Chunk> chunks_;
  uint64_t size_ = 0;
};

}  // namespace leakcheck::receiver
