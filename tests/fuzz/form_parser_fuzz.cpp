// libFuzzer target: the urlencoded body/query decoder (cgicc underneath) must never crash, hang or read out of
// bounds, whatever bytes arrive; broken escapes are refused with invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "server/form_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto params = switchboard::server::parse_urlencoded(text);
    for (const auto& [name, value] : params) {
      if (name.size() > text.size() || value.size() > text.size()) __builtin_trap();
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
