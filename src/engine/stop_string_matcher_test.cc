#include "engine/stop_string_matcher.h"

#include <gtest/gtest.h>

namespace dsinfer::engine {
namespace {

TEST(StopStringMatcherTest, PassesTextThroughWithoutStopStrings) {
  StopStringMatcher m({});
  EXPECT_FALSE(m.active());
  EXPECT_EQ(m.Push("abc").released, "abc");
}

TEST(StopStringMatcherTest, HoldsBackAPossibleStartUntilItCannotMatch) {
  StopStringMatcher m({"END"});
  auto r = m.Push("abcE");
  EXPECT_EQ(r.released, "abc");
  EXPECT_EQ(m.held_bytes(), 1u);
  r = m.Push("N");
  EXPECT_EQ(r.released, "");
  r = m.Push("X");
  EXPECT_EQ(r.released, "ENX");
  EXPECT_FALSE(r.matched);
}

TEST(StopStringMatcherTest, MatchesAcrossDeltasAndReleasesOnlyTheTextBefore) {
  StopStringMatcher m({"END"});
  EXPECT_EQ(m.Push("xxE").released, "xx");
  EXPECT_EQ(m.Push("N").released, "");
  const auto r = m.Push("D and more");
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.released, "");
  EXPECT_EQ(r.stop, "END");
  EXPECT_EQ(m.Push("later").released, "");
  EXPECT_EQ(m.Flush(), "");
}

TEST(StopStringMatcherTest, TheEarliestOccurrenceWins) {
  StopStringMatcher m({"world", "lo w"});
  const auto r = m.Push("hello world");
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.stop, "lo w");
  EXPECT_EQ(r.released, "hel");
}

TEST(StopStringMatcherTest, FlushReturnsTheHeldTail) {
  StopStringMatcher m({"\n\n", ""});
  EXPECT_EQ(m.Push("line\n").released, "line");
  EXPECT_EQ(m.Flush(), "\n");
}

}  // namespace
}  // namespace dsinfer::engine
