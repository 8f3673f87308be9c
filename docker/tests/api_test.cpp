// Pure parts of the Engine API: targets, JSON replies (literal ones captured
// from Docker 20.10), error messages.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "docker/http.h"
#include "docker/json.h"
#include "docker/query.h"

namespace leakcheck::docker {
namespace {

using namespace std::chrono_literals;

TEST(Query, UrlEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  EXPECT_EQ(url_encode("{\"k\":[\"v\"]}"), "%7B%22k%22%3A%5B%22v%22%5D%7D");
  EXPECT_EQ(url_encode("\xc3\xa9\n"), "%C3%A9%0A");
}

TEST(Query, FiltersJsonIsDockersMapOfLists) {
  Filters f{{"label", {"leakcheck.run=abc", "tier=\"x\""}}, {"name", {"web"}}};
  EXPECT_EQ(filters_json(f), R"({"label":["leakcheck.run=abc","tier=\"x\""],"name":["web"]})");
}

TEST(Query, ListTargetEncodesTheFilters) {
  ListOptions o;
  o.all = true;
  o.filters["label"] = {"leakcheck.run=abc"};
  EXPECT_EQ(list_containers_target(o),
            "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22leakcheck.run%3Dabc%22%5D%7D");
  EXPECT_EQ(list_containers_target({}), "/containers/json");
}

TEST(Query, LogsTarget) {
  LogsOptions o;
  EXPECT_EQ(logs_target("abc", o, false), "/containers/abc/logs?stdout=1&stderr=1");
  o.include_stderr = false;
  o.timestamps = true;
  o.since = 1'700'000'000'000'000'001ns;
  o.until = 1'700'000'100s;
  o.tail = 10;
  EXPECT_EQ(logs_target("abc", o, true),
            "/containers/abc/logs?stdout=1&stderr=0&follow=1&timestamps=1&since=1700000000.000000001"
            "&until=1700000100.000000000&tail=10");
}

TEST(Query, EventsTarget) {
  EventsOptions o;
  o.since = 5s;
  o.filters["type"] = {"container"};
  o.filters["event"] = {"start", "die"};
  EXPECT_EQ(events_target(o),
            "/events?since=5.000000000&filters=%7B%22event%22%3A%5B%22start%22%2C%22die%22%5D%2C%22type%22%3A%"
            "5B%22container%22%5D%7D");
  EXPECT_EQ(events_target({}), "/events");
}

TEST(Query, ContainerTargetEncodesTheId) {
  EXPECT_EQ(container_target("web-1"), "/containers/web-1");
  EXPECT_EQ(container_target("a/b", "json"), "/containers/a%2Fb/json");
}

TEST(Query, ImageTargetKeepsReferenceSeparators) {
  EXPECT_EQ(image_target("registry:5000/team/app:1.0@sha256:ab", "json"),
            "/images/registry:5000/team/app:1.0@sha256:ab/json");
  EXPECT_EQ(image_target("a b"), "/images/a%20b");
}

