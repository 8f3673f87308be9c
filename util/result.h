#pragma once
// Recoverable failures as values: an errno plus what was being done.
// (std::expected is C++23; Debian 12's g++ 12 has no <expected>.)

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace leakcheck {

// Error and Ok are deliberately not aggregates: g++ 12 miscompiles some
// coroutines that co_return a brace-initialised aggregate temporary.
struct Error {
  Error() = default;
  Error(int c, std::string ctx) : code(c), context(std::move(ctx)) {}

  int code = 0;          // errno value, 0 when the failure is not a system call's
  std::string context;   // what was being done, e.g. "readlink /proc/42/fd/3"

  std::string message() const {
    if (code == 0) return context;
    return context + ": " + std::strerror(code);
  }
};

inline Error errno_error(std::string context) { return Error{errno, std::move(context)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations that return nothing on success.
struct Ok {
  Ok() = default;
};
using Status = Result<Ok>;

}  // namespace leakcheck
