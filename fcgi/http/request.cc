// Parameter lookup shared by every handler.
#include "http/request.h"

namespace switchboard::http {

std::optional<std::string> find_param(const Params& params, const std::string& name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

bool has_malformed_escape(const std::string& urlencoded) {
  const auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (size_t i = 0; i < urlencoded.size(); ++i) {
    if (urlencoded[i] != '%') continue;
    if (i + 2 >= urlencoded.size() || !hex(urlencoded[i + 1]) || !hex(urlencoded[i + 2])) return true;
    i += 2;
  }
  return false;
}

}  // namespace switchboard::http