TEST(Query, UnixTime) {
  EXPECT_EQ(format_unix_time(1'500'000'000ns), "1.500000000");
  EXPECT_EQ(format_unix_time(0ns), "0.000000000");
  EXPECT_EQ(format_unix_time(-5ns), "0.000000000");
  EXPECT_EQ(format_unix_time(1'732'000'000'123'456'789ns), "1732000000.123456789");
}

constexpr const char* kVersionReply =
    R"({"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1","Details":)"
    R"({"ApiVersion":"1.41","MinAPIVersion":"1.12"}}],"Version":"20.10.24+dfsg1","ApiVersion":"1.41",)"
    R"("MinAPIVersion":"1.12","GitCommit":"5d6db84","GoVersion":"go1.19.8","Os":"linux","Arch":"amd64",)"
    R"("KernelVersion":"6.18.44-fc-v595","BuildTime":"2026-05-07T21:09:36.000000000+00:00"})";

TEST(Json, Version) {
  auto v = parse_version(kVersionReply);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->version, "20.10.24+dfsg1");
  EXPECT_EQ(v->api_version, (ApiVersion{1, 41}));
  EXPECT_EQ(v->min_api_version, (ApiVersion{1, 12}));
  EXPECT_EQ(v->os, "linux");
  EXPECT_EQ(v->arch, "amd64");
  EXPECT_EQ(v->kernel_version, "6.18.44-fc-v595");

  auto bad = parse_version(R"({"Version":"x","ApiVersion":"one"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "/version reply: invalid Docker API version \"one\": expected MAJOR.MINOR");
  EXPECT_FALSE(parse_version("<html>"));
}

TEST(Json, ContainerList) {
  auto list = parse_container_list(
      R"([{"Id":"b91bfff0","Names":["/lcsample"],"Image":"lc-test:1","ImageID":"sha256:c24a",)"
      R"("Command":"sh -c 'echo hi; sleep 30'","Created":1795758793,"Ports":[],)"
      R"("Labels":{"leakcheck.run":"sample"},"State":"running","Status":"Up 1 second",)"
      R"("HostConfig":{"NetworkMode":"none"},"Mounts":[]},)"
      R"({"Id":"c0ffee","Names":["/b","/a/link"],"Labels":null,"State":"exited","Created":1}])");
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_EQ(list->size(), 2u);
  const auto& c = (*list)[0];
  EXPECT_EQ(c.id, "b91bfff0");
  EXPECT_EQ(c.names, std::vector<std::string>{"lcsample"});
  EXPECT_EQ(c.image, "lc-test:1");
  EXPECT_EQ(c.state, "running");
  EXPECT_EQ(c.status, "Up 1 second");
  EXPECT_EQ(c.labels, (Labels{{"leakcheck.run", "sample"}}));
  EXPECT_EQ(c.created, 1795758793);
  EXPECT_EQ((*list)[1].names, (std::vector<std::string>{"b", "a/link"}));
  EXPECT_TRUE((*list)[1].labels.empty());

  EXPECT_FALSE(parse_container_list(R"({"message":"x"})"));
  EXPECT_FALSE(parse_container_list(R"([{"Names":["/x"]}])"));
  EXPECT_TRUE(parse_container_list("[]"));
}

TEST(Json, ContainerInspect) {
  auto info = parse_container_inspect(
      R"({"Id":"b91bfff0","Created":"2026-11-27T05:53:13.731292204Z","Path":"sh",)"
      R"("State":{"Status":"exited","Running":false,"Paused":false,"Restarting":false,"OOMKilled":true,)"
      R"("Dead":false,"Pid":0,"ExitCode":137,"Error":"","StartedAt":"2026-11-27T05:53:14.324370544Z",)"
      R"("FinishedAt":"2026-11-27T05:53:44.1Z"},"Image":"sha256:c24a","LogPath":"/var/lib/docker/x-json.log",)"
      R"("Name":"/lcsample","RestartCount":2,"Config":{"Hostname":"b91bfff00074","Tty":true,)"
      R"("Labels":{"leakcheck.run":"sample","k":"v"}}})");
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->id, "b91bfff0");
  EXPECT_EQ(info->name, "lcsample");
  EXPECT_TRUE(info->tty);
  EXPECT_EQ(info->labels, (Labels{{"leakcheck.run", "sample"}, {"k", "v"}}));
  EXPECT_EQ(info->state.status, "exited");
  EXPECT_FALSE(info->state.running);
  EXPECT_TRUE(info->state.oom_killed);
  EXPECT_EQ(info->state.exit_code, 137);
  EXPECT_EQ(info->state.started_at, "2026-11-27T05:53:14.324370544Z");
  EXPECT_EQ(info->log_path, "/var/lib/docker/x-json.log");
  EXPECT_EQ(info->restart_count, 2);
  EXPECT_FALSE(parse_container_inspect(R"({"message":"No such container: x"})"));
}

