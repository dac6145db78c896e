// libFuzzer target: a spool line (possibly torn by a crash) decodes or is refused; a decoded event re-encodes to a
// line that decodes to the same event.
#include <cstddef>
#include <cstdint>
#include <string>

#include "store/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  const auto event = switchboard::store::decode_spool_line(line);
  if (!event) return 0;
  const auto again = switchboard::store::decode_spool_line(switchboard::store::encode_spool_line(*event));
  if (!again || again->params != event->params || again->call_sid != event->call_sid ||
      again->received_at_ms != event->received_at_ms) {
    __builtin_trap();
  }
  return 0;
}
