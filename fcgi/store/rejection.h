// An event the database refused for a reason of its own (not because it was unreachable): the refusal, the
// exception the store throws for it, and the marker event that puts the refusal in the call's timeline. A refused
// event is never retried in a loop: it goes to the spool's dead-letter (spool.h) and later events flow on.
// The marker is safe to store whatever the refusal was: it is never folded into the call row, its time is the
// moment of the refusal (not the event's own, which may be the very value refused), and everything else the
// original event carried travels as text inside its parameters.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "store/call_record.h"

namespace switchboard::store {

struct Rejection {
  int code = 0;           // the server's error number (1292, 1644, …); 0 when the error did not come from SQL
  std::string sql_state;  // "22007", "45000", …; empty when the error did not come from SQL
  std::string message;
};

// The database refused this event's statements (a constraint, a trigger, a value it cannot hold): retrying it will
// not help, but the next event may go through. Contrast Unavailable (call_store.h): nothing can be stored now.
class Rejected : public std::runtime_error {
 public:
  explicit Rejected(Rejection rejection);
  const Rejection& rejection() const { return rejection_; }

 private:
  Rejection rejection_;
};

// The kind of the marker event, and the parameters it adds to the original event's.
inline constexpr char kRejectedKind[] = "rejected";
namespace marker_param {
inline constexpr char kKind[] = "SwitchboardRejectedKind";
inline constexpr char kUrlQuery[] = "SwitchboardRejectedUrlQuery";
inline constexpr char kReceivedAtMs[] = "SwitchboardRejectedReceivedAtMs";
inline constexpr char kMenuChoice[] = "SwitchboardRejectedMenuChoice";
inline constexpr char kForwardedTo[] = "SwitchboardRejectedForwardedTo";
inline constexpr char kErrorCode[] = "SwitchboardErrorCode";
inline constexpr char kSqlState[] = "SwitchboardSqlState";
inline constexpr char kError[] = "SwitchboardError";
}  // namespace marker_param

bool is_rejection_marker(const Event& event);

// The marker for `original`, refused for `why` at `at_ms`. The same event refused for the same reason again gives
// the same dedup key, so storing the marker twice leaves one row.
Event rejection_marker(const Event& original, const Rejection& why, std::int64_t at_ms);

}  // namespace switchboard::store
