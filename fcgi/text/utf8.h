// UTF-8 hygiene for text that came from outside (Twilio parameters, query strings). Twilio passes caller data
// through; a carrier can send anything. What we store, emit as TwiML or put in JSON must be valid UTF-8.
#pragma once

#include <cstddef>
#include <string>

namespace switchboard::text {

// Length of the valid UTF-8 sequence at text[i], or 0 when the bytes there are not one. Overlong forms, surrogates
// and code points above U+10FFFF are invalid.
size_t utf8_sequence_length(const std::string& text, size_t i);

// Whether every byte of `text` belongs to a valid sequence (no allocation: the common case of clean text costs a scan).
bool is_valid_utf8(const std::string& text);

// `text` with every invalid byte replaced by U+FFFD.
std::string valid_utf8(const std::string& text);

// At most `max_chars` code points of valid UTF-8 `text`, never cutting a sequence in half.
std::string truncate_utf8(const std::string& text, size_t max_chars);

}  // namespace switchboard::text