TEST(Json, CreateWaitEvent) {
  EXPECT_EQ(*parse_create_response(R"({"Id":"e90e34656806","Warnings":[]})"), "e90e34656806");
  EXPECT_FALSE(parse_create_response(R"({"Warnings":[]})"));
  EXPECT_EQ(*parse_wait_response(R"({"Error":null,"StatusCode":3})"), 3);
  auto wait_error = parse_wait_response(R"({"Error":{"Message":"container gone"},"StatusCode":-1})");
  ASSERT_FALSE(wait_error);
  EXPECT_EQ(wait_error.error().message(), "container wait: container gone");

  auto e = parse_event(
      R"({"status":"start","id":"abc","from":"lc-test:1","Type":"container","Action":"start",)"
      R"("Actor":{"ID":"abc","Attributes":{"image":"lc-test:1","leakcheck.run":"r1","name":"web"}},)"
      R"("scope":"local","time":1795758794,"timeNano":1795758794324370544})");
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->type, "container");
  EXPECT_EQ(e->action, "start");
  EXPECT_EQ(e->actor_id, "abc");
  EXPECT_EQ(e->attributes.at("name"), "web");
  EXPECT_EQ(e->attributes.at("leakcheck.run"), "r1");
  EXPECT_EQ(e->time_nano, 1795758794324370544);
  EXPECT_FALSE(parse_event("{\"Type\":\"container\"}"));
  EXPECT_FALSE(parse_event("{\"Type\":"));
}

TEST(Json, ContainerSpec) {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = "busybox:1";
  spec.cmd = {"sh", "-c", "echo hi"};
  spec.labels = {{"leakcheck.run", "r1"}};
  spec.tty = true;
  spec.memory_bytes = 64 << 20;
  spec.log_options = {{"max-size", "10m"}};
  auto j = nlohmann::json::parse(container_spec_json(spec));
  EXPECT_EQ(j["Image"], "busybox:1");
  EXPECT_EQ(j["Cmd"], nlohmann::json({"sh", "-c", "echo hi"}));
  EXPECT_EQ(j["Labels"]["leakcheck.run"], "r1");
  EXPECT_EQ(j["Tty"], true);
  EXPECT_FALSE(j.contains("Entrypoint"));
  EXPECT_EQ(j["HostConfig"]["NetworkMode"], "none");
  EXPECT_EQ(j["HostConfig"]["Memory"], 64 << 20);
  EXPECT_EQ(j["HostConfig"]["LogConfig"]["Type"], "json-file");
  EXPECT_EQ(j["HostConfig"]["LogConfig"]["Config"]["max-size"], "10m");
  EXPECT_EQ(j["NetworkDisabled"], true);
  EXPECT_FALSE(j.contains("name"));  // the name goes in the query string
}

TEST(Errors, DockerMessageIsExtracted) {
  EXPECT_EQ(error_message_from_body(R"({"message":"No such container: nope"})" "\n"),
            "No such container: nope");
  EXPECT_EQ(error_message_from_body("  <html>bad gateway</html>\r\n"), "<html>bad gateway</html>");
  EXPECT_EQ(error_message_from_body(""), "");
  EXPECT_EQ(error_message_from_body(std::string(600, 'x'), 512), std::string(512, 'x') + "...");
}

TEST(Errors, HttpErrorCarriesStatusAndMessage) {
  Request r;
  r.target = "/v1.41/containers/nope/json";
  Error e = http_error(r, 404, "Not Found", R"({"message":"No such container: nope"})");
  EXPECT_EQ(e.code, 0);
  EXPECT_EQ(e.message(), "GET /v1.41/containers/nope/json: 404 Not Found: No such container: nope");
  r.method = "POST";
  r.target = "/x?" + std::string(300, 'a');
  e = http_error(r, 500, "", "");
  EXPECT_EQ(e.message(), "POST /x?" + std::string(197, 'a') + "...: 500");
}

TEST(Errors, ProgressStreamErrors) {
  EXPECT_EQ(progress_error("{\"status\":\"sha256:abc\"}\r\n"), std::nullopt);
  EXPECT_EQ(progress_error("{\"status\":\"Importing\"}\r\n{\"errorDetail\":{\"message\":\"bad tar\"},"
                           "\"error\":\"bad tar\"}\r\n"),
            std::optional<std::string>("bad tar"));
}

}  // namespace
}  // namespace leakcheck::docker
