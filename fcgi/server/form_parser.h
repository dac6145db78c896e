// application/x-www-form-urlencoded decoding with cgicc, from a string: the body of a webhook or a query string.
// Kept apart from the FastCGI streams so it can be unit-tested and fuzzed.
#pragma once

#include <string>

#include "http/request.h"

namespace switchboard::server {

// Decoded name/value pairs in order ('+' → space, %XX → byte). Refuses (std::invalid_argument) text with a broken
// percent-escape, which cgicc would otherwise keep literally.
http::Params parse_urlencoded(const std::string& text);

}  // namespace switchboard::server
