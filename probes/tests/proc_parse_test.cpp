// The /proc parsers on literal kernel output.

#include "probes/proc_parse.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace leakcheck::probes {
namespace {

TEST(ParseStat, PlainComm) {
  auto s = parse_stat(
      "2650 (dockerd) S 1 2650 2650 0 -1 4194560 9157 0 3 0 16 13 0 0 20 0 10 0 40785 2016440320 19100 "
      "18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->pid, 2650);
  EXPECT_EQ(s->comm, "dockerd");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->utime_ticks, 16u);
  EXPECT_EQ(s->stime_ticks, 13u);
  EXPECT_EQ(s->num_threads, 10);
  EXPECT_EQ(s->start_time_ticks, 40785u);
  EXPECT_EQ(s->vsize_bytes, 2016440320u);
  EXPECT_EQ(s->flags, 4194560u);
  EXPECT_FALSE(is_exiting(*s));
}

TEST(ParseStat, ExitingAndZombie) {
  auto exiting = parse_stat("9 (x) R 1 9 9 0 -1 4194564 0 0 0 0 1 1 0 0 20 0 1 0 5 6 1\n");
  ASSERT_TRUE(exiting.ok());
  EXPECT_TRUE(is_exiting(*exiting));  // PF_EXITING (0x4) set
  auto zombie = parse_stat("9 (x) Z 1 9 9 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0\n");
  ASSERT_TRUE(zombie.ok());
  EXPECT_TRUE(is_exiting(*zombie));
}

TEST(ParseStat, CommWithSpacesAndParentheses) {
  // A process may name itself anything, including ") S 1": only the LAST ')' ends comm.
  auto s = parse_stat("77 (a) b) S 1 (x) R 5 77 77 0 -1 0 0 0 0 0 100 200 0 0 20 0 3 0 999 4096 1 0 0\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->pid, 77);
  EXPECT_EQ(s->comm, "a) b) S 1 (x");
  EXPECT_EQ(s->state, 'R');
  EXPECT_EQ(s->ppid, 5);
  EXPECT_EQ(s->utime_ticks, 100u);
  EXPECT_EQ(s->stime_ticks, 200u);
  EXPECT_EQ(s->num_threads, 3);
  EXPECT_EQ(s->start_time_ticks, 999u);
}

TEST(ParseStat, Rejects) {
  EXPECT_FALSE(parse_stat("").ok());
  EXPECT_FALSE(parse_stat("12 (x S 1").ok());
  EXPECT_FALSE(parse_stat("12 (x) S 1 2 3").ok());  // truncated
  EXPECT_FALSE(parse_stat("12 (x) S one 12 12 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 6 1").ok());
}

TEST(ParseStatus, MemoryLines) {
  auto s = parse_status(
      "Name:\tdockerd\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 1969196 kB\nVmSize:\t 1969180 kB\n"
      "VmLck:\t       0 kB\nVmHWM:\t   78240 kB\nVmRSS:\t   76400 kB\nThreads:\t10\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rss_bytes, 76400u * 1024);
  EXPECT_EQ(s->peak_rss_bytes, 78240u * 1024);
  EXPECT_EQ(s->vm_size_bytes, 1969180u * 1024);
}

TEST(ParseStatus, KernelThreadHasNoMemory) {
  auto s = parse_status("Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rss_bytes, 0u);
  EXPECT_FALSE(parse_status("garbage").ok());
}

TEST(ParseSmapsRollup, Pss) {
  auto pss = parse_smaps_rollup_pss(
      "5601194a0000-7ffea3105000 ---p 00000000 00:00 0                          [rollup]\n"
      "Rss:                1704 kB\nPss:                 382 kB\nPss_Dirty:           112 kB\n");
  ASSERT_TRUE(pss.ok());
  EXPECT_EQ(*pss, 382u * 1024);
  EXPECT_FALSE(parse_smaps_rollup_pss("Rss: 1 kB\n").ok());
}

constexpr const char* kLimits =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max stack size            8388608              unlimited            bytes     \n"
    "Max processes             96365                96365                processes \n"
    "Max open files            1024                 1048576              files     \n"
    "Max locked memory         8388608              8388608              bytes     \n";

TEST(ParseLimits, OpenFilesAndProcesses) {
  auto l = parse_limits(kLimits);
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->nofile_soft, 1024u);
  EXPECT_EQ(l->nofile_hard, 1048576u);
  EXPECT_EQ(l->nproc_soft, 96365u);
  EXPECT_EQ(l->nproc_hard, 96365u);
}

TEST(ParseLimits, Unlimited) {
  auto l = parse_limits("Max processes             unlimited            unlimited            processes\n"
                        "Max open files            unlimited            unlimited            files\n");
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->nofile_soft.has_value());
  EXPECT_FALSE(l->nproc_hard.has_value());
  EXPECT_FALSE(parse_limits("Max processes 1 1 processes\n").ok());  // no open-files line
  EXPECT_FALSE(parse_limits("Max open files  lots  1  files\n").ok());
}

TEST(ClassifyFd, AnonInodesAndSpecials) {
  EXPECT_EQ(classify_fd_target("socket:[12345]", 0), FdKind::socket);
  EXPECT_EQ(classify_fd_target("pipe:[999]", 0), FdKind::pipe);
  EXPECT_EQ(classify_fd_target("anon_inode:[eventfd]", 0), FdKind::eventfd);
  EXPECT_EQ(classify_fd_target("anon_inode:[eventpoll]", 0), FdKind::eventpoll);
  EXPECT_EQ(classify_fd_target("anon_inode:[timerfd]", 0), FdKind::timerfd);
  EXPECT_EQ(classify_fd_target("anon_inode:[signalfd]", 0), FdKind::signalfd);
  EXPECT_EQ(classify_fd_target("anon_inode:inotify", 0), FdKind::inotify);  // no brackets, as the kernel writes it
  EXPECT_EQ(classify_fd_target("anon_inode:[pidfd]", 0), FdKind::pidfd);
  EXPECT_EQ(classify_fd_target("anon_inode:[io_uring]", 0), FdKind::anon_inode);
  EXPECT_EQ(classify_fd_target("anon_inode:bpf-map", 0), FdKind::anon_inode);
  EXPECT_EQ(classify_fd_target("/memfd:shm (deleted)", S_IFREG), FdKind::memfd);
  EXPECT_EQ(classify_fd_target("net:[4026531840]", 0), FdKind::other);
}

TEST(ClassifyFd, PathsByMode) {
  EXPECT_TRUE(fd_target_is_path("/var/log/x.log"));
  EXPECT_FALSE(fd_target_is_path("pipe:[1]"));
  EXPECT_EQ(classify_fd_target("/var/log/x.log", S_IFREG | 0644), FdKind::file);
  EXPECT_EQ(classify_fd_target("/var/log/x.log (deleted)", S_IFREG), FdKind::file);
  EXPECT_EQ(classify_fd_target("/proc", S_IFDIR | 0555), FdKind::dir);
  EXPECT_EQ(classify_fd_target("/dev/null", S_IFCHR | 0666), FdKind::device);
  EXPECT_EQ(classify_fd_target("/dev/vda", S_IFBLK), FdKind::device);
  EXPECT_EQ(classify_fd_target("/tmp/fifo", S_IFIFO), FdKind::pipe);
  EXPECT_EQ(classify_fd_target("/gone", 0), FdKind::other);  // stat failed
}

TEST(Inodes, SocketAndNamespace) {
  EXPECT_EQ(socket_inode("socket:[4026]"), 4026u);
  EXPECT_EQ(socket_inode("socket:[]"), std::nullopt);
  EXPECT_EQ(socket_inode("socket:[12"), std::nullopt);
  EXPECT_EQ(socket_inode("pipe:[12]"), std::nullopt);
  EXPECT_EQ(namespace_inode("net:[4026531840]"), 4026531840u);
  EXPECT_EQ(namespace_inode("mnt:[4026531840]"), std::nullopt);
}

TEST(ParseProcNetInet, StatesAndInodes) {
  auto rows = parse_proc_net_inet(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1468 1 "
      "000000005803cec8 100 0 0 10 0\n"
      "   1: 0100007F:A1B2 0100007F:07E8 08 00000000:00000000 00:00000000 00000000     0        0 77001 1 "
      "0000000000000000 20 4 30 10 -1\n"
      "   2: 0100007F:A1B4 0100007F:07E8 06 00000000:00000000 03:00000F9E 00000000     0        0 0 3 "
      "0000000000000000\n");
  ASSERT_TRUE(rows.ok()) << rows.error().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].state, 10);  // LISTEN
  EXPECT_EQ((*rows)[0].inode, 1468u);
  EXPECT_EQ((*rows)[1].state, 8);  // CLOSE_WAIT
  EXPECT_EQ((*rows)[1].inode, 77001u);
  EXPECT_EQ((*rows)[2].state, 6);  // TIME_WAIT: no inode
  EXPECT_EQ((*rows)[2].inode, 0u);
  EXPECT_FALSE(parse_proc_net_inet("header\n   0: short line\n").ok());
}

TEST(ParseProcNetUnix, ListenersAndPathsWithSpaces) {
  auto rows = parse_proc_net_unix(
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "00000000e01c9ac2: 00000002 00000000 00010000 0001 01  6392 /var/run/docker.sock\n"
      "00000000b7331c83: 00000003 00000000 00000000 0001 03  6500\n"
      "00000000b7331c84: 00000002 00000000 00000000 0001 03  6501 /tmp/a b.sock\n"
      "00000000b7331c85: 00000002 00000000 00010000 0001 01  6502 @abstract\n");
  ASSERT_TRUE(rows.ok()) << rows.error().message();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_TRUE((*rows)[0].listening);
  EXPECT_EQ((*rows)[0].inode, 6392u);
  EXPECT_EQ((*rows)[0].path, "/var/run/docker.sock");
  EXPECT_FALSE((*rows)[1].listening);
  EXPECT_EQ((*rows)[1].state, 3);
  EXPECT_EQ((*rows)[1].path, "");
  EXPECT_EQ((*rows)[2].path, "/tmp/a b.sock");
  EXPECT_EQ((*rows)[3].path, "@abstract");
}

}  // namespace
}  // namespace leakcheck::probes
