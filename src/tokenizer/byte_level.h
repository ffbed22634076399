// GPT-2 byte-level alphabet (spec §10.5): every byte maps to one code point, so any byte string
// becomes a printable string of the vocabulary's alphabet and back.
//
// Bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF map to the code point with the same value; the other
// 68 bytes (0x00-0x20, 0x7F-0xA0, 0xAD), in increasing order, map to U+0100..U+0143
// (space -> U+0120 'Ġ', LF -> U+010A 'Ċ'). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dsinfer::tokenizer {

// The UTF-8 encoding of the code point that stands for `byte`.
const std::string& ByteToSymbol(uint8_t byte);

// Maps every byte of `bytes` to its symbol and concatenates the results.
std::string EncodeByteLevel(std::string_view bytes);

// Inverse of EncodeByteLevel: maps every code point of `symbols` back to its byte. Code points
// outside the alphabet (and invalid UTF-8) are copied through unchanged, as HF's ByteLevel
// decoder does.
std::string DecodeByteLevel(std::string_view symbols);

}  // namespace dsinfer::tokenizer
