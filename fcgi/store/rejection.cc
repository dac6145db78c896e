// The Rejected exception and the rejection marker event.
#include "store/rejection.h"

namespace switchboard::store {

namespace {

std::string describe(const Rejection& rejection) {
  if (rejection.code == 0 && rejection.sql_state.empty()) return "rejected: " + rejection.message;
  return "rejected by the database: " + rejection.message + " (MySQL error " + std::to_string(rejection.code) +
         ", SQLSTATE " + rejection.sql_state + ")";
}

}  // namespace

Rejected::Rejected(Rejection rejection) : std::runtime_error(describe(rejection)), rejection_(std::move(rejection)) {}

bool is_rejection_marker(const Event& event) { return event.kind == kRejectedKind; }

Event rejection_marker(const Event& original, const Rejection& why, std::int64_t at_ms) {
  Event marker;
  marker.call_sid = original.call_sid;
  marker.kind = kRejectedKind;
  marker.received_at_ms = at_ms;
  // What Twilio sent, then what we added to it, then why it was refused: enough to see in the timeline what the
  // call lost, and to rebuild the event by hand if it ever had to be.
  marker.params = original.params;
  marker.params.emplace_back(marker_param::kKind, original.kind);
  marker.params.emplace_back(marker_param::kUrlQuery, original.url_query);
  marker.params.emplace_back(marker_param::kReceivedAtMs, std::to_string(original.received_at_ms));
  if (original.menu_choice) marker.params.emplace_back(marker_param::kMenuChoice, *original.menu_choice);
  if (original.forwarded_to) marker.params.emplace_back(marker_param::kForwardedTo, *original.forwarded_to);
  marker.params.emplace_back(marker_param::kErrorCode, std::to_string(why.code));
  marker.params.emplace_back(marker_param::kSqlState, why.sql_state);
  marker.params.emplace_back(marker_param::kError, why.message);
  return marker;
}

}  // namespace switchboard::store
