// Where an SMS is in its life, as Twilio's MessageStatus callbacks report it: accepted/scheduled/queued < sending <
// sent < a final status (delivered, undelivered, failed, read, canceled, partially_delivered). Callbacks arrive in
// any order and more than once; a notification's delivery_status only ever moves forward, and the first final
// status stays. Unknown words rank lowest, so they never displace a known status.
#pragma once

#include <optional>
#include <string>

namespace switchboard::store {

int delivery_rank(const std::string& status);
bool is_final_delivery(const std::string& status);
// Whether `incoming` should replace `current` (nullopt: nothing reported yet).
bool delivery_advances(const std::optional<std::string>& current, const std::string& incoming);
// The SMS did not reach the phone, and never will: undelivered or failed.
bool delivery_failed(const std::string& status);

}  // namespace switchboard::store
