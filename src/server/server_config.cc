#include "server/server_config.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dsinfer::server {

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

Expected<int64_t> ParseInt(const std::string& raw) {
  const std::string text = Trim(raw);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("expected an integer, got '" + raw + "'");
  }
  return v;
}

Expected<double> ParseDouble(const std::string& raw) {
  const std::string text = Trim(raw);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
    return InvalidArgument("expected a number, got '" + raw + "'");
  }
  return v;
}

Expected<bool> ParseBool(const std::string& raw) {
  std::string t = Trim(raw);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off") return false;
  return InvalidArgument("expected true or false, got '" + raw + "'");
}

template <typename T>
ConfigField IntField(std::string key, T ServerConfig::*member, std::string help) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.parse = [member](ServerConfig& c, const std::string& v) -> Status {
    DSINFER_ASSIGN_OR_RETURN(int64_t n, ParseInt(v));
    if (n < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        n > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      return InvalidArgument("value " + v + " is out of range");
    }
    c.*member = static_cast<T>(n);
    return Status::Ok();
  };
  f.print = [member](const ServerConfig& c) { return std::to_string(c.*member); };
  return f;
}

ConfigField BytesField(std::string key, uint64_t ServerConfig::*member, std::string help) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.parse = [member](ServerConfig& c, const std::string& v) -> Status {
    DSINFER_ASSIGN_OR_RETURN(uint64_t n, ParseByteSize(v));
    c.*member = n;
    return Status::Ok();
  };
  f.print = [member](const ServerConfig& c) { return std::to_string(c.*member); };
  return f;
}

ConfigField DoubleField(std::string key, double ServerConfig::*member, std::string help) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.parse = [member](ServerConfig& c, const std::string& v) -> Status {
    DSINFER_ASSIGN_OR_RETURN(double d, ParseDouble(v));
    c.*member = d;
    return Status::Ok();
  };
  f.print = [member](const ServerConfig& c) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", c.*member);
    return std::string(buf);
  };
  return f;
}

ConfigField BoolField(std::string key, bool ServerConfig::*member, std::string help) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.is_switch = true;
  f.parse = [member](ServerConfig& c, const std::string& v) -> Status {
    DSINFER_ASSIGN_OR_RETURN(bool b, ParseBool(v));
    c.*member = b;
    return Status::Ok();
  };
  f.print = [member](const ServerConfig& c) { return std::string(c.*member ? "true" : "false"); };
  return f;
}

ConfigField StringField(std::string key, std::string ServerConfig::*member, std::string help,
                        bool secret = false) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.secret = secret;
  f.parse = [member](ServerConfig& c, const std::string& v) -> Status {
    c.*member = v;
    return Status::Ok();
  };
  f.print = [member, secret](const ServerConfig& c) {
    return secret ? std::string((c.*member).empty() ? "" : "(set)") : c.*member;
  };
  return f;
}

