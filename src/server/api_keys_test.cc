// API key store: file format, ids that never contain the key, bearer parsing.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "server/api_keys.h"

namespace dsinfer::server {
namespace {

TEST(ApiKeyStoreTest, AcceptsOnlyKnownKeysAndReportsTheirIds) {
  ApiKeyStore store;
  ASSERT_TRUE(store.Add("sk-alpha", "alpha").ok());
  ASSERT_TRUE(store.Add("sk-beta").ok());
  EXPECT_TRUE(store.enabled());
  EXPECT_EQ(store.Check("sk-alpha").value_or(""), "alpha");
  const std::string beta_id = store.Check("sk-beta").value_or("");
  EXPECT_EQ(beta_id.substr(0, 4), "key-");
  EXPECT_EQ(beta_id.find("sk-beta"), std::string::npos) << "ids never reveal the key";
  EXPECT_FALSE(store.Check("sk-alph").has_value());
  EXPECT_FALSE(store.Check("sk-alpha2").has_value());
  EXPECT_FALSE(store.Check("").has_value());
}

TEST(ApiKeyStoreTest, LoadsFileAndList) {
  const std::string path = ::testing::TempDir() + "/dsinfer_keys.txt";
  {
    std::ofstream out(path);
    out << "# team keys\n\nops: sk-ops-1\nsk-plain\n";
  }
  auto store = ApiKeyStore::Load(path, "sk-env-1, sk-env-2");
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store->size(), 4u);
  EXPECT_EQ(store->Check("sk-ops-1").value_or(""), "ops");
  EXPECT_TRUE(store->Check("sk-plain").has_value());
  EXPECT_TRUE(store->Check("sk-env-2").has_value());
  std::remove(path.c_str());
  auto missing = ApiKeyStore::Load(path, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

TEST(ApiKeyStoreTest, NoKeysMeansDisabled) {
  auto store = ApiKeyStore::Load("", "");
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->enabled());
}

TEST(ApiKeyStoreTest, BearerTokenParsing) {
  EXPECT_EQ(ApiKeyStore::BearerToken("Bearer sk-1"), "sk-1");
  EXPECT_EQ(ApiKeyStore::BearerToken("bearer   sk-1 "), "sk-1");
  EXPECT_EQ(ApiKeyStore::BearerToken("Basic abc"), "");
  EXPECT_EQ(ApiKeyStore::BearerToken("Bearer"), "");
  EXPECT_EQ(ApiKeyStore::BearerToken(""), "");
}

}  // namespace
}  // namespace dsinfer::server
