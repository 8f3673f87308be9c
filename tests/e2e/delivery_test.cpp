// The end-to-end tests' own checker, on literal daemon output and literal
// sink records: it must see every kind of delivery fault, or the tests that
// use it could not fail.

#include "tests/e2e/delivery.h"

#include <gtest/gtest.h>

#include "loggen/line_format.h"

namespace leakcheck::testing {
namespace {

std::string frame(int stream, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  auto n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) f[4 + i] = static_cast<char>(n >> (24 - 8 * i));
  return f + payload;
}

constexpr int64_t kT0 = 1795759262LL * 1'000'000'000;  // 2026-11-27T06:01:02Z

TEST(DeliveryCheck, Rfc3339Times) {
  EXPECT_EQ(*parse_rfc3339_utc_ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339_utc_ns("2026-11-27T06:01:02Z"), kT0);
  EXPECT_EQ(*parse_rfc3339_utc_ns("2026-11-27T06:01:02.123456789Z"), kT0 + 123456789);
  EXPECT_EQ(*parse_rfc3339_utc_ns("2026-11-27T06:01:02.5Z"), kT0 + 500000000);
  EXPECT_EQ(*parse_rfc3339_utc_ns("2000-02-29T23:59:59.000000001Z"), 951868799LL * 1'000'000'000 + 1);
  for (const char* bad : {"", "2026-11-27 06:01:02Z", "2026-11-27T06:01:02", "2026-11-27T06:01:02.Z",
                          "2026-11-27T06:01:02.1234567890Z", "2026-13-27T06:01:02Z", "2026-11-27T06:01:02+01:00"})
    EXPECT_FALSE(parse_rfc3339_utc_ns(bad)) << bad;
}

TEST(DeliveryCheck, DecodesFramesJoiningSplitMessagesPerStream) {
  std::string raw = frame(1, "2026-11-27T06:01:02.000000001Z aaaa") + frame(2, "2026-11-27T06:01:02.000000002Z err\n") +
                    frame(1, "2026-11-27T06:01:02.000000003Z bbb\n") + frame(1, "2026-11-27T06:01:03Z \n");
  auto lines = decode_daemon_logs(raw, false);
  ASSERT_TRUE(lines) << lines.error().message();
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ((*lines)[0].stream, "stderr");
  EXPECT_EQ((*lines)[0].text, "err");
  EXPECT_EQ((*lines)[1].stream, "stdout");
  EXPECT_EQ((*lines)[1].text, "aaaabbb");
  EXPECT_EQ((*lines)[1].ts_ns, kT0 + 1);  // the first message's
  EXPECT_EQ((*lines)[2].text, "");
  EXPECT_EQ((*lines)[2].ts_ns, kT0 + 1'000'000'000);

  EXPECT_FALSE(decode_daemon_logs(raw.substr(0, raw.size() - 1), false)) << "cut frame";
  EXPECT_FALSE(decode_daemon_logs(frame(1, "2026-11-27T06:01:02Z open"), false)) << "ends inside a line";
  EXPECT_FALSE(decode_daemon_logs(frame(3, "2026-11-27T06:01:02Z x\n"), false)) << "systemerr";
  EXPECT_FALSE(decode_daemon_logs(frame(1, "no-timestamp\n"), false));
}

TEST(DeliveryCheck, DecodesTtyLines) {
  auto lines = decode_daemon_logs("2026-11-27T06:01:02Z hi\r\n2026-11-27T06:01:02.5Z there\r\n", true);
  ASSERT_TRUE(lines) << lines.error().message();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].text, "hi");
  EXPECT_EQ((*lines)[1].text, "there");
  EXPECT_EQ((*lines)[1].ts_ns, kT0 + 500000000);
  EXPECT_EQ((*lines)[1].stream, "stdout");
  EXPECT_FALSE(decode_daemon_logs("2026-11-27T06:01:02Z hi\n", true)) << "no \\r";
}

std::vector<TruthLine> loggen_lines(const std::string& run, const std::string& name, std::vector<uint64_t> seqs) {
  std::vector<TruthLine> out;
  for (uint64_t seq : seqs) {
    loggen::LineHeader h;
    h.run_id = run;
    h.container = name;
    h.boot = 1;
    h.seq = seq;
    h.time_ns = kT0;
    out.push_back(TruthLine{"stdout", kT0, loggen::format_line(h, 120)});
  }
  return out;
}

TEST(DeliveryCheck, LoggenTruthMustBeWhole) {
  EXPECT_TRUE(check_loggen_lines(loggen_lines("r1", "c1", {0, 1, 2}), "r1", "c1", false, 3));
  EXPECT_FALSE(check_loggen_lines(loggen_lines("r1", "c1", {0, 1, 2}), "r1", "c1", false, 4)) << "count";
  EXPECT_FALSE(check_loggen_lines(loggen_lines("r1", "c1", {0, 2}), "r1", "c1", false)) << "gap";
  EXPECT_FALSE(check_loggen_lines(loggen_lines("r1", "c1", {0, 1, 1}), "r1", "c1", false)) << "twice";
  EXPECT_FALSE(check_loggen_lines(loggen_lines("r2", "c1", {0}), "r1", "c1", false)) << "other run";
  EXPECT_FALSE(check_loggen_lines(loggen_lines("r1", "c2", {0}), "r1", "c1", false)) << "other container";
  auto on_stderr = loggen_lines("r1", "c1", {0});
  on_stderr[0].stream = "stderr";  // written as 'o'
  EXPECT_FALSE(check_loggen_lines(on_stderr, "r1", "c1", false));
  EXPECT_TRUE(check_loggen_lines(on_stderr, "r1", "c1", true)) << "a TTY merges the streams";
  auto cut = loggen_lines("r1", "c1", {0});
  cut[0].text.pop_back();
  EXPECT_FALSE(check_loggen_lines(cut, "r1", "c1", false));
}

TEST(DeliveryCheck, CountsEveryKindOfFault) {
  std::string id(64, 'a');
  std::map<std::string, ContainerTruth> truth;
  truth["c1"] = ContainerTruth{id, false, {{"stdout", 1, "one"}, {"stdout", 2, "two"}, {"stderr", 3, "three"},
                                           {"stdout", 4, "four"}, {"stdout", 5, "five"}}};
  auto line = [&](std::string stream, int64_t ts, std::string text) {
    return DeliveredLine{"c1", id, std::move(stream), ts, std::move(text), false};
  };
  std::vector<DeliveredLine> got = {
      line("stdout", 1, "one"),
      line("stdout", 1, "one"),    // duplicated
      line("stdout", 20, "two"),   // wrong ts
      line("stdout", 3, "three"),  // wrong stream: unexpected, and stderr "three" missing
      line("stdout", 4, "four"),
      line("stdout", 9, "nine"),   // unexpected
      DeliveredLine{"c2", id, "stdout", 1, "one", false},  // unknown container
  };
  got.push_back(line("stdout", 5, "five"));
  got.back().container_id = std::string(64, 'b');  // wrong id
  got.back().truncated = true;
  DeliveryReport r = check_exactly_once(truth, got, false);
  EXPECT_EQ(r.expected, 5u);
  EXPECT_EQ(r.delivered, 8u);
  EXPECT_EQ(r.matched, 4u);
  EXPECT_EQ(r.missing, 1u);
  EXPECT_EQ(r.duplicated, 1u);
  EXPECT_EQ(r.unexpected, 3u);
  EXPECT_EQ(r.wrong_ts, 1u);
  EXPECT_EQ(r.wrong_id, 1u);
  EXPECT_EQ(r.truncated, 1u);

  std::vector<DeliveredLine> perfect = {line("stdout", 1, "one"), line("stdout", 2, "two"), line("stderr", 3, "three"),
                                        line("stdout", 4, "four"), line("stdout", 5, "five")};
  r = check_exactly_once(truth, perfect, false);
  EXPECT_EQ(r.matched, 5u);
  EXPECT_EQ(r.missing + r.duplicated + r.unexpected + r.wrong_ts + r.wrong_id + r.truncated, 0u) << r.text();
  for (auto& d : perfect) d.container_id = id.substr(0, 12);
  r = check_exactly_once(truth, perfect, true);
  EXPECT_EQ(r.wrong_id, 0u);
}

TEST(DeliveryCheck, NdjsonIsReadStrictly) {
  auto ok = parse_ndjson(
      "{\"ts\":\"17\",\"container\":\"c\",\"container_id\":\"abc\",\"stream\":\"stderr\",\"line\":\"x y\",\"truncated\":false}\n");
  ASSERT_TRUE(ok) << ok.error().message();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].ts_ns, 17);
  EXPECT_EQ((*ok)[0].text, "x y");
  EXPECT_EQ((*ok)[0].stream, "stderr");
  EXPECT_FALSE(parse_ndjson("{\"ts\":\"17\",\"container\":\"c\",\"container_id\":\"abc\",\"stream\":\"stderr\",\"line\":\"x\","
                            "\"truncated\":false,\"extra\":1}\n"));
  EXPECT_FALSE(parse_ndjson("{\"ts\":17,\"container\":\"c\",\"container_id\":\"abc\",\"stream\":\"stderr\",\"line\":\"x\","
                            "\"truncated\":false}\n")) << "ts must be a string";
  EXPECT_FALSE(parse_ndjson("{\"ts\":\"17\",\"container\":\"c\",\"container_id\":\"abc\",\"stream\":\"stderr\",\"line\":\"x\","
                            "\"truncated\":false}")) << "no newline";
}

