#include "reports/html.h"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace leakcheck::reports {
namespace {

using json = nlohmann::json;

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The elements the renderer itself writes. Anything else in a tag position
// came from the report unescaped.
const std::set<std::string> kOwnElements = {
    "!DOCTYPE", "html",  "head",  "meta", "title", "style",      "body",    "main",   "header", "footer",
    "div",      "h1",    "h2",    "h3",   "p",     "code",       "span",    "strong", "table",  "thead",
    "tbody",    "tr",    "th",    "td",   "pre",   "details",    "summary", "figure", "figcaption",
    "svg",      "g",     "path",  "line", "rect",  "text",       "circle"};

// The names after every "<" or "</" (no std::regex: GCC 12 warns inside it
// under the sanitizers).
std::set<std::string> foreign_elements(const std::string& html) {
  std::set<std::string> out;
  auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t pos = html.find('<'); pos != std::string::npos; pos = html.find('<', pos + 1)) {
    std::size_t start = pos + 1;
    if (start < html.size() && html[start] == '/') ++start;
    std::size_t end = start;
    if (end < html.size() && (html[end] == '!' || std::isalpha(static_cast<unsigned char>(html[end])))) ++end;
    else continue;
    while (end < html.size() && is_name_char(html[end])) ++end;
    std::string name = html.substr(start, end - start);
    if (!kOwnElements.count(name)) out.insert(name);
  }
  return out;
}

json numbers(std::initializer_list<double> values) {
  json a = json::array();
  for (double v : values) a.push_back(v);
  return a;
}

