// UTF-8 validation, repair and truncation.
#include "text/utf8.h"

namespace switchboard::text {

namespace {
const char kReplacementCharacter[] = "\xEF\xBF\xBD";
}

size_t utf8_sequence_length(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  unsigned min_code_point;
  unsigned code_point;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) { length = 2; min_code_point = 0x80; code_point = lead & 0x1F; }
  else if (lead >= 0xE0 && lead <= 0xEF) { length = 3; min_code_point = 0x800; code_point = lead & 0x0F; }
  else if (lead >= 0xF0 && lead <= 0xF4) { length = 4; min_code_point = 0x10000; code_point = lead & 0x07; }
  else return 0;
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < min_code_point || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

bool is_valid_utf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    // ASCII, by far the most of what callers send, one byte at a time without the sequence decoder.
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string valid_utf8(const std::string& text) {
  if (is_valid_utf8(text)) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
    } else {
      out.append(text, i, length);
      i += length;
    }
  }
  return out;
}

std::string truncate_utf8(const std::string& text, size_t max_chars) {
  size_t i = 0;
  for (size_t chars = 0; i < text.size() && chars < max_chars; ++chars) {
    const size_t length = utf8_sequence_length(text, i);
    i += length == 0 ? 1 : length;
  }
  return text.substr(0, i);
}

}  // namespace switchboard::text
