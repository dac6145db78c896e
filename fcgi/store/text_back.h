// The text back: one SMS (the routing's text_back.message) to a caller whose call was missed or went to voicemail,
// when the routing in force at the call's start asked for it (CallRow::text_back), at most one per caller and day,
// never to a withheld number or one that does not look like a mobile (text/phone_number.h).
//
// Decided here, beside outcome_of(), used in two places: MysqlCallStore queues it (channel kChannelTextBack) in the
// transaction of the first event after which the call qualifies, and withdraws it, unsent, if a later event
// disqualifies the call;
// the notifier checks the call again right before sending. Callbacks arrive in any order (twilio-contract.md §13:
// the completed status can come before the call's last action webhook), so a call can look missed for a moment and
// then turn out answered (the <Dial> action with DialBridged comes after the completed status), or look like a
// voicemail and then turn out to have recorded nothing (the recording's status callback says "absent"). The text
// therefore waits kTextBackSettleS before its first attempt, for those late callbacks to arrive.
//
// "Per day" is the UTC date the call started (the once key below): the office's time zone lives in the routing
// snapshot, which the store does not read. A caller who calls at 23:30 and again at 00:30 UTC can get two texts.
// The database decides it, with the unique key (channel, once_key) of schema/007: the same on every host and
// every Galera node, whatever order the events arrive in.
#pragma once

#include <string>

#include "store/call_record.h"

namespace switchboard::store {

// How long a queued text back waits before its first attempt, for the call's last callbacks.
inline constexpr int kTextBackSettleS = 60;

// The call is over (a final status or an end time) and its outcome is missed or voicemail: not blocked, answered,
// abandoned or in progress. What the notifier checks again before sending.
bool text_back_outcome(const CallRow& call);

// The routing at the call's start asked for a text back, the outcome allows it (text_back_outcome) and the caller
// looks like a mobile. The store queues the text back when this turns true and withdraws it when it turns false.
bool wants_text_back(const CallRow& call);

// "<caller>:<YYYY-MM-DD>", the UTC date the call started: equal for two calls of one caller on one day.
std::string text_back_once_key(const CallRow& call);

}  // namespace switchboard::store