// A leaking run as old reports wrote it: no criterion fit, no per-interval
// latency series, no stderr tail. 10 samples a second apart, warmup 3 s;
// fds grow by 1.2 a second (72/min).
json old_style_report() {
  json t = json::array(), fds_total = json::array(), fds_socket = json::array(), zeros = json::array(),
       threads = json::array(), rss = json::array(), cpu = json::array(), lines = json::array(),
       docker_sock = json::array(), streams = json::array(), dockerd_fds = json::array();
  for (int i = 0; i < 10; ++i) {
    t.push_back(i * 1.0);
    fds_total.push_back(20 + 1.2 * i);
    fds_socket.push_back(8 + 1.2 * i);
    zeros.push_back(0);
    threads.push_back(5 + i);
    rss.push_back(8 * 1048576.0 + 4096 * i);
    cpu.push_back(0.05 * i);
    lines.push_back(100 * i);
    docker_sock.push_back(2 + i);
    streams.push_back(6);
    dockerd_fds.push_back(40);
  }
  return json{
      {"schema", "leakcheck.report/1"},
      {"run_id", "lc20261127-070602-648f"},
      {"verdict", "FAIL"},
      {"complete", true},
      {"error", nullptr},
      {"expect_fail", true},
      {"started_unix_ns", 1795764362000000000LL},
      {"finished_unix_ns", 1795764452000000000LL},
      {"scenario",
       {{"name", "negative-control"},
        {"file", "scenarios/negative-control.yaml"},
        {"seed", 1},
        {"duration_s", 10.0},
        {"warmup_s", 3.0},
        {"sample_interval_s", 1.0},
        {"text", "name: negative-control\nexpect_fail: true\n"}}},
      {"environment",
       {{"docker_api", "1.41"},
        {"docker_version", "20.10.24+dfsg1"},
        {"hostname", "vm"},
        {"kernel", "Linux 6.18.44 x86_64"},
        {"toolkit_version", "0.1.0 (fe5c854f8b4a)"}}},
      {"target",
       {{"command", {"/build/leakcheck-collector", "--strategy", "naive", "--label", "a b"}},
        {"crashed", false},
        {"exit_code", 0},
        {"signal", 0},
        {"stop_seconds", 0.02},
        {"killed_after_timeout", false},
        {"nofile_soft", 20000.0},
        {"fd_exhaustion_hours", 4.60779129780486}}},
      {"fleet", {{"containers", 8}, {"restarts", 0}, {"recreations", 0}}},
      {"criteria",
       {{{"text", "fds.total growth_per_min < 5"},
         {"kind", "series"},
         {"name", "fds.total"},
         {"statistic", "growth_per_min"},
         {"op", "<"},
         {"bound", 5.0},
         {"value", 72.0},
         {"passed", false},
         {"evaluated", true},
         {"ci_low", 70.0},
         {"ci_high", 72.0},
         {"p_value", 1.57e-22},
         {"shape", "growing"},
         {"detail", "Theil-Sen 72/min"}},
        {{"text", "sockets.tcp.close_wait max < 5"},
         {"kind", "series"},
         {"name", "sockets.tcp.close_wait"},
         {"statistic", "max"},
         {"op", "<"},
         {"bound", 5.0},
         {"value", 0.0},
         {"passed", true},
         {"evaluated", true},
         {"ci_low", nullptr},
         {"ci_high", nullptr},
         {"p_value", nullptr},
         {"shape", nullptr},
         {"detail", "max 0 over 7 samples"}},
        {{"text", "loss_pct == 0"},
         {"kind", "delivery"},
         {"name", "loss_pct"},
         {"statistic", "value"},
         {"op", "=="},
         {"bound", 0.0},
         {"value", 0.0},
         {"passed", true},
         {"evaluated", true},
         {"ci_low", nullptr},
         {"ci_high", nullptr},
         {"p_value", nullptr},
         {"shape", nullptr},
         {"detail", "0 of 900 lines the daemon has were never received"}}}},
      {"delivery",
       {{"expected", 900},
        {"received", 900},
        {"missing", 0},
        {"loss_pct", 0.0},
        {"duplicates", 0},
        {"out_of_order", 0},
        {"lost_before_daemon", 0},
        {"delivered_not_in_daemon", 0},
        {"foreign_lines", 0},
        {"latency_p50_s", 0.12},
        {"latency_p99_s", 0.31},
        {"latency_max_s", 0.5},
        {"containers",
         {{{"container", "lc20261127-070602-648f-steady-0"},
           {"boot", 1},
           {"truth_read", true},
           {"expected", 450},
           {"received", 450},
           {"missing", 0},
           {"missing_ranges", ""},
           {"duplicates", 0},
           {"out_of_order", 0},
           {"cut", 0},
           {"corrupt", 0},
           {"lost_before_daemon", 0},
           {"latency_p99_s", 0.3}},
          {{"container", "lc20261127-070602-648f-steady-1"},
           {"boot", 1},
           {"truth_read", true},
           {"expected", 450},
           {"received", 447},
           {"missing", 3},
           {"missing_ranges", "17-19"},
           {"duplicates", 0},
           {"out_of_order", 0},
           {"cut", 0},
           {"corrupt", 0},
           {"lost_before_daemon", 0},
           {"latency_p99_s", 0.31}}}}}},
      {"series",
       {{"t_seconds", t},
        {"values",
         {{"fds.total", fds_total},
          {"fds.socket", fds_socket},
          {"fds.inotify", zeros},
          {"threads.total", threads},
          {"threads.naive-reader", threads},
          {"sockets.tcp.close_wait", zeros},
          {"sockets.tcp.fin_wait1", zeros},
          {"sockets.unix.total", docker_sock},
          {"sockets.unix./var/run/docker.sock", docker_sock},
          {"rss_bytes", rss},
          {"pss_bytes", rss},
          {"cpu_seconds", cpu},
          {"delivery.lines_received", lines},
          {"metrics.leakcheck_collector_streams_open", streams},
          {"metrics.leakcheck_collector_lines_total{stream=\"stdout\"}", lines},
          {"observe.dockerd.fds.total", dockerd_fds},
          {"observe.dockerd.threads.total", dockerd_fds}}}}}};
}

// The same run as new reports write it: a fit per series criterion,
// per-interval latency series, the target's stderr tail.
json new_style_report() {
  json r = old_style_report();
  r["criteria"][0]["fit"] = {{"slope_per_s", 1.2}, {"intercept", 20.0}, {"from_s", 3.0}, {"to_s", 9.0}};
  r["criteria"][1]["fit"] = nullptr;
  r["criteria"][2]["fit"] = nullptr;
  r["criteria"].push_back({{"text", "latency_p99 < 1s"},
                           {"kind", "delivery"},
                           {"name", "latency_p99"},
                           {"statistic", "value"},
                           {"op", "<"},
                           {"bound", 1.0},
                           {"value", 0.31},
                           {"passed", true},
                           {"evaluated", true},
                           {"ci_low", nullptr},
                           {"ci_high", nullptr},
                           {"p_value", nullptr},
                           {"shape", nullptr},
                           {"detail", "900 lines timed"},
                           {"fit", nullptr}});
  auto& values = r["series"]["values"];
  values["delivery.latency_p50_s"] = numbers({0.1, 0.1, 0.12, 0.1, 0.11, 0.1, 0.1, 0.13, 0.1, 0.1});
  values["delivery.latency_p99_s"] = numbers({0.3, 0.28, 0.31, 0.3, 0.29, 0.3, 0.31, 0.3, 0.3, 0.3});
  values["delivery.latency_max_s"] = numbers({0.4, 0.5, 0.45, 0.4, 0.42, 0.4, 0.41, 0.5, 0.4, 0.4});
  r["target"]["stderr_tail"] = {"ts=1 level=info msg=\"stopping\"", "ts=2 level=info msg=\"stopped\""};
  return r;
}

