// The one routing table: method + path → handler. Exact paths for Twilio's webhooks and the API, and prefix routes
// for /api/calls/{sid}…. Every /twilio/* route passes the signature check before its handler runs. A path nobody
// serves is a 404; a served path with the wrong method a 405 with an Allow header.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace switchboard::server {

using Handler = std::function<http::Response(const http::Request&)>;
// For prefix routes: the rest of the path after the prefix ("CA123/voicemail" for "/api/calls/").
using PrefixHandler = std::function<http::Response(const http::Request&, const std::string& rest)>;
// Runs before every webhook: nullopt to proceed, or the refusal (403) to send.
using Gate = std::function<std::optional<http::Response>(const http::Request&)>;

class Router {
 public:
  void webhook(const char* path, Handler handler);  // POST, behind the gate
  void exact(const char* method, const char* path, Handler handler);
  void prefix(const char* method, const char* prefix, PrefixHandler handler);
  void set_webhook_gate(Gate gate) { gate_ = std::move(gate); }

  http::Response dispatch(const http::Request& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    bool is_prefix;
    bool is_webhook;
    PrefixHandler handler;
  };
  std::vector<Route> routes_;
  Gate gate_;
};

}  // namespace switchboard::server
