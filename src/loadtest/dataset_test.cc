// JSONL datasets and the request bodies built from them and from generated prompts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loadtest/dataset.h"
#include "loadtest/request_source.h"

namespace dsinfer::loadtest {
namespace {

using Json = nlohmann::json;

TEST(DatasetTest, PromptsMessagesAndMaxTokens) {
  auto d = ParseDataset(
      "{\"prompt\": \"Once upon\"}\n"
      "\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 7}\r\n",
      "d.jsonl", Endpoint::kChat);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].prompt, "Once upon");
  EXPECT_FALSE((*d)[0].max_tokens.has_value());
  EXPECT_EQ(Json::parse((*d)[1].messages_json)[0]["content"], "Hi");
  EXPECT_EQ((*d)[1].max_tokens, 7);
}

TEST(DatasetTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    Endpoint endpoint;
    const char* expect;
  };
  for (const Case& c : {
           Case{"{\"prompt\":\"a\"}\nnot json\n", Endpoint::kChat, "d.jsonl:2"},
           Case{"{\"prompt\":\"a\",\"messages\":[]}\n", Endpoint::kChat, "exactly one"},
           Case{"{}\n", Endpoint::kChat, "exactly one"},
           Case{"{\"prompt\":3}\n", Endpoint::kChat, "must be a string"},
           Case{"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n", Endpoint::kCompletions,
                "--endpoint chat"},
           Case{"{\"prompt\":\"a\",\"max_tokens\":0}\n", Endpoint::kChat, "max_tokens"},
           Case{"\n\n", Endpoint::kChat, "no entries"},
       }) {
    auto d = ParseDataset(c.text, "d.jsonl", c.endpoint);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_NE(d.status().message().find(c.expect), std::string::npos) << d.status().message();
  }
}

TEST(DatasetTest, MissingFileIsNotFound) {
  auto d = LoadDataset("/nonexistent/prompts.jsonl", Endpoint::kChat);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("/nonexistent/prompts.jsonl"), std::string::npos);
}

TEST(RequestBodyTest, ChatBodyStreamsWithUsage) {
  BodyOptions o;
  o.model = "m";
  o.max_tokens = 9;
  const Json j = Json::parse(BuildRequestBody(o, "hello"));
  EXPECT_EQ(j["model"], "m");
  EXPECT_EQ(j["messages"], Json::parse(R"([{"role":"user","content":"hello"}])"));
  EXPECT_EQ(j["max_tokens"], 9);
  EXPECT_EQ(j["stream"], true);
  EXPECT_EQ(j["stream_options"]["include_usage"], true);
  EXPECT_FALSE(j.contains("ignore_eos"));
  EXPECT_FALSE(j.contains("prompt"));
}

TEST(RequestBodyTest, CompletionsBodyWithoutModelAndWithIgnoreEos) {
  BodyOptions o;
  o.endpoint = Endpoint::kCompletions;
  o.ignore_eos = true;
  const Json j = Json::parse(BuildRequestBody(o, "Once", "", 3));
  EXPECT_FALSE(j.contains("model"));
  EXPECT_EQ(j["prompt"], "Once");
  EXPECT_EQ(j["max_tokens"], 3);
  EXPECT_EQ(j["ignore_eos"], true);
}

TEST(RequestBodyTest, DatasetSourceCyclesInOrder) {
  auto d = ParseDataset("{\"prompt\":\"a\"}\n{\"prompt\":\"b\",\"max_tokens\":2}\n", "d",
                        Endpoint::kCompletions);
  ASSERT_TRUE(d.ok());
  BodyOptions o;
  o.endpoint = Endpoint::kCompletions;
  DatasetSource s(std::move(*d), o);
  EXPECT_EQ(Json::parse(s.Plan(0).body)["prompt"], "a");
  EXPECT_EQ(Json::parse(s.Plan(1).body)["max_tokens"], 2);
  EXPECT_EQ(Json::parse(s.Plan(2).body)["prompt"], "a");
}

}  // namespace
}  // namespace dsinfer::loadtest