TEST(ReportHtml, IsOneSelfContainedDocument) {
  std::string html = render_report_html(new_style_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "</html>"));
  EXPECT_EQ(foreign_elements(html), std::set<std::string>{});
  // Nothing to fetch and nothing to run.
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<link"));
  EXPECT_FALSE(contains(html, "src="));
  EXPECT_FALSE(contains(html, "http://") && !contains(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(count(html, "http://"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(count(html, "https://"), 0u);
  EXPECT_TRUE(contains(html, "Content-Security-Policy"));
}

TEST(ReportHtml, EveryChartHasExplicitSize) {
  std::string html = render_report_html(new_style_report());
  std::size_t charts = count(html, "<svg ");
  EXPECT_EQ(charts, count(html, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\""));
  EXPECT_EQ(charts, count(html, " viewBox=\"0 0 "));
  // fds, threads, tcp, unix, memory, CPU; rate, latency; dockerd fds, threads;
  // streams_open.
  EXPECT_EQ(charts, 11u);
}

TEST(ReportHtml, VerdictBannerOfANegativeControl) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "<header class=\"verdict v-fail\"><div class=\"verdict-word\">FAIL</div>"));
  EXPECT_TRUE(contains(html, "<h1>negative-control</h1>"));
  EXPECT_TRUE(contains(html, "expected to fail"));
  EXPECT_TRUE(contains(html, "run <code>lc20261127-070602-648f</code>"));
  EXPECT_TRUE(contains(html, "9 s sampled"));
  EXPECT_TRUE(contains(html, "wall time 1 min 30 s"));
}

TEST(ReportHtml, VerdictColours) {
  json r = old_style_report();
  r["expect_fail"] = false;
  r["verdict"] = "PASS";
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "class=\"verdict v-pass\""));
  EXPECT_FALSE(contains(html, "A negative control"));
  r["verdict"] = "INCOMPLETE";
  r["complete"] = false;
  html = render_report_html(r);
  EXPECT_TRUE(contains(html, "class=\"verdict v-warn\"><div class=\"verdict-word\">INCOMPLETE</div>"));
  EXPECT_TRUE(contains(html, "did not complete"));
  r["expect_fail"] = true;
  r["verdict"] = "PASS";
  html = render_report_html(r);
  EXPECT_TRUE(contains(html, "expected to fail, but the verdict is PASS"));
}

TEST(ReportHtml, ProjectionToTheFdLimit) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "At this rate the target reaches its fd limit (20,000, the soft RLIMIT_NOFILE) in "
                             "<strong>4.61 hours</strong>."));
  // And in the fds chart's caption.
  EXPECT_TRUE(contains(html, "the fd limit (20,000, soft RLIMIT_NOFILE) is reached in <strong>4.61 hours"));
  json r = old_style_report();
  r["target"]["fd_exhaustion_hours"] = nullptr;
  html = render_report_html(r);
  EXPECT_FALSE(contains(html, "At this rate"));
}

TEST(ReportHtml, CriteriaTable) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "<td><span class=\"pill fail\">FAIL</span></td><td><code>fds.total growth_per_min "
                             "&lt; 5</code></td><td class=\"n\">72/min</td><td class=\"n\">&lt; 5/min</td>"
                             "<td class=\"n\">70 .. 72/min</td><td class=\"n\">1.6e-22</td><td>growing</td>"));
  EXPECT_TRUE(contains(html, "<code>sockets.tcp.close_wait max &lt; 5</code></td><td class=\"n\">0</td>"
                             "<td class=\"n\">&lt; 5</td><td class=\"n\">—</td><td class=\"n\">—</td><td>—</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"n\">== 0 %</td>"));
}

