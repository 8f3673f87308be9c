#pragma once
// SHA-256 (FIPS 180-4), for naming the test image by its content. Pure; no
// dependency beyond the standard library.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace leakcheck::harness {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest; the object is spent afterwards.
  std::array<std::uint8_t, 32> finish();

 private:
  void block(const std::uint8_t* p);

  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lower-case hex of the digest of `bytes`: 64 characters.
std::string sha256_hex(std::string_view bytes);

}  // namespace leakcheck::harness
