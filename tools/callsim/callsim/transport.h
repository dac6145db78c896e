// The one seam between the simulator and the network: a request goes in, an answer comes out. CurlTransport is the
// real one; tests pass a fake that answers canned TwiML, so the interpreter runs without sockets.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace callsim {

// Twilio never repeats a parameter in voice webhooks, so a map (sorted, as the signature wants) is enough.
using Params = std::map<std::string, std::string>;

struct HttpRequest {
  std::string method;  // "POST" or "GET"
  std::string url;     // for GET it already carries the params as its query string
  Params params;       // the body of a POST; for a GET only a copy, for the record
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  long status = 0;            // 0 = no answer; see error
  std::string error;          // transport failure (connect, TLS, timeout), empty on success
  std::string content_type;   // as sent, parameters included
  std::string body;
  bool chunked = false;       // Transfer-Encoding: chunked (Twilio may truncate such TwiML)
  std::map<std::string, std::string> headers;  // lower-case names; for tests that ask who answered
  double seconds = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

}  // namespace callsim