TEST(ReportHtml, FdChartSkipsAllZeroKindsAndBoldsTheTotal) {
  std::string html = render_report_html(old_style_report());
  auto start = html.find("aria-label=\"File descriptors by kind\"");
  ASSERT_NE(start, std::string::npos);
  std::string svg = html.substr(start, html.find("</svg>", start) - start);
  EXPECT_TRUE(contains(svg, ">total</text>"));
  EXPECT_TRUE(contains(svg, ">socket</text>"));
  EXPECT_FALSE(contains(svg, ">inotify</text>"));
  EXPECT_TRUE(contains(svg, "stroke=\"#111827\" stroke-width=\"2.6\""));
}

TEST(ReportHtml, CriterionSeriesIsChartedEvenWhenZeroWithItsThreshold) {
  std::string html = render_report_html(old_style_report());
  auto start = html.find("aria-label=\"TCP sockets by state\"");
  ASSERT_NE(start, std::string::npos);
  std::string svg = html.substr(start, html.find("</svg>", start) - start);
  EXPECT_TRUE(contains(svg, ">close_wait</text>"));
  EXPECT_FALSE(contains(svg, ">fin_wait1</text>"));
  EXPECT_TRUE(contains(svg, "<title>limit: sockets.tcp.close_wait max &lt; 5</title></line>"));
}

TEST(ReportHtml, OldStyleReportEstimatesTheTrendFromTheSamples) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "fds.total trend +72/min (estimated)"));
  EXPECT_TRUE(contains(html, "fds.total limit &lt; 5/min from the trend at warmup end"));
  EXPECT_FALSE(contains(html, "Delivery latency"));
  EXPECT_FALSE(contains(html, "stderr"));
  EXPECT_TRUE(contains(html, "aria-label=\"Delivery rate\""));
}

TEST(ReportHtml, NewStyleReportUsesTheFitLatencyAndStderrTail) {
  std::string html = render_report_html(new_style_report());
  EXPECT_TRUE(contains(html, "<title>fds.total trend +72/min</title></line>"));
  EXPECT_FALSE(contains(html, "(estimated)"));
  // The threshold starts at the fit's value at the end of the warmup (20 +
  // 1.2 * 3 = 23.6) and rises 5/min: drawn from t = 3 s to 9 s.
  EXPECT_TRUE(contains(html, "<title>fds.total limit &lt; 5/min from the trend at warmup end</title></line>"));
  EXPECT_TRUE(contains(html, "aria-label=\"Delivery latency (per interval)\""));
  EXPECT_TRUE(contains(html, "<title>limit: latency_p99 &lt; 1 s</title></line>"));
  EXPECT_TRUE(contains(html, "Last lines of the target&#39;s stderr") ||
              contains(html, "Last lines of the target's stderr"));
  EXPECT_TRUE(contains(html, "ts=2 level=info msg=&quot;stopped&quot;"));
}

TEST(ReportHtml, ObservedProcessesAndMetrics) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "aria-label=\"dockerd: file descriptors\""));
  EXPECT_TRUE(contains(html, "aria-label=\"dockerd: threads\""));
  EXPECT_TRUE(contains(html, "aria-label=\"leakcheck_collector_streams_open\""));
  EXPECT_TRUE(contains(html, "All 2 metrics: first and last value"));
  EXPECT_TRUE(contains(html, "<code>leakcheck_collector_lines_total{stream=&quot;stdout&quot;}</code></td>"
                             "<td class=\"n\">0</td><td class=\"n\">900</td><td class=\"n\">+900</td>"));
}

TEST(ReportHtml, DeliveryTableProblemsFirstAndHighlighted) {
  std::string html = render_report_html(old_style_report());
  auto bad = html.find("<tr class=\"bad\"><td><code title=\"lc20261127-070602-648f-steady-1\">steady-1</code>");
  auto good = html.find("<tr><td><code title=\"lc20261127-070602-648f-steady-0\">steady-0</code>");
  ASSERT_NE(bad, std::string::npos);
  ASSERT_NE(good, std::string::npos);
  EXPECT_LT(bad, good);
  EXPECT_TRUE(contains(html, "<td class=\"mono\">17-19</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"n hot\">3</td>"));
}

