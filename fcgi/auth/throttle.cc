// The sign-in throttle's curve.
#include "auth/throttle.h"

#include <algorithm>

namespace switchboard::auth {

std::int64_t wait_after_failures(int failures, const ThrottleRule& rule) {
  if (failures < rule.free_failures) return 0;
  if (failures >= rule.lock_failures) return rule.lock_ms;
  const int doublings = std::min(failures - rule.free_failures, 30);
  return std::min<std::int64_t>(1000LL << doublings, rule.lock_ms);
}

}  // namespace switchboard::auth
