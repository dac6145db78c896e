// The simulator's own implementation of Twilio's X-Twilio-Signature (twilio-contract.md §6). It shares no code
// with the server on purpose: the server is checked against the contract, not against itself.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace callsim {

// Base64(HMAC-SHA1(auth_token, url + for each name in byte order: name + value)). A repeated name contributes
// each of its distinct values, sorted, as the Python and Node helper libraries do.
std::string sign(const std::string& auth_token, const std::string& url,
                 const std::vector<std::pair<std::string, std::string>>& post_params);

}  // namespace callsim
