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

const std::string& dial_outcome(const Scenario& scenario, const std::string& number) {
  const auto it = scenario.dial_by_number.find(number);
  return it == scenario.dial_by_number.end() ? scenario.dial : it->second;
}

}  // namespace callsim
