#include "docker/endpoint.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "docker/api_version.h"

namespace leakcheck::docker {
namespace {

TEST(Endpoint, DefaultIsTheUnixSocket) {
  auto ep = parse_endpoint(kDefaultDockerHost);
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(ep->path, "/var/run/docker.sock");
  EXPECT_EQ(ep->text(), "unix:///var/run/docker.sock");
  EXPECT_EQ(ep->host_header(), "localhost");
}

TEST(Endpoint, TcpWithIpv4AndPort) {
  auto ep = parse_endpoint("tcp://10.1.2.3:2376");
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->kind, Endpoint::Kind::tcp);
  EXPECT_EQ(ep->address, "10.1.2.3");
  EXPECT_EQ(ep->port, 2376);
  EXPECT_EQ(ep->text(), "tcp://10.1.2.3:2376");
  EXPECT_EQ(ep->host_header(), "10.1.2.3:2376");
}

TEST(Endpoint, TcpWithoutPortTakesTheDockerDefault) {
  auto ep = parse_endpoint("tcp://10.1.2.3/");
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->port, 2375);
}

TEST(Endpoint, LocalhostBecomesLoopbackWithoutResolving) {
  auto ep = parse_endpoint("tcp://localhost:2375");
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->address, "127.0.0.1");
}

TEST(Endpoint, BracketedIpv6) {
  auto ep = parse_endpoint("tcp://[::1]:2375");
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->address, "::1");
  EXPECT_EQ(ep->text(), "tcp://[::1]:2375");
  EXPECT_EQ(ep->host_header(), "[::1]:2375");
}

struct BadHost {
  const char* text;
  const char* why;  // a fragment the message must contain
};

class EndpointErrors : public ::testing::TestWithParam<BadHost> {};

TEST_P(EndpointErrors, NameTheValue) {
  auto ep = parse_endpoint(GetParam().text);
  ASSERT_FALSE(ep) << GetParam().text;
  EXPECT_NE(ep.error().message().find(std::string("\"") + GetParam().text + "\""), std::string::npos)
      << ep.error().message();
  EXPECT_NE(ep.error().message().find(GetParam().why), std::string::npos) << ep.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, EndpointErrors,
    ::testing::Values(BadHost{"", "expected unix:///"}, BadHost{"/var/run/docker.sock", "expected unix:///"},
                      BadHost{"http://127.0.0.1:2375", "expected unix:///"},
                      BadHost{"npipe:////./pipe/docker_engine", "expected unix:///"},
                      BadHost{"ssh://me@host", "expected unix:///"},
                      BadHost{"unix://", "absolute socket path"},
                      BadHost{"unix://run/docker.sock", "absolute socket path"},
                      BadHost{"tcp://", "missing host"},
                      BadHost{"tcp://docker.example.com:2375", "numeric IP address"},
                      BadHost{"tcp://[::1:2375", "missing ']'"},
                      BadHost{"tcp://::1:2375", "brackets"},
                      BadHost{"tcp://[localhost]:2375", "numeric IP address"},
                      BadHost{"tcp://1.2.3.4:0", "port \"0\""},
                      BadHost{"tcp://1.2.3.4:65536", "port \"65536\""},
                      BadHost{"tcp://1.2.3.4:2375x", "port \"2375x\""},
                      BadHost{"tcp://1.2.3.4:", "empty port"},
                      BadHost{"tcp://1.2.3.4:2375/v1.41", "path is not allowed"}),
    [](const ::testing::TestParamInfo<BadHost>& param_info) { return "case" + std::to_string(param_info.index); });

TEST(Endpoint, UnixPathMustFitSunPath) {
  std::string text = "unix:///" + std::string(120, 'a');
  auto ep = parse_endpoint(text);
  ASSERT_FALSE(ep);
  EXPECT_NE(ep.error().message().find("longer than 107 bytes"), std::string::npos) << ep.error().message();
}

TEST(Endpoint, FromEnvironment) {
  ::setenv("DOCKER_HOST", "tcp://127.0.0.1:1234", 1);
  auto ep = endpoint_from_environment();
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->port, 1234);

  ::setenv("DOCKER_HOST", "tcp://nowhere:1", 1);
  ep = endpoint_from_environment();
  ASSERT_FALSE(ep);
  EXPECT_EQ(ep.error().message().rfind("DOCKER_HOST: invalid docker host \"tcp://nowhere:1\"", 0), 0u)
      << ep.error().message();

  ::setenv("DOCKER_HOST", "", 1);
  ep = endpoint_from_environment();
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->path, "/var/run/docker.sock");
  ::unsetenv("DOCKER_HOST");
}

TEST(ApiVersion, Parse) {
  auto v = parse_api_version("1.41");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (ApiVersion{1, 41}));
  EXPECT_EQ(v->text(), "1.41");
  for (const char* bad : {"", "1", "1.", ".41", "1.41.0", "v1.41", "1.-4"}) {
    auto r = parse_api_version(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(std::string("\"") + bad + "\""), std::string::npos);
  }
}

TEST(ApiVersion, NegotiateTakesTheLowerWithAFloor) {
  EXPECT_EQ(*negotiate_api_version({1, 41}), (ApiVersion{1, 41}));
  EXPECT_EQ(*negotiate_api_version({1, 42}), (ApiVersion{1, 42}));
  EXPECT_EQ(*negotiate_api_version({1, 51}), kMaxApiVersion);
  EXPECT_EQ(*negotiate_api_version({1, 51}, {1, 41}), (ApiVersion{1, 41}));
  EXPECT_EQ(*negotiate_api_version({2, 0}, {1, 43}), (ApiVersion{1, 43}));
  auto old = negotiate_api_version({1, 40});
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().message(), "Docker engine speaks API 1.40, leakcheck needs at least 1.41 (Docker 20.10)");
}

}  // namespace
}  // namespace leakcheck::docker
