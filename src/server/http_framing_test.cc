// Bytes on the wire: SSE events, HTTP response heads, chunked frames; and route matching.
#include <gtest/gtest.h>

#include "server/http_wire.h"
#include "server/router.h"
#include "server/sse.h"

namespace dsinfer::server {
namespace {

TEST(SseTest, EventIsDataLineAndBlankLine) {
  EXPECT_EQ(SseEvent("{\"a\":1}"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(SseDone(), "data: [DONE]\n\n");
}

TEST(SseTest, LineBreaksInPayloadBecomeSeveralDataLines) {
  EXPECT_EQ(SseEvent("a\nb"), "data: a\ndata: b\n\n");
  EXPECT_EQ(SseEvent("a\r\nb\rc"), "data: a\ndata: b\ndata: c\n\n");
}

TEST(SseTest, CommentsCannotBreakFraming) { EXPECT_EQ(SseComment("ping\nx"), ": ping x\n\n"); }

TEST(HttpWireTest, FixedLengthHead) {
  HttpHeaders h;
  h.Set("X-Request-Id", "abc");
  EXPECT_EQ(ResponseHead(200, h, 5, true),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: dsinfer\r\nX-Request-Id: abc\r\n"
            "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n");
}

TEST(HttpWireTest, ChunkedHeadAndFrames) {
  HttpHeaders h;
  h.Set("Content-Type", "text/event-stream");
  const std::string head = ResponseHead(429, h, std::nullopt, false);
  EXPECT_EQ(head.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u);
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(ChunkFrame("hello world, this is 30 bytes!"), "1e\r\nhello world, this is 30 bytes!\r\n");
  EXPECT_EQ(LastChunk(), "0\r\n\r\n");
}

TEST(HttpWireTest, HeaderValuesCannotInjectLines) {
  HttpHeaders h;
  h.Set("X-Request-Id", "a\r\nSet-Cookie: x");
  const std::string head = ResponseHead(200, h, 0, true);
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos);
}

TEST(HttpHeadersTest, NamesAreCaseInsensitive) {
  HttpHeaders h;
  h.Add("authorization", "Bearer x");
  EXPECT_EQ(h.Get("Authorization"), "Bearer x");
  h.Set("AUTHORIZATION", "y");
  EXPECT_EQ(h.entries().size(), 1u);
  EXPECT_EQ(h.Get("authorization"), "y");
}

TEST(RouterTest, FindsRoutesAndDistinguishes404From405) {
  Router r;
  int called = 0;
  r.Add("POST", "/v1/completions", "completions", [&](const HttpRequest&, const std::shared_ptr<Exchange>&) { ++called; });
  r.Add("GET", "/healthz", "healthz", [&](const HttpRequest&, const std::shared_ptr<Exchange>&) {});
  auto m = r.Find("POST", "/v1/completions");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->endpoint, "completions");
  m = r.Find("GET", "/v1/completions");
  ASSERT_EQ(m.route, nullptr);
  EXPECT_EQ(m.error->http_status, 405);
  m = r.Find("GET", "/nope");
  EXPECT_EQ(m.error->http_status, 404);
  EXPECT_NE(r.Find("HEAD", "/healthz").route, nullptr) << "HEAD is served by the GET route";
}

}  // namespace
}  // namespace dsinfer::server