std::vector<ConfigField> BuildFields() {
  using C = ServerConfig;
  return {
      StringField("model", &C::model, "GGUF model file; without one the built-in 'tiny' demo model is synthesized and served"),
      StringField("model_cache_dir", &C::model_cache_dir, "Directory for the synthesized demo model (default ~/.cache/dsinfer)"),
      StringField("served_model_name", &C::served_model_name, "Model id clients send and /v1/models lists (default: the file name without .gguf)"),
      StringField("chat_template_file", &C::chat_template_file, "Jinja chat template file overriding the model's"),
      StringField("chat_format", &C::chat_format, "Built-in chat format: deepseek3, deepseek-r1, deepseek3.1 (default: the model's template, else deepseek3)"),
      IntField("threads", &C::threads, "Compute threads (0: all hardware threads)"),
      IntField("max_batch_size", &C::max_batch_size, "Sequences batched per engine step (continuous batching)"),
      IntField("max_num_batched_tokens", &C::max_num_batched_tokens, "Token budget per engine step (chunked prefill)"),
      IntField("max_waiting_requests", &C::max_waiting_requests, "Bounded waiting queue; requests beyond it are answered 429 at once"),
      IntField("block_size", &C::block_size, "Paged attention: token slots per KV block"),
      BytesField("kv_cache_memory", &C::kv_cache_memory, "KV cache size in bytes, e.g. 512MiB (0: enough for max_batch_size full contexts, at most 1/4 of RAM)"),
      DoubleField("kv_cache_ram_fraction", &C::kv_cache_ram_fraction, "KV cache size as a fraction of RAM, used when kv_cache_memory is 0"),
      StringField("kv_type", &C::kv_type, "KV cache element type: f16, bf16 or f32"),
      IntField("max_model_len", &C::max_model_len, "Context window per sequence in tokens (0: the model's training context)"),
      BoolField("enable_prefix_caching", &C::enable_prefix_caching, "Reuse KV blocks of shared prompt prefixes"),
      StringField("warmup_prompts", &C::warmup_prompts, "Prefix warm-up: file with one prompt per line (\\n escapes) prefilled and kept cached at start-up"),
      IntField("max_tokens_limit", &C::max_tokens_limit, "Largest max_tokens a request may ask for"),
      IntField("default_max_tokens", &C::default_max_tokens, "max_tokens of requests that give none"),
      IntField("max_n", &C::max_n, "Largest n (samples per request)"),
      StringField("host", &C::host, "Address to listen on"),
      IntField("port", &C::port, "TCP port (0: an ephemeral port, reported in the first log line)"),
      StringField("port_file", &C::port_file, "Write the bound port to this file once listening"),
      IntField("io_threads", &C::io_threads, "Asynchronous HTTP I/O threads (connections are not threads)"),
      BytesField("max_body_bytes", &C::max_body_bytes, "Largest request body; larger ones get 413"),
      IntField("idle_timeout", &C::idle_timeout_s, "Seconds after which idle keep-alive connections are closed"),
      DoubleField("drain_timeout", &C::drain_timeout_s, "On SIGTERM/SIGINT: seconds in-flight requests get to finish"),
      StringField("tls_cert", &C::tls_cert, "PEM certificate chain; with --tls-key serves HTTPS"),
      StringField("tls_key", &C::tls_key, "PEM private key for --tls-cert"),
      StringField("api_key_file", &C::api_key_file, "File of API keys, one per line ('id: key' or 'key'); requests then need 'Authorization: Bearer KEY'"),
      StringField("api_keys", &C::api_keys, "Comma-separated API keys (prefer DSINFER_API_KEYS: flags show in ps)", true),
      StringField("open_paths", &C::open_paths, "Comma-separated paths served without an API key"),
      DoubleField("rate_limit_rps", &C::rate_limit_rps, "Per-key (or per-client) token-bucket rate in requests/s (0: off); 429 with Retry-After"),
      DoubleField("rate_limit_burst", &C::rate_limit_burst, "Token-bucket size (0: max(1, rate_limit_rps))"),
      BoolField("log_prompts", &C::log_prompts, "Include prompts and completions in request logs (off: never logged)"),
      BoolField("vllm_metrics", &C::vllm_metrics, "Also export vllm:* gauge names on /metrics for vLLM dashboards and routers"),
  };
}

}  // namespace

std::string ConfigField::flag_name() const {
  std::string f = "--" + key;
  for (char& c : f) {
    if (c == '_') c = '-';
  }
  return f;
}

