// A process that exits while it is being sampled gives "exited": never a
// crash, never an error, never half a sample passed off as whole.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "probes/sampler.h"

namespace leakcheck::probes {
namespace {

constexpr int kExtraFds = 3000;

// A child holding kExtraFds descriptors and one thread; returns its pid
// once it is ready.
pid_t start_fd_holder() {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    for (int i = 0; i < kExtraFds; ++i) ::open("/dev/null", O_RDONLY);
    (void)!::write(ready[1], "r", 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c;
  (void)!::read(ready[0], &c, 1);
  ::close(ready[0]);
  return pid;
}

TEST(SampleExit, KilledMidSampleIsExitedOrWhole) {
  std::mt19937 rng(12345);  // fixed seed: the same kill delays every run
  Sampler sampler;
  int whole = 0, exited = 0;
  for (int round = 0; round < 40; ++round) {
    pid_t pid = start_fd_holder();
    ASSERT_GT(pid, 0);
    auto count = count_fds(pid);
    ASSERT_TRUE(count.ok());
    uint64_t expected_fds = *count;
    ASSERT_GE(expected_fds, static_cast<uint64_t>(kExtraFds));

    // One calm sample tells how long sampling takes; then kill it somewhere
    // inside the next three samples' time.
    auto calm = sampler.sample(pid);
    ASSERT_TRUE(std::holds_alternative<ProcessSnapshot>(calm));
    auto took_us = static_cast<int>(std::get<ProcessSnapshot>(calm).sample_duration_us);
    auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3 * took_us)(rng));
    std::thread killer([&] {
      std::this_thread::sleep_for(delay);
      ::kill(pid, SIGKILL);
    });
    for (int i = 0; i < 4; ++i) {
      SampleResult r = sampler.sample(pid);
      ASSERT_FALSE(std::holds_alternative<Error>(r)) << std::get<Error>(r).message();
      if (auto* snap = std::get_if<ProcessSnapshot>(&r)) {
        EXPECT_EQ(snap->total.fds.total, expected_fds);  // whole, or not at all
        EXPECT_EQ(snap->total.threads_total, 1u);
        ++whole;
      } else {
        ++exited;
      }
    }
    killer.join();
    // Killed but not yet reaped: a zombie, which holds nothing: "exited".
    EXPECT_TRUE(std::holds_alternative<ProcessExited>(sampler.sample(pid)));
    ::waitpid(pid, nullptr, 0);
    EXPECT_TRUE(std::holds_alternative<ProcessExited>(sampler.sample(pid)));
  }
  // Both outcomes occurred, so the race was really exercised.
  EXPECT_GT(whole, 0);
  EXPECT_GT(exited, 0);
}

TEST(SampleExit, NeverExistedIsExited) {
  EXPECT_TRUE(std::holds_alternative<ProcessExited>(sample(999'999'999)));
}

}  // namespace
}  // namespace leakcheck::probes
