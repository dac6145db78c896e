// application/x-www-form-urlencoded bodies and query strings: '&' or ';' between pairs, '+' for a space, %XX for a
// byte. Decoded here rather than by cgicc, on the webhooks' hot path: a cgicc::Cgicc copies the whole CGI
// environment before it parses (17% of a webhook's instructions in the worker), and its form_urldecode appends
// byte by byte (11% more, bench/profile). The behaviour is cgicc's (stack-notes §2.2), tests/unit/server/
// form_parser_test.cpp holds it, except that a broken escape is refused instead of kept literally.
#include "server/form_parser.h"

#include <stdexcept>

namespace switchboard::server {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;  // has_malformed_escape() let only hex digits through
}

// text[begin, end) decoded; has_malformed_escape() checked every escape beforehand.
std::string decode(const std::string& text, size_t begin, size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < end) {  // always, once checked: hex digits are no separator and no '='

      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

http::Params parse_urlencoded(const std::string& text) {
  if (http::has_malformed_escape(text)) throw std::invalid_argument("malformed percent-escape");
  http::Params params;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("&;", start);
    if (end == std::string::npos) end = text.size();
    // Empty pieces between separators ("a=1&&b=2") are nothing; a name without '=' is a name with an empty value.
    if (end > start) {
      const size_t equals = text.find('=', start);
      if (equals < end) {
        params.emplace_back(decode(text, start, equals), decode(text, equals + 1, end));
      } else {
        params.emplace_back(decode(text, start, end), std::string());
      }
    }
    start = end + 1;
  }
  return params;
}

}  // namespace switchboard::server
