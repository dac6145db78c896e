// The only bridge between FastCGI (libfcgi + cgicc) and the rest of the program: a FastCGI request becomes an
// http::Request, an http::Response goes back with Status, Content-Type and Content-Length headers (a streamed
// body without a length, piece by piece as it is produced).
#pragma once

#include <fcgiapp.h>

#include <stdexcept>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace switchboard::server {

// A request we refuse before any handler sees it (body too large, lying Content-Length, malformed escapes).
class BadRequest : public std::runtime_error {
 public:
  BadRequest(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

inline constexpr size_t kMaxBodyBytes = 64 * 1024;  // Twilio's webhooks are a few KB; nginx enforces the same

http::Request read_request(FCGX_Request& request);
void write_response(FCGX_Request& request, const http::Response& response);

}  // namespace switchboard::server
