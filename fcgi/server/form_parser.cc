// application/x-www-form-urlencoded bodies and query strings: split here at '&' or ';' and '=', each piece decoded
// by cgicc's form_urldecode ('+' for a space, %XX for a byte). Not through a cgicc::Cgicc object: constructing one
// copies the whole CGI environment first, 17% of a webhook's instructions in the worker (bench/profile) for nothing
// used here. The behaviour is cgicc's (stack-notes §2.2, held by tests/unit/server/form_parser_test.cpp), except
// that a broken escape is refused instead of kept literally, and a final name without '=' is kept.
#include "server/form_parser.h"

#include <cgicc/CgiUtils.h>

#include <algorithm>
#include <stdexcept>

namespace switchboard::server {

namespace {

// text[begin, end) decoded by cgicc, when there is anything to decode: most names and values Twilio sends have no
// escape and no '+', and are taken as they are (cgicc's form_urldecode builds its result a byte at a time).
std::string decode(const std::string& text, size_t begin, size_t end) {
  const auto first = text.begin() + static_cast<std::ptrdiff_t>(begin);
  const auto last = text.begin() + static_cast<std::ptrdiff_t>(end);
  const bool encoded = std::find_if(first, last, [](char c) { return c == '%' || c == '+'; }) != last;
  std::string piece(first, last);
  return encoded ? cgicc::form_urldecode(piece) : piece;
}

}  // namespace

http::Params parse_urlencoded(const std::string& text) {
  if (http::has_malformed_escape(text)) throw std::invalid_argument("malformed percent-escape");
  http::Params params;
  params.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '&')) + 1);
  // One pass: each pair ends at '&' or ';' (or the end), its name at the first '=' in it.
  size_t start = 0;
  size_t equals = std::string::npos;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '&';
    if (c == '=' && equals == std::string::npos) {
      equals = i;
    } else if (c == '&' || c == ';') {
      // Empty pieces between separators ("a=1&&b=2") are nothing; a name without '=' has an empty value.
      if (i > start) {
        if (equals != std::string::npos) params.emplace_back(decode(text, start, equals), decode(text, equals + 1, i));
        else params.emplace_back(decode(text, start, i), std::string());
      }
      start = i + 1;
      equals = std::string::npos;
    }
  }
  return params;
}

}  // namespace switchboard::server
