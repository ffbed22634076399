#include "tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

namespace dsinfer::tokenizer {

namespace {

// Spec §10.3. Non-ASCII characters are written as \x{HHHH}; \r and \n are PCRE2 escapes.
const std::vector<std::string>& Llama3Regexes() {
  static const std::vector<std::string> r = {
      R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)"
      R"(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
  return r;
}

const std::vector<std::string>& Qwen2Regexes() {
  static const std::vector<std::string> r = {
      R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)"
      R"(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
  return r;
}

const std::vector<std::string>& DeepseekLlmRegexes() {
  static const std::vector<std::string> r = {
      R"([\r\n])",
      R"(\s?[A-Za-z\x{00B5}\x{00C0}-\x{00D6}\x{00D8}-\x{00F6}\x{00F8}-\x{01BA}\x{01BC}-)"
      R"(\x{01BF}\x{01C4}-\x{0293}\x{0295}-\x{02AF}\x{0370}-\x{0373}\x{0376}\x{0377}\x{037B}-)"
      R"(\x{037D}\x{037F}\x{0386}\x{0388}-\x{038A}\x{038C}\x{038E}-\x{03A1}\x{03A3}-\x{03F5})"
      R"(\x{03F7}-\x{0481}\x{048A}-\x{052F}\x{0531}-\x{0556}\x{10A0}-\x{10C5}\x{13A0}-)"
      R"(\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B})"
      R"(-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45})"
      R"(\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-)"
      R"(\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3})"
      R"(\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107})"
      R"(\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D})"
      R"(\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184})"
      R"(\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D})"
      R"(\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-)"
      R"(\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A})"
      R"(\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2})"
      R"(\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)",
      R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)",
      R"(\s+$)",
      R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)",
      R"(\p{N}+)",
  };
  return r;
}

const std::vector<std::string>& DeepseekCoderRegexes() {
  static const std::vector<std::string> r = {
      R"([\r\n])",    R"(\s?\p{L}+)",
      R"(\s?\p{P}+)", R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)",
      R"(\p{N})",
  };
  return r;
}

const std::vector<std::string>& DeepseekV3Regexes() {
  static const std::vector<std::string> r = {
      R"(\p{N}{1,3})",
      R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)",
      R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|)"
      R"( ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
  };
  return r;
}

const std::vector<std::string>& DefaultRegexes() {
  static const std::vector<std::string> r = {
      R"([\p{P}\$\+<=>\^~\|]+)",
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))",
      R"(\p{N}+)",
      R"([0-9][0-9][0-9])",
  };
  return r;
}

// Advances past one UTF-8 sequence (or one stray byte) starting at `pos`.
size_t NextCharBoundary(const char* s, size_t len, size_t pos) {
  ++pos;
  while (pos < len && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

}  // namespace

Expected<std::vector<std::string>> PretokenizerRegexes(const std::string& name, bool* ignore_merges,
                                                       bool* add_bos_default) {
  *ignore_merges = false;
  *add_bos_default = false;
  if (name == "deepseek-llm") return DeepseekLlmRegexes();
  if (name == "deepseek-coder") return DeepseekCoderRegexes();
  if (name == "deepseek-v3") return DeepseekV3Regexes();
  if (name == "qwen2" || name == "deepseek-r1-qwen") return Qwen2Regexes();
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3" || name == "falcon3" ||
      name == "pixtral") {
    *ignore_merges = true;
    *add_bos_default = true;
    return Llama3Regexes();
  }
  if (name == "default") return DefaultRegexes();
  return NotFound("unknown pre-tokenizer '" + name +
                  "' (supported: deepseek-llm, deepseek-coder, deepseek-v3, llama-bpe, llama3, "
                  "llama-v3, falcon3, pixtral, qwen2, deepseek-r1-qwen, default)");
}

const std::string& Gpt2ByteLevelRegex() {
  static const std::string r =
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  return r;
}

struct Pretokenizer::Impl {
  std::vector<pcre2_code*> codes;
  ~Impl() {
    for (pcre2_code* c : codes) pcre2_code_free(c);
  }
};

Pretokenizer::Pretokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pretokenizer::Pretokenizer(Pretokenizer&&) noexcept = default;
Pretokenizer& Pretokenizer::operator=(Pretokenizer&&) noexcept = default;
Pretokenizer::~Pretokenizer() = default;

Expected<Pretokenizer> Pretokenizer::Create(const std::vector<std::string>& regexes) {
  auto impl = std::make_unique<Impl>();
  for (const std::string& regex : regexes) {
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY,
                      &error, &error_offset, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof(message));
      return InvalidArgument("pre-tokenizer regex /" + regex + "/ does not compile at offset " +
                             std::to_string(error_offset) + ": " +
                             reinterpret_cast<const char*>(message));
    }
    // Without JIT support pcre2_match falls back to the interpreter; both give the same result.
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    impl->codes.push_back(code);
  }
  return Pretokenizer(std::move(impl));
}

size_t Pretokenizer::regex_count() const { return impl_->codes.size(); }

void Pretokenizer::Split(std::string_view text, std::vector<PreToken>* out) const {
  if (text.empty()) return;
  std::vector<PreToken> pieces = {{0, text.size()}};
  if (impl_->codes.empty()) {
    out->push_back(pieces[0]);
    return;
  }
  pcre2_match_data* match = pcre2_match_data_create(1, nullptr);
  std::vector<PreToken> next;
  for (const pcre2_code* code : impl_->codes) {
    next.clear();
    next.reserve(pieces.size() * 2);
    for (const PreToken& piece : pieces) {
      const char* subject = text.data() + piece.offset;
      const size_t len = piece.length;
      size_t start = 0;
      size_t unmatched_from = 0;
      while (start < len) {
        // A negative result is "no match" or a matching error (e.g. a resource limit); either
        // way the rest of the piece stays unmatched.
        const int rc =
            pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject), len, start, 0, match, nullptr);
        if (rc < 0) break;
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
        const size_t match_begin = ovector[0];
        const size_t match_end = ovector[1];
        if (match_end <= match_begin) {  // empty match: not a piece; move on one character
          start = NextCharBoundary(subject, len, match_begin);
          continue;
        }
        if (match_begin > unmatched_from) {
          next.push_back({piece.offset + unmatched_from, match_begin - unmatched_from});
        }
        next.push_back({piece.offset + match_begin, match_end - match_begin});
        unmatched_from = match_end;
        start = match_end;
      }
      if (unmatched_from < len) {
        next.push_back({piece.offset + unmatched_from, len - unmatched_from});
      }
    }
    pieces.swap(next);
  }
  pcre2_match_data_free(match);
  out->insert(out->end(), pieces.begin(), pieces.end());
}

std::vector<std::string> Pretokenizer::SplitToStrings(std::string_view text) const {
  std::vector<PreToken> pieces;
  Split(text, &pieces);
  std::vector<std::string> strings;
  strings.reserve(pieces.size());
  for (const PreToken& p : pieces) strings.emplace_back(text.substr(p.offset, p.length));
  return strings;
}

}  // namespace dsinfer::tokenizer
