// libFuzzer target: signature computation and validation over arbitrary URLs, parameters and header values. The
// input is split at NUL bytes: URL, signature, then name/value pairs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "twilio/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts{""};
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) parts.emplace_back();
    else parts.back() += static_cast<char>(data[i]);
  }
  while (parts.size() < 2) parts.emplace_back();
  switchboard::twilio::SignedParams params;
  for (size_t i = 2; i + 1 < parts.size(); i += 2) params.emplace_back(parts[i], parts[i + 1]);
  const switchboard::twilio::SignatureValidator validator("12345");
  validator.valid(parts[0], params, parts[1]);
  // A correct signature for the URL must always validate.
  const std::string good = switchboard::twilio::compute_signature("12345", parts[0], params);
  if (!validator.valid(parts[0], params, good)) __builtin_trap();
  return 0;
}
