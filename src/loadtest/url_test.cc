// --url parsing: hosts, ports, IPv6 literals, the OpenAI base path, refused forms.
#include <gtest/gtest.h>

#include "loadtest/url.h"

namespace dsinfer::loadtest {
namespace {

TEST(ServerUrlTest, OriginGetsTheV1BasePath) {
  auto u = ParseServerUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->base_path, "/v1");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:8080");
  EXPECT_EQ(u->ToString(), "http://127.0.0.1:8080/v1");
}

TEST(ServerUrlTest, ExplicitBasePathAndDefaultPort) {
  auto u = ParseServerUrl("http://gateway.local/openai/v1/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "gateway.local");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->base_path, "/openai/v1");
}

TEST(ServerUrlTest, Ipv6Literal) {
  auto u = ParseServerUrl("http://[::1]:9000/v1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->HostHeader(), "[::1]:9000");
}

TEST(ServerUrlTest, RefusedForms) {
  for (const char* bad :
       {"127.0.0.1:8080", "https://x", "http://", "http://:80", "http://h:0", "http://h:99999",
        "http://h:8x", "http://u:p@h", "http://h/v1?x=1", "http://[::1"}) {
    auto u = ParseServerUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_NE(u.status().message().find(bad), std::string::npos) << u.status().message();
  }
}

}  // namespace
}  // namespace dsinfer::loadtest
