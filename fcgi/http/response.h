// A plain HTTP response: status, content type, extra headers and a body. server/ writes it to FastCGI with a
// Content-Length (Twilio's HTTP client mishandles chunked TwiML, twilio-contract §7) — except a streamed body (an
// export of any size), which it writes as it is produced, without one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::http {

// Sends one piece of a streamed body; false once the client is gone, and the producer should stop.
using BodyWriter = std::function<bool(std::string_view)>;

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body: `body` is ignored, and server/ calls this after the headers are sent. It runs once the
  // handler has returned and the status is on the wire, so it must handle its own failures (say so in the body
  // and return) rather than throw.
  std::function<void(const BodyWriter&)> stream;

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
