// libFuzzer target: whatever a PUT /api/routing body (or a snapshot file) holds, the validator answers — a routing
// or the field at fault, never both, never a crash — and an accepted document writes back as JSON that is accepted
// again and writes the same text (parse(to_json(r)) == r).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "routing/routing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const switchboard::routing::Parsed parsed = switchboard::routing::parse(text);
  if (parsed.routing.has_value() == parsed.invalid.has_value()) __builtin_trap();
  if (!parsed.routing) return 0;
  const std::string written = switchboard::routing::to_json(*parsed.routing);
  const switchboard::routing::Parsed again = switchboard::routing::parse(written);
  if (!again.routing || switchboard::routing::to_json(*again.routing) != written) __builtin_trap();
  return 0;
}
