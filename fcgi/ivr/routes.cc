// Building absolute webhook URLs.
#include "ivr/routes.h"

namespace switchboard::ivr::route {

std::string url(const std::string& public_base_url, const char* path, const std::string& query) {
  std::string result = public_base_url + path;
  if (!query.empty()) result += "?" + query;
  return result;
}

}  // namespace switchboard::ivr::route
