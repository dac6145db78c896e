// Route matching.
#include "server/router.h"

namespace switchboard::server {

void Router::webhook(const char* path, Handler handler) {
  routes_.push_back(Route{"POST", path, false, true,
                          [handler](const http::Request& request, const std::string&) { return handler(request); }});
}

void Router::exact(const char* method, const char* path, Handler handler) {
  routes_.push_back(Route{method, path, false, false,
                          [handler](const http::Request& request, const std::string&) { return handler(request); }});
}

void Router::prefix(const char* method, const char* prefix, PrefixHandler handler) {
  routes_.push_back(Route{method, prefix, true, false, std::move(handler)});
}

http::Response Router::dispatch(const http::Request& request) const {
  std::string allowed;
  for (const Route& route : routes_) {
    const bool path_matches = route.is_prefix ? request.path.size() > route.path.size() &&
                                                    request.path.compare(0, route.path.size(), route.path) == 0
                                              : request.path == route.path;
    if (!path_matches) continue;
    if (route.method != request.method) {
      if (allowed.find(route.method) == std::string::npos) allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    if (route.is_webhook && gate_) {
      if (auto refusal = gate_(request)) return *refusal;
    }
    return route.handler(request, route.is_prefix ? request.path.substr(route.path.size()) : std::string());
  }
  if (!allowed.empty()) {
    http::Response response = http::Response::json_error(405, "method not allowed");
    response.headers.emplace_back("Allow", allowed);
    return response;
  }
  return http::Response::json_error(404, "not found");
}

}  // namespace switchboard::server