TEST(ReportHtml, ManyContainersFoldTheGoodOnesAway) {
  json r = old_style_report();
  json containers = json::array();
  for (int i = 0; i < 250; ++i) {
    json c = r["delivery"]["containers"][0];
    c["container"] = "lc20261127-070602-648f-steady-" + std::to_string(i);
    if (i % 100 == 7) {
      c["missing"] = i;
      c["missing_ranges"] = "1-" + std::to_string(i);
    }
    containers.push_back(c);
  }
  r["delivery"]["containers"] = containers;
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "Per container (250 boots, 3 with problems)"));
  auto details = html.find("<details><summary>247 container boots without problems</summary>");
  ASSERT_NE(details, std::string::npos);
  // The problem rows come first, most missing first, outside the <details>.
  auto p207 = html.find(">steady-207</code>"), p107 = html.find(">steady-107</code>"),
       p7 = html.find(">steady-7</code>");
  EXPECT_LT(p207, p107);
  EXPECT_LT(p107, p7);
  EXPECT_LT(p7, details);
  EXPECT_GT(html.find(">steady-0</code>"), details);
}

TEST(ReportHtml, SlowContainersAreProblemsTooButOnly25ShowUnfolded) {
  json r = new_style_report();  // with latency_p99 < 1s
  json containers = json::array();
  for (int i = 0; i < 100; ++i) {
    json c = r["delivery"]["containers"][0];
    c["container"] = "lc20261127-070602-648f-idle-" + std::to_string(i);
    c["latency_p99_s"] = i < 60 ? 2.0 + i : 0.3;
    containers.push_back(c);
  }
  r["delivery"]["containers"] = containers;
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "Per container (100 boots, 60 with problems)"));
  EXPECT_TRUE(contains(html, "or a p99 latency over the criterion&#39;s 1 s") ||
              contains(html, "or a p99 latency over the criterion's 1 s"));
  auto more = html.find("<details><summary>35 more container boots with problems</summary>");
  auto good = html.find("<details><summary>40 container boots without problems</summary>");
  ASSERT_NE(more, std::string::npos);
  ASSERT_NE(good, std::string::npos);
  // The slowest first, its latency cell highlighted.
  auto slowest = html.find(">idle-59</code>");
  EXPECT_LT(slowest, html.find(">idle-58</code>"));
  EXPECT_LT(html.find(">idle-35</code>"), more);
  EXPECT_GT(html.find(">idle-34</code>"), more);
  EXPECT_GT(html.find(">idle-60</code>"), good);
  EXPECT_TRUE(contains(html, "<td class=\"n hot\">61 s</td>"));
}

TEST(ReportHtml, EnvironmentTargetAndScenario) {
  std::string html = render_report_html(old_style_report());
  EXPECT_TRUE(contains(html, "<tr><th>kernel</th><td>Linux 6.18.44 x86_64</td></tr>"));
  EXPECT_TRUE(contains(html, "<tr><th>docker_version</th><td>20.10.24+dfsg1</td></tr>"));
  EXPECT_TRUE(contains(html, "<pre>/build/leakcheck-collector --strategy naive --label &#39;a b&#39;</pre>"));
  EXPECT_TRUE(contains(html, "<tr><th>containers</th><td>8</td></tr>"));
  EXPECT_TRUE(contains(html, "<pre class=\"full\">name: negative-control\nexpect_fail: true\n</pre>"));
}

TEST(ReportHtml, FaultsInjectedAreListed) {
  json r = new_style_report();
  r["faults"] = {{{"action", "pause-daemon"}, {"at_s", 30.0}, {"for_s", 5.0}}};
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "<tr><td><code>pause-daemon</code></td><td class=\"n\">30 s</td>"
                             "<td class=\"n\">5 s</td><td></td>"));
  r["faults"] = {{{"action", "container_oom"},
                  {"text", "container_oom <db> at 30s for 10s"},
                  {"at_s", 30.0},
                  {"for_s", 10.0},
                  {"outcome", "1 of 2 containers OOM-killed"},
                  {"errors", {"<c2> was not OOM-killed"}},
                  {"received_during", 120},
                  {"duplicates", 0}}};
  html = render_report_html(r);
  EXPECT_TRUE(contains(html, "<tr class=\"bad\"><td><code>container_oom &lt;db&gt; at 30s for 10s</code>"));
  EXPECT_TRUE(contains(html, "1 of 2 containers OOM-killed<br><b>not as planned:</b> &lt;c2&gt; was not OOM-killed"));
  EXPECT_TRUE(contains(html, "<td class=\"n\">120</td><td class=\"n\">0</td></tr>"));
  EXPECT_FALSE(contains(render_report_html(old_style_report()), "Faults injected"));
}

