// Which calls get a text back, and the key that makes it one per caller and day.
#include "store/text_back.h"

#include <cstring>

#include "store/sql_time.h"
#include "text/phone_number.h"

namespace switchboard::store {

bool text_back_outcome(const CallRow& call) {
  // outcome_of() says "voicemail" as soon as a recording exists, while the caller may still be on the line.
  if (!store::is_final_status(call.status) && !call.ended_at_ms) return false;
  const char* outcome = store::outcome_of(call);
  return std::strcmp(outcome, store::kOutcomeMissed) == 0 || std::strcmp(outcome, store::kOutcomeVoicemail) == 0;
}

bool wants_text_back(const CallRow& call) {
  // The number last: libphonenumber costs tens of microseconds, the rest nothing.
  return call.text_back == true && text_back_outcome(call) && text::looks_mobile(call.from);
}

std::string text_back_once_key(const CallRow& call) {
  // "YYYY-MM-DD HH:MM:SS.mmm" in UTC, as the row's started_at is written in the same transaction.
  return call.from + ":" + store::to_sql_datetime(call.started_at_ms).substr(0, 10);
}

}  // namespace switchboard::store
