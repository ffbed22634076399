// The generation endpoints over a test double of the engine (FakeBackend pushes the events a
// test scripts) and a recording ResponseSink (no network): tool calls parsed back from model
// text, the reasoning split in streams, the SSE framing with usage, cancellation on client
// disconnect, and engine refusals mapped to HTTP errors. The real engine and transport are
// covered by tests/server/ against the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <deque>

#include "server/api_handlers.h"
#include "server/request_dispatcher.h"
#include "tokenizer/test_vocab.h"

namespace dsinfer::server {
namespace {

using Json = nlohmann::json;

// Runs Post()ed functions when the test says so, so every step is deterministic.
class RecordingSink final : public ResponseSink {
 public:
  void Send(HttpResponse r) override {
    status = r.status;
    headers = r.headers;
    body = r.body;
    complete = true;
  }
  void BeginStream(int s, HttpHeaders h) override {
    status = s;
    headers = h;
    streaming = true;
  }
  void WriteChunk(std::string data) override { body += data; }
  void EndStream() override { complete = true; }
  void Post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }
  void OnDisconnect(std::function<void()> fn) override { on_disconnect = std::move(fn); }
  bool connected() const override { return !gone; }

  void RunPosted() {
    while (!posted.empty()) {
      auto fn = std::move(posted.front());
      posted.pop_front();
      fn();
    }
  }

  int status = 0;
  HttpHeaders headers;
  std::string body;
  bool streaming = false;
  bool complete = false;
  bool gone = false;
  std::deque<std::function<void()>> posted;
  std::function<void()> on_disconnect;
};

class FakeBackend final : public GenerationBackend {
 public:
  FakeBackend()
      : tokenizer_(std::move(tokenizer::Tokenizer::Create(tokenizer::testing::MakeTestVocab())).value()),
        template_(std::make_unique<chat::ChatTemplate>(std::move(chat::ChatTemplate::Builtin("deepseek3")).value())) {
    description_.model_id = "fake";
    description_.max_model_len = 512;
    description_.n_vocab = tokenizer_->n_vocab();
  }
  const BackendDescription& description() const override { return description_; }
  const tokenizer::Tokenizer& tokenizer() const override { return *tokenizer_; }
  const chat::ChatTemplate& chat_template() const override { return *template_; }
  Expected<engine::Submission> Submit(engine::GenerateRequest request, std::function<void()> on_event) override {
    if (refuse) return ResourceExhausted("waiting queue is full (1 requests)");
    requests.push_back(request);
    engine::Submission s{next_id_++, std::make_shared<engine::EventStream>()};
    s.events->set_on_push(std::move(on_event));
    streams.push_back(s.events);
    return s;
  }
  void Cancel(engine::RequestId id) override { cancelled.push_back(id); }
  engine::EngineStats Stats() const override { return {}; }

  bool refuse = false;
  std::vector<engine::GenerateRequest> requests;
  std::vector<std::shared_ptr<engine::EventStream>> streams;
  std::vector<engine::RequestId> cancelled;

 private:
  BackendDescription description_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<chat::ChatTemplate> template_;
  engine::RequestId next_id_ = 1;
};

engine::StreamEvent TextEvent(std::string text, int index = 0) {
  engine::StreamEvent e;
  e.index = index;
  e.tokens.push_back({72, -0.5f, {}});
  e.text = std::move(text);
  return e;
}

engine::StreamEvent FinishEvent(engine::FinishReason reason, int completion_tokens) {
  engine::StreamEvent e;
  e.finish = reason;
  e.done = true;
  e.usage.prompt_tokens = 10;
  e.usage.completion_tokens = completion_tokens;
  e.timings.first_token_s = 0.01;
  e.timings.total_s = 0.05;
  e.timings.decode_s = 0.04;
  return e;
}

class GenerationHandlersTest : public ::testing::Test {
 protected:
  GenerationHandlersTest()
      : log_(std::fopen("/dev/null", "w")), logger_(log_), metrics_(false), state_(config_, logger_, metrics_, "test") {
    RegisterGenerationRoutes(router_, state_);
    RegisterInfoRoutes(router_, state_);
    dispatcher_ = std::make_unique<RequestDispatcher>(state_, router_, ApiKeyStore());
    state_.backend_ptr.store(&backend_);
  }
  ~GenerationHandlersTest() override { std::fclose(log_); }