TEST(ReportHtml, ContentChecksOfNewerReports) {
  json r = new_style_report();
  EXPECT_FALSE(contains(render_report_html(r), "lines of arbitrary bytes verified"));
  r["delivery"]["corrupt"] = 0;
  r["delivery"]["content_verified"] = 531;
  r["delivery"]["content_unverified"] = 0;
  r["delivery"]["cut_marked"] = 21;
  r["delivery"]["cut"] = 0;
  r["delivery"]["empty_received"] = 54;
  r["delivery"]["empty_expected"] = 54;
  EXPECT_TRUE(contains(render_report_html(r),
                       "<p>Content: 0 corrupt, 531 lines of arbitrary bytes verified against the daemon's copy (0 could "
                       "not be), 21 over-long lines cut and marked, 0 cut unmarked; empty lines 54 received of 54.</p>"));
}

TEST(ReportHtml, HostileStringsAreEscapedEverywhere) {
  json r = new_style_report();
  const std::string img = "<img src=x onerror=alert(1)>";
  const std::string script = "<script>alert(1)</script>";
  r["delivery"]["containers"][1]["container"] = img;
  r["delivery"]["containers"][1]["missing_ranges"] = script;
  r["target"]["stderr_tail"].push_back(script);
  r["target"]["command"].push_back(img);
  r["scenario"]["text"] = "name: x\n</pre><script>alert(2)</script>\n";
  r["scenario"]["name"] = "<b onmouseover=alert(3)>smoke</b>";
  r["run_id"] = "lc-\"'><svg onload=alert(4)>";
  r["error"] = "<iframe src=javascript:alert(5)>";
  r["environment"]["hostname"] = "<style>body{display:none}</style>";
  r["environment"]["<meta http-equiv=refresh>"] = "x";
  r["criteria"][0]["detail"] = script;
  r["criteria"][0]["text"] = "fds.total \"growth\" < 5 & more";
  r["criteria"][1]["shape"] = "<svg/onload=alert(6)>";
  r["faults"] = {{{"action", "<script>alert(8)</script>"}, {"at_s", 1.0}, {"for_s", 1.0}}};
  // A series name with quotes in a chart legend, tooltip and attribute.
  r["series"]["values"]["threads.a\"b'c<x>"] = r["series"]["values"]["threads.total"];
  r["series"]["values"]["sockets.unix./tmp/\"><script>alert(7)</script>"] =
      r["series"]["values"]["sockets.unix.total"];
  r["series"]["values"]["metrics.evil{x=\"</code><script>\"}"] = r["series"]["values"]["cpu_seconds"];

  std::string html = render_report_html(r);
  EXPECT_EQ(foreign_elements(html), std::set<std::string>{});
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<iframe"));
  EXPECT_FALSE(contains(html, "<b "));
  // <style> and <svg> only as our own: one style element; svg only as charts.
  EXPECT_EQ(count(html, "<style"), 1u);
  EXPECT_EQ(count(html, "<svg"), count(html, "<svg class=\"chart\""));
  EXPECT_EQ(count(html, "<meta"), 3u);
  EXPECT_FALSE(contains(html, "a\"b"));
  // The text is there, escaped.
  EXPECT_TRUE(contains(html, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "&lt;b onmouseover=alert(3)&gt;smoke&lt;/b&gt;"));
  EXPECT_TRUE(contains(html, "lc-&quot;&#39;&gt;&lt;svg onload=alert(4)&gt;"));
  EXPECT_TRUE(contains(html, "&lt;iframe src=javascript:alert(5)&gt;"));
  EXPECT_TRUE(contains(html, "&lt;style&gt;body{display:none}&lt;/style&gt;"));
  EXPECT_TRUE(contains(html, "&lt;meta http-equiv=refresh&gt;"));
  EXPECT_TRUE(contains(html, "fds.total &quot;growth&quot; &lt; 5 &amp; more"));
  EXPECT_TRUE(contains(html, "&lt;svg/onload=alert(6)&gt;"));
  EXPECT_TRUE(contains(html, ">a&quot;b&#39;c&lt;x&gt;</text>"));
  EXPECT_TRUE(contains(html, "connected to /tmp/&quot;&gt;&lt;script&gt;alert(7)&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "evil{x=&quot;&lt;/code&gt;&lt;script&gt;&quot;}"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(8)&lt;/script&gt;"));
}