TEST(DeliveryCheck, LokiPushIsReadStrictly) {
  std::map<std::string, std::string> statics = {{"job", "e2e"}};
  std::string labels = R"("container":"c","container_id":"0123456789ab","stream":"stdout","job":"e2e")";
  auto ok = parse_loki_push(R"({"streams":[{"stream":{)" + labels + R"(},"values":[["5","a"],["6","b"]]}]})", statics);
  ASSERT_TRUE(ok) << ok.error().message();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].ts_ns, 6);
  EXPECT_EQ((*ok)[1].text, "b");
  EXPECT_EQ((*ok)[1].container_id, "0123456789ab");
  EXPECT_FALSE(parse_loki_push(R"({"streams":[{"stream":{)" + labels + R"(},"values":[[5,"a"]]}]})", statics));
  EXPECT_FALSE(parse_loki_push(R"({"streams":[{"stream":{)" + labels + R"(},"values":[["5","a","x"]]}]})", statics));
  EXPECT_FALSE(parse_loki_push(R"({"streams":[{"stream":{)" + labels + R"(},"values":[["5","a"]]}]})", {})) << "extra label";
  EXPECT_FALSE(parse_loki_push(R"({"streams":[{"stream":{"container":"c","stream":"stdout","job":"e2e"},"values":[]}]})", statics));
  EXPECT_FALSE(parse_loki_push(R"({"streams":[{"stream":{"container":"c","container_id":"abc","stream":"stdout","job":"e2e"},"values":[]}]})", statics))
      << "id not 12 hex";
  EXPECT_FALSE(parse_loki_push("not json", statics));
}

}  // namespace
}  // namespace leakcheck::testing
