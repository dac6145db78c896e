// The call log's connection: opening it lazily, caching prepared statements, ending transactions.
#include "store/mysql_session.h"

#include <mysql_connection.h>

#include <random>
#include <thread>

namespace switchboard::store {

namespace {
constexpr std::chrono::seconds kReconnectBackoff{1};
}

MysqlSession::MysqlSession(ConnectionOptions options) : options_(std::move(options)) {}

MysqlSession::~MysqlSession() { drop(); }

void MysqlSession::drop() {
  statements_.clear();  // statements belong to the connection: release them first
  connection_.reset();
}

void MysqlSession::wait_before_reconnecting() {
  next_connect_attempt_ = std::chrono::steady_clock::now() + kReconnectBackoff;
}

void MysqlSession::pause_before_retry(const sql::SQLException& error, int attempt) {
  if (is_connection_error(error) || error.getErrorCode() == 2006) return;
  thread_local std::minstd_rand random{std::random_device{}()};
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + random() % (5 * attempt)));
}

sql::PreparedStatement& MysqlSession::statement(const std::string& text) {
  auto found = statements_.find(text);
  if (found == statements_.end()) {
    found = statements_.emplace(text, std::unique_ptr<sql::PreparedStatement>(connection_->prepareStatement(text)))
                .first;
  }
  return *found->second;
}

void MysqlSession::connect(const char* operation) {
  if (connection_) return;
  if (std::chrono::steady_clock::now() < next_connect_attempt_) {
    throw Unavailable(std::string(operation) + ": database unreachable, waiting before reconnecting");
  }
  try {
    connection_ = open_connection(options_);
    connection_->setAutoCommit(false);
  } catch (const sql::SQLException& error) {
    // Whatever the server said while we were connecting (gone, access denied, too many connections), it said it
    // about every event, not this one.
    drop();
    wait_before_reconnecting();
    throw Unavailable(std::string(operation) + ": cannot connect: " + error.what() + " (MySQL error " +
                      std::to_string(error.getErrorCode()) + ")");
  } catch (...) {
    drop();  // a connection left in autocommit must not be used
    throw;
  }
}

void MysqlSession::commit() { connection_->commit(); }

void MysqlSession::roll_back() {
  connection_->rollback();
  ended_ = true;
}

void MysqlSession::abandon(bool connection_lost) {
  if (connection_lost || !connection_) {
    drop();
    return;
  }
  try {
    connection_->rollback();
  } catch (...) {
    // A transaction we cannot roll back must not stay open on a connection we keep: the next commit would commit
    // half of it. Dropping the connection makes the server roll it back.
    drop();
  }
}

}  // namespace switchboard::store
