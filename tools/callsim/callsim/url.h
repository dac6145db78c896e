// URL and form handling as a Twilio client needs it: encode parameters, resolve a TwiML URL against the document
// it came from, and cut a URL into origin and path.
#pragma once

#include <string>

#include "callsim/transport.h"

namespace callsim {

// application/x-www-form-urlencoded: space as '+', everything but unreserved characters as %XX.
std::string form_encode(const Params& params);

// url + "?" or "&" + the encoded params (how a GET webhook carries them).
std::string with_query(const std::string& url, const Params& params);

bool is_absolute_url(const std::string& url);  // http:// or https://

// Resolves ref against the absolute URL of the current document, as a browser (and Twilio) would: "/x" keeps the
// origin, "x" replaces the last path segment.
std::string resolve_url(const std::string& document_url, const std::string& ref);

std::string url_origin(const std::string& url);  // "https://host:port"; empty if not absolute
std::string url_path(const std::string& url);    // path and query, "/" at least

}  // namespace callsim
