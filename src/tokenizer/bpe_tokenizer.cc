#include "tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <utility>

#include "gguf/reader.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_token_matcher.h"
#include "tokenizer/word_cache.h"

namespace dsinfer::tokenizer {

struct Tokenizer::Impl {
  Impl(Vocab v, BpeModel b, Pretokenizer p)
      : vocab(std::move(v)), bpe(std::move(b)), pretokenizer(std::move(p)) {}

  Vocab vocab;
  BpeModel bpe;
  Pretokenizer pretokenizer;
  SpecialTokenMatcher specials;
  mutable WordCache cache;
  std::vector<std::string> pieces;  // id -> rendered bytes (special text included)
  std::vector<uint8_t> is_special;  // id -> CONTROL or UNKNOWN
  std::vector<uint8_t> is_eog;      // id -> end of generation
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

Expected<std::unique_ptr<Tokenizer>> Tokenizer::Create(Vocab vocab) {
  if (vocab.types.size() != vocab.tokens.size()) {
    return DataLoss(vocab.source + ": " + std::to_string(vocab.types.size()) + " token types for " +
                    std::to_string(vocab.tokens.size()) + " tokens");
  }
  auto bpe = BpeModel::Build(vocab);
  if (!bpe.ok()) return bpe.status();
  auto pretokenizer = Pretokenizer::Create(vocab.pre_regexes);
  if (!pretokenizer.ok()) {
    return pretokenizer.status().WithPrefix(vocab.source + ": pre-tokenizer '" + vocab.pre_name +
                                            "'");
  }
  auto impl = std::make_unique<Impl>(std::move(vocab), std::move(bpe).value(),
                                     std::move(pretokenizer).value());
  const Vocab& v = impl->vocab;
  const int32_t n = v.n_vocab();
  impl->pieces.resize(n);
  impl->is_special.assign(n, 0);
  impl->is_eog.assign(n, 0);
  std::vector<SpecialTokenMatcher::Entry> special_entries;
  for (int32_t id = 0; id < n; ++id) {
    const TokenType type = v.types[id];
    const std::string& text = v.tokens[id];
    switch (type) {
      case TokenType::kNormal:
        impl->pieces[id] = DecodeByteLevel(text);
        break;
      case TokenType::kControl:
      case TokenType::kUnknown:
        impl->pieces[id] = text;
        impl->is_special[id] = 1;
        if (!text.empty()) special_entries.push_back({id, text, false});
        break;
      case TokenType::kUserDefined:
        impl->pieces[id] = text;
        if (!text.empty()) special_entries.push_back({id, text, true});
        break;
      default:  // UNUSED, BYTE, UNDEFINED render as nothing (llama.cpp, BPE vocabularies)
        break;
    }
  }
  for (int32_t id : v.eog_ids) {
    if (id >= 0 && id < n) impl->is_eog[id] = 1;
  }
  impl->specials = SpecialTokenMatcher(std::move(special_entries));
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

Expected<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const gguf::GgufFile& file) {
  auto vocab = LoadVocabFromGguf(file);
  if (!vocab.ok()) return vocab.status();
  return Create(std::move(vocab).value());
}

Expected<std::unique_ptr<Tokenizer>> Tokenizer::FromGgufPath(const std::string& path) {
  auto file = gguf::GgufFile::Open(path);
  if (!file.ok()) return file.status();
  return FromGguf(*file);
}

Expected<std::unique_ptr<Tokenizer>> Tokenizer::FromHfJson(const std::string& tokenizer_json_path,
                                                           const std::string& config_path) {
  auto vocab = LoadVocabFromHfJson(tokenizer_json_path, config_path);
  if (!vocab.ok()) return vocab.status();
  return Create(std::move(vocab).value());
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  const Vocab& v = impl_->vocab;
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 2);
  if (add_special && v.add_bos && v.bos_id != kNoToken) ids.push_back(v.bos_id);
  thread_local std::vector<SpecialTokenMatcher::Fragment> fragments;
  thread_local std::vector<PreToken> pretokens;
  fragments.clear();
  impl_->specials.Partition(text, parse_special, &fragments);
  for (const auto& fragment : fragments) {
    if (fragment.token >= 0) {
      ids.push_back(fragment.token);
      continue;
    }
    const std::string_view raw = text.substr(fragment.offset, fragment.length);
    pretokens.clear();
    impl_->pretokenizer.Split(raw, &pretokens);
    for (const PreToken& p : pretokens) {
      const std::string_view word = raw.substr(p.offset, p.length);
      if (impl_->cache.Lookup(word, &ids)) continue;
      const size_t before = ids.size();
      impl_->bpe.EncodeWord(word, &ids);
      impl_->cache.Insert(word, ids.data() + before, ids.size() - before);
    }
  }
  if (add_special && v.add_eos && v.eos_id != kNoToken) ids.push_back(v.eos_id);
  return ids;
}

void Tokenizer::AppendPiece(int32_t id, bool skip_special, std::string* out) const {
  if (!IsValidId(id)) return;
  if (skip_special && impl_->is_special[id]) return;
  out->append(impl_->pieces[id]);
}

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool skip_special) const {
  std::string text;
  for (int32_t id : ids) AppendPiece(id, skip_special, &text);
  return text;
}

std::string Tokenizer::TokenPiece(int32_t id) const {
  std::string piece;
  AppendPiece(id, false, &piece);
  return piece;
}

const std::string& Tokenizer::TokenText(int32_t id) const {
  CHECK(IsValidId(id)) << "token id " << id << " outside the vocabulary of " << n_vocab();
  return impl_->vocab.tokens[id];
}

TokenType Tokenizer::token_type(int32_t id) const {
  CHECK(IsValidId(id)) << "token id " << id << " outside the vocabulary of " << n_vocab();
  return impl_->vocab.types[id];
}

int32_t Tokenizer::TokenId(std::string_view text) const { return impl_->bpe.TokenId(text); }
bool Tokenizer::IsSpecial(int32_t id) const { return IsValidId(id) && impl_->is_special[id]; }
bool Tokenizer::IsEndOfGeneration(int32_t id) const { return IsValidId(id) && impl_->is_eog[id]; }
int32_t Tokenizer::n_vocab() const { return impl_->vocab.n_vocab(); }
int32_t Tokenizer::bos_id() const { return impl_->vocab.bos_id; }
int32_t Tokenizer::eos_id() const { return impl_->vocab.eos_id; }
int32_t Tokenizer::eot_id() const { return impl_->vocab.eot_id; }
bool Tokenizer::add_bos() const { return impl_->vocab.add_bos; }
bool Tokenizer::add_eos() const { return impl_->vocab.add_eos; }
const Vocab& Tokenizer::vocab() const { return impl_->vocab; }

}  // namespace dsinfer::tokenizer
