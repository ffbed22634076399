// Option validation: each bad combination is refused with the flag named.
#include <gtest/gtest.h>

#include <functional>

#include "loadtest/options.h"

namespace dsinfer::loadtest {
namespace {

LoadtestOptions Good() {
  LoadtestOptions o;
  o.url = "http://127.0.0.1:8080";
  o.concurrency = 4;
  o.requests = 10;
  return o;
}

TEST(OptionsTest, GoodOptionsPass) {
  EXPECT_TRUE(Validate(Good()).ok());
  LoadtestOptions rate = Good();
  rate.concurrency = 0;
  rate.request_rate = 2.5;
  rate.requests = 0;
  rate.duration_s = 10;
  EXPECT_TRUE(Validate(rate).ok());
}

TEST(OptionsTest, BadOptionsNameTheFlag) {
  struct Case {
    std::function<void(LoadtestOptions&)> change;
    const char* flag;
  };
  for (const Case& c : std::initializer_list<Case>{
           {[](LoadtestOptions& o) { o.url.clear(); }, "--url"},
           {[](LoadtestOptions& o) { o.concurrency = 0; }, "--concurrency"},
           {[](LoadtestOptions& o) { o.requests = 0; }, "--requests"},
           {[](LoadtestOptions& o) { o.max_tokens = 0; }, "--max-tokens"},
           {[](LoadtestOptions& o) { o.prompt_tokens = 0; }, "--prompt-tokens"},
           {[](LoadtestOptions& o) { o.shared_prefix_tokens = 128; }, "--shared-prefix-tokens"},
           {[](LoadtestOptions& o) {
              o.dataset = "x.jsonl";
              o.shared_prefix_tokens = 4;
            },
            "--shared-prefix-tokens"},
           {[](LoadtestOptions& o) { o.slo_ttft_ms = -1; }, "--slo-ttft-ms"},
           {[](LoadtestOptions& o) { o.stall_timeout_s = 0; }, "--stall-timeout"},
           {[](LoadtestOptions& o) { o.request_rate = -1; }, "--request-rate"},
       }) {
    LoadtestOptions o = Good();
    c.change(o);
    Status s = Validate(o);
    ASSERT_FALSE(s.ok()) << c.flag;
    EXPECT_NE(s.message().find(c.flag), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace dsinfer::loadtest