  std::shared_ptr<RecordingSink> Post(const std::string& path, const std::string& body) {
    auto sink = std::make_shared<RecordingSink>();
    HttpRequest r;
    r.method = "POST";
    r.target = r.path = path;
    r.body = body;
    r.client_address = "127.0.0.1:1";
    dispatcher_->Dispatch(r, std::nullopt, sink);
    return sink;
  }

  FILE* log_;
  ServerConfig config_;
  Logger logger_;
  ServerMetrics metrics_;
  ServingState state_;
  FakeBackend backend_;
  Router router_;
  std::unique_ptr<RequestDispatcher> dispatcher_;
};

TEST_F(GenerationHandlersTest, ToolCallsInModelOutputComeBackAsToolCalls) {
  auto sink = Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"Weather?"}],
      "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})");
  ASSERT_EQ(backend_.streams.size(), 1u);
  backend_.streams[0]->Push(TextEvent("Let me check.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather"));
  backend_.streams[0]->Push(TextEvent("<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>"));
  backend_.streams[0]->Push(FinishEvent(engine::FinishReason::kStop, 2));
  sink->RunPosted();
  ASSERT_TRUE(sink->complete);
  EXPECT_EQ(sink->status, 200);
  const Json j = Json::parse(sink->body);
  const Json& choice = j["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_EQ(choice["message"]["content"], "Let me check.");
  EXPECT_EQ(choice["message"]["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(choice["message"]["tool_calls"][0]["function"]["arguments"], "{\"city\":\"Paris\"}");
  EXPECT_EQ(j["usage"]["completion_tokens"], 2);
}

TEST_F(GenerationHandlersTest, WithoutToolsTheMarkersStayContent) {
  auto sink = Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}]})");
  backend_.streams[0]->Push(TextEvent("<｜tool▁calls▁begin｜>"));
  backend_.streams[0]->Push(FinishEvent(engine::FinishReason::kStop, 1));
  sink->RunPosted();
  const Json j = Json::parse(sink->body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "<｜tool▁calls▁begin｜>");
}

TEST_F(GenerationHandlersTest, StreamSplitsReasoningAndEndsWithUsageAndDone) {
  auto sink = Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],"stream":true,
      "stream_options":{"include_usage":true},"max_tokens":5,"seed":3,"temperature":0.5})");
  ASSERT_EQ(backend_.requests.size(), 1u);
  EXPECT_EQ(backend_.requests[0].max_tokens, 5);
  EXPECT_EQ(backend_.requests[0].sampling.seed.value_or(0), 3u);
  EXPECT_FLOAT_EQ(backend_.requests[0].sampling.temperature, 0.5f);
  backend_.streams[0]->Push(TextEvent("<think>\nponder"));
  sink->RunPosted();
  EXPECT_TRUE(sink->streaming);
  EXPECT_EQ(sink->headers.Get("Content-Type"), "text/event-stream");
  EXPECT_FALSE(sink->complete);
  backend_.streams[0]->Push(TextEvent("ing\n</think>\n\nAnswer"));
  backend_.streams[0]->Push(FinishEvent(engine::FinishReason::kLength, 5));
  sink->RunPosted();
  ASSERT_TRUE(sink->complete);
  std::string reasoning, content;
  std::vector<Json> chunks;
  size_t pos = 0;
  while ((pos = sink->body.find("data: ", pos)) != std::string::npos) {
    const size_t end = sink->body.find("\n\n", pos);
    const std::string payload = sink->body.substr(pos + 6, end - pos - 6);
    pos = end;
    if (payload == "[DONE]") break;
    chunks.push_back(Json::parse(payload));
  }
  EXPECT_EQ(sink->body.substr(sink->body.size() - 14), "data: [DONE]\n\n");
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  for (const auto& c : chunks) {
    if (c["choices"].empty()) continue;
    const Json& d = c["choices"][0]["delta"];
    if (d.contains("reasoning_content")) reasoning += d["reasoning_content"].get<std::string>();
    if (d.contains("content")) content += d["content"].get<std::string>();
  }
  EXPECT_EQ(reasoning, "pondering");
  EXPECT_EQ(content, "Answer");
  EXPECT_TRUE(chunks.back()["choices"].empty());
  EXPECT_EQ(chunks.back()["usage"]["completion_tokens"], 5);
  EXPECT_EQ(chunks[chunks.size() - 2]["choices"][0]["finish_reason"], "length");
}

