// ServerConfig layering: defaults < YAML < environment < flags, and the per-field parsers.
#include <gtest/gtest.h>

#include <map>

#include "server/config_file.h"
#include "server/server_config.h"

namespace dsinfer::server {
namespace {

TEST(ServerConfigTest, DefaultsMatchTheDocumentedValues) {
  ServerConfig c;
  EXPECT_EQ(c.max_batch_size, 32);
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.block_size, 16);
  EXPECT_TRUE(c.enable_prefix_caching);
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(ServerConfigTest, EveryFieldHasFlagEnvAndHelp) {
  for (const auto& f : ConfigFields()) {
    EXPECT_FALSE(f.help.empty()) << f.key;
    EXPECT_EQ(f.flag_name().substr(0, 2), "--");
    EXPECT_EQ(f.env_name().substr(0, 8), "DSINFER_");
    EXPECT_EQ(FindConfigField(f.flag_name().substr(2)), &f) << "dashes resolve to the same field";
  }
  EXPECT_EQ(FindConfigField("max_batch_size")->env_name(), "DSINFER_MAX_BATCH_SIZE");
  EXPECT_EQ(FindConfigField("max_batch_size")->flag_name(), "--max-batch-size");
}

TEST(ServerConfigTest, LaterLayersOverrideEarlierOnes) {
  ServerConfig c;
  ASSERT_TRUE(ApplyConfigYaml(c,
                              "max_batch_size: 8\n"
                              "port: 9000\n"
                              "host: 0.0.0.0\n"
                              "kv_cache_memory: 64MiB\n",
                              "test.yaml")
                  .ok());
  EXPECT_EQ(c.max_batch_size, 8);
  EXPECT_EQ(c.kv_cache_memory, 64u << 20);
  std::map<std::string, std::string> env = {{"DSINFER_MAX_BATCH_SIZE", "16"}, {"DSINFER_PORT", "9100"}};
  ASSERT_TRUE(ApplyEnvironment(c, [&](const char* name) -> const char* {
                auto it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
              }).ok());
  EXPECT_EQ(c.max_batch_size, 16);
  EXPECT_EQ(c.port, 9100);
  EXPECT_EQ(c.host, "0.0.0.0") << "untouched by later layers";
  ASSERT_TRUE(ApplyFlags(c, {{"port", "0"}}).ok());
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.max_batch_size, 16);
}

TEST(ServerConfigTest, YamlListsAreJoinedAndDashedKeysAccepted) {
  ServerConfig c;
  ASSERT_TRUE(ApplyConfigYaml(c, "open-paths: [/healthz, /metrics]\nlog_prompts: true\n", "t.yaml").ok());
  EXPECT_EQ(c.open_paths, "/healthz,/metrics");
  EXPECT_TRUE(c.log_prompts);
}

TEST(ServerConfigTest, ErrorsNameTheKeyAndTheSource) {
  ServerConfig c;
  Status st = ApplyConfigYaml(c, "max_batch_size: lots\n", "t.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("max_batch_size"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("t.yaml:1"), std::string::npos) << st.message();
  st = ApplyConfigYaml(c, "no_such_option: 1\n", "t.yaml");
  EXPECT_NE(st.message().find("no_such_option"), std::string::npos);
  st = ApplyConfigYaml(c, "engine:\n  max_batch_size: 3\n", "t.yaml");
  EXPECT_FALSE(st.ok());
  st = ApplyEnvironment(c, [](const char* n) -> const char* {
    return std::string(n) == "DSINFER_PORT" ? "http" : nullptr;
  });
  EXPECT_NE(st.message().find("DSINFER_PORT"), std::string::npos) << st.message();
  st = ApplyFlags(c, {{"log_prompts", "maybe"}});
  EXPECT_NE(st.message().find("--log-prompts"), std::string::npos) << st.message();
}

TEST(ServerConfigTest, ValidationNamesTheField) {
  ServerConfig c;
  c.port = 70000;
  EXPECT_NE(ValidateConfig(c).message().find("port"), std::string::npos);
  c = ServerConfig();
  c.tls_cert = "cert.pem";
  EXPECT_NE(ValidateConfig(c).message().find("tls_key"), std::string::npos);
  c = ServerConfig();
  c.max_batch_size = 0;
  EXPECT_NE(ValidateConfig(c).message().find("max_batch_size"), std::string::npos);
  c = ServerConfig();
  c.kv_type = "q8";
  EXPECT_NE(ValidateConfig(c).message().find("kv_type"), std::string::npos);
}

TEST(ServerConfigTest, ByteSizesAcceptDecimalAndBinarySuffixes) {
  EXPECT_EQ(*ParseByteSize("512"), 512u);
  EXPECT_EQ(*ParseByteSize("2K"), 2000u);
  EXPECT_EQ(*ParseByteSize("2KiB"), 2048u);
  EXPECT_EQ(*ParseByteSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseByteSize("3 MB"), 3000000u);
  EXPECT_FALSE(ParseByteSize("lots").ok());
  EXPECT_FALSE(ParseByteSize("1XB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
}

TEST(ServerConfigTest, SecretsAreNotPrinted) {
  ServerConfig c;
  c.api_keys = "sk-secret";
  const ConfigField* f = FindConfigField("api_keys");
  ASSERT_TRUE(f->secret);
  EXPECT_EQ(f->print(c).find("sk-secret"), std::string::npos);
}

}  // namespace
}  // namespace dsinfer::server
