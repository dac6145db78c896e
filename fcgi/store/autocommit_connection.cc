// See autocommit_connection.h.
#include "store/autocommit_connection.h"

#include <mysql_connection.h>

namespace switchboard::store {

AutocommitConnection::AutocommitConnection(ConnectionOptions options, std::string what)
    : options_(std::move(options)), what_(std::move(what)) {}

AutocommitConnection::~AutocommitConnection() { drop(); }

void AutocommitConnection::open() {
  if (connection_) return;
  connection_ = open_connection(options_);
  connection_->setAutoCommit(true);
}

void AutocommitConnection::drop() {
  statements_.clear();  // statements belong to the connection: release them first
  connection_.reset();
}

sql::PreparedStatement& AutocommitConnection::statement(const char* text) {
  auto found = statements_.find(text);
  if (found == statements_.end()) {
    found = statements_.emplace(text, std::unique_ptr<sql::PreparedStatement>(connection_->prepareStatement(text)))
                .first;
  }
  return *found->second;
}

}  // namespace switchboard::store
