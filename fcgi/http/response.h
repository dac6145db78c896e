// A plain HTTP response: status, content type, extra headers and a body. server/ writes it to FastCGI with a
// Content-Length (Twilio's HTTP client mishandles chunked TwiML, twilio-contract §7).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace switchboard::http {

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response xml(std::string body);
  static Response json(int status, std::string body);
  // A JSON error document {"error": message} — what API clients and browsers get for every 4xx/5xx.
  static Response json_error(int status, const std::string& message);
  static Response text(int status, std::string body);
  static Response empty(int status);
};

// "OK", "Not Found", … for the Status line.
const char* reason_phrase(int status);

}  // namespace switchboard::http