TEST_F(GenerationHandlersTest, ClientDisconnectCancelsTheEngineRequest) {
  auto sink = Post("/v1/completions", R"({"prompt":"hello","stream":true,"n":2})");
  ASSERT_EQ(backend_.requests.size(), 1u);
  EXPECT_EQ(backend_.requests[0].n, 2);
  backend_.streams[0]->Push(TextEvent("a"));
  sink->RunPosted();
  ASSERT_TRUE(sink->on_disconnect);
  sink->gone = true;
  sink->on_disconnect();
  ASSERT_EQ(backend_.cancelled.size(), 1u);
  EXPECT_EQ(backend_.cancelled[0], 1u);
  EXPECT_EQ(state_.generations_in_flight.load(), 1);
  backend_.streams[0]->Push(FinishEvent(engine::FinishReason::kCancelled, 1));
  sink->RunPosted();
  EXPECT_FALSE(sink->complete) << "nothing more is written for a client that left";
  backend_.streams.clear();
  EXPECT_EQ(state_.generations_in_flight.load(), 0) << "the call is released once the engine is done";
}

TEST_F(GenerationHandlersTest, EngineRefusalsMapToHttpErrors) {
  backend_.refuse = true;
  auto sink = Post("/v1/completions", R"({"prompt":"hello"})");
  ASSERT_TRUE(sink->complete);
  EXPECT_EQ(sink->status, 429);
  EXPECT_EQ(sink->headers.Get("Retry-After"), "1");
  EXPECT_EQ(Json::parse(sink->body)["error"]["code"], "queue_full");
}

TEST_F(GenerationHandlersTest, EngineErrorsAre500NotSilentSuccess) {
  auto sink = Post("/v1/completions", R"({"prompt":"hello"})");
  engine::StreamEvent e = FinishEvent(engine::FinishReason::kError, 0);
  e.error = "forward failed";
  backend_.streams[0]->Push(e);
  sink->RunPosted();
  EXPECT_EQ(sink->status, 500);
  EXPECT_NE(Json::parse(sink->body)["error"]["message"].get<std::string>().find("forward failed"), std::string::npos);
}

TEST_F(GenerationHandlersTest, DrainingAndLoadingAnswer503) {
  state_.draining.store(true);
  auto sink = Post("/v1/completions", R"({"prompt":"hello"})");
  EXPECT_EQ(sink->status, 503);
  EXPECT_EQ(Json::parse(sink->body)["error"]["code"], "draining");
  state_.draining.store(false);
  state_.backend_ptr.store(nullptr);
  sink = Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(sink->status, 503);
  EXPECT_EQ(Json::parse(sink->body)["error"]["code"], "model_loading");
}

TEST_F(GenerationHandlersTest, RequestIdsAreEchoedAndSanitized) {
  auto sink = std::make_shared<RecordingSink>();
  HttpRequest r;
  r.method = "GET";
  r.target = r.path = "/healthz";
  r.headers.Add("X-Request-Id", "trace-42");
  dispatcher_->Dispatch(r, std::nullopt, sink);
  EXPECT_EQ(sink->headers.Get("X-Request-Id"), "trace-42");
  EXPECT_EQ(RequestDispatcher::AcceptableRequestId("bad id\n"), "");
  EXPECT_EQ(RequestDispatcher::AcceptableRequestId(std::string(200, 'a')), "");
}

}  // namespace
}  // namespace dsinfer::server
