// Parsing an EnvironmentFile= (see env_file.h for the rules).
#include "env_file.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace switchboard_twilio {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string trim_left(const std::string& text) {
  size_t begin = 0;
  while (begin < text.size() && is_space(text[begin])) ++begin;
  return text.substr(begin);
}

std::string trim_right(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  return text.substr(0, end);
}

bool is_variable_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string unescape_double_quoted(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && std::string("\"\\`$").find(text[i + 1]) != std::string::npos) {
      out += text[++i];
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string value_of(const std::string& raw) {
  const std::string value = trim_left(raw);
  if (value.size() >= 2 && value.front() == '"' && trim_right(value).back() == '"') {
    const std::string quoted = trim_right(value);
    return unescape_double_quoted(quoted.substr(1, quoted.size() - 2));
  }
  if (value.size() >= 2 && value.front() == '\'' && trim_right(value).back() == '\'') {
    const std::string quoted = trim_right(value);
    return quoted.substr(1, quoted.size() - 2);
  }
  return trim_right(value);
}

}  // namespace

std::map<std::string, std::string> parse_env_file(const std::string& text, const std::string& origin) {
  std::map<std::string, std::string> variables;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    line = trim_left(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const size_t equals = line.find('=');
    const std::string where = origin + ":" + std::to_string(number) + ": ";
    if (equals == std::string::npos) throw EnvFileError(where + "expected KEY=value");
    const std::string key = trim_right(line.substr(0, equals));
    if (!is_variable_name(key)) throw EnvFileError(where + "'" + key + "' is not a variable name");
    variables[key] = value_of(line.substr(equals + 1));
  }
  return variables;
}

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw EnvFileError("cannot read the environment file " + path);
  std::stringstream content;
  content << in.rdbuf();
  return parse_env_file(content.str(), path);
}

}  // namespace switchboard_twilio
