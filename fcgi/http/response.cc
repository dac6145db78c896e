// Response constructors and the status phrases server/ needs for its Status header.
#include "http/response.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace switchboard::http {

Response Response::xml(std::string body) {
  return Response{200, "text/xml; charset=utf-8", std::move(body), {}, {}};
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json; charset=utf-8", std::move(body), {}, {}};
}

Response Response::json_error(int status, const std::string& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return json(status, std::string(buffer.GetString(), buffer.GetSize()));
}

Response Response::text(int status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}, {}};
}

Response Response::empty(int status) { return Response{status, "", "", {}, {}}; }

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace switchboard::http
