// See options.h.
#include "callsim/options.h"

#include <algorithm>
#include <array>

namespace callsim {

bool is_dial_outcome(const std::string& outcome) {
  static const std::array<const char*, 7> kOutcomes = {"answered", "declined",  "voicemail", "no-answer",
                                                       "busy",     "failed",    "canceled"};
  return std::any_of(kOutcomes.begin(), kOutcomes.end(), [&](const char* known) { return outcome == known; });
}

}  // namespace callsim
