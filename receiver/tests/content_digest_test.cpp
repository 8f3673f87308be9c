#include "receiver/content_digest.h"

#include <gtest/gtest.h>

#include <string>

#include "loggen/pathological.h"
#include "receiver/push_body.h"
#include "receiver/reconcile.h"
#include "receiver/tests/test_lines.h"

namespace leakcheck::receiver {
namespace {

using namespace testing;
using namespace std::string_literals;

const std::string kFffd = "\xEF\xBF\xBD";

TEST(ContentDigest, ReplacesEachMaximalIllFormedSubpart) {
  EXPECT_EQ(replace_invalid_utf8("a\x80z"), "a" + kFffd + "z");
  EXPECT_EQ(replace_invalid_utf8("\xE2\x82|"), kFffd + "|");          // one subpart: the euro sign cut short
  EXPECT_EQ(replace_invalid_utf8("\xC0\xAF"), kFffd + kFffd);         // C0 is never a lead byte
  EXPECT_EQ(replace_invalid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // a surrogate
  EXPECT_EQ(replace_invalid_utf8("\xFF\xFE"), kFffd + kFffd);
  EXPECT_EQ(replace_invalid_utf8("\xF0\x9F\x98\x80 \xE4\xB8\xAD"), "\xF0\x9F\x98\x80 \xE4\xB8\xAD");
  EXPECT_EQ(replace_invalid_utf8("\0\r\x1b[31m"s), "\0\r\x1b[31m"s);
}

TEST(ContentDigest, IsTheDigestOfTheNormalisedText) {
  std::string raw = loggen::pathological_payload(loggen::PathologicalKind::invalid_utf8, 0);
  // What Docker 20.10's json-file stores (one U+FFFD per invalid byte) is
  // valid UTF-8 and normalises to itself; the raw bytes normalise to the
  // collector's replacement (one U+FFFD per maximal subpart).
  std::string docker = replace_invalid_utf8(raw);
  EXPECT_EQ(replace_invalid_utf8(docker), docker);
  EXPECT_EQ(content_digest(raw), content_digest(docker));
  EXPECT_NE(content_digest(raw), content_digest(raw + "x"));
  EXPECT_NE(content_digest("a\0b"s), content_digest("a b"));
}

// Every pathological line through a Loki push body as JSON carries it (the
// receiver's own parse), checked against the daemon's copy.
TEST(ContentDigest, OpaqueLinesThroughJsonEqualTheDaemonsCopy) {
  Ledger ledger(LedgerOptions{kRun, kT0, 1000 * kMs, 1000, 1000});
  GroundTruth truth(kRun);
  TestStream stream{"stdout", {}};
  for (uint64_t seq = 0; seq < 24; ++seq) {
    std::string written;
    loggen::append_pathological_line(written, loggen::LineHeader{kRun, "p", 1, seq, kT0, loggen::Stream::out});
    // The daemon's copy: invalid bytes already replaced (per subpart here; equal after normalising).
    std::string first = written.substr(0, written.find('\n'));
    std::string daemon = replace_invalid_utf8(first);
    truth.add_line("p", daemon);
    stream.lines.push_back(daemon);
    if (written.ends_with("\n\n")) {
      truth.add_line("p", "");
      stream.lines.push_back("");
    }
  }
  auto body = PushBody::parse(push_body({stream}));
  ASSERT_TRUE(body) << body.error().message();
  ledger.add_push(*body, kT0 + 5 * kMs);
  // One line altered in transit: a byte of the payload changed.
  std::string altered;
  loggen::append_opaque_line(altered, loggen::LineHeader{kRun, "p", 1, 30, kT0, loggen::Stream::out}, "nul:\0"s);
  truth.add_line("p", altered);
  altered.back() = ' ';
  ledger.add_line(altered, StreamLabel::stdout_stream, kT0);

  DeliveryReport r = reconcile(ledger, truth);
  EXPECT_EQ(r.totals.expected, 25u);
  EXPECT_EQ(r.totals.missing, 0u);
  EXPECT_EQ(r.totals.content_verified, 24u);
  EXPECT_EQ(r.totals.counts.corrupt, 1u);
  EXPECT_EQ(r.totals.content_unverified, 0u);
  EXPECT_EQ(r.totals.empty_expected, 2u);  // after seqs 9 and 19
  EXPECT_EQ(r.totals.empty_received, 2u);
  EXPECT_EQ(r.totals.foreign, 0u);
}

TEST(ContentDigest, AnOpaqueLineTheDaemonLacksIsUnverified) {
  Ledger ledger(LedgerOptions{kRun, kT0, 1000 * kMs, 1000, 1000});
  GroundTruth truth(kRun);
  truth.add_container("p");
  std::string line;
  loggen::append_opaque_line(line, loggen::LineHeader{kRun, "p", 1, 0, kT0, loggen::Stream::out}, "x");
  ledger.add_line(line, StreamLabel::stdout_stream, kT0);
  DeliveryReport r = reconcile(ledger, truth);
  EXPECT_EQ(r.totals.content_unverified, 1u);
  EXPECT_EQ(r.totals.content_verified, 0u);
  EXPECT_EQ(r.totals.delivered_not_in_daemon, 1u);
}

}  // namespace
}  // namespace leakcheck::receiver