std::string ConfigField::env_name() const {
  std::string e = "DSINFER_" + key;
  for (char& c : e) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

const std::vector<ConfigField>& ConfigFields() {
  static const std::vector<ConfigField> fields = BuildFields();
  return fields;
}

const ConfigField* FindConfigField(const std::string& key) {
  std::string k = key;
  for (char& c : k) {
    if (c == '-') c = '_';
  }
  for (const auto& f : ConfigFields()) {
    if (f.key == k) return &f;
  }
  return nullptr;
}

Status ApplyConfigValue(ServerConfig& config, const std::string& key, const std::string& value,
                        const std::string& source) {
  const ConfigField* field = FindConfigField(key);
  if (field == nullptr) return InvalidArgument("unknown option '" + key + "' (from " + source + ")");
  Status st = field->parse(config, value);
  if (!st.ok()) return InvalidArgument(field->key + " (from " + source + "): " + st.message());
  return Status::Ok();
}

Status ApplyEnvironment(ServerConfig& config, const std::function<const char*(const char*)>& getenv) {
  for (const auto& f : ConfigFields()) {
    const std::string name = f.env_name();
    const char* v = getenv(name.c_str());
    if (v == nullptr) continue;
    DSINFER_RETURN_IF_ERROR(ApplyConfigValue(config, f.key, v, name));
  }
  return Status::Ok();
}

Status ApplyFlags(ServerConfig& config, const std::map<std::string, std::string>& flags) {
  for (const auto& [key, value] : flags) {
    const ConfigField* f = FindConfigField(key);
    DSINFER_RETURN_IF_ERROR(ApplyConfigValue(config, key, value, f ? f->flag_name() : "--" + key));
  }
  return Status::Ok();
}

Status ValidateConfig(const ServerConfig& c) {
  auto positive = [](const char* key, int64_t v) -> Status {
    if (v < 1) return InvalidArgument(std::string(key) + " must be >= 1, got " + std::to_string(v));
    return Status::Ok();
  };
  if (c.port < 0 || c.port > 65535) return InvalidArgument("port must be in [0, 65535], got " + std::to_string(c.port));
  if (c.threads < 0) return InvalidArgument("threads must be >= 0, got " + std::to_string(c.threads));
  DSINFER_RETURN_IF_ERROR(positive("io_threads", c.io_threads));
  DSINFER_RETURN_IF_ERROR(positive("max_batch_size", c.max_batch_size));
  DSINFER_RETURN_IF_ERROR(positive("max_num_batched_tokens", c.max_num_batched_tokens));
  DSINFER_RETURN_IF_ERROR(positive("max_waiting_requests", c.max_waiting_requests));
  DSINFER_RETURN_IF_ERROR(positive("block_size", c.block_size));
  DSINFER_RETURN_IF_ERROR(positive("max_tokens_limit", c.max_tokens_limit));
  DSINFER_RETURN_IF_ERROR(positive("default_max_tokens", c.default_max_tokens));
  DSINFER_RETURN_IF_ERROR(positive("max_n", c.max_n));
  DSINFER_RETURN_IF_ERROR(positive("max_body_bytes", static_cast<int64_t>(std::min<uint64_t>(c.max_body_bytes, INT64_MAX))));
  DSINFER_RETURN_IF_ERROR(positive("idle_timeout", c.idle_timeout_s));
  if (c.default_max_tokens > c.max_tokens_limit) {
    return InvalidArgument("default_max_tokens (" + std::to_string(c.default_max_tokens) +
                           ") must not exceed max_tokens_limit (" + std::to_string(c.max_tokens_limit) + ")");
  }
  if (c.max_model_len < 0) return InvalidArgument("max_model_len must be >= 0, got " + std::to_string(c.max_model_len));
  if (c.kv_cache_ram_fraction < 0 || c.kv_cache_ram_fraction > 1) {
    return InvalidArgument("kv_cache_ram_fraction must be in [0, 1]");
  }
  if (c.kv_type != "f16" && c.kv_type != "bf16" && c.kv_type != "f32") {
    return InvalidArgument("kv_type must be f16, bf16 or f32, got '" + c.kv_type + "'");
  }
  if (c.drain_timeout_s < 0) return InvalidArgument("drain_timeout must be >= 0");
  if (c.rate_limit_rps < 0 || c.rate_limit_burst < 0) {
    return InvalidArgument("rate_limit_rps and rate_limit_burst must be >= 0");
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return InvalidArgument(c.tls_cert.empty() ? "tls_key is set without tls_cert" : "tls_cert is set without tls_key");
  }
  if (c.host.empty()) return InvalidArgument("host must not be empty");
  return Status::Ok();
}

Expected<uint64_t> ParseByteSize(const std::string& raw) {
  const std::string text = Trim(raw);
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) return InvalidArgument("expected a byte size such as 512MiB, got '" + raw + "'");
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, n);
  if (ec != std::errc()) return InvalidArgument("byte size '" + raw + "' is out of range");
  std::string suffix = Trim(text.substr(i));
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!suffix.empty() && suffix.back() == 'B' && suffix != "B") suffix.pop_back();
  uint64_t mult = 1;
  if (suffix.empty() || suffix == "B") mult = 1;
  else if (suffix == "K") mult = 1000ull;
  else if (suffix == "M") mult = 1000ull * 1000;
  else if (suffix == "G") mult = 1000ull * 1000 * 1000;
  else if (suffix == "T") mult = 1000ull * 1000 * 1000 * 1000;
  else if (suffix == "KI") mult = 1ull << 10;
  else if (suffix == "MI") mult = 1ull << 20;
  else if (suffix == "GI") mult = 1ull << 30;
  else if (suffix == "TI") mult = 1ull << 40;
  else return InvalidArgument("unknown size suffix in '" + raw + "' (use K, M, G, KiB, MiB, GiB)");
  if (n != 0 && mult > UINT64_MAX / n) return InvalidArgument("byte size '" + raw + "' is out of range");
  return n * mult;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',') {
      std::string t = Trim(cur);
      if (!t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

}  // namespace dsinfer::server
