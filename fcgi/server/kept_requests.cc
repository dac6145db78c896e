// Decoding nginx's kept-request records (log_format switchboard_kept, escape=json).
#include "server/kept_requests.h"

#include <dirent.h>
#include <sys/stat.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "server/form_parser.h"

namespace switchboard::server {

std::vector<std::string> kept_request_files(const std::string& directory, bool only_settled) {
  std::vector<std::string> files;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
  if (!dir) return files;
  while (dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name.rfind("kept-", 0) != 0 || name.size() <= 10 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    struct stat info {};
    const std::string path = directory + "/" + name;
    const bool settled =
        ::stat(path.c_str(), &info) == 0 && info.st_size > 0 && info.st_mtime < std::time(nullptr) - 1;
    if (only_settled && !settled) continue;
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());  // names start with nginx's $msec: time order
  return files;
}

std::optional<http::Request> decode_kept_request(const std::string& json) {
  rapidjson::Document record;
  record.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
  if (record.HasParseError() || !record.IsObject()) return std::nullopt;
  const auto text = [&](const char* key) -> std::optional<std::string> {
    const auto member = record.FindMember(key);
    if (member == record.MemberEnd() || !member->value.IsString()) return std::nullopt;
    return std::string(member->value.GetString(), member->value.GetStringLength());
  };
  const auto uri = text("uri");
  const auto body = text("body");
  if (!uri || !body || uri->empty() || (*uri)[0] != '/') return std::nullopt;
  http::Request request;
  request.method = text("method").value_or("POST");
  request.request_uri = *uri;
  request.path = uri->substr(0, uri->find('?'));
  request.content_type = text("content_type").value_or("");
  request.twilio_signature = text("signature").value_or("");
  request.body = *body;
  try {
    const size_t mark = uri->find('?');
    if (mark != std::string::npos) request.query = parse_urlencoded(uri->substr(mark + 1));
    if (request.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      request.form = parse_urlencoded(request.body);
    }
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  return request;
}

}  // namespace switchboard::server
