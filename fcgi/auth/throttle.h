// How failed sign-ins slow down guessing: per account name (whether or not it exists, so the answer tells nothing)
// and per client address. The first few failures cost nothing — people mistype — then each failure doubles the
// wait before the next attempt is even checked, up to a lock of 15 minutes. A failure is forgotten an hour after
// the last one; a successful sign-in clears its account's count (never the address's: one valid account must not
// reset an attacker's address).
#pragma once

#include <cstdint>

namespace switchboard::auth {

struct ThrottleRule {
  int free_failures;   // failures before any wait
  int lock_failures;   // failures at which the wait becomes the lock
  std::int64_t lock_ms;
};

// An office types one account's password wrong three times now and then; an address is shared by a whole office
// (NAT), so it gets more slack.
inline constexpr ThrottleRule kAccountThrottle{3, 10, 15 * 60 * 1000};
inline constexpr ThrottleRule kAddressThrottle{20, 50, 15 * 60 * 1000};
inline constexpr std::int64_t kFailureMemoryMs = 60 * 60 * 1000;

// Milliseconds to wait after the `failures`-th failure in a row: 0 within the free failures, then 1 s, 2 s, 4 s, …
// doubling, and the lock from lock_failures on (never more than the lock).
std::int64_t wait_after_failures(int failures, const ThrottleRule& rule);

}  // namespace switchboard::auth
