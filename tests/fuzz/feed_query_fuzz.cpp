// libFuzzer target: the feed's query string, decoded then validated, never crashes and never yields a limit or
// cursor outside what the API promises.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include "feed/calls_api.h"
#include "server/form_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  switchboard::feed::parse_iso8601(text);
  switchboard::feed::decode_cursor(text);
  try {
    const auto params = switchboard::server::parse_urlencoded(text);
    const auto parsed = switchboard::feed::parse_call_query(params);
    if (const auto* query = std::get_if<switchboard::store::CallQuery>(&parsed)) {
      if (query->limit < 1 || query->limit > 200) __builtin_trap();
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
