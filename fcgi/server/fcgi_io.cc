// Reading FastCGI requests and writing responses. The body is read here after checking CONTENT_LENGTH (cgicc would
// trust it blindly and allocate that much first, stack-notes §2.3); cgicc then decodes it from memory.
#include "server/fcgi_io.h"

#include "server/form_parser.h"

#include <algorithm>
#include <cstring>
#include <iostream>

namespace switchboard::server {

namespace {

std::string param(FCGX_Request& request, const char* name) {
  const char* value = FCGX_GetParam(name, request.envp);
  return value ? std::string(value) : std::string();
}

size_t checked_content_length(const std::string& header) {
  if (header.empty()) return 0;
  if (header.size() > 12 || !std::all_of(header.begin(), header.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw BadRequest(400, "invalid Content-Length");
  }
  const size_t length = std::stoul(header);
  if (length > kMaxBodyBytes) throw BadRequest(413, "request body too large");
  return length;
}

std::string request_path(FCGX_Request& request) {
  const char* path = FCGX_GetParam("DOCUMENT_URI", request.envp);
  return path ? std::string(path).substr(0, 100) : std::string("?");
}

std::string read_raw_body(FCGX_Request& request, size_t length) {
  std::string body(length, '\0');
  size_t total = 0;
  while (total < length) {
    const int got = FCGX_GetStr(body.data() + total, static_cast<int>(length - total), request.in);
    if (got <= 0) break;
    total += static_cast<size_t>(got);
  }
  if (total != length) throw BadRequest(400, "body shorter than Content-Length");
  return body;
}

// libfcgi buffers what is put and sends it in records as its buffer fills, so memory stays at a buffer whatever
// the body's size. A failed put means nginx (the client) is gone: the producer is told to stop.
void write_stream(FCGX_Request& request, const http::Response& response) {
  bool connected = true;
  const http::BodyWriter write = [&](std::string_view piece) {
    if (!connected) return false;
    if (!piece.empty() && FCGX_PutStr(piece.data(), static_cast<int>(piece.size()), request.out) < 0) {
      connected = false;
    }
    return connected;
  };
  try {
    response.stream(write);
  } catch (const std::exception& error) {
    // The status is already sent: all that is left is to end the body early and say why in the journal.
    std::cerr << "switchboard: streamed body of " << request_path(request) << " ended early: " << error.what() << "\n";
  }
}

}  // namespace

http::Request read_request(FCGX_Request& request) {
  http::Request out;
  out.method = param(request, "REQUEST_METHOD");
  out.request_uri = param(request, "REQUEST_URI");
  const std::string query_string = param(request, "QUERY_STRING");
  if (out.request_uri.empty()) {
    out.request_uri = param(request, "SCRIPT_NAME") + (query_string.empty() ? "" : "?" + query_string);
  }
  // nginx's DOCUMENT_URI is the decoded, normalised path; routing uses it.
  out.path = param(request, "DOCUMENT_URI");
  if (out.path.empty()) out.path = out.request_uri.substr(0, out.request_uri.find('?'));
  out.content_type = param(request, "CONTENT_TYPE");
  out.twilio_signature = param(request, "HTTP_X_TWILIO_SIGNATURE");
  // Never REMOTE_USER (nginx fills it from any Authorization header, checked or not): who a request is, the feed
  // pool decides from the cookie or bearer token below (server/app.cc).
  out.custom_request_header = param(request, "HTTP_X_REQUESTED_WITH");
  out.cookie = param(request, "HTTP_COOKIE");
  out.authorization = param(request, "HTTP_AUTHORIZATION");
  out.remote_addr = param(request, "REMOTE_ADDR");
  out.range = param(request, "HTTP_RANGE");
  out.if_match = param(request, "HTTP_IF_MATCH");

  try {
    out.query = parse_urlencoded(query_string);
  } catch (const std::invalid_argument&) {
    throw BadRequest(400, "malformed percent-escape in the query string");
  }

  const size_t length = checked_content_length(param(request, "CONTENT_LENGTH"));
  if (length == 0) return out;
  out.body = read_raw_body(request, length);
  if (out.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    try {
      out.form = parse_urlencoded(out.body);
    } catch (const std::invalid_argument&) {
      throw BadRequest(400, "malformed percent-escape in the body");
    }
  }
  return out;
}

void write_response(FCGX_Request& request, const http::Response& response) {
  std::string head = "Status: " + std::to_string(response.status) + " " + http::reason_phrase(response.status) + "\r\n";
  if (!response.content_type.empty()) head += "Content-Type: " + response.content_type + "\r\n";
  // A streamed body's length is known only at its end: nginx sends it on chunked (or as HTTP/2 frames).
  if (!response.stream) head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  head += "Cache-Control: no-store\r\n";
  head += "X-Switchboard-Answered-By: worker\r\n";  // nginx's fallbacks say "fallback"
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  FCGX_PutStr(head.data(), static_cast<int>(head.size()), request.out);
  if (response.stream) {
    write_stream(request, response);
    return;
  }
  if (!response.body.empty()) FCGX_PutStr(response.body.data(), static_cast<int>(response.body.size()), request.out);
}

}  // namespace switchboard::server