TEST(ReportHtml, NullsFromNaNDoNotCrash) {
  json r = new_style_report();
  for (auto& c : r["criteria"]) {
    c["value"] = nullptr;
    c["bound"] = nullptr;
    c["ci_low"] = nullptr;
    c["ci_high"] = nullptr;
    c["p_value"] = nullptr;
  }
  r["criteria"][0]["fit"] = {{"slope_per_s", nullptr}, {"intercept", 1.0}};
  r["target"]["nofile_soft"] = nullptr;
  r["target"]["fd_exhaustion_hours"] = nullptr;
  r["target"]["stop_seconds"] = nullptr;
  for (const char* k : {"latency_p50_s", "latency_p99_s", "latency_max_s", "loss_pct"}) r["delivery"][k] = nullptr;
  r["delivery"]["containers"][0]["latency_p99_s"] = nullptr;
  r["scenario"]["warmup_s"] = nullptr;
  for (auto& [name, values] : r["series"]["values"].items())
    for (std::size_t i = 0; i < values.size(); i += 3) values[i] = nullptr;
  r["series"]["values"]["fds.socket"] = json::array({nullptr, nullptr, nullptr});  // shorter than t_seconds
  r["series"]["t_seconds"][4] = nullptr;
  std::string html;
  ASSERT_NO_THROW(html = render_report_html(r));
  EXPECT_TRUE(contains(html, "n/a"));
  // No NaN or infinity leaked into a figure or an SVG coordinate.
  EXPECT_FALSE(contains(html, "nan"));
  EXPECT_FALSE(contains(html, "\"inf"));
  EXPECT_FALSE(contains(html, ">inf"));
  EXPECT_FALSE(contains(html, "∞"));
  EXPECT_TRUE(contains(html, "</html>"));
}

TEST(ReportHtml, EmptySeries) {
  json r = old_style_report();
  r["series"] = {{"t_seconds", json::array()}, {"values", json::object()}};
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "No samples were recorded."));
  EXPECT_EQ(count(html, "<svg"), 0u);

  r["series"]["t_seconds"] = numbers({0, 1, 2});
  r["series"]["values"] = {{"fds.total", json::array()}, {"threads.total", json::array()}};
  html = render_report_html(r);
  EXPECT_TRUE(contains(html, "</html>"));
  EXPECT_EQ(count(html, "<svg"), 0u);
}

TEST(ReportHtml, ErrorReportWithoutSamplesOrDelivery) {
  json r = {{"schema", "leakcheck.report/1"},
            {"run_id", "lc20261127-090000-0000"},
            {"verdict", "ERROR"},
            {"complete", false},
            {"error", "Docker engine unavailable: connect /var/run/docker.sock: no such file"},
            {"expect_fail", false},
            {"scenario", {{"name", "smoke"}, {"text", "name: smoke\n"}}},
            {"environment", json::object()},
            {"target", {{"command", json::array()}}},
            {"fleet", {{"containers", 0}, {"restarts", 0}, {"recreations", 0}}},
            {"criteria", json::array()},
            {"delivery", nullptr},
            {"series", nullptr}};
  std::string html = render_report_html(r);
  EXPECT_TRUE(contains(html, "class=\"verdict v-warn\"><div class=\"verdict-word\">ERROR</div>"));
  EXPECT_TRUE(contains(html, "Error: Docker engine unavailable: connect /var/run/docker.sock: no such file"));
  EXPECT_TRUE(contains(html, "No samples were recorded."));
  EXPECT_TRUE(contains(html, "No delivery figures"));
  EXPECT_TRUE(contains(html, "No criterion was judged."));
  EXPECT_EQ(foreign_elements(html), std::set<std::string>{});
}

TEST(ReportHtml, AnythingThatIsNotAReportStillRenders) {
  for (const json& j : {json(nullptr), json(42), json("text"), json::array({1, 2}), json::object(),
                        json{{"series", {{"t_seconds", "no"}, {"values", 3}}}, {"criteria", {1, "x", nullptr}},
                             {"delivery", {{"containers", {1, nullptr, "x"}}}},
                             {"target", {{"command", "not an array"}, {"stderr_tail", {1, nullptr}}}}}}) {
    std::string html;
    ASSERT_NO_THROW(html = render_report_html(j)) << j.dump();
    EXPECT_TRUE(contains(html, "</html>")) << j.dump();
  }
}

}  // namespace
}  // namespace leakcheck::reports
