#include "receiver/seq_set.h"

#include <algorithm>
#include <bit>

namespace leakcheck::receiver {

bool SeqSet::insert(uint64_t seq) {
  Chunk& chunk = chunks_[seq / kChunkSeqs];
  if (chunk.count == kChunkSeqs) return false;
  if (!chunk.bits) chunk.bits = std::make_unique<Words>(Words{});
  uint64_t offset = seq % kChunkSeqs;
  uint64_t& word = (*chunk.bits)[offset / 64];
  uint64_t bit = uint64_t{1} << (offset % 64);
  if (word & bit) return false;
  word |= bit;
  ++size_;
  if (++chunk.count == kChunkSeqs) chunk.bits.reset();  // full: the count says it all
  return true;
}

void SeqSet::insert_range(uint64_t first, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) insert(first + i);
}

bool SeqSet::contains(uint64_t seq) const {
  auto it = chunks_.find(seq / kChunkSeqs);
  if (it == chunks_.end()) return false;
  if (it->second.count == kChunkSeqs) return true;
  uint64_t offset = seq % kChunkSeqs;
  return ((*it->second.bits)[offset / 64] >> (offset % 64)) & 1;
}

std::optional<uint64_t> SeqSet::max() const {
  if (chunks_.empty()) return std::nullopt;
  const auto& [index, chunk] = *chunks_.rbegin();
  uint64_t base = index * kChunkSeqs;
  if (chunk.count == kChunkSeqs) return base + kChunkSeqs - 1;
  for (size_t w = kChunkWords; w-- > 0;) {
    uint64_t word = (*chunk.bits)[w];
    if (word) return base + w * 64 + 63 - static_cast<uint64_t>(std::countl_zero(word));
  }
  return std::nullopt;  // unreachable: a stored chunk holds a seq
}

void SeqSet::chunk_words(uint64_t index, Words& out) const {
  auto it = chunks_.find(index);
  if (it == chunks_.end()) {
    out.fill(0);
  } else if (it->second.count == kChunkSeqs) {
    out.fill(~uint64_t{0});
  } else {
    out = *it->second.bits;
  }
}

size_t SeqSet::memory_bytes() const {
  // A map node: three pointers and a colour beside the key and the value.
  constexpr size_t kNodeBytes = 4 * sizeof(void*) + sizeof(uint64_t) + sizeof(Chunk);
  size_t bytes = sizeof(*this) + chunks_.size() * kNodeBytes;
  for (const auto& [index, chunk] : chunks_)
    if (chunk.bits) bytes += sizeof(Words);
  return bytes;
}

}  // namespace leakcheck::receiver
