// ServerConfig: every option of `dsinfer serve`, the single source of truth for its settings.
//
// Values are layered, each layer overriding the one before:
//   1. the defaults written in the struct below,
//   2. the YAML file named by --config (flat `key: value` map; see config_file.h),
//   3. DSINFER_<KEY> environment variables (e.g. DSINFER_MAX_BATCH_SIZE=16),
//   4. command-line flags (--max-batch-size 16).
// Every field is listed once in ConfigFields() with its key, help text and parser, and every
// layer goes through ApplyConfigValue, so one field cannot be spelled or parsed differently in
// different places. `dsinfer serve --help` prints the same table.
//
// Plain value type; thread-compatible. The running server reads it without synchronization
// after start-up (it is never modified once the server runs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace dsinfer::server {

struct ServerConfig {
  // --- model ---
  std::string model;                 // GGUF path; empty: the built-in `tiny` demo model
  std::string model_cache_dir;       // where the demo model is synthesized; empty: ~/.cache/dsinfer
  std::string served_model_name;     // the id clients send as "model"; empty: the file's stem
  std::string chat_template_file;    // Jinja template file overriding the GGUF's
  std::string chat_format;           // built-in format name (deepseek3, deepseek-r1, deepseek3.1)
  int threads = 0;                   // compute threads; 0: all hardware threads

  // --- engine ---
  int max_batch_size = 32;           // sequences per engine step
  int max_num_batched_tokens = 512;  // tokens per engine step (chunked prefill budget)
  int max_waiting_requests = 256;    // bounded waiting queue; beyond it requests get 429
  int block_size = 16;               // paged attention: token slots per KV block
  uint64_t kv_cache_memory = 0;      // KV cache bytes (suffixes K, M, G, KiB, MiB, GiB); 0: auto
  double kv_cache_ram_fraction = 0;  // KV cache as a fraction of RAM (used when memory is 0)
  std::string kv_type = "f16";       // KV element type: f16, bf16, f32
  int64_t max_model_len = 0;         // context window per sequence; 0: the model's n_ctx_train
  bool enable_prefix_caching = true;
  std::string warmup_prompts;        // file: one prompt per line ("\n" escapes), prefilled at start

  // --- request limits ---
  int max_tokens_limit = 4096;       // largest max_tokens a request may ask for
  int default_max_tokens = 256;      // max_tokens when a request gives none
  int max_n = 16;                    // largest n (samples per request)

  // --- HTTP ---
  std::string host = "127.0.0.1";
  int port = 8080;                   // 0: an ephemeral port (reported in the first log line)
  std::string port_file;             // written with the bound port once listening
  int io_threads = 2;                // asynchronous I/O threads serving all connections
  uint64_t max_body_bytes = 4u << 20;  // request body limit (413 beyond)
  int idle_timeout_s = 60;           // keep-alive connections idle this long are closed
  double drain_timeout_s = 30;       // on SIGTERM: how long in-flight requests may finish
  std::string tls_cert;              // PEM certificate chain; with tls_key enables HTTPS
  std::string tls_key;               // PEM private key

  // --- security ---
  std::string api_key_file;          // one key per line ("id: key" or "key"); '#' comments
  std::string api_keys;              // comma-separated keys (usually DSINFER_API_KEYS); secret
  std::string open_paths = "/healthz,/readyz,/metrics";  // paths served without a key
  double rate_limit_rps = 0;         // per-key (or per-client) requests/s; 0: unlimited
  double rate_limit_burst = 0;       // bucket size; 0: max(1, rate_limit_rps)

  // --- observability ---
  bool log_prompts = false;          // include prompts and completions in request logs
  bool vllm_metrics = false;         // also export vllm:* gauge names on /metrics
};

// One option: its key (snake_case; the flag is --key-with-dashes, the variable DSINFER_KEY),
// a help line, whether it is a switch (a flag without a value), whether it is secret (never
// printed), and how to parse and print it.
struct ConfigField {
  std::string key;
  std::string help;
  bool is_switch = false;
  bool secret = false;
  std::function<Status(ServerConfig&, const std::string&)> parse;
  std::function<std::string(const ServerConfig&)> print;

  std::string flag_name() const;  // "--max-batch-size"
  std::string env_name() const;   // "DSINFER_MAX_BATCH_SIZE"
};

// Every field of ServerConfig, in --help order. Thread-safe (built once).
const std::vector<ConfigField>& ConfigFields();

// The field named `key` ("max_batch_size" or "max-batch-size"), or nullptr.
const ConfigField* FindConfigField(const std::string& key);

// Parses `value` into the field `key`. Errors name the key and the source, e.g.
// "max_batch_size (from DSINFER_MAX_BATCH_SIZE): expected an integer, got 'x'".
Status ApplyConfigValue(ServerConfig& config, const std::string& key, const std::string& value,
                        const std::string& source);

// Applies every DSINFER_<KEY> variable found through `getenv` (a parameter so tests can pass a
// map). Unknown DSINFER_ variables are ignored (other tools share the prefix).
Status ApplyEnvironment(ServerConfig& config, const std::function<const char*(const char*)>& getenv);

// Applies values given on the command line, keyed by field key.
Status ApplyFlags(ServerConfig& config, const std::map<std::string, std::string>& flags);

// Checks ranges and combinations (port, thread counts, TLS pair, limits). Errors name the key.
Status ValidateConfig(const ServerConfig& config);

// "4MiB"-style sizes: an integer with an optional K/M/G/T (x1000) or KiB/MiB/GiB/TiB (x1024)
// suffix. Errors name nothing; callers add the key.
Expected<uint64_t> ParseByteSize(const std::string& text);

// Splits "a, b,,c" into {"a","b","c"}.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace dsinfer::server
